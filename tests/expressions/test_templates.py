"""Templates and whole-object evaluation: typed values, mixed text, failures kept raw with an
expressionEvaluationSummary entry in Orca's shape."""

from __future__ import annotations

import time
from typing import Any

import pytest

from gennaker.expressions import EvaluationResult, ExpressionError, ExpressionEvaluator

from .conftest import make_context

TEMPLATES: list[tuple[str, Any]] = [
    ("${trigger.parameters.env}", "prod"),
    ("${ trigger.parameters.env }", "prod"),
    ("${#toInt(parameters.replicas)}", 3),  # typed: a number, not "3"
    ("${parameters.env == 'prod'}", True),
    ("${ {1, 2} }", [1, 2]),
    ("${ {a: 1} }", {"a": 1}),
    ("${ 'a}b' }", "a}b"),
    ("${ {a: {b: 1}}['a'] }", {"b": 1}),
    ("group:artifact:${trigger['buildNumber']}", "group:artifact:100"),
    ("${trigger.parameters.env}-${trigger.parameters.region}", "prod-us-east-1"),
    ("  ${trigger.parameters.env}  ", "  prod  "),
    ("replicas=${#toInt(parameters.replicas) * 2}", "replicas=6"),
    ("list=${ {1, 2} }", "list=1,2"),
    ("map=${ {a: 1} }", "map={a=1}"),
    ("flag=${true}", "flag=true"),
    ("ratio=${1.0 / 4}", "ratio=0.25"),
    ("no expressions here", "no expressions here"),
    ("$ {not} and $(shell) and {braces}", "$ {not} and $(shell) and {braces}"),
    # escaping as Spinnaker users do it: an expression whose value is the literal text
    ('${"${ENV_VAR}"}', "${ENV_VAR}"),
    ("${'$'}{HOME}", "${HOME}"),
    ("echo ${'$'}{HOME} in ${trigger.parameters.env}", "echo ${HOME} in prod"),
    ("v${trigger.buildNumber}", "v100"),
]


@pytest.mark.parametrize(("text", "expected"), TEMPLATES, ids=[t[0] for t in TEMPLATES])
def test_template(evaluator: ExpressionEvaluator, text: str, expected: Any) -> None:
    assert evaluator.evaluate_template(text, make_context()) == expected
    result = evaluator.evaluate_object({"field": text}, make_context())
    assert result.value == {"field": expected}
    assert result.summary == {}


def test_evaluate_object_walks_maps_lists_and_keys(evaluator: ExpressionEvaluator) -> None:
    context = {
        "waitTime": "${#toInt(parameters.replicas) * 10}",
        "manifests": [
            {
                "kind": "Deployment",
                "metadata": {"name": "api-${parameters.env}", "labels": {"${parameters.env}-owner": "team"}},
                "spec": {"replicas": "${#toInt(parameters.replicas)}", "paused": "${false}"},
            }
        ],
        "untouched": {"n": 1, "f": 1.5, "b": True, "z": None, "s": "plain"},
    }
    result = evaluator.evaluate_object(context, make_context())
    assert result.summary == {}
    assert not result.failed
    assert result.value == {
        "waitTime": 30,
        "manifests": [
            {
                "kind": "Deployment",
                "metadata": {"name": "api-prod", "labels": {"prod-owner": "team"}},
                "spec": {"replicas": 3, "paused": False},
            }
        ],
        "untouched": {"n": 1, "f": 1.5, "b": True, "z": None, "s": "plain"},
    }
    # the input is never modified
    assert context["waitTime"] == "${#toInt(parameters.replicas) * 10}"


def _entries(result: EvaluationResult, key: str) -> list[dict[str, Any]]:
    assert key in result.summary, result.summary
    return result.summary[key]


