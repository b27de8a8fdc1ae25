"""Template hashes and ControllerRevision data (Go marshalling) used by the workload controllers."""

from __future__ import annotations

from gennaker.sandbox.web.types import go_json
from gennaker.sandbox.workloads.hashing import ALPHABET, compute_hash, fnv32a, revision_data, safe_encode


def test_fnv32a_known_values() -> None:
    assert fnv32a(b"") == 0x811C9DC5
    assert fnv32a(b"a") == 0xE40C292C


def test_hash_uses_the_safe_alphabet_and_ignores_the_hash_label_and_empty_values() -> None:
    template = {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}
    h = compute_hash(template)
    assert set(h) <= set(ALPHABET) and 6 <= len(h) <= 10
    labelled = {
        "metadata": {"labels": {"app": "x", "pod-template-hash": h}},
        "spec": {"containers": [{"name": "c", "image": "i", "resources": {}}]},
    }
    assert compute_hash(labelled) == h
    assert compute_hash(template, collision_count=1) != h
    assert safe_encode("0123456789") == "456789bcdf"  # why real hashes look like 7d4b9c8f5


def test_revision_data_is_go_marshalled() -> None:
    template = {
        "metadata": {"labels": {"b": "2", "a": "1"}, "annotations": {}},
        "spec": {
            "containers": [{"name": "c", "image": "i", "args": [], "resources": {}}],
            "securityContext": {},
        },
    }
    data = revision_data(template)
    assert go_json(data) == (
        b'{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"a":"1","b":"2"}},'
        b'"spec":{"containers":[{"image":"i","name":"c","resources":{}}],"securityContext":{}}}}}'
    )


def test_go_json_escapes_html_like_go() -> None:
    assert go_json({"a": "x<y>&z\u2028"}) == b'{"a":"x\\u003cy\\u003e\\u0026z\\u2028"}'
