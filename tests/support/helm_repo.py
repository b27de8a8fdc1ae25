"""Real Helm charts and chart repositories for tests: charts packaged and indexed by the Helm SDK.

``make_chart`` writes a chart directory (Chart.yaml, values.yaml, templates/) and ``package_chart`` turns it
into ``<name>-<version>.tgz`` with ``helm_python.package``; ``index_repository`` writes ``index.yaml`` with
``helm_python.repo_index_generate`` (what ``helm repo index`` does). ``serve_directory`` serves the
directory over HTTP from an ``HttpPeer``, optionally behind basic auth, like any static chart repository.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from tests.support.http_peer import HttpPeer, Request, Response


def make_chart(root: Path, name: str, version: str, *, image: str = "ghcr.io/acme/web") -> Path:
    chart = root / f"{name}-{version}-src" / name
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        f'apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: "{version}"\ntype: application\n'
    )
    (chart / "values.yaml").write_text(f"replicaCount: 1\nimage:\n  repository: {image}\n  tag: dev\n")
    (chart / "templates" / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n"
        "  replicas: {{ .Values.replicaCount }}\n  selector: {matchLabels: {app: {{ .Release.Name }}}}\n"
        "  template:\n    metadata: {labels: {app: {{ .Release.Name }}}}\n    spec:\n      containers:\n"
        '      - name: web\n        image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n'
    )
    return chart


def package_chart(chart_dir: Path, destination: Path) -> Path:
    import helm_python

    destination.mkdir(parents=True, exist_ok=True)
    return Path(helm_python.package(str(chart_dir), destination=str(destination)))


def index_repository(directory: Path, base_url: str | None = None) -> Path:
    import helm_python

    helm_python.repo_index_generate(str(directory), base_url=base_url)
    return directory / "index.yaml"


def serve_directory(
    peer: HttpPeer, directory: Path, *, prefix: str = "", basic: tuple[str, str] | None = None
) -> None:
    expected = "Basic " + base64.b64encode(":".join(basic).encode()).decode() if basic else None

    def handler(request: Request, match: re.Match[str]) -> Response:
        if expected is not None and request.header("authorization") != expected:
            return Response(401, "unauthorized", {"WWW-Authenticate": 'Basic realm="charts"'})
        path = directory / match.group(1)
        if not path.is_file() or directory not in path.resolve().parents:
            return Response(404, "not found")
        kind = "application/x-yaml" if path.suffix == ".yaml" else "application/gzip"
        return Response(200, path.read_bytes(), {"Content-Type": kind})

    peer.route("GET", rf"{re.escape(prefix)}/(.+)", handler)
