"""Recursive-descent parser for the SpEL subset, following Spring's ``InternalSpelExpressionParser``.

Grammar (lowest precedence first; ``relational`` is not chainable, as in SpEL)::

    expression   := or ( '?:' expression | '?' expression ':' expression )?
    or           := and ( ('or' | '||') and )*
    and          := relational ( ('and' | '&&') relational )*
    relational   := sum ( ('==' '!=' '<' '>' '<=' '>=' eq ne lt gt le ge
                           'matches' 'between' 'instanceof') sum )?
    sum          := product ( ('+' | '-') product )*
    product      := power ( ('*' | '/' | '%' | div | mod) power )*
    power        := unary ( '^' unary )?
    unary        := ('!' | not | '-' | '+') unary | primary
    primary      := start ( ('.' | '?.') dotted | '[' expression ']' )*
    start        := literal | '(' expression ')' | T(type) | null | new type(args) | ident | ident(args)
                  | '#' ident | '#' ident(args) | '{' list-or-map '}' | '[' expression ']'
                  | '?[' ... ']' | '^[' ... ']' | '$[' ... ']' | '![' ... ']'
    dotted       := ident | ident(args) | '?[' ']' | '^[' ']' | '$[' ']' | '![' ']'

Assignment (``=``), ``++``/``--`` and bean references (``@x``) are rejected with an explicit error: an
expression only reads. Nesting depth is bounded (:data:`MAX_DEPTH`) so hostile input cannot exhaust the
Python stack. Errors are :class:`ParseError` with SpEL's codes and the position of the offending token.
"""

from __future__ import annotations

from gennaker.expressions import nodes as n
from gennaker.expressions.errors import ParseError
from gennaker.expressions.javasem import JLong
from gennaker.expressions.lexer import Token, tokenize

MAX_DEPTH = 64
MAX_EXPRESSION_LENGTH = 10_000

_RELATIONAL = {"EQ": "==", "NE": "!=", "LT": "<", "GT": ">", "LE": "<=", "GE": ">="}
_RELATIONAL_WORDS = {"matches", "between", "instanceof"}


