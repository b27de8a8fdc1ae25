"""Splitting a string into literal text and ``${ ... }`` expressions, as Spring's template parser does.

``"group:${trigger.buildNumber}"`` is a literal part and an expression part; the end of an expression is
the first ``}`` that closes no ``{``/``[``/``(`` opened inside it and is not inside a quoted string, so
``${ {1,2} }`` and ``${ 'a}b' }`` work. There is no nesting (``${ ${x} }`` is an error) and no escape
character: to produce a literal ``${X}``, write an expression whose value is that text, e.g.
``${'$'}{X}`` or ``${"${X}"}`` (a result is never evaluated again).

:func:`summary_key` gives the key Orca files a failure under in ``expressionEvaluationSummary``: the
expression text without its ``${ }`` (literal text included for composite strings), so that the summary
itself never contains ``${`` and is not re-evaluated. Pure; used by the evaluator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gennaker.expressions.errors import TEMPLATE_PARSE_EXCEPTION, ExpressionError

PREFIX = "${"
SUFFIX = "}"
_OPEN_FOR = {"}": "{", "]": "[", ")": "("}
_CLOSE_FOR = {"{": "}", "[": "]", "(": ")"}


@dataclass(frozen=True, slots=True)
class ExpressionPart:
    text: str  # the expression, trimmed, without ${ }
    raw: str  # the part as written, with ${ }
    start: int  # where the raw part starts in the template


TemplatePart = str | ExpressionPart


class TemplateError(ExpressionError):
    def __init__(self, detail: str, position: int) -> None:
        super().__init__(detail, position=position, exception_type=TEMPLATE_PARSE_EXCEPTION)


def split_template(text: str) -> list[TemplatePart]:
    """Literal strings and :class:`ExpressionPart` in order; raises :class:`TemplateError`."""
    parts: list[TemplatePart] = []
    start = 0
    n = len(text)
    while start < n:
        prefix_index = text.find(PREFIX, start)
        if prefix_index < 0:
            parts.append(text[start:])
            break
        if prefix_index > start:
            parts.append(text[start:prefix_index])
        after_prefix = prefix_index + len(PREFIX)
        suffix_index = _skip_to_end(text, after_prefix)
        if suffix_index < 0:
            raise TemplateError(
                f"No ending suffix '}}' for expression starting at character {prefix_index}: "
                f"{text[prefix_index:]}",
                prefix_index,
            )
        inner = text[after_prefix:suffix_index].strip()
        if not inner:
            raise TemplateError(
                f"No expression defined within delimiter '${{}}' at character {prefix_index}", prefix_index
            )
        parts.append(ExpressionPart(inner, text[prefix_index : suffix_index + 1], prefix_index))
        start = suffix_index + len(SUFFIX)
    return parts


def _skip_to_end(text: str, pos: int) -> int:
    if text.find(SUFFIX, pos) < 0:
        return -1
    stack: list[tuple[str, int]] = []
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch == SUFFIX and not stack:
            return pos
        if ch in _CLOSE_FOR:
            stack.append((ch, pos))
        elif ch in _OPEN_FOR:
            if not stack:
                raise TemplateError(
                    f"Found closing '{ch}' at position {pos} without an opening '{_OPEN_FOR[ch]}'", pos
                )
            opener, opened_at = stack.pop()
            if _CLOSE_FOR[opener] != ch:
                raise TemplateError(
                    f"Found closing '{ch}' at position {pos} but most recent opening is '{opener}' "
                    f"at position {opened_at}",
                    pos,
                )
        elif ch in "'\"":
            end = text.find(ch, pos + 1)
            if end < 0:
                raise TemplateError(f"Found non terminating string literal starting at position {pos}", pos)
            pos = end
        pos += 1
    if stack:
        opener, opened_at = stack[-1]
        raise TemplateError(
            f"Missing closing '{_CLOSE_FOR[opener]}' for '{opener}' at position {opened_at}", opened_at
        )
    return -1


_SIMPLE = re.compile(r"\$\{(.*)}", re.DOTALL)


def summary_key(text: str, parts: list[TemplatePart] | None) -> str:
    """Orca's ``escapedExpressionString`` for a template (parts None when it did not parse)."""
    if parts is None:
        m = _SIMPLE.fullmatch(text)
        key = m.group(1).strip() if m else text.replace("$", "")
    else:
        key = "".join(p.text if isinstance(p, ExpressionPart) else p for p in parts)
    # unlike Orca, never let a key hold "${" (the stored summary would be evaluated again)
    return key.replace("${", "{")
