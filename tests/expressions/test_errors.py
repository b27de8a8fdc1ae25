"""Failures, table-driven: each bad expression raises ExpressionError with SpEL's code and a message that
says what failed and where."""

from __future__ import annotations

from typing import Any

import pytest

from gennaker.expressions import ExpressionError, ExpressionEvaluator

from .conftest import make_context

ERRORS: list[tuple[str, dict[str, Any], str | None, list[str]]] = [
    # ---- parsing
    ("1 +", {}, "EL1042E", ["nothing after '+'"]),
    ("foo bar", {}, "EL1041E", ["still more data", "'bar'", "position 4"]),
    ("'unterminated", {}, "EL1046E", ["terminating"]),
    ('"unterminated', {}, "EL1045E", ["terminating"]),
    ("(1 + 2", {}, "EL1044E", ["expected ')'"]),
    ("a.", {}, "EL1044E", ["after '.'"]),
    ("a = 1", {}, None, ["Assignment", "'=='"]),
    ("a++", {}, None, ["'++' is not supported"]),
    ("@bean", {}, None, ["Bean references"]),
    ("99999999999", {}, "EL1035E", ["cannot be parsed as an int"]),
    ("{1, 2", {}, None, ["'}'"]),
    ("#stage", {}, None, ["must be called", "#stage(...)"]),
    ("#nosuch('x')", {}, "EL1006E", ["Function 'nosuch' could not be found"]),
    ("#judgemnt('x')", {}, "EL1006E", ["did you mean #judgement?"]),
    ("new int[3]", {}, None, ["Array construction"]),
    ("", {}, "EL1044E", ["empty"]),
    # ---- null and missing data, with the reason
    (
        "trigger.parameters.foo.bar",
        {},
        "EL1007E",
        [
            "Property or field 'bar' cannot be found on null",
            "key 'foo' is missing from 'trigger.parameters'",
            "which has keys: env, replicas",
        ],
    ),
    (
        "trigger.nope.size()",
        {},
        "EL1011E",
        ["call method size() on null", "key 'nope' is missing from 'trigger'"],
    ),
    ("trigger.nope[0]", {}, "EL1012E", ["Cannot index into a null value", "'trigger.nope' is null"]),
    ("#trigger.parameters", {}, "EL1007E", ["variable '#trigger' is not defined", "without '#'"]),
    ("nothing.?[x]", {}, "EL1015E", ["Cannot perform selection", "'null'"]),
    ("nothing.![x]", {}, "EL1019E", ["Projection is not supported", "'null'"]),
    # ---- wrong types
    (
        "trigger.parameters.env.bar",
        {},
        "EL1008E",
        ["Property or field 'bar' cannot be found on object of type 'java.lang.String'"],
    ),
    ("'x'.class", {}, "EL1008E", ["'class'"]),
    (
        "parameters.replicas.toInt()",
        {},
        "EL1004E",
        ["toInt() cannot be found on type java.lang.String", "#toInt(value)"],
    ),
    ("'abc'.size()", {}, "EL1004E", ["length(), not size()"]),
    ("{1}.length()", {}, "EL1004E", ["size(), not length()"]),
    ("'abc'.substring(1, 2, 3)", {}, "EL1004E", ["substring takes 1 or 2 arguments, 3 given"]),
    (
        "parameters.replicas > 2",
        {},
        "EL1013E",
        ["Cannot compare instances of java.lang.String and java.lang.Integer", "#toInt(...)"],
    ),
    ("execution.stages.name", {}, "EL1008E", ["'java.util.ArrayList'", ".![name]"]),
    ("'a' - 1", {}, "EL1030E", ["'SUBTRACT'", "java.lang.String", "java.lang.Integer"]),
    ("{1} + {2}", {}, "EL1030E", ["'ADD'"]),
    ("1 and true", {}, "EL1001E", ["java.lang.Integer to boolean", "left operand of 'and'"]),
    ("'maybe' or true", {}, "EL1001E", ["invalid boolean value 'maybe'"]),
    ("null ? 1 : 2", {}, "EL1001E", ["null to boolean", "condition"]),
    ("{1, 2}.?[#this]", {}, "EL1016E", ["not boolean"]),
    ("1 matches '1'", {}, "EL1037E", ["First operand"]),
    ("'1' matches 1", {}, "EL1038E", ["Second operand"]),
    ("'x' matches '(unclosed'", {}, "EL1018E", ["Pattern is not valid"]),
    ("1 between 2", {}, "EL1017E", ["two-element list"]),
    ("1 instanceof 2", {}, "EL1028E", ["needs the right operand to be a class"]),
    ("(5)[0]", {}, "EL1027E", ["Indexing into type 'java.lang.Integer'"]),
    # ---- bounds (Java's messages)
    ("execution.stages[10]", {}, "EL1025E", ["The collection has '5' elements, index '10' is invalid"]),
    ("execution.stages[-1]", {}, "IndexOutOfBoundsException", ["Index -1 out of bounds for length 5"]),
    ("'abc'[5]", {}, "EL1026E", ["The string has '3' characters, index '5' is invalid"]),
    ("'hello'.substring(2, 10)", {}, "StringIndexOutOfBoundsException", ["begin 2, end 10, length 5"]),
    ("'hello'.substring(3, 1)", {}, "StringIndexOutOfBoundsException", ["begin 3, end 1, length 5"]),
    ("'abc'.charAt(3)", {}, "StringIndexOutOfBoundsException", ["Index 3 out of bounds for length 3"]),
    ("{1, 2}.get(2)", {}, "IndexOutOfBoundsException", ["Index 2 out of bounds for length 2"]),
    ("{1, 2}.subList(1, 5)", {}, "IndexOutOfBoundsException", ["toIndex = 5"]),
    ("1 / 0", {}, "ArithmeticException", ["/ by zero"]),
    ("5 % 0", {}, "ArithmeticException", ["/ by zero"]),
    # ---- read-only data
    ("execution.stages.add('x')", {}, "EL1004E", ["would change the pipeline data", "read-only"]),
    ("trigger.parameters.put('a', 'b')", {}, "EL1004E", ["read-only"]),
    ("trigger.parameters.clear()", {}, "EL1004E", ["read-only"]),
    # ---- helpers that cannot find their target (Orca's messages)
    (
        "#stage('Nope')",
        {},
        None,
        ["Unable to locate [Nope] using #stage(Nope) in execution 01HEXECUTION0000000000000"],
    ),
    ("#stageByRefId('99')", {}, None, ["Unable to locate [99] using #stageByRefId(99)"]),
    ("#stageByRefId(null)", {}, None, ["Stage refId must not be null"]),
    ("#judgment('Deploy')", {}, None, ["Unable to locate manual Judgment stage [Deploy]", "judgmentInput"]),
    ("#judgment('Nope')", {}, None, ["Unable to locate manual Judgment stage [Nope]"]),
    (
        "#triggerResolvedArtifact('nope')",
        {},
        None,
        ["Unable to locate resolved artifact nope in trigger execution"],
    ),
    (
        "#triggerResolvedArtifactByType('http/file')",
        {},
        None,
        ["Unable to locate resolved artifact http/file"],
    ),
    ("#manifestLabelValue('Deploy', 'Service', 'app')", {}, "EL1023E", ["Only Deployments and ReplicaSets"]),
    (
        "#manifestLabelValue('Canary', 'Deployment', 'app')",
        {},
        None,
        ["A valid Deploy Manifest stage name is required"],
    ),
    ("#manifestLabelValue('Deploy', 'ReplicaSet', 'app')", {}, None, ["No manifest of kind ReplicaSet"]),
    ("#manifestLabelValue('Deploy', 'Deployment', 'nope')", {}, None, ["No label of specified key"]),
    ("#toInt('abc')", {}, "EL1023E", ["function 'toInt'", 'For input string: "abc"']),
    ("#toInt('3000000000')", {}, "EL1023E", ['For input string: "3000000000"']),
    ("#toInt('1.5')", {}, "EL1023E", ['For input string: "1.5"']),
    ("#toInt(' 1')", {}, "EL1023E", ['For input string: " 1"']),
    ("#toInt(null)", {}, "EL1023E", ["Cannot parse null string"]),
    ("#toFloat('x1')", {}, "EL1023E", ['For input string: "x1"']),
    (
        "#toInt('1', '2')",
        {},
        "EL1014E",
        ["Incorrect number of arguments for function '#toInt': 2 supplied but function takes 1"],
    ),
    ("#fromBase64('a b')", {}, "EL1023E", ["Illegal base64 character 20"]),
    ("#alphanumerical(null)", {}, "EL1023E", ["argument is null"]),
    ("#readJson('{bad')", {}, None, ["#readJson({bad) failed"]),
    ("#readJson('\"text\"')", {}, None, ["is not a JSON object"]),
    ("#readYaml('a: [')", {}, None, ["#readYaml(a: [) failed", "invalid YAML"]),
    ("#toJson('${x}')", {}, None, ["result for toJson cannot contain an expression"]),
    # ---- types outside the allow-list
    (
        "T(java.lang.Runtime).getRuntime()",
        {},
        "EL1005E",
        ["Type cannot be found 'java.lang.Runtime'", "java.lang.Math"],
    ),
    ("T(System).exit(0)", {}, "EL1005E", ["'System'"]),
    ("new java.io.File('/etc/passwd')", {}, "EL1005E", ["'java.io.File'"]),
    ("new java.lang.ProcessBuilder('ls')", {}, "EL1005E", ["ProcessBuilder"]),
    ("T(Math).nosuch()", {}, "EL1004E", ["nosuch() cannot be found on type java.lang.Math"]),
    ("T(Math).NOPE", {}, "EL1008E", ["'NOPE'"]),
    ("new java.lang.Math()", {}, "EL1002E", ["No suitable constructor"]),
    ("T(String).getClass().forName('java.lang.Runtime')", {}, "EL1004E", ["getClass()"]),
]


@pytest.mark.parametrize(
    ("expression", "roots", "code", "fragments"), ERRORS, ids=[e[0][:60] for e in ERRORS]
)
def test_error(
    evaluator: ExpressionEvaluator,
    expression: str,
    roots: dict[str, Any],
    code: str | None,
    fragments: list[str],
) -> None:
    with pytest.raises(ExpressionError) as raised:
        evaluator.evaluate_expression(expression, make_context(roots))
    error = raised.value
    message = str(error)
    if code is not None:
        assert error.code == code, message
        assert message.startswith(code)
    for fragment in fragments:
        assert fragment in message, message
    if expression:
        assert "position" in message, message


def test_error_position_points_at_the_failing_step(evaluator: ExpressionEvaluator) -> None:
    with pytest.raises(ExpressionError) as raised:
        evaluator.evaluate_expression("trigger.parameters.env.bar", make_context())
    assert raised.value.position == len("trigger.parameters.env.")
    assert raised.value.expression == "trigger.parameters.env.bar"


def test_parse_errors_are_cached_and_raised_again(evaluator: ExpressionEvaluator) -> None:
    for _ in range(2):
        with pytest.raises(ExpressionError, match="EL1041E"):
            evaluator.evaluate_expression("a b", make_context())
