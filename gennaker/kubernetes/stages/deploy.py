"""deploy: Spinnaker V1's classic deploy stage, for teams who do not want to write manifests.

Stage JSON (Spinnaker's ``clusters[]``)::

    {"type": "deploy", "clusters": [{
        "account": "sandbox", "application": "shop", "stack": "prod", "freeFormDetails": "canary",
        "namespace": "shop", "capacity": {"min": 2, "max": 2, "desired": 2},
        "containers": [{"name": "web", "image": "ghcr.io/acme/web:1.2",
                        "ports": [{"containerPort": 8080, "name": "http"}],
                        "env": [{"name": "MODE", "value": "prod"}],
                        "resources": {"requests": {"cpu": "100m"}},
                        "readinessProbe": {"httpGet": {"path": "/health", "port": 8080}}}],
        "loadBalancers": ["shop-prod"], "strategy": "redblack", "maxRemainingAsgs": 3}]}

What it does: for each cluster it generates a ReplicaSet ``<app>-<stack>-<detail>`` (Frigga's name; empty
parts dropped, a detail without a stack gives ``app--detail``) and, for each load balancer, a Service
selecting ``load-balancer-<name>: "true"`` with the containers' ports (``createLoadBalancers: false``: the
Services must exist already; a load balancer given as ``{"name", "ports", "type"}`` sets its ports and
type). Each cluster then runs as a synthetic ``deployManifest`` stage (in parallel, as Orca runs one
createServerGroup per cluster) with ``trafficManagement`` from the strategy, so versioning
(``app-stack-detail-v000``, ``-v001``...), moniker annotations, attaching to the Services, the wait for
stability and red/black or highlander are exactly the manifest path's. ``maxRemainingAsgs`` becomes
``strategy.spinnaker.io/max-version-history``.

Fields per cluster: ``account`` (or ``credentials``), ``application`` (default: the pipeline's), ``stack``,
``freeFormDetails`` (or ``detail``), ``namespace`` (or ``region``; default: the account's),
``capacity.desired`` (or ``targetSize``; default 1), ``containers`` (``image`` or V1's ``imageDescription
{registry, repository, tag}``, ``name``, ``ports``, ``env``/``envVars`` as a list or a mapping,
``resources``, ``readinessProbe``/``livenessProbe``/``startupProbe``, ``command``, ``args``),
``loadBalancers``, ``strategy`` (``redblack``, ``highlander``, ``none`` or empty; red/black and
highlander need a load balancer), ``podAnnotations``, ``labels``. Every bad field fails the stage naming
``clusters[i].<field>``.

Outputs (Orca's, for later stages' expressions): ``deploy.server.groups`` (``{namespace: [server group]}``)
and ``deploy.account.name``, collected from the deployManifest stages once they are done.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gennaker.engine.stagedef import (
    PlanInput,
    StageDefinition,
    SyntheticStage,
    TaskDefinition,
    TaskInput,
    TaskResult,
)
from gennaker.kubernetes.manifests.strategy import MAX_VERSION_HISTORY
from gennaker.kubernetes.stages.common import Locate, StageFieldError, registrar

STAGE_TYPE = "deploy"
STRATEGIES = {"": "none", "none": "none", "redblack": "redblack", "highlander": "highlander"}
_DNS = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def server_group_base(app: str, stack: str, detail: str) -> str:
    """Frigga's cluster name: ``app``, ``app-stack``, ``app-stack-detail``, ``app--detail``."""
    if detail:
        return f"{app}-{stack}-{detail}"
    return f"{app}-{stack}" if stack else app


def _str(cluster: Mapping[str, Any], where: str, *keys: str, default: str = "") -> str:
    for key in keys:
        value = cluster.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise StageFieldError(f"{where}.{key} must be a string, not {value!r}")
        return str(value)
    return default


def _image(container: Mapping[str, Any], where: str) -> str:
    image = container.get("image")
    if isinstance(image, str) and image:
        return image
    desc = container.get("imageDescription")
    if isinstance(desc, Mapping) and desc.get("repository"):
        registry, tag = desc.get("registry"), desc.get("tag") or "latest"
        return f"{registry + '/' if registry else ''}{desc['repository']}:{tag}"
    raise StageFieldError(f"{where}.image is required (an image reference, e.g. 'ghcr.io/acme/web:1')")


def _env(container: Mapping[str, Any], where: str) -> list[dict[str, Any]]:
    value = container.get("env", container.get("envVars"))
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [{"name": str(k), "value": str(v)} for k, v in value.items()]
    if isinstance(value, list) and all(isinstance(e, Mapping) and e.get("name") for e in value):
        return [dict(e) for e in value]
    raise StageFieldError(f"{where}.env must be a mapping or a list of {{name, value}}, not {value!r}")


