"""The one adapter between baking and the Helm SDK (PyPI ``helm-python-sdk``, Helm 4's Go SDK through a C
ABI): every call the HELM3 renderer makes to Helm goes through here.

Who calls it: ``gennaker.bake.helm``. What it does, as ``helm template`` does it:
- ``prepare_dependencies(chart_dir)``: when ``Chart.yaml`` declares dependencies that ``charts/`` lacks,
  ``helm dependency build`` (with a ``Chart.lock``) or ``helm dependency update`` (without one) fills
  ``charts/`` from the repositories the chart names (HTTP chart repositories, ``file://`` paths, OCI);
- ``template(...)``: the release's manifests from a client-only dry-run install (``helm template``'s own
  code path: ``--kube-version`` and ``--api-versions`` shape ``.Capabilities``; no cluster is contacted),
  plus the hook manifests (``helm template`` prints them after the release's) and the chart's CRDs.
The SDK's ``Config.install`` wrapper does not pass ``kube_version``/``api_versions``, so the install is
called through the SDK's own native binding with the documented option names (pinned SDK ``<0.3``).
Errors come back as ``RendererError`` carrying Helm's message unchanged.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gennaker.bake.errors import RendererError

HOOK_ANNOTATION = "helm.sh/hook"


def _helm() -> Any:
    import helm_python

    return helm_python


@functools.lru_cache(maxsize=1)
def _offline_config() -> Any:
    """One Helm ``Config`` for client-only dry runs (it never reaches a cluster), built once."""
    return _helm().Config(namespace="default")


@dataclass(frozen=True)
class Rendered:
    """What ``template`` produced, in ``helm template``'s order: CRDs, the release, the hooks."""

    crds: list[tuple[str, str]] = field(default_factory=list)
    manifest: str = ""
    hooks: list[tuple[str, str]] = field(default_factory=list)


def validate_release_name(name: str) -> None:
    """Helm's release-name rule (DNS-1123, at most 53 characters); ``RendererError`` otherwise."""
    helm = _helm()
    try:
        helm.validate_release_name(name)
    except helm.HelmError as exc:
        raise RendererError(f"outputName {name!r} is not a valid Helm release name: {exc}") from None


def expand_archive(archive: Path, destination: Path) -> Path:
    """Unpack a chart ``.tgz`` into ``destination``; returns the chart directory."""
    helm = _helm()
    destination.mkdir(parents=True, exist_ok=True)
    try:
        helm.expand(str(destination), str(archive))
    except helm.HelmError as exc:
        raise RendererError(f"the chart archive cannot be unpacked: {exc}") from None
    charts = [p for p in destination.iterdir() if (p / "Chart.yaml").is_file()]
    if len(charts) != 1:
        raise RendererError("the chart archive does not hold exactly one chart (a directory with Chart.yaml)")
    return charts[0]


def prepare_dependencies(chart_dir: Path) -> list[str]:
    """Fill ``charts/`` with the declared dependencies that are missing; returns what was done."""
    helm = _helm()
    try:
        declared = helm.dependency_list(str(chart_dir))
    except helm.HelmError as exc:
        raise RendererError(f"cannot read the chart's dependencies: {exc}") from None
    missing = [d for d in declared or [] if d.get("status") not in ("ok", "unpacked")]
    if not missing:
        return []
    names = ", ".join(f"{d.get('name')} {d.get('version')} ({d.get('status')})" for d in missing)
    locked = (chart_dir / "Chart.lock").is_file() or (chart_dir / "requirements.lock").is_file()
    try:
        if locked:
            helm.dependency_build(str(chart_dir))
        else:
            helm.dependency_update(str(chart_dir))
    except helm.HelmError as exc:
        action = "build" if locked else "update"
        raise RendererError(f"helm dependency {action} failed for {names}: {exc}") from None
    return [f"dependency {'build' if locked else 'update'}: {names}"]


def _hook_documents(rendered: dict[str, str]) -> list[tuple[str, str]]:
    hooks: list[tuple[int, str, str]] = []
    for path in sorted(rendered):
        text = rendered[path]
        if not text.strip() or not path.endswith((".yaml", ".yml", ".json", ".tpl")):
            continue
        for document in text.split("\n---"):
            body = document.strip("\n")
            if body.startswith("---"):
                body = body[3:].lstrip("\n")
            if not body.strip():
                continue
            try:
                parsed = yaml.safe_load(body)
            except yaml.YAMLError:
                continue
            annotations = ((parsed or {}).get("metadata") or {}).get("annotations") or {}
            if isinstance(parsed, dict) and HOOK_ANNOTATION in annotations:
                try:
                    weight = int(annotations.get("helm.sh/hook-weight", 0))
                except (TypeError, ValueError):
                    weight = 0
                hooks.append((weight, path, body))
    hooks.sort(key=lambda h: (h[0], h[1]))
    return [(path, body) for _, path, body in hooks]


def template(
    chart_dir: Path,
    values: dict[str, Any],
    *,
    release: str,
    namespace: str | None,
    kube_version: str | None = None,
    api_versions: Sequence[str] = (),
    include_crds: bool = False,
) -> Rendered:
    """Render like ``helm template <release> <chart> --namespace ... [--kube-version] [--api-versions]
    [--include-crds]``."""
    helm = _helm()
    from helm_python import _native

    try:
        chart = helm.Chart.load(str(chart_dir))
    except helm.HelmError as exc:
        raise RendererError(f"the chart cannot be loaded: {exc}") from None
    with chart:
        options: dict[str, Any] = {"dry_run": "client", "namespace": namespace or "default"}
        if kube_version:
            options["kube_version"] = kube_version
        if api_versions:
            options["api_versions"] = list(api_versions)
        try:
            summary = json.loads(
                _native.call_string(
                    "helm_install",
                    _offline_config()._raw(),
                    _native.HANDLE(0),
                    chart._raw(),
                    None,
                    release,
                    json.dumps(values),
                    json.dumps(options),
                )
            )
            hooks = _hook_documents(chart.render(values, name=release, namespace=namespace or "default"))
            crds = [(c.get("filename") or c.get("name") or "crd", c.get("data") or "") for c in chart.crds]
        except helm.HelmError as exc:
            raise RendererError(str(exc)) from None
    return Rendered(
        crds=crds if include_crds else [],
        manifest=str(summary.get("manifest") or ""),
        hooks=hooks,
    )
