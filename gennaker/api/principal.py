"""Who is asking: every request resolves to a ``Principal`` recorded on what it changes.

Who uses it: every router that writes (``Depends(current_principal)``). Until authentication exists the
``HeaderPrincipalResolver`` takes the user from ``X-Spinnaker-User`` (what Gate forwards to its services)
or ``X-Gennaker-User``, else the configured default (``anonymous``). Authentication will replace the
resolver stored on ``app.state.principal_resolver`` (e.g. with one that checks a token): routers and
the facade keep taking a ``Principal``/user name, so nothing else changes shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from fastapi import Request

from gennaker.engine.errors import InvalidRequestError

USER_HEADERS = ("X-Spinnaker-User", "X-Gennaker-User")
_VALID = re.compile(r"^[\w.@+\-: ]{1,200}$")


@dataclass(frozen=True)
class Principal:
    """The caller: ``name`` is what gets recorded; ``authenticated`` is False until auth exists."""

    name: str
    authenticated: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)


class PrincipalResolver(Protocol):
    def __call__(self, request: Request) -> Principal: ...


@dataclass(frozen=True)
class HeaderPrincipalResolver:
    """The user named by a header, else ``default`` (not authenticated: a claim, not a proof)."""

    default: str = "anonymous"
    headers: tuple[str, ...] = USER_HEADERS

    def __call__(self, request: Request) -> Principal:
        for header in self.headers:
            value = request.headers.get(header)
            if value is not None and value.strip():
                name = value.strip()
                if not _VALID.match(name):
                    raise InvalidRequestError(
                        f"header {header}: {name[:40]!r} is not a valid user name", field=header
                    )
                return Principal(name)
        return Principal(self.default)


def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the request's principal."""
    resolver: PrincipalResolver = request.app.state.principal_resolver
    return resolver(request)
