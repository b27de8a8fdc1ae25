"""A trigger fires each pipeline at most once per event, even with several servers: two "servers" (each its
own database engine, connections, facade and dispatcher) race on the same events, on PostgreSQL and SQLite.
The race is also run with the cheap pre-check disabled, so only the unique key written in the start's
transaction stands between the two starts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from gennaker.engine.runtime import EngineRuntime
from gennaker.engine.service import PipelineService
from gennaker.stages import builtin_registry
from gennaker.store import Database
from gennaker.triggers.dispatch import TriggerDispatcher
from gennaker.triggers.service import TriggerService
from gennaker.triggers.types import TRIGGER_TYPES

EVENTS = 12


class NoPrecheck(TriggerDispatcher):
    def already_started(self, event_key: str, config_id: str) -> str | None:
        return None


def _server(url: str, dispatcher_class: type[TriggerDispatcher]) -> tuple[PipelineService, TriggerService]:
    db = Database(url)
    runtime = EngineRuntime(db=db, registry=builtin_registry())
    service = PipelineService(runtime)
    return service, TriggerService(dispatcher_class(service, TRIGGER_TYPES))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'g.db'}"
    else:
        yield str(request.getfixturevalue("postgres_url"))


@pytest.mark.parametrize("dispatcher_class", [TriggerDispatcher, NoPrecheck], ids=["precheck", "key-only"])
def test_two_servers_racing_on_the_same_events_start_each_pipeline_once(
    url: str, dispatcher_class: type[TriggerDispatcher], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GENNAKER_SECRET_KEY", Fernet.generate_key().decode())
    setup = Database(url)
    setup.upgrade()
    admin = PipelineService(EngineRuntime(db=setup, registry=builtin_registry()))
    admin.save_application({"name": "app"}, principal="t")
    configs = [
        admin.save_pipeline(
            {
                "application": "app",
                "name": f"p{i}",
                "triggers": [{"type": "webhook", "source": "ci"}],
                "stages": [{"refId": "1", "type": "wait", "waitTime": 0}],
            },
            principal="t",
        )
        for i in range(2)
    ]
    servers = [_server(url, dispatcher_class) for _ in range(2)]
    answers: list[list[int]] = [[], []]
    try:
        for n in range(EVENTS):
            barrier = threading.Barrier(2)
            body = json.dumps({"n": n}).encode()

            def post(i: int, body: bytes = body, barrier: threading.Barrier = barrier, n: int = n) -> None:
                barrier.wait(timeout=30)
                answer = servers[i][1].handle_webhook("ci", {"Idempotency-Key": f"event-{n}"}, body)
                answers[i].append(len(answer.body.get("executionIds") or []))

            threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
        for config in configs:
            executions = admin.list_executions(
                pipeline_config_ids=[config["id"]], limit=100, include_stages=False
            )
            keys = sorted(e["trigger"]["correlationId"] for e in executions)
            assert len(keys) == EVENTS, "every event started every pipeline exactly once"
            assert len(set(keys)) == EVENTS
        assert sum(answers[0]) + sum(answers[1]) == EVENTS * 2
        events = servers[0][1].list_events(type="webhook", limit=500)
        outcomes = [o for e in events for o in e["outcomes"]]
        assert sum(1 for o in outcomes if o["result"] == "started") == EVENTS * 2
        assert sum(1 for o in outcomes if o["result"] == "duplicate") == EVENTS * 2
    finally:
        for service, _ in servers:
            service.runtime.db.dispose()
        setup.dispose()
