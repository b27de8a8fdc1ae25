"""The pipelines that triggers can start: a cache of every saved pipeline config, indexed by trigger type.

Who calls it: the dispatcher (candidates for an event), the cron scheduler (cron triggers), the pollers
(which registries, repositories and charts to watch) and the pipeline-completion watcher (which parent
pipelines matter). Echo re-reads configs every 10 seconds; this index checks a cheap fingerprint of the
configs table (count, newest update, sum of versions) before each use and reloads only when a config was
saved, restored or deleted (by any process), so a new trigger works at once. Nothing is persisted.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gennaker.store import Database
from gennaker.store import configs as config_repo


@dataclass(frozen=True)
class TriggerRef:
    """One configured trigger of one pipeline config."""

    config: Mapping[str, Any]
    index: int
    trigger: Mapping[str, Any]

    @property
    def config_id(self) -> str:
        return str(self.config.get("id"))

    @property
    def key(self) -> str:
        """A stable name for the trigger within its pipeline: its ``id``, else its position."""
        trigger_id = self.trigger.get("id")
        return str(trigger_id) if trigger_id else f"#{self.index}"

    @property
    def enabled(self) -> bool:
        """The trigger is enabled and its pipeline is not disabled."""
        return self.trigger.get("enabled", True) is not False and not self.config.get("disabled")


class PipelineIndex:
    """Saved pipeline configs with triggers, reloaded when the configs table changes. Thread-safe."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._fingerprint: tuple[int, int, int] | None = None
        self._configs: dict[str, Mapping[str, Any]] = {}
        self._by_type: dict[str, list[TriggerRef]] = {}

    def refresh(self) -> bool:
        """Reload if any config changed; True when it did."""
        with self._db.read() as conn:
            fingerprint = config_repo.configs_fingerprint(conn)
            if fingerprint == self._fingerprint:
                return False
            configs = config_repo.all_configs(conn)
        by_type: dict[str, list[TriggerRef]] = {}
        for config in configs:
            triggers = config.get("triggers")
            for index, trigger in enumerate(triggers if isinstance(triggers, list) else []):
                if isinstance(trigger, Mapping) and isinstance(trigger.get("type"), str):
                    by_type.setdefault(trigger["type"], []).append(TriggerRef(config, index, trigger))
        with self._lock:
            self._fingerprint = fingerprint
            self._configs = {str(c.get("id")): c for c in configs}
            self._by_type = by_type
        return True

    def triggers(self, trigger_type: str, *, refresh: bool = True) -> list[TriggerRef]:
        """Every configured trigger of ``trigger_type`` (enabled or not), in config id order."""
        if refresh:
            self.refresh()
        with self._lock:
            return list(self._by_type.get(trigger_type, ()))

    def config(self, config_id: str) -> Mapping[str, Any] | None:
        with self._lock:
            return self._configs.get(config_id)
