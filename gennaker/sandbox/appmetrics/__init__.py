"""Simulated application metrics: request/error counters and a latency histogram per running pod.

``model`` generates a pod's traffic deterministically from its annotations and start time; ``registry``
(:class:`AppMetrics`, ``cluster.metrics``) finds running pods, renders the Prometheus exposition and answers
range queries; ``routes`` serves ``GET /metrics`` and ``GET /_sandbox/metrics/query_range``.
"""
