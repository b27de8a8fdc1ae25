"""The tag poller against a real docker-registry: new tags fire once each, matching the pattern, with a
digest-pinned docker/image artifact; state survives a restart as JSON; failures change nothing."""

from __future__ import annotations

import json
import threading

import pytest

from gennaker.triggers.docker import (
    PollResult,
    RegistryClient,
    RetryPolicy,
    TagPoller,
    TagPollState,
    compile_tag_pattern,
    new_tags,
    poll_forever,
    push_image,
    tag_matches,
)
from gennaker.triggers.docker.local_registry import LocalRegistry


def _restart(state: TagPollState) -> TagPollState:
    """What a restarted process reads back from the store."""
    return TagPollState.from_json(json.loads(json.dumps(state.to_json())))


def test_first_poll_records_then_new_tags_fire_once_each(registry: LocalRegistry) -> None:
    with RegistryClient(registry.url) as client:
        push_image(client, "shop/web", "1.0.0")
        poller = TagPoller(client, "shop/web", tag_pattern=r"\d+\.\d+\.\d+")
        first = poller.poll(TagPollState())
        assert first.events == [] and first.error is None
        assert first.state.initialized and set(first.state.tags) == {"1.0.0"}

        pushed = push_image(client, "shop/web", "1.1.0")
        push_image(client, "shop/web", "1.1.0-rc1")  # does not match the pattern
        second = poller.poll(_restart(first.state))
        assert [(e.tag, e.digest) for e in second.events] == [("1.1.0", pushed.digest)]
        artifact = second.events[0].artifact()
        assert artifact.to_json() == {
            "type": "docker/image",
            "name": f"{registry.host}/shop/web",
            "version": "1.1.0",
            "reference": f"{registry.host}/shop/web:1.1.0@{pushed.digest}",
            "metadata": {
                "registry": registry.host,
                "repository": "shop/web",
                "tag": "1.1.0",
                "digest": pushed.digest,
            },
        }
        third = poller.poll(_restart(second.state))
        assert third.events == []  # nothing fires twice, even after a restart


def test_default_pattern_is_every_tag_but_latest_and_removed_tags_fire_again(registry: LocalRegistry) -> None:
    with RegistryClient(registry.url) as client:
        push_image(client, "shop/api", "base")
        poller = TagPoller(client, "shop/api")
        state = poller.poll(TagPollState()).state
        push_image(client, "shop/api", "latest")
        gone = push_image(client, "shop/api", "feature-x")
        result = poller.poll(state)
        assert [e.tag for e in result.events] == ["feature-x"]
        client.request(
            "DELETE",
            f"/v2/shop/api/manifests/{gone.digest}",
            scope="repository:shop/api:pull,push",
            what="deleting feature-x",
            ok=(202,),
        )
        state = poller.poll(result.state).state
        assert "feature-x" not in state.tags
        again = push_image(client, "shop/api", "feature-x", files={"x": b"second build"})
        assert [(e.tag, e.digest) for e in poller.poll(state).events] == [("feature-x", again.digest)]


def test_track_digests_fires_when_a_tag_is_pushed_over(registry: LocalRegistry) -> None:
    with RegistryClient(registry.url) as client:
        push_image(client, "shop/worker", "stable")
        poller = TagPoller(client, "shop/worker", track_digests=True, fire_on_first_poll=True)
        first = poller.poll(TagPollState())
        assert [(e.tag, e.reason) for e in first.events] == [("stable", "new")]
        assert poller.poll(first.state).events == []
        rebuilt = push_image(client, "shop/worker", "stable", files={"app": b"v2"})
        changed = poller.poll(first.state)
        assert [(e.tag, e.reason, e.digest) for e in changed.events] == [
            ("stable", "digestChanged", rebuilt.digest)
        ]
        assert changed.events[0].event_id != first.events[0].event_id


def test_a_failed_poll_changes_nothing_and_says_why() -> None:
    client = RegistryClient("http://127.0.0.1:9", retry=RetryPolicy(attempts=2, initial=0.01))
    state = TagPollState(tags={"1.0": None}, initialized=True)
    result = TagPoller(client, "shop/web").poll(state)
    assert result.state is state and result.events == []
    assert (
        result.error is not None
        and "registry http://127.0.0.1:9: listing the tags of shop/web failed" in result.error
    )


def test_poll_forever_reports_each_new_tag_once_and_stops(registry: LocalRegistry) -> None:
    with RegistryClient(registry.url) as client:
        push_image(client, "shop/loop", "0")
        poller = TagPoller(client, "shop/loop")
        seen: list[str] = []
        stop = threading.Event()
        first_poll_done = threading.Event()
        got_two = threading.Event()

        def on_result(result: PollResult) -> None:
            first_poll_done.set()
            seen.extend(e.tag for e in result.events)
            if len(seen) >= 2:
                got_two.set()

        thread = threading.Thread(
            target=poll_forever,
            kwargs={
                "poller": poller,
                "state": TagPollState(),
                "interval": 0.05,
                "on_result": on_result,
                "stop": stop,
            },
        )
        thread.start()
        try:
            assert first_poll_done.wait(10)
            push_image(client, "shop/loop", "1")
            push_image(client, "shop/loop", "2")
            assert got_two.wait(10)
        finally:
            stop.set()
            thread.join(10)
        assert not thread.is_alive()
        assert sorted(seen) == ["1", "2"]


def test_pattern_rules() -> None:
    assert tag_matches(None, "1.2.3") and not tag_matches(None, "latest")
    semver = compile_tag_pattern(r"v?\d+\.\d+\.\d+")
    assert tag_matches(semver, "v1.2.3") and not tag_matches(semver, "1.2.3-rc1")  # whole-tag match
    assert compile_tag_pattern("  ") is None
    with pytest.raises(ValueError, match=r"tag pattern '\(' is not a valid regular expression"):
        compile_tag_pattern("(")
    state = TagPollState(tags={"a": None}, initialized=True)
    assert new_tags(state, ["a", "b", "latest"], None) == ["b"]
    assert new_tags(TagPollState(), ["a"], None) == []
    assert new_tags(TagPollState(), ["a"], None, fire_on_first_poll=True) == ["a"]
