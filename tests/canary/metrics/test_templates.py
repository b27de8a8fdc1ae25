"""Template expansion with StringSubstitutor's rules and Kayenta's bindings."""

from __future__ import annotations

import pytest

from gennaker.canary.metrics.templates import TemplateError, expand_template, template_bindings
from gennaker.canary.queries import PrometheusQueryConfig
from gennaker.canary.scope import CanaryScope


def test_variables_are_substituted() -> None:
    assert expand_template("a=${x},b=${y}", {"x": "1", "y": "2"}) == "a=1,b=2"


def test_escaped_dollar_brace_from_storage() -> None:
    assert expand_template("a=$\\{x}", {"x": "1"}) == "a=1"


def test_double_dollar_is_a_literal() -> None:
    assert expand_template("a=$${x}", {"x": "1"}) == "a=${x}"


def test_defaults() -> None:
    assert expand_template("q=${quantile:-0.5}", {}) == "q=0.5"
    assert expand_template("q=${quantile:-0.5}", {"quantile": "0.9"}) == "q=0.9"


def test_values_are_expanded_again() -> None:
    assert expand_template("${a}", {"a": "<${b}>", "b": "x"}) == "<x>"


def test_a_cycle_is_an_error() -> None:
    with pytest.raises(TemplateError, match="refers to itself"):
        expand_template("${a}", {"a": "${b}", "b": "${a}"})


def test_undefined_variable_is_named() -> None:
    with pytest.raises(TemplateError, match="undefined variable 'region'") as caught:
        expand_template("zone=${region}", {})
    assert caught.value.variable == "region"


def test_an_unclosed_reference_is_left_alone() -> None:
    assert expand_template("a=${x", {"x": "1"}) == "a=${x"


def test_bindings_precedence_is_kayentas() -> None:
    scope = CanaryScope.model_validate(
        {"scope": "web-v2", "location": "eu", "extendedScopeParams": {"project": "p", "resourceType": "from-scope",  # noqa: E501
                                                                       "location": "override", "extra": "e"}}
    )  # fmt: skip
    query = PrometheusQueryConfig.model_validate({"type": "prometheus", "resourceType": "from-query"})
    bindings = template_bindings(scope, query)
    assert bindings == {
        "project": "p",
        "resourceType": "from-scope",  # extendedScopeParams come last and win over the query's resourceType
        "scope": "web-v2",
        "location": "override",
        "extra": "e",
    }
    plain = CanaryScope(scope="s")
    assert template_bindings(plain, query) == {"scope": "s", "resourceType": "from-query"}
