"""The CLI reference in docs/cli.md, generated from the Typer application (so it cannot drift).

Who uses it: ``python -m gennaker.cli.docs`` rewrites the part of ``docs/cli.md`` between the
``<!-- reference:start -->`` and ``<!-- reference:end -->`` markers; ``tests/cli/test_docs.py`` fails when
that part differs from what the code generates (a command added or changed without its docs).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

START = "<!-- reference:start -->"
END = "<!-- reference:end -->"
DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _commands(group: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    """(path, command) for a command and, depth first, its subcommands (Typer's vendored Click objects)."""
    out = [(path, group)]
    for name in sorted(getattr(group, "commands", {}) or {}):
        out += _commands(group.commands[name], [*path, name])
    return out


def _param_row(p: Any) -> str:
    if p.param_type_name == "argument":
        name = f"`{str(p.name).upper()}`"
        kind = "argument" + (" (required)" if p.required else "")
        help_text = getattr(p, "help", None) or ""
    else:
        flags = list(p.opts) + list(p.secondary_opts)
        name = ", ".join(f"`{f}`" for f in flags)
        kind = "flag" if p.is_flag else ("value, repeatable" if p.multiple else "value")
        if p.required:
            kind += " (required)"
        help_text = p.help or ""
        if p.envvar:
            help_text += f" (env {p.envvar})"
        if not p.required and not p.is_flag and p.default not in (None, [], ()):
            default = p.default.value if hasattr(p.default, "value") else p.default
            help_text += f" [default: {default}]"
    return f"| {name} | {kind} | {help_text.strip().replace('|', '/')} |"


def reference(app: typer.Typer | None = None) -> str:
    """The generated markdown reference of every command."""
    if app is None:
        from gennaker.cli.main import app as main_app

        app = main_app
    root = typer.main.get_command(app)
    lines: list[str] = []
    for path, cmd in _commands(root, ["gennaker"]):
        lines.append(f"### `{' '.join(path)}`")
        lines.append("")
        if cmd.help:
            lines.append(cmd.help.strip().split("\n\n")[0].replace("\n", " "))
            lines.append("")
        params: list[Any] = [p for p in cmd.params if p.name not in ("help",)]
        if getattr(cmd, "commands", None):
            subs = ", ".join(f"`{n}`" for n in sorted(cmd.commands))
            lines.append(f"Commands: {subs}.")
            lines.append("")
        if params:
            lines.append("| option | type | meaning |")
            lines.append("|---|---|---|")
            lines += [_param_row(p) for p in params]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def splice(document: str, generated: str) -> str:
    """``document`` with the reference section replaced."""
    head, _, rest = document.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n\n{generated}\n{END}{tail}"


def main() -> None:
    """Rewrite docs/cli.md's reference section."""
    text = DOC.read_text()
    if START not in text or END not in text:
        sys.exit(f"{DOC} has no {START} ... {END} section")
    DOC.write_text(splice(text, reference()))


if __name__ == "__main__":
    main()
