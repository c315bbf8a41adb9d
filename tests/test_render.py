"""briefing.render's Jinja environment: attribute lookups on mappings, as Jinja does them."""

from __future__ import annotations

import jinja2
import pytest

from briefing.pages import Shared
from briefing.render import _Environment


def _both(source: str, **context: object) -> tuple[str, str]:
    options = {"autoescape": True, "undefined": jinja2.StrictUndefined}
    ours = _Environment(**options).from_string(source).render(**context)
    theirs = jinja2.Environment(**options).from_string(source).render(**context)
    return ours, theirs


@pytest.mark.parametrize("mapping", [dict, Shared])
def test_a_key_is_found_as_jinja_finds_it(mapping: type) -> None:
    card = mapping(title="<T>", url="a.html", count=3)
    ours, theirs = _both("{{ c.title }} {{ c.url }} {{ c.count }} {{ c['title'] }}", c=card)
    assert ours == theirs == "&lt;T&gt; a.html 3 &lt;T&gt;"


@pytest.mark.parametrize("mapping", [dict, Shared])
def test_mapping_attributes_still_win_over_keys(mapping: type) -> None:
    """``group.items`` is the mapping's method in Jinja even with an "items" key."""
    group = mapping(items=[1, 2], keys="k")
    source = "{{ g.items() | list | length }} {{ g['items'] | length }} {{ g.keys() | join(',') }}"
    ours, theirs = _both(source, g=group)
    assert ours == theirs == "2 2 items,keys"


def test_objects_and_lists_keep_jinja_lookups() -> None:
    class Thing:
        name = "x"

    ours, theirs = _both("{{ t.name }} {{ l.0 }} {{ s.upper() }}", t=Thing(), l=[7], s="a")
    assert ours == theirs == "x 7 A"


@pytest.mark.parametrize("mapping", [dict, Shared])
def test_a_missing_key_is_undefined(mapping: type) -> None:
    env = _Environment(undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError, match="has no attribute 'nope'"):
        env.from_string("{{ c.nope }}").render(c=mapping(title="t"))
    assert env.from_string("{{ c.nope is defined }}").render(c=mapping()) == "False"