def test_failure_keeps_raw_text_and_records_orca_summary(evaluator: ExpressionEvaluator) -> None:
    before = int(time.time() * 1000)
    result = evaluator.evaluate_object(
        {"notes": "${trigger.parameters.env.foo}", "other": "ok ${parameters.env}"}, make_context()
    )
    assert result.value == {"notes": "${trigger.parameters.env.foo}", "other": "ok prod"}
    assert result.failed
    (entry,) = _entries(result, "trigger.parameters.env.foo")
    assert set(entry) == {"description", "exceptionType", "level", "timestamp"}
    assert entry["level"] == "ERROR"
    assert entry["exceptionType"] == "org.springframework.expression.spel.SpelEvaluationException"
    assert entry["description"].startswith(
        "Failed to evaluate [notes] EL1008E: Property or field 'foo' cannot be found on object of type "
        "'java.lang.String' - maybe not public or not valid?"
    )
    assert "position 23" in entry["description"]
    assert before <= entry["timestamp"] <= int(time.time() * 1000)


def test_null_result_is_info_and_says_what_was_missing(evaluator: ExpressionEvaluator) -> None:
    result = evaluator.evaluate_object({"cluster": {"name": "${trigger.parameters.foo}"}}, make_context())
    assert result.value == {"cluster": {"name": "${trigger.parameters.foo}"}}
    assert not result.failed  # INFO only
    assert result.failure_count == 1
    (entry,) = _entries(result, "trigger.parameters.foo")
    assert entry["level"] == "INFO"
    assert entry["exceptionType"] is None
    assert entry["description"] == (
        "Failed to evaluate [cluster.name] : trigger.parameters.foo not found (key 'foo' is missing from "
        "'trigger.parameters', which has keys: env, replicas, deploy, region, tag)"
    )


def test_null_part_in_mixed_text_keeps_its_own_raw_text(evaluator: ExpressionEvaluator) -> None:
    result = evaluator.evaluate_object({"cmd": "echo ${HOME} for ${parameters.env}"}, make_context())
    assert result.value == {"cmd": "echo ${HOME} for prod"}
    (entry,) = _entries(result, "echo HOME for parameters.env")
    assert entry["level"] == "INFO"
    assert "key 'HOME' is missing from the root" in entry["description"]


def test_error_in_mixed_text_keeps_the_whole_string(evaluator: ExpressionEvaluator) -> None:
    result = evaluator.evaluate_object({"x": "a-${parameters.env}-${1/0}"}, make_context())
    assert result.value == {"x": "a-${parameters.env}-${1/0}"}
    (entry,) = _entries(result, "a-parameters.env-1/0")
    assert entry["level"] == "ERROR"
    assert entry["exceptionType"] == "java.lang.ArithmeticException"
    assert "/ by zero" in entry["description"]


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        (
            "${trigger.parameters",
            "{trigger.parameters",
            "No ending suffix '}' for expression starting at character 0",
        ),
        ("a ${} b", "a {} b", "No expression defined within delimiter '{}' at character 2"),
        ("${ ${x} }", "{x}", "EL1041E"),
        ("${ a) }", "a)", "Found closing ')' at position 4 without an opening '('"),
        ("${ (a] }", "(a]", "Found closing ']' at position 5 but most recent opening is '('"),
        ("${ 'open }", "'open", "non terminating string literal"),
    ],
)
def test_template_syntax_errors(evaluator: ExpressionEvaluator, text: str, key: str, fragment: str) -> None:
    result = evaluator.evaluate_object({"f": text}, make_context())
    assert result.value == {"f": text}
    entry = _entries(result, key)[0]
    assert entry["level"] == "ERROR"
    assert fragment in entry["description"], entry["description"]
    with pytest.raises(ExpressionError):
        evaluator.evaluate_template(text, make_context())


def test_summary_never_contains_an_expression(evaluator: ExpressionEvaluator) -> None:
    """Stored summaries are evaluated again with the context: they must hold no '${' (Orca strips '$')."""
    result = evaluator.evaluate_object(
        {"a": "${'$' + '{x}' + 1/0}", "b": "${#toJson('${y}')}"}, make_context()
    )
    for key, entries in result.summary.items():
        assert "${" not in key
        for entry in entries:
            assert "$" not in entry["description"]


