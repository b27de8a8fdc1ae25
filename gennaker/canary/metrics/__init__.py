"""Metric data and metric sources: ``MetricSet``/``MetricSetPair`` (:mod:`.model`), Kayenta's pairing rules
(:mod:`.mixer`), template expansion for custom filters (:mod:`.templates`), the metric-source registry
(:mod:`.registry`) and the Prometheus source (:mod:`.prometheus`).
"""
