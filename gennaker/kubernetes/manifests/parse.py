"""Manifests as stages give them, turned into a flat list of Kubernetes objects, or a clear error.

Who calls it: the manifest stages (deployManifest, runJobManifest, patchManifest) on their ``manifests`` /
legacy ``manifest`` fields and on the text of a manifest artifact.

Accepted: objects; lists of objects nested to any depth (Deck and SpEL produce them); ``kind: List``
objects (expanded into their ``items``); strings holding YAML or JSON, one or several documents
(``---``), which is what an artifact holds. Null documents are skipped (a trailing ``---``).

Errors (``ManifestError``) say where: ``manifests[2]``, the artifact, and for YAML/JSON the line and
column; a manifest without ``kind`` or ``apiVersion``, or with neither ``metadata.name`` nor (when allowed)
``metadata.generateName``, is rejected naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from gennaker.kubernetes.errors import ManifestError


def parse_documents(text: str, where: str) -> list[Any]:
    """The YAML (or JSON) documents of ``text``; ``ManifestError`` with line and column when malformed."""
    try:
        return [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "syntax error"
        raise ManifestError(f"{where} is not valid YAML or JSON{place}: {problem}") from None
    except yaml.YAMLError as exc:
        raise ManifestError(f"{where} is not valid YAML or JSON: {exc}") from None


def flatten(value: Any, where: str) -> list[dict[str, Any]]:
    """Objects out of nested lists, ``kind: List`` and YAML/JSON strings (see the module docstring)."""
    out: list[dict[str, Any]] = []

    def walk(item: Any, path: str) -> None:
        if item is None:
            return
        if isinstance(item, str):
            docs = parse_documents(item, path)
            for i, doc in enumerate(docs):
                walk(doc, f"{path} (document {i + 1})" if len(docs) > 1 else path)
            return
        if isinstance(item, list | tuple):
            for i, sub in enumerate(item):
                walk(sub, f"{path}[{i}]")
            return
        if not isinstance(item, Mapping):
            raise ManifestError(
                f"{path} is not a Kubernetes object (got {type(item).__name__}: {str(item)[:60]!r})"
            )
        if item.get("kind") == "List" and isinstance(item.get("items"), list):
            walk(item["items"], f"{path}.items")
            return
        obj = dict(item)
        obj["__where__"] = path
        out.append(obj)

    walk(value, where)
    return out


def validate(manifest: Mapping[str, Any], where: str, *, allow_generate_name: bool = False) -> None:
    """``ManifestError`` unless ``manifest`` has ``kind``, ``apiVersion`` and a name."""
    kind = manifest.get("kind")
    if not isinstance(kind, str) or not kind:
        raise ManifestError(f"{where} has no 'kind' (every Kubernetes object needs kind and apiVersion)")
    if not isinstance(manifest.get("apiVersion"), str) or not manifest.get("apiVersion"):
        raise ManifestError(f"{where} ({kind}) has no 'apiVersion'")
    metadata = manifest.get("metadata")
    if not isinstance(metadata, Mapping):
        raise ManifestError(f"{where} ({kind}) has no 'metadata'")
    if not metadata.get("name"):
        if allow_generate_name and metadata.get("generateName"):
            return
        wanted = "'metadata.name' (or 'metadata.generateName')" if allow_generate_name else "'metadata.name'"
        raise ManifestError(f"{where} ({kind}) has no {wanted}")
    if not isinstance(metadata.get("name", ""), str):
        raise ManifestError(f"{where} ({kind}): metadata.name must be a string")


def manifests_from(value: Any, where: str, *, allow_generate_name: bool = False) -> list[dict[str, Any]]:
    """Flatten and validate; every returned object keeps where it came from under ``__where__``."""
    found = flatten(value, where)
    if not found:
        raise ManifestError(f"{where} holds no manifest")
    for manifest in found:
        validate(manifest, manifest["__where__"], allow_generate_name=allow_generate_name)
    return found


def origin(manifest: Mapping[str, Any]) -> str:
    """Where a manifest came from (``manifests[1]``), for messages."""
    return str(manifest.get("__where__") or "manifest")


def strip_origin(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest without Gennaker's bookkeeping key."""
    return {k: v for k, v in manifest.items() if k != "__where__"}
