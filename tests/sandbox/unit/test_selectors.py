"""Label and field selector parsing and matching."""

from __future__ import annotations

import pytest

from gennaker.sandbox.errors import ApiError
from gennaker.sandbox.selectors import (
    from_label_selector,
    label_selector_string,
    parse_field_selector,
    parse_label_selector,
)

pytestmark = pytest.mark.timeout(30)
LABELS = {"app": "web", "tier": "front", "env": "prod"}


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("", True),
        ("app=web", True),
        ("app==web", True),
        ("app!=web", False),
        ("app=api", False),
        ("app in (web,api)", True),
        ("app in (api, db)", False),
        ("app notin (api)", True),
        ("tier", True),
        ("!tier", False),
        ("missing", False),
        ("!missing", True),
        ("missing!=x", True),
        ("app=web,tier=front", True),
        ("app=web,tier=back", False),
        ("app in (web),env notin (dev, test),tier", True),
    ],
)
def test_label_selector_matching(text: str, matches: bool) -> None:
    assert parse_label_selector(text).matches(LABELS) is matches


def test_label_selector_objects_and_text_form() -> None:
    sel = {
        "matchLabels": {"app": "web"},
        "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]}],
    }
    assert from_label_selector(sel).matches(LABELS)
    assert label_selector_string(sel) == "app=web,env in (dev,prod)"
    assert label_selector_string({"matchLabels": {"b": "2", "a": "1"}}) == "a=1,b=2"


def test_bad_label_selector_is_400() -> None:
    with pytest.raises(ApiError) as e:
        parse_label_selector("app=we b!")
    assert e.value.code == 400


def test_field_selectors() -> None:
    obj = {"metadata": {"name": "a", "namespace": "n"}, "status": {"phase": "Running"}}
    extra = {"status.phase": lambda o: o["status"]["phase"]}
    sel = parse_field_selector("metadata.name=a,status.phase!=Pending", extra)
    assert sel is not None and sel.matches(obj)
    assert sel.single_name() == "a"
    assert not parse_field_selector("metadata.namespace=x", {}).matches(obj)  # type: ignore[union-attr]
    with pytest.raises(ApiError) as e:
        parse_field_selector("spec.foo=x", {})
    assert e.value.code == 400
    assert (
        e.value.message
        == '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"'
    )