def _ports(container: Mapping[str, Any], where: str) -> list[dict[str, Any]]:
    ports = container.get("ports") or []
    if not isinstance(ports, list):
        raise StageFieldError(f"{where}.ports must be a list of {{containerPort, name, protocol}}")
    out = []
    for i, port in enumerate(ports):
        number = port.get("containerPort") if isinstance(port, Mapping) else port
        if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 65536:
            raise StageFieldError(f"{where}.ports[{i}].containerPort must be a port number, not {number!r}")
        entry = dict(port) if isinstance(port, Mapping) else {}
        entry["containerPort"] = number
        out.append(entry)
    return out


def container(spec: Any, where: str, default_name: str) -> dict[str, Any]:
    if not isinstance(spec, Mapping):
        raise StageFieldError(f"{where} must be an object with at least an image")
    image = _image(spec, where)
    name = str(
        spec.get("name")
        or re.sub(r"[^a-z0-9-]", "-", image.rsplit("/", 1)[-1].split(":")[0].split("@")[0].lower())
        or default_name
    )
    if not _DNS.match(name):
        raise StageFieldError(f"{where}.name {name!r} is not a valid container name (lowercase, digits, '-')")
    out: dict[str, Any] = {"name": name, "image": image}
    if ports := _ports(spec, where):
        out["ports"] = ports
    if env := _env(spec, where):
        out["env"] = env
    for key in (
        "resources",
        "readinessProbe",
        "livenessProbe",
        "startupProbe",
        "command",
        "args",
        "imagePullPolicy",
    ):
        if spec.get(key) is not None:
            out[key] = spec[key]
    return out


def load_balancer_services(
    cluster: Mapping[str, Any], where: str, namespace: str | None, containers: list[dict[str, Any]]
) -> tuple[list[str], list[dict[str, Any]]]:
    """The Service names and the Service manifests to generate (none with ``createLoadBalancers: false``)."""
    entries = cluster.get("loadBalancers") or []
    if not isinstance(entries, list):
        raise StageFieldError(f"{where}.loadBalancers must be a list of Service names")
    names: list[str] = []
    services: list[dict[str, Any]] = []
    default_ports = [
        {
            k: v
            for k, v in {
                "name": p.get("name"),
                "port": p["containerPort"],
                "targetPort": p["containerPort"],
                "protocol": p.get("protocol"),
            }.items()
            if v
        }
        for c in containers
        for p in c.get("ports") or []
    ]
    for i, entry in enumerate(entries):
        spec = entry if isinstance(entry, Mapping) else {"name": entry}
        name = spec.get("name")
        if not isinstance(name, str) or not _DNS.match(name):
            raise StageFieldError(
                f"{where}.loadBalancers[{i}] must name a Service (lowercase, digits, '-'), not {entry!r}"
            )
        names.append(name)
        if cluster.get("createLoadBalancers") is False:
            continue
        ports = spec.get("ports") or default_ports
        if not ports:
            raise StageFieldError(
                f"{where}.loadBalancers[{i}]: Service {name} needs ports: give the containers ports, or the "
                "load balancer {name, ports}"
            )
        metadata: dict[str, Any] = {"name": name}
        if namespace:
            metadata["namespace"] = namespace
        service_spec: dict[str, Any] = {"selector": {f"load-balancer-{name}": "true"}, "ports": ports}
        if spec.get("type"):
            service_spec["type"] = spec["type"]
        services.append({"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": service_spec})
    return names, services


