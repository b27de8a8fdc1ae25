"""The ``query`` block of a canary metric: one typed model per metric source ``type``, and their registry.

Who uses it: :mod:`gennaker.canary.config` parses every metric's ``query`` through :func:`parse_query_config`;
metric sources (:mod:`gennaker.canary.metrics`) read the typed fields to build their queries.

Kayenta serialises the query polymorphically on ``"type"`` (and repeats the value in ``"serviceType"``).
The models here keep that shape:

* ``prometheus`` is complete (``resourceType``, ``metricName``, ``labelBindings``, ``groupByFields``);
* ``datadog`` (``metricName``), ``http`` — Gennaker's generic HTTP/JSON source, see
  :class:`HttpJsonQueryConfig` — and ``sandbox`` (the sandbox cluster's simulated pod metrics) are fetchable
  too;
* Kayenta's other types (atlas, graphite, influxdb, newrelic, signalfx, stackdriver, wavefront) are accepted
  with their documented fields so that configs written for Kayenta load and round-trip, even though Gennaker
  cannot fetch them yet.

Every model keeps unknown keys (``extra="allow"``) so a config written by a newer Kayenta or UI survives a
save. Shared fields: ``customInlineTemplate``, ``customFilterTemplate`` (a key of the config's ``templates``)
and the deprecated ``customFilter``, which is parsed only so that validation can reject it with a clear
message.

To add a source type, subclass :class:`CanaryMetricSetQueryConfig` with a ``type: Literal["name"]`` field and
call :func:`register_query_type` (the built-ins below do exactly that).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from gennaker.canary.errors import UnknownMetricSourceError


class CanaryMetricSetQueryConfig(BaseModel):
    """Fields every query type shares."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    #: Set on each subclass: the ``type`` value it handles.
    type_name: ClassVar[str] = ""

    type: str
    service_type: str | None = Field(default=None, alias="serviceType")
    custom_inline_template: str | None = Field(default=None, alias="customInlineTemplate")
    custom_filter_template: str | None = Field(default=None, alias="customFilterTemplate")
    custom_filter: str | None = Field(default=None, alias="customFilter")

    def model_post_init(self, context: Any, /) -> None:
        # ``type`` is the discriminator: always written back, even when the model was built in code.
        self.__pydantic_fields_set__.add("type")


class PrometheusQueryConfig(CanaryMetricSetQueryConfig):
    type_name: ClassVar[str] = "prometheus"
    type: Literal["prometheus"] = "prometheus"
    resource_type: str | None = Field(default=None, alias="resourceType")
    metric_name: str | None = Field(default=None, alias="metricName")
    label_bindings: list[str] | None = Field(default=None, alias="labelBindings")
    group_by_fields: list[str] | None = Field(default=None, alias="groupByFields")


class DatadogQueryConfig(CanaryMetricSetQueryConfig):
    type_name: ClassVar[str] = "datadog"
    type: Literal["datadog"] = "datadog"
    metric_name: str | None = Field(default=None, alias="metricName")


class HttpJsonQueryConfig(CanaryMetricSetQueryConfig):
    """Gennaker's generic HTTP/JSON metric source (not a Kayenta type); see
    :mod:`gennaker.canary.metrics.http_json` for the variables and the extraction rules.

    ``urlTemplate`` (path and query, relative to the account's ``baseUrl``) and ``bodyTemplate`` (JSON, for
    POST) are expanded like custom filter templates plus time variables. In the JSON answer, ``seriesPath``
    selects the list of series (empty: the document itself); in each series ``valuesField`` holds the points
    (numbers, ``[timestamp, value]`` pairs, or objects with ``timestampField``/``valueField``) and
    ``tagsField`` an object of labels.
    """

    type_name: ClassVar[str] = "http"
    type: Literal["http"] = "http"
    metric_name: str | None = Field(default=None, alias="metricName")
    url_template: str | None = Field(default=None, alias="urlTemplate")
    method: Literal["GET", "POST"] = "GET"
    body_template: str | None = Field(default=None, alias="bodyTemplate")
    series_path: str = Field(default="", alias="seriesPath")
    values_field: str = Field(default="values", alias="valuesField")
    tags_field: str = Field(default="tags", alias="tagsField")
    timestamp_field: str = Field(default="timestamp", alias="timestampField")
    value_field: str = Field(default="value", alias="valueField")
    timestamp_unit: Literal["s", "ms"] = Field(default="s", alias="timestampUnit")


