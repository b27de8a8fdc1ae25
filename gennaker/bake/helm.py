"""The HELM3 renderer: ``helm template`` through the Helm SDK, the way Rosco bakes a chart.

Who calls it: the bakeManifest stage through the renderer registry. Inputs: the first is the chart (a
packaged ``.tgz`` from a ``helm/chart``, ``http/file``, ``s3/object`` or ``embedded/base64`` artifact, or a
``git/repo`` checkout with ``helmChartFilePath`` naming the chart directory or its ``Chart.yaml``); the
others are values files, merged in order. Then ``overrides`` (``gennaker.bake.values``), release name
``outputName``, ``namespace``, ``kubeVersion``, ``apiVersions``, ``includeCRDs``.

Output, as ``helm template`` prints it and Rosco keeps it: the CRDs (with ``includeCRDs``), the release's
manifests (Helm's install order), then the hooks; every document under a chart's ``templates/tests/`` is
removed (Rosco's rule). Declared dependencies missing from ``charts/`` are fetched first
(``helm dependency build``/``update``). Helm's errors reach the stage unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path

from gennaker.bake import helm_sdk
from gennaker.bake.errors import BakeConfigError
from gennaker.bake.request import BakeRequest
from gennaker.bake.values import apply_overrides, merge_values, parse_values_file
from gennaker.bake.workspace import resolve_inside

_TESTS_SOURCE = re.compile(r"# Source: .*/templates/tests/.*")
SEPARATOR = "---\n"


def _chart_directory(request: BakeRequest) -> Path:
    chart = request.inputs[0]
    if chart.is_directory:
        path = resolve_inside(chart.path, request.context.helm_chart_file_path, "helmChartFilePath")
        if path.is_file() and path.name in ("Chart.yaml", "Chart.yml"):
            path = path.parent
        if not (path / "Chart.yaml").is_file():
            where = request.context.helm_chart_file_path or "the repository root"
            raise BakeConfigError(
                f"helmChartFilePath: no Chart.yaml in {where} of {chart.artifact.describe()}"
            )
        return path
    return helm_sdk.expand_archive(chart.path, request.workspace / "chart")


def without_tests(manifest: str) -> str:
    """Drop the documents whose ``# Source:`` is under ``templates/tests/`` (Rosco's filter)."""
    return SEPARATOR.join(d for d in manifest.split(SEPARATOR) if not _TESTS_SOURCE.search(d))


class Helm3Renderer:
    """``templateRenderer: HELM3``."""

    names: tuple[str, ...] = ("HELM3",)

    def render(self, request: BakeRequest) -> str:
        context = request.context
        if not context.output_name:
            raise BakeConfigError("outputName (the Helm release name) is required for a Helm bake")
        helm_sdk.validate_release_name(context.output_name)
        chart_dir = _chart_directory(request)
        values: dict[str, object] = {}
        for fetched in request.inputs[1:]:
            if fetched.is_directory:
                raise BakeConfigError(
                    f"values file {fetched.artifact.describe()} is a git repository; a values file must be "
                    "a single file artifact"
                )
            label = fetched.artifact.describe()
            text = fetched.path.read_bytes().decode("utf-8", errors="replace")
            values = merge_values(values, parse_values_file(text, label))
        values = apply_overrides(values, request.overrides, raw=context.raw_overrides)
        helm_sdk.prepare_dependencies(chart_dir)
        rendered = helm_sdk.template(
            chart_dir,
            values,
            release=context.output_name,
            namespace=context.namespace,
            kube_version=context.kube_version,
            api_versions=context.api_versions,
            include_crds=context.include_crds,
        )
        parts = [f"{SEPARATOR}# Source: {path}\n{data.rstrip()}\n" for path, data in rendered.crds]
        parts.append(rendered.manifest)
        parts += [f"{SEPARATOR}# Source: {path}\n{body.rstrip()}\n" for path, body in rendered.hooks]
        return without_tests("".join(parts))
