"""Docs checked by tests (the Datasette rule): the CLI reference in docs/cli.md is what the code
generates, and every command has a section."""

from __future__ import annotations

import typer

from gennaker.cli.docs import DOC, END, START, _commands, reference
from gennaker.cli.main import app


def test_cli_reference_is_up_to_date() -> None:
    text = DOC.read_text()
    section = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert section == reference().strip(), "docs/cli.md is out of date: run python -m gennaker.cli.docs"


def test_every_command_has_a_section() -> None:
    text = DOC.read_text()
    for path, _cmd in _commands(typer.main.get_command(app), ["gennaker"]):
        assert f"### `{' '.join(path)}`" in text, f"{' '.join(path)} is undocumented in docs/cli.md"
