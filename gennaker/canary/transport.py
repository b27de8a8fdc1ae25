"""The one adapter that talks to metric backends: a ``MetricsTransport`` over httpx.

Who uses it: :func:`gennaker.canary.metrics.registry.query_metrics` (through the canary run); tests point
accounts at real local peers (Prometheus, a local HTTP server, a faithful Datadog fake).

``execute(account_name, request)`` resolves the account, joins its ``baseUrl`` with the request's path,
adds the account type's credential headers (basic/bearer, Datadog's ``DD-API-KEY``/``DD-APPLICATION-KEY``)
and returns the status and decoded JSON body (or the text when the body is not JSON). Account types whose
data does not come from one HTTP request (the ``sandbox`` source, which answers from its own scrapes)
register an executor with :func:`register_account_executor` instead.

Errors: a backend that cannot be reached (refused, timeout, DNS, TLS) raises
:class:`~gennaker.canary.errors.MetricSourceUnavailableError` naming the account and the URL (without
credentials or query string). Credentials are never logged and never put in an error.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx

from gennaker.canary.accounts import MetricsAccountConfig, MetricsAccountSet, account_type_for
from gennaker.canary.errors import MetricSourceUnavailableError
from gennaker.canary.metrics.registry import HttpRequestSpec, HttpResponse

log = logging.getLogger(__name__)

AccountExecutor = Callable[[MetricsAccountConfig, HttpRequestSpec], HttpResponse]
_EXECUTORS: dict[str, AccountExecutor] = {}


def register_account_executor(account_type: str, executor: AccountExecutor) -> None:
    """Serve requests for accounts of ``account_type`` with ``executor`` instead of HTTP."""
    _EXECUTORS[account_type] = executor


def _decode(response: httpx.Response) -> Any:
    text = response.text
    try:
        return json.loads(text)
    except ValueError:
        return text


class HttpMetricsTransport:
    """Executes metric requests against the accounts of a :class:`MetricsAccountSet`."""

    def __init__(self, accounts: MetricsAccountSet, *, client: httpx.Client | None = None) -> None:
        self.accounts = accounts
        self._client = client or httpx.Client(follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def execute(self, account_name: str, request: HttpRequestSpec) -> HttpResponse:
        account = self.accounts.get(account_name)
        executor = _EXECUTORS.get(account.type)
        if executor is not None:
            return executor(account, request)
        return self.execute_http(account, request)

    def execute_http(self, account: MetricsAccountConfig, request: HttpRequestSpec) -> HttpResponse:
        url = account.base_url + (request.path if request.path.startswith("/") else "/" + request.path)
        headers = {"Accept": "application/json", "User-Agent": "gennaker-canary"}
        configured = account.setting("headers")
        if isinstance(configured, dict):
            headers.update({str(k): str(v) for k, v in configured.items()})
        kind = account_type_for(account.type)
        if kind.auth_headers is not None:
            headers.update(kind.auth_headers(account))
        shown = url.split("?", 1)[0]  # errors name the endpoint, not its query
        try:
            response = self._client.request(
                request.method,
                url,
                params=dict(request.params) or None,  # an empty dict would drop the path's own query
                json=request.json_body,
                headers=headers,
                timeout=account.timeout_seconds,
            )
        except httpx.TimeoutException:
            raise MetricSourceUnavailableError(
                f"metrics account {account.name!r}: {shown} did not answer "
                f"within {account.timeout_seconds:g} s"
            ) from None
        except httpx.HTTPError as error:
            raise MetricSourceUnavailableError(
                f"metrics account {account.name!r}: cannot reach {shown} ({type(error).__name__}: {error})"
            ) from None
        log.debug("metrics account %s: %s %s -> %s", account.name, request.method, url, response.status_code)
        return HttpResponse(response.status_code, _decode(response))
