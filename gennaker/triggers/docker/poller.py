"""The docker trigger's poller core: which tags of a repository are new, fired once each, across restarts.

Who calls it: the docker trigger's scheduler (later), one ``TagPoller`` per (registry account, repository),
and the benchmark. Behaviour (Igor's docker monitor and Echo's docker trigger matching):
- a poll lists the repository's tags; tags not in the persisted state are new;
- the first poll of a repository only records what exists (no firing for every old tag), unless
  ``fire_on_first_poll``; a repository that does not exist yet (404 ``NAME_UNKNOWN``) has no tags, so
  the first tag pushed to it fires;
- a new tag fires if it matches the trigger's tag pattern: a regex that must match the whole tag; an
  empty pattern matches every tag except ``latest`` (Echo's rule); a tag that disappears and comes back is
  new again;
- with ``track_digests`` (Igor's ``trackDigests``) a known tag whose manifest digest changed fires again;
- each event carries a ``docker/image`` artifact: ``name`` = ``<registry>/<repository>``, ``version`` = the
  tag, ``reference`` = ``name:tag@digest`` when the registry gave a digest (pinned), else ``name:tag``.

State and the once-each contract: ``TagPollState`` is plain JSON handed in and out (``to_json`` /
``from_json``). The caller persists the returned state and enqueues the events in one transaction; an
event's ``event_id`` (registry, repository, tag, digest) is a natural idempotency key. A poll that fails
(registry down, after the client's retries) returns the state unchanged with ``error`` set: nothing is lost,
nothing doubles.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from gennaker.model.artifacts import Artifact
from gennaker.triggers.docker.client import RegistryClient, RegistryError, RegistryNotFoundError
from gennaker.triggers.patterns import InvalidPattern, PatternTimeout, compile_pattern, full_match


def compile_tag_pattern(pattern: str | None) -> str | None:
    """The trigger's ``tag`` field, checked (None for "any tag but latest"); ``ValueError`` if invalid."""
    if pattern is None or not pattern.strip():
        return None
    try:
        compile_pattern(pattern.strip())
    except InvalidPattern as exc:
        raise ValueError(f"docker trigger tag pattern {exc}") from None
    return pattern.strip()


def tag_matches(pattern: str | None, tag: str) -> bool:
    """Echo's rule: a pattern must match the whole tag; no pattern matches every tag except ``latest``."""
    if pattern is None:
        return tag != "latest"
    try:
        return full_match(pattern, tag)
    except (InvalidPattern, PatternTimeout):
        return False


@dataclass
class TagPollState:
    """What a poller has seen of one repository: tag -> manifest digest (None when not looked up)."""

    tags: dict[str, str | None] = field(default_factory=dict)
    initialized: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"initialized": self.initialized, "tags": dict(sorted(self.tags.items()))}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> TagPollState:
        if not data:
            return cls()
        return cls(
            tags={str(k): (str(v) if v else None) for k, v in (data.get("tags") or {}).items()},
            initialized=bool(data.get("initialized")),
        )


@dataclass(frozen=True)
class TagEvent:
    """A tag to fire for."""

    registry: str
    repository: str
    tag: str
    digest: str | None
    reason: str = "new"  # "new" or "digestChanged"

    @property
    def image_name(self) -> str:
        return f"{self.registry}/{self.repository}"

    @property
    def event_id(self) -> str:
        return f"docker:{self.image_name}:{self.tag}@{self.digest or '-'}"

    def artifact(self) -> Artifact:
        """The ``docker/image`` artifact the trigger passes to the pipeline."""
        reference = f"{self.image_name}:{self.tag}"
        if self.digest:
            reference += f"@{self.digest}"
        metadata: dict[str, Any] = {"registry": self.registry, "repository": self.repository, "tag": self.tag}
        if self.digest:
            metadata["digest"] = self.digest
        return Artifact(
            type="docker/image",
            name=self.image_name,
            version=self.tag,
            reference=reference,
            metadata=metadata,
        )


def new_tags(
    state: TagPollState,
    current: Iterable[str],
    pattern: str | None,
    *,
    fire_on_first_poll: bool = False,
) -> list[str]:
    """The tags of ``current`` to fire for, given what ``state`` has seen (pure)."""
    if not state.initialized and not fire_on_first_poll:
        return []
    return [t for t in current if t not in state.tags and tag_matches(pattern, t)]


@dataclass(frozen=True)
class PollResult:
    """The state to persist, the events to enqueue with it, and the error if the poll failed."""

    state: TagPollState
    events: list[TagEvent]
    error: str | None = None


class TagPoller:
    """Polls one repository of one registry."""

    def __init__(
        self,
        client: RegistryClient,
        repository: str,
        *,
        tag_pattern: str | None = None,
        track_digests: bool = False,
        fire_on_first_poll: bool = False,
        registry_name: str | None = None,
    ) -> None:
        self.client = client
        self.repository = repository
        self.pattern = compile_tag_pattern(tag_pattern)
        self.track_digests = track_digests
        self.fire_on_first_poll = fire_on_first_poll
        self.registry_name = registry_name or client.host

    def _digest(self, tag: str) -> str | None:
        try:
            return self.client.manifest_digest(self.repository, tag)
        except RegistryError:
            return None

    def poll(self, state: TagPollState) -> PollResult:
        """One poll. Never raises for registry failures: they come back in ``error``."""
        try:
            current = self.client.list_tags(self.repository)
        except RegistryNotFoundError:
            current = []  # no such repository yet: it has no tags, and its first pushed tag is new
        except RegistryError as exc:
            return PollResult(state, [], str(exc))
        fire = new_tags(state, current, self.pattern, fire_on_first_poll=self.fire_on_first_poll)
        tags: dict[str, str | None] = {}
        events: list[TagEvent] = []
        for tag in current:
            known = state.tags.get(tag)
            if tag in fire:
                digest = self._digest(tag)
                events.append(TagEvent(self.registry_name, self.repository, tag, digest))
                tags[tag] = digest
            elif (
                self.track_digests
                and state.initialized
                and tag in state.tags
                and tag_matches(self.pattern, tag)
            ):
                digest = self._digest(tag)
                if digest and known and digest != known:
                    events.append(TagEvent(self.registry_name, self.repository, tag, digest, "digestChanged"))
                tags[tag] = digest or known
            else:
                tags[tag] = known if tag in state.tags else None
        return PollResult(TagPollState(tags, initialized=True), events)


def poll_forever(
    poller: TagPoller,
    state: TagPollState,
    *,
    interval: float,
    on_result: Callable[[PollResult], None],
    stop: threading.Event,
    max_backoff: float = 60.0,
) -> TagPollState:
    """Poll every ``interval`` seconds until ``stop`` is set; ``on_result`` gets every result (it persists the
    state and enqueues the events). After failures the wait doubles up to ``max_backoff``. Returns the last
    state."""
    failures = 0
    while not stop.is_set():
        started = time.monotonic()
        result = poller.poll(state)
        on_result(result)
        state = result.state
        failures = failures + 1 if result.error else 0
        wait = min(max_backoff, interval * (2**failures)) if failures else interval
        stop.wait(max(0.0, wait - (time.monotonic() - started)))
    return state
