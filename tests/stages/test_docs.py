"""Docs checked by a test (the Datasette rule): every registered stage type has a section in
docs/pipelines.md."""

from __future__ import annotations

import re
from pathlib import Path

from gennaker.engine.registry import StageRegistry

ROOT = Path(__file__).resolve().parents[2]


def test_every_registered_stage_type_is_documented() -> None:
    text = (ROOT / "docs" / "pipelines.md").read_text()
    headings = set(re.findall(r"^### `([A-Za-z]+)`", text, flags=re.M))
    missing = [t for t in StageRegistry.from_entry_points().types() if t not in headings]
    assert not missing, f"stage types without a '### `type`' section in docs/pipelines.md: {missing}"
