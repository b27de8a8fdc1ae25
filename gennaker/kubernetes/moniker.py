"""Monikers: which application, cluster, stack, detail and sequence an object belongs to.

Who calls it: the cache (indexes objects by application and cluster), manifest operations (write the
annotations), dynamic targets and traffic strategies (find a cluster's server groups), the classic view.

Format (Spinnaker's annotations, on ``metadata.annotations`` and the pod template's):
``moniker.spinnaker.io/application``, ``/cluster`` (default ``"<kind> <name>"`` with the unversioned name,
``"replicaSet web"``), ``/stack``, ``/detail``, ``/sequence``. A ReplicaSet without a sequence takes its
``deployment.kubernetes.io/revision``, so a Deployment's revisions show as versions. Objects without the
application annotation have no application (unlike Spinnaker, names are not parsed Frigga-style: a
cluster's ``coredns-5d78c9869d`` is not an application called ``coredns``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gennaker.artifacts.produced import split_versioned_name

APPLICATION = "moniker.spinnaker.io/application"
CLUSTER = "moniker.spinnaker.io/cluster"
STACK = "moniker.spinnaker.io/stack"
DETAIL = "moniker.spinnaker.io/detail"
SEQUENCE = "moniker.spinnaker.io/sequence"
DEPLOYMENT_REVISION = "deployment.kubernetes.io/revision"


@dataclass(frozen=True)
class Moniker:
    """Spinnaker's moniker of one object."""

    app: str | None = None
    cluster: str | None = None
    stack: str | None = None
    detail: str | None = None
    sequence: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("app", "cluster", "stack", "detail", "sequence"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


def default_cluster(kind: str, name: str) -> str:
    """``"replicaSet web"`` for ``ReplicaSet web-v003``."""
    base, _ = split_versioned_name(name)
    return f"{kind[:1].lower()}{kind[1:]} {base}"


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def moniker_of(obj: Mapping[str, Any]) -> Moniker:
    """The moniker an object carries (annotations; see the module docstring)."""
    metadata = obj.get("metadata") or {}
    annotations = metadata.get("annotations") or {}
    app = annotations.get(APPLICATION)
    if not app:
        return Moniker()
    cluster = annotations.get(CLUSTER) or default_cluster(
        str(obj.get("kind") or ""), str(metadata.get("name") or "")
    )
    sequence = _int(annotations.get(SEQUENCE))
    if sequence is None and obj.get("kind") == "ReplicaSet":
        sequence = _int(annotations.get(DEPLOYMENT_REVISION))
    return Moniker(
        app=str(app),
        cluster=str(cluster),
        stack=annotations.get(STACK) or None,
        detail=annotations.get(DETAIL) or None,
        sequence=sequence,
    )
