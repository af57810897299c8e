"""Reads the string expressions of PyFlink 1.9–1.13 (`"uuid, ip_to_province(client_ip) as province"`,
`"a.sum as total"`, `"count(uuid)"`, `"a === 1 && b.isNotNull"`) into `Expression` trees.

Grammar (Flink's old expression DSL, the part the runner can execute):
    list      := item (',' item)*
    item      := expr [AS name | AS '(' name (',' name)* ')']
    expr      := or;  or := and (('||' | OR) and)*;  and := not (('&&' | AND) not)*
    not       := ('!' | NOT) not | compare;  compare := sum [op sum]   op: === == = !== != <> < <= > >=
    sum       := product (('+' | '-') product)*;  product := unary (('*' | '/' | '%') unary)*
    unary     := '-' unary | postfix;  postfix := primary ('.' name ['(' args ')'])*
    primary   := number | 'text' | "text" | TRUE | FALSE | NULL | '*' | name ['(' args ')'] | '(' expr ')'
"""

from __future__ import annotations

import re
from typing import List, Optional

from pyfn.table.expression import AGGREGATES, Expression, column, function_call, literal
from pyfn.types import parse_type
from pyfn.util.exceptions import ParseException

__all__ = ["parse_expression_list", "parse_expression", "as_expressions"]

_TOKEN_PATTERN = (r"""
    (?P<space>\s+)
  | (?P<number>\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)(?P<suffix>[lLdDfF]?)
  | (?P<string>'(?:[^']|'')*'|"(?:[^"\\]|\\.)*")
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*|`(?:[^`]|``)+`)
  | (?P<symbol>===|!==|==|!=|<>|<=|>=|&&|\|\||[-+*/%<>=!(),.])
""")
_token = None  # compiled on first use: programs that use no string expressions do not pay for it


def _token_regex():
    global _token
    if _token is None:
        _token = re.compile(_TOKEN_PATTERN, re.VERBOSE)
    return _token

_COMPARISONS = {"===": "=", "==": "=", "=": "=", "!==": "<>", "!=": "<>", "<>": "<>", "<": "<", "<=": "<=",
                ">": ">", ">=": ">="}

# Postfix calls of the old DSL (camelCase) and PyFlink's (snake_case) that take no arguments.
_POSTFIX_PROPERTIES = {
    "isnull": "is_null", "is_null": "is_null", "isnotnull": "is_not_null", "is_not_null": "is_not_null",
    "asc": "asc", "desc": "desc", "distinct": "distinct", "uppercase": "upper_case", "upper_case": "upper_case",
    "lowercase": "lower_case", "lower_case": "lower_case", "charlength": "char_length",
    "char_length": "char_length", "trim": "trim", "abs": "abs", "sqrt": "sqrt",
    **{name.lower(): name for name in AGGREGATES.values()},
}


class _Token:
    __slots__ = ("kind", "text", "position")

    def __init__(self, kind: str, text: str, position: int):
        self.kind, self.text, self.position = kind, text, position

    def is_word(self, word: str) -> bool:
        return self.kind == "name" and self.text.lower() == word

    def is_symbol(self, *symbols: str) -> bool:
        return self.kind == "symbol" and self.text in symbols


