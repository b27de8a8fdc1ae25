"""Fault injection: which containers misbehave, from pod annotations or sandbox-wide image rules.

Who calls it: the kubelet (once per container, when it admits a pod), the control HTTP path
``/_sandbox/faults`` and ``gennaker.sandbox.serve`` (``--fault``), and tests through
``cluster.faults``.

Faults (what the kubelet then reports, exactly as a real one would):

==================== ======================================================================
``never-ready``      running, never Ready (``0/1 Running``); ``Unhealthy`` readiness events
``image-pull-backoff`` ``ErrImagePull`` then ``ImagePullBackOff``, retried with back-off; never runs
``crash-loop``       runs ``crash_run_seconds``, exits ``exit-code`` (1): ``CrashLoopBackOff``,
                     restartCount and ``lastState.terminated`` grow (restartPolicy Never: Failed)
``slow-start``       running, Ready only after ``slow-start-seconds`` (default 30)
``fail``             runs ``run-seconds`` then exits ``exit-code`` (1): a Job pod fails (Never) or
                     is restarted (OnFailure), so the Job reaches its backoffLimit
==================== ======================================================================

A pod's own annotations win: ``sandbox.gennaker.io/fault`` (optionally limited to
``sandbox.gennaker.io/fault-containers``), with ``exit-code`` and ``slow-start-seconds``. Otherwise the first
:class:`FaultRule` whose ``image`` glob (``fnmatch``) matches the container's image applies. Rules live in
memory (not persisted with the state file).
"""

from __future__ import annotations

import fnmatch
import itertools
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ..simulation import PREFIX, annotation_float, annotation_int

FAULTS = ("never-ready", "image-pull-backoff", "crash-loop", "slow-start", "fail")


class FaultError(ValueError):
    """A fault rule or annotation that cannot be used (the message says what and where)."""


@dataclass(frozen=True)
class FaultRule:
    """Containers whose image matches ``image`` (a glob such as ``registry.local/bad:*``) get ``fault``."""

    image: str
    fault: str
    exit_code: int = 1
    seconds: float | None = None  # slow-start: time to Ready; fail: run time before exiting
    id: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Fault:
    """The fault one container gets (``kind`` "" means none)."""

    kind: str = ""
    exit_code: int = 1
    seconds: float | None = None
    source: str = ""  # "annotation" or "rule <id>"


def parse_rule(doc: Any) -> FaultRule:
    """A rule from JSON (``{"image": "...", "fault": "...", "exitCode": 2, "seconds": 5}``)."""
    if not isinstance(doc, Mapping):
        raise FaultError("a fault rule must be a JSON object with 'image' and 'fault'")
    image, fault = doc.get("image"), doc.get("fault")
    if not isinstance(image, str) or not image:
        raise FaultError("fault rule: 'image' (a glob such as 'nginx:*') is required")
    if fault not in FAULTS:
        raise FaultError(f"fault rule: 'fault' must be one of {', '.join(FAULTS)} (got {fault!r})")
    exit_code = doc.get("exitCode", doc.get("exit_code", 1))
    if not isinstance(exit_code, int) or isinstance(exit_code, bool) or not 0 <= exit_code <= 255:
        raise FaultError(f"fault rule: 'exitCode' must be an integer 0..255 (got {exit_code!r})")
    seconds = doc.get("seconds")
    if seconds is not None and (
        not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0
    ):
        raise FaultError(f"fault rule: 'seconds' must be a non-negative number (got {seconds!r})")
    unknown = set(doc) - {"image", "fault", "exitCode", "exit_code", "seconds", "id"}
    if unknown:
        raise FaultError(f"fault rule: unknown field(s) {', '.join(sorted(unknown))}")
    return FaultRule(image, str(fault), exit_code, float(seconds) if seconds is not None else None)


def parse_rule_text(text: str) -> FaultRule:
    """``IMAGE_GLOB=FAULT[:EXIT_CODE]`` (the ``--fault`` option of ``serve``)."""
    image, sep, rest = text.rpartition("=")
    if not sep:
        raise FaultError(f"--fault {text!r}: expected IMAGE_GLOB=FAULT[:EXIT_CODE]")
    fault, _, code = rest.partition(":")
    doc: dict[str, Any] = {"image": image, "fault": fault}
    if code:
        if not code.isdigit():
            raise FaultError(f"--fault {text!r}: the exit code must be a number")
        doc["exitCode"] = int(code)
    return parse_rule(doc)


class FaultRules:
    """The sandbox-wide rules, in the order they were added (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            stored = FaultRule(rule.image, rule.fault, rule.exit_code, rule.seconds, next(self._ids))
            self._rules.append(stored)
            return stored

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def list(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def match(self, image: str) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if fnmatch.fnmatchcase(image, rule.image):
                    return rule
        return None


def container_faults(pod: Mapping[str, Any], rules: FaultRules | None) -> tuple[dict[str, Fault], list[str]]:
    """The fault of every container of ``pod`` (by name) and the problems found in its annotations."""
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    spec = pod.get("spec") or {}
    containers = [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]
    problems: list[str] = []
    kind = str(annotations.get(PREFIX + "fault", "")).strip()
    targets: set[str] | None = None
    if kind and kind not in FAULTS:
        problems.append(f"annotation {PREFIX}fault: {kind!r} is not one of {', '.join(FAULTS)}")
        kind = ""
    if PREFIX + "fault-containers" in annotations:
        targets = {t.strip() for t in str(annotations[PREFIX + "fault-containers"]).split(",") if t.strip()}
        unknown = targets - {str(c.get("name")) for c in containers}
        if unknown:
            problems.append(
                f"annotation {PREFIX}fault-containers: no container named {', '.join(sorted(unknown))}"
            )
    exit_code = annotation_int(annotations, "exit-code", 1)
    seconds = annotation_float(annotations, "slow-start-seconds", -1.0)
    out: dict[str, Fault] = {}
    for c in containers:
        name = str(c.get("name"))
        if kind and (targets is None or name in targets):
            out[name] = Fault(kind, exit_code, seconds if seconds >= 0 else None, "annotation")
            continue
        rule = rules.match(str(c.get("image") or "")) if rules is not None else None
        if rule is not None:
            out[name] = Fault(rule.fault, rule.exit_code, rule.seconds, f"rule {rule.id}")
        else:
            out[name] = Fault()
    return out, problems
