"""payloadConstraints as Echo matches them: top-level keys or JSONPath, regex found in the value."""

from __future__ import annotations

from typing import Any

import pytest

from gennaker.triggers.webhooks import JsonPathError, evaluate_json_path, payload_constraints_match

MATCH = {"one": "one", "two": "two", "three": "three"}
NO_MATCH = {"four": "four", "five": "five"}
COMPLEX: dict[str, Any] = {
    "one": {
        "test1": {
            "title": "test",
            "modified": ["folder1/file1.txt", "folder1/file2.txt", "folder2/file1.yml"],
            "isValid": True,
            "author": {"name": "edgar", "username": "edgarulg"},
        },
        "test2": {
            "title": "another test",
            "created": ["folder3/new.txt"],
            "isValid": False,
            "author": {"name": "jorge", "username": "jorge123"},
            "changes": [{"id": 1, "value": "foo"}, {"id": 2, "value": "bar"}],
        },
    },
    "two": {"test3": {"count": 3, "ref": None, "isActive": False}},
}

# The cases of Echo's ArtifactMatcherTest, with Echo's expected outcome.
CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    ("partial word", {"one": "o"}, MATCH, True),
    ("exact string", {"one": "one"}, MATCH, True),
    ("key missing", {"one": "one"}, NO_MATCH, False),
    ("invalid regex", {"one": "[one,two"}, MATCH, False),
    ("list of constraints", {"one": ["uno", "one"]}, MATCH, True),
    ("list of constraints, key missing", {"one": ["uno", "one"]}, NO_MATCH, False),
    ("payload list", {"one": ["uno", "one"]}, {"one": ["one"]}, True),
    ("jsonpath string", {"$.one.test1.title": "st"}, COMPLEX, True),
    ("jsonpath string no match", {"$.one.test2.title": "no match"}, COMPLEX, False),
    ("jsonpath boolean", {"$.one.test1.isValid": "true"}, COMPLEX, True),
    ("jsonpath number", {"$.two.test3.count": "3"}, COMPLEX, True),
    ("jsonpath list of strings", {"$.one.test1.modified": ".yml"}, COMPLEX, True),
    ("jsonpath list of strings no match", {"$.one.test1.modified": ".xml"}, COMPLEX, False),
    ("jsonpath object", {"$.one.test1.author": "edgar"}, COMPLEX, False),
    ("jsonpath list of objects", {"$.one.test2.changes": "bar"}, COMPLEX, False),
    ("jsonpath unknown field", {"$.two.test4.changes": "bar"}, COMPLEX, False),
    ("jsonpath bad expression", {"$.one.test2.changes[a].value": "bar"}, COMPLEX, False),
    (
        "jsonpath several, one fails",
        {"$.one.test1.title": "st", "$.one.test2.title": "no match"},
        COMPLEX,
        False,
    ),
]


@pytest.mark.parametrize(("name", "constraints", "payload", "expected"), CASES, ids=[c[0] for c in CASES])
def test_echo_cases(name: str, constraints: dict[str, Any], payload: dict[str, Any], expected: bool) -> None:
    result = payload_constraints_match(constraints, payload)
    assert result.ok is expected, result.failures
    assert (not result.failures) is expected


def test_no_constraints_match_everything_and_null_values_only_need_the_key() -> None:
    assert payload_constraints_match(None, {"a": 1})
    assert payload_constraints_match({}, {})
    assert payload_constraints_match({"a": None}, {"a": "x"})
    assert not payload_constraints_match({"a": None}, {"a": None})


def test_reasons_name_the_constraint_and_what_was_found() -> None:
    result = payload_constraints_match(
        {"env": "^prod$", "$.repo.name": "shop"}, {"env": "staging", "repo": {}}
    )
    assert result.failures == [
        "payload key 'env': value 'staging' does not match '^prod$'",
        "'$.repo.name' is not in the payload",
    ]
    invalid = payload_constraints_match({"env": "(prod"}, {"env": "prod"})
    assert "is not a valid regular expression" in invalid.failures[0]


def test_full_match_option_and_wildcards() -> None:
    assert payload_constraints_match({"env": "prod"}, {"env": "prod-eu"})  # Echo: found, partial
    assert not payload_constraints_match({"env": "prod"}, {"env": "prod-eu"}, full_match=True)
    payload = {
        "commits": [
            {"id": "a1", "modified": ["x.yaml"]},
            {"id": "b2", "modified": ["charts/web/values.yaml"]},
        ]
    }
    assert payload_constraints_match({"$.commits[*].modified": "^charts/"}, payload)
    assert payload_constraints_match({"$.commits[-1].id": "^b2$"}, payload)
    assert evaluate_json_path("$['commits'][0]['id']", payload) == ["a1"]
    assert evaluate_json_path("$.commits.*.id", payload) == ["a1", "b2"]
    with pytest.raises(JsonPathError, match="must start with"):
        evaluate_json_path("commits", payload)
