"""The subset of OData v4 query options the replay server understands.

`$filter`: eq/ne/gt/ge/lt/le, and/or/not, parentheses; string, boolean, null, number and
DateTimeOffset literals; a comparison with null is false (except eq/ne), as in OData.
`$orderby`: comma-separated properties, each optionally "desc". Timestamps compare as
moments, to the 7th fractional digit the API uses.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

_TOKEN = re.compile(r"\s*(?:(?P<open>\()|(?P<close>\))|'(?P<str>(?:[^']|'')*)'"
                    r"|(?P<dt>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))"
                    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_][A-Za-z0-9_/]*))")  # fmt: skip
_OPS = {"eq", "ne", "gt", "ge", "lt", "le"}


def parse_filter(text: str) -> Any:
    """A small OData $filter parser: returns a nested tuple tree. Raises ValueError."""
    tokens: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            if text[pos:].strip():
                raise ValueError(f"syntax error in $filter at {text[pos:pos + 20]!r}")
            break
        kind = match.lastgroup or ""
        value: Any = match.group(kind)
        if kind == "str":
            value = value.replace("''", "'")
        elif kind == "dt":
            value = _when(value)
        elif kind == "num":
            value = float(value)
        elif kind == "word" and value in ("true", "false", "null"):
            kind, value = "lit", {"true": True, "false": False, "null": None}[value]
        tokens.append((kind, value))
        pos = match.end()
    tree, rest = _or(tokens)
    if rest:
        raise ValueError(f"unexpected {rest[0][1]!r} in $filter")
    return tree


def _or(tokens: list) -> tuple[Any, list]:
    left, tokens = _and(tokens)
    while tokens and tokens[0] == ("word", "or"):
        right, tokens = _and(tokens[1:])
        left = ("or", left, right)
    return left, tokens


def _and(tokens: list) -> tuple[Any, list]:
    left, tokens = _unary(tokens)
    while tokens and tokens[0] == ("word", "and"):
        right, tokens = _unary(tokens[1:])
        left = ("and", left, right)
    return left, tokens


def _unary(tokens: list) -> tuple[Any, list]:
    if not tokens:
        raise ValueError("$filter ends too early")
    if tokens[0] == ("word", "not"):
        inner, rest = _unary(tokens[1:])
        return ("not", inner), rest
    if tokens[0][0] == "open":
        inner, rest = _or(tokens[1:])
        if not rest or rest[0][0] != "close":
            raise ValueError("unbalanced parentheses in $filter")
        return inner, rest[1:]
    if len(tokens) < 3 or tokens[0][0] != "word" or tokens[1] not in [("word", o) for o in _OPS]:
        raise ValueError(f"expected '<field> <op> <value>' in $filter near {tokens[0][1]!r}")
    return ("cmp", tokens[0][1], tokens[1][1], tokens[2][1]), tokens[3:]


def evaluate(tree: Any, row: dict) -> bool:
    op = tree[0]
    if op == "or":
        return evaluate(tree[1], row) or evaluate(tree[2], row)
    if op == "and":
        return evaluate(tree[1], row) and evaluate(tree[2], row)
    if op == "not":
        return not evaluate(tree[1], row)
    _, name, cmp, literal = tree
    if name not in row:
        raise ValueError(f"Could not find a property named '{name}' on type Document")
    value = row[name]
    if isinstance(literal, tuple) and isinstance(value, str):
        value = _when(value)
    if cmp == "eq":
        return value == literal
    if cmp == "ne":
        return value != literal
    if value is None or literal is None:
        return False
    return {"gt": value > literal, "ge": value >= literal, "lt": value < literal,
            "le": value <= literal}[cmp]  # fmt: skip


def _when(text: str) -> tuple[datetime, str]:
    """A DateTimeOffset as (UTC moment to the second, fraction digits): exact ordering."""
    match = re.match(r"^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$", text)
    if not match:
        raise ValueError(f"bad DateTimeOffset {text!r}")
    zone = "+00:00" if match.group(3) == "Z" else match.group(3)
    moment = datetime.fromisoformat(match.group(1) + zone).astimezone(timezone.utc)
    return moment, (match.group(2) or "").ljust(9, "0")


def order(rows: list[dict], orderby: str) -> list[dict]:
    for key in reversed([k.strip() for k in orderby.split(",") if k.strip()]):
        name, _, direction = key.partition(" ")

        def sort_key(row: dict, name: str = name) -> tuple:
            value = row.get(name)
            if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\dT", value):
                return (1, _when(value))
            return (0, ("",)) if value is None else (2, (str(value),))

        rows = sorted(rows, key=sort_key, reverse=direction.strip().lower() == "desc")
    return rows
