"""Tokenizer for the SpEL subset: turns the text inside ``${ }`` into tokens with positions.

Follows Spring's ``Tokenizer``: identifiers may contain ``_`` and ``$``; strings are quoted with ``'`` or
``"`` and a doubled quote inside is one quote (there are no backslash escapes); numbers are ``int``,
``long`` (``L``), hex (``0x``), real (``1.5``, ``1e3``, ``2.5f``/``d``); the textual operators ``and or
not eq ne lt gt le ge div mod`` (any case) are operators, never property names. Called by the parser only.
"""

from __future__ import annotations

from dataclasses import dataclass

from gennaker.expressions.errors import ParseError

TEXTUAL_OPERATORS = {
    "and": "AND",
    "or": "OR",
    "not": "NOT",
    "eq": "EQ",
    "ne": "NE",
    "lt": "LT",
    "gt": "GT",
    "le": "LE",
    "ge": "GE",
    "div": "DIV",
    "mod": "MOD",
}

# two-character symbols first, then one-character ones
_SYMBOLS_2 = {
    "==": "EQ",
    "!=": "NE",
    "<=": "LE",
    ">=": "GE",
    "&&": "AND",
    "||": "OR",
    "?.": "SAFE_NAVI",
    "?:": "ELVIS",
    "?[": "SELECT",
    "^[": "SELECT_FIRST",
    "$[": "SELECT_LAST",
    "![": "PROJECT",
    "++": "INC",
    "--": "DEC",
}
_SYMBOLS_1 = {
    "(": "LPAREN",
    ")": "RPAREN",
    "[": "LSQUARE",
    "]": "RSQUARE",
    "{": "LCURLY",
    "}": "RCURLY",
    ",": "COMMA",
    ":": "COLON",
    "#": "HASH",
    ".": "DOT",
    "?": "QMARK",
    "+": "PLUS",
    "-": "MINUS",
    "*": "STAR",
    "/": "DIV",
    "%": "MOD",
    "^": "POWER",
    "!": "NOT",
    "<": "LT",
    ">": "GT",
    "=": "ASSIGN",
    "@": "BEAN_REF",
    "&": "FACTORY_BEAN_REF",
}

SYMBOL_TEXT = {v: k for k, v in {**_SYMBOLS_1, **_SYMBOLS_2}.items()}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # IDENTIFIER, STRING, INT, LONG, REAL, or an operator/punctuation name
    value: str  # the literal text (string tokens: the unquoted value)
    start: int
    end: int

    def describe(self) -> str:
        if self.kind == "IDENTIFIER":
            return self.value
        if self.kind == "STRING":
            return "'" + self.value + "'"
        if self.kind in ("INT", "LONG", "REAL"):
            return self.value
        return SYMBOL_TEXT.get(self.kind, self.value or self.kind)


def _is_ident_start(ch: str) -> bool:
    return ch.isalpha() or ch in "_$"


def _is_ident_part(ch: str) -> bool:
    return ch.isalnum() or ch in "_$"


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
            continue
        if ch in "'\"":
            i = _lex_string(text, i, tokens)
            continue
        if ch.isdigit():
            i = _lex_number(text, i, tokens)
            continue
        if _is_ident_start(ch) and not (ch == "$" and i + 1 < n and text[i + 1] == "["):
            j = i + 1
            while j < n and _is_ident_part(text[j]):
                j += 1
            word = text[i:j]
            op = TEXTUAL_OPERATORS.get(word.lower())
            tokens.append(Token(op or "IDENTIFIER", word, i, j))
            i = j
            continue
        pair = text[i : i + 2]
        if pair in _SYMBOLS_2:
            tokens.append(Token(_SYMBOLS_2[pair], pair, i, i + 2))
            i += 2
            continue
        if ch in _SYMBOLS_1:
            tokens.append(Token(_SYMBOLS_1[ch], ch, i, i + 1))
            i += 1
            continue
        if ch == "\\":
            raise ParseError("Unexpected escape character", code="EL1065E", position=i)
        raise ParseError(f"Unexpected character '{ch}'", code="EL1069E", position=i)
    return tokens


def _lex_string(text: str, start: int, tokens: list[Token]) -> int:
    quote = text[start]
    i = start + 1
    parts: list[str] = []
    n = len(text)
    while True:
        j = text.find(quote, i)
        if j < 0:
            if quote == "'":
                raise ParseError("Cannot find terminating '' for string", code="EL1046E", position=start)
            raise ParseError('Cannot find terminating " for string', code="EL1045E", position=start)
        parts.append(text[i:j])
        if j + 1 < n and text[j + 1] == quote:  # doubled quote = one quote
            parts.append(quote)
            i = j + 2
            continue
        tokens.append(Token("STRING", "".join(parts), start, j + 1))
        return j + 1


def _lex_number(text: str, start: int, tokens: list[Token]) -> int:
    n = len(text)
    i = start
    if text[i] == "0" and i + 1 < n and text[i + 1] in "xX":
        j = i + 2
        while j < n and text[j] in "0123456789abcdefABCDEF":
            j += 1
        if j == i + 2:
            raise ParseError("The value '0x' cannot be parsed as an int", code="EL1035E", position=start)
        digits = text[i + 2 : j]
        if j < n and text[j] in "lL":
            tokens.append(
                Token(
                    "LONG", str(_check_range(int(digits, 16), 64, text[start : j + 1], start)), start, j + 1
                )
            )
            return j + 1
        value = int(digits, 16)
        if value > 0xFFFFFFFF:
            raise ParseError(
                f"The value '{text[start:j]}' cannot be parsed as an int", code="EL1035E", position=start
            )
        if value > 0x7FFFFFFF:
            value -= 1 << 32
        tokens.append(Token("INT", str(value), start, j))
        return j
    j = i
    while j < n and text[j].isdigit():
        j += 1
    is_real = False
    if j + 1 < n and text[j] == "." and text[j + 1].isdigit():
        is_real = True
        j += 1
        while j < n and text[j].isdigit():
            j += 1
    if j < n and text[j] in "eE":
        k = j + 1
        if k < n and text[k] in "+-":
            k += 1
        if k < n and text[k].isdigit():
            is_real = True
            j = k
            while j < n and text[j].isdigit():
                j += 1
    literal = text[start:j]
    if j < n and text[j] in "lL":
        if is_real:
            raise ParseError(
                f"Real number cannot be suffixed with a long (L or l) suffix: '{literal}'",
                code="EL1048E",
                position=start,
            )
        tokens.append(
            Token("LONG", str(_check_range(int(literal), 64, literal + text[j], start)), start, j + 1)
        )
        return j + 1
    if j < n and text[j] in "fFdD":
        tokens.append(Token("REAL", literal, start, j + 1))
        return j + 1
    if is_real:
        tokens.append(Token("REAL", literal, start, j))
        return j
    tokens.append(Token("INT", str(_check_range(int(literal), 32, literal, start)), start, j))
    return j


def _check_range(value: int, bits: int, literal: str, position: int) -> int:
    limit = 1 << (bits - 1)
    if value >= limit:
        kind = "an int" if bits == 32 else "a long"
        raise ParseError(
            f"The value '{literal}' cannot be parsed as {kind}",
            code="EL1035E" if bits == 32 else "EL1036E",
            position=position,
        )
    return value
