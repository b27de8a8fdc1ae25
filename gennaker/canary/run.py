"""One canary judgement: fetch every metric for the control and experiment scopes, pair the series, judge.

Who calls it: the ``runCanary`` task of the ``kayentaCanary`` stage (one call per interval) and
``CanaryService`` (ad-hoc judgements). This is what Kayenta's canary execution does (its "metric set
fetch", "mix" and "judge" steps), minus the object storage: the caller stores the outcome.

* Scopes come as Kayenta's execution request ``scopes``: ``{scopeName: {controlScope, experimentScope}}``,
  each a :class:`~gennaker.canary.scope.CanaryScope`. Every metric's ``scopeName`` must be one of them.
* The metrics account is the one named (it must serve the metric's query type) or, without a name, the only
  account serving that type (:meth:`~gennaker.canary.accounts.MetricsAccountSet.resolve`).
* Judging is in-process with the judge the config names, or — when a :class:`RemoteJudgeClient` is given —
  by POSTing Kayenta's ``RemoteJudge-v1.0`` request to ``<baseUrl>/judge``.

Errors are :class:`~gennaker.canary.errors.CanaryError` subclasses whose messages name the metric, the
account, the backend's answer; nothing here retries (the task decides).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import ValidationError

from gennaker.canary.accounts import MetricsAccountSet
from gennaker.canary.config import CanaryConfig, ScoreThresholds
from gennaker.canary.errors import CanaryError, JudgeInputError, MetricSourceUnavailableError
from gennaker.canary.judge.registry import get_judge
from gennaker.canary.judge.remote import RemoteJudgeRequest
from gennaker.canary.metrics.mixer import mix_all
from gennaker.canary.metrics.model import MetricSet, MetricSetPair
from gennaker.canary.metrics.registry import (
    MetricQueryContext,
    MetricsTransport,
    metric_source_for,
    query_metrics,
)
from gennaker.canary.scope import CanaryScope


@dataclass(frozen=True)
class ScopePair:
    control: CanaryScope
    experiment: CanaryScope


def parse_request_scopes(raw: Mapping[str, Any]) -> dict[str, ScopePair]:
    """Kayenta's ``scopes`` map of an execution request."""
    if not isinstance(raw, Mapping) or not raw:
        raise JudgeInputError("the execution request needs at least one scope")
    out: dict[str, ScopePair] = {}
    for name, entry in raw.items():
        if not isinstance(entry, Mapping):
            raise JudgeInputError(f"scopes.{name}: expected {{controlScope, experimentScope}}")
        sides = {}
        for side in ("controlScope", "experimentScope"):
            try:
                sides[side] = CanaryScope.model_validate(entry.get(side) or {})
            except ValidationError as error:
                detail = error.errors()[0]
                where = ".".join(str(p) for p in detail["loc"])
                raise JudgeInputError(f"scopes.{name}.{side}.{where}: {detail['msg']}") from None
        out[str(name)] = ScopePair(sides["controlScope"], sides["experimentScope"])
    return out


def fetch_metric_set_pairs(
    config: CanaryConfig,
    scopes: Mapping[str, ScopePair],
    *,
    accounts: MetricsAccountSet,
    transport: MetricsTransport,
    metrics_account_name: str | None = None,
) -> list[MetricSetPair]:
    """Query every metric of ``config`` for both scopes and pair the series (Kayenta's mixer rules)."""
    if not config.metrics:
        raise JudgeInputError("the canary config has no metrics to judge")
    controls: list[MetricSet] = []
    experiments: list[MetricSet] = []
    for metric in config.metrics:
        name = metric.scope_name or "default"
        pair = scopes.get(name)
        if pair is None:
            known = ", ".join(sorted(scopes))
            raise JudgeInputError(
                f"metric {metric.name!r}: its scopeName {name!r} is not among the request's scopes ({known})"
            )
        metric_source_for(metric.query.type)  # an unfetchable type is named before any account is
        account = accounts.resolve(metrics_account_name, metric.query.type)
        settings = {k: str(v) for k, v in account.settings.items() if isinstance(v, str | int | float)}
        for scope, sink in ((pair.control, controls), (pair.experiment, experiments)):
            context = MetricQueryContext(config, metric, scope, account_settings=settings)
            sink.extend(query_metrics(context, transport, account.name))
    return mix_all([m.name for m in config.metrics], controls, experiments)


class RemoteJudgeClient:
    """Posts Kayenta's ``RemoteJudge-v1.0`` request to ``<base_url>/judge`` and returns the judge's JSON."""

    def __init__(self, base_url: str, *, timeout_seconds: float = 60.0, client: httpx.Client | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self._client = client or httpx.Client()

    def judge(
        self, config: CanaryConfig, thresholds: ScoreThresholds, pairs: Sequence[MetricSetPair]
    ) -> dict[str, Any]:
        url = self.base_url + "/judge"
        body = RemoteJudgeRequest(config, thresholds, list(pairs)).to_json()
        try:
            response = self._client.post(url, json=body, timeout=self.timeout_seconds)
        except httpx.HTTPError as error:
            raise MetricSourceUnavailableError(
                f"remote judge {url}: cannot reach it ({type(error).__name__}: {error})"
            ) from None
        if response.status_code >= 400:
            raise CanaryError(
                f"remote judge {url} answered HTTP {response.status_code}: {response.text[:300]}"
            )
        try:
            result = response.json()
            float(result["score"]["score"])
        except (ValueError, KeyError, TypeError):
            raise CanaryError(
                f"remote judge {url} did not answer a CanaryJudgeResult: {response.text[:300]}"
            ) from None
        return dict(result)


def judge_pairs(
    config: CanaryConfig,
    thresholds: ScoreThresholds,
    pairs: Sequence[MetricSetPair],
    *,
    remote: RemoteJudgeClient | None = None,
) -> dict[str, Any]:
    """The CanaryJudgeResult JSON of ``pairs``: by the remote judge when given, else in-process."""
    if remote is not None:
        return remote.judge(config, thresholds, pairs)
    return get_judge(config.judge_name).judge(config, thresholds, pairs).to_json()
