"""Encryption of stored credentials (account passwords, tokens, kubeconfigs with keys).

Who calls it: ``gennaker.store.accounts`` when it writes or reads an account's secrets. Nothing else
should need it: callers hand plain secrets to the repository and get plain secrets back.

Key: ``GENNAKER_SECRET_KEY`` (a Fernet key, url-safe base64 of 32 bytes), else the file
``$GENNAKER_HOME/secret.key``, created with mode 0600 on first use. Several servers sharing one
PostgreSQL database must share the key (set ``GENNAKER_SECRET_KEY`` on all of them). Losing the key
loses the stored secrets, never anything else; a wrong key is reported as such, not as corrupt data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from gennaker.store.database import gennaker_home


class SecretKeyError(RuntimeError):
    """The stored secrets cannot be decrypted with the configured key (or the key is malformed)."""


def _load_or_create_key(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


class SecretBox:
    """Encrypts a mapping of secret values into one opaque token, and back."""

    def __init__(self, key: bytes | str | None = None) -> None:
        if key is None:
            env = os.environ.get("GENNAKER_SECRET_KEY")
            key = env.encode() if env else _load_or_create_key(gennaker_home() / "secret.key")
        try:
            self._fernet = Fernet(key.encode() if isinstance(key, str) else key)
        except (ValueError, TypeError) as exc:
            raise SecretKeyError(
                "GENNAKER_SECRET_KEY (or secret.key) is not a valid key: "
                "it must be 32 bytes of url-safe base64"
            ) from exc

    def seal(self, secrets: dict[str, str]) -> str | None:
        """The encrypted token for ``secrets`` (None when there is nothing to hide)."""
        if not secrets:
            return None
        return self._fernet.encrypt(json.dumps(secrets, sort_keys=True).encode()).decode("ascii")

    def open(self, token: str | None) -> dict[str, str]:
        """The secrets sealed in ``token``."""
        if not token:
            return {}
        try:
            data = self._fernet.decrypt(token.encode("ascii"))
        except InvalidToken as exc:
            raise SecretKeyError(
                "stored secrets cannot be decrypted: GENNAKER_SECRET_KEY (or secret.key) "
                "differs from the key they were written with"
            ) from exc
        value = json.loads(data)
        return {str(k): str(v) for k, v in value.items()}
