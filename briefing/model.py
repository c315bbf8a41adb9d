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
from typing import Any, Literal, TypeVar

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


@dataclass(frozen=True)
class Link:
    """A link or image target written in a Markdown body, with its line."""

    url: str
    line: int


@dataclass(frozen=True)
class Body:
    """Markdown rendered and sanitized; site-wide links and mentions come later."""

    html: str
    text: str
    first_paragraph: str
    words: tuple[str, ...]
    links: tuple[Link, ...]
    wikilinks: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Ref:
    """An actor as written in front matter: `people`, `countries`, `organizations` or `actors`."""

    text: str
    field: str
    line: int


@dataclass(frozen=True)
class Source:
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


@dataclass(frozen=True)
class Parsed:
    """What one content file became, and what was wrong with it."""

    path: str
    briefing: Briefing | None = None
    entry: Entry | None = None
    page: Page | None = None
    problems: tuple[Problem, ...] = ()


T = TypeVar("T")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


def from_json(tp: Any, value: Any) -> Any:
    """Rebuild typed data from JSON; anything unexpected raises, so a bad cache entry is a miss."""
    return _reader(tp)(value)


Reader = Callable[[Any], Any]


@cache
def _reader(tp: Any) -> Reader:
    """A converter for one type, built once: reading 10,000 cached files must be quick."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = _hints(tp)
        fields = [(f.name, _reader(hints[f.name])) for f in dataclasses.fields(tp)]
        cls = tp

        def read_dataclass(value: Any) -> Any:
            if not isinstance(value, dict):
                raise TypeError(cls)
            return cls(*[read(value[name]) for name, read in fields])

        return read_dataclass
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        optional = type(None) in args
        readers = [_reader(arg) for arg in args if arg is not type(None)]
        if optional and len(readers) == 1:
            only = readers[0]

            def read_optional(value: Any) -> Any:
                return None if value is None else only(value)

            return read_optional

        def read_union(value: Any) -> Any:
            if value is None and optional:
                return None
            for read in readers:
                try:
                    return read(value)
                except (TypeError, KeyError, ValueError):
                    continue
            raise TypeError(tp)

        return read_union
    if origin is tuple:
        item = _reader(typing.get_args(tp)[0])

        def read_tuple(value: Any) -> Any:
            if not isinstance(value, list):
                raise TypeError(tp)
            return tuple(item(v) for v in value)

        return read_tuple
    if origin is dict:

        def read_dict(value: Any) -> Any:
            if not isinstance(value, dict):
                raise TypeError(tp)
            return dict(value)

        return read_dict
    if origin is Literal:
        allowed = frozenset(typing.get_args(tp))

        def read_literal(value: Any) -> Any:
            if value not in allowed:
                raise ValueError(value)
            return value

        return read_literal
    if tp is Any:
        return _same
    if tp in (str, int, bool, float):

        def read_scalar(value: Any) -> Any:
            if type(value) is not tp:
                raise TypeError(tp)
            return value

        return read_scalar
    raise TypeError(tp)


def _same(value: Any) -> Any:
    return value


def parsed_from_json(value: Any) -> Parsed:
    hints = _hints(Parsed)
    if not isinstance(value, dict):
        raise TypeError("parsed")
    problems = tuple(Problem.from_json(p) for p in value["problems"])
    return Parsed(
        path=from_json(str, value["path"]),
        briefing=from_json(hints["briefing"], value["briefing"]),
        entry=from_json(hints["entry"], value["entry"]),
        page=from_json(hints["page"], value["page"]),
        problems=problems,
    )


def parsed_to_json(parsed: Parsed) -> Any:
    return {
        "path": parsed.path,
        "briefing": to_json(parsed.briefing),
        "entry": to_json(parsed.entry),
        "page": to_json(parsed.page),
        "problems": [p.to_json() for p in parsed.problems],
    }