def parse(text: str) -> n.Node:
    """Parse one bare expression (no ``${}``)."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ParseError(
            f"SpEL expression is too long, exceeding the threshold of '{MAX_EXPRESSION_LENGTH}' characters",
            code="EL1079E",
        )
    parser = _Parser(text, tokenize(text))
    if not parser.tokens:
        raise ParseError("The expression is empty", code="EL1044E", position=0)
    node = parser.expression()
    if parser.pos < len(parser.tokens):
        tok = parser.tokens[parser.pos]
        raise ParseError(
            "After parsing a valid expression, there is still more data in the expression: "
            f"'{tok.describe()}'",
            code="EL1041E",
            position=tok.start,
        )
    return node


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    # ------------------------------------------------------------ token helpers

    def peek(self, offset: int = 0) -> Token | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def peek_kind(self, kind: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == kind

    def peek_word(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "IDENTIFIER" and tok.value.lower() == word

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise ParseError("Unexpectedly ran out of input", code="EL1044E", position=len(self.text))
        self.pos += 1
        return tok

    def expect(self, kind: str, what: str) -> Token:
        tok = self.peek()
        if tok is None:
            raise ParseError(
                f"Unexpectedly ran out of input: expected '{what}'", code="EL1044E", position=len(self.text)
            )
        if tok.kind != kind:
            raise ParseError(
                f"Unexpected token. Expected '{what}' but was '{tok.describe()}'",
                code="EL1043E",
                position=tok.start,
            )
        self.pos += 1
        return tok

    def end_of_prev(self) -> int:
        return self.tokens[self.pos - 1].end if self.pos else 0

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            tok = self.peek()
            raise ParseError(
                f"Expression is nested too deeply (more than {MAX_DEPTH} levels)",
                position=tok.start if tok else len(self.text),
            )

    # ------------------------------------------------------------ grammar

    def expression(self) -> n.Node:
        self._enter()
        try:
            left = self.or_expr()
            tok = self.peek()
            if tok is None:
                return left
            if tok.kind == "ASSIGN":
                raise ParseError(
                    "Assignment ('=') is not supported: expressions only read values (use '==' to compare)",
                    position=tok.start,
                )
            if tok.kind == "ELVIS":
                self.next()
                fallback = self.expression()
                return n.Elvis(left.start, fallback.end, left, fallback)
            if tok.kind == "QMARK":
                self.next()
                if_true = self.expression()
                self.expect("COLON", ":")
                if_false = self.expression()
                return n.Ternary(left.start, if_false.end, left, if_true, if_false)
            return left
        finally:
            self.depth -= 1

    def or_expr(self) -> n.Node:
        left = self.and_expr()
        while self.peek_kind("OR"):
            self.next()
            right = self.operand(self.and_expr, "or")
            left = n.Logical(left.start, right.end, "or", left, right)
        return left

    def and_expr(self) -> n.Node:
        left = self.relational()
        while self.peek_kind("AND"):
            self.next()
            right = self.operand(self.relational, "and")
            left = n.Logical(left.start, right.end, "and", left, right)
        return left

    def operand(self, rule: type | object, op: str) -> n.Node:
        if self.peek() is None:
            raise ParseError(
                f"Problem parsing right operand: nothing after '{op}'",
                code="EL1042E",
                position=len(self.text),
            )
        return rule()  # type: ignore[operator]

    def relational(self) -> n.Node:
        left = self.sum_expr()
        tok = self.peek()
        if tok is None:
            return left
        op: str | None = _RELATIONAL.get(tok.kind)
        if op is None and tok.kind == "IDENTIFIER" and tok.value.lower() in _RELATIONAL_WORDS:
            op = tok.value.lower()
        if op is None:
            return left
        self.next()
        right = self.operand(self.sum_expr, op)
        return n.Binary(left.start, right.end, op, left, right)

    def sum_expr(self) -> n.Node:
        left = self.product()
        while True:
            tok = self.peek()
            if tok is None or tok.kind not in ("PLUS", "MINUS"):
                return left
            self.next()
            right = self.operand(self.product, tok.value)
            left = n.Binary(left.start, right.end, "+" if tok.kind == "PLUS" else "-", left, right)

    def product(self) -> n.Node:
        left = self.power()
        while True:
            tok = self.peek()
            if tok is None or tok.kind not in ("STAR", "DIV", "MOD"):
                return left
            self.next()
            op = {"STAR": "*", "DIV": "/", "MOD": "%"}[tok.kind]
            right = self.operand(self.power, tok.value)
            left = n.Binary(left.start, right.end, op, left, right)

    def power(self) -> n.Node:
        left = self.unary()
        tok = self.peek()
        if tok is not None and tok.kind == "POWER":
            self.next()
            right = self.operand(self.unary, "^")
            left = n.Binary(left.start, right.end, "^", left, right)
            tok = self.peek()
        if tok is not None and tok.kind in ("INC", "DEC"):
            raise ParseError(
                f"'{tok.value}' is not supported: expressions only read values", position=tok.start
            )
        return left

    def unary(self) -> n.Node:
        tok = self.peek()
        if tok is not None and tok.kind in ("NOT", "MINUS", "PLUS"):
            self.next()
            self._enter()
            try:
                operand = self.operand(self.unary, tok.value)
            finally:
                self.depth -= 1
            op = "!" if tok.kind == "NOT" else tok.value
            return n.Unary(tok.start, operand.end, op, operand)
        if tok is not None and tok.kind in ("INC", "DEC"):
            raise ParseError(
                f"'{tok.value}' is not supported: expressions only read values", position=tok.start
            )
        return self.primary()

    def primary(self) -> n.Node:
        first = self.start_node()
        steps: list[n.Node] = []
        while True:
            tok = self.peek()
            if tok is None:
                break
            if tok.kind in ("DOT", "SAFE_NAVI"):
                self.next()
                steps.append(self.dotted(tok, null_safe=tok.kind == "SAFE_NAVI"))
            elif tok.kind == "LSQUARE":
                steps.append(self.indexer(null_safe=False))
            else:
                break
        if not steps:
            return first
        return n.Chain(first.start, steps[-1].end, first, steps)

    def dotted(self, dot: Token, null_safe: bool) -> n.Node:
        tok = self.peek()
        if tok is None:
            raise ParseError("Unexpectedly ran out of input after '.'", code="EL1044E", position=dot.end)
        if tok.kind == "IDENTIFIER":
            return self.method_or_property(null_safe)
        if tok.kind in ("SELECT", "SELECT_FIRST", "SELECT_LAST", "PROJECT"):
            return self.select_or_project(null_safe)
        if tok.kind == "HASH":
            raise ParseError("A '#function' cannot follow '.'", code="EL1049E", position=tok.start)
        raise ParseError(f"Unexpected data after '.': '{tok.describe()}'", code="EL1049E", position=tok.start)

    def method_or_property(self, null_safe: bool) -> n.Node:
        name_tok = self.next()
        if self.peek_kind("LPAREN"):
            args = self.arguments()
            return n.MethodCall(name_tok.start, self.end_of_prev(), name_tok.value, args, null_safe)
        return n.PropertyRef(name_tok.start, name_tok.end, name_tok.value, null_safe)

    def arguments(self) -> list[n.Node]:
        self.expect("LPAREN", "(")
        args: list[n.Node] = []
        if self.peek_kind("RPAREN"):
            self.next()
            return args
        while True:
            args.append(self.expression())
            tok = self.peek()
            if tok is not None and tok.kind == "COMMA":
                self.next()
                continue
            self.expect("RPAREN", ")")
            return args

    def indexer(self, null_safe: bool) -> n.Node:
        open_tok = self.expect("LSQUARE", "[")
        index = self.expression()
        self.expect("RSQUARE", "]")
        return n.Indexer(open_tok.start, self.end_of_prev(), index, null_safe)

    def select_or_project(self, null_safe: bool) -> n.Node:
        tok = self.next()
        inner = self.expression()
        self.expect("RSQUARE", "]")
        end = self.end_of_prev()
        if tok.kind == "PROJECT":
            return n.Projection(tok.start, end, inner, null_safe)
        kind = {"SELECT": "all", "SELECT_FIRST": "first", "SELECT_LAST": "last"}[tok.kind]
        return n.Selection(tok.start, end, kind, inner, null_safe)

    def start_node(self) -> n.Node:
        tok = self.peek()
        if tok is None:
            raise ParseError("Unexpectedly ran out of input", code="EL1044E", position=len(self.text))
        kind = tok.kind
        if kind in ("INT", "LONG"):
            self.next()
            number = int(tok.value)
            return n.Literal(tok.start, tok.end, JLong(number) if kind == "LONG" else number)
        if kind == "REAL":
            self.next()
            return n.Literal(tok.start, tok.end, float(tok.value))
        if kind == "STRING":
            self.next()
            return n.Literal(tok.start, tok.end, tok.value)
        if kind == "LPAREN":
            self.next()
            inner = self.expression()
            self.expect("RPAREN", ")")
            return inner
        if kind == "IDENTIFIER":
            word = tok.value
            lowered = word.lower()
            following = self.peek(1)
            if word == "T" and following is not None and following.kind == "LPAREN":
                return self.type_reference()
            if lowered == "null":
                self.next()
                return n.Literal(tok.start, tok.end, None)
            if lowered in ("true", "false"):
                self.next()
                return n.Literal(tok.start, tok.end, lowered == "true")
            if lowered == "new" and following is not None and following.kind == "IDENTIFIER":
                return self.constructor()
            return self.method_or_property(null_safe=False)
        if kind == "HASH":
            return self.function_or_variable()
        if kind == "LCURLY":
            return self.inline_list_or_map()
        if kind == "LSQUARE":
            return self.indexer(null_safe=False)
        if kind in ("SELECT", "SELECT_FIRST", "SELECT_LAST", "PROJECT"):
            return self.select_or_project(null_safe=False)
        if kind in ("BEAN_REF", "FACTORY_BEAN_REF"):
            raise ParseError("Bean references ('@name') are not supported", position=tok.start)
        raise ParseError(f"Unexpected token '{tok.describe()}'", code="EL1043E", position=tok.start)

    def qualified_name(self, what: str) -> str:
        parts = [self.expect("IDENTIFIER", what).value]
        while self.peek_kind("DOT"):
            self.next()
            parts.append(self.expect("IDENTIFIER", what).value)
        return ".".join(parts)

    def type_reference(self) -> n.Node:
        t_tok = self.next()
        self.expect("LPAREN", "(")
        name = self.qualified_name("a type name")
        if self.peek_kind("LSQUARE"):
            raise ParseError("Array types are not supported in T(...)", position=self.peek().start)  # type: ignore[union-attr]
        self.expect("RPAREN", ")")
        return n.TypeRef(t_tok.start, self.end_of_prev(), name)

    def constructor(self) -> n.Node:
        new_tok = self.next()
        name = self.qualified_name("a type name")
        if self.peek_kind("LSQUARE"):
            raise ParseError("Array construction ('new T[...]') is not supported", position=self.peek().start)  # type: ignore[union-attr]
        if not self.peek_kind("LPAREN"):
            tok = self.peek()
            raise ParseError(
                f"Unexpected token. Expected '(' but was '{tok.describe() if tok else 'end of input'}'",
                code="EL1043E",
                position=tok.start if tok else len(self.text),
            )
        args = self.arguments()
        return n.Constructor(new_tok.start, self.end_of_prev(), name, args)

    def function_or_variable(self) -> n.Node:
        hash_tok = self.next()
        name_tok = self.peek()
        if name_tok is None or name_tok.kind != "IDENTIFIER":
            raise ParseError(
                "Expected a variable or function name after '#'", code="EL1043E", position=hash_tok.end
            )
        self.next()
        if self.peek_kind("LPAREN"):
            args = self.arguments()
            return n.FunctionCall(hash_tok.start, self.end_of_prev(), name_tok.value, args)
        return n.Variable(hash_tok.start, name_tok.end, name_tok.value)

    def inline_list_or_map(self) -> n.Node:
        open_tok = self.next()
        if self.peek_kind("RCURLY"):
            self.next()
            return n.InlineList(open_tok.start, self.end_of_prev(), [])
        if self.peek_kind("COLON") and (nxt := self.peek(1)) is not None and nxt.kind == "RCURLY":
            self.next()
            self.next()
            return n.InlineMap(open_tok.start, self.end_of_prev(), [])
        first = self.expression()
        if self.peek_kind("COLON"):
            self.next()
            entries: list[tuple[n.Node, n.Node]] = [(self._map_key(first), self.expression())]
            while self.peek_kind("COMMA"):
                self.next()
                key = self.expression()
                self.expect("COLON", ":")
                entries.append((self._map_key(key), self.expression()))
            self.expect("RCURLY", "}")
            return n.InlineMap(open_tok.start, self.end_of_prev(), entries)
        items = [first]
        while self.peek_kind("COMMA"):
            self.next()
            items.append(self.expression())
        self.expect("RCURLY", "}")
        return n.InlineList(open_tok.start, self.end_of_prev(), items)

    @staticmethod
    def _map_key(key: n.Node) -> n.Node:
        # {name: 'x'}: a bare identifier key is the text of its name, as in SpEL
        if isinstance(key, n.PropertyRef):
            return n.Literal(key.start, key.end, key.name)
        return key
