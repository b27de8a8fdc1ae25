"""Job (batch/v1): a server group that runs to completion (runJobManifest's kind).

Stability (clouddriver's KubernetesJobHandler): a ``Failed=True`` condition -> failed, with the
condition's reason and message; ``succeeded`` below ``completions`` (default 1) -> unstable
("Waiting for jobs to finish"). No status yet counts as unstable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gennaker.kubernetes.kinds.base import ManifestStatus, condition, count, server_group


def status(obj: Mapping[str, Any]) -> ManifestStatus:
    st = obj.get("status")
    if not isinstance(st, Mapping) or not st:
        return ManifestStatus.none_reported()
    result = ManifestStatus.default()
    failed = condition(obj, "Failed")
    if failed is not None and failed.get("status") == "True":
        reason = failed.get("reason") or "Failed"
        detail = failed.get("message") or "the job failed"
        message = f"Job failed ({reason}): {detail}"
        return result.failure(message).unstable(message)
    completions = (obj.get("spec") or {}).get("completions")
    wanted = int(completions) if isinstance(completions, int) else 1
    if count(st, "succeeded") < wanted:
        return result.unstable("Waiting for jobs to finish")
    return result


HANDLER = server_group("Job", "batch", "jobs", status)
