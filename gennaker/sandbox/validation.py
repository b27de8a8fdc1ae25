"""Validation helpers shared by the kinds: names, labels, object metadata, pod specs and templates.

Who calls it: the write path validates every object's metadata here (:func:`validate_object_meta`); the
per-kind validators in ``gennaker.sandbox.kinds`` build on :func:`validate_pod_spec`,
:func:`validate_selector_matches` and :func:`immutable_fields`.

Every function returns a list of :class:`~gennaker.sandbox.errors.FieldError` (empty when valid) with the
API server's field paths and messages, which the write path turns into one 422 Invalid Status.
Nothing here persists.
"""

from __future__ import annotations

import re
from typing import Any

from . import errors
from .errors import FieldError
from .selectors import from_label_selector

Obj = dict[str, Any]

DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN = DNS1123_LABEL + r"(\." + DNS1123_LABEL + ")*"
DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?"
LABEL_VALUE = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"
QUALIFIED_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"

_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
_DNS1035_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
_QUALIFIED_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


def check_name(value: str, path: str, style: str = "subdomain") -> list[FieldError]:
    """A DNS-1123 subdomain (default), DNS-1123 ``label``, ``dns1035`` label or a ``path`` segment name."""
    if style == "path":
        if value in (".", "..") or "/" in value or "%" in value:
            return [errors.invalid(path, value, 'may not contain "/" or "%"')]
        return []
    if style == "label":
        out = []
        if len(value) > 63:
            out.append(errors.invalid(path, value, "must be no more than 63 characters"))
        if not re.fullmatch(DNS1123_LABEL, value):
            out.append(errors.invalid(path, value, _LABEL_MSG))
        return out
    if style == "dns1035":
        out = []
        if len(value) > 63:
            out.append(errors.invalid(path, value, "must be no more than 63 characters"))
        if not re.fullmatch(DNS1035_LABEL, value):
            out.append(errors.invalid(path, value, _DNS1035_MSG))
        return out
    out = []
    if len(value) > 253:
        out.append(errors.invalid(path, value, "must be no more than 253 characters"))
    if not re.fullmatch(DNS1123_SUBDOMAIN, value):
        out.append(errors.invalid(path, value, _SUBDOMAIN_MSG))
    return out


def check_qualified_key(key: str, path: str) -> list[FieldError]:
    prefix, _, name = key.rpartition("/")
    out = []
    if prefix:
        out += [errors.invalid(path, key, "prefix part " + e.detail) for e in check_name(prefix, path)]
    if not name or len(name) > 63 or not re.fullmatch(QUALIFIED_NAME, name):
        out.append(errors.invalid(path, key, _QUALIFIED_MSG))
    return out


def check_labels(labels: Any, path: str) -> list[FieldError]:
    if labels is None:
        return []
    if not isinstance(labels, dict):
        return [errors.invalid(path, labels, "must be a map of strings")]
    out: list[FieldError] = []
    for k, v in labels.items():
        out += check_qualified_key(str(k), path)
        if not isinstance(v, str):
            out.append(errors.invalid(f"{path}", v, "label values must be strings"))
        elif len(v) > 63 or not re.fullmatch(LABEL_VALUE, v):
            out.append(errors.invalid(path, v, _LABEL_VALUE_MSG))
    return out


def validate_object_meta(obj: Obj, namespaced: bool, name_style: str) -> list[FieldError]:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return [errors.required("metadata")]
    out: list[FieldError] = []
    name = meta.get("name")
    if not name:
        out.append(errors.required("metadata.name", "name or generateName is required"))
    elif not isinstance(name, str):
        out.append(errors.invalid("metadata.name", name, "must be a string"))
    else:
        out += check_name(name, "metadata.name", name_style)
    if namespaced and not meta.get("namespace"):
        out.append(errors.required("metadata.namespace"))
    if not namespaced and meta.get("namespace"):
        out.append(errors.forbidden("metadata.namespace", "not allowed on this type"))
    out += check_labels(meta.get("labels"), "metadata.labels")
    annotations = meta.get("annotations")
    if annotations is not None:
        if not isinstance(annotations, dict) or not all(isinstance(v, str) for v in annotations.values()):
            out.append(
                errors.invalid("metadata.annotations", annotations, "annotation values must be strings")
            )
        else:
            for k in annotations:
                out += check_qualified_key(str(k), "metadata.annotations")
    for i, ref in enumerate(meta.get("ownerReferences") or []):
        p = f"metadata.ownerReferences[{i}]"
        for f in ("apiVersion", "kind", "name", "uid"):
            if not isinstance(ref, dict) or not ref.get(f):
                out.append(
                    errors.invalid(
                        f"{p}.{f}",
                        (ref or {}).get(f, "") if isinstance(ref, dict) else ref,
                        f"{f} must not be empty",
                    )
                )
    return out


