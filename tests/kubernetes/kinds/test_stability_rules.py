"""Every per-kind stability rule, from YAML fixtures (``fixtures/<kind>/<case>.yaml``), walked by one test.

A fixture is ``{description?, object, expect: {stable, failed, message?, available?, paused?}}``; ``message``
is the condition message that explains the verdict (the failure, else why it is unstable).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gennaker.kubernetes.kinds import KINDS

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*/*.yaml"))


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_stability_rule(path: Path) -> None:
    case = load(path)
    obj, expect = case["object"], case["expect"]
    handler = KINDS.find(obj["kind"])
    assert handler is not None, f"no handler for {obj['kind']}"
    status = handler.status(obj)
    assert status.stable.state is expect["stable"], status
    assert status.failed.state is expect["failed"], status
    if "message" in expect:
        assert status.message == expect["message"]
    if "available" in expect:
        assert status.available.state is expect["available"]
    if "paused" in expect:
        assert status.paused.state is expect["paused"]


def test_every_kind_with_rules_has_fixtures() -> None:
    covered = {p.parent.name for p in FIXTURES}
    for kind in ("deployment", "replicaset", "statefulset", "daemonset", "job", "pod", "hpa"):
        assert kind in covered
