"""Plain frozen data passed between stages; no I/O here.

Everything a content file becomes after parsing is JSON-serializable, so the
cache can store it without trusting pickles from a foreign cache folder.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, NamedTuple

from briefing.problems import Problem

Kind = Literal["person", "country", "organization", "tag"]
KINDS: tuple[Kind, ...] = ("person", "country", "organization", "tag")
FOLDERS: dict[Kind, str] = {
    "person": "people",
    "country": "countries",
    "organization": "organizations",
    "tag": "tags",
}
FIELD_KIND: dict[str, Kind] = {
    "people": "person",
    "countries": "country",
    "organizations": "organization",
}


class Link(NamedTuple):
    """A link or image target written in a Markdown body, with its line."""

    url: str
    line: int


@dataclass(frozen=True)
class Body:
    """Markdown rendered and sanitized; site-wide links and mentions come later."""

    html: str
    text: str
    first_paragraph: str
    # The capitalized words, sorted, one a line: one string reads back from the cache much
    # quicker than thirty, and they are only needed when a body is finished anew.
    capitals: str
    links: tuple[Link, ...]
    wikilinks: tuple[Link, ...] = ()
    refused: tuple[Link, ...] = ()  # links and images the sanitizer took out (``javascript:``)

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.capitals.split("\n")) if self.capitals else ()


class Ref(NamedTuple):
    """An actor as written in front matter: `people`, `countries`, `organizations` or `actors`.
    Refs, sources and links are named tuples, not data classes: 10,000 briefings have
    120,000 of them, read back from the cache on every build, and a tuple is made in one
    step where a data class's fields are set one by one."""

    text: str
    field: str
    line: int


class Source(NamedTuple):
    title: str
    url: str | None
    publisher: str | None
    date: str | None


@dataclass(frozen=True)
class Briefing:
    path: str
    slug: str
    title: str
    date: str
    updated: str | None
    summary: str | None
    refs: tuple[Ref, ...]
    tags: tuple[Ref, ...]
    sources: tuple[Source, ...]
    lang: str | None
    draft: bool
    story: str | None
    redirect_from: tuple[str, ...]
    translation_key: str | None
    extra: dict[str, Any]
    body: Body
    lines: dict[str, int]


@dataclass(frozen=True)
class Entry:
    """A registry file: a person, an organization, or notes on a country."""

    path: str
    kind: Kind
    id: str
    name: str
    aliases: tuple[str, ...]
    labels: dict[str, str]
    role: str | None
    country: str | None
    links: dict[str, str]
    members: tuple[Ref, ...]
    redirect_from: tuple[str, ...]
    body: Body | None
    lines: dict[str, int]


@dataclass(frozen=True)
class Page:
    path: str
    slug: str
    title: str
    lang: str | None
    body: Body
    lines: dict[str, int] = field(default_factory=dict)
    redirect_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class FinishedBody:
    """A finished body in a page's context, by its cache key: fetched only if the page is
    rendered. A type of its own, so that no value a front matter's ``extra`` brings into
    a context passes for one."""

    key: str


@dataclass(frozen=True)
class Parsed:
    """What one content file became, and what was wrong with it."""

    path: str
    briefing: Briefing | None = None
    entry: Entry | None = None
    page: Page | None = None
    problems: tuple[Problem, ...] = ()


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def to_json(value: Any) -> Any:
    """Positional JSON: a dataclass becomes the list of its fields' values, in order. Cached
    records are read 10,000 at a time, and lists decode in half the time of objects."""
    kind: type = type(value)
    if kind in _PLAIN:
        return value
    names = _field_names(kind)
    if names is not None:
        return [to_json(getattr(value, name)) for name in names]
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


_PLAIN = frozenset({str, int, float, bool, type(None)})


@cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names, in order (None for any other type): worked out once per
    type, not once per value, for the hundred thousand values of 1,000 parse records."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(f.name for f in dataclasses.fields(kind))


def from_json(tp: Any, value: Any) -> Any:
    """Rebuild typed data from ``to_json``; anything unexpected raises, so a bad cache entry
    is a miss."""
    return _reader(tp)(value)


