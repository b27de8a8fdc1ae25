"""From an account's kubeconfig to what kubectl and the HTTP client need.

Who calls it: ``connections.AccountConnections`` (one per account and configuration) when an account is
added or changed. Two products:

- ``AccountFiles``: the account's working directory (mode 0700) with its own kubectl discovery cache
  (``KUBECACHEDIR``: kubectl caches discovery per host:port for hours, so accounts never share one; it is
  kept across restarts), and inside it a directory private to this process holding the kubeconfig kubectl
  gets when it is inline (``kubeconfigContents``, mode 0600) and any certificate written from ``-data``
  fields.
- ``ClusterEndpoint``: the server URL, TLS settings and credentials of the chosen context, for the
  watch-based cache and other reads that do not fork kubectl. Certificate and key data are written to
  files in the working directory (httpx wants paths). Supported credentials: bearer ``token`` and
  ``tokenFile``, client certificates, basic auth, and ``exec`` plugins returning a token (refreshed when
  they expire). ``auth-provider`` plugins (long deprecated) are not supported for reads.

Invariants: credentials never appear in ``repr``, logs or error messages; ``close()`` removes the process's
private directory (every credential written for the account). Only kubectl's discovery cache persists.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from gennaker.kubernetes.accounts import KubernetesAccount
from gennaker.kubernetes.errors import AccountConfigError


def _named(entries: Any, name: str, what: str, account: str) -> Mapping[str, Any]:
    for entry in entries or []:
        if isinstance(entry, Mapping) and entry.get("name") == name:
            value = entry.get(what)
            return value if isinstance(value, Mapping) else {}
    raise AccountConfigError(f"Kubernetes account '{account}': the kubeconfig has no {what} named '{name}'")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_dead_runs(directory: Path) -> None:
    """Remove the private directories of processes of this host that are gone (killed without cleanup)."""
    for run in directory.glob("run-*-*"):
        pid = run.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(run, ignore_errors=True)


def parse_kubeconfig(text: str, account: str) -> dict[str, Any]:
    """Parse kubeconfig YAML, naming the account (never the content) in errors."""
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        place = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise AccountConfigError(
            f"Kubernetes account '{account}': the kubeconfig is not valid YAML{place}"
        ) from None
    except yaml.YAMLError:
        raise AccountConfigError(
            f"Kubernetes account '{account}': the kubeconfig is not valid YAML"
        ) from None
    if not isinstance(data, dict):
        raise AccountConfigError(f"Kubernetes account '{account}': the kubeconfig is not a mapping")
    return data


@dataclass(frozen=True)
class ContextConfig:
    """The three parts of a kubeconfig context, resolved."""

    name: str
    cluster: Mapping[str, Any]
    user: Mapping[str, Any] = field(repr=False)
    namespace: str


def select_context(config: Mapping[str, Any], context: str | None, account: str) -> ContextConfig:
    """The named context (default: ``current-context``, else the only one)."""
    contexts = [c for c in config.get("contexts") or [] if isinstance(c, Mapping)]
    name = context or config.get("current-context")
    if not name:
        if len(contexts) != 1:
            raise AccountConfigError(
                f"Kubernetes account '{account}': set 'context' (the kubeconfig has no current-context and "
                f"{len(contexts)} contexts)"
            )
        name = contexts[0].get("name")
    ctx = _named(contexts, str(name), "context", account)
    cluster = _named(config.get("clusters"), str(ctx.get("cluster")), "cluster", account)
    user_name = ctx.get("user")
    user = _named(config.get("users"), str(user_name), "user", account) if user_name else {}
    if not cluster.get("server"):
        raise AccountConfigError(
            f"Kubernetes account '{account}': cluster '{ctx.get('cluster')}' has no server"
        )
    return ContextConfig(str(name), cluster, user, str(ctx.get("namespace") or "default"))


def check_kubeconfig(account: KubernetesAccount) -> ContextConfig:
    """Check, without writing anything, that the account's kubeconfig can be read and parsed and that its
    context names a cluster with a server (what ``AccountFiles`` needs later). The API calls it before
    storing an account so a broken one is refused with a 400 instead of failing the first deploy.
    Raises ``AccountConfigError`` naming the account and the problem, never the kubeconfig's content."""
    if account.kubeconfig_contents is not None:
        text = account.kubeconfig_contents.get_secret_value()
    else:
        assert account.kubeconfig_file is not None
        path = Path(account.kubeconfig_file).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise AccountConfigError(
                f"Kubernetes account '{account.name}': cannot read kubeconfigFile {path}: "
                f"{exc.strerror or exc}"
            ) from None
    return select_context(parse_kubeconfig(text, account.name), account.context, account.name)


