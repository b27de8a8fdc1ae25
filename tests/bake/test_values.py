"""Helm values for a bake: values files merged like repeated --values, overrides with --set semantics
(Helm's own parser): nested keys, list items applied onto existing lists, escapes, types."""

from __future__ import annotations

import pytest

from gennaker.bake.errors import BakeConfigError, RendererError
from gennaker.bake.values import apply_overrides, merge_values, parse_values_file, value_text


def test_values_files_merge_maps_and_replace_the_rest() -> None:
    first = parse_values_file("a: {b: 1, c: [1, 2]}\nd: x\n", "first")
    second = parse_values_file("a: {c: [3]}\nd: {e: 1}\n", "second")
    assert merge_values(first, second) == {"a": {"b": 1, "c": [3]}, "d": {"e": 1}}


def test_values_files_use_helms_yaml_reading() -> None:
    assert parse_values_file("enabled: yes\nport: 080\n", "v") == {"enabled": True, "port": 80}
    with pytest.raises(RendererError, match="values file v is not valid YAML"):
        parse_values_file("a: [", "v")


def test_string_overrides_keep_strings_and_raw_overrides_type_them() -> None:
    overrides = {"replicas": 3, "enabled": "false", "nothing": "null"}
    assert apply_overrides({}, overrides, raw=False) == {
        "replicas": "3",
        "enabled": "false",
        "nothing": "null",
    }
    assert apply_overrides({}, overrides, raw=True) == {"replicas": 3, "enabled": False, "nothing": None}


def test_list_items_change_only_the_item_named() -> None:
    base = {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}
    out = apply_overrides(base, {"env[1].value": "two", "ports[2]": "443"}, raw=True)
    assert out["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "two"}]
    assert out["ports"] == [None, None, 443]
    assert base["env"][1]["value"] == "2", "the input is not changed"


def test_escapes_lists_and_json_values() -> None:
    out = apply_overrides(
        {},
        {
            "annotations.team\\.io/owner": "a\\,b",
            "hosts": "{a.example.com,b.example.com}",
            "resources": {"limits": {"cpu": "1"}},
            "flag": True,
        },
        raw=False,
    )
    assert out == {
        "annotations": {"team.io/owner": "a,b"},
        "hosts": ["a.example.com", "b.example.com"],
        "resources": {"limits": {"cpu": "1"}},
        "flag": "true",
    }


def test_bad_override_names_the_key_and_carries_helms_message() -> None:
    with pytest.raises(RendererError, match=r"overrides\['a\[x\]'\] \(--set\): "):
        apply_overrides({}, {"a[x]": "1"}, raw=True)
    with pytest.raises(BakeConfigError, match="every key must be a non-empty string"):
        apply_overrides({}, {"": "1"}, raw=True)


def test_value_text_is_what_spinnaker_sends() -> None:
    assert [value_text(v) for v in (True, False, None, 3, 1.5, "x")] == [
        "true",
        "false",
        "null",
        "3",
        "1.5",
        "x",
    ]
