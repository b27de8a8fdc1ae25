"""URL helpers: ``#fromUrl``, ``#jsonFromUrl``, ``#yamlFromUrl``, ``#propertiesFromUrl`` (Orca's
``UrlExpressionFunctionProvider``).

They reach the network only through the evaluator's :class:`~gennaker.expressions.fetcher.UrlFetcher`,
with the size limit ``Limits.max_fetch_bytes`` and the time limit ``Limits.fetch_timeout_s`` (within
the bound of the whole evaluation); time spent waiting on the network does not count against the
expression's own compute deadline. Any failure becomes
``#fromUrl(url) failed: <why>``, so the expression fails. Registered on import. Nothing persisted.
"""

from __future__ import annotations

import time
from typing import Any

from gennaker.expressions.errors import ExpressionError, HelperError
from gennaker.expressions.helpers import helper, read_json_text, read_yaml_text, require_text
from gennaker.expressions.plain import parse_properties
from gennaker.expressions.state import Env


def fetch_text(env: Env, url: str | None, helper_name: str) -> str:
    target = require_text(url, helper_name)
    if env.fetcher is None:
        raise HelperError(f"#{helper_name}({target}) failed: no URL fetcher is configured")
    timeout = env.fetch_budget()
    started = time.monotonic()
    try:
        text = env.fetcher.fetch(target, max_bytes=env.limits.max_fetch_bytes, timeout_s=timeout)
    except ExpressionError as exc:
        raise HelperError(f"#{helper_name}({target}) failed: {exc.detail}") from None
    except Exception as exc:  # a caller-supplied fetcher may raise anything
        raise HelperError(f"#{helper_name}({target}) failed: {type(exc).__name__}: {exc}") from None
    finally:
        env.waited(time.monotonic() - started)
    if not isinstance(text, str):
        raise HelperError(f"#{helper_name}({target}) failed: the fetcher returned no text")
    return env.check_string(text, "Fetched text")


@helper("fromUrl", ("string",), "The text at an http(s) URL.")
def from_url(env: Env, url: str | None) -> str:
    return fetch_text(env, url, "fromUrl")


@helper("jsonFromUrl", ("string",), "The JSON object or array at an http(s) URL.")
def json_from_url(env: Env, url: str | None) -> Any:
    return read_json_text(env, fetch_text(env, url, "jsonFromUrl"))


@helper("yamlFromUrl", ("string",), "The YAML document at an http(s) URL.")
def yaml_from_url(env: Env, url: str | None) -> Any:
    return read_yaml_text(env, fetch_text(env, url, "yamlFromUrl"))


@helper("propertiesFromUrl", ("string",), "The Java properties file at an http(s) URL, as a map.")
def properties_from_url(env: Env, url: str | None) -> dict[str, str]:
    text = fetch_text(env, url, "propertiesFromUrl")
    try:
        return parse_properties(text)
    except ExpressionError as exc:
        raise HelperError(f"#propertiesFromUrl({url}) failed: {exc.detail}") from None
