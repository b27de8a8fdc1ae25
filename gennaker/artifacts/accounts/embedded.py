"""``embedded/base64`` artifacts: the content is the artifact's ``reference``, base64-encoded.

Who calls it: stages consuming a baked manifest (bakeManifest's single output is an ``embedded/base64``
artifact) or an inline artifact from a trigger. No network. Spinnaker's built-in account is named
``embedded-artifact``; ``BUILTIN_ACCOUNT`` is that config, which the integrator should always register.

Invariants: the reference must be valid base64 (standard alphabet; URL-safe is accepted too, padding may be
omitted); the decoded size is bounded by the account's ``maxBytes``.
"""

from __future__ import annotations

import base64
import binascii
import re

from gennaker.artifacts.accounts.base import AccountSettings, AccountType, ArtifactAccount
from gennaker.artifacts.accounts.config import AccountConfig
from gennaker.artifacts.errors import ArtifactFetchError, ArtifactTooLargeError
from gennaker.model.artifacts import Artifact

_WHITESPACE = re.compile(r"\s+")


class EmbeddedSettings(AccountSettings):
    """The embedded account has no settings."""


class EmbeddedAccount(ArtifactAccount[EmbeddedSettings]):
    """Decodes ``embedded/base64`` artifacts."""

    artifact_types = ("embedded/base64",)

    def _fetch(self, artifact: Artifact) -> bytes:
        encoded = _WHITESPACE.sub("", artifact.reference or "")
        if not encoded:
            raise ArtifactFetchError(artifact, self.name, "its reference is empty: nothing to decode")
        if len(encoded) * 3 // 4 > self.limits.max_bytes + 3:
            raise ArtifactTooLargeError(
                artifact, self.name, f"decoded content exceeds the limit of {self.limits.max_bytes} bytes"
            )
        padded = encoded + "=" * (-len(encoded) % 4)
        try:
            if "-" in padded or "_" in padded:
                content = base64.b64decode(padded, altchars=b"-_", validate=True)
            else:
                content = base64.b64decode(padded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ArtifactFetchError(
                artifact, self.name, f"its reference is not valid base64 ({exc})"
            ) from None
        if len(content) > self.limits.max_bytes:
            raise ArtifactTooLargeError(
                artifact, self.name, f"decoded content exceeds the limit of {self.limits.max_bytes} bytes"
            )
        return content


def _build(config: AccountConfig, settings: EmbeddedSettings) -> EmbeddedAccount:
    return EmbeddedAccount(config, settings)


ACCOUNT_TYPE = AccountType(
    name="embedded",
    artifact_types=EmbeddedAccount.artifact_types,
    settings_model=EmbeddedSettings,
    factory=_build,
    description="Decodes embedded/base64 artifacts (the content travels in the reference).",
)

#: Spinnaker's always-present account for embedded artifacts.
BUILTIN_ACCOUNT = AccountConfig(name="embedded-artifact", type="embedded")
