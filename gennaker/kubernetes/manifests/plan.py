"""Planning a deploy: from a stage's manifests to exactly what will be applied, in Spinnaker's order.

Who calls it: ``KubernetesService.deploy`` (deployManifest, runJobManifest), before anything is applied,
so every bad input fails the stage with nothing changed. Steps:

1. keep the manifests ``labelSelectors`` select (when given);
2. find each kind's handler (registered, or from discovery: an unknown kind fails here, naming it);
3. namespaces: ``namespaceOverride`` on every namespaced kind, else the manifest's, else the account's
   default; each must be inside the account's allow-list;
4. traffic management checks (rollout strategies need ReplicaSets; red/black and blue/green need
   ``max-version-history`` of at least 2 when it is set);
5. sort by deploy priority (stable: equal priorities keep their order);
6. for each manifest in that order: bind artifacts (the stage's required ones, the execution's optional
   ones, and the artifacts produced by the manifests before it, so a Deployment picks up the exact
   ConfigMap version of this deploy), read its strategy annotations, take the live capacity when asked,
   choose its version (reuse an identical live version), annotate and label it, attach its Services;
7. fail when a required artifact bound nowhere (``UnboundArtifactsError`` says which and why).

Live reads (versions, capacities, Services not in the deploy, discovery) go to the API server, not the
cache: a version number must never be chosen from a cache that has not seen the previous deploy yet.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gennaker.artifacts.binding import ImageBindingMode, UnboundArtifactsError, artifact_key, bind_artifacts
from gennaker.artifacts.produced import split_versioned_name, versioned_artifact, versioned_name
from gennaker.kubernetes.accounts import KubernetesAccount
from gennaker.kubernetes.client import KubeClient
from gennaker.kubernetes.errors import KubernetesError, ManifestError, TrafficError
from gennaker.kubernetes.kinds import KINDS, KindHandler
from gennaker.kubernetes.manifests import traffic as tr
from gennaker.kubernetes.manifests.annotate import annotate
from gennaker.kubernetes.manifests.names import manifest_name
from gennaker.kubernetes.manifests.parse import origin, strip_origin
from gennaker.kubernetes.manifests.selectors import matches_label_selectors
from gennaker.kubernetes.manifests.strategy import Strategy, read_strategy
from gennaker.kubernetes.manifests.versioning import choose_version, content_hash, versions_of
from gennaker.kubernetes.moniker import Moniker, default_cluster
from gennaker.model.artifacts import Artifact

STRATEGIES = ("redblack", "bluegreen", "highlander", "none")
TRAFFIC_KINDS = ("ReplicaSet", "Pod", "Deployment", "StatefulSet", "DaemonSet")


@dataclass(frozen=True)
class TrafficOptions:
    """``trafficManagement`` of a deploy stage."""

    enabled: bool = False
    services: tuple[str, ...] = ()
    enable_traffic: bool = True
    strategy: str | None = None

    @classmethod
    def from_context(cls, value: Any) -> TrafficOptions:
        if not isinstance(value, Mapping) or not value.get("enabled"):
            return cls()
        options = value.get("options") or {}
        strategy = options.get("strategy")
        strategy = str(strategy).lower() if strategy else None
        if strategy is not None and strategy not in STRATEGIES:
            raise ManifestError(
                f"trafficManagement.options.strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}"
            )
        services = options.get("services") or []
        if not isinstance(services, list):
            raise ManifestError('trafficManagement.options.services must be a list like ["service web"]')
        return cls(True, tuple(str(s) for s in services), bool(options.get("enableTraffic", True)), strategy)

    @property
    def rollout(self) -> str | None:
        """The rollout strategy that adds stages after the deploy (None for none/dark rollouts)."""
        return (
            self.strategy
            if self.enabled and self.strategy in ("redblack", "bluegreen", "highlander")
            else None
        )


@dataclass
class DeployRequest:
    """What a deploy stage asks for (manifests already flattened and validated)."""

    account: str
    manifests: list[dict[str, Any]]
    application: str
    moniker: Mapping[str, Any] | None = None
    namespace_override: str | None = None
    required_artifacts: Sequence[Artifact] = ()
    optional_artifacts: Sequence[Artifact] = ()
    traffic: TrafficOptions = field(default_factory=TrafficOptions)
    enable_artifact_binding: bool = True
    skip_spec_template_labels: bool = False
    versioned: bool | None = None
    image_mode: ImageBindingMode = ImageBindingMode.MATCH_NAME_AND_TAG
    force_recreate: bool = False
    label_selectors: Mapping[str, Any] | None = None
    allow_nothing_selected: bool = False


@dataclass
class PlannedManifest:
    """One manifest, ready to apply."""

    manifest: dict[str, Any]
    handler: KindHandler
    strategy: Strategy
    artifact: Artifact
    where: str
    namespace: str
    base_name: str
    reused: bool = False

    @property
    def name(self) -> str:
        """``replicaSet web-v001`` (Spinnaker's manifest name)."""
        metadata = self.manifest.get("metadata") or {}
        return manifest_name(
            self.handler.kind, str(metadata.get("name") or metadata.get("generateName") or "")
        )

    @property
    def describe(self) -> str:
        return f"{self.name} in namespace {self.namespace}" if self.namespace else self.name


@dataclass
class DeployPlan:
    account: str
    manifests: list[PlannedManifest]
    bound: list[Artifact] = field(default_factory=list)
    traffic: TrafficOptions = field(default_factory=TrafficOptions)


class _Live:
    """Live reads of one plan, each asked once."""

    def __init__(self, client: KubeClient, manifests: list[dict[str, Any]]) -> None:
        self.client = client
        self._lists: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._defined = _defined_kinds(manifests)

    def handler(self, manifest: Mapping[str, Any], where: str) -> KindHandler:
        kind, api_version = str(manifest["kind"]), str(manifest["apiVersion"])
        known = KINDS.find(kind)
        if known is not None and known.api_version == api_version:
            return known
        if (api_version, kind) in self._defined:
            return self._defined[(api_version, kind)]
        try:
            return self.client.resource_for(api_version, kind)
        except KubernetesError as exc:
            raise ManifestError(f"{where} ({kind}): {exc}") from None

    def objects(self, handler: KindHandler, namespace: str) -> list[dict[str, Any]]:
        key = (handler.kind, namespace)
        if key not in self._lists:
            self._lists[key] = self.client.list(handler, namespace or None)[0]
        return self._lists[key]


def _defined_kinds(manifests: list[dict[str, Any]]) -> dict[tuple[str, str], KindHandler]:
    """Kinds the CustomResourceDefinitions of this very deploy define (applied before their resources,
    priority 30, so the API server serves them by the time the resources are applied)."""
    found: dict[tuple[str, str], KindHandler] = {}
    for manifest in manifests:
        if manifest.get("kind") != "CustomResourceDefinition":
            continue
        spec = manifest.get("spec") or {}
        names = spec.get("names") or {}
        if not (spec.get("group") and names.get("kind") and names.get("plural")):
            continue
        for version in spec.get("versions") or []:
            if isinstance(version, Mapping) and version.get("name"):
                api_version = f"{spec['group']}/{version['name']}"
                found[(api_version, str(names["kind"]))] = KINDS.generic(
                    str(names["kind"]),
                    api_version,
                    str(names["plural"]),
                    namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                )
    return found


def _moniker(request: DeployRequest, handler: KindHandler, base_name: str, sequence: int | None) -> Moniker:
    given = request.moniker or {}
    return Moniker(
        app=str(given.get("app") or request.application),
        cluster=str(given.get("cluster") or default_cluster(handler.kind, base_name)),
        stack=given.get("stack") or None,
        detail=given.get("detail") or None,
        sequence=sequence,
    )


def _pool(*groups: Sequence[Artifact]) -> list[Artifact]:
    """Artifacts merged by (type, name, location); earlier groups win."""
    seen: dict[Any, Artifact] = {}
    for group in groups:
        for artifact in group:
            seen.setdefault(artifact_key(artifact), artifact)
    return list(seen.values())


def _check_traffic(
    request: DeployRequest, planned: list[tuple[dict[str, Any], KindHandler, Strategy]]
) -> None:
    rollout = request.traffic.rollout
    if rollout is None:
        return
    workloads = [
        (m, h, s) for m, h, s in planned if h.spinnaker_kind in ("serverGroups", "serverGroupManagers")
    ]
    for manifest, handler, strategy in workloads:
        where = origin(manifest)
        if handler.kind != "ReplicaSet":
            raise TrafficError(
                f"{where}: the {rollout} strategy manages traffic between versions of ReplicaSets only, and "
                f"this manifest is a {handler.kind}; deploy a ReplicaSet or set the strategy to none"
            )
        history = strategy.max_version_history
        if rollout in ("redblack", "bluegreen") and history is not None and history < 2:
            raise TrafficError(
                f"{where}: the {rollout} strategy needs strategy.spinnaker.io/max-version-history of at "
                f"least 2 (the previous version must survive to be disabled), not {history}"
            )


def plan_deploy(
    request: DeployRequest, account: KubernetesAccount, client: KubeClient, default_namespace: str
) -> DeployPlan:
    """See the module docstring. Raises ``KubernetesError`` subclasses or ``UnboundArtifactsError``."""
    manifests = [copy.deepcopy(m) for m in request.manifests]
    live = _Live(client, manifests)
    if request.label_selectors:
        manifests = [m for m in manifests if matches_label_selectors(m, request.label_selectors)]
        if not manifests:
            if request.allow_nothing_selected:
                return DeployPlan(request.account, [], traffic=request.traffic)
            raise ManifestError(
                "labelSelectors selected none of the stage's manifests (allowNothingSelected is off)"
            )
    staged: list[tuple[dict[str, Any], KindHandler, Strategy]] = []
    for manifest in manifests:
        where = origin(manifest)
        handler = live.handler(manifest, where)
        metadata = manifest.setdefault("metadata", {})
        if handler.namespaced:
            namespace = request.namespace_override or metadata.get("namespace") or default_namespace
            metadata["namespace"] = str(namespace)
            account.check_namespace(str(namespace), where)
        else:
            metadata.pop("namespace", None)
        staged.append((manifest, handler, read_strategy(manifest, where)))
    _check_traffic(request, staged)
    staged.sort(key=lambda item: item[1].priority)
    planner = _Planner(request, live, staged)
    planned = [planner.plan_one(m, h, s) for m, h, s in staged]
    planner.check_required([m for m, _, _ in staged])
    return DeployPlan(request.account, planned, planner.bound, request.traffic)


class _Planner:
    """The state carried from one manifest to the next: produced and bound artifacts."""

    def __init__(
        self, request: DeployRequest, live: _Live, staged: list[tuple[dict[str, Any], KindHandler, Strategy]]
    ) -> None:
        self.request = request
        self.live = live
        self.produced: list[Artifact] = []
        self.bound_keys: list[Any] = []
        self.bound: list[Artifact] = []
        self.optional = list(request.optional_artifacts) if request.enable_artifact_binding else []
        self.originals = [copy.deepcopy(m) for m, _, _ in staged]
        self.services = {
            (str(m["metadata"].get("namespace") or ""), str(m["metadata"]["name"])): m
            for m, h, _ in staged
            if h.kind == "Service"
        }

    def bind(self, manifest: dict[str, Any], namespace: str) -> dict[str, Any]:
        pool = _pool(self.produced, self.request.required_artifacts, self.optional)
        if not pool:
            return manifest
        result = bind_artifacts(
            [strip_origin(manifest)],
            optional=pool,
            account=self.request.account,
            default_namespace=namespace,
            image_mode=self.request.image_mode,
        )
        for artifact in result.bound:
            if artifact_key(artifact) not in self.bound_keys:
                self.bound_keys.append(artifact_key(artifact))
                self.bound.append(artifact)
        return {**result.manifests[0], "__where__": origin(manifest)}

    def plan_one(self, original: dict[str, Any], handler: KindHandler, strategy: Strategy) -> PlannedManifest:
        request = self.request
        where = origin(original)
        namespace = str(original["metadata"].get("namespace") or "")
        manifest = self.bind(original, namespace)
        metadata = manifest["metadata"]
        generate_name = not metadata.get("name") and bool(metadata.get("generateName"))
        base_name = str(metadata.get("name") or metadata.get("generateName") or "")
        versioned = strategy.versioned
        if versioned is None:
            versioned = request.versioned if request.versioned is not None else handler.versioned
        versioned = versioned and not generate_name
        if strategy.use_source_capacity and handler.can_scale:
            _use_source_capacity(manifest, handler, namespace, base_name, versioned, self.live)
        digest = content_hash(manifest)
        number: int | None = None
        reused = False
        if versioned:
            choice = choose_version(base_name, digest, self.live.objects(handler, namespace))
            number, reused = choice.number, choice.reused
            metadata["name"] = versioned_name(base_name, number)
        artifact = versioned_artifact(handler.kind, base_name, number, namespace, request.account)
        annotate(
            manifest,
            _moniker(request, handler, base_name, number),
            artifact,
            content_hash=digest,
            skip_template_labels=request.skip_spec_template_labels,
        )
        if request.traffic.enabled and request.traffic.services and handler.kind in TRAFFIC_KINDS:
            self.attach_traffic(manifest, namespace, where)
        self.produced.append(artifact)
        return PlannedManifest(manifest, handler, strategy, artifact, where, namespace, base_name, reused)

    def attach_traffic(self, manifest: dict[str, Any], namespace: str, where: str) -> None:
        names = tr.service_names(self.request.traffic.services, where)
        tr.record_load_balancers(manifest, names, where)
        if not self.request.traffic.enable_traffic:
            return
        service_kind = KINDS.find("Service")
        assert service_kind is not None
        for name in names:
            service = self.services.get((namespace, name)) or self.live.client.get(
                service_kind, namespace, name
            )
            if service is None:
                raise TrafficError(
                    f"{where}: traffic management names service {name}, which is neither in this deploy nor "
                    f"in namespace {namespace}"
                )
            tr.attach(manifest, service, where)

    def check_required(self, manifests: list[dict[str, Any]]) -> None:
        unbound = [a for a in self.request.required_artifacts if artifact_key(a) not in self.bound_keys]
        if not unbound:
            return
        # Bind the unbound ones again on the manifests as written: that raises, with the reasons.
        bind_artifacts(
            [strip_origin(m) for m in self.originals],
            required=unbound,
            account=self.request.account,
            image_mode=self.request.image_mode,
        )
        raise UnboundArtifactsError([(a, "it matched no field of the deployed manifests") for a in unbound])


def _use_source_capacity(  # noqa: PLR0917
    manifest: dict[str, Any],
    handler: KindHandler,
    namespace: str,
    base_name: str,
    versioned: bool,
    live: _Live,
) -> None:
    """``strategy.spinnaker.io/use-source-capacity``: keep the live replica count."""
    objects = live.objects(handler, namespace)
    source: Mapping[str, Any] | None = None
    if versioned:
        versions = versions_of(split_versioned_name(base_name)[0], objects)
        source = versions[-1][1] if versions else None
    else:
        source = next((o for o in objects if (o.get("metadata") or {}).get("name") == base_name), None)
    replicas = ((source or {}).get("spec") or {}).get("replicas")
    if isinstance(replicas, int):
        manifest.setdefault("spec", {})["replicas"] = replicas
