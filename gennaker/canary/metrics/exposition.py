"""A reader of Prometheus' text exposition format (0.0.4): ``name{label="value",...} value [timestamp]``.

Who calls it: the ``sandbox`` metric source's collector (:mod:`gennaker.canary.metrics.sandbox`), which
scrapes the sandbox cluster's ``/metrics``. Comments (``# HELP``, ``# TYPE``) and blank lines are skipped;
label values unescape ``\\\\``, ``\\"`` and ``\\n``; values parse ``NaN``, ``+Inf``, ``-Inf``. A
malformed line raises ``ValueError`` naming its line number. Pure functions.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|\})')
_SPECIAL = {"nan": math.nan, "+inf": math.inf, "inf": math.inf, "-inf": -math.inf}


@dataclass(frozen=True)
class Sample:
    name: str
    labels: tuple[tuple[str, str], ...]
    value: float

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)


def _unescape(text: str) -> str:
    return text.replace("\\\\", "\x00").replace('\\"', '"').replace("\\n", "\n").replace("\x00", "\\")


def _value(text: str) -> float:
    special = _SPECIAL.get(text.lower())
    return special if special is not None else float(text)


def parse_exposition(text: str) -> list[Sample]:
    """Every sample of an exposition document."""
    samples: list[Sample] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _NAME.match(line)
        if match is None:
            raise ValueError(f"line {number}: expected a metric name: {raw[:120]!r}")
        name = match.group(0)
        rest = line[match.end() :]
        labels: list[tuple[str, str]] = []
        if rest.startswith("{"):
            rest = rest[1:]
            if rest.lstrip().startswith("}"):
                rest = rest.lstrip()[1:]
            else:
                while True:
                    label = _LABEL.match(rest)
                    if label is None:
                        raise ValueError(f"line {number}: malformed labels: {raw[:120]!r}")
                    labels.append((label.group(1), _unescape(label.group(2))))
                    rest = rest[label.end() :]
                    if label.group(3) == "}":
                        break
                    if rest.lstrip().startswith("}"):  # a trailing comma is allowed
                        rest = rest.lstrip()[1:]
                        break
        parts = rest.split()
        if not parts:
            raise ValueError(f"line {number}: missing value: {raw[:120]!r}")
        try:
            value = _value(parts[0])
        except ValueError:
            raise ValueError(f"line {number}: {parts[0]!r} is not a number") from None
        samples.append(Sample(name, tuple(sorted(labels)), value))
    return samples
