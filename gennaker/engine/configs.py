"""Applications and pipeline configs for the facade (Front50's role): validation, upsert, history,
restore, audit. ``PipelineService`` inherits these methods; see ``gennaker.engine.service``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from gennaker.engine.clock import now_ms
from gennaker.engine.errors import InvalidRequestError, NotFoundError
from gennaker.engine.runtime import EngineRuntime
from gennaker.model import Application, ConfigValidationError, ValidationIssue, parse_pipeline_config
from gennaker.store import audit
from gennaker.store import configs as repo
from gennaker.store.audit import AuditEntry
from gennaker.store.configs import ConfigVersion


class ConfigService:
    """Applications and pipeline configs."""

    runtime: EngineRuntime

    # ------------------------------------------------------------ applications

    def save_application(self, application: Mapping[str, Any], *, principal: str) -> dict[str, Any]:
        """Create or update an application (unknown keys kept). Returns the stored JSON."""
        try:
            model = Application.model_validate(application)
        except ValidationError as e:
            issues = [
                ValidationIssue(field=".".join(str(p) for p in err["loc"]), message=err["msg"])
                for err in e.errors()
            ]
            raise ConfigValidationError(issues) from None
        body = model.to_json()
        body["name"] = model.name
        now = now_ms()
        with self.runtime.db.write() as conn:
            existing = repo.get_application(conn, model.name)
            if existing is not None:
                body.setdefault("createTs", existing.get("createTs"))
                body = {**existing, **body}
            else:
                body.setdefault("createTs", str(now))
            body["updateTs"] = str(now)
            body["lastModifiedBy"] = principal
            created = repo.upsert_application(conn, model.name, body, now=now, principal=principal)
            audit.record(
                conn,
                principal=principal,
                action="application.create" if created else "application.update",
                target_type="application",
                target_id=model.name,
                application=model.name,
            )
        return body

    def get_application(self, name: str) -> dict[str, Any] | None:
        with self.runtime.db.read() as conn:
            return repo.get_application(conn, name)

    def list_applications(self) -> list[dict[str, Any]]:
        with self.runtime.db.read() as conn:
            return repo.list_applications(conn)

    def delete_application(self, name: str, *, principal: str) -> bool:
        """Delete an application (its pipeline configs and executions stay until deleted themselves)."""
        with self.runtime.db.write() as conn:
            deleted = repo.delete_application(conn, name)
            if deleted:
                audit.record(
                    conn,
                    principal=principal,
                    action="application.delete",
                    target_type="application",
                    target_id=name.lower(),
                    application=name.lower(),
                )
        return deleted

    # ------------------------------------------------------------ pipeline configs

    def save_pipeline(self, config: Mapping[str, Any], *, principal: str) -> dict[str, Any]:
        """Validate and upsert a pipeline config by (application, name), as ``spin pipeline save`` does.
        Assigns an ``id`` when missing (reusing the existing config's id for the same name). Raises
        ``ConfigValidationError`` (400, with issues naming stage and field). Returns the stored JSON."""
        model = parse_pipeline_config(config, is_known_stage_type=self.runtime.registry.is_known)
        now = now_ms()
        with self.runtime.db.write() as conn:
            existing = repo.find_config(conn, model.application, model.name)
            config_id = model.id or (existing or {}).get("id") or str(uuid.uuid4())
            if existing is not None and existing.get("id") != config_id:
                raise InvalidRequestError(
                    f"A pipeline with name {model.name!r} already exists in application "
                    f"{model.application!r}",
                    field="name",
                )
            body = model.to_json()
            body["id"] = config_id
            body["application"] = model.application.lower()
            body["updateTs"] = str(now)
            body["lastModifiedBy"] = principal
            version = repo.save_config(conn, config_id, body, now=now, principal=principal)
            audit.record(
                conn,
                principal=principal,
                action="pipeline.save",
                target_type="pipeline",
                target_id=config_id,
                application=body["application"],
                details={"name": model.name, "version": version},
            )
        return body

    def get_pipeline(self, config_id: str) -> dict[str, Any] | None:
        with self.runtime.db.read() as conn:
            return repo.get_config(conn, config_id)

    def find_pipeline(self, application: str, name: str) -> dict[str, Any] | None:
        with self.runtime.db.read() as conn:
            return repo.find_config(conn, application, name)

    def list_pipelines(self, application: str) -> list[dict[str, Any]]:
        with self.runtime.db.read() as conn:
            return repo.list_configs(conn, application)

    def delete_pipeline(self, application: str, name: str, *, principal: str) -> bool:
        """Delete a config (its history is kept). False if there was none."""
        now = now_ms()
        with self.runtime.db.write() as conn:
            existing = repo.find_config(conn, application, name)
            if existing is None:
                return False
            repo.delete_config(conn, existing["id"], now=now, principal=principal)
            audit.record(
                conn,
                principal=principal,
                action="pipeline.delete",
                target_type="pipeline",
                target_id=existing["id"],
                application=application.lower(),
                details={"name": name},
            )
        return True

    def pipeline_history(self, config_id: str) -> list[ConfigVersion]:
        """Every saved version (and deletion) of a config, newest first."""
        with self.runtime.db.read() as conn:
            return repo.config_history(conn, config_id)

    def pipeline_version(self, config_id: str, version: int) -> ConfigVersion:
        with self.runtime.db.read() as conn:
            found = repo.config_version(conn, config_id, version)
        if found is None:
            raise NotFoundError(f"pipeline {config_id} has no version {version}")
        return found

    def restore_pipeline(self, config_id: str, version: int, *, principal: str) -> dict[str, Any]:
        """Save an earlier version again as the newest one."""
        found = self.pipeline_version(config_id, version)
        if found.body is None:
            raise InvalidRequestError(
                f"version {version} of pipeline {config_id} is a deletion", field="version"
            )
        body = dict(found.body)
        body["id"] = config_id
        restored = self.save_pipeline(body, principal=principal)
        with self.runtime.db.write() as conn:
            audit.record(
                conn,
                principal=principal,
                action="pipeline.restore",
                target_type="pipeline",
                target_id=config_id,
                application=restored["application"],
                details={"fromVersion": version},
            )
        return restored

    # ------------------------------------------------------------ audit

    def audit_log(
        self,
        *,
        target_type: str | None = None,
        target_id: str | None = None,
        application: str | None = None,
        limit: int = 200,
    ) -> list[AuditEntry]:
        """Audit entries, newest first."""
        with self.runtime.db.read() as conn:
            return audit.entries(
                conn, target_type=target_type, target_id=target_id, application=application, limit=limit
            )
