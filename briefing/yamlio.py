"""YAML with YAML 1.2 booleans and line numbers.

PyYAML follows YAML 1.1, where an unquoted ``NO`` (Norway) is ``False`` and
``2023-01-31`` becomes a date before the schema has a say. Here only
``true``/``false`` are booleans and every scalar that is not a number, a
boolean or null stays a string: the schema decides what is a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from briefing.text import CONTROL, control_message

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_VALUE = "tag:yaml.org,2002:value"
_MERGE = "tag:yaml.org,2002:merge"

MAX_NODES = 100_000
"""The most values a document may expand to through aliases (a "billion laughs" stops here)."""
MAX_DEPTH = 100
"""The deepest nesting of lists and mappings: deeper data would overflow the recursive code
that caches, fingerprints and renders it (JSON, pickle, Jinja)."""

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_Base):  # type: ignore[misc]
    """A safe loader with the YAML 1.2 core schema's booleans and numbers."""


Loader.yaml_implicit_resolvers = {
    first: [
        (tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _INT, _FLOAT, _TIMESTAMP, _VALUE)
    ]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
Loader.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    try:
        return int(loader.construct_scalar(node), 10)
    except ValueError:
        shown = node.value if len(node.value) <= 40 else node.value[:40] + "…"
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"`{shown}` is not a whole number (base 10, at most 4300 digits)",
            node.start_mark,
        ) from None


def _construct_bool(loader: Any, node: yaml.ScalarNode) -> bool:
    """An explicit ``!!bool``: its value must be one (PyYAML lets a KeyError out)."""
    value = loader.construct_scalar(node)
    found = loader.bool_values.get(str(value).lower())
    if found is None:
        shown = node.value if len(node.value) <= 40 else node.value[:40] + "…"
        raise yaml.constructor.ConstructorError(
            None, None, f"`{shown}` is not a boolean (true or false)", node.start_mark
        )
    return bool(found)


def _construct_text(loader: Any, node: yaml.ScalarNode) -> str:
    """An explicit ``!!timestamp`` stays text, like an implicit one: the schema decides."""
    return str(loader.construct_scalar(node))


def _refuse(loader: Any, node: yaml.Node) -> None:
    """Only JSON-like data: the parsed result is cached as JSON and passed to templates."""
    raise yaml.constructor.ConstructorError(
        None,
        None,
        f"the YAML tag `{node.tag.replace('tag:yaml.org,2002:', '!!')}` is not supported here",
        node.start_mark,
    )


Loader.add_constructor(_INT, _construct_int)
Loader.add_constructor(_BOOL, _construct_bool)
Loader.add_constructor(_TIMESTAMP, _construct_text)
Loader.add_constructor("tag:yaml.org,2002:binary", _refuse)
Loader.add_constructor("tag:yaml.org,2002:set", _refuse)
Loader.add_constructor("tag:yaml.org,2002:omap", _refuse)  # lists of pairs (tuples)
Loader.add_constructor("tag:yaml.org,2002:pairs", _refuse)


@dataclass
class Document:
    """A YAML mapping with the line of each top-level key and of each list item."""

    data: Any
    key_lines: dict[str, int] = field(default_factory=dict)
    item_lines: dict[str, list[int]] = field(default_factory=dict)


class YamlError(Exception):
    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


def load(text: str, first_line: int = 1) -> Document:
    """Parse ``text``, whose first line is line ``first_line`` of its file."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        plain = "*" not in text  # no alias: nothing can expand or recur, only keys can repeat
        if node is not None:
            (_check_keys if plain else _check)(node, first_line)
            if "\\" in text or "\x85" in text:  # an escape, or a raw NEL, may make a control
                _check_controls(node, first_line)
        data = _construct(loader, node, plain) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark
        line = first_line + (mark.line if mark else 0)
        col = (mark.column + 1) if mark else 1
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}: {problem}"
        if exc.problem_mark and exc.context_mark and exc.problem_mark.line != exc.context_mark.line:
            problem += f" (line {first_line + exc.problem_mark.line})"
        raise YamlError(f"invalid YAML: {problem}", line, col) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", first_line, 1) from None
    except (ValueError, OverflowError, RecursionError) as exc:
        raise YamlError(f"invalid YAML value: {exc}", first_line, 1) from None
    finally:
        loader.dispose()
    return _document(data, node, first_line)


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class _Unusual(Exception):
    """What ``_plain`` leaves to PyYAML's own construction."""


