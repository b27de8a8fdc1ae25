"""The adapter through which ``#fromUrl``/``#jsonFromUrl``/``#yamlFromUrl``/``#propertiesFromUrl`` read
the network, and its real implementation on httpx.

:class:`UrlFetcher` is the only door from an expression to the outside. :class:`HttpxUrlFetcher` is the
default door, with the restrictions of Orca's ``UserConfiguredUrlRestrictions`` defaults: ``http`` and
``https`` only; loopback, link-local (e.g. cloud metadata at 169.254.169.254), unspecified and multicast
addresses refused unless allowed (tests allow loopback to reach their local server); every redirect hop
validated again; the body read in a stream and cut at ``max_bytes``; the whole fetch bounded by
``timeout_s``. Hosts are resolved and checked before connecting (a DNS answer that changes between the
check and the connection is not defended against).

Created by whoever builds the :class:`~gennaker.expressions.ExpressionEvaluator`. Nothing persisted.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import httpx

from gennaker.expressions.errors import ExpressionError


class UrlFetcher(Protocol):
    """Adapter for #fromUrl/#jsonFromUrl/#yamlFromUrl/#propertiesFromUrl.

    Tests plug a real local HTTP server.
    """

    def fetch(self, url: str, *, max_bytes: int, timeout_s: float) -> str: ...


class UrlFetchError(ExpressionError):
    """A URL could not be fetched (refused by policy, unreachable, bad status, too large, too slow)."""


Resolver = Callable[[str, int], Iterable[str]]


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


class HttpxUrlFetcher:
    """Fetches text over HTTP(S) with Orca-like URL restrictions, size and time limits."""

    def __init__(
        self,
        *,
        allowed_schemes: tuple[str, ...] = ("http", "https"),
        allow_loopback: bool = False,
        allow_link_local: bool = False,
        allow_private: bool = True,
        max_redirects: int = 5,
        headers: dict[str, str] | None = None,
        resolver: Resolver | None = None,
        verify: bool = True,
    ) -> None:
        self.allowed_schemes = tuple(s.lower() for s in allowed_schemes)
        self.allow_loopback = allow_loopback
        self.allow_link_local = allow_link_local
        self.allow_private = allow_private
        self.max_redirects = max_redirects
        self.headers = {"User-Agent": "gennaker-expressions", "Accept": "*/*", **(headers or {})}
        self.resolver = resolver or _system_resolver
        self.verify = verify

    # ------------------------------------------------------------ policy

    def check_url(self, url: str) -> None:
        """Raise :class:`UrlFetchError` when ``url`` may not be fetched."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise UrlFetchError(f"invalid URL '{url}': {exc}") from None
        scheme = parts.scheme.lower()
        if scheme not in self.allowed_schemes:
            raise UrlFetchError(
                f"URL scheme '{scheme or '(none)'}' is not allowed "
                f"(allowed: {', '.join(self.allowed_schemes)})"
            )
        host = parts.hostname
        if not host:
            raise UrlFetchError(f"URL '{url}' has no host")
        if port is None:
            port = 443 if scheme == "https" else 80
        try:
            addresses = list(self.resolver(host, port))
        except (OSError, UnicodeError) as exc:
            raise UrlFetchError(f"cannot resolve host '{host}': {exc}") from None
        if not addresses:
            raise UrlFetchError(f"cannot resolve host '{host}'")
        for address in addresses:
            self._check_address(host, address)

    def _check_address(self, host: str, address: str) -> None:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        mapped = getattr(ip, "ipv4_mapped", None)
        if mapped is not None:
            ip = mapped
        if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
            raise UrlFetchError(f"host '{host}' resolves to {ip}, an address URL helpers may not reach")
        if ip.is_loopback and not self.allow_loopback:
            raise UrlFetchError(
                f"host '{host}' resolves to the loopback address {ip}; URL helpers may not reach it"
            )
        if ip.is_link_local and not self.allow_link_local:
            raise UrlFetchError(
                f"host '{host}' resolves to the link-local address {ip}; URL helpers may not reach it"
            )
        if ip.is_private and not ip.is_loopback and not ip.is_link_local and not self.allow_private:
            raise UrlFetchError(
                f"host '{host}' resolves to the private address {ip}; URL helpers may not reach it"
            )

    # ------------------------------------------------------------ fetching

    def fetch(self, url: str, *, max_bytes: int, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        current = url
        with httpx.Client(
            follow_redirects=False, verify=self.verify, headers=self.headers, trust_env=False
        ) as client:
            for _hop in range(self.max_redirects + 1):
                self.check_url(current)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise UrlFetchError(f"fetching '{url}' took longer than {timeout_s:g}s")
                try:
                    with client.stream("GET", current, timeout=httpx.Timeout(remaining)) as response:
                        if response.is_redirect and "location" in response.headers:
                            current = urljoin(current, response.headers["location"])
                            continue
                        if response.status_code >= 400:
                            raise UrlFetchError(
                                f"HTTP {response.status_code} {response.reason_phrase} from '{current}'"
                            )
                        body = bytearray()
                        for chunk in response.iter_bytes():
                            body.extend(chunk)
                            if len(body) > max_bytes:
                                raise UrlFetchError(
                                    f"response from '{current}' is larger than {max_bytes} bytes"
                                )
                            if time.monotonic() > deadline:
                                raise UrlFetchError(f"fetching '{url}' took longer than {timeout_s:g}s")
                        encoding = response.charset_encoding or "utf-8"
                        try:
                            return body.decode(encoding, "replace")
                        except LookupError:
                            return body.decode("utf-8", "replace")
                except httpx.TimeoutException:
                    raise UrlFetchError(f"fetching '{url}' took longer than {timeout_s:g}s") from None
                except httpx.HTTPError as exc:
                    raise UrlFetchError(f"cannot fetch '{current}': {exc}") from None
        raise UrlFetchError(f"too many redirects (more than {self.max_redirects}) fetching '{url}'")
