"""Request bodies: JSON, YAML and Kubernetes protobuf into JSON-shaped objects.

Who calls it: the resource handlers for POST and PUT. Unknown content types get 415 with the types the
API server accepts; unparseable bodies get 400 naming the parse error. Patch bodies are parsed by the
patch engines themselves.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from .. import errors, protobuf
from ..registry import ResourceType
from .types import Request

ACCEPTED = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]


def decode_body(req: Request, rt: ResourceType) -> Any:
    ctype = req.content_type or "application/json"
    if ctype == "application/json":
        try:
            return json.loads(req.body.decode("utf-8") or "null")
        except (ValueError, UnicodeDecodeError) as e:
            raise errors.bad_request(f"couldn't decode the body as JSON: {e}") from e
    if ctype in ("application/yaml", "application/x-yaml", "text/yaml"):
        try:
            return yaml.safe_load(req.body.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise errors.bad_request(f"couldn't decode the body as YAML: {e}") from e
    if ctype == "application/vnd.kubernetes.protobuf":
        return protobuf.decode(req.body)
    raise errors.unsupported_media_type(ACCEPTED)
