"""The watch-based cache against real sandboxes: events, indexes, scope, Secrets without data, an
unreachable cluster, and catching up after the API server went away and came back."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gennaker.kubernetes.cache import CacheEvent
from gennaker.kubernetes.errors import AccountUnreachableError
from gennaker.kubernetes.service import KubernetesService
from gennaker.kubernetes.wakeups import WakeUps
from gennaker.sandbox import SandboxCluster
from tests.kubernetes.conftest import start_service
from tests.sandbox.conftest import Kubectl


def eventually(check: Callable[[], Any], timeout_s: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"not true after {timeout_s} s: {check}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


ANNOTATED = {
    "moniker.spinnaker.io/application": "shop",
    "moniker.spinnaker.io/cluster": "configMap web",
}


def test_events_and_indexes(k8s: KubernetesService, kubectl: Kubectl, ns: str) -> None:
    events: list[CacheEvent] = []
    k8s.cache.subscribe(events.append, account="sandbox")
    kubectl("create", "configmap", "web-v000", "-n", ns, "--from-literal=a=1")
    kubectl("annotate", "configmap/web-v000", "-n", ns, *[f"{k}={v}" for k, v in ANNOTATED.items()])
    index = k8s.cache.index("sandbox")
    eventually(lambda: index.select(app="shop", cluster="configMap web", namespace=ns))
    assert "shop" in k8s.cache.applications()
    kubectl("delete", "configmap/web-v000", "-n", ns)
    eventually(lambda: index.get("ConfigMap", ns, "web-v000") is None)
    mine = [(e.type, e.name) for e in events if e.namespace == ns]
    assert mine[0] == ("ADDED", "web-v000") and mine[-1] == ("DELETED", "web-v000")
    assert ("MODIFIED", "web-v000") in mine


def test_secret_values_are_never_cached(k8s: KubernetesService, kubectl: Kubectl, ns: str) -> None:
    secret = json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "db", "namespace": ns},
            "stringData": {"password": "hunter2-very-secret"},
        }
    )
    kubectl("apply", "-f", "-", input=secret)
    cached = eventually(lambda: k8s.cache.get("sandbox", "Secret", ns, "db"))
    assert "data" not in cached and "stringData" not in cached
    assert "hunter2" not in str(cached)
    assert "kubectl.kubernetes.io/last-applied-configuration" not in (
        cached["metadata"].get("annotations") or {}
    )


def test_scope_of_an_account(
    k8s: KubernetesService, sandbox: SandboxCluster, kubectl: Kubectl, ns: str
) -> None:
    k8s.accounts.register_sandbox(sandbox.kubeconfig(), name="scoped")
    account = k8s.accounts.get("scoped")
    k8s.accounts.remove("scoped")
    k8s.accounts.put(account.model_copy(update={"namespaces": [ns], "omit_kinds": ["secrets"]}))
    k8s.ready("scoped", timeout_s=30)
    kubectl("create", "configmap", "inside", "-n", ns)
    kubectl("create", "configmap", "outside", "-n", "default")
    kubectl(
        "create", "secret", "generic", "s", "-n", ns, "--from-literal=a=b", "--dry-run=client", "-o", "yaml"
    )
    eventually(lambda: k8s.cache.get("scoped", "ConfigMap", ns, "inside"))
    time.sleep(0.3)
    assert k8s.cache.get("scoped", "ConfigMap", "default", "outside") is None
    assert "Secret" not in k8s.cache.account("scoped").watched_kinds()
    assert "Namespace" not in k8s.cache.account("scoped").watched_kinds()
    k8s.accounts.remove("scoped")
    with pytest.raises(Exception, match="no Kubernetes account named 'scoped'"):
        k8s.cache.account("scoped")


def test_an_unreachable_cluster_is_reported(tmp_path: Path) -> None:
    port = free_port()
    kubeconfig = {
        "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
        "users": [{"name": "u", "user": {}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    }
    service = start_service(tmp_path, {})
    try:
        service.accounts.register_sandbox(kubeconfig, name="dead")
        started = time.monotonic()
        with pytest.raises(
            AccountUnreachableError,
            match=rf"account dead is unreachable: cannot reach http://127.0.0.1:{port}",
        ):
            service.ready("dead", timeout_s=30)
        assert time.monotonic() - started < 10
        health = service.cache.health("dead")[0]
        assert health.reachable is False and health.error
    finally:
        service.stop()


class StandaloneSandbox:
    """A sandbox in its own process (``python -m gennaker.sandbox serve``): stopping it closes every
    connection, as a restarting API server does."""

    def __init__(self, port: int, state: Path, kubeconfig: Path) -> None:
        self.args = [
            sys.executable,
            "-m",
            "gennaker.sandbox",
            "serve",
            "--port",
            str(port),
            "--state-file",
            str(state),
            "--kubeconfig",
            str(kubeconfig),
        ]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = int(self.args[self.args.index("--port") + 1])

        kubeconfig = Path(self.args[self.args.index("--kubeconfig") + 1])

        def accepting() -> bool:
            with socket.socket() as s:
                return (
                    s.connect_ex(("127.0.0.1", port)) == 0
                    and kubeconfig.exists()
                    and "server:" in kubeconfig.read_text()
                )

        eventually(accepting, 30)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None


def test_the_cache_catches_up_after_the_api_server_restarts(tmp_path: Path) -> None:
    port, kubeconfig = free_port(), tmp_path / "kubeconfig"
    server = StandaloneSandbox(port, tmp_path / "state.json", kubeconfig)
    server.start()
    service = start_service(tmp_path, {})
    try:
        service.accounts.register_sandbox(kubeconfig, name="restarting")
        service.ready("restarting", timeout_s=30)
        peer = Kubectl(
            {**os.environ, "KUBECONFIG": str(kubeconfig), "KUBECACHEDIR": str(tmp_path / "c")}, kubeconfig
        )
        peer("create", "namespace", "catch-up")
        peer("create", "configmap", "before", "-n", "catch-up")
        eventually(lambda: service.cache.get("restarting", "ConfigMap", "catch-up", "before"))
        server.stop()
        eventually(lambda: service.cache.health("restarting")[0].reachable is False)
        server.start()
        peer("create", "configmap", "after", "-n", "catch-up")
        peer("delete", "configmap", "before", "-n", "catch-up")
        eventually(lambda: service.cache.get("restarting", "ConfigMap", "catch-up", "after"), 30)
        eventually(lambda: service.cache.get("restarting", "ConfigMap", "catch-up", "before") is None, 30)
        assert service.cache.health("restarting")[0].reachable is True
    finally:
        service.stop()
        server.stop()


def test_wakeups_follow_cache_events(k8s: KubernetesService, kubectl: Kubectl, ns: str) -> None:
    assert k8s.wakeups is not None
    woken = threading.Event()
    k8s.wakeups.register("exec/stage", "sandbox", [ns], woken.set)
    kubectl("create", "configmap", "x", "-n", "default" if ns != "default" else "kube-public")
    time.sleep(0.3)
    assert not woken.is_set()  # another namespace
    kubectl("create", "configmap", "x", "-n", ns)
    assert woken.wait(10)
    k8s.wakeups.unregister("exec/stage")
    assert "exec/stage" not in k8s.wakeups.registered()


def test_wakeups_of_abandoned_executions_expire(k8s: KubernetesService, kubectl: Kubectl, ns: str) -> None:
    wakeups = WakeUps(k8s.cache, ttl_s=0.0)
    woken = threading.Event()
    try:
        wakeups.register("canceled-execution", "sandbox", [ns], woken.set)
        time.sleep(0.01)
        kubectl("create", "configmap", "y", "-n", ns)
        eventually(lambda: wakeups.registered() == [])
        assert not woken.is_set()
    finally:
        wakeups.stop()


def test_watches_resume_from_the_last_version_without_listing_again(
    k8s: KubernetesService,
    sandbox: SandboxCluster,
    kubectl: Kubectl,
    ns: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gennaker.kubernetes.cache import watch

    relists: list[str] = []
    original = watch.KindWatcher.relist

    async def counting(self: watch.KindWatcher) -> None:
        relists.append(self.handler.kind)
        await original(self)

    monkeypatch.setattr(watch, "WATCH_TIMEOUT_S", 1)  # the server ends every watch after a second
    monkeypatch.setattr(watch.KindWatcher, "relist", counting)
    k8s.accounts.register_sandbox(sandbox.kubeconfig(), name="resuming")
    k8s.ready("resuming", timeout_s=30)
    listed = relists.count("ConfigMap")
    for i in range(3):
        kubectl("create", "configmap", f"c{i}", "-n", ns)
        time.sleep(1.2)
    for i in range(3):
        eventually(lambda i=i: k8s.cache.get("resuming", "ConfigMap", ns, f"c{i}"))
    assert relists.count("ConfigMap") == listed == 1


def test_an_account_changed_at_run_time_is_watched_and_used_anew(
    k8s: KubernetesService, sandbox: SandboxCluster, ns: str, tmp_path: Path
) -> None:
    with SandboxCluster(port=0) as other:
        k8s.accounts.register_sandbox(sandbox.kubeconfig(), name="moving")
        k8s.ready("moving", timeout_s=30)
        assert k8s.cache.get("moving", "Namespace", "", ns) is not None
        account = k8s.accounts.get("moving")
        k8s.accounts.remove("moving")
        k8s.accounts.put(
            account.model_copy(
                update={
                    "kubeconfig_contents": None,
                    "kubeconfig_file": str(other.write_kubeconfig(tmp_path / "other")),
                }
            )
        )
        eventually(
            lambda: (
                k8s.cache.get("moving", "Namespace", "", ns) is None
                and k8s.cache.get("moving", "Namespace", "", "default") is not None
            )
        )
        k8s.kubectl("moving").apply(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "only-on-other"}}
        )
        assert other.api.store.get(("", "namespaces"), "", "only-on-other") is not None
        assert sandbox.api.store.get(("", "namespaces"), "", "only-on-other") is None
