"""Real local peers for the canary tests: an exporter serving Prometheus exposition text with values the
test controls, a real Prometheus (Debian's ``prometheus``) that scrapes it, and a small threaded HTTP server
helper.

The exporter's values are known: each gauge series has a mean and a cycle of offsets; scrape number ``n``
answers ``mean + offsets[n % len(offsets)]``. Two series given the same mean and offsets answer identical
values at every scrape, so "equal canary and baseline" is exact, not statistical.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.conftest import free_port

Handler = Callable[[str, str, dict[str, str], bytes], tuple[int, str, bytes]]


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 whose answers come from ``handler(method, path_and_query,
    headers, body) -> (status, content_type, body)``. Requests are recorded."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        outer = self

        class _H(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items()}
                outer.requests.append((self.command, self.path, headers, body))
                status, ctype, payload = outer.handler(self.command, self.path, headers, body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client (Prometheus at shutdown, a timed-out probe) went away

            do_GET = _serve
            do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Gauge:
    name: str
    labels: dict[str, str]
    mean: float
    offsets: tuple[float, ...] = (0.0,)


@dataclass
class Exporter:
    """Serves ``/metrics`` (Prometheus text format 0.0.4) from its gauges."""

    gauges: list[Gauge] = field(default_factory=list)
    scrapes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: LocalServer | None = None

    def start(self) -> Exporter:
        self.server = LocalServer(self._handle)
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def add(
        self, name: str, labels: dict[str, str], mean: float, offsets: tuple[float, ...] = (0.0,)
    ) -> None:
        with self.lock:
            self.gauges.append(Gauge(name, dict(labels), mean, offsets))

    def text(self) -> str:
        with self.lock:
            n = self.scrapes
            self.scrapes += 1
            lines = []
            for name in sorted({g.name for g in self.gauges}):
                lines.append(f"# TYPE {name} gauge")
                for g in self.gauges:
                    if g.name != name:
                        continue
                    value = g.mean + g.offsets[n % len(g.offsets)]
                    labels = ",".join(f'{k}="{v}"' for k, v in sorted(g.labels.items()))
                    lines.append(f"{name}{{{labels}}} {value!r}")
        return "\n".join(lines) + "\n"

    def _handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        if path.split("?", maxsplit=1)[0] != "/metrics":
            return 404, "text/plain", b"not found"
        return 200, "text/plain; version=0.0.4", self.text().encode()

    def close(self) -> None:
        if self.server is not None:
            self.server.close()


class PrometheusProcess:
    """A real Prometheus on a loopback port (a free one unless given), scraping itself and one target
    (``exporter_port``; ``metrics_path`` there) every ``scrape_interval`` (250 ms by default)."""

    def __init__(
        self,
        workdir: Path,
        exporter_port: int,
        *,
        port: int | None = None,
        scrape_interval: str = "250ms",
        metrics_path: str = "/metrics",
    ) -> None:
        binary = shutil.which("prometheus")
        assert binary, "the Debian package 'prometheus' is required (scripts/system-packages.txt)"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = workdir / "prometheus.yml"
        timeout = "200ms" if scrape_interval == "250ms" else "900ms"
        config.write_text(
            f"global: {{scrape_interval: {scrape_interval}, scrape_timeout: {timeout}, "
            "evaluation_interval: 1s}\n"
            "scrape_configs:\n"
            f"- {{job_name: self, static_configs: [{{targets: ['127.0.0.1:{self.port}']}}]}}\n"
            f"- {{job_name: exporter, metrics_path: '{metrics_path}', "
            f"static_configs: [{{targets: ['127.0.0.1:{exporter_port}']}}]}}\n"
        )
        self.log = workdir / "prometheus.log"
        self.process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w"),
        )

    def query(self, promql: str) -> Any:
        url = self.url + "/api/v1/query?query=" + urllib.parse.quote(promql)
        with urllib.request.urlopen(url, timeout=2) as answer:
            return json.loads(answer.read())["data"]["result"]

    def wait_ready(self, timeout_s: float = 60, samples: int = 12) -> None:
        """Until both jobs have ``samples`` scrapes in the last minute."""
        deadline = time.monotonic() + timeout_s
        while True:
            assert self.process.poll() is None, self.log.read_text()[-2000:]
            try:
                result = self.query("count_over_time(up[1m])")
                counts = {r["metric"].get("job"): float(r["value"][1]) for r in result}
                if counts.get("self", 0) >= samples and counts.get("exporter", 0) >= samples:
                    return
            except (urllib.error.URLError, ConnectionError, KeyError, ValueError):
                pass
            assert time.monotonic() < deadline, "Prometheus did not collect samples in time"
            time.sleep(0.25)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)
