"""Adversarial expressions: an expression must reach nothing but the data it is given, and must stop
within its step, time, size and depth bounds with a clear error (never hang, never crash the caller)."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest

from gennaker.expressions import EvaluationContext, ExpressionError, ExpressionEvaluator

from .conftest import EXECUTION, make_context

ESCAPES: list[tuple[str, str]] = [
    ("'x'.__class__", "EL1008E"),
    ("''.__class__.__mro__[1].__subclasses__()", "EL1008E"),
    ("'x'.__len__()", "EL1004E"),
    ("'x'.__getattribute__('upper')", "EL1004E"),
    ("#this.__class__.__init__.__globals__", "EL1007E"),  # a map: '__class__' is just a missing key
    ("#root.getClass()", "EL1004E"),
    ("'a'.getClass().forName('java.lang.Runtime')", "EL1004E"),
    ("'a'.class.forName('java.lang.Runtime')", "EL1008E"),
    ("__import__('os').system('id')", "EL1004E"),
    ("open('/etc/passwd').read()", "EL1004E"),
    ("eval('1+1')", "EL1004E"),
    ("exec('import os')", "EL1004E"),
    ("T(os).system('id')", "EL1005E"),
    ("T(__builtins__)", "EL1005E"),
    ("T(java.lang.Runtime).getRuntime().exec('id')", "EL1005E"),
    ("T(java.lang.System).getenv()", "EL1005E"),
    ("T(java.lang.Class).forName('java.lang.Runtime')", "EL1005E"),
    ("T(java.lang.Thread).sleep(100000)", "EL1005E"),
    ("new java.lang.ProcessBuilder({'id'}).start()", "EL1005E"),
    ("new java.io.FileReader('/etc/passwd')", "EL1005E"),
    ("new java.net.URL('http://127.0.0.1/').openStream()", "EL1005E"),
    ("new java.util.Scanner('x')", "EL1005E"),
    ("T(Math).__class__", "EL1008E"),
    ("T(Math).statics", "EL1008E"),
    ("T(Math).fields", "EL1008E"),
    ("T(java.util.Random).constructors", "EL1008E"),
    ("new java.util.Random().__dict__", "EL1008E"),
    ("new java.util.Random()._seed", "EL1008E"),
    ("new java.util.Random().next_bits(3)", "EL1004E"),
    ("T(java.util.UUID).randomUUID().value.bytes", "EL1008E"),
    ("new java.util.Date().utc()", "EL1004E"),
    ("{1}.__iter__()", "EL1004E"),
    ("{a: 1}.pop('a')", "EL1004E"),
    ("{a: 1}.update({b: 2})", "EL1004E"),
    ("#toJson.__globals__", ""),
    ("#toInt.fn", ""),
    ("@systemProperties['user.home']", ""),
    ("&factoryBean", ""),
]


@pytest.mark.parametrize(("expression", "code"), ESCAPES, ids=[e[0] for e in ESCAPES])
def test_no_escape_to_python_or_java_internals(
    evaluator: ExpressionEvaluator, expression: str, code: str
) -> None:
    with pytest.raises(ExpressionError) as raised:
        evaluator.evaluate_expression(expression, make_context())
    if code:
        assert raised.value.code == code, str(raised.value)


def test_missing_dunder_keys_are_just_missing(evaluator: ExpressionEvaluator) -> None:
    ctx = make_context()
    assert evaluator.evaluate_expression("trigger.__class__", ctx) is None
    assert evaluator.evaluate_expression("#root['__builtins__']", ctx) is None
    assert evaluator.evaluate_expression("execution['__dict__']", ctx) is None


def test_expressions_cannot_change_the_data(evaluator: ExpressionEvaluator) -> None:
    ctx = make_context()
    before = copy.deepcopy(dict(ctx.roots))
    for expression in (
        "execution.stages.add('x')",
        "execution.stages.remove(0)",
        "trigger.parameters.put('env', 'dev')",
        "trigger.parameters.clear()",
        "execution.stages.set(0, null)",
        "trigger.parameters['env'] = 'dev'",
        "trigger.parameters.env = 'dev'",
    ):
        with pytest.raises(ExpressionError):
            evaluator.evaluate_expression(expression, ctx)
    selected = evaluator.evaluate_expression("execution.stages.?[true]", ctx)
    selected[0]["name"] = "mutated"
    projected = evaluator.evaluate_expression("execution.stages.![context]", ctx)
    projected[1]["account"] = "mutated"
    assert dict(ctx.roots) == before


LIMITS: list[tuple[str, str]] = [
    ("'x' * 1000", "EL1076E"),
    ("'x'.repeat(100000000)", "repeat result too long"),
    ("'abc'.replace('', 'x'.repeat(1000000))", "too long"),
    ("T(String).format('%1000000000s', 'x')", "width too large"),
    ("#toJson(#readJson('[' + '1,'.repeat(49999) + '1]').![{#this, #this, #this, #this}])", ""),
]


@pytest.mark.parametrize(("expression", "fragment"), LIMITS, ids=[e[0][:50] for e in LIMITS])
def test_size_limits(evaluator: ExpressionEvaluator, expression: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as raised:
        evaluator.evaluate_expression(expression, make_context())
    assert fragment in str(raised.value)


def test_concatenation_is_bounded() -> None:
    evaluator = ExpressionEvaluator()
    text = "a" * 60_000
    ctx = EvaluationContext(roots={"t": text})
    with pytest.raises(ExpressionError, match="EL1078E: Concatenated string is too long"):
        evaluator.evaluate_expression("t + t", ctx)
    assert len(evaluator.evaluate_expression("t + 'x'", ctx)) == 60_001


def test_result_size_is_bounded() -> None:
    evaluator = ExpressionEvaluator(max_result_bytes=10_000)
    ctx = EvaluationContext(roots={"items": list(range(5000))})
    with pytest.raises(ExpressionError, match="JSON result too long"):
        evaluator.evaluate_expression("#toJson(items)", ctx)
    with pytest.raises(ExpressionError, match="too long"):
        evaluator.evaluate_expression("items.toString()", ctx)


@pytest.mark.parametrize(
    "expression",
    [
        "(" * 200 + "1" + ")" * 200,
        "!" * 500 + "true",
        "- " * 500 + "1",
        "{" * 200 + "1" + "}" * 200,
        " + ".join(["1"] * 400),
        " and ".join(["true"] * 400),
        "x" + "".join(".![#this" for _ in range(100)) + "]" * 100,
    ],
    ids=["parens", "nots", "minuses", "braces", "long-sum", "long-and", "nested-projections"],
)
def test_deep_nesting_is_refused_cleanly(evaluator: ExpressionEvaluator, expression: str) -> None:
    with pytest.raises(ExpressionError, match="nested too deeply"):
        evaluator.evaluate_expression(expression, EvaluationContext(roots={"x": [1]}))


def test_long_flat_chains_still_work(evaluator: ExpressionEvaluator) -> None:
    ctx = EvaluationContext(roots={"a": {"a": {"a": {"a": 1}}}})
    assert evaluator.evaluate_expression(" + ".join(["1"] * 100), ctx) == 100
    assert evaluator.evaluate_expression("a" + ".a" * 3, ctx) == 1


def test_expression_length_is_bounded(evaluator: ExpressionEvaluator) -> None:
    with pytest.raises(ExpressionError, match="EL1079E"):
        evaluator.evaluate_expression("'" + "x" * 20_000 + "'", make_context())


def test_step_budget_stops_runaway_work() -> None:
    evaluator = ExpressionEvaluator(max_steps=50_000, timeout_s=30)
    hundred = "{" + ",".join(str(i) for i in range(100)) + "}"
    expression = f"{hundred}.![{hundred}.![{hundred}.![#this]]]"
    with pytest.raises(ExpressionError, match="more than 50000 evaluation steps"):
        evaluator.evaluate_expression(expression, EvaluationContext(roots={}))


def test_deadline_stops_slow_work() -> None:
    evaluator = ExpressionEvaluator(max_steps=10**12, timeout_s=0.2)
    hundred = "{" + ",".join(str(i) for i in range(100)) + "}"
    expression = f"{hundred}.![{hundred}.![{hundred}.![{hundred}.![#this]]]]"
    started = time.monotonic()
    with pytest.raises(ExpressionError, match=r"ran longer than 0.2s"):
        evaluator.evaluate_expression(expression, EvaluationContext(roots={}))
    assert time.monotonic() - started < 10


REDOS: list[str] = [
    "text matches '(a|aa)+$'",
    "text.matches('(a|aa)+$')",
    "text.replaceAll('(a|aa)+$', 'x')",
    "text.split('(a|aa)+$')",
]


@pytest.mark.parametrize("expression", REDOS)
def test_catastrophic_regex_is_stopped(evaluator: ExpressionEvaluator, expression: str) -> None:
    ctx = EvaluationContext(roots={"text": "a" * 64 + "!"})
    started = time.monotonic()
    with pytest.raises(ExpressionError, match="EL1072E"):
        evaluator.evaluate_expression(expression, ctx)
    assert time.monotonic() - started < 10


def test_regex_length_is_bounded(evaluator: ExpressionEvaluator) -> None:
    with pytest.raises(ExpressionError, match="EL1077E"):
        evaluator.evaluate_expression("'a' matches '" + "a?" * 600 + "'", make_context())


def test_yaml_alias_bomb_is_refused(evaluator: ExpressionEvaluator) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    previous = "a"
    for level in "bcdefgh":
        bomb += f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]\n"
        previous = level
    ctx = EvaluationContext(roots={"bomb": bomb})
    with pytest.raises(ExpressionError, match="Value too large"):
        evaluator.evaluate_expression("#readYaml(bomb)", ctx)


def test_deep_json_is_refused(evaluator: ExpressionEvaluator) -> None:
    ctx = EvaluationContext(roots={"deep": "[" * 100_000 + "]" * 100_000})
    with pytest.raises(ExpressionError, match="nested too deeply"):
        evaluator.evaluate_expression("#readJson(deep)", ctx)


def test_big_numbers_are_bounded(evaluator: ExpressionEvaluator) -> None:
    ctx = EvaluationContext(roots={"big": 10**40})
    assert evaluator.evaluate_expression("2L ^ 1000", ctx) == 2**63 - 1  # Java's (long) saturation
    assert evaluator.evaluate_expression("big * 10", ctx) == 10**41  # BigInteger arithmetic
    with pytest.raises(ExpressionError, match="number too large"):
        evaluator.evaluate_expression("big ^ 100000", ctx)


def test_deep_input_data_is_reported_not_raised(evaluator: ExpressionEvaluator) -> None:
    value: Any = "${1}"
    for _ in range(400):
        value = {"x": value}
    result = evaluator.evaluate_object(value, make_context())
    assert result.failed
    (entries,) = result.summary.values()
    assert "nested deeper than 200 levels" in entries[0]["description"]


def test_evaluate_object_never_raises_on_odd_input(evaluator: ExpressionEvaluator) -> None:
    odd = {1: "${1 + 1}", "t": ("${2}",), "o": object(), "b": b"bytes", "n": None}
    result = evaluator.evaluate_object(odd, make_context())
    assert result.value[1] == 2
    assert result.value["n"] is None


def test_execution_is_left_intact(evaluator: ExpressionEvaluator) -> None:
    ctx = make_context()
    assert ctx.execution == EXECUTION
    evaluator.evaluate_object({"a": "${#stage('Deploy')}", "b": "${execution}"}, ctx)
    assert ctx.execution == EXECUTION
