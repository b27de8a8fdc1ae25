"""Sandbox throughput and memory, measured in one run (prints figures, never pass/fail).

1. ``kubectl apply`` (client-side), one kubectl process applying N Deployments: objects per second, for a
   create pass and an unchanged pass.
2. ``kubectl apply --server-side`` of the same N Deployments: objects per second.
3. Direct HTTP server-side apply (``PATCH application/apply-patch+yaml`` on one keep-alive connection):
   objects per second.
4. Watch fan-out: W concurrent watches on one resource while N objects are created; events delivered per
   second across all watchers.
5. Memory: resident set growth per Pod after creating 10,000 Pods through the API core (defaulting,
   validation, managed fields, the store and its event log all included; no controllers running —
   ``sandbox_rollout.py`` measures running pods with every controller).

Usage: python benchmarks/sandbox_apply.py [--objects N] [--pods N]
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gennaker.sandbox import SandboxCluster
from gennaker.sandbox.apiserver import WriteOptions

KUBECTL = str(Path(sys.executable).parent / "kubectl")


def deployment(i: int, image: str = "nginx:1.25") -> dict:  # type: ignore[type-arg]
    name = f"bench-{i}"
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": name}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": image, "ports": [{"containerPort": 80}]}]},
            },
        },
    }


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def kubectl_apply(env: dict[str, str], manifest: str, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [KUBECTL, "apply", *extra, "-f", "-"],
        input=manifest,
        text=True,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return time.perf_counter() - started


def bench_kubectl(n: int) -> None:
    with SandboxCluster(port=0) as cluster, tempfile.TemporaryDirectory() as home:
        kubeconfig = cluster.write_kubeconfig(Path(home) / "kubeconfig")
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": home,
            "KUBECONFIG": str(kubeconfig),
            "KUBECACHEDIR": str(Path(home) / "cache"),
        }
        subprocess.run([KUBECTL, "get", "ns"], env=env, check=True, capture_output=True)  # warm the caches
        manifest = "\n---\n".join(json.dumps(deployment(i)) for i in range(n))
        t = kubectl_apply(env, manifest)
        print(
            f"kubectl apply (client-side, create):    {n / t:8.1f} objects/s  ({n} Deployments in {t:.2f} s)"
        )
        t = kubectl_apply(env, manifest)
        print(f"kubectl apply (client-side, unchanged): {n / t:8.1f} objects/s")
        changed = "\n---\n".join(json.dumps(deployment(i, "nginx:1.26")) for i in range(n))
        t = kubectl_apply(env, changed)
        print(f"kubectl apply (client-side, changed):   {n / t:8.1f} objects/s")
        t = kubectl_apply(env, changed, "--server-side", "--force-conflicts")
        print(f"kubectl apply --server-side (migrate):  {n / t:8.1f} objects/s")
        t = kubectl_apply(env, changed, "--server-side")
        print(f"kubectl apply --server-side (no-op):    {n / t:8.1f} objects/s")


def bench_http_ssa(n: int) -> None:
    with SandboxCluster(port=0) as cluster:
        conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=30)
        bodies = [json.dumps(deployment(i)).encode() for i in range(n)]
        started = time.perf_counter()
        for i, body in enumerate(bodies):
            conn.request(
                "PATCH",
                f"/apis/apps/v1/namespaces/default/deployments/bench-{i}?fieldManager=bench",
                body=body,
                headers={"Content-Type": "application/apply-patch+yaml"},
            )
            resp = conn.getresponse()
            resp.read()
            assert resp.status in (200, 201), resp.status
        t = time.perf_counter() - started
        conn.close()
        print(
            f"HTTP server-side apply (create):        {n / t:8.1f} objects/s  ({n} Deployments in {t:.2f} s)"
        )


def bench_watch_fanout(watchers: int, objects: int) -> None:
    import threading

    with SandboxCluster(port=0) as cluster:
        received = [0] * watchers
        ready = threading.Barrier(watchers + 1)

        def watch(i: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=60)
            conn.request(
                "GET",
                "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion="
                f"{cluster.api.store.resource_version}&timeoutSeconds=120",
            )
            resp = conn.getresponse()
            ready.wait()
            while received[i] < objects:
                if not resp.readline():
                    break
                received[i] += 1
            conn.close()

        threads = [threading.Thread(target=watch, args=(i,), daemon=True) for i in range(watchers)]
        for t in threads:
            t.start()
        ready.wait()
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=30)
        for i in range(objects):
            conn.request(
                "POST",
                "/api/v1/namespaces/default/configmaps",
                body=json.dumps({"metadata": {"name": f"w{i}"}}),
                headers={"Content-Type": "application/json"},
            )
            conn.getresponse().read()
        for t in threads:
            t.join(timeout=120)
        elapsed = time.perf_counter() - started
        total = sum(received)
        print(
            f"watch fan-out ({watchers} watches, {objects} creates): {total / elapsed:8.1f} events/s "
            f"delivered ({total}/{watchers * objects} in {elapsed:.2f} s)"
        )


def bench_memory(pods: int) -> None:
    # the API core alone (no scheduler or kubelets): benchmarks/sandbox_rollout.py measures pods that run
    with SandboxCluster(port=0, workloads=False) as cluster:
        api = cluster.api
        rt = api.registry.by_kind("", "Pod")
        assert rt is not None
        opts = WriteOptions(manager="bench", field_validation="Strict")
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "", "labels": {"app": "bench"}},
            "spec": {
                "containers": [
                    {
                        "name": "app",
                        "image": "registry.example.com/app:1.0",
                        "ports": [{"containerPort": 8080}],
                        "env": [{"name": "MODE", "value": "bench"}],
                    }
                ]
            },
        }
        api.create(rt, "default", {**pod, "metadata": {"name": "warm"}}, opts)  # load the schemas first
        gc.collect()
        before = rss_kib()
        started = time.perf_counter()
        for i in range(pods):
            api.create(
                rt, "default", {**pod, "metadata": {"name": f"pod-{i}", "labels": {"app": "bench"}}}, opts
            )
        elapsed = time.perf_counter() - started
        gc.collect()
        grown = rss_kib() - before
        print(f"create {pods} Pods through the API core:  {pods / elapsed:8.1f} objects/s")
        print(
            f"resident memory per Pod:                {grown * 1024 / pods / 1024:8.2f} KiB "
            f"({grown / 1024:.1f} MiB for {pods} Pods, event log included)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=200)
    parser.add_argument("--pods", type=int, default=10_000)
    args = parser.parse_args()
    bench_kubectl(args.objects)
    bench_http_ssa(args.objects * 5)
    bench_watch_fanout(100, args.objects)
    bench_memory(args.pods)


if __name__ == "__main__":
    main()
