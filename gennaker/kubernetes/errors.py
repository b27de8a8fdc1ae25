"""Every error the Kubernetes provider raises on purpose.

Who raises them: accounts and the registry (configuration, unknown names), the kubectl runner (kubectl's
own rejections, parsed), the cache and client (unreachable clusters), manifest operations (bad manifests,
namespaces outside an allow-list, half-done deploys) and target resolution. Stages turn them into the
stage's failure (``context.exception``), so each message says exactly what was wrong and where, in one
sentence a user can act on. No message ever contains a credential or a Secret's data.
"""

from __future__ import annotations

from collections.abc import Sequence


class KubernetesError(Exception):
    """Base class: a message fit for a stage's failure."""


class AccountConfigError(KubernetesError, ValueError):
    """A Kubernetes account's configuration is invalid; the message names the account and the field."""


class UnknownAccountError(KubernetesError, LookupError):
    """No Kubernetes account has this name."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        listed = ", ".join(sorted(known)) or "none"
        super().__init__(f"no Kubernetes account named '{name}'; configured accounts: {listed}")


class AccountUnreachableError(KubernetesError):
    """The account's cluster cannot be reached (connection refused, DNS, TLS, timeouts)."""

    def __init__(self, account: str, reason: str) -> None:
        self.account = account
        self.reason = reason
        super().__init__(f"account {account} is unreachable: {reason}")


class NamespaceNotAllowedError(KubernetesError):
    """A manifest or target names a namespace outside the account's allow-list (or in its omit-list)."""


class ManifestError(KubernetesError, ValueError):
    """A manifest is not valid YAML/JSON, is not an object, or misses ``kind``/``apiVersion``/a name."""


class KubectlError(KubernetesError):
    """kubectl exited non-zero. ``message`` is kubectl's own message, cleaned; ``target`` names the
    object (``deployment web in namespace shop``) when known."""

    def __init__(
        self,
        account: str,
        verb: str,
        message: str,
        *,
        target: str | None = None,
        stderr: str = "",
        returncode: int | None = None,
        category: str = "other",
    ) -> None:
        self.account = account
        self.category = category
        self.verb = verb
        self.message = message
        self.target = target
        self.stderr = stderr
        self.returncode = returncode
        what = f"kubectl {verb} of {target}" if target else f"kubectl {verb}"
        super().__init__(f"{what} failed on account {account}: {message}")


class KubectlTimeoutError(KubectlError):
    """kubectl did not finish within the account's request timeout."""


class DeployError(KubernetesError):
    """A multi-manifest deploy failed part-way: what was applied, what failed, what was not attempted."""

    def __init__(
        self, cause: Exception, applied: Sequence[str], failed: str | None, not_applied: Sequence[str]
    ) -> None:
        self.cause = cause
        self.applied = list(applied)
        self.failed = failed
        self.not_applied = list(not_applied)
        parts = [str(cause)]
        parts.append("applied: " + (", ".join(self.applied) or "nothing"))
        if self.not_applied:
            parts.append("not applied: " + ", ".join(self.not_applied))
        super().__init__("; ".join(parts))


class TargetNotFoundError(KubernetesError, LookupError):
    """A static, dynamic or label target matched nothing."""


class UnsupportedOperationError(KubernetesError):
    """The operation is not available for the target's kind (e.g. undo rollout on a ReplicaSet)."""


class TrafficError(KubernetesError):
    """Traffic management cannot be applied (no such Service, empty selector, overlapping labels...)."""
