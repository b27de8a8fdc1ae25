"""Manifests as stages give them: nested lists, ``kind: List``, YAML and JSON text, and exact errors."""

from __future__ import annotations

import pytest

from gennaker.kubernetes.errors import ManifestError
from gennaker.kubernetes.manifests.names import manifest_name, parse_manifest_name
from gennaker.kubernetes.manifests.parse import manifests_from, origin
from gennaker.kubernetes.manifests.selectors import to_kubectl

CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}


def test_nested_lists_lists_and_text_are_flattened() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\n---\n"
        + '{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "c"}}'
    )
    listed = {"apiVersion": "v1", "kind": "List", "items": [CM, [CM]]}
    found = manifests_from([CM, [[CM]], text, listed], "manifests")
    assert [m["metadata"]["name"] for m in found] == ["a", "a", "b", "c", "a", "a"]
    assert [origin(m) for m in found] == [
        "manifests[0]",
        "manifests[1][0][0]",
        "manifests[2] (document 1)",
        "manifests[2] (document 2)",
        "manifests[3].items[0]",
        "manifests[3].items[1][0]",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([CM, {"apiVersion": "v1", "metadata": {"name": "x"}}], r"manifests\[1\] has no 'kind'"),
        (
            [{"kind": "ConfigMap", "metadata": {"name": "x"}}],
            r"manifests\[0\] \(ConfigMap\) has no 'apiVersion'",
        ),
        ([{"kind": "ConfigMap", "apiVersion": "v1", "metadata": {}}], r"has no 'metadata.name'"),
        ([42], r"manifests\[0\] is not a Kubernetes object \(got int: '42'\)"),
        (["a: [1\nb: 2\n"], r"manifests\[0\] is not valid YAML or JSON at line 2, column 2"),
        ('{"kind": "ConfigMap", ', r"manifests is not valid YAML or JSON at line 1, column 23"),
        ([], r"manifests holds no manifest"),
    ],
)
def test_errors_say_where(value: object, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        manifests_from(value, "manifests")


def test_generate_name_is_allowed_for_jobs_only_when_asked() -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"generateName": "m-"}}
    assert manifests_from([job], "manifest", allow_generate_name=True)
    with pytest.raises(ManifestError, match=r"has no 'metadata\.name'"):
        manifests_from([job], "manifest")


def test_manifest_names() -> None:
    assert manifest_name("ReplicaSet", "web-v003") == "replicaSet web-v003"
    assert parse_manifest_name("replicaSet web-v003") == ("ReplicaSet", "web-v003")
    assert parse_manifest_name("deployment.apps/web") == ("Deployment", "web")
    assert parse_manifest_name("deploy web") == ("Deployment", "web")
    with pytest.raises(ManifestError, match="must be '<kind> <name>'"):
        parse_manifest_name("web")


def test_label_selectors_for_kubectl() -> None:
    selectors = {
        "selectors": [
            {"key": "app", "kind": "EQUALS", "values": ["web"]},
            {"key": "tier", "kind": "NOT_CONTAINS", "values": ["db", "cache"]},
            {"key": "canary", "kind": "NOT_EXISTS"},
        ]
    }
    assert to_kubectl(selectors) == "app=web,tier notin (db,cache),!canary"
