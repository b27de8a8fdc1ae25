"""Decoding Kubernetes protobuf request bodies (``application/vnd.kubernetes.protobuf``) into JSON objects.

Who calls it: :mod:`gennaker.sandbox.web.bodies`, for POST/PUT bodies. kubectl's typed-client commands
(``kubectl create namespace|configmap|secret|deployment|job|service``, ``kubectl autoscale``) send protobuf
and never fall back to JSON. Replies are always JSON, which those clients accept.

Wire format: the 4 bytes ``k8s\\0``, then a ``runtime.Unknown`` message (1: TypeMeta{1: apiVersion,
2: kind}, 2: raw bytes of the typed message, 3: contentEncoding, 4: contentType). The typed message is
decoded by a hand-written protobuf wire decoder driven by the field-number tables below (from the
``generated.proto`` files of k8s.io/api; no generated code). Fields not in a table are skipped.

Go's JSON encoding omits empty values (``omitempty``) while gogo-protobuf writes every non-pointer field,
so empty strings, zero numbers and false booleans are dropped unless the field is a pointer (``ptr``:
``replicas: 0`` must survive). Nothing here persists.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from .errors import ApiError, bad_request

MAGIC = b"k8s\x00"


class ProtoError(ValueError):
    pass


# ---------------------------------------------------------------- wire level
def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ProtoError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 70:
            raise ProtoError("varint too long")


def fields(buf: bytes) -> list[tuple[int, int, Any]]:
    """(field number, wire type, value) for every field; length-delimited values are bytes."""
    out = []
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        num, wire = key >> 3, key & 7
        value: Any
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            length, pos = _varint(buf, pos)
            if pos + length > len(buf):
                raise ProtoError("truncated length-delimited field")
            value = buf[pos : pos + length]
            pos += length
        elif wire == 1:
            value = int.from_bytes(buf[pos : pos + 8], "little")
            pos += 8
        elif wire == 5:
            value = int.from_bytes(buf[pos : pos + 4], "little")
            pos += 4
        else:
            raise ProtoError(f"unsupported wire type {wire}")
        out.append((num, wire, value))
    return out


def _signed(v: int, bits: int = 64) -> int:
    return v - (1 << bits) if v >= 1 << (bits - 1) else v


# ---------------------------------------------------------------- schema tables
# A table maps field number -> (json name, type, sub-table or None, pointer?)
Table = dict[int, tuple[str, str, Any, bool]]


def F(name: str, kind: str, sub: Any = None, ptr: bool = False) -> tuple[str, str, Any, bool]:
    return (name, kind, sub, ptr)


OWNER_REF: Table = {
    1: F("kind", "string"),
    3: F("name", "string"),
    4: F("uid", "string"),
    5: F("apiVersion", "string"),
    6: F("controller", "bool", ptr=True),
    7: F("blockOwnerDeletion", "bool", ptr=True),
}
OBJECT_META: Table = {
    1: F("name", "string"),
    2: F("generateName", "string"),
    3: F("namespace", "string"),
    5: F("uid", "string"),
    6: F("resourceVersion", "string"),
    7: F("generation", "int"),
    8: F("creationTimestamp", "time"),
    11: F("labels", "map_ss"),
    12: F("annotations", "map_ss"),
    13: F("ownerReferences", "rmsg", OWNER_REF),
    14: F("finalizers", "rstring"),
}
LABEL_REQ: Table = {1: F("key", "string"), 2: F("operator", "string"), 3: F("values", "rstring")}
LABEL_SELECTOR: Table = {1: F("matchLabels", "map_ss"), 2: F("matchExpressions", "rmsg", LABEL_REQ)}
CONTAINER_PORT: Table = {
    1: F("name", "string"),
    2: F("hostPort", "int"),
    3: F("containerPort", "int"),
    4: F("protocol", "string"),
    5: F("hostIP", "string"),
}
ENV_VAR: Table = {1: F("name", "string"), 2: F("value", "string")}
RESOURCES: Table = {1: F("limits", "map_sq"), 2: F("requests", "map_sq")}
VOLUME_MOUNT: Table = {
    1: F("name", "string"),
    2: F("readOnly", "bool"),
    3: F("mountPath", "string"),
    4: F("subPath", "string"),
}
CONTAINER: Table = {
    1: F("name", "string"),
    2: F("image", "string"),
    3: F("command", "rstring"),
    4: F("args", "rstring"),
    5: F("workingDir", "string"),
    6: F("ports", "rmsg", CONTAINER_PORT),
    7: F("env", "rmsg", ENV_VAR),
    8: F("resources", "msg", RESOURCES),
    9: F("volumeMounts", "rmsg", VOLUME_MOUNT),
    13: F("terminationMessagePath", "string"),
    14: F("imagePullPolicy", "string"),
    16: F("stdin", "bool"),
    17: F("stdinOnce", "bool"),
    18: F("tty", "bool"),
    20: F("terminationMessagePolicy", "string"),
    24: F("restartPolicy", "string", ptr=True),
}
LOCAL_REF: Table = {1: F("name", "string")}
POD_SPEC: Table = {
    2: F("containers", "rmsg", CONTAINER),
    3: F("restartPolicy", "string"),
    4: F("terminationGracePeriodSeconds", "int", ptr=True),
    5: F("activeDeadlineSeconds", "int", ptr=True),
    6: F("dnsPolicy", "string"),
    7: F("nodeSelector", "map_ss"),
    8: F("serviceAccountName", "string"),
    10: F("nodeName", "string"),
    11: F("hostNetwork", "bool"),
    14: F("securityContext", "msg", {}),
    15: F("imagePullSecrets", "rmsg", LOCAL_REF),
    16: F("hostname", "string"),
    17: F("subdomain", "string"),
    19: F("schedulerName", "string"),
    20: F("initContainers", "rmsg", CONTAINER),
    24: F("priorityClassName", "string"),
}
POD_TEMPLATE: Table = {1: F("metadata", "msg", OBJECT_META), 2: F("spec", "msg", POD_SPEC)}
ROLLING_DEPLOY: Table = {1: F("maxUnavailable", "intorstr"), 2: F("maxSurge", "intorstr")}
STRATEGY: Table = {1: F("type", "string"), 2: F("rollingUpdate", "msg", ROLLING_DEPLOY)}
DEPLOYMENT_SPEC: Table = {
    1: F("replicas", "int", ptr=True),
    2: F("selector", "msg", LABEL_SELECTOR),
    3: F("template", "msg", POD_TEMPLATE),
    4: F("strategy", "msg", STRATEGY),
    5: F("minReadySeconds", "int"),
    6: F("revisionHistoryLimit", "int", ptr=True),
    7: F("paused", "bool"),
    9: F("progressDeadlineSeconds", "int", ptr=True),
}
JOB_SPEC: Table = {
    1: F("parallelism", "int", ptr=True),
    2: F("completions", "int", ptr=True),
    3: F("activeDeadlineSeconds", "int", ptr=True),
    4: F("selector", "msg", LABEL_SELECTOR),
    5: F("manualSelector", "bool", ptr=True),
    6: F("template", "msg", POD_TEMPLATE),
    7: F("backoffLimit", "int", ptr=True),
    8: F("ttlSecondsAfterFinished", "int", ptr=True),
    9: F("completionMode", "string", ptr=True),
    10: F("suspend", "bool", ptr=True),
}
JOB_TEMPLATE: Table = {1: F("metadata", "msg", OBJECT_META), 2: F("spec", "msg", JOB_SPEC)}
CRONJOB_SPEC: Table = {
    1: F("schedule", "string"),
    2: F("startingDeadlineSeconds", "int", ptr=True),
    3: F("concurrencyPolicy", "string"),
    4: F("suspend", "bool", ptr=True),
    5: F("jobTemplate", "msg", JOB_TEMPLATE),
    6: F("successfulJobsHistoryLimit", "int", ptr=True),
    7: F("failedJobsHistoryLimit", "int", ptr=True),
    8: F("timeZone", "string", ptr=True),
}
SERVICE_PORT: Table = {
    1: F("name", "string"),
    2: F("protocol", "string"),
    3: F("port", "int"),
    4: F("targetPort", "intorstr"),
    5: F("nodePort", "int"),
    6: F("appProtocol", "string", ptr=True),
}
SERVICE_SPEC: Table = {
    1: F("ports", "rmsg", SERVICE_PORT),
    2: F("selector", "map_ss"),
    3: F("clusterIP", "string"),
    4: F("type", "string"),
    5: F("externalIPs", "rstring"),
    7: F("sessionAffinity", "string"),
    10: F("externalName", "string"),
    18: F("clusterIPs", "rstring"),
}
# autoscaling/v2 (``kubectl autoscale`` creates HPAs with the typed client, in protobuf)
CROSS_VERSION_REF: Table = {1: F("kind", "string"), 2: F("name", "string"), 3: F("apiVersion", "string")}
METRIC_TARGET: Table = {
    1: F("type", "string"),
    2: F("value", "quantity"),
    3: F("averageValue", "quantity"),
    4: F("averageUtilization", "int", ptr=True),
}
RESOURCE_METRIC: Table = {1: F("name", "string"), 2: F("target", "msg", METRIC_TARGET)}
CONTAINER_RESOURCE_METRIC: Table = {
    1: F("name", "string"),
    2: F("target", "msg", METRIC_TARGET),
    3: F("container", "string"),
}
METRIC_SPEC: Table = {
    1: F("type", "string"),
    4: F("resource", "msg", RESOURCE_METRIC),
    7: F("containerResource", "msg", CONTAINER_RESOURCE_METRIC),
}
HPA_SPEC: Table = {
    1: F("scaleTargetRef", "msg", CROSS_VERSION_REF),
    2: F("minReplicas", "int", ptr=True),
    3: F("maxReplicas", "int", ptr=True),
    4: F("metrics", "rmsg", METRIC_SPEC),
}


def _kind(spec: Table, status: Table | None = None, **extra: tuple[str, str, Any, bool]) -> Table:
    table: Table = {1: F("metadata", "msg", OBJECT_META), 2: F("spec", "msg", spec)}
    if status is not None:
        table[3] = F("status", "msg", status)
    return table


KINDS: dict[tuple[str, str], Table] = {
    ("v1", "Namespace"): _kind({1: F("finalizers", "rstring")}, {1: F("phase", "string")}),
    ("v1", "ConfigMap"): {
        1: F("metadata", "msg", OBJECT_META),
        2: F("data", "map_ss"),
        3: F("binaryData", "map_sb"),
        4: F("immutable", "bool", ptr=True),
    },
    ("v1", "Secret"): {
        1: F("metadata", "msg", OBJECT_META),
        2: F("data", "map_sb"),
        3: F("type", "string"),
        4: F("stringData", "map_ss"),
        5: F("immutable", "bool", ptr=True),
    },
    ("v1", "ServiceAccount"): {
        1: F("metadata", "msg", OBJECT_META),
        4: F("automountServiceAccountToken", "bool", ptr=True),
    },
    ("v1", "Service"): _kind(SERVICE_SPEC, {}),
    ("apps/v1", "Deployment"): _kind(DEPLOYMENT_SPEC, {}),
    ("batch/v1", "Job"): _kind(JOB_SPEC, {}),
    ("batch/v1", "CronJob"): _kind(CRONJOB_SPEC, {}),
    ("autoscaling/v2", "HorizontalPodAutoscaler"): _kind(HPA_SPEC, {}),
}


# ---------------------------------------------------------------- decoding
def _time(buf: bytes) -> str | None:
    seconds = 0
    for num, _, value in fields(buf):
        if num == 1:
            seconds = _signed(value)
    if seconds <= 0:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _map(buf: bytes, value_kind: str) -> tuple[str, Any]:
    key, value = "", None
    for num, _, v in fields(buf):
        if num == 1:
            key = v.decode("utf-8")
        elif num == 2:
            if value_kind == "string":
                value = v.decode("utf-8")
            elif value_kind == "bytes":
                value = base64.b64encode(v).decode()
            else:  # Quantity {1: string}
                value = next((x.decode() for n, _, x in fields(v) if n == 1), "")
    if value is None:
        value = ""
    return key, value


def _int_or_string(buf: bytes) -> Any:
    kind, int_val, str_val = 0, 0, ""
    for num, _, v in fields(buf):
        if num == 1:
            kind = v
        elif num == 2:
            int_val = _signed(v, 64)
        elif num == 3:
            str_val = v.decode("utf-8")
    return str_val if kind == 1 else int_val


def decode_message(buf: bytes, table: Table) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for num, _, value in fields(buf):
        spec = table.get(num)
        if spec is None:
            continue
        name, kind, sub, ptr = spec
        if kind == "string":
            s = value.decode("utf-8")
            if s or ptr:
                out[name] = s
        elif kind == "int":
            n = _signed(value)
            if n or ptr:
                out[name] = n
        elif kind == "bool":
            if value or ptr:
                out[name] = bool(value)
        elif kind == "msg":
            out[name] = decode_message(value, sub)
        elif kind == "rmsg":
            out.setdefault(name, []).append(decode_message(value, sub))
        elif kind == "rstring":
            out.setdefault(name, []).append(value.decode("utf-8"))
        elif kind in ("map_ss", "map_sb", "map_sq"):
            k, v = _map(value, {"map_ss": "string", "map_sb": "bytes", "map_sq": "quantity"}[kind])
            out.setdefault(name, {})[k] = v
        elif kind == "time":
            t = _time(value)
            if t is not None:
                out[name] = t
        elif kind == "intorstr":
            out[name] = _int_or_string(value)
        elif kind == "quantity":  # resource.Quantity {1: string}
            q = next((x.decode("utf-8") for n, _, x in fields(value) if n == 1), "")
            if q:
                out[name] = q
    return out


def decode(body: bytes) -> dict[str, Any]:
    """A ``k8s\\0``-enveloped protobuf object as a JSON-shaped dict (400/415 for what cannot be read)."""
    if not body.startswith(MAGIC):
        raise bad_request("protobuf body without the k8s\\0 envelope")
    try:
        api_version = kind = ""
        raw = b""
        content_encoding = ""
        for num, _, value in fields(body[len(MAGIC) :]):
            if num == 1:
                for n, _, v in fields(value):
                    if n == 1:
                        api_version = v.decode("utf-8")
                    elif n == 2:
                        kind = v.decode("utf-8")
            elif num == 2:
                raw = value
            elif num == 3:
                content_encoding = value.decode("utf-8")
        if content_encoding:
            raise bad_request(f"unsupported protobuf content encoding {content_encoding!r}")
        table = KINDS.get((api_version, kind))
        if table is None:
            raise ApiError(
                415,
                "UnsupportedMediaType",
                f"the sandbox cannot decode protobuf bodies of {api_version}, Kind={kind}; send "
                "application/json",
                {},
            )
        obj = decode_message(raw, table)
    except ProtoError as e:
        raise bad_request(f"failed to decode protobuf body: {e}") from e
    except UnicodeDecodeError as e:
        raise bad_request(f"failed to decode protobuf body: invalid UTF-8: {e}") from e
    return {"apiVersion": api_version, "kind": kind, **obj}
