"""Sandbox rollouts with every controller running, measured in one run (prints figures, never pass/fail).

1. ``kubectl rollout status`` of a 10-replica Deployment with zero kubelet delays: wall time from the start
   of ``kubectl apply`` to ``kubectl rollout status`` exiting 0 (two real kubectl processes, discovery
   cached), for a fresh Deployment and for an image change; R runs each, median and best printed.
2. Memory and throughput with controllers: Deployments totalling P pods (500 replicas each) are created
   through the API core on a sandbox with enough nodes (110 pods per node, as kubelets allow); the time
   until every pod is Running and Ready gives pods/s, and the resident set growth per pod includes the
   ReplicaSets, pod statuses, Events and the watch event log.

Usage: python benchmarks/sandbox_rollout.py [--runs R] [--pods P]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gennaker.sandbox import SandboxCluster
from gennaker.sandbox.apiserver import WriteOptions
from gennaker.sandbox.simulation import SimulationSettings

KUBECTL = str(Path(sys.executable).parent / "kubectl")
ZERO = SimulationSettings(start_delay=0, ready_delay=0, termination_seconds=0)


def manifest(name: str, image: str, replicas: int = 10) -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: web, image: "{image}", ports: [{{containerPort: 80}}]}}]}}
"""


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def kubectl(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [KUBECTL, *args], input=stdin, text=True, env=env, check=True, capture_output=True, timeout=120
    )


def bench_rollout_status(runs: int) -> None:
    fresh: list[float] = []
    changed: list[float] = []
    with SandboxCluster(port=0, simulation=ZERO) as cluster, tempfile.TemporaryDirectory() as home:
        kubeconfig = cluster.write_kubeconfig(Path(home) / "kubeconfig")
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": home,
            "KUBECONFIG": str(kubeconfig),
            "KUBECACHEDIR": str(Path(home) / "cache"),
        }
        kubectl(env, "get", "ns")  # warm kubectl's discovery cache
        for i in range(runs):
            name = f"roll-{i}"
            for image, out in (("nginx:1.25", fresh), ("nginx:1.26", changed)):
                started = time.perf_counter()
                kubectl(env, "apply", "-f", "-", stdin=manifest(name, image))
                kubectl(env, "rollout", "status", f"deploy/{name}", "--timeout=60s")
                out.append(time.perf_counter() - started)
    for label, times in (("new 10-replica Deployment", fresh), ("image change of it", changed)):
        print(
            f"kubectl apply + rollout status, {label:26s} median {statistics.median(times) * 1000:7.0f} ms, "
            f"best {min(times) * 1000:7.0f} ms ({len(times)} runs, zero readiness delay)"
        )


def bench_pods(pods: int) -> None:
    per_deployment = 500
    deployments = max(1, pods // per_deployment)
    nodes = pods // 100 + 2
    with SandboxCluster(port=0, simulation=ZERO, nodes=nodes) as cluster:
        api = cluster.api
        rt = api.registry.by_kind("apps", "Deployment")
        pod_rt = api.registry.by_kind("", "Pod")
        assert rt is not None and pod_rt is not None
        opts = WriteOptions(manager="bench", field_validation="Strict")
        import yaml

        warm = yaml.safe_load(manifest("warm", "nginx:1.25", replicas=1))
        api.create(rt, "default", warm, opts)
        time.sleep(1.0)
        gc.collect()
        before = rss_kib()
        started = time.perf_counter()
        for i in range(deployments):
            api.create(
                rt, "default", yaml.safe_load(manifest(f"big-{i}", "nginx:1.25", per_deployment)), opts
            )
        total = deployments * per_deployment
        deadline = time.monotonic() + 1800
        ready = 0
        while time.monotonic() < deadline:
            ready = sum(
                1
                for p in api.store.list_objects(pod_rt.key, "default")
                if any(
                    c.get("type") == "Ready" and c.get("status") == "True"
                    for c in p["status"].get("conditions", [])
                )
            )
            if ready >= total + 1:
                break
            time.sleep(1.0)
        elapsed = time.perf_counter() - started
        gc.collect()
        grown = rss_kib() - before
        events = api.store.count(("", "events"))
        print(
            f"{total} pods in {deployments} Deployments Running and Ready: {elapsed:6.1f} s "
            f"({total / elapsed:6.1f} pods/s, {nodes} nodes, {ready - 1} ready at the end)"
        )
        print(
            f"resident memory per running pod with controllers: {grown / total:6.2f} KiB "
            f"({grown / 1024:.1f} MiB; includes {events} Events, ReplicaSets, statuses, the event log)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pods", type=int, default=10_000)
    args = parser.parse_args()
    bench_rollout_status(args.runs)
    bench_pods(args.pods)


if __name__ == "__main__":
    main()
