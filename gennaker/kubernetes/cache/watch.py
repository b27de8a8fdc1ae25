"""One list-then-watch loop: keeps one kind (in one namespace, or everywhere) of one account in the index.

Who runs it: ``cache.account.AccountCache``, one ``KindWatcher`` task per kind and namespace scope, on the
cache's event-loop thread. Protocol (what client-go's reflector does):

1. LIST (paged) -> replace the scope's objects in the index, remember the list's resourceVersion;
2. WATCH from that resourceVersion with bookmarks and a server-side timeout; apply ADDED/MODIFIED/DELETED,
   remember each event's resourceVersion (bookmarks too);
3. when the stream ends (timeout, disconnect), WATCH again from the last resourceVersion (no relist);
4. on ``410 Gone`` / ``Expired`` (the version left the server's window), LIST again;
5. on transport errors, report the account unreachable and retry with a growing delay (0.5 s .. 10 s).

A kind the server does not serve (404/403 on LIST) is reported and retried every minute; it never marks the
account unreachable. Events reach ``on_event`` (the account cache), which indexes and notifies.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx

from gennaker.kubernetes.cache.index import ObjectIndex
from gennaker.kubernetes.client import PAGE_SIZE, status_message
from gennaker.kubernetes.kinds import KindHandler
from gennaker.kubernetes.kubeconfig import ClusterEndpoint

log = logging.getLogger(__name__)

WATCH_TIMEOUT_S = 290
MAX_BACKOFF_S = 10.0
UNSERVED_RETRY_S = 60.0


class Expired(Exception):
    """The watch's resourceVersion is too old: relist."""


class Unserved(Exception):
    """The server does not serve this kind (or forbids listing it)."""


EventSink = Callable[[str, dict[str, Any]], None]
StateSink = Callable[["KindWatcher", str, str | None], None]


class KindWatcher:
    """List-then-watch of one kind in one scope (see the module docstring)."""

    def __init__(  # noqa: PLR0917
        self,
        endpoint: ClusterEndpoint,
        http: httpx.AsyncClient,
        handler: KindHandler,
        namespace: str | None,
        index: ObjectIndex,
        on_event: EventSink,
        on_state: StateSink,
        *,
        keep: Callable[[dict[str, Any]], bool] = lambda obj: True,
    ) -> None:
        self.endpoint = endpoint
        self.http = http
        self.handler = handler
        self.namespace = namespace
        self.index = index
        self.on_event = on_event
        self.on_state = on_state
        self.keep = keep
        self.resource_version = ""
        self.synced = False

    @property
    def scope(self) -> str:
        return f"{self.handler.plural} in {self.namespace}" if self.namespace else f"{self.handler.plural}"

    def _headers(self) -> dict[str, str]:
        return {"Accept": "application/json", **self.endpoint.auth_headers()}

    def _stamp(self, obj: dict[str, Any]) -> dict[str, Any]:
        obj.setdefault("kind", self.handler.kind)
        obj.setdefault("apiVersion", self.handler.api_version)
        return obj

    async def run(self) -> None:
        """Until cancelled."""
        backoff = 0.5
        while True:
            try:
                await self.relist()
                self.on_state(self, "synced", None)
                backoff = 0.5
                while True:
                    try:
                        await self.watch()
                    except Expired:
                        break
            except asyncio.CancelledError:
                raise
            except Unserved as exc:
                self.synced = True
                self.on_state(self, "unserved", str(exc))
                await asyncio.sleep(UNSERVED_RETRY_S)
            except (httpx.TransportError, OSError) as exc:
                self.on_state(
                    self, "unreachable", f"cannot reach {self.endpoint.server}: {exc or type(exc).__name__}"
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
            except Exception as exc:
                log.warning("watch of %s on %s failed: %s", self.scope, self.endpoint.account, exc)
                self.on_state(self, "error", str(exc))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)

    async def relist(self) -> None:
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": PAGE_SIZE}
        path = self.handler.path(self.namespace)
        while True:
            response = await self.http.get(path, params=params, headers=self._headers())
            if response.status_code in (403, 404, 405):
                raise Unserved(f"{self.scope}: HTTP {response.status_code}: {status_message(response)}")
            if response.status_code >= 400:
                raise RuntimeError(
                    f"listing {self.scope}: HTTP {response.status_code}: {status_message(response)}"
                )
            body = response.json()
            items += [self._stamp(i) for i in body.get("items") or [] if isinstance(i, dict)]
            metadata = body.get("metadata") or {}
            token = metadata.get("continue")
            if not token:
                self.resource_version = str(metadata.get("resourceVersion") or "")
                break
            params["continue"] = token
        kept = [i for i in items if self.keep(i)]
        for event_type, obj in self.index.replace_scope(self.handler.kind, self.namespace, kept):
            self.on_event(event_type, obj)
        self.synced = True

    async def watch(self) -> None:
        params = {
            "watch": "1",
            "allowWatchBookmarks": "true",
            "timeoutSeconds": str(WATCH_TIMEOUT_S),
            "resourceVersion": self.resource_version,
        }
        timeout = httpx.Timeout(10.0, read=WATCH_TIMEOUT_S + 30)
        async with self.http.stream(
            "GET", self.handler.path(self.namespace), params=params, headers=self._headers(), timeout=timeout
        ) as response:
            if response.status_code == 410:
                raise Expired()
            if response.status_code >= 400:
                await response.aread()
                raise RuntimeError(
                    f"watching {self.scope}: HTTP {response.status_code}: {status_message(response)}"
                )
            async for line in response.aiter_lines():
                if line.strip():
                    self.handle(json.loads(line))

    def handle(self, event: dict[str, Any]) -> None:
        """Apply one watch event to the index."""
        kind = event.get("type")
        obj = event.get("object") or {}
        if kind == "ERROR":
            if obj.get("code") == 410 or obj.get("reason") in ("Expired", "Gone"):
                raise Expired()
            raise RuntimeError(f"watch error on {self.scope}: {obj.get('message') or obj}")
        rv = (obj.get("metadata") or {}).get("resourceVersion")
        if rv:
            self.resource_version = str(rv)
        if kind == "BOOKMARK":
            return
        obj = self._stamp(obj)
        if kind == "DELETED" or not self.keep(obj):
            metadata = obj.get("metadata") or {}
            old = self.index.delete(
                self.handler.kind, str(metadata.get("namespace") or ""), str(metadata.get("name"))
            )
            if old is not None:
                self.on_event("DELETED", old)
            return
        changed = self.index.upsert(obj)
        if changed is not None:
            self.on_event(*changed)
