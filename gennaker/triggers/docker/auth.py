"""Docker Registry v2 authentication: the ``WWW-Authenticate`` challenge and bearer tokens.

Who calls it: ``RegistryClient``. The flow (Docker's token authentication specification): a request without
credentials gets 401 with ``WWW-Authenticate: Bearer realm="https://auth.example.com/token",
service="registry.example.com",scope="repository:acme/web:pull"``; the client asks the realm for a token
(``GET realm?service=...&scope=...``, with the account's basic credentials if it has them) and repeats the
request with ``Authorization: Bearer <token>``. A registry that answers ``WWW-Authenticate: Basic ...`` wants
basic credentials on every request.

Invariant: tokens are cached per (realm, service, scope) until shortly before they expire (``expires_in``,
60 s when absent, as the specification says); a token is never logged.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')
DEFAULT_TOKEN_LIFETIME = 60.0
EXPIRY_MARGIN = 5.0


@dataclass(frozen=True)
class Challenge:
    """A parsed ``WWW-Authenticate`` header."""

    scheme: str
    params: dict[str, str]

    @property
    def realm(self) -> str | None:
        return self.params.get("realm")


def parse_challenge(header: str | None) -> Challenge | None:
    """Parse ``Bearer realm="...",service="...",scope="..."`` (or ``Basic realm="..."``); None if absent."""
    if not header:
        return None
    scheme, _, rest = header.strip().partition(" ")
    params = {
        m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3))
        for m in _PARAM.finditer(rest)
    }
    return Challenge(scheme.lower(), {k: v.replace('\\"', '"') for k, v in params.items()})


class TokenCache:
    """Bearer tokens by (realm, service, scope), each until it expires."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str], tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, realm: str, service: str, scope: str) -> str | None:
        with self._lock:
            entry = self._tokens.get((realm, service, scope))
        if entry is None or time.monotonic() >= entry[1]:
            return None
        return entry[0]

    def put(self, realm: str, service: str, scope: str, token: str, expires_in: float | None) -> None:
        lifetime = expires_in if expires_in and expires_in > 0 else DEFAULT_TOKEN_LIFETIME
        expiry = time.monotonic() + max(lifetime - EXPIRY_MARGIN, lifetime / 2)
        with self._lock:
            self._tokens[(realm, service, scope)] = (token, expiry)

    def drop(self, realm: str, service: str, scope: str) -> None:
        with self._lock:
            self._tokens.pop((realm, service, scope), None)

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()
