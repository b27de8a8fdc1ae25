"""The remaining built-in kinds: HPAs (``autoscaling/v2``), ingresses and network policies
(``networking.k8s.io/v1``), PDBs (``policy/v1``), EndpointSlices (``discovery.k8s.io/v1``) and
CustomResourceDefinitions (``apiextensions.k8s.io/v1``).

Who calls it: :func:`gennaker.sandbox.kinds.register_builtins`. Serving the resources a CRD defines is
:mod:`gennaker.sandbox.crd`'s job; this module only validates and defaults CRD objects themselves.
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ..errors import FieldError
from ..registry import Column, Registry, ResourceType
from ..tables import AGE, dig, field
from ..validation import check_name

Obj = dict[str, Any]


def default_hpa(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    if not isinstance(spec, dict):
        return
    spec.setdefault("minReplicas", 1)
    if not spec.get("metrics"):
        spec["metrics"] = [
            {
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}},
            }
        ]


def validate_hpa(obj: Obj, old: Obj | None) -> list[FieldError]:
    spec = obj.get("spec") or {}
    out: list[FieldError] = []
    ref = spec.get("scaleTargetRef") or {}
    if not ref.get("kind"):
        out.append(errors.required("spec.scaleTargetRef.kind"))
    if not ref.get("name"):
        out.append(errors.required("spec.scaleTargetRef.name"))
    max_r, min_r = spec.get("maxReplicas"), spec.get("minReplicas", 1)
    if not isinstance(max_r, int) or max_r < 1:
        out.append(errors.invalid("spec.maxReplicas", max_r, "must be greater than or equal to 1"))
    elif isinstance(min_r, int) and min_r > max_r:
        out.append(
            errors.invalid("spec.maxReplicas", max_r, "must be greater than or equal to `minReplicas`")
        )
    return out


def default_network_policy(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    if isinstance(spec, dict) and not spec.get("policyTypes"):
        types = ["Ingress"]
        if spec.get("egress"):
            types.append("Egress")
        spec["policyTypes"] = types


def default_ingress(obj: Obj) -> None:
    for rule in dig(obj, "spec", "rules", default=[]) or []:
        for path in dig(rule, "http", "paths", default=[]) or []:
            if isinstance(path, dict):
                path.setdefault("pathType", "ImplementationSpecific")


def validate_pdb(obj: Obj, old: Obj | None) -> list[FieldError]:
    spec = obj.get("spec") or {}
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        return [errors.invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set")]
    return []


# -- CustomResourceDefinitions
def default_crd(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    names = spec.get("names")
    if isinstance(names, dict) and names.get("kind"):
        names.setdefault("singular", str(names["kind"]).lower())
        names.setdefault("listKind", str(names["kind"]) + "List")
    spec.setdefault("conversion", {"strategy": "None"})
    for v in spec.get("versions") or []:
        if isinstance(v, dict):
            v.setdefault("served", True)
            v.setdefault("storage", True)


def validate_crd(obj: Obj, old: Obj | None) -> list[FieldError]:
    spec = obj.get("spec") or {}
    out: list[FieldError] = []
    group, names = spec.get("group"), spec.get("names") or {}
    plural = names.get("plural")
    if not group:
        out.append(errors.required("spec.group"))
    elif "." not in str(group):
        out.append(errors.invalid("spec.group", group, "should be a domain with at least one dot"))
    if not plural:
        out.append(errors.required("spec.names.plural"))
    else:
        out += check_name(str(plural), "spec.names.plural", "label")
    if not names.get("kind"):
        out.append(errors.required("spec.names.kind"))
    scope = spec.get("scope")
    if scope not in ("Namespaced", "Cluster"):
        out.append(errors.not_supported("spec.scope", scope, ["Cluster", "Namespaced"]))
    versions = spec.get("versions") or []
    if not versions or sum(1 for v in versions if isinstance(v, dict) and v.get("storage")) != 1:
        out.append(
            errors.invalid(
                "spec.versions", versions, "must have exactly one version marked as storage version"
            )
        )
    for i, v in enumerate(versions):
        if not isinstance(v, dict) or not v.get("name"):
            out.append(errors.required(f"spec.versions[{i}].name"))
    name = (obj.get("metadata") or {}).get("name")
    if plural and group and name != f"{plural}.{group}":
        out.append(errors.invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group'))
    if old is not None:
        if (old.get("spec") or {}).get("group") != group:
            out.append(errors.immutable("spec.group", group))
        if (old.get("spec") or {}).get("scope") != scope:
            out.append(errors.immutable("spec.scope", scope))
    return out


def register(reg: Registry) -> None:
    reg.add(
        ResourceType(
            "autoscaling",
            "v2",
            "HorizontalPodAutoscaler",
            "horizontalpodautoscalers",
            "horizontalpodautoscaler",
            True,
            short_names=("hpa",),
            categories=("all",),
            status=True,
            status_zero={"desiredReplicas": 0},
            defaulters=[default_hpa],
            validators=[validate_hpa],
            columns=[
                Column(
                    "Reference",
                    "string",
                    lambda o: (
                        f"{dig(o, 'spec', 'scaleTargetRef', 'kind', default='')}/"
                        f"{dig(o, 'spec', 'scaleTargetRef', 'name', default='')}"
                    ),
                ),
                Column("MinPods", "string", lambda o: str(dig(o, "spec", "minReplicas", default=1))),
                Column("MaxPods", "integer", field("spec", "maxReplicas")),
                Column("Replicas", "integer", field("status", "currentReplicas")),
                AGE,
            ],
        )
    )
    reg.add(
        ResourceType(
            "networking.k8s.io",
            "v1",
            "Ingress",
            "ingresses",
            "ingress",
            True,
            short_names=("ing",),
            status=True,
            defaulters=[default_ingress],
            columns=[
                Column("Class", "string", field("spec", "ingressClassName", default="<none>")),
                Column(
                    "Hosts",
                    "string",
                    lambda o: (
                        ",".join(r.get("host", "*") for r in dig(o, "spec", "rules", default=[]) or []) or "*"
                    ),
                ),
                Column(
                    "Address",
                    "string",
                    lambda o: ",".join(
                        i.get("ip") or i.get("hostname", "")
                        for i in dig(o, "status", "loadBalancer", "ingress", default=[]) or []
                    ),
                ),
                Column("Ports", "string", lambda o: "80, 443" if dig(o, "spec", "tls") else "80"),
                AGE,
            ],
        )
    )
    reg.add(
        ResourceType(
            "networking.k8s.io",
            "v1",
            "NetworkPolicy",
            "networkpolicies",
            "networkpolicy",
            True,
            short_names=("netpol",),
            defaulters=[default_network_policy],
        )
    )
    reg.add(
        ResourceType(
            "policy",
            "v1",
            "PodDisruptionBudget",
            "poddisruptionbudgets",
            "poddisruptionbudget",
            True,
            short_names=("pdb",),
            status=True,
            validators=[validate_pdb],
            columns=[
                Column(
                    "Min Available", "string", lambda o: str(dig(o, "spec", "minAvailable", default="N/A"))
                ),
                Column(
                    "Max Unavailable",
                    "string",
                    lambda o: str(dig(o, "spec", "maxUnavailable", default="N/A")),
                ),
                Column("Allowed Disruptions", "integer", field("status", "disruptionsAllowed")),
                AGE,
            ],
        )
    )
    reg.add(
        ResourceType(
            "discovery.k8s.io",
            "v1",
            "EndpointSlice",
            "endpointslices",
            "endpointslice",
            True,
            track_generation=False,
        )
    )
    reg.add(
        ResourceType(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            "customresourcedefinition",
            False,
            short_names=("crd", "crds"),
            status=True,
            defaulters=[default_crd],
            validators=[validate_crd],
            columns=[
                Column("Created At", "date", lambda o: dig(o, "metadata", "creationTimestamp", default=""))
            ],
        )
    )
