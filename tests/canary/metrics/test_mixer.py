"""Kayenta's MetricSetMixerServiceSpec, replayed, plus NaN padding and label-mismatch pairing (#738)."""

from __future__ import annotations

import math
from itertools import count
from typing import Any

import pytest

from gennaker.canary.errors import MetricDataError
from gennaker.canary.metrics.mixer import mix_all, mix_one
from gennaker.canary.metrics.model import MetricSet, MetricSetPair


def ms(
    name: str | None, values: list[float] | None = None, tags: dict[str, str] | None = None, **kw: Any
) -> MetricSet:
    return MetricSet.model_validate({"name": name, "values": values or [], "tags": tags or {}, **kw})


CONTROL_CPU = ms("cpu", [1, 3, 5, 7], {"tagName": "tagValue"}, attributes={"attributeName": "attributeValue"})
EXPERIMENT_CPU = ms(
    "cpu", [2, 4, 6, 8], {"tagName": "tagValue"}, attributes={"attributeName": "attributeValue"}
)
EXPERIMENT_REQUESTS = ms("requests")
EXPERIMENT_CPU_WRONG_TAGS = ms("cpu", tags={"differentTagName": "differentTagValue"})
CONTROL_NULL_NAME = ms(None, [1, 3, 5, 7], {"tagName": "tagValue"})
CONTROL_EMPTY_NAME = ms("", [1, 3, 5, 7], {"tagName": "tagValue"})
EXPERIMENT_CPU_EMPTY = ms("cpu", [], {"tagName": "tagValue"})
CONTROL_ERRORS = ms("errors", [10, 20, 30], {"tagNameA": "tagValueA", "tagNameB": "tagValueB"})
EXPERIMENT_ERRORS = ms("errors", [60, 70, 80], {"tagNameA": "tagValueA", "tagNameB": "tagValueB"})
EXPERIMENT_ERRORS_NO_TAGS = ms("errors", [70, 80, 90])


def test_control_name_must_be_set() -> None:
    with pytest.raises(MetricDataError, match="Control metric set name was not set"):
        mix_one(ms(None, tags={"tagKeyA": "tagValueA"}), ms("metric1", tags={"tagKeyB": "tagValueA"}))


def test_experiment_name_must_be_set() -> None:
    with pytest.raises(MetricDataError, match="Experiment metric set name was not set"):
        mix_one(ms("metric1", tags={"tagKeyA": "tagValueA"}), ms(None, tags={"tagKeyB": "tagValueA"}))


def test_inconsistent_names() -> None:
    with pytest.raises(MetricDataError, match="does not match experiment metric set name"):
        mix_one(ms("metric1", tags={"tagKeyA": "tagValueA"}), ms("metric2", tags={"tagKeyB": "tagValueA"}))


def test_inconsistent_tag_keys() -> None:
    with pytest.raises(MetricDataError, match="different tag keys"):
        mix_all(["metric1"], [ms("metric1", tags={"tagKeyA": "a"})], [ms("metric1", tags={"tagKeyB": "a"})])


def test_missing_control_metrics() -> None:
    with pytest.raises(MetricDataError, match="No control metrics found"):
        mix_all(["metric1"], [], [ms("metric1", tags={"tagKeyA": "a"})])


def test_missing_experiment_metrics() -> None:
    with pytest.raises(MetricDataError, match="No experiment metrics found"):
        mix_all(["metric1"], [ms("metric1", tags={"tagKeyA": "a"})], [])


def test_mixing_succeeds_when_names_tags_and_lengths_match() -> None:
    pair = mix_one(CONTROL_CPU, EXPERIMENT_CPU)
    assert pair.name == "cpu"
    assert pair.values == {"control": [1, 3, 5, 7], "experiment": [2, 4, 6, 8]}
    assert pair.tags == {"tagName": "tagValue"}
    assert pair.attributes == {
        "control": {"attributeName": "attributeValue"},
        "experiment": {"attributeName": "attributeValue"},
    }


def test_mixing_produces_an_id() -> None:
    assert mix_one(CONTROL_CPU, EXPERIMENT_CPU).id


def test_no_data_is_back_filled_with_nans_to_the_expected_length() -> None:
    timed = {"startTimeMillis": 0, "endTimeMillis": 60000 * 4, "stepMillis": 60000}
    pair = mix_one(
        ms("cpu", [], {"tagName": "tagValue"}, **timed), ms("cpu", [], {"tagName": "tagValue"}, **timed)
    )
    assert len(pair.values["control"]) == 4
    assert all(math.isnan(v) for v in pair.values["control"] + pair.values["experiment"])


@pytest.mark.parametrize(
    ("control", "experiment"),
    [
        (CONTROL_CPU, EXPERIMENT_REQUESTS),
        (CONTROL_CPU, EXPERIMENT_CPU_WRONG_TAGS),
        (CONTROL_NULL_NAME, EXPERIMENT_CPU),
        (CONTROL_EMPTY_NAME, EXPERIMENT_CPU),
    ],
)
def test_mixing_fails(control: MetricSet, experiment: MetricSet) -> None:
    with pytest.raises(MetricDataError):
        mix_one(control, experiment)


def summary(pairs: list[MetricSetPair]) -> list[tuple[str, dict[str, str], dict[str, list[float]]]]:
    return [(p.name, p.tags, p.values) for p in pairs]


