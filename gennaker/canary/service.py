"""``CanaryService``: the facade the API and CLI call for canary configs, judging, runs, reports and metrics
accounts. Nothing above ``gennaker.canary`` touches its tables or stages directly.

Who uses it: ``gennaker.api`` (Kayenta's routes: ``/canaryConfig``, ``/judge``, ``/canary/{id}``,
``/v2/canaries/credentials``), the CLI through the API, and tests.

Configs follow Kayenta's ``CanaryConfigController``: ``create_config`` assigns an id when the body has none
and answers ``{"canaryConfigId"}`` (an existing id is a conflict); ``update_config`` replaces an existing
config; both set ``createdTimestamp``/``updatedTimestamp`` (+``…Iso``) and store the id inside the body.
Validation is :func:`~gennaker.canary.config.parse_canary_config` plus Kayenta's save rules; its
:class:`~gennaker.canary.errors.CanaryConfigError` lists every issue with the metric and field (400). Two
configs sharing an application cannot have the same name (409). Every saved version is kept
(:meth:`config_history`), deletion included, and any version can be restored.

Every write records ``principal`` in the audit log, in the same transaction as the change. Errors:
``NotFoundError`` (404), ``ConflictError`` (409), ``CanaryError`` subclasses (their ``status_code``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from gennaker.canary.account_service import MetricsAccountService
from gennaker.canary.config import parse_canary_config, validate_for_storage
from gennaker.canary.environment import CanaryEnvironment, default_environment, set_default_environment
from gennaker.canary.judge.remote import handle_remote_judge_request
from gennaker.canary.metrics.prometheus import iso_from_millis
from gennaker.canary.metrics.sandbox import start_sandbox_collectors
from gennaker.canary.report import build_report, metric_plot, run_json
from gennaker.engine.clock import now_ms
from gennaker.engine.errors import ConflictError, InvalidRequestError, NotFoundError
from gennaker.store import Database, audit
from gennaker.store import canary as repo
from gennaker.store import executions as executions_repo
from gennaker.store.canary import CanaryConfigRow


def _summary(row: CanaryConfigRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "updatedTimestamp": row.updated_ts,
        "updatedTimestampIso": iso_from_millis(row.updated_ts),
        "applications": list(row.applications),
    }


class CanaryService:
    """Canary configs (with history), ``RemoteJudge-v1.0`` judging, canary runs, reports and metrics accounts.

    ``environment`` (accounts, transport, clock, remote judge) defaults to the process default; with
    ``install=True`` it becomes the default, so ``kayentaCanary`` stages loaded through entry points use the
    same accounts and database as this service."""

    def __init__(
        self, db: Database, environment: CanaryEnvironment | None = None, *, install: bool = True
    ) -> None:
        self.db = db
        self.environment = environment if environment is not None else default_environment()
        if self.environment.database is None:
            self.environment.database = db
        if install:
            set_default_environment(self.environment)
        start_sandbox_collectors(self.environment.accounts)
        #: Stored metrics accounts (API, settings file), mirrored into ``environment.accounts``.
        self.metrics_accounts = MetricsAccountService(db, self.environment.accounts)

    def close(self) -> None:
        """Stop mirroring stored accounts into the environment's account set."""
        self.metrics_accounts.close()

    # ------------------------------------------------------------ configs

    def list_configs(self, application: str | Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Kayenta's ``GET /canaryConfig[?application=]``: ``[{id, name, updatedTimestamp,
        updatedTimestampIso, applications}]`` by name."""
        apps = [application] if isinstance(application, str) else list(application or [])
        with self.db.read() as conn:
            rows = repo.list_configs(conn, apps or None)
        return [_summary(r) for r in rows]

    def get_config(self, config_id: str) -> dict[str, Any]:
        """Kayenta's ``GET /canaryConfig/{id}``: the stored config JSON."""
        with self.db.read() as conn:
            row = repo.get_config(conn, config_id)
        if row is None:
            raise NotFoundError(f"No canary config with id {config_id!r} was found.")
        return row.body

    def find_config(self, name: str, application: str | None = None) -> dict[str, Any]:
        """A config by name (within ``application`` when given)."""
        with self.db.read() as conn:
            rows = repo.find_configs_by_name(conn, name, application)
        if not rows:
            where = f" in application {application!r}" if application else ""
            raise NotFoundError(f"No canary config named {name!r} was found{where}.")
        return rows[0].body

    def create_config(self, body: Mapping[str, Any], *, principal: str) -> dict[str, str]:
        """Kayenta's ``POST /canaryConfig``: validate, assign an id if missing, store. Returns
        ``{"canaryConfigId"}``."""
        config_id = self._store(body, principal=principal, config_id=None, mode="create")
        return {"canaryConfigId": config_id}

    def update_config(self, config_id: str, body: Mapping[str, Any], *, principal: str) -> dict[str, str]:
        """Kayenta's ``PUT /canaryConfig/{id}``: replace an existing config. Returns its id (as above)."""
        self._store(body, principal=principal, config_id=config_id, mode="update")
        return {"canaryConfigId": config_id}

    def save_config(self, body: Mapping[str, Any], *, principal: str) -> dict[str, Any]:
        """Create or update (by the body's ``id``; else by name within its first application, as ``spin``
        users expect). Returns the stored config."""
        config_id = body.get("id") if isinstance(body.get("id"), str) and body.get("id") else None
        if config_id is None and isinstance(body.get("name"), str):
            apps = body.get("applications") or []
            with self.db.read() as conn:
                same = repo.find_configs_by_name(conn, body["name"], apps[0] if apps else None)
            config_id = same[0].id if same else None
        exists = False
        if config_id is not None:
            with self.db.read() as conn:
                exists = repo.get_config(conn, config_id) is not None
        stored_id = self._store(
            body, principal=principal, config_id=config_id, mode="update" if exists else "create"
        )
        return self.get_config(stored_id)

    def _store(self, body: Mapping[str, Any], *, principal: str, config_id: str | None, mode: str) -> str:
        if not isinstance(body, Mapping):
            raise InvalidRequestError("a canary config must be a JSON object")
        raw = dict(body)
        if config_id is not None and not raw.get("id"):
            raw["id"] = config_id
        if mode == "create" and not raw.get("id"):
            raw["id"] = str(uuid.uuid4())
        if mode == "update" and config_id is not None and raw.get("id") != config_id:
            raise InvalidRequestError(
                f"the config's id {raw.get('id')!r} does not match {config_id!r}", field="id"
            )
        config = parse_canary_config(raw)
        validate_for_storage(config)
        stored = config.to_json()
        the_id = str(stored["id"])
        applications = [str(a) for a in config.applications or []]
        now = now_ms()
        with self.db.write() as conn:
            existing = repo.get_config(conn, the_id)
            if mode == "create" and existing is not None:
                raise ConflictError(f"Canary config '{the_id}' already exists.", field="id")
            if mode == "update" and existing is None:
                raise NotFoundError(f"Canary config '{the_id}' does not exist.")
            for app in applications:
                clash = [r for r in repo.find_configs_by_name(conn, str(config.name), app) if r.id != the_id]
                if clash:
                    raise ConflictError(
                        f"Canary config with name {config.name!r} already exists in the scope of "
                        f"application {app.lower()!r} (id {clash[0].id}).",
                        field="name",
                    )
            if existing is not None:
                created = existing.body.get("createdTimestamp", existing.created_ts)
            else:
                created = stored.get("createdTimestamp") or now
            stored["createdTimestamp"] = int(created)
            stored["createdTimestampIso"] = iso_from_millis(int(created))
            updated = now if existing is not None else int(stored.get("updatedTimestamp") or created)
            stored["updatedTimestamp"] = updated
            stored["updatedTimestampIso"] = iso_from_millis(updated)
            version = repo.save_config(conn, the_id, stored, applications, now=now, principal=principal)
            audit.record(
                conn,
                principal=principal,
                action=f"canaryConfig.{mode}",
                target_type="canaryConfig",
                target_id=the_id,
                application=applications[0].lower() if applications else None,
                details={"name": config.name, "version": version, "applications": applications},
            )
        return the_id

    def delete_config(self, config_id: str, *, principal: str) -> None:
        """Kayenta's ``DELETE /canaryConfig/{id}`` (204); its history is kept."""
        now = now_ms()
        with self.db.write() as conn:
            row = repo.get_config(conn, config_id)
            if row is None:
                raise NotFoundError(f"No canary config with id {config_id!r} was found.")
            repo.delete_config(conn, config_id, now=now, principal=principal)
            audit.record(
                conn,
                principal=principal,
                action="canaryConfig.delete",
                target_type="canaryConfig",
                target_id=config_id,
                application=row.applications[0] if row.applications else None,
                details={"name": row.name},
            )

    def config_history(self, config_id: str) -> list[dict[str, Any]]:
        """Every saved version (and deletion) of a config, newest first:
        ``[{version, action, savedTimestamp, savedBy, config}]``."""
        with self.db.read() as conn:
            versions = repo.config_history(conn, config_id)
        if not versions:
            raise NotFoundError(f"No canary config with id {config_id!r} was ever saved.")
        return [
            {
                "version": v.version,
                "action": v.action,
                "savedTimestamp": v.saved_ts,
                "savedTimestampIso": iso_from_millis(v.saved_ts),
                "savedBy": v.saved_by,
                "config": v.body,
            }
            for v in versions
        ]

    def restore_config(self, config_id: str, version: int, *, principal: str) -> dict[str, Any]:
        """Save version ``version`` again as the newest one (also after a deletion)."""
        with self.db.read() as conn:
            found = repo.config_version(conn, config_id, version)
            exists = repo.get_config(conn, config_id) is not None
        if found is None:
            raise NotFoundError(f"canary config {config_id} has no version {version}")
        if found.body is None:
            raise InvalidRequestError(f"version {version} of canary config {config_id} is a deletion")
        self._store(
            found.body, principal=principal, config_id=config_id, mode="update" if exists else "create"
        )
        return self.get_config(config_id)

    # ------------------------------------------------------------ judging

    def judge_remote(self, body: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
        """Kayenta's ``RemoteJudge-v1.0`` contract (``POST /judge``): ``{canaryConfig, scoreThresholds,
        metricSetPairList}`` → CanaryJudgeResult JSON."""
        return handle_remote_judge_request(dict(body) if isinstance(body, Mapping) else body)

    # ------------------------------------------------------------ runs and reports

    def get_canary_run(self, run_id: str) -> dict[str, Any]:
        """Kayenta's ``GET /canary/{canaryExecutionId}`` shape for one judgement."""
        with self.db.read() as conn:
            run = repo.get_run(conn, run_id)
        if run is None:
            raise NotFoundError(f"No canary run with id {run_id!r} was found.")
        return run_json(run)

    def get_canary_report(self, execution_id: str, stage_id: str) -> dict[str, Any]:
        """The report of one ``kayentaCanary`` stage: every interval's score and window, and per metric its
        classification, the statistics (U, p-value, CI, estimate) and the link of its plot."""
        with self.db.read() as conn:
            execution = executions_repo.get_execution(conn, execution_id)
            if execution is None:
                raise NotFoundError(f"no execution {execution_id!r}")
            stages = executions_repo.get_stages(conn, execution_id)
            runs = repo.runs_of_stage(conn, execution_id, stage_id)
        stage = next((s for s in stages if s.id == stage_id), None)
        if stage is None:
            raise NotFoundError(f"execution {execution_id} has no stage {stage_id!r}")
        if stage.type != "kayentaCanary":
            raise InvalidRequestError(f"stage {stage_id} is a {stage.type} stage, not kayentaCanary")
        return build_report(execution, stage, stages, runs)

    def metric_plot_svg(self, run_id: str, pair_id: str) -> str:
        """An SVG of the canary and baseline series of one metric series (``pair_id`` is the result's
        ``id``) of a run, with axes, legend and the classification."""
        with self.db.read() as conn:
            run = repo.get_run(conn, run_id)
        if run is None:
            raise NotFoundError(f"No canary run with id {run_id!r} was found.")
        svg = metric_plot(run, pair_id)
        if svg is None:
            raise NotFoundError(f"canary run {run_id} has no metric series {pair_id!r}")
        return svg

    # ------------------------------------------------------------ accounts

    def list_metrics_accounts(self) -> list[dict[str, Any]]:
        """Kayenta's ``GET /credentials``: every metrics account, secrets redacted, with its ``source``."""
        return self.metrics_accounts.list_accounts()

    def get_metrics_account(self, name: str) -> dict[str, Any]:
        """One account's public view (secrets redacted); ``NotFoundError`` when there is none."""
        found = self.metrics_accounts.get(name)
        if found is None:
            raise NotFoundError(f"No metrics account named {name!r} is configured.")
        return found

    def put_metrics_account(self, body: Mapping[str, Any], *, principal: str) -> dict[str, Any]:
        """Create or replace a stored account (validated; secrets encrypted); its public view."""
        return self.metrics_accounts.put(body, principal=principal)

    def delete_metrics_account(self, name: str, *, principal: str) -> None:
        """Delete a stored account; ``NotFoundError`` when there is none."""
        if not self.metrics_accounts.remove(name, principal=principal):
            raise NotFoundError(f"No metrics account named {name!r} is configured.")
