"""The ``docker`` trigger: a new tag in a repository of a Docker registry account.

Trigger JSON (Echo's)::

    {"type": "docker", "enabled": true, "account": "ghcr", "registry": "ghcr.io",
     "organization": "acme", "repository": "acme/web", "tag": "\\d+\\.\\d+\\.\\d+"}

Who calls it: the docker pollers of the trigger runtime (``gennaker.triggers.runtime``) turn each new tag a
``TagPoller`` reports into an event with ``tag_event``. Matching (Echo's ``DockerEventHandler``): the
trigger's ``account`` and ``repository`` equal the event's; ``tag`` is a regex that must match the whole
tag (empty: every tag but ``latest``). Runtime trigger: ``tag``, ``digest``, and the image as a
digest-pinned ``docker/image`` artifact. Event key: ``docker:<account>:<repository>:<tag>@<digest>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gennaker.triggers.docker.poller import TagEvent, tag_matches
from gennaker.triggers.events import TriggerEvent
from gennaker.triggers.patterns import InvalidPattern, compile_pattern
from gennaker.triggers.registry import Check


@dataclass(frozen=True)
class DockerData:
    account: str
    tag: TagEvent


def tag_event(account: str, tag: TagEvent) -> TriggerEvent:
    """The event for one new tag of ``account``'s registry."""
    artifact = tag.artifact()
    return TriggerEvent(
        type="docker",
        key=f"docker:{account}:{tag.repository}:{tag.tag}@{tag.digest or '-'}",
        source=f"{account}/{tag.repository}",
        summary=f"new tag {tag.tag} of {tag.image_name} ({tag.reason})",
        data=DockerData(account, tag),
        artifacts=[artifact],
        payload={
            "account": account,
            "registry": tag.registry,
            "repository": tag.repository,
            "tag": tag.tag,
            "digest": tag.digest,
            "reason": tag.reason,
        },
    )


class DockerTrigger:
    type = "docker"
    secret_keys: frozenset[str] = frozenset()

    def addresses(self, trigger: Mapping[str, Any], event: TriggerEvent) -> bool:
        data: DockerData = event.data
        return trigger.get("account") == data.account and trigger.get("repository") == data.tag.repository

    def check(self, trigger: Mapping[str, Any], event: TriggerEvent) -> Check:
        data: DockerData = event.data
        pattern = trigger.get("tag")
        pattern = pattern.strip() if isinstance(pattern, str) and pattern.strip() else None
        if pattern is not None:
            try:
                compile_pattern(pattern)
            except InvalidPattern as exc:
                return Check.failed(f"tag pattern {exc}")
        if not tag_matches(pattern, data.tag.tag):
            wanted = repr(pattern) if pattern else "any tag but 'latest'"
            return Check.failed(f"tag {data.tag.tag!r} does not match {wanted}")
        return Check.passed()

    def runtime_fields(self, trigger: Mapping[str, Any], event: TriggerEvent) -> dict[str, Any]:
        data: DockerData = event.data
        fields: dict[str, Any] = {"tag": data.tag.tag, "repository": data.tag.repository}
        if data.tag.digest:
            fields["digest"] = data.tag.digest
        return fields


TRIGGER_TYPE = DockerTrigger()
