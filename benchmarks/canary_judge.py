"""Benchmark: one full NetflixACAJudge-v1.0 judgement of 100 metrics x 1,000 points per side (target < 1 s).

Run: ``.venv/bin/python benchmarks/canary_judge.py [--metrics 100] [--points 1000] [--repeats 5]``

What is measured: ``NetflixACAJudge.judge`` on already-parsed metric set pairs (pre-processing, statistics,
the rank-sum interval and estimate for every metric, scoring). The metrics mix continuous latencies, integer
counts (many ties), zero-heavy error rates and a few shifted ones, with NaN gaps, so the root finder and the
tie correction are exercised as in production. It also times the naive approach (re-ranking the pooled sample
at every root-finder step) on a few metrics and prints the speed-up, and checks both give the same interval.

Prints figures measured in this run; it never passes or fails on time.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np

from gennaker.canary.config import ScoreThresholds, parse_canary_config
from gennaker.canary.judge.mannwhitney import mann_whitney
from gennaker.canary.judge.netflix_aca import NetflixACAJudge
from gennaker.canary.judge.zeroin import zeroin
from gennaker.canary.metrics.model import MetricSetPair


def make_pairs(metrics: int, points: int, seed: int) -> tuple[list[MetricSetPair], dict[str, object]]:
    rng = np.random.default_rng(seed)
    pairs: list[MetricSetPair] = []
    metric_configs = []
    for i in range(metrics):
        kind = i % 4
        if kind == 0:  # latency, continuous
            control = rng.lognormal(3.0, 0.3, points)
            experiment = rng.lognormal(3.0 + (0.05 if i % 10 == 0 else 0.0), 0.3, points)
        elif kind == 1:  # request counts, integers: many ties
            control = rng.poisson(40, points).astype(float)
            experiment = rng.poisson(40 if i % 7 else 44, points).astype(float)
        elif kind == 2:  # error rate, mostly zeros
            control = np.where(rng.random(points) < 0.9, 0.0, rng.random(points))
            experiment = np.where(rng.random(points) < 0.85, 0.0, rng.random(points))
        else:  # cpu, continuous with NaN gaps
            control = rng.normal(0.6, 0.05, points)
            experiment = rng.normal(0.6, 0.05, points)
            control[rng.random(points) < 0.02] = math.nan
        name = f"metric-{i:03d}"
        pairs.append(
            MetricSetPair(
                name=name, values={"control": control.tolist(), "experiment": experiment.tolist()}, id=str(i)
            )
        )
        metric_configs.append(
            {
                "name": name,
                "query": {"type": "prometheus", "metricName": name},
                "groups": [f"group-{i % 5}"],
                "scopeName": "default",
                "analysisConfigurations": {"canary": {"direction": "either"}},
            }
        )
    return pairs, {"name": "bench", "metrics": metric_configs}


def naive_interval(x: list[float], y: list[float], confidence: float) -> tuple[float, float, float]:
    """Kayenta's algorithm the slow way: sort and rank the pooled sample at every root-finder step."""
    nx, ny = float(len(x)), float(len(y))

    def f(d: float, q: float) -> float:
        pooled = np.concatenate((np.asarray(x) - d, np.asarray(y)))
        order = np.argsort(pooled, kind="stable")
        ranks = np.empty(len(pooled))
        sorted_values = pooled[order]
        i = 0
        ties = 0.0
        while i < len(pooled):
            j = i
            while j + 1 < len(pooled) and sorted_values[j + 1] == sorted_values[i]:
                j += 1
            ranks[order[i : j + 1]] = (i + j + 2) / 2.0
            t = j - i + 1
            ties += t**3 - t
            i = j + 1
        dz = ranks[: len(x)].sum() - nx * (nx + 1) / 2 - nx * ny / 2
        c = 0.0 if dz == 0 else math.copysign(0.5, dz)
        sigma = math.sqrt((nx * ny / 12) * ((nx + ny + 1) - ties / ((nx + ny) * (nx + ny - 1))))
        return (dz - c) / sigma - q

    mu_min, mu_max = min(x) - max(y), max(x) - min(y)
    z = statistics.NormalDist().inv_cdf((1.0 - confidence) / 2)

    def root(q: float) -> float:
        lower, upper = f(mu_min, q), f(mu_max, q)
        if lower <= 0:
            return mu_min
        if upper >= 0:
            return mu_max
        return zeroin(mu_min, mu_max, lower, upper, lambda d: f(d, q))

    return root(-z), root(z), zeroin(mu_min, mu_max, f(mu_min, 0), f(mu_max, 0), lambda d: f(d, 0.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", type=int, default=100)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--naive-metrics", type=int, default=4)
    args = parser.parse_args()

    pairs, raw_config = make_pairs(args.metrics, args.points, seed=2024)
    config = parse_canary_config(raw_config)
    thresholds = ScoreThresholds.model_validate({"pass": 95, "marginal": 75})
    judge = NetflixACAJudge(rng=np.random.default_rng(0))

    judge.judge(config, thresholds, pairs)  # warm-up (imports, numpy dispatch)
    timings = []
    result = None
    for _ in range(args.repeats):
        started = time.perf_counter()
        result = judge.judge(config, thresholds, pairs)
        timings.append(time.perf_counter() - started)
    assert result is not None
    labels: dict[str, int] = {}
    for r in result.results:
        labels[r.classification] = labels.get(r.classification, 0) + 1

    print(f"judgement of {args.metrics} metrics x {args.points} points per side, {args.repeats} runs:")
    print(f"  best   {min(timings):.3f} s per judgement")
    print(f"  median {statistics.median(timings):.3f} s per judgement")
    print(f"  {args.metrics / statistics.median(timings):.0f} metrics per second")
    print(f"  score {result.score.score} ({result.score.classification}); labels {labels}")

    sample = pairs[: args.naive_metrics]
    fast_time = naive_time = 0.0
    for pair in sample:
        x = [v for v in pair.values["experiment"] if not math.isnan(v)]
        y = [v for v in pair.values["control"] if not math.isnan(v)]
        started = time.perf_counter()
        fast = mann_whitney(x, y, 0.98)
        fast_time += time.perf_counter() - started
        started = time.perf_counter()
        naive = naive_interval(x, y, 0.98)
        naive_time += time.perf_counter() - started
        assert (fast.ci_low, fast.ci_high, fast.estimate) == naive, (pair.name, fast, naive)
    print(
        f"rank-sum interval on {len(sample)} metrics: sorted arrays {fast_time / len(sample) * 1000:.1f} ms, "
        f"naive re-ranking {naive_time / len(sample) * 1000:.1f} ms per metric "
        f"(x{naive_time / fast_time:.0f}); identical results"
    )


if __name__ == "__main__":
    main()
