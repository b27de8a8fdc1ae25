"""Run a real Docker Registry v2 (CNCF distribution, Debian package ``docker-registry``) on loopback.

Who calls it: tests of the docker trigger and of OCI Helm charts, ``benchmarks/registry_poll.py``, and demos
that need a registry to push to (there is no Docker engine on the machine; ``pusher`` uploads images).
It starts ``docker-registry serve <config>`` with a temporary storage directory on a free 127.0.0.1 port and
waits until ``/v2/`` answers; ``stop()`` terminates exactly that process.

Auth: none, ``htpasswd`` (basic auth; bcrypt hashes), or ``token`` (Docker's bearer-token flow: the registry
trusts tokens signed by the certificate in ``rootcertbundle`` and sends clients to ``realm`` for them).
What it persists: blobs and manifests in ``storage_dir`` (deleted with it by the caller).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

REGISTRY_BINARY = "docker-registry"


class LocalRegistryError(RuntimeError):
    """The registry binary is missing or did not start; the message carries its log."""


@dataclass
class TokenAuthConfig:
    """Bearer-token auth: the token service URL, the names the tokens carry, the signing certificate."""

    realm: str
    service: str
    issuer: str
    root_cert_bundle: Path


@dataclass
class LocalRegistry:
    """One ``docker-registry serve`` process on 127.0.0.1."""

    storage_dir: Path | None = None
    htpasswd_file: Path | None = None
    token_auth: TokenAuthConfig | None = None
    port: int = 0
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _workdir: Path | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        """``127.0.0.1:<port>``, the registry part of image names."""
        return f"127.0.0.1:{self.port}"

    def _config(self, storage: Path) -> dict[str, Any]:
        config: dict[str, Any] = {
            "version": 0.1,
            "log": {"level": "error", "accesslog": {"disabled": True}},
            "storage": {"filesystem": {"rootdirectory": str(storage)}, "delete": {"enabled": True}},
            "http": {"addr": f"127.0.0.1:{self.port}", "secret": "gennaker-local-registry"},
        }
        if self.htpasswd_file is not None:
            config["auth"] = {"htpasswd": {"realm": "gennaker-local", "path": str(self.htpasswd_file)}}
        elif self.token_auth is not None:
            t = self.token_auth
            config["auth"] = {
                "token": {
                    "realm": t.realm,
                    "service": t.service,
                    "issuer": t.issuer,
                    "rootcertbundle": str(t.root_cert_bundle),
                }
            }
        return config

    def start(self, timeout: float = 20.0) -> LocalRegistry:
        """Start the registry and wait until it answers (at most ``timeout`` seconds)."""
        binary = shutil.which(REGISTRY_BINARY)
        if binary is None:
            raise LocalRegistryError(
                f"{REGISTRY_BINARY} is not installed (Debian package docker-registry; see scripts/setup)"
            )
        if self.port == 0:
            self.port = _free_port()
        self._workdir = Path(tempfile.mkdtemp(prefix="gennaker-registry-"))
        storage = self.storage_dir or self._workdir / "storage"
        config_path = self._workdir / "config.yml"
        config_path.write_text(yaml.safe_dump(self._config(storage)))
        log = open(self._workdir / "registry.log", "wb")  # noqa: SIM115 - handed to the child process
        self._process = subprocess.Popen(
            [binary, "serve", str(config_path)], stdout=log, stderr=subprocess.STDOUT, close_fds=True
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise LocalRegistryError(f"docker-registry exited at start: {self.log_tail()}")
            try:
                answer = httpx.get(f"{self.url}/v2/", timeout=1.0)
                if answer.status_code in (200, 401):
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise LocalRegistryError(f"docker-registry did not answer within {timeout:g} s")

    def log_tail(self, chars: int = 2000) -> str:
        """The end of the registry's log, for error messages."""
        if self._workdir is None:
            return ""
        path = self._workdir / "registry.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self) -> None:
        """Stop the process (terminate, then kill after 5 s) and delete its temporary files."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> LocalRegistry:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
