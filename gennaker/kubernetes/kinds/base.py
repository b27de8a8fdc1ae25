"""What Gennaker knows about one Kubernetes kind: a ``KindHandler``, the unit of the kind registry.

Who calls it: every kind module in this package builds one handler; ``registry.KINDS`` holds them; manifest
operations (priority, versioning, namespaced-ness), stages (can it scale, undo, pause?), the cache (what to
watch, where it lives in the API) and the stability checks (``status``) read it. There is no if/elif over
kinds anywhere else: a new kind is one handler.

``ManifestStatus`` is clouddriver's ``Manifest.Status``: four ``{state, message}`` conditions (``stable``,
``failed``, ``available``, ``paused``), serialised as Spinnaker does. Per-kind ``status`` functions are
pure functions of the live object; pod problems (fail fast) are judged separately
(``gennaker.kubernetes.stability``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

# Deploy priorities (clouddriver's DeployPriority): lower goes first.
NAMESPACE_PRIORITY = 0
ROLE_PRIORITY = 20
ROLE_BINDING_PRIORITY = 30
RESOURCE_DEFINITION_PRIORITY = 30
SERVICE_ACCOUNT_PRIORITY = 40
STORAGE_PRIORITY = 40
MOUNTABLE_DATA_PRIORITY = 50
NETWORK_RESOURCE_PRIORITY = 70
WORKLOAD_MODIFIER_PRIORITY = 90
WORKLOAD_PRIORITY = 100
WORKLOAD_ATTACHMENT_PRIORITY = 110
LOWEST_PRIORITY = 1000


@dataclass(frozen=True)
class Condition:
    """One of a manifest's status conditions."""

    state: bool
    message: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"state": self.state}
        if self.message:
            out["message"] = self.message
        return out


@dataclass(frozen=True)
class ManifestStatus:
    """Stable, failed, available, paused (Spinnaker's shape); the default is stable and not failed."""

    stable: Condition = Condition(True)
    failed: Condition = Condition(False)
    available: Condition = Condition(True)
    paused: Condition = Condition(False)

    @classmethod
    def default(cls) -> ManifestStatus:
        return cls()

    @classmethod
    def none_reported(cls) -> ManifestStatus:
        """No ``.status`` yet: unstable."""
        return cls(stable=Condition(False, "No status reported yet"))

    def unstable(self, message: str) -> ManifestStatus:
        return replace(self, stable=Condition(False, message))

    def failure(self, message: str) -> ManifestStatus:
        return replace(self, failed=Condition(True, message))

    def unavailable(self, message: str | None) -> ManifestStatus:
        return replace(self, available=Condition(False, message))

    def pause(self, message: str) -> ManifestStatus:
        return replace(self, paused=Condition(True, message))

    @property
    def message(self) -> str | None:
        """The most telling message: the failure, else why it is unstable."""
        if self.failed.state:
            return self.failed.message
        if not self.stable.state:
            return self.stable.message
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "stable": self.stable.to_json(),
            "failed": self.failed.to_json(),
            "available": self.available.to_json(),
            "paused": self.paused.to_json(),
        }


StatusFn = Callable[[Mapping[str, Any]], ManifestStatus]


def always_stable(obj: Mapping[str, Any]) -> ManifestStatus:
    """Kinds without a rollout (Service, ConfigMap, ...): stable as soon as they exist."""
    return ManifestStatus.default()


def lower_camel(kind: str) -> str:
    """``ReplicaSet`` -> ``replicaSet`` (Spinnaker's spelling in manifest names)."""
    return kind[:1].lower() + kind[1:]


@dataclass(frozen=True)
class KindHandler:
    """Everything kind-specific, as data plus one status function.

    ``spinnaker_kind`` is the classic-view category: ``serverGroupManagers`` (Deployment),
    ``serverGroups`` (ReplicaSet, StatefulSet, DaemonSet, Job), ``instances`` (Pod), ``loadBalancers``
    (Service, Ingress), ``securityGroups`` (NetworkPolicy), ``configs`` (ConfigMap, Secret), else
    ``unclassified``. ``pod_owner`` says how to find the pods whose problems fail a rollout of this kind:
    ``self`` (a Pod), ``direct`` (pods controlled by the object), ``current-replicaset`` (pods of the
    Deployment's ReplicaSet for its current revision) or None.
    """

    kind: str
    group: str
    version: str
    plural: str
    namespaced: bool = True
    versioned: bool = False
    priority: int = LOWEST_PRIORITY
    spinnaker_kind: str = "unclassified"
    can_scale: bool = False
    can_undo: bool = False
    can_pause: bool = False
    can_restart: bool = False
    has_pods: bool = False
    cached: bool = False
    status: StatusFn = field(default=always_stable, compare=False)
    pod_owner: str | None = None
    pod_template: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def name(self) -> str:
        """The kind as Spinnaker writes it in manifest names (``replicaSet``)."""
        return lower_camel(self.kind)

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        """The REST path of the collection (in ``namespace`` when namespaced and given) or of one object."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        return f"{base}/{name}" if name else base


def desired_replicas(obj: Mapping[str, Any], default: int = 1) -> int:
    """``spec.replicas`` (Kubernetes defaults it to 1 for workloads)."""
    spec = obj.get("spec") or {}
    value = spec.get("replicas")
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def generation_observed(obj: Mapping[str, Any]) -> bool:
    """``status.observedGeneration`` has caught up with ``metadata.generation``."""
    generation = (obj.get("metadata") or {}).get("generation")
    observed = (obj.get("status") or {}).get("observedGeneration")
    if generation is None:
        return True
    return isinstance(observed, int) and observed >= int(generation)


def count(status: Mapping[str, Any], key: str) -> int:
    value = status.get(key)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def first_shortfall(status: Mapping[str, Any], desired: int, checks: Sequence[tuple[str, str]]) -> str | None:
    """The message of the first ``(status key, message)`` whose count is below ``desired``."""
    for key, message in checks:
        if count(status, key) < desired:
            return message
    return None


def condition(obj: Mapping[str, Any], kind: str) -> Mapping[str, Any] | None:
    """The status condition of type ``kind``, if any."""
    for c in (obj.get("status") or {}).get("conditions") or []:
        if isinstance(c, Mapping) and c.get("type") == kind:
            return c
    return None


def server_group(kind: str, group: str, plural: str, status: StatusFn, **capabilities: Any) -> KindHandler:
    """A cached workload with a pod template whose pods it controls (``serverGroups`` in the classic view;
    pass ``spinnaker_kind``/``pod_owner`` to differ), at the workloads' deploy priority."""
    options: dict[str, Any] = {
        "priority": WORKLOAD_PRIORITY,
        "spinnaker_kind": "serverGroups",
        "cached": True,
        "pod_owner": "direct",
        "pod_template": True,
        **capabilities,
    }
    return KindHandler(kind, group, "v1", plural, status=status, **options)
