"""Every patch case in ``tests/sandbox/fixtures/patches/*.yaml``, walked by one test.

A case names its ``type`` (strategic, merge, json), the ``original`` object, the ``patch``, and either the
``expected`` result or an ``error`` substring. Strategic cases name the ``apiVersion``/``kind`` whose schema
drives merge keys and strategies.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from gennaker.sandbox.patch import PatchError
from gennaker.sandbox.patch.json_patch import json_patch
from gennaker.sandbox.patch.merge_patch import merge_patch
from gennaker.sandbox.patch.strategic import strategic_merge_patch
from gennaker.sandbox.schema import ObjectSchema, builtin_schema

FIXTURES = Path(__file__).parents[1] / "fixtures" / "patches"
pytestmark = pytest.mark.timeout(30)


def cases() -> list[Any]:
    out = []
    for path in sorted(FIXTURES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text())["cases"]:
            out.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return out


def apply_case(case: dict[str, Any]) -> Any:
    kind = case["type"]
    if kind == "json":
        return json_patch(case["original"], case["patch"])
    if kind == "merge":
        return merge_patch(case["original"], case["patch"])
    group, _, version = case["apiVersion"].rpartition("/")
    root = builtin_schema(group, version, case["kind"])
    assert root is not None, f"no schema for {case['apiVersion']} {case['kind']}"
    return strategic_merge_patch(case["original"], case["patch"], ObjectSchema(root))


@pytest.mark.parametrize("case", cases())
def test_patch_case(case: dict[str, Any]) -> None:
    original = copy.deepcopy(case["original"])
    if "error" in case:
        with pytest.raises(PatchError) as e:
            apply_case(case)
        assert case["error"] in str(e.value)
    else:
        assert apply_case(case) == case["expected"]
    assert case["original"] == original, "patch engines must not mutate their input"
