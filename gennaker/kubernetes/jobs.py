"""Jobs after they ran: their pods, their logs, and the properties a job prints for the pipeline.

Who calls it: runJobManifest (logs and ``propertyFile`` outputs) and the API's job routes.

Property files (clouddriver's PropertyParser, as Spinnaker does it): the log of the container named by
``propertyFile`` is read line by line (trimmed, blank lines skipped);
- a line containing ``SPINNAKER_PROPERTY_`` that splits on ``=`` into exactly two non-empty parts gives
  ``key=value`` with the prefix removed from the key and the key lower-cased
  (``SPINNAKER_PROPERTY_VERSION=1.2`` -> ``version: "1.2"``);
- a line starting with ``SPINNAKER_CONFIG_JSON=`` is parsed as a JSON object whose keys are merged in
  (a malformed one is an error naming the line).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gennaker.kubernetes.errors import KubernetesError

if TYPE_CHECKING:
    from gennaker.kubernetes.service import KubernetesService

PROPERTY_MARK = "SPINNAKER_PROPERTY_"
JSON_MARK = re.compile(r"^\s*SPINNAKER_CONFIG_JSON=")
LOG_LIMIT_BYTES = 1 << 20
KEPT_LOG_CHARS = 16_000


def parse_properties(log: str) -> dict[str, Any]:
    """Properties printed in a log (see the module docstring)."""
    found: dict[str, Any] = {}
    for raw in log.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if PROPERTY_MARK in line:
            parts = [p.strip() for p in line.split("=") if p.strip()]
            if len(parts) == 2:
                found[parts[0].replace(PROPERTY_MARK, "", 1).lower()] = parts[1]
        if JSON_MARK.match(line):
            content = JSON_MARK.sub("", line, count=1)
            try:
                value = json.loads(content)
            except ValueError as exc:
                raise KubernetesError(
                    f"SPINNAKER_CONFIG_JSON line is not valid JSON ({exc}): {content[:120]}"
                ) from None
            if not isinstance(value, Mapping):
                raise KubernetesError("SPINNAKER_CONFIG_JSON must hold a JSON object")
            found.update(value)
    return found


def job_pods(
    service: KubernetesService, account: str, namespace: str, job: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The job's pods, oldest first (the cache's index by owner; a live list by the job-name label when the
    cache has none yet)."""
    uid = str((job.get("metadata") or {}).get("uid") or "")
    pods = service.cache.account(account).index.owned_by(uid, "Pod") if uid else []
    if not pods:
        name = str((job.get("metadata") or {}).get("name") or "")
        handler = service.handler(account, "Pod")
        pods, _ = service.client(account).list(
            handler, namespace, label_selector=f"batch.kubernetes.io/job-name={name}"
        )
    return sorted(pods, key=lambda p: str((p.get("metadata") or {}).get("creationTimestamp") or ""))


def logs(
    service: KubernetesService,
    account: str,
    namespace: str,
    job: Mapping[str, Any],
    container: str | None = None,
) -> dict[str, str]:
    """``{"<pod>/<container>": log}`` for every container of every pod of the job (``container`` only,
    when given); each log trimmed to its last ``KEPT_LOG_CHARS`` characters."""
    out: dict[str, str] = {}
    client = service.client(account)
    for pod in job_pods(service, account, namespace, job):
        pod_name = str(pod["metadata"]["name"])
        names = [str(c.get("name")) for c in (pod.get("spec") or {}).get("containers") or []]
        for name in names:
            if container and name != container:
                continue
            text = client.logs(namespace, pod_name, name, limit_bytes=LOG_LIMIT_BYTES)
            out[f"{pod_name}/{name}"] = text[-KEPT_LOG_CHARS:]
    return out


def property_file(
    service: KubernetesService, account: str, namespace: str, job: Mapping[str, Any], container: str
) -> dict[str, Any]:
    """The properties of the ``container``'s log in the job's newest pod that has that container."""
    client = service.client(account)
    pods = job_pods(service, account, namespace, job)
    for pod in reversed(pods):
        names = [str(c.get("name")) for c in (pod.get("spec") or {}).get("containers") or []]
        if container in names:
            text = client.logs(
                namespace, str(pod["metadata"]["name"]), container, limit_bytes=LOG_LIMIT_BYTES
            )
            return parse_properties(text)
    job_name = (job.get("metadata") or {}).get("name")
    if not pods:
        raise KubernetesError(f"job {job_name} has no pods to read the property file from")
    raise KubernetesError(f"job {job_name}'s pods have no container named {container!r} (propertyFile)")