def validate_container(c: Any, path: str, names: set[str]) -> list[FieldError]:
    if not isinstance(c, dict):
        return [errors.invalid(path, c, "must be an object")]
    out: list[FieldError] = []
    name = c.get("name")
    if not name:
        out.append(errors.required(f"{path}.name"))
    else:
        out += check_name(str(name), f"{path}.name", "label")
        if name in names:
            out.append(errors.FieldError(errors.DUPLICATE, f"{path}.name", "", name))
        names.add(str(name))
    if not c.get("image"):
        out.append(errors.required(f"{path}.image"))
    policy = c.get("imagePullPolicy")
    if policy is not None and policy not in ("Always", "IfNotPresent", "Never"):
        out.append(
            errors.not_supported(f"{path}.imagePullPolicy", policy, ["Always", "IfNotPresent", "Never"])
        )
    for j, port in enumerate(c.get("ports") or []):
        pp = f"{path}.ports[{j}]"
        cp = port.get("containerPort") if isinstance(port, dict) else None
        if not isinstance(cp, int) or not 0 < cp < 65536:
            out.append(errors.invalid(f"{pp}.containerPort", cp, "must be between 1 and 65535, inclusive"))
        proto = port.get("protocol") if isinstance(port, dict) else None
        if proto not in (None, "TCP", "UDP", "SCTP"):
            out.append(errors.not_supported(f"{pp}.protocol", proto, ["SCTP", "TCP", "UDP"]))
    return out


def validate_pod_spec(spec: Any, path: str) -> list[FieldError]:
    if not isinstance(spec, dict):
        return [errors.required(path)]
    out: list[FieldError] = []
    containers = spec.get("containers")
    if not containers:
        out.append(errors.required(f"{path}.containers"))
    names: set[str] = set()
    for i, c in enumerate(containers or []):
        out += validate_container(c, f"{path}.containers[{i}]", names)
    for i, c in enumerate(spec.get("initContainers") or []):
        out += validate_container(c, f"{path}.initContainers[{i}]", names)
    policy = spec.get("restartPolicy")
    if policy is not None and policy not in ("Always", "OnFailure", "Never"):
        out.append(errors.not_supported(f"{path}.restartPolicy", policy, ["Always", "OnFailure", "Never"]))
    vols: set[str] = set()
    for i, v in enumerate(spec.get("volumes") or []):
        vname = v.get("name") if isinstance(v, dict) else None
        if not vname:
            out.append(errors.required(f"{path}.volumes[{i}].name"))
        elif vname in vols:
            out.append(errors.FieldError(errors.DUPLICATE, f"{path}.volumes[{i}].name", "", vname))
        else:
            vols.add(vname)
    return out


def validate_template(template: Any, path: str) -> list[FieldError]:
    if not isinstance(template, dict):
        return [errors.required(path)]
    out = check_labels((template.get("metadata") or {}).get("labels"), f"{path}.metadata.labels")
    out += validate_pod_spec(template.get("spec"), f"{path}.spec")
    return out


def validate_selector_matches(obj: Obj, kind_word: str, required: bool = True) -> list[FieldError]:
    """``spec.selector`` must exist, be non-empty and select ``spec.template.metadata.labels``."""
    spec = obj.get("spec") or {}
    sel = spec.get("selector")
    if sel is None:
        return [errors.required("spec.selector")] if required else []
    if not isinstance(sel, dict) or not (sel.get("matchLabels") or sel.get("matchExpressions")):
        return [errors.invalid("spec.selector", sel, f"empty selector is invalid for {kind_word}")]
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if not from_label_selector(sel).matches(labels):
        return [
            errors.invalid(
                "spec.template.metadata.labels", labels, "`selector` does not match template `labels`"
            )
        ]
    return []


def get_path(obj: Any, dotted: str) -> Any:
    cur = obj
    for part in dotted.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def immutable_fields(new: Obj, old: Obj | None, paths: tuple[str, ...]) -> list[FieldError]:
    """An Invalid "field is immutable" error for each dotted path whose value changed."""
    if old is None:
        return []
    from .semantic import equal

    out = []
    for p in paths:
        if not equal(get_path(new, p), get_path(old, p)):
            out.append(errors.immutable(p, get_path(new, p)))
    return out


def non_negative(obj: Obj, dotted: str) -> list[FieldError]:
    v = get_path(obj, dotted)
    if v is None:
        return []
    if not isinstance(v, int) or isinstance(v, bool):
        return [errors.invalid(dotted, v, "must be an integer")]
    if v < 0:
        return [errors.invalid(dotted, v, "must be greater than or equal to 0")]
    return []
