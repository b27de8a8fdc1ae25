"""``batch/v1`` kinds: jobs and cronjobs.

Who calls it: :func:`gennaker.sandbox.kinds.register_builtins`. A Job without ``manualSelector`` gets the
generated selector ``batch.kubernetes.io/controller-uid=<uid>`` and the four template labels the API
server adds, on create; selector and template are immutable afterwards.
"""

from __future__ import annotations

import re
from typing import Any

from .. import errors
from ..defaulting import default_template
from ..errors import FieldError
from ..registry import Column, Registry, ResourceType
from ..tables import AGE, dig, joined_containers, since
from ..validation import immutable_fields, non_negative, validate_selector_matches, validate_template

Obj = dict[str, Any]


def default_job_spec(spec: Any) -> None:
    if not isinstance(spec, dict):
        return
    spec.setdefault("parallelism", 1)
    spec.setdefault("completions", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    default_template(spec.get("template"))


def default_job(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    default_job_spec(spec)


def generate_job_selector(obj: Obj) -> None:
    """The API server's generated selector and template labels for Jobs without ``manualSelector``."""
    spec = obj.get("spec")
    if not isinstance(spec, dict) or spec.get("manualSelector"):
        return
    meta = obj.get("metadata") or {}
    uid, name = meta.get("uid"), meta.get("name")
    if spec.get("selector") is None:
        spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    template = spec.get("template")
    if isinstance(template, dict):
        tmeta = template.setdefault("metadata", {})
        labels = tmeta.setdefault("labels", {}) if isinstance(tmeta, dict) else {}
        if isinstance(labels, dict):
            labels.setdefault("batch.kubernetes.io/controller-uid", uid)
            labels.setdefault("batch.kubernetes.io/job-name", name)
            labels.setdefault("controller-uid", uid)
            labels.setdefault("job-name", name)


def _job_restart_policy(spec: Any, path: str) -> list[FieldError]:
    policy = dig(spec, "template", "spec", "restartPolicy")
    if policy not in ("OnFailure", "Never"):
        return [errors.not_supported(f"{path}.template.spec.restartPolicy", policy, ["OnFailure", "Never"])]
    return []


def validate_job(obj: Obj, old: Obj | None) -> list[FieldError]:
    out = validate_selector_matches(obj, "job")
    out += validate_template(dig(obj, "spec", "template"), "spec.template")
    out += _job_restart_policy(obj.get("spec"), "spec")
    for f in (
        "parallelism",
        "completions",
        "backoffLimit",
        "activeDeadlineSeconds",
        "ttlSecondsAfterFinished",
    ):
        out += non_negative(obj, f"spec.{f}")
    out += immutable_fields(obj, old, ("spec.selector", "spec.template", "spec.completionMode"))
    return out


def default_cronjob(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    if not isinstance(spec, dict):
        return
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    jt = spec.get("jobTemplate")
    if isinstance(jt, dict):
        jspec = jt.setdefault("spec", {})
        if isinstance(jspec, dict):
            jspec.setdefault("backoffLimit", 6)
            jspec.setdefault("completionMode", "NonIndexed")
            jspec.setdefault("suspend", False)
            jspec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
            default_template(jspec.get("template"))
        jmeta = jt.get("metadata")
        if isinstance(jmeta, dict) and jmeta.get("creationTimestamp", 0) is None:
            del jmeta["creationTimestamp"]


_CRON_FIELD = re.compile(
    r"^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(/[0-9]+)?)*$"
)
_MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}


def valid_schedule(schedule: str) -> bool:
    text = schedule.strip()
    if text.startswith("CRON_TZ=") or text.startswith("TZ="):
        return False  # the API server rejects time zones inside the schedule; spec.timeZone is the way
    if text in _MACROS or text.startswith("@every "):
        return True
    parts = text.split()
    return len(parts) == 5 and all(_CRON_FIELD.match(p) for p in parts)


def validate_cronjob(obj: Obj, old: Obj | None) -> list[FieldError]:
    spec = obj.get("spec") or {}
    out: list[FieldError] = []
    schedule = spec.get("schedule")
    if not schedule:
        out.append(errors.required("spec.schedule"))
    elif not isinstance(schedule, str) or not valid_schedule(schedule):
        out.append(errors.invalid("spec.schedule", schedule, "unparseable schedule"))
    policy = spec.get("concurrencyPolicy")
    if policy not in ("Allow", "Forbid", "Replace"):
        out.append(errors.not_supported("spec.concurrencyPolicy", policy, ["Allow", "Forbid", "Replace"]))
    jspec = dig(spec, "jobTemplate", "spec")
    out += validate_template(dig(jspec, "template"), "spec.jobTemplate.spec.template")
    out += _job_restart_policy(jspec, "spec.jobTemplate.spec")
    return out


def _job_status(o: Obj) -> str:
    for c in dig(o, "status", "conditions", default=[]) or []:
        if c.get("status") == "True" and c.get("type") in (
            "Complete",
            "Failed",
            "Suspended",
            "FailureTarget",
        ):
            return {"Complete": "Complete", "Failed": "Failed", "Suspended": "Suspended"}.get(
                c["type"], "Failed"
            )
    return "Running"


def _duration(o: Obj) -> str:
    start = dig(o, "status", "startTime")
    if not start:
        return ""
    return since(start)


JOB_COLUMNS = [
    Column("Status", "string", _job_status),
    Column(
        "Completions",
        "string",
        lambda o: f"{dig(o, 'status', 'succeeded', default=0)}/{dig(o, 'spec', 'completions', default=1)}",
    ),
    Column("Duration", "string", _duration),
    AGE,
    Column(
        "Containers",
        "string",
        joined_containers(("spec", "template", "spec", "containers"), "name"),
        priority=1,
    ),
    Column(
        "Images", "string", joined_containers(("spec", "template", "spec", "containers"), "image"), priority=1
    ),
]


def register(reg: Registry) -> None:
    reg.add(
        ResourceType(
            "batch",
            "v1",
            "Job",
            "jobs",
            "job",
            True,
            categories=("all",),
            status=True,
            prepare_create=[generate_job_selector],
            defaulters=[default_job],
            validators=[validate_job],
            columns=JOB_COLUMNS,
        )
    )
    reg.add(
        ResourceType(
            "batch",
            "v1",
            "CronJob",
            "cronjobs",
            "cronjob",
            True,
            short_names=("cj",),
            categories=("all",),
            status=True,
            defaulters=[default_cronjob],
            validators=[validate_cronjob],
            columns=[
                Column("Schedule", "string", lambda o: dig(o, "spec", "schedule", default="")),
                Column("Timezone", "string", lambda o: dig(o, "spec", "timeZone", default="<none>")),
                Column("Suspend", "boolean", lambda o: bool(dig(o, "spec", "suspend"))),
                Column("Active", "integer", lambda o: len(dig(o, "status", "active", default=[]) or [])),
                Column("Last Schedule", "string", lambda o: since(dig(o, "status", "lastScheduleTime"))),
                AGE,
            ],
        )
    )
