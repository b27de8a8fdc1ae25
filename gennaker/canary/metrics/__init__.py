"""Metric data and metric sources: ``MetricSet``/``MetricSetPair`` (:mod:`.model`), Kayenta's pairing rules
(:mod:`.mixer`), template expansion for custom filters (:mod:`.templates`), the metric-source registry
(:mod:`.registry`) and the sources: :mod:`.prometheus`, :mod:`.datadog`, :mod:`.http_json` and
:mod:`.sandbox` (with :mod:`.exposition`, a reader of Prometheus' text format).
"""
