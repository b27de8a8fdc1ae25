"""Fail fast: pod problems older than the grace fail a rollout (fixtures walked by one test).

A fixture: ``objects`` (the workload, its ReplicaSets and pods, put in a real ``ObjectIndex``), ``target``
(kind and name), ``grace_s`` (null: fail fast off), ``seen_ago_s`` (how long ago the problem was first
observed; null: never; ``seed_keys`` adds remembered problems), ``expect`` (``failed``, ``stable``,
``message_contains``, ``next_check_s``, ``observations_left``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gennaker.kubernetes.cache.index import ObjectIndex
from gennaker.kubernetes.kinds import KINDS
from gennaker.kubernetes.stability import evaluate

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.yaml"))
NOW = 1_000_000_000


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fail_fast(path: Path) -> None:
    case: dict[str, Any] = yaml.safe_load(path.read_text())
    index = ObjectIndex()
    for obj in case["objects"]:
        index.upsert(obj)
    target = case["target"]
    handler = KINDS.find(target["kind"])
    assert handler is not None
    obj = index.get(handler.kind, "shop", target["name"])
    assert obj is not None
    key = f"shop/{target['name']}"
    first_seen: dict[str, int] = {}
    if case.get("seen_ago_s") is not None:
        # The problem was seen before: pre-seed every key the workload's problems would use.
        evaluate(obj, handler, index, key=key, first_seen=first_seen, now_ms=NOW, grace_ms=10**12)
        for k in [*first_seen, *case.get("seed_keys", [])]:
            first_seen[k] = NOW - int(case["seen_ago_s"] * 1000)
    grace = case.get("grace_s")
    verdict = evaluate(
        obj,
        handler,
        index,
        key=key,
        first_seen=first_seen,
        now_ms=NOW,
        grace_ms=None if grace is None else int(grace * 1000),
    )
    expect = case["expect"]
    assert verdict.status.failed.state is expect["failed"], verdict.status
    if "stable" in expect:
        assert verdict.status.stable.state is expect["stable"]
    if "message_contains" in expect:
        assert expect["message_contains"] in (verdict.status.message or ""), verdict.status.message
    if "next_check_s" in expect:
        assert verdict.next_check_ms == NOW + expect["next_check_s"] * 1000
    if "observations_left" in expect:
        assert len(first_seen) == expect["observations_left"]
