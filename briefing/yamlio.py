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

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_Base):  # type: ignore[misc]
    """A safe loader with the YAML 1.2 core schema's booleans and numbers."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _INT, _FLOAT, _TIMESTAMP)]
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
    return int(loader.construct_scalar(node), 10)


Loader.add_constructor(_INT, _construct_int)


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
        data = loader.construct_document(node) if node is not None else None
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
    doc = Document(data)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = str(key_node.value)
            doc.key_lines.setdefault(key, first_line + key_node.start_mark.line)
            if isinstance(value_node, yaml.SequenceNode):
                doc.item_lines[key] = [
                    first_line + item.start_mark.line for item in value_node.value
                ]
    return doc
