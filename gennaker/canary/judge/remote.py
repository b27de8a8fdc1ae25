"""Kayenta's ``RemoteJudge-v1.0`` protocol as pure functions, so any Kayenta can use Gennaker's judge.

Who calls it: the API layer's ``POST /judge`` (to be built on top) passes the request body to
:func:`handle_remote_judge_request` and returns the dict it gets back as JSON.

Kayenta's ``RemoteJudge`` (enabled by ``kayenta.remote-judge.enabled`` and ``endpoint.baseUrl``) posts::

    {"canaryConfig": {...Kayenta canary config...},
     "scoreThresholds": {"pass": 95.0, "marginal": 75.0},
     "metricSetPairList": [{"name", "id", "tags", "values": {"control": [...], "experiment": [...]}, ...}]}

to ``<baseUrl>/judge`` and expects a ``CanaryJudgeResult`` back. The judge used is the one the config names
(default ``NetflixACAJudge-v1.0``); the config Kayenta forwards names ``RemoteJudge-v1.0``, which the registry
maps to ``NetflixACAJudge-v1.0`` (the request has already reached the remote judge).

Errors: a body that is not JSON, misses a field or carries an invalid config raises
:class:`~gennaker.canary.errors.CanaryError` subclasses whose messages say what and where (the API maps them
to 400).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from gennaker.canary.config import CanaryConfig, ScoreThresholds, parse_canary_config
from gennaker.canary.errors import JudgeInputError
from gennaker.canary.judge.registry import CanaryJudge, get_judge
from gennaker.canary.judge.results import CanaryJudgeResult
from gennaker.canary.metrics.model import MetricSetPair


@dataclass(frozen=True)
class RemoteJudgeRequest:
    canary_config: CanaryConfig
    score_thresholds: ScoreThresholds
    metric_set_pairs: list[MetricSetPair]

    def to_json(self) -> dict[str, Any]:
        return {
            "canaryConfig": self.canary_config.to_json(),
            "scoreThresholds": self.score_thresholds.model_dump(by_alias=True, exclude_none=True),
            "metricSetPairList": [pair.to_json() for pair in self.metric_set_pairs],
        }


def parse_remote_judge_request(body: dict[str, Any] | str | bytes) -> RemoteJudgeRequest:
    """Validate a RemoteJudge request body."""
    if isinstance(body, str | bytes):
        try:
            body = json.loads(body)
        except json.JSONDecodeError as error:
            raise JudgeInputError(f"judge request is not valid JSON: {error}") from error
    if not isinstance(body, dict):
        raise JudgeInputError("judge request must be a JSON object")
    for key in ("canaryConfig", "scoreThresholds", "metricSetPairList"):
        if body.get(key) is None:
            raise JudgeInputError(f"judge request is missing {key!r}")
    config = parse_canary_config(body["canaryConfig"])
    try:
        thresholds = ScoreThresholds.model_validate(body["scoreThresholds"])
    except ValidationError as error:
        raise JudgeInputError(f"scoreThresholds: {error.errors()[0]['msg']}") from error
    if thresholds.pass_ is None or thresholds.marginal is None:
        raise JudgeInputError("scoreThresholds must give both 'pass' and 'marginal'")
    raw_pairs = body["metricSetPairList"]
    if not isinstance(raw_pairs, list):
        raise JudgeInputError("metricSetPairList must be a list")
    pairs: list[MetricSetPair] = []
    for index, raw_pair in enumerate(raw_pairs):
        try:
            pairs.append(MetricSetPair.model_validate(raw_pair))
        except ValidationError as error:
            detail = error.errors()[0]
            where = ".".join(str(part) for part in detail["loc"])
            raise JudgeInputError(f"metricSetPairList[{index}].{where}: {detail['msg']}") from error
    return RemoteJudgeRequest(canary_config=config, score_thresholds=thresholds, metric_set_pairs=pairs)


def judge_remote_request(
    request: RemoteJudgeRequest, *, judge: CanaryJudge | None = None
) -> CanaryJudgeResult:
    """Judge a parsed request with ``judge``, or with the judge its config names."""
    chosen = judge if judge is not None else get_judge(request.canary_config.judge_name)
    return chosen.judge(request.canary_config, request.score_thresholds, request.metric_set_pairs)


def handle_remote_judge_request(
    body: dict[str, Any] | str | bytes, *, judge: CanaryJudge | None = None
) -> dict[str, Any]:
    """``{canaryConfig, scoreThresholds, metricSetPairList}`` → CanaryJudgeResult JSON."""
    return judge_remote_request(parse_remote_judge_request(body), judge=judge).to_json()
