"""Simulated application traffic of a pod: request, error and latency counters as functions of time.

Who calls it: :mod:`gennaker.sandbox.appmetrics.registry` (which finds the running pods and caches one
:class:`PodSeries` per pod run) for the ``/metrics`` exposition and the JSON range API.

A pod's :class:`Shape` comes from its annotations (``sandbox.gennaker.io/metrics-rps``,
``-error-rate``, ``-latency-ms``, ``-latency-sigma``, ``-seed``) with the simulation's defaults. Its
traffic is generated second by second from its start: in second ``k`` the rate is ``rps`` times a
log-normal wobble (10 %), the requests are Poisson, the errors binomial with ``error_rate``, and the
latencies log-normal with mean ``latency-ms`` and shape ``sigma``, counted into Prometheus' default
buckets (5 ms ... 10 s) and summed. The draws of each block of 60 seconds come from a generator seeded
with ``(seed, block)``, so a counter's value at time ``t`` depends only on the shape, the start time and
``t``: two scrapes, a Prometheus and the range API all see the same series, and a test can recompute it.
Counters start at zero when the container (re)starts, as a real process' counters do.
Nothing persists (series are recomputed on demand; completed blocks are cached in memory).
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..simulation import PREFIX, SimulationSettings, annotation_float

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BLOCK = 60
# Layout of a totals vector: requests, errors, latency sum (seconds), then one count per finite bucket
# (non-cumulative: requests with le[i-1] < latency <= le[i]).
REQUESTS, ERRORS, LATENCY_SUM, FIRST_BUCKET = 0, 1, 2, 3
WIDTH = FIRST_BUCKET + len(BUCKETS)


@dataclass(frozen=True)
class Shape:
    """How a pod's simulated traffic looks."""

    rps: float
    error_rate: float
    latency_mean: float  # seconds
    sigma: float
    seed: int

    @classmethod
    def of_pod(cls, pod: Mapping[str, Any], settings: SimulationSettings) -> Shape:
        m = pod.get("metadata") or {}
        annotations = m.get("annotations") or {}
        raw_seed = annotations.get(PREFIX + "metrics-seed")
        basis = f"seed:{raw_seed}" if raw_seed is not None else f"pod:{m.get('namespace')}/{m.get('name')}"
        seed = int.from_bytes(hashlib.sha256(basis.encode()).digest()[:8], "big")
        return cls(
            rps=annotation_float(annotations, "metrics-rps", settings.metrics_rps),
            error_rate=min(
                1.0, annotation_float(annotations, "metrics-error-rate", settings.metrics_error_rate)
            ),
            latency_mean=max(
                1e-6, annotation_float(annotations, "metrics-latency-ms", settings.metrics_latency_ms)
            )
            / 1000.0,
            sigma=max(
                1e-3, annotation_float(annotations, "metrics-latency-sigma", settings.metrics_latency_sigma)
            ),
            seed=seed,
        )

    def bucket_probabilities(self) -> np.ndarray:
        """P(latency in each finite bucket), then P(> 10 s), for the log-normal with this mean."""
        mu = math.log(self.latency_mean) - self.sigma**2 / 2
        cdf = [0.5 * (1 + math.erf((math.log(b) - mu) / (self.sigma * math.sqrt(2)))) for b in BUCKETS]
        probs = np.diff(np.array([0.0, *cdf, 1.0]))
        return np.clip(probs, 0.0, 1.0) / max(float(np.clip(probs, 0.0, 1.0).sum()), 1e-12)


class PodSeries:
    """Cumulative counters of one container run (started at ``start``), at any time."""

    def __init__(self, shape: Shape, start: float) -> None:
        self.shape = shape
        self.start = float(math.floor(start))
        self._probs = shape.bucket_probabilities()
        self._prefix: list[np.ndarray] = [np.zeros(WIDTH)]  # totals before block i
        self._last: tuple[int, np.ndarray] | None = None  # (block, per-second cumulative totals)
        self._lock = threading.Lock()  # scrapes and range queries come from several HTTP threads

    def _block(self, b: int) -> np.ndarray:
        """Per-second cumulative totals inside block ``b`` (shape BLOCK x WIDTH)."""
        if self._last is not None and self._last[0] == b:
            return self._last[1]
        rng = np.random.Generator(np.random.PCG64([self.shape.seed, b]))
        rates = self.shape.rps * np.exp(rng.normal(0.0, 0.1, BLOCK))
        requests = rng.poisson(rates)
        errors = rng.binomial(requests, self.shape.error_rate)
        counts = rng.multinomial(requests, self._probs)  # BLOCK x (len(BUCKETS) + 1)
        sd = self.shape.latency_mean * math.sqrt(math.exp(self.shape.sigma**2) - 1)
        sums = requests * self.shape.latency_mean + rng.normal(0.0, 1.0, BLOCK) * sd * np.sqrt(requests)
        per_second = np.zeros((BLOCK, WIDTH))
        per_second[:, REQUESTS] = requests
        per_second[:, ERRORS] = errors
        per_second[:, LATENCY_SUM] = np.maximum(sums, 0.0)
        per_second[:, FIRST_BUCKET:] = counts[:, : len(BUCKETS)]
        cumulative = np.cumsum(per_second, axis=0)
        self._last = (b, cumulative)
        return cumulative

    def at(self, t: float) -> np.ndarray | None:
        """Totals over the whole seconds elapsed since the start (None before the start)."""
        if t < self.start:
            return None
        with self._lock:
            return self._at(int(t - self.start))

    def _at(self, seconds: int) -> np.ndarray:
        block, within = divmod(seconds, BLOCK)
        while len(self._prefix) <= block:
            i = len(self._prefix) - 1
            self._prefix.append(self._prefix[i] + self._block(i)[-1])
        totals = self._prefix[block].copy()
        if within:
            totals += self._block(block)[within - 1]
        return totals


def quantile(q: float, bucket_counts: np.ndarray, total: float) -> float | None:
    """``histogram_quantile`` over non-cumulative finite bucket counts (linear within a bucket)."""
    if total <= 0:
        return None
    rank = q * total
    cumulative = 0.0
    lower = 0.0
    for upper, count in zip(BUCKETS, bucket_counts, strict=True):
        if cumulative + count >= rank and count > 0:
            return lower + (upper - lower) * (rank - cumulative) / count
        cumulative += count
        lower = upper
    return BUCKETS[-1]