Reader = Callable[[Any], Any]


class _Code:
    """Python source for the readers, compiled once per type: a generic reader costs a
    call per field, and an edit rebuild reads a quarter of a million fields."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {"_new": object.__new__}
        self.count = 0

    def name(self, value: Any) -> str:
        self.count += 1
        name = f"_v{self.count}"
        self.names[name] = value
        return name

    def check(self, tp: Any, var: str) -> str:
        """An expression that is ``var`` read as ``tp``, raising if it is not one."""
        origin = typing.get_origin(tp)
        if tp in (str, int, bool, float):
            return f"({var} if {var}.__class__ is {tp.__name__} else _bad())"
        if tp is Any:
            return var
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1 or len(typing.get_args(tp)) != 2:
                raise TypeError(tp)
            return f"(None if {var} is None else {self.check(args[0], var)})"
        if origin is tuple:
            item = typing.get_args(tp)[0]
            inner = self.check(item, "_x")
            listed = f"({var} if {var}.__class__ is list else _bad())"
            return f"tuple({listed})" if inner == "_x" else f"tuple([{inner} for _x in {listed}])"
        if origin is dict:
            return f"({var}.copy() if {var}.__class__ is dict else _bad())"
        if origin is Literal:
            return f"({var} if {var} in {self.name(frozenset(typing.get_args(tp)))} else _bad())"
        if (dataclasses.is_dataclass(tp) or _is_named_tuple(tp)) and isinstance(tp, type):
            return f"{self.name(_reader(tp))}({var})"
        raise TypeError(tp)


def _bad() -> Any:
    raise TypeError("a cached value of the wrong type")


def _is_named_tuple(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields")


@cache
def _reader(tp: Any) -> Reader:
    """A reader for one type, built once: reading 10,000 cached files must be quick."""
    if _is_named_tuple(tp):
        hints = _hints(tp)
        return _positional(tp, [(name, hints[name]) for name in tp._fields], as_tuple=True)
    if not (dataclasses.is_dataclass(tp) and isinstance(tp, type)):
        code = _Code()
        source = f"def read(_y):\n    return {code.check(tp, '_y')}\n"
        namespace = {**code.names, "_bad": _bad}
        exec(source, namespace)  # source made above from type hints only
        return namespace["read"]  # type: ignore[no-any-return]
    hints = _hints(tp)
    fields = [(f.name, hints[f.name]) for f in dataclasses.fields(tp)]
    return _positional(tp, fields, as_tuple=False)


def _positional(tp: type, fields: list[tuple[str, Any]], as_tuple: bool) -> Reader:
    """A reader of a type stored as the list of its fields' values (see ``to_json``): each
    value checked, then a named tuple made in one step, or a data class's ``__dict__``
    filled in one step. Frozen data classes set each field through object.__setattr__ in
    __init__; filling the new object's __dict__ at once is what __init__ does, without a
    call per field."""
    code = _Code()
    own = code.name(tp)
    values = [f"_a{i}" for i in range(len(fields))]
    checked = [code.check(hint, var) for (_, hint), var in zip(fields, values, strict=True)]
    lines = [
        "def read(_y):",
        f"    if _y.__class__ is not list or len(_y) != {len(fields)}:",
        "        _bad()",
        f"    {', '.join(values)}{',' if len(values) == 1 else ''} = _y",
    ]
    if as_tuple:
        lines += [f"    return _tuple_new({own}, (", *(f"        {c}," for c in checked), "    ))"]
    else:
        lines += [
            f"    _o = _new({own})",
            "    _o.__dict__.update(",
            *(f"        {name}={c}," for (name, _), c in zip(fields, checked, strict=True)),
            "    )",
            "    return _o",
        ]
    namespace = {**code.names, "_bad": _bad, "_tuple_new": tuple.__new__}
    exec("\n".join(lines) + "\n", namespace)  # made from type hints only
    return namespace["read"]  # type: ignore[no-any-return]


def parsed_from_json(value: Any) -> Parsed:
    return from_json(Parsed, value)  # type: ignore[no-any-return]


def parsed_to_json(parsed: Parsed) -> Any:
    return to_json(parsed)
