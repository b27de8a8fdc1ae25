"""kayentaCanary's ``deployments`` block: parsing, server group names, scopes filled, errors naming fields."""

from __future__ import annotations

from typing import Any

import pytest

from gennaker.canary.stage.context import StageConfigError
from gennaker.canary.stage.deployments import parse_deployments, with_scopes


def block(**extra: Any) -> dict[str, Any]:
    return {
        "deployments": {
            "account": "sandbox",
            "namespace": "prod",
            "baseline": {"cluster": "replicaSet web-v003", "criteria": "newest"},
            "canary": {"image": "web:2.0"},
            **extra,
        }
    }


def test_names_come_from_production_and_fill_the_scope_unless_given() -> None:
    deployments = parse_deployments(block(app="web"))
    assert deployments is not None
    assert (deployments.baseline_name, deployments.canary_name) == ("web-baseline", "web-canary")
    assert deployments.context["replicas"] == 1 and deployments.context["app"] == "web"
    config = {"scopes": [{"scopeName": "default", "step": 1}, {"scopeName": "b", "controlScope": "mine"}]}

    filled = with_scopes(config, deployments)
    assert filled["scopes"][0] == {
        "scopeName": "default",
        "step": 1,
        "controlScope": "web-baseline",
        "experimentScope": "web-canary",
        "controlLocation": "prod",
        "experimentLocation": "prod",
    }
    other = with_scopes(config, parse_deployments(block(scopeName="b")))  # type: ignore[arg-type]
    assert (
        other["scopes"][1]["controlScope"] == "mine" and other["scopes"][1]["experimentScope"] == "web-canary"
    )
    assert parse_deployments({}) is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"namespace": None}, "deployments.namespace: required"),
        ({"canary": {}}, "deployments.canary: expected"),
        ({"baseline": {"criteria": "newest"}}, "deployments.baseline: name the production workload"),
        ({"replicas": 0}, "deployments.replicas: a whole number of at least 1"),
    ],
)
def test_bad_blocks_name_the_field(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(StageConfigError, match=message):
        parse_deployments(block(**extra))


def test_an_unknown_scope_name_is_an_error() -> None:
    deployments = parse_deployments(block(scopeName="nope"))
    assert deployments is not None
    with pytest.raises(StageConfigError, match=r"deployments\.scopeName: no scope named 'nope'"):
        with_scopes({"scopes": [{"scopeName": "default"}]}, deployments)
