"""The webhook stage's JsonPath reader and HTTP adapter (against a real local server)."""

from __future__ import annotations

import pytest

from gennaker.stages import jsonpath
from gennaker.stages.http import HttpClient, HttpTransportError, parse_body
from tests.localhttp import LocalHTTPServer, Reply

DOC = {"status": {"phase": "DONE", "items": [{"n": 1}, {"n": 2}]}, "a b": 3}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$.status.phase", "DONE"),
        ("status.phase", "DONE"),
        ("$['status']['phase']", "DONE"),
        ('$["a b"]', 3),
        ("$.status.items[1].n", 2),
        ("$.status.items[-1].n", 2),
        ("$.status.items[*].n", [1, 2]),
        ("$", DOC),
    ],
)
def test_reads(path: str, value: object) -> None:
    assert jsonpath.read(DOC, path) == value


def test_missing_and_invalid_paths_say_so() -> None:
    with pytest.raises(jsonpath.PathNotFound, match="'nope'"):
        jsonpath.read(DOC, "$.status.nope")
    with pytest.raises(jsonpath.PathNotFound, match="index 5"):
        jsonpath.read(DOC, "$.status.items[5]")
    with pytest.raises(jsonpath.InvalidPath, match="position"):
        jsonpath.read(DOC, "$..phase")


def test_body_parsing_is_best_effort() -> None:
    assert parse_body('{"a": 1}') == {"a": 1}
    assert parse_body("[1]") == [1]
    assert parse_body("{not json") == "{not json"
    assert parse_body("plain") == "plain"
    assert parse_body("") is None


def test_adapter_returns_every_status_and_classifies_transport_errors() -> None:
    with LocalHTTPServer() as http:
        http.route("PUT", "/x", Reply(418, {"tea": True}, {"X-Reply": "yes"}))
        r = HttpClient(timeout_s=5).send("put", http.url("/x"), headers={"A": ["1", "2"]}, payload={"k": "v"})
        assert (r.status_code, r.body, r.header("x-reply"), r.ok) == (418, {"tea": True}, "yes", False)
        assert http.hits("PUT", "/x")[0].headers["A"] == "1,2"
        assert http.hits("PUT", "/x")[0].body == {"k": "v"}
    with pytest.raises(HttpTransportError) as e:
        HttpClient(timeout_s=5).send("GET", "http://gennaker-no-such-host.invalid/")
    assert e.value.kind == "dns"
    with pytest.raises(HttpTransportError) as e:
        HttpClient(timeout_s=5).send("GET", "http://127.0.0.1:9/")
    assert e.value.kind == "connect"
