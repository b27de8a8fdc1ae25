"""Benchmark: a deployManifest stage of a 3-replica Deployment, end to end through the engine, against bare
``kubectl apply --server-side`` + ``kubectl rollout status`` of the same manifest, in the same run.

Both roll the Deployment to a new image each repetition on one sandbox cluster with zero kubelet delays
(pods are Ready as soon as the controllers create them), in their own namespaces, interleaved. The engine
side is measured from starting the pipeline to the execution's SUCCEEDED event: resolve, plan, one
``kubectl apply``, the wait for stability (woken by watch events), cleanup and artifact binding, with every
transition persisted in SQLite. Prints the median of each and their ratio (target: at most 1.3).

    python benchmarks/kubernetes_deploy.py [--repetitions 9]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from gennaker.engine.runtime import EngineRuntime
from gennaker.engine.service import PipelineService
from gennaker.engine.worker import WorkerPool
from gennaker.kubernetes.registry import AccountRegistry
from gennaker.kubernetes.service import KubernetesService
from gennaker.kubernetes.stages import register_stages
from gennaker.sandbox import SandboxCluster
from gennaker.sandbox.simulation import SimulationSettings
from gennaker.stages import builtin_registry
from gennaker.store import Database


def deployment(namespace: str, tag: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": f"ghcr.io/acme/web:{tag}"}]},
            },
        },
    }


def kubectl(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    binary = str(Path(sys.executable).parent / "kubectl")
    subprocess.run(
        [binary, *args], input=stdin, env=env, check=True, capture_output=True, text=True, timeout=120
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=9)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gennaker-bench-"))
    settings = SimulationSettings(start_delay=0.0, ready_delay=0.0, pod_events=False)
    with SandboxCluster(port=0, simulation=settings) as cluster:
        kubeconfig = cluster.write_kubeconfig(work / "kubeconfig")
        env = {**os.environ, "KUBECONFIG": str(kubeconfig), "KUBECACHEDIR": str(work / "kubectl-cache")}
        for ns in ("bare", "engine"):
            kubectl(env, "create", "namespace", ns)

        registry = AccountRegistry()
        service = KubernetesService(registry, work_dir=work / "k8s").start()
        registry.register_sandbox(cluster.kubeconfig(), name="sandbox")
        service.ready("sandbox", timeout_s=30)
        db = Database(f"sqlite:///{work / 'gennaker.db'}")
        db.upgrade()
        stages = builtin_registry()
        register_stages(stages, service)
        runtime = EngineRuntime(db=db, registry=stages)
        pipelines = PipelineService(runtime)
        pipelines.save_application({"name": "bench"}, principal="bench")
        pool = WorkerPool(runtime, threads=4).start()
        finished: dict[str, threading.Event] = {}
        lock = threading.Lock()

        def on_event(event: Any) -> None:
            if event.type == "execution" and event.status in ("SUCCEEDED", "TERMINAL", "CANCELED"):
                with lock:
                    done = finished.setdefault(event.execution_id, threading.Event())
                done.set()

        pipelines.subscribe(on_event)

        def engine_run(tag: int) -> float:
            config = {
                "application": "bench",
                "name": "deploy",
                "stages": [
                    {
                        "refId": "1",
                        "type": "deployManifest",
                        "account": "sandbox",
                        "cloudProvider": "kubernetes",
                        "source": "text",
                        "manifests": [deployment("engine", tag)],
                    }
                ],
            }
            started = time.perf_counter()
            execution_id = pipelines.start_pipeline_config(config, principal="bench")
            with lock:
                done = finished.setdefault(execution_id, threading.Event())
            if not done.wait(120):
                raise SystemExit(f"execution {execution_id} did not finish")
            took = time.perf_counter() - started
            status = pipelines.get_execution_status(execution_id)
            if status != "SUCCEEDED":
                raise SystemExit(
                    f"execution {execution_id} ended {status}: {pipelines.get_execution(execution_id)}"
                )
            return took

        def bare_run(tag: int) -> float:
            started = time.perf_counter()
            kubectl(env, "apply", "--server-side", "-f", "-", stdin=json.dumps(deployment("bare", tag)))
            kubectl(env, "rollout", "status", "deployment/web", "-n", "bare", "--timeout=120s")
            return time.perf_counter() - started

        engine_run(0)  # warm-up: kubectl's discovery caches, the database, the cache's first sync
        bare_run(0)
        engine_times, bare_times = [], []
        for i in range(1, args.repetitions + 1):
            engine_times.append(engine_run(i))
            bare_times.append(bare_run(i))
        pool.stop()
        service.stop()
        db.dispose()

    engine_median, bare_median = statistics.median(engine_times), statistics.median(bare_times)
    print(f"3-replica Deployment rollout, {args.repetitions} repetitions, zero kubelet delays")
    print(
        f"  bare kubectl apply --server-side + rollout status: median {bare_median * 1000:7.0f} ms "
        f"(min {min(bare_times) * 1000:.0f}, max {max(bare_times) * 1000:.0f})"
    )
    print(
        f"  deployManifest stage through the engine:            median {engine_median * 1000:7.0f} ms "
        f"(min {min(engine_times) * 1000:.0f}, max {max(engine_times) * 1000:.0f})"
    )
    print(f"  ratio engine / bare: {engine_median / bare_median:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