@pytest.mark.parametrize(
    ("names", "controls", "experiments", "expected"),
    [
        pytest.param(["cpu"], [CONTROL_CPU], [EXPERIMENT_CPU_EMPTY],
                     [("cpu", CONTROL_CPU.tags, {"control": [1, 3, 5, 7], "experiment": []})], id="1:1"),
        pytest.param(["errors"], [CONTROL_ERRORS], [EXPERIMENT_ERRORS],
                     [("errors", CONTROL_ERRORS.tags, {"control": [10, 20, 30], "experiment": [60, 70, 80]})],
                     id="1:1 two tags"),
        pytest.param(["errors"], [CONTROL_ERRORS], [EXPERIMENT_ERRORS_NO_TAGS],
                     [("errors", CONTROL_ERRORS.tags, {"control": [10, 20, 30], "experiment": []})],
                     id="untagged experiment is a placeholder"),
        pytest.param(["errors"], [EXPERIMENT_ERRORS_NO_TAGS], [CONTROL_ERRORS],
                     [("errors", CONTROL_ERRORS.tags, {"control": [], "experiment": [10, 20, 30]})],
                     id="untagged control is a placeholder"),
        pytest.param(["cpu", "errors"], [CONTROL_CPU, CONTROL_ERRORS],
                     [EXPERIMENT_CPU_EMPTY, EXPERIMENT_ERRORS],
                     [("cpu", CONTROL_CPU.tags, {"control": [1, 3, 5, 7], "experiment": []}),
                      ("errors", CONTROL_ERRORS.tags, {"control": [10, 20, 30], "experiment": [60, 70, 80]})],
                     id="2:2"),
        pytest.param(["cpu", "errors"], [CONTROL_ERRORS, CONTROL_CPU],
                     [EXPERIMENT_CPU_EMPTY, EXPERIMENT_ERRORS],
                     [("cpu", CONTROL_CPU.tags, {"control": [1, 3, 5, 7], "experiment": []}),
                      ("errors", CONTROL_ERRORS.tags, {"control": [10, 20, 30], "experiment": [60, 70, 80]})],
                     id="2:2 control order"),
        pytest.param(["cpu", "errors"], [CONTROL_CPU, CONTROL_ERRORS], [EXPERIMENT_ERRORS, EXPERIMENT_CPU],
                     [("cpu", CONTROL_CPU.tags, {"control": [1, 3, 5, 7], "experiment": [2, 4, 6, 8]}),
                      ("errors", CONTROL_ERRORS.tags, {"control": [10, 20, 30], "experiment": [60, 70, 80]})],
                     id="2:2 experiment order"),
    ],
)  # fmt: skip
def test_lists_of_metric_sets_are_paired(
    names: list[str], controls: list[MetricSet], experiments: list[MetricSet], expected: list[Any]
) -> None:
    pairs = mix_all(names, controls, experiments)
    assert len(pairs) == max(len(controls), len(experiments))
    assert summary(pairs) == expected


def test_series_whose_labels_differ_are_each_judged_against_nans() -> None:
    timed = {"startTimeMillis": 0, "endTimeMillis": 180000, "stepMillis": 60000}
    control = ms("rps", [1, 2, 3], {"pod": "web", "controller": "baseline"}, **timed)
    experiment = ms("rps", [4, 5, 6], {"pod": "web", "controller": "canary"}, **timed)
    pairs = mix_all(["rps"], [control], [experiment])
    assert [p.tags["controller"] for p in pairs] == ["baseline", "canary"]
    assert pairs[0].values["control"] == [1, 2, 3]
    assert (
        all(math.isnan(v) for v in pairs[0].values["experiment"]) and len(pairs[0].values["experiment"]) == 3
    )
    assert all(math.isnan(v) for v in pairs[1].values["control"]) and pairs[1].values["experiment"] == [
        4,
        5,
        6,
    ]


def test_a_short_side_is_padded_to_the_expected_length() -> None:
    timed = {"startTimeMillis": 0, "endTimeMillis": 300000, "stepMillis": 60000}
    pair = mix_one(ms("m", [1, 2], **timed), ms("m", [1, 2, 3, 4, 5], **timed))
    assert pair.values["control"][:2] == [1, 2] and len(pair.values["control"]) == 5
    assert pair.values["experiment"] == [1, 2, 3, 4, 5]


def test_ids_come_from_the_given_factory() -> None:
    ids = (f"id-{n}" for n in count())
    pairs = mix_all(["cpu", "errors"], [CONTROL_CPU, CONTROL_ERRORS], [EXPERIMENT_CPU, EXPERIMENT_ERRORS],
                    new_id=lambda: next(ids))  # fmt: skip
    assert [p.id for p in pairs] == ["id-0", "id-1"]


def test_pair_scopes_carry_each_sides_start_and_step() -> None:
    control = ms("m", [1.0], startTimeMillis=1000, startTimeIso="1970-01-01T00:00:01Z", stepMillis=60000,
                 endTimeMillis=61000)  # fmt: skip
    pair = mix_one(control, ms("m", [2.0]))
    assert pair.to_json()["scopes"]["control"] == {
        "startTimeIso": "1970-01-01T00:00:01Z", "startTimeMillis": 1000, "stepMillis": 60000,
    }  # fmt: skip
