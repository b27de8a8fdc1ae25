"""The registry of canary judges, by the name a canary config's ``judge.name`` gives.

Who uses it: config validation (is the judge name known?), the canary run and the ``/judge`` endpoints
(:func:`get_judge`). Built-in judges register themselves when their module is imported; this module imports
them lazily (on first use) so that judges may import the config models without an import cycle.

Kayenta semantics: an empty name means the first registered judge (``NetflixACAJudge-v1.0``); an unknown name
is an error ("Unable to resolve canary judge"). A judge is any object with a ``name`` and
``judge(config, thresholds, pairs) -> CanaryJudgeResult``; third-party judges call :func:`register_judge` the
same way the built-ins do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from gennaker.canary.errors import UnknownJudgeError

if TYPE_CHECKING:
    from gennaker.canary.config import CanaryConfig, ScoreThresholds
    from gennaker.canary.judge.results import CanaryJudgeResult
    from gennaker.canary.metrics.model import MetricSetPair


class CanaryJudge(Protocol):
    @property
    def name(self) -> str: ...

    def judge(
        self, config: CanaryConfig, thresholds: ScoreThresholds, pairs: Sequence[MetricSetPair]
    ) -> CanaryJudgeResult: ...


_FACTORIES: dict[str, Callable[[], CanaryJudge]] = {}


def register_judge(name: str, factory: Callable[[], CanaryJudge]) -> None:
    """Register ``factory`` (called once per :func:`get_judge`) under ``name``; re-registering replaces it."""
    _FACTORIES[name] = factory


def _load_builtins() -> None:
    import gennaker.canary.judge.netflix_aca  # noqa: F401  (imported once; registers itself)


def judge_names() -> list[str]:
    """Registered judge names, in registration order (the first is the default)."""
    _load_builtins()
    return list(_FACTORIES)


def get_judge(name: str | None = None) -> CanaryJudge:
    """The judge registered as ``name``; the first registered one when ``name`` is empty."""
    _load_builtins()
    if not name:
        if not _FACTORIES:
            raise UnknownJudgeError("no canary judge is registered")
        return next(iter(_FACTORIES.values()))()
    factory = _FACTORIES.get(name)
    if factory is None:
        known = ", ".join(_FACTORIES)
        raise UnknownJudgeError(f"Unable to resolve canary judge {name!r} (known: {known})")
    return factory()