class AccountFiles:
    """An account's working directory: its kubeconfig for kubectl and its discovery cache."""

    def __init__(self, account: KubernetesAccount, base_dir: Path) -> None:
        self.account = account
        self.dir = base_dir / account.name
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.dir, 0o700)
        self.cache_dir = self.dir / "kubectl-cache"
        self.cache_dir.mkdir(exist_ok=True)
        # Credentials go to a directory of this process only: several server processes on one host share
        # GENNAKER_HOME, and one closing an account must not remove what another is using.
        _remove_dead_runs(self.dir)
        self.private = Path(tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=self.dir))
        self._written: list[Path] = []
        if account.kubeconfig_contents is not None:
            self.kubeconfig = self._write(
                "kubeconfig", account.kubeconfig_contents.get_secret_value().encode()
            )
            text = account.kubeconfig_contents.get_secret_value()
            self.base = self.private
        else:
            assert account.kubeconfig_file is not None
            self.kubeconfig = Path(account.kubeconfig_file).expanduser()
            try:
                text = self.kubeconfig.read_text(encoding="utf-8")
            except OSError as exc:
                raise AccountConfigError(
                    f"Kubernetes account '{account.name}': cannot read kubeconfigFile {self.kubeconfig}: "
                    f"{exc.strerror or exc}"
                ) from None
            self.base = self.kubeconfig.parent
        self.config = parse_kubeconfig(text, account.name)
        self.context = select_context(self.config, account.context, account.name)

    def _write(self, name: str, data: bytes) -> Path:
        path = self.private / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        self._written.append(path)
        return path

    def file_or_data(self, section: Mapping[str, Any], key: str, out_name: str) -> str | None:
        """A path for ``key`` (relative paths resolved against the kubeconfig) or ``key-data`` written out."""
        data = section.get(f"{key}-data")
        if data:
            try:
                raw = base64.b64decode(str(data), validate=False)
            except (ValueError, TypeError):
                raise AccountConfigError(
                    f"Kubernetes account '{self.account.name}': {key}-data is not base64"
                ) from None
            return str(self._write(out_name, raw))
        path = section.get(key)
        return self.resolve(str(path)) if path else None

    def resolve(self, path: str) -> str:
        """A path from the kubeconfig: relative ones are relative to the kubeconfig's directory."""
        p = Path(path).expanduser()
        return str(p if p.is_absolute() else self.base / p)

    def endpoint(self) -> ClusterEndpoint:
        """The HTTP view of the chosen context."""
        cluster, user = self.context.cluster, self.context.user
        server = str(cluster["server"]).rstrip("/")
        verify: bool | str = True
        if cluster.get("insecure-skip-tls-verify"):
            verify = False
        else:
            ca = self.file_or_data(cluster, "certificate-authority", "ca.crt")
            if ca:
                verify = ca
        cert = self.file_or_data(user, "client-certificate", "client.crt")
        key = self.file_or_data(user, "client-key", "client.key")
        token = user.get("token")
        token_file = user.get("tokenFile")
        basic = (str(user["username"]), str(user.get("password") or "")) if user.get("username") else None
        exec_config = user.get("exec") if isinstance(user.get("exec"), Mapping) else None
        if user.get("auth-provider"):
            raise AccountConfigError(
                f"Kubernetes account '{self.account.name}': auth-provider plugins are not supported; use an "
                "exec plugin or a token"
            )
        return ClusterEndpoint(
            account=self.account.name,
            server=server,
            verify=verify,
            cert=(cert, key) if cert and key else None,
            token=str(token) if token else None,
            token_file=self.resolve(str(token_file)) if token_file else None,
            basic=basic,
            exec_config=exec_config,
            namespace=self.context.namespace,
            tls_server_name=str(cluster.get("tls-server-name") or "") or None,
        )

    def close(self) -> None:
        """Remove what was written for this account (inline kubeconfig, certificates, kubectl's cache)."""
        for path in self._written:
            path.unlink(missing_ok=True)
        shutil.rmtree(self.private, ignore_errors=True)


