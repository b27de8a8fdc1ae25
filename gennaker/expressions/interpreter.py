"""Compiles a parsed expression into a tree of Python closures and evaluates it with SpEL's semantics.

Compiling once (the evaluator caches the result per distinct expression) and then calling closures is
several times faster than walking the syntax tree on every evaluation. Each closure takes the
:class:`~gennaker.expressions.state.Env` and the active object (``#this``: the root at top level, the
element inside a selection or projection); chain steps also take the value they apply to.

Semantics reproduced from Spring SpEL as Spinnaker configures it:

- a property on a map is its key (a missing key is null, as with Orca's ``allowUnknownKeys``); on other
  values it is a getter (``x.empty`` = ``isEmpty()``); on null it fails (EL1007E) unless written ``?.``;
- ``map[name]`` with a bare name uses the name as the key; list indexes must be in range (EL1025E) and
  negative indexes are errors (SpEL has no negative indexing); ``'abc'[1]`` is ``'b'``;
- method arguments are evaluated against the current ``#this``, indexes against ``#root``;
- selection criteria must produce a boolean (EL1016E); on a map, selection returns a map and
  projection a list, each element being an entry with ``key`` and ``value``;
- ``?:`` (Elvis) replaces null and the empty string.

The sandbox lives here too: only values, explicit method tables and registered helpers are reachable;
every node counts toward the step budget (:meth:`Env.tick`, which also checks the deadline); string
concatenation and repetition are bounded. Nothing persisted.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from gennaker.expressions import nodes as n
from gennaker.expressions import regexes
from gennaker.expressions.errors import ExpressionError, LimitError, ParseError
from gennaker.expressions.helpers import HELPERS
from gennaker.expressions.javaobjects import JavaClass, MapEntry
from gennaker.expressions.javasem import (
    arithmetic,
    compare,
    is_number,
    java_type_name,
    negate,
    spel_equals,
    spel_to_string,
    to_boolean,
    to_int_index,
)
from gennaker.expressions.javatypes import find_type
from gennaker.expressions.methods import call_method, read_bean_property
from gennaker.expressions.state import Env

Compiled = Callable[[Env, Any], Any]  # (env, this) -> value
Step = Callable[[Env, Any, Any], Any]  # (env, this, target) -> value

MAX_AST_DEPTH = 150


def compile_expression(node: n.Node, source: str) -> Compiled:
    """Turn a syntax tree into a closure; ``source`` is the expression text (for messages)."""
    _check_depth(node)
    return _Compiler(source).compile(node)


def _check_depth(root: n.Node) -> None:
    stack: list[tuple[n.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_AST_DEPTH:
            raise ParseError(
                f"Expression is nested too deeply (more than {MAX_AST_DEPTH} levels)", position=node.start
            )
        for child in _children(node):
            stack.append((child, depth + 1))


def _children(node: n.Node) -> list[n.Node]:
    if isinstance(node, n.Chain):
        return [node.first, *node.steps]
    if isinstance(node, (n.Binary, n.Logical)):
        return [node.left, node.right]
    if isinstance(node, n.Unary):
        return [node.operand]
    if isinstance(node, n.Ternary):
        return [node.condition, node.if_true, node.if_false]
    if isinstance(node, n.Elvis):
        return [node.value, node.fallback]
    if isinstance(node, (n.MethodCall, n.FunctionCall, n.Constructor)):
        return list(node.args)
    if isinstance(node, n.InlineList):
        return list(node.items)
    if isinstance(node, n.InlineMap):
        return [x for pair in node.entries for x in pair]
    if isinstance(node, n.Indexer):
        return [node.index]
    if isinstance(node, n.Selection):
        return [node.criteria]
    if isinstance(node, n.Projection):
        return [node.expression]
    return []


def _located(error: ExpressionError, source: str, node: n.Node) -> ExpressionError:
    return error.located(source, node.start)


# ---------------------------------------------------------------- property, index, null handling


def _null_error(env: Env, detail: str, code: str, target_text: str) -> ExpressionError:
    why = env.why_null(target_text)
    if why:
        detail += f" ('{target_text}' is null: {why})"
    elif target_text:
        detail += f" ('{target_text}' is null)"
    return ExpressionError(detail, code=code)


_STAGE_FLAGS = {"hasSucceeded": "SUCCEEDED", "hasFailed": "TERMINAL"}


def read_property(
    env: Env, target: Any, name: str, *, null_safe: bool = False, target_text: str = "", span_text: str = ""
) -> Any:
    if isinstance(target, Mapping):
        if name in target:
            return target[name]
        if name in _STAGE_FLAGS and "status" in target and "context" in target:
            # StageExecution.getHasSucceeded()/getHasFailed(), for #stage('x').hasSucceeded
            return target["status"] == _STAGE_FLAGS[name]
        env.note_missing(span_text, target_text, name, target.keys())
        return None
    if target is None:
        if null_safe:
            return None
        raise _null_error(env, f"Property or field '{name}' cannot be found on null", "EL1007E", target_text)
    found, value = read_bean_property(env, target, name)
    if found:
        return value
    type_name = target.name if isinstance(target, JavaClass) else java_type_name(target)
    detail = (
        f"Property or field '{name}' cannot be found on object of type '{type_name}' - "
        "maybe not public or not valid?"
    )
    if isinstance(target, list):
        detail += f" (to take '{name}' of every element, project: .![{name}])"
    raise ExpressionError(detail, code="EL1008E")


def read_index(env: Env, target: Any, key: Any, target_text: str, span_text: str) -> Any:
    if type(target) is not list and isinstance(target, Mapping):
        if (key is None or isinstance(key, (str, int, float, bool))) and key in target:
            return target[key]
        env.note_missing(span_text, target_text, spel_to_string(key), target.keys())
        return None
    if target is None:
        raise _null_error(env, "Cannot index into a null value", "EL1012E", target_text)
    if isinstance(target, list):
        index = to_int_index(key, "a list index")
        if index >= len(target):
            raise ExpressionError(
                f"The collection has '{len(target)}' elements, index '{index}' is invalid", code="EL1025E"
            )
        if index < 0:
            raise ExpressionError(
                f"Index {index} out of bounds for length {len(target)} (negative indexes are not supported)",
                code="IndexOutOfBoundsException",
            )
        return target[index]
    if isinstance(target, str):
        index = to_int_index(key, "a string index")
        if not 0 <= index < len(target):
            raise ExpressionError(
                f"The string has '{len(target)}' characters, index '{index}' is invalid", code="EL1026E"
            )
        return target[index]
    if isinstance(key, str):
        return read_property(env, target, key, target_text=target_text, span_text=span_text)
    raise ExpressionError(f"Indexing into type '{java_type_name(target)}' is not supported", code="EL1027E")


def _function_not_found(name: str) -> ExpressionError:
    close = difflib.get_close_matches(name, list(HELPERS), n=1)
    detail = f"Function '{name}' could not be found"
    if close:
        detail += f" (did you mean #{close[0]}?)"
    return ExpressionError(detail, code="EL1006E")


# ---------------------------------------------------------------- the compiler


class _Compiler:
    def __init__(self, source: str) -> None:
        self.source = source

    def text(self, start: int, end: int) -> str:
        return self.source[start:end].strip()

    def compile(self, node: n.Node) -> Compiled:
        method = getattr(self, "c_" + type(node).__name__)
        compiled: Compiled = method(node)
        return compiled

    # -- literals and collections

    def c_Literal(self, node: n.Literal) -> Compiled:
        value = node.value
        return lambda env, this: value

    def c_InlineList(self, node: n.InlineList) -> Compiled:
        items = [self.compile(item) for item in node.items]

        def inline_list(env: Env, this: Any) -> Any:
            env.budget -= 1
            if env.budget <= 0:
                env.tick(0)
            return [item(env, this) for item in items]

        return inline_list

    def c_InlineMap(self, node: n.InlineMap) -> Compiled:
        entries = [(self.compile(k), self.compile(v)) for k, v in node.entries]

        def inline_map(env: Env, this: Any) -> Any:
            env.tick()
            result: dict[Any, Any] = {}
            for key, value in entries:
                k = key(env, this)
                if not (k is None or isinstance(k, (str, int, float, bool))):
                    k = spel_to_string(k)
                result[k] = value(env, this)
            return result

        return inline_map

    # -- references

    def c_PropertyRef(self, node: n.PropertyRef) -> Compiled:
        step = self.step_PropertyRef(node, "", self.text(node.start, node.end))
        name = node.name

        def root_prop(env: Env, this: Any) -> Any:
            if type(this) is dict:  # the hot path: a root name or a key of the selected element
                value = this.get(name, _MISSING)
                if value is not _MISSING:
                    env.budget -= 1
                    return value
            return step(env, this, this)

        return root_prop

    def step_PropertyRef(self, node: n.PropertyRef, target_text: str, span_text: str) -> Step:
        name, null_safe, source = node.name, node.null_safe, self.source

        def prop(env: Env, this: Any, target: Any) -> Any:
            env.budget -= 1
            if env.budget <= 0:
                env.tick(0)
            if type(target) is dict:  # the hot path: a key of a JSON object
                value = target.get(name, _MISSING)
                if value is not _MISSING:
                    return value
            try:
                return read_property(
                    env, target, name, null_safe=null_safe, target_text=target_text, span_text=span_text
                )
            except ExpressionError as exc:
                raise exc.located(source, node.start) from None

        return prop

    def c_MethodCall(self, node: n.MethodCall) -> Compiled:
        step = self.step_MethodCall(node, "", self.text(node.start, node.end))
        return lambda env, this: step(env, this, this)

    def step_MethodCall(self, node: n.MethodCall, target_text: str, span_text: str) -> Step:
        name, null_safe, source = node.name, node.null_safe, self.source
        args = [self.compile(a) for a in node.args]

        def method(env: Env, this: Any, target: Any) -> Any:
            env.budget -= 1
            if env.budget <= 0:
                env.tick(0)
            values = [a(env, this) for a in args]
            if target is None:
                if null_safe:
                    return None
                error = _null_error(
                    env,
                    f"Method call: Attempted to call method {name}() on null context object",
                    "EL1011E",
                    target_text,
                )
                raise error.located(source, node.start)
            try:
                return call_method(env, target, name, values)
            except ExpressionError as exc:
                raise exc.located(source, node.start) from None

        return method

    def c_Indexer(self, node: n.Indexer) -> Compiled:
        step = self.step_Indexer(node, "", self.text(node.start, node.end))
        return lambda env, this: step(env, this, this)

    def step_Indexer(self, node: n.Indexer, target_text: str, span_text: str) -> Step:
        source = self.source
        literal_key = node.index.name if isinstance(node.index, n.PropertyRef) else None
        index = self.compile(node.index)

        def indexer(env: Env, this: Any, target: Any) -> Any:
            env.budget -= 1
            if env.budget <= 0:
                env.tick(0)
            if literal_key is not None and isinstance(target, Mapping):
                key: Any = literal_key  # map[name]: the bare name is the key (SpEL)
            else:
                key = index(env, env.root)
            if type(target) is dict and type(key) is str:
                value = target.get(key, _MISSING)
                if value is not _MISSING:
                    return value
            try:
                return read_index(env, target, key, target_text, span_text)
            except ExpressionError as exc:
                raise exc.located(source, node.start) from None

        return indexer

    def c_Selection(self, node: n.Selection) -> Compiled:
        step = self.step_Selection(node, "", self.text(node.start, node.end))
        return lambda env, this: step(env, this, this)

    def step_Selection(self, node: n.Selection, target_text: str, span_text: str) -> Step:
        criteria = self.compile(node.criteria)
        kind, null_safe, source = node.kind, node.null_safe, self.source

        def check(env: Env, element: Any) -> bool:
            env.budget -= 1
            if env.budget <= 0:
                env.tick(0)
            result = criteria(env, element)
            if not isinstance(result, bool):
                raise ExpressionError(
                    f"Result of selection criteria is not boolean (it is {java_type_name(result)})",
                    code="EL1016E",
                ).located(source, node.criteria.start)
            return result

        def select(env: Env, this: Any, target: Any) -> Any:
            if isinstance(target, list):
                if kind == "first":
                    return next((e for e in target if check(env, e)), None)
                if kind == "last":
                    return next((e for e in reversed(target) if check(env, e)), None)
                return [e for e in target if check(env, e)]
            if isinstance(target, Mapping):
                matches = [(k, v) for k, v in target.items() if check(env, MapEntry(k, v))]
                if kind == "first":
                    return dict(matches[:1]) if matches else None
                if kind == "last":
                    return dict(matches[-1:]) if matches else None
                return dict(matches)
            if target is None and null_safe:
                return None
            detail = f"Cannot perform selection on input data of type '{java_type_name(target)}'"
            if target is None:
                raise _null_error(env, detail, "EL1015E", target_text).located(source, node.start)
            raise ExpressionError(detail, code="EL1015E").located(source, node.start)

        return select

    def c_Projection(self, node: n.Projection) -> Compiled:
        step = self.step_Projection(node, "", self.text(node.start, node.end))
        return lambda env, this: step(env, this, this)

    def step_Projection(self, node: n.Projection, target_text: str, span_text: str) -> Step:
        expression = self.compile(node.expression)
        null_safe, source = node.null_safe, self.source

        def project(env: Env, this: Any, target: Any) -> Any:
            if isinstance(target, list):
                env.tick(len(target))
                return [expression(env, e) for e in target]
            if isinstance(target, Mapping):
                env.tick(len(target))
                return [expression(env, MapEntry(k, v)) for k, v in target.items()]
            if target is None and null_safe:
                return None
            detail = f"Projection is not supported on the type '{java_type_name(target)}'"
            if target is None:
                raise _null_error(env, detail, "EL1019E", target_text).located(source, node.start)
            raise ExpressionError(detail, code="EL1019E").located(source, node.start)

        return project

    def c_Chain(self, node: n.Chain) -> Compiled:
        first = self.compile(node.first)
        steps: list[Step] = []
        previous_end = node.first.end
        for step_node in node.steps:
            target_text = self.text(node.start, previous_end)
            span_text = self.text(node.start, step_node.end)
            builder = getattr(self, "step_" + type(step_node).__name__)
            steps.append(builder(step_node, target_text, span_text))
            previous_end = step_node.end

        if len(steps) == 1:
            only = steps[0]
            return lambda env, this: only(env, this, first(env, this))

        def chain(env: Env, this: Any) -> Any:
            value = first(env, this)
            for step in steps:
                value = step(env, this, value)
            return value

        return chain

    def c_Variable(self, node: n.Variable) -> Compiled:
        name, source = node.name, self.source
        if name == "this":
            return lambda env, this: this
        if name == "root":
            return lambda env, this: env.root
        if name in HELPERS:
            raise ParseError(f"The function '#{name}' must be called: #{name}(...)", position=node.start)
        span = self.text(node.start, node.end)

        def variable(env: Env, this: Any) -> Any:
            env.note(
                span,
                f"variable '#{name}' is not defined (only #this, #root and #functions(...) exist; "
                f"root names such as trigger or execution are written without '#')",
            )
            return None

        del source
        return variable

    def c_FunctionCall(self, node: n.FunctionCall) -> Compiled:
        helper = HELPERS.get(node.name)
        if helper is None:
            raise _function_not_found(node.name).located(self.source, node.start)
        args = [self.compile(a) for a in node.args]
        source = self.source

        def function(env: Env, this: Any) -> Any:
            env.budget -= 1
            if env.budget <= 0:
                env.tick(0)
            values = [a(env, this) for a in args]
            try:
                return helper.call(env, values)
            except ExpressionError as exc:
                raise exc.located(source, node.start) from None

        return function

    def c_TypeRef(self, node: n.TypeRef) -> Compiled:
        try:
            cls = find_type(node.type_name)
        except ExpressionError as exc:
            raise _as_parse_error(exc, node) from None
        return lambda env, this: cls

    def c_Constructor(self, node: n.Constructor) -> Compiled:
        try:
            cls = find_type(node.type_name)
        except ExpressionError as exc:
            raise _as_parse_error(exc, node) from None
        args = [self.compile(a) for a in node.args]
        source = self.source

        def construct(env: Env, this: Any) -> Any:
            env.tick()
            values = [a(env, this) for a in args]
            impl = cls.constructors.get(len(values))
            if impl is None:
                raise ExpressionError(
                    f"Constructor call: No suitable constructor found on type {cls.name} for arguments "
                    f"({', '.join(java_type_name(v) for v in values)})",
                    code="EL1002E",
                ).located(source, node.start)
            try:
                return impl(env, cls, values)
            except ExpressionError as exc:
                raise exc.located(source, node.start) from None

        return construct

    # -- operators

    def c_Unary(self, node: n.Unary) -> Compiled:
        operand = self.compile(node.operand)
        op, source = node.op, self.source
        role = "the operand of '!'"

        def unary(env: Env, this: Any) -> Any:
            env.budget -= 1
            if env.budget <= 0:
                env.tick(0)
            value = operand(env, this)
            try:
                if op == "!":
                    return not to_boolean(value, role)
                if op == "-":
                    return negate(value)
                if is_number(value):
                    return value
                raise ExpressionError(
                    f"The operator 'ADD' is not supported on an operand of type '{java_type_name(value)}'",
                    code="EL1030E",
                )
            except ExpressionError as exc:
                raise exc.located(source, node.start) from None

        return unary

    def c_Binary(self, node: n.Binary) -> Compiled:
        left = self.compile(node.left)
        right = self.compile(node.right)
        op = node.op
        source = self.source
        compute = _BINARY[op]

        def binary(env: Env, this: Any) -> Any:
            env.budget -= 1
            if env.budget <= 0:
                env.tick(0)
            a = left(env, this)
            b = right(env, this)
            try:
                return compute(env, a, b)
            except ExpressionError as exc:
                raise exc.located(source, node.start) from None

        return binary

    def c_Logical(self, node: n.Logical) -> Compiled:
        left = self.compile(node.left)
        right = self.compile(node.right)
        is_and = node.op == "and"
        left_role = f"the left operand of '{node.op}'"
        right_role = f"the right operand of '{node.op}'"
        source = self.source

        def logical(env: Env, this: Any) -> Any:
            env.budget -= 1
            if env.budget <= 0:
                env.tick(0)
            try:
                first = to_boolean(left(env, this), left_role)
            except ExpressionError as exc:
                raise exc.located(source, node.left.start) from None
            if first != is_and:  # true or ..., false and ...
                return first
            try:
                return to_boolean(right(env, this), right_role)
            except ExpressionError as exc:
                raise exc.located(source, node.right.start) from None

        return logical

    def c_Ternary(self, node: n.Ternary) -> Compiled:
        condition = self.compile(node.condition)
        if_true = self.compile(node.if_true)
        if_false = self.compile(node.if_false)
        source = self.source

        def ternary(env: Env, this: Any) -> Any:
            env.budget -= 1
            if env.budget <= 0:
                env.tick(0)
            try:
                chosen = to_boolean(condition(env, this), "the condition of '?:'")
            except ExpressionError as exc:
                raise exc.located(source, node.condition.start) from None
            return if_true(env, this) if chosen else if_false(env, this)

        return ternary

    def c_Elvis(self, node: n.Elvis) -> Compiled:
        value = self.compile(node.value)
        fallback = self.compile(node.fallback)

        def elvis(env: Env, this: Any) -> Any:
            result = value(env, this)
            if result is None or result == "":
                return fallback(env, this)
            return result

        return elvis


_MISSING = object()


def _as_parse_error(exc: ExpressionError, node: n.Node) -> ExpressionError:
    exc.position = node.start
    return exc


# ---------------------------------------------------------------- binary operators


def _plus(env: Env, a: Any, b: Any) -> Any:
    if isinstance(a, str) or isinstance(b, str):
        if a is None and b is None:  # pragma: no cover - covered by the isinstance above
            raise ExpressionError("The operator 'ADD' is not supported between null and null", code="EL1030E")
        text = spel_to_string(a) + spel_to_string(b)
        limit = env.limits.max_concatenated_chars
        if len(text) > limit:
            raise LimitError(
                f"Concatenated string is too long, exceeding the threshold of '{limit:,}' characters",
                code="EL1078E",
            )
        return text
    return arithmetic("+", a, b)


def _times(env: Env, a: Any, b: Any) -> Any:
    if isinstance(a, str) and isinstance(b, int) and not isinstance(b, bool):
        limit = env.limits.max_repeated_chars
        if b < 0:
            raise ExpressionError(f"Cannot repeat a string a negative number of times ({b})")
        if len(a) * b > limit:
            raise LimitError(
                f"Repeated text is too long, exceeding the threshold of '{limit}' characters", code="EL1076E"
            )
        return a * b
    return arithmetic("*", a, b)


def _matches(env: Env, a: Any, b: Any) -> bool:
    if not isinstance(a, str):
        raise ExpressionError(
            f"First operand to matches operator must be a string. '{java_type_name(a)}' is not",
            code="EL1037E",
        )
    if not isinstance(b, str):
        raise ExpressionError(
            f"Second operand to matches operator must be a string. '{java_type_name(b)}' is not",
            code="EL1038E",
        )
    return regexes.full_match(b, a, env.regex_timeout())


def _between(env: Env, a: Any, b: Any) -> bool:
    if not isinstance(b, list) or len(b) != 2:
        raise ExpressionError(
            "Right operand for the 'between' operator has to be a two-element list", code="EL1017E"
        )
    return compare(a, b[0]) >= 0 and compare(a, b[1]) <= 0


def _instanceof(env: Env, a: Any, b: Any) -> bool:
    if not isinstance(b, JavaClass):
        raise ExpressionError(
            f"The operator 'instanceof' needs the right operand to be a class, not a '{java_type_name(b)}'",
            code="EL1028E",
        )
    return a is not None and b.instance_check is not None and bool(b.instance_check(a))


_BINARY: dict[str, Callable[[Env, Any, Any], Any]] = {
    "+": _plus,
    "-": lambda env, a, b: arithmetic("-", a, b),
    "*": _times,
    "/": lambda env, a, b: arithmetic("/", a, b),
    "%": lambda env, a, b: arithmetic("%", a, b),
    "^": lambda env, a, b: arithmetic("^", a, b),
    "==": lambda env, a, b: spel_equals(a, b),
    "!=": lambda env, a, b: not spel_equals(a, b),
    "<": lambda env, a, b: compare(a, b) < 0,
    ">": lambda env, a, b: compare(a, b) > 0,
    "<=": lambda env, a, b: compare(a, b) <= 0,
    ">=": lambda env, a, b: compare(a, b) >= 0,
    "matches": _matches,
    "between": _between,
    "instanceof": _instanceof,
}
