"""Docs checked by a test (the Datasette rule): every registered stage type has a section in docs/.

A section is a Markdown heading (``##`` to ``####``) that names the type in backticks, in any file under
docs/ (core stages in docs/pipelines.md, provider stages in their provider's page)."""

from __future__ import annotations

import re
from pathlib import Path

from gennaker.engine.registry import StageRegistry

ROOT = Path(__file__).resolve().parents[2]


def documented_stage_types() -> set[str]:
    names: set[str] = set()
    for page in (ROOT / "docs").glob("*.md"):
        for heading in re.findall(r"^#{2,4} .*$", page.read_text(), flags=re.M):
            names.update(re.findall(r"`([A-Za-z]+)`", heading))
    return names


def test_every_registered_stage_type_is_documented() -> None:
    documented = documented_stage_types()
    missing = [t for t in StageRegistry.from_entry_points().types() if t not in documented]
    assert not missing, f"stage types without a heading naming them in docs/*.md: {missing}"
