"""The tables (SQLAlchemy Core). One ``MetaData``; Alembic migrations must match it (a test checks).

Who uses it: the repositories in ``gennaker.store`` and ``migrations/env.py``. Times are epoch
milliseconds (BIGINT). JSON columns hold Spinnaker-shaped documents. Persisted:

- ``applications``: one row per application (``body`` = the Application JSON).
- ``pipeline_configs``: the current version of each config; ``pipeline_config_versions``: every saved
  version (and deletions) so a config can be diffed and restored.
- ``executions``: one row per execution, the fields the engine updates as columns, the rest in ``body``.
- ``stages``: one row per stage (top-level and synthetic); a message touches only the rows it needs.
  ``tasks`` is the stage's task list (small); ``initial_context`` is the context as planned, kept so a
  restart can re-evaluate expressions; ``seq`` orders stages as they were added;
  ``downstream_ref_ids`` (the refIds that list this stage in ``requisiteStageRefIds``) is computed when
  stages are planned so completing a stage finds what to start next without reading the whole execution.
- ``queue``: engine messages (see ``gennaker.store.queue``): delivery time, dedup fingerprint, lease.
- ``audit_log``: who changed what (principal, action, target, details).
- ``accounts``: accounts of every kind, secrets encrypted (see ``gennaker.store.accounts``).
- ``canary_configs``: the current version of each canary config (Kayenta's JSON in ``body``);
  ``canary_config_applications``: which applications a config belongs to (for listing by application);
  ``canary_config_versions``: every saved version (and deletions) of a canary config.
- ``canary_runs``: one judgement of a canary (Kayenta's "canary execution"): the request (scopes,
  thresholds), the judge result and the metric set pairs it judged, or the error that stopped it. A
  ``kayentaCanary`` stage writes one per interval; ``GET /canary/{id}`` and reports read them.
- ``trigger_events``, ``trigger_starts``, ``trigger_state``, ``trigger_leases``: the trigger event log, the
  (event, pipeline) starts that make a trigger fire each pipeline at most once per event, pollers' and the
  cron scheduler's state, and the lease that lets one process schedule (see ``gennaker.store.triggers``).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData()

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

applications = sa.Table(
    "applications",
    metadata,
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("body", JSONType, nullable=False),
    sa.Column("created_ts", sa.BigInteger, nullable=False),
    sa.Column("updated_ts", sa.BigInteger, nullable=False),
    sa.Column("updated_by", sa.String(255), nullable=True),
)

pipeline_configs = sa.Table(
    "pipeline_configs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("application", sa.String(255), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("body", JSONType, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_ts", sa.BigInteger, nullable=False),
    sa.Column("updated_by", sa.String(255), nullable=True),
    sa.UniqueConstraint("application", "name", name="uq_pipeline_configs_app_name"),
)

pipeline_config_versions = sa.Table(
    "pipeline_config_versions",
    metadata,
    sa.Column("config_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("application", sa.String(255), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("body", JSONType, nullable=True),
    sa.Column("saved_ts", sa.BigInteger, nullable=False),
    sa.Column("saved_by", sa.String(255), nullable=True),
)

executions = sa.Table(
    "executions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("application", sa.String(255), nullable=False),
    sa.Column("pipeline_config_id", sa.String(64), nullable=True),
    sa.Column("name", sa.String(255), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("build_time", sa.BigInteger, nullable=False),
    sa.Column("start_time", sa.BigInteger, nullable=True),
    sa.Column("end_time", sa.BigInteger, nullable=True),
    sa.Column("start_time_expiry", sa.BigInteger, nullable=True),
    sa.Column("canceled", sa.Boolean, nullable=False, default=False),
    sa.Column("canceled_by", sa.String(255), nullable=True),
    sa.Column("cancellation_reason", sa.Text, nullable=True),
    sa.Column("limit_concurrent", sa.Boolean, nullable=False, default=False),
    sa.Column("max_concurrent_executions", sa.Integer, nullable=False, default=0),
    sa.Column("keep_waiting_pipelines", sa.Boolean, nullable=False, default=False),
    sa.Column("waiting", sa.Boolean, nullable=False, default=False),
    sa.Column("trigger", JSONType, nullable=False),
    sa.Column("paused", JSONType, nullable=True),
    sa.Column("pause_intervals", JSONType, nullable=True),
    sa.Column("body", JSONType, nullable=False),
    sa.Index("ix_executions_app_build", "application", "build_time"),
    sa.Index("ix_executions_config_status", "pipeline_config_id", "status"),
)

stages = sa.Table(
    "stages",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("execution_id", sa.String(64), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("ref_id", sa.String(255), nullable=True),
    sa.Column("type", sa.String(255), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("start_time", sa.BigInteger, nullable=True),
    sa.Column("end_time", sa.BigInteger, nullable=True),
    sa.Column("start_time_expiry", sa.BigInteger, nullable=True),
    sa.Column("scheduled_time", sa.BigInteger, nullable=True),
    sa.Column("parent_stage_id", sa.String(64), nullable=True),
    sa.Column("synthetic_stage_owner", sa.String(16), nullable=True),
    sa.Column("requisite_stage_ref_ids", JSONType, nullable=False),
    sa.Column("downstream_ref_ids", JSONType, nullable=False),
    sa.Column("context", JSONType, nullable=False),
    sa.Column("outputs", JSONType, nullable=False),
    sa.Column("tasks", JSONType, nullable=False),
    sa.Column("last_modified", JSONType, nullable=True),
    sa.Column("initial_context", JSONType, nullable=False),
    sa.Index("ix_stages_execution", "execution_id", "seq"),
)

queue = sa.Table(
    "queue",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("execution_id", sa.String(64), nullable=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("deliver_at", sa.BigInteger, nullable=False),
    sa.Column("lease_owner", sa.String(128), nullable=True),
    sa.Column("lease_token", sa.String(64), nullable=True),
    sa.Column("lease_expires", sa.BigInteger, nullable=True),
    sa.Column("again_at", sa.BigInteger, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("created_ts", sa.BigInteger, nullable=False),
    sa.Index("ix_queue_deliver", "deliver_at"),
    sa.Index("ix_queue_execution", "execution_id"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("ts", sa.BigInteger, nullable=False),
    sa.Column("principal", sa.String(255), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target_type", sa.String(32), nullable=False),
    sa.Column("target_id", sa.String(255), nullable=False),
    sa.Column("application", sa.String(255), nullable=True),
    sa.Column("details", JSONType, nullable=True),
    sa.Index("ix_audit_target", "target_type", "target_id"),
    sa.Index("ix_audit_app_ts", "application", "ts"),
)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("settings", JSONType, nullable=False),
    sa.Column("secrets", sa.Text, nullable=True),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("created_ts", sa.BigInteger, nullable=False),
    sa.Column("updated_ts", sa.BigInteger, nullable=False),
    sa.Column("updated_by", sa.String(255), nullable=True),
)

canary_configs = sa.Table(
    "canary_configs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("body", JSONType, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_ts", sa.BigInteger, nullable=False),
    sa.Column("updated_ts", sa.BigInteger, nullable=False),
    sa.Column("updated_by", sa.String(255), nullable=True),
    sa.Index("ix_canary_configs_name", "name"),
)

canary_config_applications = sa.Table(
    "canary_config_applications",
    metadata,
    sa.Column("config_id", sa.String(64), primary_key=True),
    sa.Column("application", sa.String(255), primary_key=True),
    sa.Index("ix_canary_config_apps_app", "application"),
)

canary_config_versions = sa.Table(
    "canary_config_versions",
    metadata,
    sa.Column("config_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("body", JSONType, nullable=True),
    sa.Column("saved_ts", sa.BigInteger, nullable=False),
    sa.Column("saved_by", sa.String(255), nullable=True),
)

canary_runs = sa.Table(
    "canary_runs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("application", sa.String(255), nullable=True),
    sa.Column("execution_id", sa.String(64), nullable=True),
    sa.Column("stage_id", sa.String(64), nullable=True),
    sa.Column("interval_stage_id", sa.String(64), nullable=True, unique=True),
    sa.Column("interval_index", sa.Integer, nullable=True),
    sa.Column("config_id", sa.String(64), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("classification", sa.String(16), nullable=True),
    sa.Column("request", JSONType, nullable=False),
    sa.Column("judge_result", JSONType, nullable=True),
    sa.Column("metric_pairs", JSONType, nullable=True),
    sa.Column("error", JSONType, nullable=True),
    sa.Column("start_ts", sa.BigInteger, nullable=False),
    sa.Column("end_ts", sa.BigInteger, nullable=True),
    sa.Column("created_by", sa.String(255), nullable=True),
    sa.Index("ix_canary_runs_stage", "execution_id", "stage_id"),
)

trigger_events = sa.Table(
    "trigger_events",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("event_key", sa.String(255), nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("source", sa.String(255), nullable=True),
    sa.Column("received_ts", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("summary", sa.Text, nullable=True),
    sa.Column("payload", JSONType, nullable=True),
    sa.Column("outcomes", JSONType, nullable=False),
    sa.Column("started", sa.Integer, nullable=False, default=0),
    sa.Column("handled_by", sa.String(128), nullable=True),
    sa.Index("ix_trigger_events_key", "event_key"),
    sa.Index("ix_trigger_events_type_ts", "type", "received_ts"),
)

trigger_starts = sa.Table(
    "trigger_starts",
    metadata,
    sa.Column("event_key", sa.String(255), primary_key=True),
    sa.Column("pipeline_config_id", sa.String(64), primary_key=True),
    sa.Column("execution_id", sa.String(64), nullable=False),
    sa.Column("started_ts", sa.BigInteger, nullable=False),
)

trigger_state = sa.Table(
    "trigger_state",
    metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("value", JSONType, nullable=False),
    sa.Column("updated_ts", sa.BigInteger, nullable=False),
)

trigger_leases = sa.Table(
    "trigger_leases",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("owner", sa.String(128), nullable=False),
    sa.Column("expires_ts", sa.BigInteger, nullable=False),
    sa.Column("acquired_ts", sa.BigInteger, nullable=False),
)
