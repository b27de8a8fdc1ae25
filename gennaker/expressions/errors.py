"""Errors raised while parsing or evaluating an expression.

Every failure inside ``gennaker.expressions`` is an :class:`ExpressionError`. Its message follows Spring
SpEL's wording and message codes (``EL1008E: Property or field 'foo' cannot be found on ...``) so that
people who know Spinnaker recognise them, and adds where it happened (the position in the expression and
the sub-expression involved) and, where we know it, what was missing.

Who raises: the lexer/parser (``SpelParseException``-style errors), the interpreter, methods and helpers
(``SpelEvaluationException`` / ``SpelHelperFunctionException``-style errors). The evaluator turns them into
``expressionEvaluationSummary`` entries; ``exception_type`` is the Java class name Orca would report.
Nothing here is persisted.
"""

from __future__ import annotations

PARSE_EXCEPTION = "org.springframework.expression.spel.SpelParseException"
TEMPLATE_PARSE_EXCEPTION = "org.springframework.expression.ParseException"
EVALUATION_EXCEPTION = "org.springframework.expression.spel.SpelEvaluationException"
HELPER_EXCEPTION = "com.netflix.spinnaker.kork.expressions.SpelHelperFunctionException"


_JAVA_PACKAGES = {
    "NoSuchElementException": "java.util",
    "IllegalFormatConversionException": "java.util",
    "MissingFormatArgumentException": "java.util",
    "UnknownFormatConversionException": "java.util",
    "UnsupportedEncodingException": "java.io",
}


class ExpressionError(Exception):
    """An expression could not be parsed or evaluated.

    ``code`` is SpEL's message code when there is one (``EL1008E``), ``position`` the 0-based offset in
    ``expression`` where the problem is (None when unknown), ``detail`` the plain explanation (without
    code or position) and ``exception_type`` the Java exception class Orca would name in its summary.
    ``str(error)`` is the full message: code, explanation, then where.
    """

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        position: int | None = None,
        expression: str | None = None,
        exception_type: str = EVALUATION_EXCEPTION,
    ) -> None:
        self.detail = detail
        self.code = code
        if exception_type == EVALUATION_EXCEPTION and code and not code.startswith("EL"):
            exception_type = _JAVA_PACKAGES.get(code, "java.lang") + "." + code
        self.position = position
        self.expression = expression
        self.exception_type = exception_type
        super().__init__(self._render())

    def _render(self) -> str:
        text = f"{self.code}: {self.detail}" if self.code else self.detail
        if self.position is not None and self.expression is not None:
            text += f" (at position {self.position} of '{_clip(self.expression)}')"
        elif self.position is not None:
            text += f" (at position {self.position})"
        return text

    def located(self, expression: str, position: int | None = None) -> ExpressionError:
        """The same error, told where it happened (kept if it already knows)."""
        if self.expression is None:
            self.expression = expression
        if self.position is None:
            self.position = position
        self.args = (self._render(),)
        return self

    def __str__(self) -> str:
        return self._render()


class ParseError(ExpressionError):
    """The expression text is not valid (SpEL's ``SpelParseException``)."""

    def __init__(self, detail: str, *, code: str | None = None, position: int | None = None) -> None:
        super().__init__(detail, code=code, position=position, exception_type=PARSE_EXCEPTION)


class HelperError(ExpressionError):
    """A ``#helper(...)`` function failed (kork's ``SpelHelperFunctionException``)."""

    def __init__(self, detail: str, *, code: str | None = None, position: int | None = None) -> None:
        super().__init__(detail, code=code, position=position, exception_type=HELPER_EXCEPTION)


class LimitError(ExpressionError):
    """A sandbox limit was reached (steps, time, size, depth)."""


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
