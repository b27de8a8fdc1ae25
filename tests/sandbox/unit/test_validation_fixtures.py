"""Every validation case in ``tests/sandbox/fixtures/validation/*.yaml``, walked by one test."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from gennaker.sandbox.kinds import register_builtins
from gennaker.sandbox.registry import Registry
from gennaker.sandbox.validation import validate_object_meta

FIXTURES = Path(__file__).parents[1] / "fixtures" / "validation"
pytestmark = pytest.mark.timeout(30)
REGISTRY = Registry()
register_builtins(REGISTRY)


def cases() -> list[Any]:
    return [
        pytest.param(c, id=c["name"])
        for p in sorted(FIXTURES.glob("*.yaml"))
        for c in yaml.safe_load(p.read_text())["cases"]
    ]


@pytest.mark.parametrize("case", cases())
def test_validation_case(case: dict[str, Any]) -> None:
    rt = REGISTRY.by_api_version_kind(case["apiVersion"], case["kind"])
    assert rt is not None

    def defaulted(obj: dict[str, Any]) -> dict[str, Any]:
        obj = copy.deepcopy(obj)
        for d in rt.defaulters:
            d(obj)
        return obj

    new = defaulted(case["object"])
    old = defaulted(case["old"]) if "old" in case else None
    errs = validate_object_meta(new, rt.namespaced, rt.name_validation)
    for v in rt.validators:
        errs += v(new, old)
    assert [str(e) for e in errs] == case["errors"]
