"""MetricSet / MetricSetPair JSON: Kayenta's NaN strings, Prometheus' infinities, unknown keys kept."""

from __future__ import annotations

import json
import math

import pytest
from pydantic import ValidationError

from gennaker.canary.metrics.model import MetricSet, MetricSetPair, json_double, parse_json_double


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(1, 1.0), (2.5, 2.5), ("3.25", 3.25), ("+Inf", math.inf), ("-Inf", -math.inf), ("Infinity", math.inf),
     ("-Infinity", -math.inf), ("1e-3", 0.001)],
)  # fmt: skip
def test_json_doubles(raw: object, expected: float) -> None:
    assert parse_json_double(raw) == expected


@pytest.mark.parametrize("raw", ["NaN", "nan", None])
def test_nan_spellings(raw: object) -> None:
    assert math.isnan(parse_json_double(raw))


@pytest.mark.parametrize("raw", ["lots", True, [1]])
def test_not_a_number(raw: object) -> None:
    with pytest.raises(ValueError, match="expected a number"):
        parse_json_double(raw)


def test_doubles_are_written_as_jackson_writes_them() -> None:
    assert [json_double(v) for v in (1.5, math.nan, math.inf, -math.inf)] == [
        1.5,
        "NaN",
        "Infinity",
        "-Infinity",
    ]


def test_pair_json_is_strict_json_and_round_trips() -> None:
    pair = MetricSetPair.model_validate(
        {"name": "m", "values": {"control": [1, "NaN"], "experiment": ["+Inf"]}, "futureField": {"x": 1}}
    )
    document = pair.to_json()
    text = json.dumps(document, allow_nan=False)
    assert document["values"] == {"control": [1.0, "NaN"], "experiment": ["Infinity"]}
    assert document["futureField"] == {"x": 1}
    again = MetricSetPair.model_validate(json.loads(text))
    assert math.isnan(again.control[1]) and again.experiment == [math.inf]


def test_expected_data_points() -> None:
    assert MetricSet(startTimeMillis=0, endTimeMillis=600_000, stepMillis=60_000).expected_data_points() == 10
    assert MetricSet().expected_data_points() == 0


def test_bad_value_names_its_position() -> None:
    with pytest.raises(ValidationError, match=r"values\.2"):
        MetricSet.model_validate({"name": "m", "values": [1, 2, "x"]})
