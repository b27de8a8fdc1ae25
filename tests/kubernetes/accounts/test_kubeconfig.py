"""From a kubeconfig to kubectl's files and the HTTP endpoint: contexts, credentials, private files."""

from __future__ import annotations

import base64
import os
import stat
import sys
from pathlib import Path

import pytest
import yaml

from gennaker.kubernetes.accounts import KubernetesAccount
from gennaker.kubernetes.errors import AccountConfigError
from gennaker.kubernetes.kubeconfig import AccountFiles


def kubeconfig(user: dict[str, object], cluster: dict[str, object] | None = None) -> str:
    return yaml.safe_dump(
        {
            "clusters": [{"name": "c", "cluster": cluster or {"server": "http://127.0.0.1:1"}}],
            "users": [{"name": "u", "user": user}],
            "contexts": [
                {"name": "one", "context": {"cluster": "c", "user": "u", "namespace": "shop"}},
                {"name": "two", "context": {"cluster": "c", "user": "u"}},
            ],
            "current-context": "one",
        }
    )


def account(text: str, **extra: object) -> KubernetesAccount:
    return KubernetesAccount.parse({"name": "acct", "kubeconfigContents": text, **extra})


def test_inline_kubeconfig_is_private_and_removed_on_close(tmp_path: Path) -> None:
    files = AccountFiles(account(kubeconfig({"token": "t0k"})), tmp_path)
    assert stat.S_IMODE(os.stat(files.dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(files.kubeconfig).st_mode) == 0o600
    endpoint = files.endpoint()
    assert endpoint.namespace == "shop"
    assert endpoint.auth_headers() == {"Authorization": "Bearer t0k"}
    assert "t0k" not in repr(endpoint)
    files.close()
    assert not files.kubeconfig.exists() and not files.private.exists()
    assert files.cache_dir.exists()  # kubectl's discovery cache outlives the process


def test_two_processes_never_remove_each_others_credentials(tmp_path: Path) -> None:
    acct = account(kubeconfig({"token": "t0k"}))
    first, second = AccountFiles(acct, tmp_path), AccountFiles(acct, tmp_path)
    assert first.kubeconfig != second.kubeconfig
    first.close()
    assert second.kubeconfig.exists()


def test_credentials_of_killed_processes_are_removed(tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    stale = tmp_path / "acct" / f"run-{dead.stdout.strip()}-x"
    stale.mkdir(parents=True)
    (stale / "kubeconfig").write_text("secret")
    AccountFiles(account(kubeconfig({})), tmp_path)
    assert not stale.exists()


def test_context_choice_and_errors(tmp_path: Path) -> None:
    files = AccountFiles(account(kubeconfig({}), context="two"), tmp_path)
    assert files.endpoint().namespace == "default" and files.endpoint().auth_headers() == {}
    with pytest.raises(AccountConfigError, match="the kubeconfig has no context named 'three'"):
        AccountFiles(account(kubeconfig({}), context="three"), tmp_path)
    with pytest.raises(AccountConfigError, match="not valid YAML at line"):
        AccountFiles(account("clusters: [\n"), tmp_path)
    with pytest.raises(AccountConfigError, match="cannot read kubeconfigFile"):
        AccountFiles(
            KubernetesAccount.parse({"name": "x", "kubeconfigFile": str(tmp_path / "none")}), tmp_path
        )


def test_certificate_data_is_written_to_private_files(tmp_path: Path) -> None:
    data = base64.b64encode(b"-----BEGIN CERTIFICATE-----\n").decode()
    text = kubeconfig(
        {"client-certificate-data": data, "client-key-data": data},
        {"server": "https://k8s.example:6443", "certificate-authority-data": data},
    )
    endpoint = AccountFiles(account(text), tmp_path).endpoint()
    assert endpoint.cert is not None
    assert isinstance(endpoint.verify, str) and Path(endpoint.verify).read_bytes().startswith(b"-----BEGIN")
    assert stat.S_IMODE(os.stat(endpoint.cert[1]).st_mode) == 0o600


def test_relative_paths_resolve_against_the_kubeconfig_file(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("from-file\n")
    path = tmp_path / "config"
    path.write_text(
        kubeconfig({"tokenFile": "token"}, {"server": "http://x", "certificate-authority": "ca.crt"})
    )
    acct = KubernetesAccount.parse({"name": "f", "kubeconfigFile": str(path)})
    endpoint = AccountFiles(acct, tmp_path / "work").endpoint()
    assert endpoint.verify == str(tmp_path / "ca.crt")
    assert endpoint.auth_headers() == {"Authorization": "Bearer from-file"}


def test_exec_credential_plugins_give_tokens(tmp_path: Path) -> None:
    plugin = tmp_path / "plugin.py"
    plugin.write_text(
        "import json, os\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1', 'kind': 'ExecCredential',"
        " 'status': {'token': 'exec-' + os.environ['TEAM'],"
        " 'expirationTimestamp': '2999-01-01T00:00:00Z'}}))\n"
    )
    user = {
        "exec": {"command": sys.executable, "args": [str(plugin)], "env": [{"name": "TEAM", "value": "a"}]}
    }
    endpoint = AccountFiles(account(kubeconfig(user)), tmp_path).endpoint()
    assert endpoint.auth_headers() == {"Authorization": "Bearer exec-a"}
    failing = {"exec": {"command": sys.executable, "args": ["-c", "import sys; sys.exit(3)"]}}
    with pytest.raises(AccountConfigError, match="exited 3"):
        AccountFiles(account(kubeconfig(failing)), tmp_path / "2").endpoint().auth_headers()
