"""Property files, parsed from a container's log as Spinnaker's PropertyParser does."""

from __future__ import annotations

import pytest

from gennaker.kubernetes.errors import KubernetesError
from gennaker.kubernetes.jobs import parse_properties


def test_property_lines_and_json_lines() -> None:
    log = "\n".join(
        [
            "2026-11-21T20:41:32Z INFO starting",
            "SPINNAKER_PROPERTY_VERSION=1.4.2",
            "  SPINNAKER_PROPERTY_Build_Url = https://ci/build/7  ",
            "SPINNAKER_PROPERTY_BROKEN=a=b",
            "prefix SPINNAKER_PROPERTY_TAIL=x",
            'SPINNAKER_CONFIG_JSON={"images": ["a", "b"], "count": 2}',
            "",
        ]
    )
    assert parse_properties(log) == {
        "version": "1.4.2",
        "build_url": "https://ci/build/7",
        "prefix tail": "x",
        "images": ["a", "b"],
        "count": 2,
    }


def test_malformed_json_line_is_an_error() -> None:
    with pytest.raises(KubernetesError, match="SPINNAKER_CONFIG_JSON line is not valid JSON"):
        parse_properties("SPINNAKER_CONFIG_JSON={nope")


def test_nothing_to_find() -> None:
    assert parse_properties("just a log\nwith lines\n") == {}
