"""Docker Registry v2: the client (``client``, ``auth``), the docker trigger's tag poller (``poller``), an
image pusher (``pusher``) and a local registry runner for tests and demos (``local_registry``)."""

from gennaker.triggers.docker.client import (
    RegistryAuthError,
    RegistryClient,
    RegistryError,
    RegistryNotFoundError,
    RegistryUnavailableError,
    RetryPolicy,
)
from gennaker.triggers.docker.poller import (
    PollResult,
    TagEvent,
    TagPoller,
    TagPollState,
    compile_tag_pattern,
    new_tags,
    poll_forever,
    tag_matches,
)
from gennaker.triggers.docker.pusher import PushedImage, push_image

__all__ = [
    "PollResult",
    "PushedImage",
    "RegistryAuthError",
    "RegistryClient",
    "RegistryError",
    "RegistryNotFoundError",
    "RegistryUnavailableError",
    "RetryPolicy",
    "TagEvent",
    "TagPollState",
    "TagPoller",
    "compile_tag_pattern",
    "new_tags",
    "poll_forever",
    "push_image",
    "tag_matches",
]
