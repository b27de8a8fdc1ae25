"""Defaulting (fixtures in ``tests/sandbox/fixtures/defaulting``), its idempotency, and semantic equality."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from gennaker.sandbox.kinds import register_builtins
from gennaker.sandbox.registry import Registry
from gennaker.sandbox.semantic import equal, normalize

FIXTURES = Path(__file__).parents[1] / "fixtures" / "defaulting"
pytestmark = pytest.mark.timeout(30)
REGISTRY = Registry()
register_builtins(REGISTRY)


def cases() -> list[Any]:
    return [
        pytest.param(c, id=f"{p.stem}: {c['name']}")
        for p in sorted(FIXTURES.glob("*.yaml"))
        for c in yaml.safe_load(p.read_text())["cases"]
    ]


def default(case: dict[str, Any], obj: dict[str, Any]) -> dict[str, Any]:
    rt = REGISTRY.by_api_version_kind(case["apiVersion"], case["kind"])
    assert rt is not None
    for d in rt.defaulters:
        d(obj)
    return obj


@pytest.mark.parametrize("case", cases())
def test_defaulting_case(case: dict[str, Any]) -> None:
    once = default(case, copy.deepcopy(case["input"]))
    assert once == case["expected"]
    assert default(case, copy.deepcopy(once)) == once, "defaulting must be idempotent"


def test_undo_template_marshalled_by_go_equals_the_defaulted_one() -> None:
    # rollout undo sends the RS template as Go marshals it (resources: {}, creationTimestamp: null)
    sent = {
        "metadata": {"labels": {"app": "web"}, "creationTimestamp": None},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.25", "resources": {}}]},
    }
    stored = default(
        {"apiVersion": "apps/v1", "kind": "Deployment"}, {"spec": {"template": copy.deepcopy(sent)}}
    )["spec"]["template"]
    resent = default(
        {"apiVersion": "apps/v1", "kind": "Deployment"}, {"spec": {"template": copy.deepcopy(sent)}}
    )["spec"]["template"]
    assert equal(stored, resent)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ({"a": None}, {}, True),
        ({"a": {}}, {}, True),
        ({"a": []}, {}, True),
        ({"a": {"b": []}}, {"a": None}, True),
        ({"a": 0}, {}, False),
        ({"a": ""}, {}, False),
        ({"a": False}, {}, False),
        ({"l": [1, 2]}, {"l": [2, 1]}, False),
        ({"l": [{"x": None}]}, {"l": [{}]}, True),
        ({"resources": {}, "image": "x"}, {"image": "x"}, True),
    ],
)
def test_semantic_equality(a: Any, b: Any, same: bool) -> None:
    assert equal(a, b) is same
    assert equal(b, a) is same


def test_normalize_keeps_list_positions() -> None:
    assert normalize({"l": [{}, {"a": 1}]}) == {"l": [{}, {"a": 1}]}