@dataclass
class ClusterEndpoint:
    """Where and how to talk HTTP to the account's API server. Never printed with its credentials."""

    account: str
    server: str
    verify: bool | str = True
    cert: tuple[str, str] | None = None
    token: str | None = field(default=None, repr=False)
    token_file: str | None = None
    basic: tuple[str, str] | None = field(default=None, repr=False)
    exec_config: Mapping[str, Any] | None = field(default=None, repr=False)
    namespace: str = "default"
    tls_server_name: str | None = None
    _exec_token: tuple[str, float] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def auth_headers(self) -> dict[str, str]:
        """The Authorization header for the next request (an exec plugin runs when its token expired)."""
        token = self.token
        if self.token_file:
            try:
                token = Path(self.token_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise AccountConfigError(
                    f"Kubernetes account '{self.account}': cannot read tokenFile: {exc.strerror or exc}"
                ) from None
        if self.exec_config is not None:
            token = self._exec_token_value()
        if token:
            return {"Authorization": f"Bearer {token}"}
        if self.basic is not None:
            raw = f"{self.basic[0]}:{self.basic[1]}".encode()
            return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}
        return {}

    def _exec_token_value(self) -> str:
        with self._lock:
            if self._exec_token is not None and self._exec_token[1] > time.time() + 10:
                return self._exec_token[0]
            cfg = self.exec_config or {}
            command = [str(cfg.get("command")), *[str(a) for a in cfg.get("args") or []]]
            env = dict(os.environ)
            for item in cfg.get("env") or []:
                if isinstance(item, Mapping) and item.get("name"):
                    env[str(item["name"])] = str(item.get("value") or "")
            env["KUBERNETES_EXEC_INFO"] = json.dumps(
                {
                    "apiVersion": cfg.get("apiVersion") or "client.authentication.k8s.io/v1",
                    "kind": "ExecCredential",
                    "spec": {"interactive": False},
                }
            )
            try:
                proc = subprocess.run(
                    command, capture_output=True, text=True, env=env, timeout=60, check=False
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise AccountConfigError(
                    f"Kubernetes account '{self.account}': the exec credential plugin {command[0]} "
                    f"failed: {exc}"
                ) from None
            if proc.returncode != 0:
                raise AccountConfigError(
                    f"Kubernetes account '{self.account}': the exec credential plugin {command[0]} exited "
                    f"{proc.returncode}"
                )
            try:
                status = json.loads(proc.stdout).get("status") or {}
            except ValueError:
                raise AccountConfigError(
                    f"Kubernetes account '{self.account}': the exec credential plugin printed no "
                    "ExecCredential"
                ) from None
            token = str(status.get("token") or "")
            if not token:
                raise AccountConfigError(
                    f"Kubernetes account '{self.account}': the exec credential plugin returned no token "
                    "(client certificates from exec plugins are not supported for reads)"
                )
            expiry = time.time() + 300
            stamp = status.get("expirationTimestamp")
            if stamp:
                with contextlib.suppress(ValueError):
                    expiry = datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp()
            self._exec_token = (token, expiry)
            return token

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context for an ``https`` server (None for plain HTTP, e.g. the sandbox)."""
        if not self.server.startswith("https"):
            return None
        if self.verify is False:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        elif isinstance(self.verify, str):
            ctx = ssl.create_default_context(cafile=self.verify)
        else:
            ctx = ssl.create_default_context()
        if self.cert is not None:
            ctx.load_cert_chain(self.cert[0], self.cert[1])
        return ctx

    def httpx_options(self) -> dict[str, Any]:
        """Keyword arguments for ``httpx.Client``/``AsyncClient`` (headers are added per request)."""
        options: dict[str, Any] = {"base_url": self.server}
        ctx = self.ssl_context()
        if ctx is not None:
            options["verify"] = ctx
        return options
