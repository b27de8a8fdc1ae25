"""``CanaryService``: canary configs stored per application with every version kept (Kayenta's
``/canaryConfig`` semantics), validation errors that name the metric and field, the audit log,
``POST /judge`` and accounts. Runs on SQLite and on the local PostgreSQL."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gennaker.canary.accounts import MetricsAccountSet
from gennaker.canary.environment import CanaryEnvironment
from gennaker.canary.errors import CanaryConfigError, JudgeInputError
from gennaker.canary.service import CanaryService
from gennaker.engine.errors import ConflictError, InvalidRequestError, NotFoundError
from gennaker.store import Database, audit


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CanaryService]:
    url = (
        f"sqlite:///{tmp_path / 'g.db'}"
        if request.param == "sqlite"
        else str(request.getfixturevalue("postgres_url"))
    )
    db = Database(url)
    db.upgrade()
    accounts = MetricsAccountSet(
        [
            {
                "name": "dd",
                "type": "datadog",
                "secrets": {"apiKey": "api-secret-123", "applicationKey": "app-secret-456"},
            }
        ]
    )
    yield CanaryService(db, CanaryEnvironment.create(accounts, database=db), install=False)
    db.dispose()


CONFIG: dict[str, Any] = {
    "name": "web-canary",
    "applications": ["web"],
    "judge": {"name": "NetflixACAJudge-v1.0", "judgeConfigurations": {}},
    "metrics": [
        {
            "name": "5xx rate",
            "query": {
                "type": "prometheus",
                "customInlineTemplate": 'PromQL:sum(rate(x{pod=~"${scope}"}[1m]))',
            },
            "groups": ["errors"],
            "analysisConfigurations": {"canary": {"direction": "increase"}},
            "scopeName": "default",
        }
    ],
    "classifier": {"groupWeights": {"errors": 100}},
}


def test_create_assigns_an_id_and_get_returns_the_config(service: CanaryService) -> None:
    answer = service.create_config(CONFIG, principal="alice")
    config_id = answer["canaryConfigId"]
    stored = service.get_config(config_id)
    assert stored["id"] == config_id
    assert stored["name"] == "web-canary" and stored["metrics"][0]["name"] == "5xx rate"
    assert stored["createdTimestamp"] == stored["updatedTimestamp"]
    assert stored["createdTimestampIso"].endswith("Z")


def test_list_filters_by_application_and_shows_kayenta_summaries(service: CanaryService) -> None:
    a = service.create_config(CONFIG, principal="alice")["canaryConfigId"]
    other = dict(CONFIG, name="api-canary", applications=["api", "shared"])
    b = service.create_config(other, principal="alice")["canaryConfigId"]
    assert [c["id"] for c in service.list_configs()] == [b, a]  # by name
    (summary,) = service.list_configs("web")
    assert set(summary) == {"id", "name", "updatedTimestamp", "updatedTimestampIso", "applications"}
    assert summary["applications"] == ["web"]
    assert [c["id"] for c in service.list_configs(["shared", "web"])] == [b, a]
    assert service.list_configs("nobody") == []


def test_update_keeps_every_version_and_restore_brings_one_back(service: CanaryService) -> None:
    config_id = service.create_config(CONFIG, principal="alice")["canaryConfigId"]
    changed = copy.deepcopy(CONFIG)
    changed["metrics"][0]["analysisConfigurations"]["canary"]["critical"] = True
    service.update_config(config_id, changed, principal="bob")
    assert service.get_config(config_id)["metrics"][0]["analysisConfigurations"]["canary"]["critical"] is True
    history = service.config_history(config_id)
    assert [(h["version"], h["action"], h["savedBy"]) for h in history] == [
        (2, "save", "bob"),
        (1, "save", "alice"),
    ]
    service.restore_config(config_id, 1, principal="carol")
    assert "critical" not in service.get_config(config_id)["metrics"][0]["analysisConfigurations"]["canary"]
    assert service.config_history(config_id)[0]["version"] == 3


def test_delete_keeps_the_history_and_a_deleted_config_can_be_restored(service: CanaryService) -> None:
    config_id = service.create_config(CONFIG, principal="alice")["canaryConfigId"]
    service.delete_config(config_id, principal="bob")
    with pytest.raises(NotFoundError):
        service.get_config(config_id)
    assert [h["action"] for h in service.config_history(config_id)] == ["delete", "save"]
    with pytest.raises(InvalidRequestError, match="is a deletion"):
        service.restore_config(config_id, 2, principal="bob")
    service.restore_config(config_id, 1, principal="bob")
    assert service.get_config(config_id)["name"] == "web-canary"
    with pytest.raises(NotFoundError):
        service.delete_config("no-such-id", principal="bob")


def test_create_with_an_existing_id_and_update_of_a_missing_one_are_refused(service: CanaryService) -> None:
    config_id = service.create_config(dict(CONFIG, id="fixed-id"), principal="alice")["canaryConfigId"]
    assert config_id == "fixed-id"
    with pytest.raises(ConflictError, match="already exists"):
        service.create_config(dict(CONFIG, id="fixed-id", name="other"), principal="alice")
    with pytest.raises(NotFoundError, match="does not exist"):
        service.update_config("missing", CONFIG, principal="alice")


def test_names_are_unique_within_an_application(service: CanaryService) -> None:
    service.create_config(CONFIG, principal="alice")
    with pytest.raises(ConflictError, match="already exists in the scope of application 'web'"):
        service.create_config(CONFIG, principal="alice")
    service.create_config(dict(CONFIG, applications=["elsewhere"]), principal="alice")  # other app: fine
    found = service.find_config("web-canary", "elsewhere")
    assert found["applications"] == ["elsewhere"]


def test_save_config_upserts_by_name_within_the_application(service: CanaryService) -> None:
    first = service.save_config(CONFIG, principal="alice")
    second = service.save_config(dict(CONFIG, description="v2"), principal="alice")
    assert first["id"] == second["id"] and second["description"] == "v2"
    assert len(service.config_history(first["id"])) == 2


def test_validation_errors_name_the_metric_and_field_and_store_nothing(service: CanaryService) -> None:
    bad = copy.deepcopy(CONFIG)
    bad["metrics"][0]["scopeName"] = None
    bad["metrics"][0]["query"]["customFilterTemplate"] = "missing"
    bad["metrics"][0]["query"].pop("customInlineTemplate")
    with pytest.raises(CanaryConfigError) as caught:
        service.create_config(bad, principal="alice")
    body = caught.value.to_json()
    assert caught.value.status_code == 400
    paths = {(i["path"], i.get("metricName")) for i in body["issues"]}
    assert ("metrics[0].scopeName", "5xx rate") in paths
    assert ("metrics[0].query.customFilterTemplate", "5xx rate") in paths
    assert service.list_configs() == []
    with pytest.raises(CanaryConfigError, match="Canary config must specify at least one application"):
        service.create_config(dict(CONFIG, applications=[]), principal="alice")
    with pytest.raises(CanaryConfigError, match="Names must contain only letters"):
        service.create_config(dict(CONFIG, name="bad name!"), principal="alice")


def test_every_write_is_audited_with_the_principal(service: CanaryService) -> None:
    config_id = service.create_config(CONFIG, principal="alice")["canaryConfigId"]
    service.update_config(config_id, CONFIG, principal="bob")
    service.delete_config(config_id, principal="carol")
    with service.db.read() as conn:
        entries = audit.entries(conn, target_type="canaryConfig", target_id=config_id)
    assert [(e.action, e.principal, e.application) for e in entries] == [
        ("canaryConfig.delete", "carol", "web"),
        ("canaryConfig.update", "bob", "web"),
        ("canaryConfig.create", "alice", "web"),
    ]


def test_judge_remote_answers_a_kayenta_remote_judge_request(service: CanaryService) -> None:
    body = {
        "canaryConfig": CONFIG,
        "scoreThresholds": {"pass": 95, "marginal": 75},
        "metricSetPairList": [
            {
                "name": "5xx rate",
                "id": "p1",
                "tags": {},
                "values": {"control": [1.0, 1.1, 0.9, 1.0] * 5, "experiment": [5.0, 5.2, 4.9, 5.1] * 5},
            }
        ],
    }
    result = service.judge_remote(body)
    assert result["results"][0]["classification"] == "High"
    assert result["score"] == {"score": 0.0, "classification": "Fail", "classificationReason": ""}
    with pytest.raises(JudgeInputError, match="missing 'scoreThresholds'"):
        service.judge_remote({"canaryConfig": CONFIG, "metricSetPairList": []})


def test_metrics_accounts_are_listed_with_secrets_redacted(service: CanaryService) -> None:
    (account,) = service.list_metrics_accounts()
    assert account["secrets"] == {"apiKey": "**********", "applicationKey": "**********"}
    assert "api-secret-123" not in repr(account) and "api-secret-123" not in repr(
        service.environment.accounts.get("dd")
    )
