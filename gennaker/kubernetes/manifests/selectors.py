"""Spinnaker's label selectors: ``{"selectors": [{"key", "kind", "values"}]}``.

Who calls it: deployManifest's ``labelSelectors`` (deploy only the matching manifests) and label targets
(deleteManifest and friends with ``kinds`` + ``labelSelectors``, turned into kubectl's ``-l``).

Kinds: ``EQUALS`` (label = values[0]), ``NOT_EQUALS``, ``CONTAINS`` (label in values), ``NOT_CONTAINS``,
``EXISTS``, ``NOT_EXISTS``, ``ANY`` (any value: the key exists). Every selector must match. A bare
string (``"app=web,tier!=db"``) is accepted as kubectl's syntax for targets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.kubernetes.errors import ManifestError

KINDS = ("EQUALS", "NOT_EQUALS", "CONTAINS", "NOT_CONTAINS", "EXISTS", "NOT_EXISTS", "ANY")


def _selectors(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        value = value.get("selectors")
    if not isinstance(value, list):
        raise ManifestError('labelSelectors must be {"selectors": [{"key", "kind", "values"}]}')
    for i, item in enumerate(value):
        if not isinstance(item, Mapping) or not item.get("key"):
            raise ManifestError(f"labelSelectors.selectors[{i}] needs a 'key'")
        if str(item.get("kind", "EQUALS")).upper() not in KINDS:
            raise ManifestError(f"labelSelectors.selectors[{i}].kind must be one of {', '.join(KINDS)}")
    return value


def matches_label_selectors(manifest: Mapping[str, Any], value: Any) -> bool:
    """Whether ``manifest``'s ``metadata.labels`` satisfy every selector."""
    labels = (manifest.get("metadata") or {}).get("labels") or {}
    for item in _selectors(value):
        key, kind = str(item["key"]), str(item.get("kind", "EQUALS")).upper()
        values = [str(v) for v in item.get("values") or []]
        present = key in labels
        label = str(labels.get(key)) if present else None
        ok = {
            "EQUALS": present and bool(values) and label == values[0],
            "NOT_EQUALS": not (present and bool(values) and label == values[0]),
            "CONTAINS": present and label in values,
            "NOT_CONTAINS": not (present and label in values),
            "EXISTS": present,
            "ANY": present,
            "NOT_EXISTS": not present,
        }[kind]
        if not ok:
            return False
    return True


def to_kubectl(value: Any) -> str:
    """kubectl's ``-l`` syntax for Spinnaker selectors (a string is passed through)."""
    if isinstance(value, str):
        return value
    return ",".join(_requirement(item) for item in _selectors(value))


def _requirement(item: Mapping[str, Any]) -> str:
    key, kind = str(item["key"]), str(item.get("kind", "EQUALS")).upper()
    values = [str(v) for v in item.get("values") or []]
    if kind in ("EQUALS", "NOT_EQUALS") and not values:
        raise ManifestError(f"label selector {key} {kind} needs a value")
    if kind == "EQUALS":
        return f"{key}={values[0]}"
    if kind == "NOT_EQUALS":
        return f"{key}!={values[0]}"
    if kind == "CONTAINS":
        return f"{key} in ({','.join(values)})"
    if kind == "NOT_CONTAINS":
        return f"{key} notin ({','.join(values)})"
    if kind == "NOT_EXISTS":
        return f"!{key}"
    return key
