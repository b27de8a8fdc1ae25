"""Defaulting shared by several kinds: pod specs, containers, probes, volumes and pod templates.

Who calls it: the per-kind defaulters in ``gennaker.sandbox.kinds`` (Pod, Deployment, ReplicaSet,
StatefulSet, DaemonSet, Job, CronJob templates), which the write path runs on every create, update, patch
and apply before validation. Server-side apply also defaults apply configurations' list keys here.

The values are kube-apiserver 1.37's (``SetDefaults_*`` in k8s.io/kubernetes/pkg/apis/core/v1 plus the
struct marshalling that always writes ``resources: {}``). Defaulting must be idempotent: running it twice
gives the same object; ``rollout undo`` relies on a template defaulted twice comparing equal.
Every function mutates its argument in place. Nothing here persists.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]


def image_pull_policy(image: str) -> str:
    """``Always`` for ``:latest`` or untagged images, else ``IfNotPresent`` (digests count as tagged)."""
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "Always"
    return "Always" if last.rsplit(":", 1)[1] == "latest" else "IfNotPresent"


def default_probe(probe: Any) -> None:
    if not isinstance(probe, dict):
        return
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    http = probe.get("httpGet")
    if isinstance(http, dict):
        http.setdefault("path", "/")
        http.setdefault("scheme", "HTTP")


def default_container(c: Any) -> None:
    if not isinstance(c, dict):
        return
    image = c.get("image")
    if isinstance(image, str) and image:
        c.setdefault("imagePullPolicy", image_pull_policy(image))
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    if c.get("resources") is None:
        c["resources"] = {}
    for port in c.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
    for name in ("livenessProbe", "readinessProbe", "startupProbe"):
        default_probe(c.get(name))
    for env in c.get("env") or []:
        if isinstance(env, dict):
            field_ref = (env.get("valueFrom") or {}).get("fieldRef")
            if isinstance(field_ref, dict):
                field_ref.setdefault("apiVersion", "v1")


def default_volume(v: Any) -> None:
    if not isinstance(v, dict):
        return
    sources = [k for k in v if k != "name"]
    if not sources:
        v["emptyDir"] = {}
    for name in ("configMap", "secret"):
        src = v.get(name)
        if isinstance(src, dict):
            src.setdefault("defaultMode", 420)
    projected = v.get("projected")
    if isinstance(projected, dict):
        projected.setdefault("defaultMode", 420)


def default_pod_spec(spec: Any) -> None:
    """Defaults of a PodSpec as found in templates (Pods add more, see :func:`default_pod_only`)."""
    if not isinstance(spec, dict):
        return
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    spec.setdefault("terminationGracePeriodSeconds", 30)
    for name in ("containers", "initContainers"):
        for c in spec.get(name) or []:
            default_container(c)
    for v in spec.get("volumes") or []:
        default_volume(v)


def default_pod_only(spec: Any) -> None:
    """Defaults the API server (with its admission plugins) adds to Pods but not to templates."""
    if not isinstance(spec, dict):
        return
    spec.setdefault("serviceAccountName", "default")
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    tolerations = spec.setdefault("tolerations", [])
    if isinstance(tolerations, list):
        present = {t.get("key") for t in tolerations if isinstance(t, dict)}
        for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
            if key not in present:
                tolerations.append(
                    {"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
                )


def default_template(template: Any) -> None:
    """A pod template: drop ``creationTimestamp: null`` from its metadata, default its spec."""
    if not isinstance(template, dict):
        return
    meta = template.get("metadata")
    if isinstance(meta, dict) and "creationTimestamp" in meta and meta["creationTimestamp"] is None:
        del meta["creationTimestamp"]
    default_pod_spec(template.get("spec"))


def default_metadata(obj: Obj) -> None:
    """ObjectMeta normalisation on every write: empty creationTimestamp and such are dropped."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        for k in ("creationTimestamp", "deletionTimestamp", "labels", "annotations"):
            if k in meta and meta[k] is None:
                del meta[k]


def percent_or_int(value: Any, default: Any) -> Any:
    return default if value is None else value
