"""Helm values for a bake: values files merged in order, then ``overrides`` with ``--set`` semantics.

Who calls it: the HELM3 renderer (``gennaker.bake.helm``). What Rosco does with ``helm template``, done
with the Helm SDK's own parsers so the semantics are Helm's:

- values files (the input artifacts after the chart) are parsed by Helm's YAML reader
  (``helm_python.values_from_yaml``) and merged like repeated ``--values``: later files win, maps merge
  recursively, anything else is replaced;
- each ``overrides`` entry ``key: value`` is one ``--set-string key=value`` (``rawOverrides: true``:
  ``--set``, where ``true``, ``3`` and ``null`` become typed values), parsed by Helm's strvals parser:
  nested keys ``a.b.c``, list items ``a[0]``, ``\\.`` for a dot inside a key, ``\\,`` for a comma inside a
  value, ``{a,b}`` lists. A value that is a JSON list or object is sent as ``--set-json`` instead. The
  parsed entry is applied onto the values so far as Helm's ``ParseInto`` does: ``a[1]=x`` changes only
  item 1 of an existing list;
- a value's text is what Spinnaker's ``toString()`` gives: ``true``/``false``, numbers as written.
Errors name the override key or the values file, with Helm's own message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from gennaker.bake.errors import BakeConfigError, RendererError


def _helm() -> Any:
    import helm_python

    return helm_python


def value_text(value: Any) -> str:
    """An override value as text, as Spinnaker's ``toString()`` writes JSON scalars."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def merge_values(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``extra`` merged onto ``base`` like repeated ``--values`` (maps recursively; ``base`` unchanged)."""
    out = dict(base)
    for key, value in extra.items():
        current = out.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            out[key] = merge_values(current, value)
        else:
            out[key] = value
    return out


def _apply_set(base: Any, parsed: Any) -> Any:
    """Apply one parsed ``--set`` entry onto ``base`` as Helm's ``ParseInto`` does."""
    if isinstance(parsed, Mapping):
        out = dict(base) if isinstance(base, Mapping) else {}
        for key, value in parsed.items():
            out[key] = _apply_set(out.get(key), value)
        return out
    if isinstance(parsed, list):
        out_list = list(base) if isinstance(base, list) else []
        for index, value in enumerate(parsed):
            if index >= len(out_list):
                out_list.append(value)
            elif value is not None:
                out_list[index] = _apply_set(out_list[index], value)
        return out_list
    return parsed


def parse_values_file(text: str, label: str) -> dict[str, Any]:
    """A values file's content as a map; ``RendererError`` with Helm's message and the file's label."""
    helm = _helm()
    try:
        parsed = helm.values_from_yaml(text)
    except helm.HelmError as exc:
        raise RendererError(f"values file {label} is not valid YAML: {exc}") from None
    return dict(parsed or {})


def apply_overrides(values: dict[str, Any], overrides: Mapping[str, Any], *, raw: bool) -> dict[str, Any]:
    """``values`` with every override applied in order (``raw``: ``--set``, else ``--set-string``)."""
    helm = _helm()
    out: Any = dict(values)
    for key, value in overrides.items():
        if not isinstance(key, str) or not key.strip():
            raise BakeConfigError(f"overrides: every key must be a non-empty string (got {key!r})")
        try:
            if isinstance(value, list | dict):
                parsed = helm.parse_set_json(f"{key}={json.dumps(value)}")
            elif raw:
                parsed = helm.parse_set_string(f"{key}={value_text(value)}")
            else:
                parsed = helm.parse_set_string_values(f"{key}={value_text(value)}")
        except helm.HelmError as exc:
            flag = "--set-json" if isinstance(value, list | dict) else ("--set" if raw else "--set-string")
            raise RendererError(f"overrides[{key!r}] ({flag}): {exc}") from None
        out = _apply_set(out, parsed)
    return dict(out)
