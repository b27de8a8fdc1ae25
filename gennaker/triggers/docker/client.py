"""A Docker Registry HTTP API v2 client: tags (paginated), manifest digests, the catalog, and uploads.

Who calls it: the docker trigger's poller (``poller``), the image pusher (``pusher``) and the benchmark.
Endpoints (the Docker Registry HTTP API V2 / OCI distribution specification):
- ``GET /v2/<name>/tags/list?n=<page>``, following ``Link: <...>; rel="next"`` until the last page;
- ``HEAD /v2/<name>/manifests/<reference>`` with the manifest media types in ``Accept``, for the
  ``Docker-Content-Digest`` header (a ``GET`` and a sha256 of the body when a registry omits it);
- ``GET /v2/_catalog?n=<page>`` (paginated the same way);
- ``POST /v2/<name>/blobs/uploads/`` then ``PUT <location>&digest=...`` (monolithic upload), and
  ``PUT /v2/<name>/manifests/<tag>``.
Authentication is anonymous, basic, or bearer tokens through the ``WWW-Authenticate`` challenge (``auth``).

Invariants: connection failures, timeouts, 429 and 5xx answers are retried with exponential backoff and
jitter (``RetryPolicy``, honouring ``Retry-After``); anything else fails at once. Every error is a
``RegistryError`` naming the registry, the operation and the registry's answer (its ``errors[].code`` and
message), never the credentials.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from gennaker.triggers.docker.auth import TokenCache, parse_challenge

MANIFEST_MEDIA_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
_RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_PAGES = 10_000


class RegistryError(Exception):
    """A registry operation failed; names the registry, the operation and the answer."""

    def __init__(self, registry: str, what: str, reason: str, status: int | None = None) -> None:
        self.registry = registry
        self.what = what
        self.status = status
        suffix = f" (HTTP {status})" if status is not None else ""
        super().__init__(f"registry {registry}: {what} failed{suffix}: {reason}")


class RegistryUnavailableError(RegistryError):
    """The registry could not be reached, or kept failing, after every retry."""


class RegistryAuthError(RegistryError):
    """The registry or its token service refused the credentials (or their absence)."""


class RegistryNotFoundError(RegistryError):
    """The repository, manifest or blob does not exist."""


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of transient failures: ``attempts`` in all, delays growing from ``initial`` to ``maximum``."""

    attempts: int = 4
    initial: float = 0.2
    maximum: float = 5.0
    multiplier: float = 2.0
    jitter: float = 0.2

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        base = min(self.maximum, self.initial * self.multiplier ** (attempt - 1))
        if retry_after is not None:
            base = min(self.maximum, max(base, retry_after))
        return base * (1 + random.uniform(-self.jitter, self.jitter))  # noqa: S311 - jitter, not crypto


