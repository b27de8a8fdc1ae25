"""Traffic: which Services front a workload, attaching it at deploy, enabling and disabling it later.

Who calls it: the deploy planner (``record_load_balancers``, ``attach``), the enable/disable operations
(``traffic_patch``) and the classic view (``load_balancers``, ``is_disabled``).

Rules (Spinnaker's KubernetesServiceHandler and enable/disable operations):
- the annotation ``traffic.spinnaker.io/load-balancers`` holds a JSON list of ``"service <name>"`` in the
  workload's namespace; a manifest that already names a *different* list is an error;
- attaching copies the Service's ``spec.selector`` into the pod template's labels (a bare Pod's labels).
  The selector must be non-empty and share no key with the template's existing labels, so the labels that
  carry traffic are never the ones the workload selects its own pods by;
- disabling removes those keys (JSON patch ``remove``) from the template and, for ReplicaSets, from each
  live pod: the pods keep running but no longer match the Service; enabling adds them back. The Service is
  never edited.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from gennaker.kubernetes.errors import TrafficError
from gennaker.kubernetes.manifests.names import parse_manifest_name

LOAD_BALANCERS = "traffic.spinnaker.io/load-balancers"


def service_names(values: Sequence[str], where: str) -> list[str]:
    """Names of the Services in ``["service web", ...]``; other kinds are an error."""
    names = []
    for value in values:
        kind, name = parse_manifest_name(value)
        if kind != "Service":
            raise TrafficError(f"{where}: load balancer {value!r} is not a Service (write 'service <name>')")
        names.append(name)
    return names


def load_balancers(obj: Mapping[str, Any]) -> list[str]:
    """The ``"service <name>"`` list of the traffic annotation ([] when absent or malformed)."""
    raw = ((obj.get("metadata") or {}).get("annotations") or {}).get(LOAD_BALANCERS)
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def record_load_balancers(manifest: dict[str, Any], services: Sequence[str], where: str) -> None:
    """Write the traffic annotation; a different existing list is an error."""
    wanted = [f"service {name}" for name in services]
    metadata = manifest.setdefault("metadata", {})
    annotations = metadata.setdefault("annotations", {})
    existing = annotations.get(LOAD_BALANCERS)
    if existing is not None:
        current = load_balancers(manifest)
        if sorted(current) != sorted(wanted):
            raise TrafficError(
                f"{where}: annotation {LOAD_BALANCERS} already names {existing}, but the stage's traffic "
                f"management names {json.dumps(wanted)}; remove the annotation or make them agree"
            )
    annotations[LOAD_BALANCERS] = json.dumps(wanted)


def selector_of(service: Mapping[str, Any]) -> dict[str, str]:
    """A Service's ``spec.selector``."""
    selector = (service.get("spec") or {}).get("selector") or {}
    return {str(k): str(v) for k, v in selector.items()} if isinstance(selector, Mapping) else {}


def pod_labels(manifest: dict[str, Any]) -> dict[str, Any] | None:
    """The labels traffic is attached to: the pod template's, a bare Pod's own; None for other kinds."""
    if manifest.get("kind") == "Pod":
        return manifest.setdefault("metadata", {}).setdefault("labels", {})
    spec = manifest.get("spec")
    template = spec.get("template") if isinstance(spec, dict) else None
    if not isinstance(template, dict):
        return None
    return template.setdefault("metadata", {}).setdefault("labels", {})


def attach(manifest: dict[str, Any], service: Mapping[str, Any], where: str) -> None:
    """Copy the Service's selector into the workload's pod labels (see the module docstring)."""
    name = (service.get("metadata") or {}).get("name")
    selector = selector_of(service)
    if not selector:
        raise TrafficError(
            f"{where}: service {name} has an empty selector, so no workload can be attached to it"
        )
    labels = pod_labels(manifest)
    if labels is None:
        raise TrafficError(f"{where}: a {manifest.get('kind')} has no pods to attach service {name} to")
    overlap = sorted(set(labels) & set(selector))
    if overlap:
        raise TrafficError(
            f"{where}: service {name}'s selector shares label key(s) {', '.join(overlap)} with the pod "
            "template; the Service must select pods by labels the workload does not already set (e.g. "
            f"'frontedBy: {name}'), so traffic can be switched without touching the workload's own selector"
        )
    labels.update(selector)


def _pointer(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def traffic_patch(
    labels: Mapping[str, Any], selector: Mapping[str, str], base: str, *, enable: bool
) -> list[dict[str, Any]]:
    """JSON-patch operations under ``base`` (``/spec/template/metadata/labels`` or ``/metadata/labels``) that
    add the selector's labels (enable) or remove those present (disable)."""
    ops: list[dict[str, Any]] = []
    if enable:
        if not labels:
            return [{"op": "add", "path": base, "value": dict(selector)}]
        for key, value in selector.items():
            ops.append({"op": "add", "path": f"{base}/{_pointer(key)}", "value": value})
    else:
        for key in selector:
            if key in labels:
                ops.append({"op": "remove", "path": f"{base}/{_pointer(key)}"})
    return ops


def is_enabled(obj: Mapping[str, Any], services: Sequence[Mapping[str, Any]]) -> bool:
    """Whether any of ``services`` selects the workload's pods (its template labels carry the selector)."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "Pod":
        labels = (obj.get("metadata") or {}).get("labels") or {}
    else:
        labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    for service in services:
        selector = selector_of(service)
        if selector and all(labels.get(k) == v for k, v in selector.items()):
            return True
    return False
