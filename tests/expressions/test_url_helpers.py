"""URL helpers against a real HTTP server on 127.0.0.1 (http.server in a thread), through the real httpx
fetcher: content types, redirects, status errors, size and time limits, and the address policy."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gennaker.expressions import (
    EvaluationContext,
    ExpressionError,
    ExpressionEvaluator,
    HttpxUrlFetcher,
    UrlFetchError,
)

ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/config.json": (200, "application/json", b'{"replicas": 4, "regions": ["us-east-1", "eu-west-1"]}'),
    "/list.json": (200, "application/json", b"[1, 2, 3]"),
    "/values.yaml": (200, "text/yaml", b"image:\n  tag: v9\nflags: [a, b]\n"),
    "/app.properties": (
        200,
        "text/plain",
        b"# comment\n! also comment\nkey1=value1\nkey2 : value two\nkey3 spaced\n"
        b"multi=line \\\n    continued\n"
        b"unicode=caf\\u00e9\n",
    ),
    "/text": (200, "text/plain; charset=utf-8", "plain text \u00fcnicode".encode()),
    "/latin1": (200, "text/plain; charset=iso-8859-1", "caf\u00e9".encode("latin-1")),
    "/notjson": (200, "text/plain", b"this is not json"),
    "/missing": (404, "text/plain", b"nope"),
    "/broken": (500, "text/plain", b"boom"),
    "/big": (200, "text/plain", b"x" * 300_000),
    "/expression": (200, "text/plain", b"${trigger.user}"),
    "/slow": (200, "text/plain", b"slow answer"),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(1.5)
        if self.path.startswith("/redirect"):
            target = self.path.split("to=", 1)[1]
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()
            return
        status, content_type, body = ROUTES.get(self.path, (404, "text/plain", b"unknown"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def url_evaluator() -> ExpressionEvaluator:
    return ExpressionEvaluator(
        url_fetcher=HttpxUrlFetcher(allow_loopback=True), max_fetch_bytes=200_000, fetch_timeout_s=1.0
    )


def _ctx(base_url: str) -> EvaluationContext:
    return EvaluationContext(roots={"base": base_url, "trigger": {"user": "alice"}})


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("#fromUrl(base + '/text')", "plain text \u00fcnicode"),
        ("#fromUrl(base + '/latin1')", "caf\u00e9"),
        ("#jsonFromUrl(base + '/config.json').replicas", 4),
        ("#jsonFromUrl(base + '/config.json')['regions'][1]", "eu-west-1"),
        ("#jsonFromUrl(base + '/list.json').size()", 3),
        ("#yamlFromUrl(base + '/values.yaml').image.tag", "v9"),
        ("#yamlFromUrl(base + '/values.yaml').flags", ["a", "b"]),
        ("#propertiesFromUrl(base + '/app.properties')['key1']", "value1"),
        ("#propertiesFromUrl(base + '/app.properties')['key2']", "value two"),
        ("#propertiesFromUrl(base + '/app.properties')['key3']", "spaced"),
        ("#propertiesFromUrl(base + '/app.properties')['multi']", "line continued"),
        ("#propertiesFromUrl(base + '/app.properties')['unicode']", "caf\u00e9"),
        ("#propertiesFromUrl(base + '/app.properties').size()", 5),
        ("#fromUrl(base + '/redirect?to=/text')", "plain text \u00fcnicode"),
        ("#fromUrl(base + '/expression')", "${trigger.user}"),  # fetched text is never evaluated
    ],
)
def test_url_helpers(
    url_evaluator: ExpressionEvaluator, base_url: str, expression: str, expected: object
) -> None:
    assert url_evaluator.evaluate_expression(expression, _ctx(base_url)) == expected


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("#fromUrl(base + '/missing')", "HTTP 404 Not Found"),
        ("#jsonFromUrl(base + '/broken')", "HTTP 500"),
        ("#jsonFromUrl(base + '/notjson')", "#readJson(this is not json) failed"),
        ("#fromUrl(base + '/big')", "larger than 200000 bytes"),
        ("#fromUrl(base + '/slow')", "took longer than 1s"),
        ("#fromUrl('file:///etc/passwd')", "URL scheme 'file' is not allowed"),
        ("#fromUrl('ftp://127.0.0.1/x')", "URL scheme 'ftp' is not allowed"),
        ("#fromUrl('not a url')", "URL scheme '(none)' is not allowed"),
        ("#fromUrl('http:///nohost')", "has no host"),
        ("#fromUrl(null)", "argument is null"),
    ],
)
def test_url_helper_failures(
    url_evaluator: ExpressionEvaluator, base_url: str, expression: str, fragment: str
) -> None:
    with pytest.raises(ExpressionError) as raised:
        url_evaluator.evaluate_expression(expression, _ctx(base_url))
    assert fragment in str(raised.value)


def test_url_failure_is_recorded_in_summary(url_evaluator: ExpressionEvaluator, base_url: str) -> None:
    result = url_evaluator.evaluate_object({"config": "${#jsonFromUrl(base + '/missing')}"}, _ctx(base_url))
    assert result.value == {"config": "${#jsonFromUrl(base + '/missing')}"}
    entry = result.summary["#jsonFromUrl(base + '/missing')"][0]
    assert entry["level"] == "ERROR"
    assert entry["exceptionType"] == "com.netflix.spinnaker.kork.expressions.SpelHelperFunctionException"
    assert "#jsonFromUrl(http://127.0.0.1:" in entry["description"]
    assert "HTTP 404" in entry["description"]


def test_default_fetcher_refuses_loopback_and_link_local(base_url: str) -> None:
    evaluator = ExpressionEvaluator()  # the real default fetcher, Orca-like restrictions
    with pytest.raises(ExpressionError, match=r"loopback address 127\.0\.0\.1"):
        evaluator.evaluate_expression("#fromUrl(base + '/text')", _ctx(base_url))
    with pytest.raises(ExpressionError, match="loopback"):
        evaluator.evaluate_expression("#fromUrl('http://localhost:1/x')", _ctx(base_url))
    with pytest.raises(ExpressionError, match=r"link-local address 169\.254\.169\.254"):
        evaluator.evaluate_expression("#fromUrl('http://169.254.169.254/latest/meta-data/')", _ctx(base_url))
    with pytest.raises(ExpressionError, match=r"0\.0\.0\.0"):
        evaluator.evaluate_expression("#fromUrl('http://0.0.0.0:1/')", _ctx(base_url))


def test_redirects_are_checked_again(base_url: str) -> None:
    """A public URL may not redirect the fetcher onto a refused address."""
    fetcher = HttpxUrlFetcher(allow_loopback=True)
    fetcher.check_url(base_url + "/text")
    strict = HttpxUrlFetcher(
        allow_loopback=False,
        resolver=lambda host, port: ["127.0.0.1"] if host == "127.0.0.1" else ["203.0.113.7"],
    )
    with pytest.raises(UrlFetchError, match="loopback"):
        strict.fetch(base_url + "/redirect?to=http://127.0.0.1:1/x", max_bytes=1000, timeout_s=1)
    bouncing = HttpxUrlFetcher(allow_loopback=True, max_redirects=2)
    with pytest.raises(UrlFetchError, match="too many redirects"):
        bouncing.fetch(
            base_url + "/redirect?to=/redirect?to=/redirect?to=/redirect?to=/text",
            max_bytes=1000,
            timeout_s=2,
        )


def test_private_addresses_can_be_refused() -> None:
    fetcher = HttpxUrlFetcher(allow_private=False, resolver=lambda host, port: ["10.1.2.3"])
    with pytest.raises(UrlFetchError, match=r"private address 10\.1\.2\.3"):
        fetcher.check_url("http://internal.example/x")
    HttpxUrlFetcher(resolver=lambda host, port: ["10.1.2.3"]).check_url("http://internal.example/x")


def test_custom_fetcher_adapter_is_used() -> None:
    class Recording:
        def __init__(self) -> None:
            self.calls: list[tuple[str, int, float]] = []

        def fetch(self, url: str, *, max_bytes: int, timeout_s: float) -> str:
            self.calls.append((url, max_bytes, timeout_s))
            if url.endswith("fail"):
                raise OSError("disk on fire")
            return '{"ok": true}'

    recording = Recording()
    evaluator = ExpressionEvaluator(url_fetcher=recording, max_fetch_bytes=1234, fetch_timeout_s=0.5)
    ctx = EvaluationContext(roots={})
    assert evaluator.evaluate_expression("#jsonFromUrl('https://x.example/c.json').ok", ctx) is True
    url, max_bytes, timeout_s = recording.calls[0]
    assert (url, max_bytes) == ("https://x.example/c.json", 1234)
    assert 0 < timeout_s <= 0.5
    with pytest.raises(ExpressionError, match="OSError: disk on fire"):
        evaluator.evaluate_expression("#fromUrl('https://x.example/fail')", ctx)


def test_network_wait_does_not_eat_the_compute_deadline(base_url: str) -> None:
    """A fetch may use its own time limit even when it is longer than the expression's compute limit."""
    evaluator = ExpressionEvaluator(
        url_fetcher=HttpxUrlFetcher(allow_loopback=True), timeout_s=0.5, fetch_timeout_s=5.0
    )
    assert evaluator.evaluate_expression("#fromUrl(base + '/slow')", _ctx(base_url)) == "slow answer"
    result = evaluator.evaluate_object({"a": "${#fromUrl(base + '/slow')}"}, _ctx(base_url))
    assert result.value == {"a": "slow answer"}, result.summary
