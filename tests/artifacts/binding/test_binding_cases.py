"""Artifact binding, table-driven: each file in ``cases/`` is one case (input manifests, artifacts, and the
expected manifests and bound artifacts, or the expected error), walked by this one test.

Case format (YAML)::

    description: what the case shows
    account: prod-k8s              # optional target account
    defaultNamespace: shop         # optional
    imageMode: match-name-only     # optional (default match-name-and-tag)
    required: [artifact, ...]      # optional
    optional: [artifact, ...]      # optional
    manifests: [manifest, ...]
    expected:                      # either this ...
      manifests: [manifest, ...]
      bound: [{type, name, reference}, ...]
    error: [substring, ...]        # ... or this
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from gennaker.artifacts.binding import ImageBindingMode, UnboundArtifactsError, bind_artifacts
from gennaker.model.artifacts import Artifact

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def test_there_are_cases() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_binding_case(path: Path) -> None:
    case: dict[str, Any] = yaml.safe_load(path.read_text())
    assert case.get("description"), f"{path.name} needs a description"
    manifests = case["manifests"]
    pristine = copy.deepcopy(manifests)
    required = [Artifact.model_validate(a) for a in case.get("required") or []]
    optional = [Artifact.model_validate(a) for a in case.get("optional") or []]
    kwargs: dict[str, Any] = {
        "account": case.get("account"),
        "default_namespace": case.get("defaultNamespace"),
        "image_mode": ImageBindingMode(case.get("imageMode", "match-name-and-tag")),
    }
    if "error" in case:
        with pytest.raises(UnboundArtifactsError) as info:
            bind_artifacts(manifests, required, optional, **kwargs)
        for fragment in case["error"]:
            assert fragment in str(info.value), f"{fragment!r} not in:\n{info.value}"
    else:
        result = bind_artifacts(manifests, required, optional, **kwargs)
        assert result.manifests == case["expected"]["manifests"]
        bound = [{"type": a.type, "name": a.name, "reference": a.reference} for a in result.bound]
        assert bound == case["expected"]["bound"]
    assert manifests == pristine, "the input manifests must not be modified"
