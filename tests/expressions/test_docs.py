"""docs/expressions.md documents every helper and every allow-listed type (checked, so they stay in step)."""

from __future__ import annotations

from pathlib import Path

from gennaker.expressions import HELPERS
from gennaker.expressions.javatypes import ALLOWED_TYPES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "expressions.md").read_text(encoding="utf-8")


def test_every_helper_is_documented() -> None:
    missing = [name for name in HELPERS if f"`#{name}(" not in DOC]
    assert not missing, f"helpers missing from docs/expressions.md: {missing}"


def test_every_allowed_type_is_documented() -> None:
    missing = [name for name in ALLOWED_TYPES if f"`{name}`" not in DOC]
    assert not missing, f"types missing from docs/expressions.md: {missing}"


def test_every_helper_has_a_description() -> None:
    assert all(helper.description for helper in HELPERS.values())
