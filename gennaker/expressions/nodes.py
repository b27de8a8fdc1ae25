"""The syntax tree of a parsed expression (produced by the parser, compiled by the interpreter).

Every node keeps ``start``/``end``: its span in the expression text, used to say where something failed
and to name the sub-expression that was null or missing. Nodes are immutable after parsing and shared
between evaluations through the compile cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Node:
    start: int
    end: int


@dataclass(slots=True)
class Literal(Node):
    value: Any


@dataclass(slots=True)
class InlineList(Node):
    items: list[Node]


@dataclass(slots=True)
class InlineMap(Node):
    # key: a constant (identifier or literal key) or an expression to evaluate
    entries: list[tuple[Node, Node]]


@dataclass(slots=True)
class PropertyRef(Node):
    """``name`` read from the active object (start of a chain) or from the previous value (``.name``)."""

    name: str
    null_safe: bool = False


@dataclass(slots=True)
class MethodCall(Node):
    name: str
    args: list[Node]
    null_safe: bool = False


@dataclass(slots=True)
class Indexer(Node):
    index: Node
    null_safe: bool = False


@dataclass(slots=True)
class Selection(Node):
    kind: str  # "all" (.?[]), "first" (.^[]), "last" (.$[])
    criteria: Node
    null_safe: bool = False


@dataclass(slots=True)
class Projection(Node):
    expression: Node
    null_safe: bool = False


@dataclass(slots=True)
class Variable(Node):
    """``#this``, ``#root`` or another ``#name`` (undefined variables are null, as in SpEL)."""

    name: str


@dataclass(slots=True)
class FunctionCall(Node):
    """``#name(args)``: a registered helper function."""

    name: str
    args: list[Node]


@dataclass(slots=True)
class TypeRef(Node):
    """``T(java.lang.Math)``."""

    type_name: str


@dataclass(slots=True)
class Constructor(Node):
    """``new java.util.Date()``."""

    type_name: str
    args: list[Node]


@dataclass(slots=True)
class Chain(Node):
    """``first`` evaluated against the active object, then each step against the previous value."""

    first: Node
    steps: list[Node] = field(default_factory=list)


@dataclass(slots=True)
class Unary(Node):
    op: str  # "!", "-", "+"
    operand: Node


@dataclass(slots=True)
class Binary(Node):
    op: str  # + - * / % ^ == != < > <= >= matches between instanceof
    left: Node
    right: Node


@dataclass(slots=True)
class Logical(Node):
    op: str  # "and" | "or"
    left: Node
    right: Node


@dataclass(slots=True)
class Ternary(Node):
    condition: Node
    if_true: Node
    if_false: Node


@dataclass(slots=True)
class Elvis(Node):
    value: Node
    fallback: Node