def _construct(loader: Any, node: yaml.Node, plain: bool) -> Any:
    """The data of a document: built from its nodes here when they are ``plain`` (no
    alias), its mappings and lists as PyYAML tags them and its keys hashable; else, or if
    a value cannot be made, by PyYAML, whose way through the nodes (and its error, if
    any) is then the one reported. Its generic construction took as long as the parse."""
    if not plain:
        return loader.construct_document(node)
    try:
        return _plain(loader, node)
    except Exception:  # PyYAML does it again, and says what is wrong
        pass
    # a value that failed is left half made in the loader's state: a fresh one starts clean
    fresh = Loader("")
    try:
        return fresh.construct_document(node)
    finally:
        fresh.dispose()


def _plain(loader: Any, node: yaml.Node) -> Any:
    kind = type(node)
    if kind is yaml.ScalarNode:
        if node.tag == _STR:
            return node.value
        # a number, a boolean, null... made whole now: an explicit ``!!map`` or ``!!seq``
        # is filled only at the end of ``construct_document``, and fails only there
        return loader.construct_object(node, deep=True)
    if kind is yaml.SequenceNode and node.tag == _SEQ:
        return [_plain(loader, item) for item in node.value]
    if kind is yaml.MappingNode and node.tag == _MAP:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _plain(loader, key_node)
            mapping[key] = _plain(loader, value_node)
        return mapping
    raise _Unusual(node.tag)


def _document(data: Any, node: yaml.Node | None, first_line: int) -> Document:
    doc = Document(data)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = str(key_node.value)
            # the last pair wins, as in the data (merged ``<<`` keys come first)
            doc.key_lines[key] = first_line + key_node.start_mark.line
            if isinstance(value_node, yaml.SequenceNode):
                doc.item_lines[key] = [
                    first_line + item.start_mark.line for item in value_node.value
                ]
    return doc


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_keys(node: yaml.Node, first_line: int, depth: int = 1) -> None:
    """Refuse duplicate keys and deep nesting (in a document without aliases)."""
    if depth > MAX_DEPTH:
        mark = node.start_mark
        raise YamlError(
            f"invalid YAML: lists and mappings are nested more than {MAX_DEPTH} deep",
            first_line + mark.line,
            mark.column + 1,
        )
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != _MERGE:
                if key.value in seen:
                    mark = key.start_mark
                    raise YamlError(
                        f"invalid YAML: duplicate key `{key.value}` (first on line {seen[key.value]})",
                        first_line + mark.line,
                        mark.column + 1,
                    )
                seen[key.value] = first_line + key.start_mark.line
            if isinstance(value, yaml.CollectionNode):
                _check_keys(value, first_line, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if isinstance(item, yaml.CollectionNode):
                _check_keys(item, first_line, depth + 1)


def _check_controls(root: yaml.Node, first_line: int) -> None:
    """Refuse a value or key with a control character in it, where it is written."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            found = CONTROL.search(node.value)
            if found:
                mark = node.start_mark
                raise YamlError(
                    control_message(found),
                    first_line + mark.line,
                    mark.column + 1,
                )
        else:
            stack.extend(reversed(_children(node)))


def _check(root: yaml.Node, first_line: int) -> None:
    """Refuse duplicate keys, an alias inside its own anchor, alias bombs and deep nesting.

    YAML 1.2 wants the keys of a mapping unique (PyYAML silently keeps the last
    one); a recursive or exponentially shared structure cannot be cached as JSON.
    """
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]

    def fail(message: str, node: yaml.Node) -> YamlError:
        mark = node.start_mark
        return YamlError(f"invalid YAML: {message}", first_line + mark.line, mark.column + 1)

    while stack:
        node, done = stack.pop()
        ident = id(node)
        children = _children(node)
        if done:
            active.discard(ident)
            size[ident] = 1 + sum(size[id(child)] for child in children)
            if size[ident] > MAX_NODES:
                raise fail(f"this value expands to more than {MAX_NODES} values (aliases)", node)
            height[ident] = (
                0
                if isinstance(node, yaml.ScalarNode)
                else 1 + max((height[id(child)] for child in children), default=0)
            )
            if height[ident] > MAX_DEPTH:
                raise fail(f"lists and mappings are nested more than {MAX_DEPTH} deep", node)
            continue
        if ident in size:
            continue
        active.add(ident)
        stack.append((node, True))
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, _ in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE:
                    continue
                if key.value in seen:
                    raise fail(
                        f"duplicate key `{key.value}` (first on line {seen[key.value]})", key
                    )
                seen[key.value] = first_line + key.start_mark.line
        for child in children:
            if id(child) in active:
                raise fail("an alias refers to the value that contains it", node)
            if id(child) not in size:
                stack.append((child, False))
