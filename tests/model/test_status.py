"""The twelve statuses and Spinnaker's sets."""

from __future__ import annotations

from gennaker.model import ExecutionStatus as S


def test_twelve_statuses_with_orca_sets() -> None:
    assert len(S) == 12
    assert {s for s in S if s.is_complete} == {
        S.SUCCEEDED,
        S.FAILED_CONTINUE,
        S.SKIPPED,
        S.STOPPED,
        S.TERMINAL,
        S.CANCELED,
    }
    assert {s for s in S if s.is_halt} == {S.STOPPED, S.TERMINAL, S.CANCELED}
    assert {s for s in S if s.is_successful} == {S.SUCCEEDED, S.STOPPED, S.SKIPPED}
    assert {s for s in S if s.is_failure} == {S.TERMINAL, S.STOPPED, S.FAILED_CONTINUE}
    assert S("RUNNING") == "RUNNING"
