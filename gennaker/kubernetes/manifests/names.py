"""Spinnaker's manifest names: ``"<kind> <name>"`` with the kind in lowerCamel (``"replicaSet web-v003"``).

Who calls it: stages (``manifestName`` targets, ``manifestNamesByNamespace`` outputs), the traffic
strategies (``"service web"``) and the API (``/manifests/{account}/{namespace}/{kind name}``). Parsing
accepts any spelling of the kind the kind registry knows (``deployment``, ``Deployment``,
``deployment.apps``) and ``kind/name`` as kubectl writes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.kubernetes.errors import ManifestError
from gennaker.kubernetes.kinds import KINDS, lower_camel


def manifest_name(kind: str, name: str) -> str:
    """``ReplicaSet``, ``web-v003`` -> ``replicaSet web-v003``."""
    handler = KINDS.find(kind)
    return f"{handler.name if handler else lower_camel(kind)} {name}"


def name_of(obj: Mapping[str, Any]) -> str:
    """The manifest name of an object."""
    return manifest_name(str(obj.get("kind") or ""), str((obj.get("metadata") or {}).get("name") or ""))


def parse_manifest_name(value: str) -> tuple[str, str]:
    """``"replicaSet web-v003"`` (or ``replicaSet/web-v003``) -> (``ReplicaSet``, ``web-v003``); the kind
    is the registered spelling when known, else as given."""
    text = str(value or "").strip()
    if " " in text:
        kind, _, name = text.partition(" ")
    elif "/" in text:
        kind, _, name = text.partition("/")
    else:
        raise ManifestError(f"manifest name {value!r} must be '<kind> <name>', e.g. 'deployment web'")
    kind, name = kind.strip(), name.strip()
    if not kind or not name:
        raise ManifestError(f"manifest name {value!r} must be '<kind> <name>', e.g. 'deployment web'")
    handler = KINDS.find(kind)
    return (handler.kind if handler else kind[:1].upper() + kind[1:]), name