class _Parser:
    def __init__(self, text: str, location):
        self.text = text
        self.location = location
        self.tokens = self._tokenize(text)
        self.index = 0

    def fail(self, why: str, token: Optional[_Token] = None):
        position = (token or self.peek()).position
        where = (self.location.file, self.location.line) if self.location else ()
        raise ParseException("Could not parse expression %r at character %d: %s" % (self.text, position + 1, why),
                             *where)

    def _tokenize(self, text: str) -> List[_Token]:
        tokens, position = [], 0
        while position < len(text):
            match = _token_regex().match(text, position)
            if match is None:
                tokens.append(_Token("invalid", text[position], position))
                self.tokens = tokens + [_Token("end", "", len(text))]
                self.index = len(tokens) - 1
                self.fail("unexpected character %r" % text[position])
            kind = match.lastgroup if match.lastgroup != "suffix" else "number"
            if kind != "space":
                tokens.append(_Token(kind, match.group(kind), position))
            position = match.end()
        tokens.append(_Token("end", "", len(text)))
        return tokens

    def peek(self, offset: int = 0) -> _Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.peek()
        self.index += 1
        return token

    def expect_symbol(self, symbol: str) -> None:
        if not self.peek().is_symbol(symbol):
            self.fail("expected %r, found %s" % (symbol, self._describe(self.peek())))
        self.take()

    @staticmethod
    def _describe(token: _Token) -> str:
        return "the end" if token.kind == "end" else repr(token.text)

    def name(self) -> str:
        token = self.take()
        if token.kind != "name":
            self.fail("expected a name, found %s" % self._describe(token), token)
        return token.text[1:-1].replace("``", "`") if token.text.startswith("`") else token.text

    # -- grammar -----------------------------------------------------------------------------------------
    def items(self) -> List[Expression]:
        items = [self.item()]
        while self.peek().is_symbol(","):
            self.take()
            items.append(self.item())
        if self.peek().kind != "end":
            self.fail("unexpected %s" % self._describe(self.peek()))
        return items

    def item(self) -> Expression:
        expression = self.expression()
        if self.peek().is_word("as"):
            self.take()
            if self.peek().is_symbol("("):
                self.take()
                names = [self.name()]
                while self.peek().is_symbol(","):
                    self.take()
                    names.append(self.name())
                self.expect_symbol(")")
                return expression.alias(*names)
            return expression.alias(self.name())
        return expression

    def expression(self) -> Expression:
        return self.disjunction()

    def disjunction(self) -> Expression:
        left = self.conjunction()
        while self.peek().is_symbol("||") or self.peek().is_word("or"):
            self.take()
            left = left | self.conjunction()
        return left

    def conjunction(self) -> Expression:
        left = self.negation()
        while self.peek().is_symbol("&&") or self.peek().is_word("and"):
            self.take()
            left = left & self.negation()
        return left

    def negation(self) -> Expression:
        if self.peek().is_symbol("!") or self.peek().is_word("not"):
            self.take()
            return ~self.negation()
        return self.comparison()

    def comparison(self) -> Expression:
        left = self.additive()
        token = self.peek()
        if token.kind == "symbol" and token.text in _COMPARISONS:
            self.take()
            return left._binary(_COMPARISONS[token.text], self.additive())
        return left

    def additive(self) -> Expression:
        left = self.multiplicative()
        while self.peek().is_symbol("+", "-"):
            left = left._binary(self.take().text, self.multiplicative())
        return left

    def multiplicative(self) -> Expression:
        left = self.unary()
        while self.peek().is_symbol("*", "/", "%"):
            left = left._binary(self.take().text, self.unary())
        return left

    def unary(self) -> Expression:
        if self.peek().is_symbol("-"):
            self.take()
            operand = self.unary()
            if operand.kind == "literal" and isinstance(operand.attributes["value"], (int, float)) \
                    and not isinstance(operand.attributes["value"], bool):
                return literal(-operand.attributes["value"])
            return -operand
        return self.postfix()

    def postfix(self) -> Expression:
        expression = self.primary()
        while self.peek().is_symbol(".") and self.peek(1).kind == "name":
            self.take()
            token = self.peek()
            method = self.name()
            key = method.lower()
            if self.peek().is_symbol("("):
                expression = self._method_call(expression, key, token)
            elif key in _POSTFIX_PROPERTIES:
                expression = getattr(expression, _POSTFIX_PROPERTIES[key])
            else:
                self.fail("unknown operation .%s" % method, token)
        return expression

    def _method_call(self, receiver: Expression, method: str, token: _Token) -> Expression:
        if method == "cast":
            return receiver.cast(self._type_argument())
        if method in ("as", "alias"):
            self.take()
            names = [self.name()]
            while self.peek().is_symbol(","):
                self.take()
                names.append(self.name())
            self.expect_symbol(")")
            return receiver.alias(*names)
        arguments = self.arguments()
        if method in _POSTFIX_PROPERTIES and not arguments:
            return getattr(receiver, _POSTFIX_PROPERTIES[method])
        self.fail("unknown operation .%s(…)" % method, token)

    def _type_argument(self) -> str:
        self.expect_symbol("(")
        start = self.peek().position
        depth = 0
        while True:
            token = self.peek()
            if token.kind == "end":
                self.fail("unclosed cast(")
            if token.is_symbol("(") or token.is_symbol("<"):
                depth += 1
            elif (token.is_symbol(")") or token.is_symbol(">")) and depth:
                depth -= 1
            elif token.is_symbol(")"):
                break
            self.take()
        text = self.text[start:self.peek().position].strip()
        self.take()
        try:
            return parse_type(text)
        except Exception as error:
            self.fail("bad type %r in cast: %s" % (text, error))

    def arguments(self) -> List[Expression]:
        self.expect_symbol("(")
        arguments = []
        if not self.peek().is_symbol(")"):
            arguments.append(self._argument())
            while self.peek().is_symbol(","):
                self.take()
                arguments.append(self._argument())
        self.expect_symbol(")")
        return arguments

    def _argument(self) -> Expression:
        if self.peek().is_symbol("*") and self.peek(1).is_symbol(")", ","):
            self.take()
            return Expression("star")
        if self.peek().is_word("distinct"):
            self.take()
            return Expression("distinct_marker", self.expression())
        return self.expression()

    def primary(self) -> Expression:
        token = self.peek()
        if token.kind == "number":
            self.take()
            text = token.text
            return literal(float(text) if any(c in text for c in ".eE") else int(text))
        if token.kind == "string":
            self.take()
            body = token.text[1:-1]
            return literal(body.replace("''", "'") if token.text[0] == "'" else
                           re.sub(r"\\(.)", r"\1", body))
        if token.is_symbol("("):
            self.take()
            inner = self.expression()
            self.expect_symbol(")")
            return inner
        if token.is_symbol("*"):
            self.take()
            return column("*")
        if token.kind == "name":
            lowered = token.text.lower()
            if lowered in ("true", "false"):
                self.take()
                return literal(lowered == "true")
            if lowered == "null":
                self.take()
                return literal(None)
            name = self.name()
            if self.peek().is_symbol("("):
                arguments = self.arguments()
                distinct = any(a.kind == "distinct_marker" for a in arguments)
                arguments = [a.children[0] if a.kind == "distinct_marker" else a for a in arguments]
                call = function_call(name.upper() if name.upper() in AGGREGATES else name, *arguments)
                return call.distinct if distinct else call
            return column(name)
        self.fail("expected an expression, found %s" % self._describe(token), token)


def parse_expression_list(text: str, location=None) -> List[Expression]:
    """The comma-separated expressions of `text`, each possibly aliased."""
    return _Parser(text, location).items()


def parse_expression(text: str, location=None) -> Expression:
    """One expression (a predicate for `where`, a key for `group_by`)."""
    items = parse_expression_list(text, location)
    if len(items) != 1:
        raise ParseException("expected one expression, found %d in %r" % (len(items), text),
                             *((location.file, location.line) if location else ()))
    return items[0]


def as_expressions(values, location=None) -> List[Expression]:
    """Expressions from a mix of Expression objects and strings of comma-separated expressions."""
    out: List[Expression] = []
    for value in values:
        if isinstance(value, str):
            out.extend(parse_expression_list(value, location))
        elif isinstance(value, Expression):
            out.append(value)
        else:
            raise TypeError("expected an Expression (col('a'), lit(1), …) or an expression string, got %r" % (value,))
    return out

