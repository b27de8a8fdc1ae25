"""The registry of ``#helper(...)`` functions, and the conversion helpers of kork's
``StringExpressionFunctionProvider``/``JsonExpressionFunctionProvider``.

A helper is registered once with :func:`helper`: its name, its parameters (``"string"`` parameters are
converted as SpEL converts arguments to ``String``: numbers and booleans to text, null stays null) and a
one-line description (listed in docs/expressions.md). Other modules register the execution-aware helpers
(:mod:`helpers_execution`) and the URL helpers (:mod:`helpers_url`); this module imports them at the end
so that importing the registry gives all of them.

Failures raise :class:`~gennaker.expressions.errors.HelperError` (kork's SpelHelperFunctionException) or,
for Java parse errors, an error carrying Java's exception type, with Orca's messages. Nothing persisted.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gennaker.expressions.errors import ExpressionError, HelperError
from gennaker.expressions.javasem import as_string_argument, java_to_string
from gennaker.expressions.javatypes import parse_java_boolean, parse_java_double, parse_java_integer
from gennaker.expressions.plain import load_json, load_yaml, to_json
from gennaker.expressions.state import Env


@dataclass(frozen=True, slots=True)
class Helper:
    name: str
    params: tuple[str, ...]  # "string" | "object" for each parameter
    fn: Callable[..., Any]
    description: str

    def call(self, env: Env, args: list[Any]) -> Any:
        if len(args) != len(self.params):
            raise ExpressionError(
                f"Incorrect number of arguments for function '#{self.name}': {len(args)} supplied but "
                f"function takes {len(self.params)}",
                code="EL1014E",
            )
        converted = [
            as_string_argument(a) if p == "string" else a for p, a in zip(self.params, args, strict=True)
        ]
        try:
            return self.fn(env, *converted)
        except ExpressionError as exc:
            if exc.code in ("NumberFormatException", "NullPointerException", "IllegalArgumentException"):
                java_class = f"java.lang.{exc.code}"
                raise ExpressionError(
                    f"A problem occurred whilst attempting to invoke the function '{self.name}': "
                    f"'{exc.detail}'",
                    code="EL1023E",
                    exception_type=java_class,
                ) from None
            raise


HELPERS: dict[str, Helper] = {}


def helper(
    name: str, params: tuple[str, ...], description: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(env, *args)`` as ``#name(...)``."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in HELPERS:
            raise ValueError(f"helper #{name} is already registered")
        HELPERS[name] = Helper(name, params, fn, description)
        return fn

    return register


def abbreviate(value: Any, limit: int = 80) -> str:
    text = java_to_string(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def require_text(value: str | None, helper_name: str) -> str:
    if value is None:
        raise ExpressionError(f"#{helper_name}: argument is null", code="NullPointerException")
    return value


# ---------------------------------------------------------------- conversions


@helper("toJson", ("object",), "Converts a value to a JSON string (compact, as Jackson writes it).")
def to_json_helper(env: Env, value: Any) -> str:
    try:
        converted = to_json(value, env.limits.max_string_chars, env.limits.max_parsed_nodes)
    except ExpressionError as exc:
        raise HelperError(f"#toJson({abbreviate(value)}) failed: {exc.detail}") from None
    if "${" in converted:
        raise HelperError(
            f"#toJson({abbreviate(value)}) failed: result for toJson cannot contain an expression"
        )
    return converted


@helper("toInt", ("string",), "Parses a string to an integer (Integer.valueOf).")
def to_int(env: Env, text: str | None) -> int:
    return parse_java_integer(text, 32)


@helper("toFloat", ("string",), "Parses a string to a floating-point number (Float.valueOf).")
def to_float(env: Env, text: str | None) -> float:
    return parse_java_double(text)


@helper("toBoolean", ("string",), "Parses a string to a boolean: true only for 'true' in any case.")
def to_boolean(env: Env, text: str | None) -> bool:
    return parse_java_boolean(text)


@helper("toBase64", ("string",), "Encodes a string (UTF-8) as base64.")
def to_base64(env: Env, text: str | None) -> str:
    encoded = base64.b64encode(require_text(text, "toBase64").encode("utf-8")).decode("ascii")
    return env.check_string(encoded)


_BASE64_CHARS = re.compile(r"[A-Za-z0-9+/]*={0,2}")


@helper("fromBase64", ("string",), "Decodes a base64 string to text (UTF-8).")
def from_base64(env: Env, text: str | None) -> str:
    data = require_text(text, "fromBase64")
    if not _BASE64_CHARS.fullmatch(data):
        bad = next(ch for ch in data if not (ch.isascii() and (ch.isalnum() or ch in "+/=")))
        raise ExpressionError(f"Illegal base64 character {ord(bad):x}", code="IllegalArgumentException")
    core = data.rstrip("=")
    if len(core) % 4 == 1:
        raise ExpressionError("Last unit does not have enough valid bits", code="IllegalArgumentException")
    try:
        raw = base64.b64decode(core + "=" * (-len(core) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ExpressionError(str(exc), code="IllegalArgumentException") from None
    return raw.decode("utf-8", "replace")


_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


@helper("alphanumerical", ("string",), "Removes every character that is not A-Z, a-z or 0-9.")
def alphanumerical(env: Env, text: str | None) -> str:
    return _NOT_ALNUM.sub("", require_text(text, "alphanumerical"))


def read_json_text(env: Env, text: str | None) -> Any:
    data = require_text(text, "readJson")
    try:
        value = load_json(data, env.limits.max_parsed_nodes)
    except ExpressionError as exc:
        raise HelperError(f"#readJson({abbreviate(data)}) failed: {exc.detail}") from None
    except ValueError as exc:
        raise HelperError(f"#readJson({abbreviate(data)}) failed: {exc}") from None
    expected: type = list if data.startswith("[") else dict
    if not isinstance(value, expected):
        kind = "a JSON array" if expected is list else "a JSON object"
        raise HelperError(f"#readJson({abbreviate(data)}) failed: the text is not {kind}")
    return value


@helper("readJson", ("string",), "Parses a JSON object or array from a string.")
def read_json(env: Env, text: str | None) -> Any:
    return read_json_text(env, text)


def read_yaml_text(env: Env, text: str | None, *, all_documents: bool = False) -> Any:
    name = "readAllYaml" if all_documents else "readYaml"
    data = require_text(text, name)
    try:
        return load_yaml(data, env.limits.max_parsed_nodes, all_documents=all_documents)
    except ExpressionError as exc:
        raise HelperError(f"#{name}({abbreviate(data)}) failed: {exc.detail}") from None


@helper("readYaml", ("string",), "Parses a YAML document from a string (safe loading).")
def read_yaml(env: Env, text: str | None) -> Any:
    return read_yaml_text(env, text)


@helper("readAllYaml", ("string",), "Parses every document of a multi-document YAML string into a list.")
def read_all_yaml(env: Env, text: str | None) -> Any:
    return read_yaml_text(env, text, all_documents=True)


# the helpers that need the execution or the network register themselves on import
from gennaker.expressions import helpers_execution, helpers_url  # noqa: E402

__all__ = ["HELPERS", "Helper", "helper", "helpers_execution", "helpers_url"]
