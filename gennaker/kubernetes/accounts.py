"""A Kubernetes account: a name, how to reach the cluster, and what Gennaker may see and do there.

Who calls it: the account registry (``registry.AccountRegistry``) validates settings-file entries and API
requests into ``KubernetesAccount`` and persists them through ``gennaker.store.accounts``; the kubectl
runner, the HTTP client and the cache read their connection details from it.

Format (JSON/YAML, camelCase as Spinnaker's clouddriver accounts)::

    {"name": "prod",
     "kubeconfigFile": "~/.kube/config", "context": "prod-cluster",     # or:
     "kubeconfigContents": "apiVersion: v1\\nkind: Config\\n...",       # a secret (never returned)
     "namespaces": ["shop"], "omitNamespaces": [],                      # allow-list / deny-list
     "omitKinds": ["secret"],                                           # kinds not cached nor shown
     "permissions": {"READ": ["team-a"], "WRITE": ["team-a"]},          # stored, enforced with auth
     "kubectlRequestTimeoutSeconds": 120, "failFastGraceSeconds": 60}

Invariants:
- exactly one of ``kubeconfigFile`` and ``kubeconfigContents``;
- ``kubeconfigContents`` is a ``SecretStr``: it is encrypted at rest (the store's secrets), and never in
  ``repr``, ``public_json()``, logs or errors;
- namespace names are DNS labels; kinds are matched case-insensitively (``Secret``, ``secret``,
  ``secrets``);
- the model is frozen: a change is a new account object (the registry swaps it and tells listeners).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from gennaker.artifacts.accounts.config import ACCOUNT_NAME
from gennaker.kubernetes.errors import AccountConfigError, NamespaceNotAllowedError
from gennaker.store.accounts import AccountRecord

KIND = "kubernetes"
ACCOUNT_TYPE = "kubernetes"
SECRET_FIELDS = ("kubeconfigContents",)
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
PERMISSION_TYPES = ("READ", "WRITE", "EXECUTE", "CREATE")


def normalise_kind(kind: str) -> str:
    """A comparable form of a kind name: ``ReplicaSet``, ``replicaSet``, ``replicasets`` -> ``replicaset``."""
    k = kind.strip().lower()
    if "." in k:  # deployment.apps
        k = k.split(".", 1)[0]
    if k.endswith("ies"):
        k = k[:-3] + "y"
    elif k.endswith("sses"):
        k = k[:-2]
    elif k.endswith("s") and not k.endswith("ss"):
        k = k[:-1]
    return k


class KubernetesAccount(BaseModel):
    """One configured Kubernetes account (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    name: str
    kubeconfig_file: str | None = Field(default=None, alias="kubeconfigFile")
    kubeconfig_contents: SecretStr | None = Field(default=None, alias="kubeconfigContents", repr=False)
    context: str | None = None
    namespaces: list[str] = Field(default_factory=list)
    omit_namespaces: list[str] = Field(default_factory=list, alias="omitNamespaces")
    omit_kinds: list[str] = Field(default_factory=list, alias="omitKinds")
    permissions: dict[str, list[str]] = Field(default_factory=dict)
    kubectl_request_timeout_seconds: float = Field(
        default=120.0, gt=0, le=3600, alias="kubectlRequestTimeoutSeconds"
    )
    fail_fast_grace_seconds: float = Field(default=60.0, ge=0, le=86400, alias="failFastGraceSeconds")
    cloud_provider: str = Field(default="kubernetes", alias="cloudProvider")
    account_type: str | None = Field(default=None, alias="accountType")
    environment: str | None = None
    source: str = Field(default="api", exclude=True)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not ACCOUNT_NAME.match(value):
            raise ValueError(
                f"account name {value!r} must start with a letter or digit and contain only letters, "
                "digits, '.', '_' and '-' (at most 128 characters)"
            )
        return value

    @field_validator("namespaces", "omit_namespaces")
    @classmethod
    def _namespaces(cls, value: list[str]) -> list[str]:
        for ns in value:
            if not isinstance(ns, str) or not DNS_LABEL.match(ns):
                raise ValueError(f"{ns!r} is not a valid namespace name")
        return list(dict.fromkeys(value))

    @field_validator("permissions")
    @classmethod
    def _permissions(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key, roles in value.items():
            upper = key.upper()
            if upper not in PERMISSION_TYPES:
                raise ValueError(f"unknown permission type {key!r} (known: {', '.join(PERMISSION_TYPES)})")
            out[upper] = [str(r) for r in roles]
        return out

    @model_validator(mode="after")
    def _one_kubeconfig(self) -> KubernetesAccount:
        has_file = bool(self.kubeconfig_file)
        has_contents = self.kubeconfig_contents is not None and bool(
            self.kubeconfig_contents.get_secret_value().strip()
        )
        if has_file == has_contents:
            raise ValueError("set exactly one of 'kubeconfigFile' and 'kubeconfigContents'")
        return self

    # ------------------------------------------------------------ construction

    @classmethod
    def parse(cls, data: Mapping[str, Any], *, source: str = "api") -> KubernetesAccount:
        """Validate ``data``; ``AccountConfigError`` names the account and every bad field."""
        name = data.get("name") if isinstance(data, Mapping) else None
        try:
            return cls.model_validate({**dict(data), "source": source})
        except ValidationError as exc:
            problems = "; ".join(
                (".".join(str(p) for p in err["loc"]) or "account")
                + ": "
                + err["msg"].removeprefix("Value error, ")
                for err in exc.errors()
            )
            raise AccountConfigError(
                f"Kubernetes account '{name or '?'}' is misconfigured: {problems}"
            ) from None

    @classmethod
    def from_record(cls, record: AccountRecord) -> KubernetesAccount:
        """Rebuild an account stored by ``to_record``."""
        return cls.parse({**record.settings, **record.secrets, "name": record.name}, source=record.source)

    def to_record(self) -> AccountRecord:
        """The store's view: plain settings apart, the inline kubeconfig as a secret."""
        secrets = {}
        if self.kubeconfig_contents is not None:
            secrets["kubeconfigContents"] = self.kubeconfig_contents.get_secret_value()
        settings = self.model_dump(
            by_alias=True, exclude={"kubeconfig_contents", "name", "source"}, exclude_none=True
        )
        return AccountRecord(
            kind=KIND,
            name=self.name,
            type=ACCOUNT_TYPE,
            settings=settings,
            secrets=secrets,
            source=self.source,
        )

    # ------------------------------------------------------------ views

    def public_json(self) -> dict[str, Any]:
        """What the API may return (Clouddriver's ``/credentials`` entry): no kubeconfig contents, ever."""
        data = self.model_dump(by_alias=True, exclude={"kubeconfig_contents", "source"}, exclude_none=True)
        data.update(
            type=ACCOUNT_TYPE,
            providerVersion="v2",
            source=self.source,
            secretFields=["kubeconfigContents"] if self.kubeconfig_contents is not None else [],
            namespaces=list(self.namespaces),
        )
        return data

    def identity(self) -> tuple[Any, ...]:
        """What decides whether a change needs new connections (kubeconfig and scope)."""
        contents = self.kubeconfig_contents.get_secret_value() if self.kubeconfig_contents else None
        return (
            self.kubeconfig_file,
            contents,
            self.context,
            tuple(self.namespaces),
            tuple(self.omit_namespaces),
            tuple(sorted(normalise_kind(k) for k in self.omit_kinds)),
        )

    # ------------------------------------------------------------ scope checks

    def namespace_allowed(self, namespace: str) -> bool:
        """Whether Gennaker may act in (and shows) ``namespace``."""
        if self.namespaces and namespace not in self.namespaces:
            return False
        return namespace not in self.omit_namespaces

    def check_namespace(self, namespace: str, what: str = "") -> None:
        """Raise ``NamespaceNotAllowedError`` when ``namespace`` is outside the account's scope."""
        if self.namespace_allowed(namespace):
            return
        prefix = f"{what}: " if what else ""
        if self.namespaces and namespace not in self.namespaces:
            allowed = ", ".join(self.namespaces)
            raise NamespaceNotAllowedError(
                f"{prefix}namespace '{namespace}' is not allowed for account '{self.name}' "
                f"(its namespaces: {allowed})"
            )
        raise NamespaceNotAllowedError(
            f"{prefix}namespace '{namespace}' is excluded for account '{self.name}' (omitNamespaces)"
        )

    def kind_omitted(self, kind: str) -> bool:
        """Whether ``kind`` is in ``omitKinds`` (not cached, not shown)."""
        wanted = normalise_kind(kind)
        return any(normalise_kind(k) == wanted for k in self.omit_kinds)

    def allows(self, action: str, roles: Iterable[str]) -> bool:
        """Whether a user with ``roles`` may do ``action`` (READ/WRITE/EXECUTE); no permissions = everyone.
        Stored now, enforced once authentication exists."""
        allowed = self.permissions.get(action.upper())
        if not self.permissions or allowed is None:
            return True
        return bool(set(allowed) & set(roles))
