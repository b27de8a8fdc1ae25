"""Trigger patterns are matched with a time bound: a backtracking pattern fails instead of hanging."""

from __future__ import annotations

import pytest

from gennaker.triggers.docker import tag_matches
from gennaker.triggers.patterns import InvalidPattern, PatternTimeout, full_match, search
from gennaker.triggers.webhooks import branch_matches, payload_constraints_match

EVIL = r"(a|aa)+$"
CRAFTED = "a" * 60 + "!"


def test_a_backtracking_pattern_times_out_instead_of_hanging() -> None:
    with pytest.raises(PatternTimeout, match="took longer than"):
        search(EVIL, CRAFTED)
    result = payload_constraints_match({"ref": EVIL}, {"ref": CRAFTED})
    assert not result and "took longer than" in result.failures[0]
    assert not branch_matches(EVIL, CRAFTED)
    assert not tag_matches(EVIL, CRAFTED)


def test_java_style_patterns_work() -> None:
    assert full_match(r"release/\d+\.\d+", "release/1.4")
    assert full_match(r"v\p{Digit}+", "v12")  # Java's POSIX-like classes
    assert search(r"(?i)PROD", "eu-prod-1")
    with pytest.raises(InvalidPattern, match="is not a valid regular expression"):
        full_match("(", "x")