def _registry_reason(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        text = " ".join(response.text.split())
        return text[:300] or response.reason_phrase
    errors = data.get("errors") if isinstance(data, dict) else None
    if isinstance(errors, list) and errors:
        parts = []
        for error in errors[:3]:
            if isinstance(error, dict):
                parts.append(f"{error.get('code', '?')}: {error.get('message', '')}".strip())
        return "; ".join(parts)
    return " ".join(response.text.split())[:300]


class RegistryClient:
    """One registry (``https://registry.example.com`` or ``http://127.0.0.1:5000``) and its credentials."""

    def __init__(
        self,
        url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(url if "://" in url else f"https://{url}")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"registry URL {url!r} must be an http:// or https:// URL (or a host)")
        self.url = f"{parts.scheme}://{parts.netloc}"
        self.host = parts.netloc
        self._username = username
        self._password = password
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._tokens = TokenCache()
        self._basic = False
        self._bearer_realm: tuple[str, str] | None = None  # (realm, service) of the last bearer challenge
        self._http = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True)

    def __repr__(self) -> str:
        return f"<RegistryClient {self.url} user={self._username!r}>"

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transport
    def _send_once(
        self, method: str, url: str, headers: Mapping[str, str], content: bytes | None, what: str
    ) -> httpx.Response:
        last: Exception | None = None
        for attempt in range(1, self._retry.attempts + 1):
            try:
                response = self._http.request(method, url, headers=dict(headers), content=content)
            except httpx.TransportError as exc:
                last = exc
                if attempt == self._retry.attempts:
                    break
                self._sleep(self._retry.delay(attempt))
                continue
            if response.status_code in _RETRY_STATUSES and attempt < self._retry.attempts:
                retry_after = response.headers.get("retry-after")
                wait = float(retry_after) if retry_after and retry_after.isdigit() else None
                self._sleep(self._retry.delay(attempt, wait))
                continue
            if response.status_code in _RETRY_STATUSES:
                raise RegistryUnavailableError(
                    self.url, what, _registry_reason(response), response.status_code
                )
            return response
        raise RegistryUnavailableError(
            self.url, what, f"{type(last).__name__}: {last} (after {self._retry.attempts} attempts)"
        )

    def _basic_header(self) -> str | None:
        if self._username is None or self._password is None:
            return None
        pair = base64.b64encode(f"{self._username}:{self._password}".encode()).decode()
        return f"Basic {pair}"

    def _token(self, realm: str, service: str, scope: str, what: str) -> str:
        cached = self._tokens.get(realm, service, scope)
        if cached is not None:
            return cached
        params = {"service": service} if service else {}
        if scope:
            params["scope"] = scope
        token_url = str(httpx.URL(realm, params=params))
        headers = {}
        basic = self._basic_header()
        if basic is not None:
            headers["Authorization"] = basic
        response = self._send_once("GET", token_url, headers, None, f"{what} (token from {realm})")
        if response.status_code in (401, 403):
            raise RegistryAuthError(
                self.url,
                what,
                f"the token service {realm} refused: {_registry_reason(response)}",
                response.status_code,
            )
        if response.status_code != 200:
            raise RegistryError(
                self.url, what, f"token service {realm}: {_registry_reason(response)}", response.status_code
            )
        try:
            data = response.json()
            token = data.get("token") or data.get("access_token")
            expires_in = float(data.get("expires_in") or 0)
        except (ValueError, AttributeError, TypeError):
            raise RegistryAuthError(
                self.url, what, f"the token service {realm} did not answer a token"
            ) from None
        if not token:
            raise RegistryAuthError(self.url, what, f"the token service {realm} did not answer a token")
        self._tokens.put(realm, service, scope, str(token), expires_in)
        return str(token)

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        scope: str,
        what: str,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> httpx.Response:
        """One authenticated request; answers not in ``ok`` raise ``RegistryError`` (404 -> NotFound)."""
        url = path_or_url if "://" in path_or_url else urljoin(self.url + "/", path_or_url.lstrip("/"))
        base_headers = {"User-Agent": "gennaker-registry-client", **(headers or {})}
        challenge_token: tuple[str, str] | None = None
        if self._bearer_realm is not None and scope:
            cached = self._tokens.get(self._bearer_realm[0], self._bearer_realm[1], scope)
            if cached is not None:
                challenge_token = (self._bearer_realm[0], cached)
        response: httpx.Response | None = None
        for _ in range(3):
            sent = dict(base_headers)
            if challenge_token is not None:
                sent["Authorization"] = f"Bearer {challenge_token[1]}"
            elif self._basic and self._basic_header():
                sent["Authorization"] = self._basic_header() or ""
            response = self._send_once(method, url, sent, content, what)
            if response.status_code != 401:
                break
            challenge = parse_challenge(response.headers.get("www-authenticate"))
            if challenge is None or ("Authorization" in sent and challenge.scheme == "basic"):
                break
            if challenge.scheme == "bearer" and challenge.realm:
                if challenge_token is not None:
                    break  # the token we just got was refused
                token = self._token(
                    challenge.realm,
                    challenge.params.get("service", ""),
                    challenge.params.get("scope", scope),
                    what,
                )
                challenge_token = (challenge.realm, token)
                continue
            if challenge.scheme == "basic" and self._basic_header() is not None:
                self._basic = True
                continue
            break
        assert response is not None
        if response.status_code in ok:
            return response
        reason = _registry_reason(response)
        if response.status_code in (401, 403):
            if not self._username:
                reason += " (the registry needs credentials; none are configured)"
            raise RegistryAuthError(self.url, what, reason, response.status_code)
        if response.status_code == 404:
            raise RegistryNotFoundError(self.url, what, reason, 404)
        raise RegistryError(self.url, what, reason, response.status_code)

    # ------------------------------------------------------------------ reading
    def _paginated(self, first: str, key: str, scope: str, what: str) -> list[str]:
        items: list[str] = []
        url: str | None = first
        for _ in range(MAX_PAGES):
            if url is None:
                return items
            response = self.request("GET", url, scope=scope, what=what)
            data: Any = response.json()
            page = data.get(key) if isinstance(data, dict) else None
            items.extend(str(t) for t in page or [])
            link = _NEXT_LINK.search(response.headers.get("link", ""))
            url = urljoin(self.url + "/", link.group(1)) if link else None
        raise RegistryError(self.url, what, f"more than {MAX_PAGES} pages")

    def ping(self) -> None:
        """``GET /v2/``: the registry speaks API v2 and accepts the credentials."""
        self.request("GET", "/v2/", scope="", what="ping /v2/")

    def list_tags(self, repository: str, *, page_size: int = 1000) -> list[str]:
        """Every tag of ``repository`` (all pages), in the registry's order."""
        return self._paginated(
            f"/v2/{repository}/tags/list?n={page_size}",
            "tags",
            f"repository:{repository}:pull",
            f"listing the tags of {repository}",
        )

    def list_repositories(self, *, page_size: int = 1000) -> list[str]:
        """Every repository the registry's catalog lists (many hosted registries do not offer it)."""
        return self._paginated(
            f"/v2/_catalog?n={page_size}", "repositories", "registry:catalog:*", "reading the catalog"
        )

    def manifest_digest(self, repository: str, reference: str) -> str:
        """The digest (``sha256:...``) of the manifest a tag (or digest) points to."""
        what = f"reading the manifest digest of {repository}:{reference}"
        headers = {"Accept": ", ".join(MANIFEST_MEDIA_TYPES)}
        path = f"/v2/{repository}/manifests/{reference}"
        scope = f"repository:{repository}:pull"
        try:
            head = self.request("HEAD", path, scope=scope, what=what, headers=headers)
        except RegistryNotFoundError:
            # A HEAD answer has no body; GET again for the registry's error code (MANIFEST_UNKNOWN...).
            self.request("GET", path, scope=scope, what=what, headers=headers)
            raise
        digest = head.headers.get("docker-content-digest")
        if digest:
            return digest
        body = self.request("GET", path, scope=scope, what=what, headers=headers).content
        return "sha256:" + hashlib.sha256(body).hexdigest()

    # ------------------------------------------------------------------ writing
    def blob_exists(self, repository: str, digest: str) -> bool:
        """Whether the repository already has the blob."""
        try:
            self.request(
                "HEAD",
                f"/v2/{repository}/blobs/{digest}",
                scope=f"repository:{repository}:pull,push",
                what=f"checking blob {digest} in {repository}",
            )
        except RegistryNotFoundError:
            return False
        return True

    def upload_blob(self, repository: str, data: bytes) -> str:
        """Upload ``data`` as a blob (monolithic upload) and return its digest; skips blobs already there."""
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        if self.blob_exists(repository, digest):
            return digest
        scope = f"repository:{repository}:pull,push"
        what = f"uploading blob {digest} to {repository}"
        started = self.request("POST", f"/v2/{repository}/blobs/uploads/", scope=scope, what=what, ok=(202,))
        location = started.headers.get("location")
        if not location:
            raise RegistryError(self.url, what, "the registry gave no upload Location")
        target = urljoin(self.url + "/", location)
        target += ("&" if "?" in target else "?") + f"digest={digest}"
        self.request(
            "PUT",
            target,
            scope=scope,
            what=what,
            headers={"Content-Type": "application/octet-stream"},
            content=data,
            ok=(201,),
        )
        return digest

    def put_manifest(self, repository: str, reference: str, manifest: bytes, media_type: str) -> str:
        """Store a manifest under a tag; returns its digest."""
        response = self.request(
            "PUT",
            f"/v2/{repository}/manifests/{reference}",
            scope=f"repository:{repository}:pull,push",
            what=f"pushing manifest {repository}:{reference}",
            headers={"Content-Type": media_type},
            content=manifest,
            ok=(201,),
        )
        return (
            response.headers.get("docker-content-digest") or "sha256:" + hashlib.sha256(manifest).hexdigest()
        )
