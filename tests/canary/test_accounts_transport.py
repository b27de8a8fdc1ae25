"""Metrics accounts (validation, redaction, resolution, loading from a file), the HTTP adapter's credentials
(checked by a local server), and the ``RemoteJudge-v1.0`` client against a local ``POST /judge`` server that
runs Gennaker's own judge endpoint."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from gennaker.canary.accounts import MetricsAccountSet, load_metrics_accounts, parse_metrics_account
from gennaker.canary.config import ScoreThresholds, parse_canary_config
from gennaker.canary.errors import MetricsAccountError, MetricSourceUnavailableError
from gennaker.canary.judge.remote import handle_remote_judge_request
from gennaker.canary.metrics.model import MetricSetPair
from gennaker.canary.metrics.registry import HttpRequestSpec
from gennaker.canary.run import RemoteJudgeClient, judge_pairs
from gennaker.canary.transport import HttpMetricsTransport
from tests.canary.peers import LocalServer
from tests.conftest import free_port


def test_secrets_are_redacted_everywhere_they_could_be_shown() -> None:
    account = parse_metrics_account(
        {
            "name": "p",
            "type": "prometheus",
            "settings": {"baseUrl": "http://x"},
            "secrets": {"bearerToken": "s3cr3t"},
        }
    )
    assert account.to_public_json()["secrets"] == {"bearerToken": "**********"}
    for shown in (repr(account), str(account), json.dumps(account.model_dump(mode="json"))):
        assert "s3cr3t" not in shown
    assert account.secret("bearerToken") == "s3cr3t"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "p", "type": "nope"}, "unknown metrics account type 'nope'"),
        (
            {"name": "p", "type": "prometheus"},
            "metrics account 'p' (prometheus): settings.baseUrl is required",
        ),
        (
            {"name": "p", "type": "prometheus", "settings": {"baseUrl": "http://x", "bearerToken": "t"}},
            "bearerToken must be under 'secrets', not 'settings'",
        ),
        (
            {"name": "p", "type": "prometheus", "settings": {"baseUrl": "http://x", "scopelabel": "i"}},
            "unknown settings scopelabel",
        ),
        ({"name": "d", "type": "datadog", "secrets": {"apiKey": "k"}}, "secrets.applicationKey is required"),
        (
            {"name": "p", "type": "prometheus", "settings": {"baseUrl": "ftp://x"}},
            "must be an http:// or https:// URL",
        ),
        ({"name": "bad name", "type": "prometheus"}, "account name 'bad name' must start with"),
    ],
)
def test_bad_accounts_name_the_account_and_the_key(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(MetricsAccountError) as caught:
        parse_metrics_account(raw)
    assert message in str(caught.value)


def test_accounts_resolve_by_name_or_as_the_only_one_of_a_type(tmp_path: Path) -> None:
    path = tmp_path / "accounts.yaml"
    path.write_text(
        "accounts:\n"
        "- {name: prom, type: prometheus, settings: {baseUrl: 'http://127.0.0.1:9090'}}\n"
        "- {name: dd, type: datadog, secrets: {apiKey: a, applicationKey: b}}\n"
    )
    accounts = load_metrics_accounts(path)
    assert accounts.resolve(None, "prometheus").name == "prom"
    assert accounts.get("dd").base_url == "https://api.datadoghq.com"  # the type's default
    with pytest.raises(
        MetricsAccountError, match="'dd' is a datadog account; it cannot run prometheus queries"
    ):
        accounts.resolve("dd", "prometheus")
    with pytest.raises(MetricsAccountError, match="no metrics account serves http queries"):
        accounts.resolve(None, "http")
    accounts.put({"name": "prom2", "type": "prometheus", "settings": {"baseUrl": "http://127.0.0.1:9091"}})
    with pytest.raises(
        MetricsAccountError, match=r"several metrics accounts serve prometheus queries \(prom, prom2\)"
    ):
        accounts.resolve(None, "prometheus")
    with pytest.raises(MetricsAccountError, match="unknown metrics account 'x'"):
        accounts.get("x")


def test_the_adapter_sends_basic_or_bearer_credentials_and_never_logs_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[str] = []

    def handler(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        seen.append(headers.get("Authorization", ""))
        return 200, "application/json", b'{"ok": true}'

    server = LocalServer(handler)
    caplog.set_level(logging.DEBUG)
    try:
        accounts = MetricsAccountSet(
            [
                {
                    "name": "b",
                    "type": "prometheus",
                    "settings": {"baseUrl": server.url},
                    "secrets": {"bearerToken": "tok-1"},
                },
                {
                    "name": "u",
                    "type": "prometheus",
                    "settings": {"baseUrl": server.url, "username": "me"},
                    "secrets": {"password": "pw-2"},
                },
            ]
        )
        transport = HttpMetricsTransport(accounts)
        assert transport.execute("b", HttpRequestSpec("GET", "/api/v1/query_range", {"q": "1"})).body == {
            "ok": True
        }
        transport.execute("u", HttpRequestSpec("GET", "/x"))
    finally:
        server.close()
    assert seen == ["Bearer tok-1", "Basic " + base64.b64encode(b"me:pw-2").decode()]
    assert "tok-1" not in caplog.text and "pw-2" not in caplog.text


def test_an_unreachable_backend_names_the_account_and_endpoint() -> None:
    port = free_port()
    accounts = MetricsAccountSet(
        [
            {
                "name": "p",
                "type": "prometheus",
                "settings": {"baseUrl": f"http://127.0.0.1:{port}"},
                "secrets": {"password": "pw"},
            }
        ]
    )
    with pytest.raises(MetricSourceUnavailableError) as caught:
        HttpMetricsTransport(accounts).execute(
            "p", HttpRequestSpec("GET", "/api/v1/query_range", {"query": "up"})
        )
    assert (
        f"metrics account 'p': cannot reach http://127.0.0.1:{port}/api/v1/query_range (ConnectError"
        in str(caught.value)
    )
    assert "pw" not in str(caught.value) and "query=up" not in str(caught.value)


def test_the_remote_judge_client_posts_kayentas_request_to_a_judge_endpoint() -> None:
    def handler(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        if (method, path) != ("POST", "/judge"):
            return 404, "text/plain", b"no"
        return 200, "application/json", json.dumps(handle_remote_judge_request(body)).encode()

    server = LocalServer(handler)
    config = parse_canary_config(
        {
            "name": "r",
            "judge": {"name": "RemoteJudge-v1.0"},
            "metrics": [
                {
                    "name": "m",
                    "query": {"type": "prometheus", "metricName": "m"},
                    "groups": ["g"],
                    "scopeName": "default",
                }
            ],
        }
    )
    pairs = [
        MetricSetPair(
            name="m",
            id="p",
            values={"control": [1.0, 1.2, 0.9, 1.1] * 5, "experiment": [3.0, 3.2, 2.9, 3.1] * 5},
        )
    ]
    thresholds = ScoreThresholds.model_validate({"pass": 95, "marginal": 75})
    try:
        remote = judge_pairs(config, thresholds, pairs, remote=RemoteJudgeClient(server.url))
    finally:
        server.close()
    local = judge_pairs(config, thresholds, pairs)
    assert remote["results"][0]["classification"] == "High"
    assert remote == local
    sent = json.loads(server.requests[0][3])
    assert set(sent) == {"canaryConfig", "scoreThresholds", "metricSetPairList"}
