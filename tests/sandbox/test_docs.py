"""docs/sandbox.md documents every simulation setting, annotation, fault, built-in controller and metric:
adding one without documenting it fails here."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gennaker.sandbox.appmetrics.registry import RANGE_METRICS
from gennaker.sandbox.builtin import BUILTIN
from gennaker.sandbox.kubelet.faults import FAULTS
from gennaker.sandbox.simulation import ANNOTATIONS, SimulationSettings

DOC = (Path(__file__).resolve().parents[2] / "docs" / "sandbox.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(SimulationSettings)])
def test_every_simulation_setting_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC


@pytest.mark.parametrize("annotation", sorted(ANNOTATIONS))
def test_every_annotation_is_documented(annotation: str) -> None:
    assert f"`{annotation}" in DOC or annotation in DOC


@pytest.mark.parametrize("fault", FAULTS)
def test_every_fault_is_documented(fault: str) -> None:
    assert f"| `{fault}` |" in DOC


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_every_builtin_controller_is_documented(name: str) -> None:
    assert f"`{name}`" in DOC


@pytest.mark.parametrize("metric", RANGE_METRICS)
def test_every_range_metric_is_documented(metric: str) -> None:
    assert f"`{metric}`" in DOC
