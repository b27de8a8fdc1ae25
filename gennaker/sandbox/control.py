"""The sandbox's own HTTP control paths (beside the Kubernetes API): fault rules and the clock.

Who calls it: :class:`gennaker.sandbox.cluster.SandboxCluster` installs the routes with
``add_route``; clients are tests, ``gennaker`` itself and anyone rehearsing failures with curl.

- ``GET /_sandbox/faults`` -> ``{"rules": [{"id": 1, "image": "bad/*", "fault": "never-ready",
  "exitCode": 1}]}``
- ``POST /_sandbox/faults`` with ``{"image": "<glob>", "fault": "<fault>", "exitCode": N, "seconds": S}``
  -> 201 and the stored rule (400 with a message naming the bad field otherwise)
- ``DELETE /_sandbox/faults`` (all rules) or ``DELETE /_sandbox/faults/<id>`` -> 200 (404 unknown id)
- ``GET /_sandbox/clock`` -> ``{"now": <epoch seconds>, "offset": <seconds>}``;
  ``POST /_sandbox/clock`` with ``{"advance": seconds}`` or ``{"set": epoch}`` moves sandbox time forward
  (CronJobs run what became due).
Rules apply to pods admitted after the change. Every error is JSON ``{"error": "..."}``. Nothing persists.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .kubelet.faults import FaultError, parse_rule
from .web.types import Request, Response

if TYPE_CHECKING:
    from .cluster import SandboxCluster


def _error(status: int, message: str) -> Response:
    return Response.json({"error": message}, status)


def _body(req: Request) -> Any:
    try:
        return json.loads(req.body or b"null")
    except ValueError as e:
        raise FaultError(f"the body is not JSON: {e}") from e


def _rule_json(rule: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rule.id,
        "image": rule.image,
        "fault": rule.fault,
        "exitCode": rule.exit_code,
    }
    if rule.seconds is not None:
        out["seconds"] = rule.seconds
    return out


def faults_handler(cluster: SandboxCluster) -> Any:
    def handle(req: Request) -> Response:
        rules = cluster.faults
        tail = req.path.rstrip("/")[len("/_sandbox/faults") :].strip("/")
        try:
            if req.method == "GET" and not tail:
                return Response.json({"rules": [_rule_json(r) for r in rules.list()]})
            if req.method == "POST" and not tail:
                rule = rules.add(parse_rule(_body(req)))
                return Response.json(_rule_json(rule), 201)
            if req.method == "DELETE" and not tail:
                rules.clear()
                return Response.json({"rules": []})
            if req.method == "DELETE" and tail:
                if not tail.isdigit() or not rules.remove(int(tail)):
                    return _error(404, f"no fault rule with id {tail!r}")
                return Response.json({"rules": [_rule_json(r) for r in rules.list()]})
        except FaultError as e:
            return _error(400, str(e))
        return _error(405, f"{req.method} is not supported on {req.path}")

    return handle


def clock_handler(cluster: SandboxCluster) -> Any:
    def handle(req: Request) -> Response:
        clock = cluster.simulation.clock
        if req.method == "GET":
            return Response.json({"now": clock.now(), "offset": clock.offset})
        if req.method != "POST":
            return _error(405, f"{req.method} is not supported on {req.path}")
        try:
            body = _body(req)
        except FaultError as e:
            return _error(400, str(e))
        if not isinstance(body, dict) or not ({"advance", "set"} & set(body)):
            return _error(400, 'expected {"advance": seconds} or {"set": epoch seconds}')
        value = body.get("advance", body.get("set"))
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return _error(400, f"the clock value must be a number (got {value!r})")
        try:
            now = clock.advance(float(value)) if "advance" in body else clock.set(float(value))
        except ValueError as e:
            return _error(400, str(e))
        return Response.json({"now": now, "offset": clock.offset})

    return handle


def install_routes(cluster: SandboxCluster) -> None:
    cluster.add_route("/_sandbox/faults", faults_handler(cluster))
    cluster.add_route("/_sandbox/clock", clock_handler(cluster))
