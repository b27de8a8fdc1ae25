"""A real HTTP server on 127.0.0.1 for tests of things that call URLs (webhook stage, demo, API tests).

Routes map (method, path) to a handler ``request -> Reply``; every request is recorded (method, path,
JSON body, headers, time). A handler may block on an event to simulate a slow peer. Use as a context
manager; ``url(path)`` gives the full URL.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    body: Any
    headers: dict[str, str]
    ts: float


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Reply]


class LocalHTTPServer:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Handler] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        outer = self

        class _H(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode()
                path = self.path.split("?")[0]
                req = Request(self.command, path, body, dict(self.headers.items()), time.time())
                with outer.lock:
                    outer.requests.append(req)
                handler = outer.routes.get((self.command, path))
                reply = handler(req) if handler else Reply(404, {"error": "no route"})
                data = (
                    b""
                    if reply.body is None
                    else (
                        reply.body.encode()
                        if isinstance(reply.body, str)
                        else json.dumps(reply.body).encode()
                    )
                )
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                if not isinstance(reply.body, str):
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, method: str, path: str, handler: Handler | Reply) -> None:
        self.routes[(method, path)] = handler if callable(handler) else (lambda _r, h=handler: h)

    def sequence(self, method: str, path: str, replies: list[Reply]) -> None:
        """Answer with ``replies`` in order, repeating the last one."""
        state = {"i": 0}

        def handler(_r: Request) -> Reply:
            with self.lock:
                i = min(state["i"], len(replies) - 1)
                state["i"] += 1
            return replies[i]

        self.route(method, path, handler)

    def hits(self, method: str, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.method == method and r.path == path]

    def __enter__(self) -> LocalHTTPServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
