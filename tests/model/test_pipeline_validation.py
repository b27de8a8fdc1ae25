"""Pipeline config validation: each error names the stage and the field; unknown keys round-trip."""

from __future__ import annotations

from typing import Any

import pytest

from gennaker.model import ConfigValidationError, parse_pipeline_config


def issues(raw: Any, known: set[str] | None = None) -> list[tuple[str | None, str, str]]:
    with pytest.raises(ConfigValidationError) as e:
        parse_pipeline_config(raw, is_known_stage_type=(lambda t: t in known) if known is not None else None)
    return [(i.stage, i.field, i.message) for i in e.value.issues]


def test_unknown_keys_are_kept_at_every_level() -> None:
    raw = {
        "name": "p",
        "application": "app",
        "custom": {"a": [1, 2]},
        "limitConcurrent": True,
        "stages": [
            {
                "refId": "1",
                "type": "wait",
                "waitTime": 5,
                "myKey": "x",
                "stageEnabled": {"type": "expression", "expression": "true", "extra": 1},
            }
        ],
        "triggers": [{"type": "cron", "cronExpression": "0 0 * * * ?", "enabled": True, "other": 2}],
        "parameterConfig": [{"name": "env", "default": "dev", "weird": True}],
    }
    assert parse_pipeline_config(raw).to_json() == raw


def test_missing_name_and_application() -> None:
    assert issues({"stages": []}) == [(None, "name", "is required"), (None, "application", "is required")]


def test_duplicate_ref_id() -> None:
    got = issues(
        {
            "name": "p",
            "application": "a",
            "stages": [{"refId": "1", "type": "wait"}, {"refId": "1", "type": "wait"}],
        }
    )
    assert got[0][:2] == ("1", "stages[1].refId") and "duplicate" in got[0][2]


def test_requisite_naming_no_stage() -> None:
    got = issues(
        {
            "name": "p",
            "application": "a",
            "stages": [{"refId": "1", "type": "wait", "requisiteStageRefIds": ["9"]}],
        }
    )
    assert got == [
        ("1", "stages[0].requisiteStageRefIds[0]", "names no stage: there is no stage with refId '9'")
    ]


def test_cycle() -> None:
    got = issues(
        {
            "name": "p",
            "application": "a",
            "stages": [
                {"refId": "1", "type": "wait", "requisiteStageRefIds": ["3"]},
                {"refId": "2", "type": "wait", "requisiteStageRefIds": ["1"]},
                {"refId": "3", "type": "wait", "requisiteStageRefIds": ["2"]},
            ],
        }
    )
    assert len(got) == 1 and got[0][1].endswith("requisiteStageRefIds") and "cycle" in got[0][2]


def test_unknown_stage_type_and_missing_type() -> None:
    got = issues(
        {"name": "p", "application": "a", "stages": [{"refId": "1", "type": "deploy"}]}, known={"wait"}
    )
    assert got == [("1", "stages[0].type", "unknown stage type 'deploy'")]
    got = issues({"name": "p", "application": "a", "stages": [{"refId": "x"}]}, known={"wait"})
    assert got == [("x", "stages[0].type", "is required")]


def test_numeric_ref_ids_are_accepted_as_strings() -> None:
    config = parse_pipeline_config(
        {
            "name": "p",
            "application": "a",
            "stages": [{"refId": 1, "type": "w"}, {"refId": 2, "type": "w", "requisiteStageRefIds": [1]}],
        }
    )
    assert config.stages[1].requisite_stage_ref_ids == ["1"]
