"""The stage registry loads its entry points on first use: making it (at server start) imports no stage
package; the first lookup loads them all, concurrent lookups wait for it, and a failed load leaves the
registry as it was."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from gennaker.engine.registry import StageRegistry
from gennaker.engine.stagedef import StageDefinition


def test_making_the_registry_imports_no_stage_package() -> None:
    code = (
        "import sys\n"
        "from gennaker.engine.registry import StageRegistry\n"
        "r = StageRegistry.from_entry_points()\n"
        "assert 'gennaker.canary.stage.definition' not in sys.modules\n"
        "assert 'gennaker.kubernetes.stages.deploy_manifest' not in sys.modules\n"
        "assert r.is_known('deployManifest') and r.is_known('kayentaCanary') and r.is_known('wait')\n"
        "assert 'gennaker.kubernetes.stages.deploy_manifest' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_concurrent_first_lookups_all_see_every_stage_type() -> None:
    registry = StageRegistry.from_entry_points()
    seen: list[bool] = []

    def look() -> None:
        seen.append(registry.is_known("deployManifest") and registry.is_known("bakeManifest"))

    threads = [threading.Thread(target=look) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [True] * 8


def test_a_failing_plugin_fails_every_use_and_registers_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = StageRegistry.from_entry_points(group="gennaker.tests.none")

    def broken(group: str) -> None:
        registry.register(StageDefinition(type="halfway"))
        raise RuntimeError("plugin exploded")

    monkeypatch.setattr(registry, "_load_group", broken)
    for _ in range(2):
        with pytest.raises(RuntimeError, match="plugin exploded"):
            registry.types()
    monkeypatch.undo()
    assert registry.types() == []  # the empty group loads; 'halfway' was rolled back