class SandboxQueryConfig(CanaryMetricSetQueryConfig):
    """Gennaker's ``sandbox`` source: series computed from the sandbox cluster's simulated pod metrics (see
    :mod:`gennaker.canary.metrics.sandbox`). ``metric`` is ``requestRate``, ``errorRate``, ``latency`` or
    ``gauge`` (then ``metricName`` names the gauge); ``labels`` restricts the pods by label."""

    type_name: ClassVar[str] = "sandbox"
    type: Literal["sandbox"] = "sandbox"
    metric: Literal["requestRate", "errorRate", "latency", "gauge"] = "errorRate"
    metric_name: str | None = Field(default=None, alias="metricName")
    labels: dict[str, str] = Field(default_factory=dict)


class AtlasQueryConfig(CanaryMetricSetQueryConfig):
    type_name: ClassVar[str] = "atlas"
    type: Literal["atlas"] = "atlas"
    q: str | None = None


class GraphiteQueryConfig(CanaryMetricSetQueryConfig):
    type_name: ClassVar[str] = "graphite"
    type: Literal["graphite"] = "graphite"
    metric_name: str | None = Field(default=None, alias="metricName")


class InfluxdbQueryConfig(CanaryMetricSetQueryConfig):
    type_name: ClassVar[str] = "influxdb"
    type: Literal["influxdb"] = "influxdb"
    metric_name: str | None = Field(default=None, alias="metricName")
    fields: list[str] | None = None


class NewRelicQueryConfig(CanaryMetricSetQueryConfig):
    type_name: ClassVar[str] = "newrelic"
    type: Literal["newrelic"] = "newrelic"
    q: str | None = None
    select: str | None = None


class SignalFxQueryConfig(CanaryMetricSetQueryConfig):
    type_name: ClassVar[str] = "signalfx"
    type: Literal["signalfx"] = "signalfx"
    metric_name: str | None = Field(default=None, alias="metricName")
    query_pairs: list[dict[str, Any]] | None = Field(default=None, alias="queryPairs")
    aggregation_method: str | None = Field(default=None, alias="aggregationMethod")


class StackdriverQueryConfig(CanaryMetricSetQueryConfig):
    type_name: ClassVar[str] = "stackdriver"
    type: Literal["stackdriver"] = "stackdriver"
    resource_type: str | None = Field(default=None, alias="resourceType")
    metric_type: str | None = Field(default=None, alias="metricType")
    cross_series_reducer: str | None = Field(default=None, alias="crossSeriesReducer")
    per_series_aligner: str | None = Field(default=None, alias="perSeriesAligner")
    group_by_fields: list[str] | None = Field(default=None, alias="groupByFields")


class WavefrontQueryConfig(CanaryMetricSetQueryConfig):
    type_name: ClassVar[str] = "wavefront"
    type: Literal["wavefront"] = "wavefront"
    metric_name: str | None = Field(default=None, alias="metricName")
    summarization: str | None = None
    aggregate: str | None = None


_QUERY_TYPES: dict[str, type[CanaryMetricSetQueryConfig]] = {}


def register_query_type(model: type[CanaryMetricSetQueryConfig]) -> type[CanaryMetricSetQueryConfig]:
    """Make ``model`` the parser of queries whose ``type`` is ``model.type_name``. Usable as a decorator."""
    name = model.type_name
    if not name:
        raise ValueError(f"{model.__name__} must set type_name")
    existing = _QUERY_TYPES.get(name)
    if existing is not None and existing is not model:
        raise ValueError(f"query type {name!r} is already registered by {existing.__name__}")
    _QUERY_TYPES[name] = model
    return model


def query_type_names() -> list[str]:
    return sorted(_QUERY_TYPES)


def query_model_for(type_name: str) -> type[CanaryMetricSetQueryConfig]:
    model = _QUERY_TYPES.get(type_name)
    if model is None:
        known = ", ".join(query_type_names())
        raise UnknownMetricSourceError(f"unknown metric source type {type_name!r} (known types: {known})")
    return model


def parse_query_config(raw: Any) -> CanaryMetricSetQueryConfig:
    """The typed model of one ``query`` object, chosen by its ``type``. Raises
    ``UnknownMetricSourceError``."""
    if isinstance(raw, CanaryMetricSetQueryConfig):
        return raw
    if not isinstance(raw, dict):
        raise ValueError("query must be an object with a 'type'")
    type_name = raw.get("type")
    if not isinstance(type_name, str) or not type_name:
        raise ValueError("query.type is required (e.g. 'prometheus')")
    return query_model_for(type_name).model_validate(raw)


for _model in (
    PrometheusQueryConfig,
    DatadogQueryConfig,
    HttpJsonQueryConfig,
    SandboxQueryConfig,
    AtlasQueryConfig,
    GraphiteQueryConfig,
    InfluxdbQueryConfig,
    NewRelicQueryConfig,
    SignalFxQueryConfig,
    StackdriverQueryConfig,
    WavefrontQueryConfig,
):
    register_query_type(_model)
