"""Which objects a stage acts on: static, dynamic and label targets, resolved from the cache.

Who calls it: the stages acting on existing objects (delete, scale, patch, undo, restart, pause, resume,
enable, disable, findArtifactsFromResource) and the traffic strategies; the API's dynamic-target route.

Stage JSON (Deck's ``IManifestSelector``):
- **static**: ``manifestName`` (``"deployment web"``) + ``location`` (the namespace);
- **dynamic**: ``cluster`` (``"replicaSet web"``) + ``criteria`` (``newest``, ``second_newest``,
  ``oldest``: by ``creationTimestamp``; ``largest``, ``smallest``: by ``spec.replicas``) + ``kind`` +
  ``app``, among the objects of that application and moniker cluster in the namespace;
- **label**: ``kinds`` + ``labelSelectors``, every matching object.
``mode`` is only a UI hint; the fields present decide. A target that matches nothing is a
``TargetNotFoundError`` naming what was looked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gennaker.kubernetes.errors import ManifestError, TargetNotFoundError
from gennaker.kubernetes.kinds import KINDS, KindHandler
from gennaker.kubernetes.manifests.names import manifest_name, parse_manifest_name
from gennaker.kubernetes.manifests.selectors import matches_label_selectors

CRITERIA = ("newest", "second_newest", "oldest", "largest", "smallest")


@dataclass(frozen=True)
class Target:
    """One object to act on."""

    kind: str
    name: str
    namespace: str

    @property
    def manifest_name(self) -> str:
        return manifest_name(self.kind, self.name)

    def describe(self) -> str:
        return f"{self.manifest_name} in namespace {self.namespace}" if self.namespace else self.manifest_name


@dataclass(frozen=True)
class TargetSpec:
    """What a stage's context asks for."""

    namespace: str
    manifest_name: str | None = None
    cluster: str | None = None
    criteria: str | None = None
    kind: str | None = None
    app: str | None = None
    kinds: tuple[str, ...] = ()
    label_selectors: Any = None

    @classmethod
    def from_context(cls, ctx: Mapping[str, Any], default_app: str, default_namespace: str) -> TargetSpec:
        namespace = str(ctx.get("location") or ctx.get("namespace") or default_namespace)
        if ctx.get("manifestName"):
            return cls(namespace, manifest_name=str(ctx["manifestName"]))
        if ctx.get("cluster") and ctx.get("criteria"):
            criteria = str(ctx["criteria"])
            if criteria not in CRITERIA:
                raise ManifestError(f"criteria must be one of {', '.join(CRITERIA)}, not {criteria!r}")
            return cls(
                namespace,
                cluster=str(ctx["cluster"]),
                criteria=criteria,
                kind=str(ctx.get("kind") or "") or None,
                app=str(ctx.get("app") or (ctx.get("moniker") or {}).get("app") or default_app),
            )
        if ctx.get("kinds") and ctx.get("labelSelectors"):
            kinds = ctx["kinds"] if isinstance(ctx["kinds"], list) else [ctx["kinds"]]
            return cls(namespace, kinds=tuple(str(k) for k in kinds), label_selectors=ctx["labelSelectors"])
        raise ManifestError(
            "no target: set manifestName (static), cluster + criteria (dynamic) or kinds + labelSelectors "
            "(label)"
        )

    @property
    def is_label(self) -> bool:
        return bool(self.kinds)


def _created(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("creationTimestamp") or "")


def _replicas(obj: Mapping[str, Any]) -> int:
    value = (obj.get("spec") or {}).get("replicas")
    return int(value) if isinstance(value, int) else 0


def pick(candidates: Sequence[Mapping[str, Any]], criteria: str) -> Mapping[str, Any] | None:
    """The candidate ``criteria`` names (ties: by name, which orders versions)."""
    if not candidates:
        return None
    by_age = sorted(candidates, key=lambda o: (_created(o), str((o.get("metadata") or {}).get("name"))))
    if criteria == "newest":
        return by_age[-1]
    if criteria == "second_newest":
        return by_age[-2] if len(by_age) > 1 else None
    if criteria == "oldest":
        return by_age[0]
    by_size = sorted(by_age, key=_replicas)
    return by_size[-1] if criteria == "largest" else by_size[0]


Select = Callable[..., list[dict[str, Any]]]
HandlerFor = Callable[[str], KindHandler]


def _registered(kind: str) -> KindHandler:
    handler = KINDS.find(kind)
    if handler is None:
        raise ManifestError(f"unknown kind {kind!r}")
    return handler


def resolve(spec: TargetSpec, select: Select, handler_for: HandlerFor = _registered) -> list[Target]:
    """The objects ``spec`` names. ``select(kind=, namespace=, app=, cluster=)`` reads the cache;
    ``handler_for`` finds a kind's handler (registered ones, or custom resources through discovery)."""
    if spec.manifest_name:
        kind, name = parse_manifest_name(spec.manifest_name)
        handler = KINDS.find(kind)
        namespace = spec.namespace if handler is None or handler.namespaced else ""
        return [Target(kind, name, namespace)]
    if spec.cluster:
        kind_text = spec.kind or spec.cluster.split(" ", 1)[0]
        handler = handler_for(kind_text)
        candidates = select(kind=handler.kind, namespace=spec.namespace, app=spec.app, cluster=spec.cluster)
        candidates = [c for c in candidates if not (c.get("metadata") or {}).get("deletionTimestamp")]
        chosen = pick(candidates, spec.criteria or "newest")
        if chosen is None:
            raise TargetNotFoundError(
                f"no {spec.criteria} {handler.name} in cluster '{spec.cluster}' of application {spec.app} in "
                f"namespace {spec.namespace} ({len(candidates)} candidate(s))"
            )
        return [Target(handler.kind, str(chosen["metadata"]["name"]), spec.namespace)]
    targets: list[Target] = []
    for kind_text in spec.kinds:
        handler = handler_for(kind_text)
        for obj in select(kind=handler.kind, namespace=spec.namespace):
            if matches_label_selectors(obj, spec.label_selectors):
                targets.append(Target(handler.kind, str(obj["metadata"]["name"]), spec.namespace))
    return targets
