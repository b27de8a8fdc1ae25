"""Metric data as Kayenta exchanges it: ``MetricSet`` (one series from one side) and ``MetricSetPair``.

Who uses it: metric sources produce :class:`MetricSet` lists (one per series);
:mod:`gennaker.canary.metrics.mixer` pairs control and experiment sets into :class:`MetricSetPair`; the judge
and the ``RemoteJudge-v1.0`` request read
pairs. The JSON shapes are Kayenta's:

* MetricSet: ``{name, tags, values, startTimeMillis, startTimeIso, endTimeMillis, endTimeIso, stepMillis,
  attributes}``;
* MetricSetPair: ``{name, id, tags, values: {control: [...], experiment: [...]}, scopes: {control:
  {startTimeIso, startTimeMillis, stepMillis}, experiment: {...}}, attributes: {control: {...}, experiment:
  {...}}}``.

Numbers: Kayenta (Jackson) writes NaN and infinities as the strings ``"NaN"``, ``"Infinity"``,
``"-Infinity"``; those, Prometheus' ``"+Inf"``/``"-Inf"``, numeric strings and ``null`` (as NaN) are all
accepted, and values are written back the way Kayenta writes them so a Kayenta peer can read them. Unknown
keys are kept.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

_SPECIAL = {
    "nan": math.nan,
    "infinity": math.inf,
    "+infinity": math.inf,
    "inf": math.inf,
    "+inf": math.inf,
    "-infinity": -math.inf,
    "-inf": -math.inf,
}


def parse_json_double(value: Any) -> float:
    """A double from Kayenta/Prometheus JSON: a number, ``"NaN"``, ``"±Inf"``/``"±Infinity"``, a numeric
    string or null (NaN)."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        special = _SPECIAL.get(value.strip().lower())
        if special is not None:
            return special
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"expected a number, got {value!r}") from None
    raise ValueError(f"expected a number, got {value!r}")


def json_double(value: float) -> float | str:
    """A double as Jackson writes it: finite numbers as numbers, NaN and infinities as strings."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


JsonDouble = Annotated[
    float,
    BeforeValidator(parse_json_double),
    PlainSerializer(json_double, return_type=Any, when_used="json"),
]


class MetricSet(BaseModel):
    """One time series of one metric for one side (control or experiment)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    name: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    values: list[JsonDouble] = Field(default_factory=list)
    start_time_millis: int = Field(default=0, alias="startTimeMillis")
    start_time_iso: str | None = Field(default=None, alias="startTimeIso")
    end_time_millis: int = Field(default=0, alias="endTimeMillis")
    end_time_iso: str | None = Field(default=None, alias="endTimeIso")
    step_millis: int = Field(default=0, alias="stepMillis")
    attributes: dict[str, str] | None = None

    def expected_data_points(self) -> int:
        """How many points the time range should hold: ``(end - start) / step``, 0 when the step is
        unknown."""
        if self.step_millis <= 0:
            return 0
        return max(0, (self.end_time_millis - self.start_time_millis) // self.step_millis)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json", exclude_none=True)


class MetricSetScope(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    start_time_iso: str | None = Field(default=None, alias="startTimeIso")
    start_time_millis: int | None = Field(default=None, alias="startTimeMillis")
    step_millis: int | None = Field(default=None, alias="stepMillis")


class MetricSetPair(BaseModel):
    """The control and experiment values of one metric series (one tag set)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    name: str
    id: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    values: dict[str, list[JsonDouble]] = Field(default_factory=dict)
    scopes: dict[str, MetricSetScope] = Field(default_factory=dict)
    attributes: dict[str, dict[str, str]] = Field(default_factory=dict)

    @property
    def control(self) -> list[float]:
        return self.values.get("control", [])

    @property
    def experiment(self) -> list[float]:
        return self.values.get("experiment", [])

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json", exclude_none=True)
