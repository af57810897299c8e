"""Reads just enough of a SQL statement on the Python side: what kind it is, a CREATE TABLE's name and columns,
a CREATE FUNCTION's name, a SET's key and value, a SELECT's output column names.

The runner parses every statement for real; the client only needs these facts to answer `list_tables`,
`from_path(…).get_schema()`, `SET`, and to check the columns a Table API call names.
"""

from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional, Tuple

from pyfn.types import DataType, parse_type

__all__ = ["statement_kind", "create_table_parts", "create_function_name", "set_pair", "select_output_names",
           "dropped_name", "expand_views", "SqlTokens"]

_TOKEN = re.compile(r"""
    (?P<space>\s+|--[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>`(?:[^`]|``)*`)
  | (?P<word>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)
  | (?P<symbol><>|<=|>=|!=|\|\||[^\sA-Za-z0-9_])
""", re.VERBOSE | re.DOTALL)


class SqlTokens:
    """The tokens of a statement: (kind, text, start offset), comments and spaces left out."""

    def __init__(self, text: str):
        self.text = text
        self.tokens: List[Tuple[str, str, int]] = []
        for match in _TOKEN.finditer(text):
            if match.lastgroup != "space":
                self.tokens.append((match.lastgroup, match.group(), match.start()))

    def words(self, count: int) -> List[str]:
        """The first `count` tokens upper-cased (keywords), for classifying the statement."""
        return [t[1].upper() for t in self.tokens[:count]]

    @staticmethod
    def identifier(token: Tuple[str, str, int]) -> str:
        """An identifier token's name (backticks removed)."""
        kind, text, _ = token
        return text[1:-1].replace("``", "`") if kind == "quoted" else text

    def matching(self, index: int) -> int:
        """The index of the token closing the bracket at `index`."""
        depth = 0
        for position in range(index, len(self.tokens)):
            text = self.tokens[position][1]
            if text in ("(", "<"):
                depth += 1
            elif text in (")", ">"):
                depth -= 1
                if depth == 0:
                    return position
        return len(self.tokens) - 1

    def split_top_level(self, start: int, end: int) -> List[Tuple[int, int]]:
        """Token ranges [a, b) between `start` and `end` separated by commas outside brackets."""
        parts, depth, begin = [], 0, start
        for position in range(start, end):
            text = self.tokens[position][1]
            if text in ("(", "<"):
                depth += 1
            elif text in (")", ">"):
                depth -= 1
            elif text == "," and depth == 0:
                parts.append((begin, position))
                begin = position + 1
        parts.append((begin, end))
        return parts

    def source(self, start: int, end: int) -> str:
        """The statement's text from token `start` up to (not including) token `end`."""
        if start >= end:
            return ""
        last = self.tokens[end - 1]
        return self.text[self.tokens[start][2]:last[2] + len(last[1])]


def statement_kind(text: str) -> str:
    """CREATE_TABLE, CREATE_FUNCTION, CREATE_VIEW, SET, RESET, INSERT, SELECT, EXPLAIN, SHOW_TABLES,
    SHOW_FUNCTIONS, DROP_TABLE, DROP_FUNCTION, DESCRIBE, USE or UNKNOWN."""
    words = [w for w in SqlTokens(text).words(6)]
    first = words[0] if words else ""
    if first == "CREATE":
        for word in words[1:]:
            if word in ("TABLE", "FUNCTION", "VIEW"):
                return "CREATE_" + word
        return "UNKNOWN"
    if first == "DROP":
        for word in words[1:]:
            if word in ("TABLE", "FUNCTION", "VIEW"):
                return "DROP_" + ("TABLE" if word == "VIEW" else word)
        return "UNKNOWN"
    if first == "SHOW" and len(words) > 1 and words[1] in ("TABLES", "FUNCTIONS", "VIEWS"):
        return "SHOW_" + ("TABLES" if words[1] == "VIEWS" else words[1])
    if first in ("SELECT", "WITH", "VALUES", "(") :
        return "SELECT"
    if first in ("DESCRIBE", "DESC"):
        return "DESCRIBE"
    if first in ("SET", "RESET", "INSERT", "EXPLAIN", "USE"):
        return first
    return "UNKNOWN"


def _name_after(tokens: SqlTokens, keyword: str) -> Tuple[str, int]:
    """The (possibly dotted) name after `keyword` (skipping IF [NOT] EXISTS) and the index after it."""
    index = next(i for i, t in enumerate(tokens.tokens) if t[1].upper() == keyword) + 1
    while index < len(tokens.tokens) and tokens.tokens[index][1].upper() in ("IF", "NOT", "EXISTS"):
        index += 1
    parts = [SqlTokens.identifier(tokens.tokens[index])]
    index += 1
    while index + 1 < len(tokens.tokens) and tokens.tokens[index][1] == ".":
        parts.append(SqlTokens.identifier(tokens.tokens[index + 1]))
        index += 2
    return parts[-1], index


