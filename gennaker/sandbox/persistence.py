"""State file persistence: a restarted sandbox keeps its objects and its resourceVersion counter.

Who calls it: :class:`gennaker.sandbox.cluster.SandboxCluster` (load on start, a background saver while
running, a final save on stop).

Format (JSON, written atomically through a temporary file and rename)::

    {"format": "gennaker-sandbox/v1", "resourceVersion": 1234,
     "objects": [{"group": "apps", "resource": "deployments", "object": {...}}, ...]}

The watch event log is not persisted: after a restart, watches resuming from an older resourceVersion
get 410 Expired and relist, exactly as after an etcd compaction.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from .store import ObjectStore

FORMAT = "gennaker-sandbox/v1"


def load(path: Path) -> dict[str, Any] | None:
    """The saved state, or None when there is no file yet; ValueError for a file that is not ours."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a gennaker sandbox state file (format {FORMAT!r} expected)")
    return data


def save(store: ObjectStore, path: Path) -> None:
    state = store.dump()
    state["format"] = FORMAT
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".sandbox-", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(state, f, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class Saver:
    """Saves the store whenever its resourceVersion moved, at most every ``interval`` seconds."""

    def __init__(self, store: ObjectStore, path: Path, interval: float = 1.0) -> None:
        self.store = store
        self.path = path
        self.interval = interval
        self._saved_rv: object = None  # the first flush always writes, so a new sandbox's file exists at once
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sandbox-saver", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()

    def flush(self) -> None:
        rv = self.store.resource_version
        if rv != self._saved_rv:
            save(self.store, self.path)
            self._saved_rv = rv

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.flush()