def test_list_paths_in_descriptions(evaluator: ExpressionEvaluator) -> None:
    result = evaluator.evaluate_object({"stages": [{"x": 1}, {"name": "${1/0}"}]}, make_context())
    assert "Failed to evaluate [stages[1].name]" in result.summary["1/0"][0]["description"]


def test_same_failure_twice_is_recorded_once(evaluator: ExpressionEvaluator) -> None:
    result = evaluator.evaluate_object({"a": "${1/0}", "b": ["${1/0}"]}, make_context())
    assert len(result.summary["1/0"]) == 2  # two fields, two descriptions
    result = evaluator.evaluate_object({"a": "${nope}-${nope}"}, make_context())
    assert len(result.summary["nope-nope"]) == 1  # same description: one entry


def test_evaluate_expression_takes_bare_text(evaluator: ExpressionEvaluator) -> None:
    ctx = make_context()
    assert evaluator.evaluate_expression("parameters.env == 'prod'", ctx) is True
    assert evaluator.evaluate_expression("  trigger.parameters.missing  ", ctx) is None
    with pytest.raises(ExpressionError):
        evaluator.evaluate_expression("${parameters.env}", ctx)


def test_evaluate_template_null_single_expression_is_none(evaluator: ExpressionEvaluator) -> None:
    assert evaluator.evaluate_template("${trigger.nothing}", make_context()) is None
    assert evaluator.evaluate_template("x-${trigger.nothing}", make_context()) == "x-${trigger.nothing}"


def test_roots_may_be_any_mapping(evaluator: ExpressionEvaluator) -> None:
    from types import MappingProxyType

    from gennaker.expressions import EvaluationContext

    ctx = EvaluationContext(roots=MappingProxyType({"a": {"b": 2}}))
    assert evaluator.evaluate_expression("a.b + 1", ctx) == 3
    assert evaluator.evaluate_object("${a.b}", ctx).value == 2


def test_helpers_without_execution_fail_clearly(evaluator: ExpressionEvaluator) -> None:
    from gennaker.expressions import EvaluationContext

    ctx = EvaluationContext(roots={})
    with pytest.raises(ExpressionError, match="needs the pipeline execution"):
        evaluator.evaluate_expression("#stage('x')", ctx)
    with pytest.raises(ExpressionError, match="no current stage"):
        evaluator.evaluate_expression("#currentStage()", make_context(current=None))  # type: ignore[arg-type]
    with pytest.raises(ExpressionError, match="No stage found with id 'gone'"):
        evaluator.evaluate_expression("#currentStage()", make_context(current="gone"))


def test_spinnaker_doc_idioms_in_templates(evaluator: ExpressionEvaluator) -> None:
    ctx = make_context()
    assert evaluator.evaluate_template("${ #alphanumerical(trigger.tag) }", ctx) == "releasev123"
    assert evaluator.evaluate_template("${execution.stages.?[type == 'deployManifest'].![name]}", ctx) == [
        "Deploy",
        "Canary",
    ]
    assert evaluator.evaluate_template("${#judgment('Approve')}", ctx) == "Ship it"
    assert evaluator.evaluate_template("${trigger['parameters']['env'] == 'prod'}", ctx) is True


def test_concurrent_evaluations_share_the_caches(evaluator: ExpressionEvaluator) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def work(i: int) -> Any:
        ctx = make_context({"i": i})
        return evaluator.evaluate_object(
            {"v": "${i * 2}", "s": "n-${i}", "m": f"${{'x{i % 7}' matches 'x[0-9]'}}"}, ctx
        ).value

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(400)))
    assert results == [{"v": i * 2, "s": f"n-{i}", "m": True} for i in range(400)]