def create_table_parts(text: str) -> Tuple[str, List[Tuple[str, Optional[DataType]]]]:
    """A CREATE TABLE's name and its physical columns with their types (None where the type is not read)."""
    tokens = SqlTokens(text)
    name, index = _name_after(tokens, "TABLE")
    columns: List[Tuple[str, Optional[DataType]]] = []
    if index >= len(tokens.tokens) or tokens.tokens[index][1] != "(":
        return name, columns
    close = tokens.matching(index)
    for start, end in tokens.split_top_level(index + 1, close):
        if start >= end:
            continue
        head = tokens.tokens[start][1].upper()
        if head in ("PRIMARY", "CONSTRAINT", "WATERMARK", "PERIOD", "UNIQUE", "LIKE"):
            continue
        column = SqlTokens.identifier(tokens.tokens[start])
        type_end = start + 1
        while type_end < end and tokens.tokens[type_end][1].upper() not in (
                "COMMENT", "PRIMARY", "METADATA", "AS", "CONSTRAINT"):
            type_end += 1
        if start + 1 < end and tokens.tokens[start + 1][1].upper() == "AS":
            columns.append((column, None))  # a computed column
            continue
        try:
            columns.append((column, parse_type(tokens.source(start + 1, type_end))))
        except Exception:
            columns.append((column, None))
    return name, columns


def create_function_name(text: str) -> str:
    """The name a CREATE FUNCTION registers."""
    return _name_after(SqlTokens(text), "FUNCTION")[0]


def dropped_name(text: str) -> str:
    """The table, view or function a DROP statement names."""
    tokens = SqlTokens(text)
    keyword = next(t[1].upper() for t in tokens.tokens if t[1].upper() in ("TABLE", "VIEW", "FUNCTION"))
    return _name_after(tokens, keyword)[0]


def set_pair(text: str) -> Optional[Tuple[str, str]]:
    """`SET 'key' = 'value'` (quotes optional) as (key, value); None for a bare `SET`."""
    match = re.match(r"\s*SET\s+(?:'((?:[^']|'')*)'|([^\s=]+))\s*=\s*(?:'((?:[^']|'')*)'|(.*?))\s*;?\s*$", text,
                     re.IGNORECASE | re.DOTALL)
    if match is None:
        return None
    key = match.group(1).replace("''", "'") if match.group(1) is not None else match.group(2)
    value = match.group(3).replace("''", "'") if match.group(3) is not None else match.group(4)
    return key, value


def select_output_names(query: str, table_columns: Callable[[str], Optional[List[str]]]) -> Optional[List[str]]:
    """The output column names of a SELECT as far as the text says (alias, or a column's own name; `*` from a
    named table's columns); None when they cannot be told without planning."""
    tokens = SqlTokens(query)
    toks = tokens.tokens
    if not toks or toks[0][1].upper() != "SELECT":
        return None
    depth, from_index = 0, None
    for position, (_, text, _) in enumerate(toks):
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif depth == 0 and text.upper() == "FROM":
            from_index = position
            break
    if from_index is None:
        return None
    names: List[str] = []
    for index, (start, end) in enumerate(tokens.split_top_level(1, from_index)):
        if start >= end:
            return None
        if toks[start][1].upper() == "DISTINCT":
            start += 1
        last = toks[end - 1]
        if end - start == 1 and last[1] == "*" or (end - start == 3 and last[1] == "*"):
            source = toks[from_index + 1] if from_index + 1 < len(toks) else None
            columns = table_columns(SqlTokens.identifier(source)) if source and source[0] in ("word", "quoted") else None
            if columns is None:
                return None
            names.extend(columns)
        elif last[0] in ("word", "quoted") and (end - start == 1 or toks[end - 2][1].upper() == "AS"
                                                or toks[end - 2][1] == "." or toks[end - 2][0] not in ("symbol",)):
            names.append(SqlTokens.identifier(last))
        else:
            names.append("EXPR$%d" % index)
    return names


_FROM_ENDS = {"WHERE", "GROUP", "ORDER", "HAVING", "LIMIT", "UNION", "WINDOW", "ON", "SELECT"}


def expand_views(text: str, views: Dict[str, str]) -> str:
    """`text` with each table reference to a view (a Table API object named by create_temporary_view) replaced
    by the view's query as a subquery, so SQL statements can read views the runner knows nothing of."""
    if not views:
        return text
    tokens = SqlTokens(text).tokens
    pieces, last, in_from = [], 0, [False]
    for index, (kind, value, offset) in enumerate(tokens):
        upper = value.upper()
        if value == "(":
            in_from.append(False)
        elif value == ")":
            if len(in_from) > 1:
                in_from.pop()
        elif upper in ("FROM", "JOIN"):
            in_from[-1] = True
        elif upper in _FROM_ENDS:
            in_from[-1] = False
        elif kind in ("word", "quoted") and index > 1 and tokens[index - 1][1].upper() == "TABLE" \
                and tokens[index - 2][1] == "(" and SqlTokens.identifier(tokens[index]).lower() in views:
            # A window table function's table: TUMBLE(TABLE v, …) reads TUMBLE(TABLE (the view's query), …).
            pieces.append(text[last:offset])
            pieces.append("(%s)" % views[SqlTokens.identifier(tokens[index]).lower()])
            last = offset + len(value)
        elif kind in ("word", "quoted") and in_from[-1] and index > 0 \
                and (tokens[index - 1][1].upper() in ("FROM", "JOIN") or tokens[index - 1][1] == ","):
            name = SqlTokens.identifier(tokens[index])
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if name.lower() in views and not (following and following[1] in (".", "(")):
                aliased = following is not None and (following[1].upper() == "AS" or (
                    following[0] in ("word", "quoted") and following[1].upper() not in _FROM_ENDS
                    and following[1].upper() not in ("LEFT", "INNER", "JOIN", "CROSS", "LATERAL")))
                pieces.append(text[last:offset])
                pieces.append("(%s)%s" % (views[name.lower()], "" if aliased else " AS " + value))
                last = offset + len(value)
    pieces.append(text[last:])
    return "".join(pieces)
