"""Errors as HTTP: every failure is a 4xx (or 5xx for bugs) whose body names what was wrong and where.

Who uses it: ``create_app`` installs the handlers. Body shape (Gate's, plus details)::

    {"error": "Bad Request", "status": 400, "message": "...", "timestamp": 1700000000000, ...}

- malformed JSON → 400 naming line, column and character position;
- a body or parameter of the wrong shape → 400 naming the parameter or body path;
- ``ConfigValidationError`` → 400 with ``issues`` (stage and field of each problem);
- ``EngineError``: ``NotFoundError`` 404, ``InvalidRequestError`` 400, ``ConflictError`` 409;
- ``CanaryError`` (canary configs, judge requests, metrics accounts) → its ``status_code`` (400, 502 for an
  unreachable metrics backend) with its ``to_json()`` (``issues`` naming the metric and field of a config);
- ``ProvidersError`` (a provider not started yet, turned off or failed) → 503 saying which.
"""

from __future__ import annotations

import json
import logging
import time
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from gennaker.api.providers import ProvidersError
from gennaker.canary.errors import CanaryError
from gennaker.engine.errors import EngineError
from gennaker.model import ConfigValidationError

log = logging.getLogger(__name__)


def error_body(status: int, message: str, **extra: Any) -> dict[str, Any]:
    return {
        "error": HTTPStatus(status).phrase,
        "status": status,
        "message": message,
        "timestamp": int(time.time() * 1000),
        **extra,
    }


def _json_position(raw: bytes, pos: int) -> str:
    text = raw.decode("utf-8", errors="replace")
    pos = max(0, min(pos, len(text)))
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {column} (character {pos})"


def _describe(err: dict[str, Any], raw: bytes) -> str:
    loc = [str(p) for p in err.get("loc", ())]
    kind = err.get("type", "")
    if kind == "json_invalid":
        pos = int(loc[1]) if len(loc) > 1 and loc[1].isdigit() else 0
        detail = (err.get("ctx") or {}).get("error") or "invalid JSON"
        try:
            json.loads(raw)
        except json.JSONDecodeError as e:
            detail, pos = e.msg, e.pos
        except ValueError:
            pass
        return f"malformed JSON in the request body at {_json_position(raw, pos)}: {detail}"
    where, rest = (loc[0], loc[1:]) if loc else ("request", [])
    if where == "body":
        if kind == "missing" and not rest:
            return "the request body is required (a JSON object)"
        if kind == "dict_type" and not rest:
            return "the request body must be a JSON object"
        path = ".".join(rest)
        return f"request body{' field ' + path if path else ''}: {err.get('msg')}"
    name = ".".join(rest)
    return f"{where} parameter {name!r}: {err.get('msg')}"


def install(app: FastAPI) -> None:
    """Register the exception handlers on ``app``."""

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        raw = await request.body()
        messages = [_describe(e, raw) for e in exc.errors()]
        return JSONResponse(error_body(400, "; ".join(messages), errors=messages), status_code=400)

    @app.exception_handler(ConfigValidationError)
    async def _config(request: Request, exc: ConfigValidationError) -> JSONResponse:
        return JSONResponse(
            error_body(400, str(exc), issues=[i.to_json() for i in exc.issues]), status_code=400
        )

    @app.exception_handler(EngineError)
    async def _engine(request: Request, exc: EngineError) -> JSONResponse:
        extra = {k: v for k, v in exc.to_json().items() if k not in ("error", "message")}
        extra["exception"] = type(exc).__name__
        return JSONResponse(error_body(exc.status_code, exc.message, **extra), status_code=exc.status_code)

    @app.exception_handler(CanaryError)
    async def _canary(request: Request, exc: CanaryError) -> JSONResponse:
        extra = {k: v for k, v in exc.to_json().items() if k not in ("error", "message")}
        extra["exception"] = type(exc).__name__
        return JSONResponse(error_body(exc.status_code, str(exc), **extra), status_code=exc.status_code)

    @app.exception_handler(ProvidersError)
    async def _providers(request: Request, exc: ProvidersError) -> JSONResponse:
        return JSONResponse(error_body(503, str(exc)), status_code=503)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such endpoint: {request.method} {request.url.path}"
        if exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        return JSONResponse(error_body(exc.status_code, message), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body(500, f"internal error: {type(exc).__name__}"), status_code=500)
