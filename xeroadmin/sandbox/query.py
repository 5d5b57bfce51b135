"""Xero's `where` and `order` query language, evaluated over records in memory.

Supported: comparisons (== != > >= < <=) between a field path and a literal (string, number,
true/false/null, DateTime(y,m,d[,h,m,s]), Guid("…")), the methods Contains, StartsWith, EndsWith
and ToLower/ToUpper, AND / OR / && / || / NOT and parentheses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from xeroadmin.sandbox.core import validation_error

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<op>==|!=|>=|<=|&&|\|\||>|<|\(|\)|,|!)
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    )""",
    re.VERBOSE,
)

Getter = Callable[[dict[str, Any], str], Any]


class QueryError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match:
            raise QueryError(
                f"Unexpected character at position {position}: {text[position : position + 10]!r}"
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent: or_expr := and_expr (OR and_expr)*; and_expr := unary (AND unary)*."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise QueryError("The expression ends too early.")
        self.i += 1
        return token

    def expect(self, value: str) -> None:
        _, text = self.take()
        if text != value:
            raise QueryError(f"Expected {value!r} but found {text!r}.")

    def parse(self) -> Callable[[Any, Getter], bool]:
        node = self.or_expr()
        if self.peek() is not None:
            raise QueryError(f"Unexpected {self.peek()[1]!r}.")  # type: ignore[index]
        return node

    def _is(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[1].upper() in words

    def or_expr(self) -> Callable[[Any, Getter], bool]:
        parts = [self.and_expr()]
        while self._is("OR", "||"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda r, g: any(p(r, g) for p in parts))

    def and_expr(self) -> Callable[[Any, Getter], bool]:
        parts = [self.unary()]
        while self._is("AND", "&&"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda r, g: all(p(r, g) for p in parts))

    def unary(self) -> Callable[[Any, Getter], bool]:
        if self._is("NOT", "!"):
            self.take()
            inner = self.unary()
            return lambda r, g: not inner(r, g)
        if self.peek() == ("op", "("):
            self.take()
            inner = self.or_expr()
            self.expect(")")
            return inner
        return self.comparison()

    def literal(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            return bytes(text[1:-1], "utf-8").decode("unicode_escape")
        if kind == "number":
            return Decimal(text)
        if kind == "name":
            upper = text.upper()
            if upper in ("TRUE", "FALSE"):
                return upper == "TRUE"
            if upper == "NULL":
                return None
            if upper in ("DATETIME", "DATE", "DATETIMEOFFSET"):
                self.expect("(")
                numbers = []
                while self.peek() != ("op", ")"):
                    k, t = self.take()
                    if k == "number":
                        numbers.append(int(t))
                    elif t != ",":
                        raise QueryError(f"DateTime takes numbers, not {t!r}.")
                self.expect(")")
                try:
                    if len(numbers) > 3:
                        hour, minute, second = [*numbers[3:], 0, 0][:3]
                        return datetime(
                            numbers[0], numbers[1], numbers[2], hour, minute, second, tzinfo=UTC
                        )
                    return date(numbers[0], numbers[1], numbers[2])
                except (TypeError, ValueError):
                    raise QueryError("DateTime(...) is not a valid date.") from None
            if upper == "GUID":
                self.expect("(")
                _, value = self.take()
                self.expect(")")
                return value.strip('"').lower()
        raise QueryError(f"Expected a value but found {text!r}.")

    def comparison(self) -> Callable[[Any, Getter], bool]:
        kind, path = self.take()
        if kind != "name":
            raise QueryError(f"Expected a field name but found {path!r}.")
        transform: Callable[[Any], Any] = lambda v: v  # noqa: E731
        segments = path.split(".")
        method = segments[-1].upper() if len(segments) > 1 else ""
        if method in ("TOLOWER", "TOUPPER"):
            path = ".".join(segments[:-1])
            lower = method == "TOLOWER"
            self.expect("(")
            self.expect(")")
            transform = lambda v: (v.lower() if lower else v.upper()) if isinstance(v, str) else v  # noqa: E731
            segments = path.split(".")
            method = segments[-1].upper() if len(segments) > 1 else ""
        if method in ("CONTAINS", "STARTSWITH", "ENDSWITH"):
            field = ".".join(segments[:-1])
            self.expect("(")
            needle = self.literal()
            self.expect(")")
            if not isinstance(needle, str):
                raise QueryError(f"{segments[-1]} takes a string.")

            def call(r: Any, g: Getter) -> bool:
                value = g(r, field)
                if not isinstance(value, str):
                    return False
                if method == "CONTAINS":
                    return needle in value
                return (
                    value.startswith(needle) if method == "STARTSWITH" else value.endswith(needle)
                )

            return call
        _, op = self.take()
        if op not in ("==", "!=", ">", ">=", "<", "<="):
            raise QueryError(f"Expected a comparison after {path} but found {op!r}.")
        expected = self.literal()

        guid = isinstance(expected, str) and _is_guid(expected)
        target = expected.lower() if guid else expected

        def compare(r: Any, g: Getter) -> bool:
            value = transform(g(r, path))
            if guid and isinstance(value, str):
                value = value.lower()
            elif not isinstance(value, str) or not isinstance(target, str):
                value = _coerce(value, target)
            if op == "==":
                return bool(value == target)
            if op == "!=":
                return bool(value != target)
            if value is None or target is None:
                return False
            try:
                return bool(
                    {
                        ">": value > target,
                        ">=": value >= target,
                        "<": value < target,
                        "<=": value <= target,
                    }[op]
                )
            except TypeError:
                return False

        return compare


_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def _is_guid(value: str) -> bool:
    return bool(_GUID.match(value))


def _coerce(value: Any, expected: Any) -> Any:
    """Bring a record's value to the literal's type so that they compare."""
    if (
        isinstance(expected, datetime)
        and isinstance(value, date)
        and not isinstance(value, datetime)
    ):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if (
        isinstance(expected, date)
        and not isinstance(expected, datetime)
        and isinstance(value, datetime)
    ):
        return value.date()
    if (
        isinstance(expected, Decimal)
        and value is not None
        and not isinstance(value, Decimal | bool)
    ):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return value
    if isinstance(value, str) and isinstance(expected, str) and _is_guid(value):
        return value.lower()
    return value


def compile_where(text: str) -> Callable[[Any, Getter], bool]:
    """A predicate from a `where` string, or a 400 ValidationException."""
    try:
        return _Parser(text).parse()
    except QueryError as error:
        raise validation_error([f"The where clause could not be parsed: {error}"]) from None


_MISSING = object()


def path_getter(record: dict[str, Any], path: str) -> Any:
    """A field by dotted path; Xero matches field names case-insensitively."""
    if "." not in path:
        value = record.get(path, _MISSING)
        if value is not _MISSING:
            return value
    value = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        found = value.get(part, _MISSING)
        if found is _MISSING:
            lowered = part.lower()
            found = next((v for k, v in value.items() if k.lower() == lowered), None)
        value = found
    return value


def sort_key_for(order: str) -> list[tuple[str, bool]]:
    """[(field, descending)] from `Name ASC, Date DESC`."""
    keys = []
    for part in order.split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise validation_error([f"The order clause could not be parsed: {order!r}"])
        keys.append((words[0], len(words) == 2 and words[1].upper() == "DESC"))
    return keys


def _sortable(value: Any) -> Any:
    # Aware datetimes compare slowly (each comparison asks for offsets): sort on numbers.
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, date):
        return value.toordinal()
    return value.lower() if isinstance(value, str) else value


def apply_order(
    records: list[dict[str, Any]], order: str, getter: Getter = path_getter
) -> list[dict[str, Any]]:
    """Sort by each field in turn (stable), with missing values last, as Xero lists them."""
    for field, descending in reversed(sort_key_for(order)):
        keyed = [(getter(r, field), r) for r in records]
        present = [(_sortable(k), r) for k, r in keyed if k is not None]
        missing = [r for k, r in keyed if k is None]
        try:
            present.sort(key=lambda pair: pair[0], reverse=descending)
        except TypeError:
            present.sort(key=lambda pair: str(pair[0]), reverse=descending)
        records = [r for _, r in present] + missing
    return records