def cluster_stage(cluster: Any, i: int, default_app: str) -> SyntheticStage:
    """The ``deployManifest`` stage of ``clusters[i]``."""
    where = f"clusters[{i}]"
    if not isinstance(cluster, Mapping):
        raise StageFieldError(f"{where} must be an object")
    account = _str(cluster, where, "account", "credentials")
    if not account:
        raise StageFieldError(f"{where}.account is required (the Kubernetes account to deploy to)")
    app = _str(cluster, where, "application", default=default_app)
    if not app:
        raise StageFieldError(f"{where}.application is required")
    stack = _str(cluster, where, "stack")
    detail = _str(cluster, where, "freeFormDetails", "detail")
    for key, value in (("application", app), ("stack", stack), ("freeFormDetails", detail)):
        if (
            value
            and not re.fullmatch(r"[a-z0-9]+", value)
            and not (key == "freeFormDetails" and _DNS.match(value))
        ):
            raise StageFieldError(f"{where}.{key} {value!r} may hold only lowercase letters and digits")
    namespace = _str(cluster, where, "namespace", "region") or None
    capacity: Mapping[str, Any] = cluster["capacity"] if isinstance(cluster.get("capacity"), Mapping) else {}
    replicas = capacity.get("desired", cluster.get("targetSize", 1))
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
        raise StageFieldError(f"{where}.capacity.desired must be a whole number >= 0, not {replicas!r}")
    specs = cluster.get("containers")
    if not isinstance(specs, list) or not specs:
        raise StageFieldError(f"{where}.containers is required: a list of containers with an image")
    containers = [container(c, f"{where}.containers[{j}]", f"c{j}") for j, c in enumerate(specs)]
    strategy = STRATEGIES.get(str(cluster.get("strategy") or "").lower())
    if strategy is None:
        raise StageFieldError(
            f"{where}.strategy must be redblack, highlander or none, not {cluster.get('strategy')!r}"
        )
    names, services = load_balancer_services(cluster, where, namespace, containers)
    if strategy != "none" and not names:
        raise StageFieldError(
            f"{where}: the {strategy} strategy needs loadBalancers (Services to move traffic between)"
        )
    base = server_group_base(app, stack, detail)
    labels = {**dict(cluster.get("labels") or {}), "app": app, "cluster": base}
    annotations: dict[str, Any] = {}
    if cluster.get("maxRemainingAsgs") is not None:
        annotations[MAX_VERSION_HISTORY] = str(cluster["maxRemainingAsgs"])
    metadata: dict[str, Any] = {"name": base, "labels": labels, "annotations": annotations}
    if namespace:
        metadata["namespace"] = namespace
    template_meta: dict[str, Any] = {"labels": dict(labels)}
    if cluster.get("podAnnotations"):
        template_meta["annotations"] = dict(cluster["podAnnotations"])
    replica_set = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": metadata,
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": app, "cluster": base}},
            "template": {"metadata": template_meta, "spec": {"containers": containers}},
        },
    }
    moniker = {k: v for k, v in {"app": app, "stack": stack, "detail": detail}.items() if v}
    context: dict[str, Any] = {
        "account": account,
        "cloudProvider": "kubernetes",
        "source": "text",
        "manifests": [*services, replica_set],
        "moniker": moniker,
        "skipExpressionEvaluation": True,
        "trafficManagement": {
            "enabled": bool(names),
            "options": {
                "enableTraffic": True,
                "services": [f"service {n}" for n in names],
                "strategy": strategy,
            },
        },
    }
    for key in ("failFast", "failFastGraceSeconds", "stageTimeoutMs"):
        if key in cluster:
            context[key] = cluster[key]
    return SyntheticStage("deployManifest", f"Deploy {base} in {account}", context, parallel=True)


def plan_clusters(stage: PlanInput) -> list[SyntheticStage]:
    clusters = stage.context.get("clusters")
    if not isinstance(clusters, list) or not clusters:
        raise StageFieldError("clusters is required: a list of clusters to deploy")
    app = str(stage.context.get("application") or "")
    return [
        cluster_stage(c, i, str(c.get("application") or app) if isinstance(c, Mapping) else app)
        for i, c in enumerate(clusters)
    ]


def collect_server_groups(task: TaskInput) -> TaskResult:
    """Orca's outputs of a deploy stage, from its deployManifest stages: ``deploy.server.groups``
    (``{namespace: ["app-stack-detail-v001"]}``) and ``deploy.account.name``."""
    groups: dict[str, list[str]] = {}
    accounts: list[str] = []
    for child in task.execution_json().get("stages") or []:
        if child.get("parentStageId") != task.stage_id or child.get("type") != "deployManifest":
            continue
        context = child.get("context") or {}
        if context.get("account") and context["account"] not in accounts:
            accounts.append(str(context["account"]))
        for manifest in context.get("outputs.manifests") or []:
            if manifest.get("kind") == "ReplicaSet":
                metadata = manifest.get("metadata") or {}
                groups.setdefault(str(metadata.get("namespace") or ""), []).append(str(metadata.get("name")))
    outputs: dict[str, Any] = {"deploy.server.groups": groups}
    if accounts:
        outputs["deploy.account.name"] = accounts[0]
    return TaskResult.succeeded(outputs, outputs)


def definition(locate: Locate) -> StageDefinition:
    del locate  # the synthetic deployManifest stages find the service themselves
    return StageDefinition(
        type=STAGE_TYPE,
        tasks=(
            TaskDefinition(
                "collectServerGroups",
                collect_server_groups,
                implementing_class="gennaker.kubernetes.stages.deploy.CollectServerGroupsTask",
            ),
        ),
        before_stages=plan_clusters,
        description="Deploy server groups from Spinnaker V1 clusters[] through the manifest path.",
    )


register = registrar(definition)
