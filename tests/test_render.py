"""briefing.render's Jinja environment: attribute lookups on mappings and escaping, as
Jinja does them; templates compiled in another process; relative links."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

import jinja2
import pytest
from markupsafe import Markup, escape

from briefing.pages import Shared
from briefing.render import _Environment, _escaped, adopt, environment, precompile
from briefing.urls import relative
from briefing.workers import in_background


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


class _Html:
    def __html__(self) -> str:
        return "<b>as is</b>"


_VALUES: list[object] = [
    "plain",
    "<a href=\"x\">'&amp;'</a>",
    "ünïcödé 中文 <>",
    "",
    Markup("<em>kept</em>"),
    _Html(),
    42,
    3.5,
    None,
    ["<l>"],
    {"k": "<v>"},
]


@pytest.mark.parametrize("value", _VALUES, ids=repr)
def test_output_is_escaped_as_jinja_escapes_it(value: object) -> None:
    """Output goes through ``_escaped``, not MarkupSafe's ``escape``, and reads the same:
    at the top level, in loops, macros, call blocks, set blocks and filters."""
    source = (
        "{% macro m(x) %}[{{ x }}]{% endmacro %}"
        "{% macro c(x) %}({{ x }}{{ caller() }}){% endmacro %}"
        "{% set block %}<{{ v }}>{% endset %}"
        "{{ v }}|{% for i in [v, v] %}{{ i }}{% endfor %}|{{ m(v) }}|"
        "{% call c(v) %}{{ v }}{% endcall %}|{{ block }}|{{ v | string }}|{{ v ~ '<' }}"
    )
    ours, theirs = _both(source, v=value)
    assert ours == theirs
    if isinstance(value, _Html):
        assert ours.count("<b>as is</b>") == 7


def test_templates_escape_with_the_quick_function() -> None:
    template = _Environment(autoescape=True).from_string("{{ v }}")
    assert template.root_render_func.__globals__["escape"] is _escaped
    assert _escaped("<'\"&>") == "&lt;&#39;&#34;&amp;&gt;" == str(escape("<'\"&>"))


def test_an_undefined_value_still_fails_when_output() -> None:
    env = _Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ nope }}").render()


def test_relative_links_match_a_reference() -> None:
    """``relative`` (remembered per folder) gives the link posixpath would work out."""
    folders = ["", "a", "a/b", "a/c", "b", "a/b/c"]
    names = ["index.html", "x.html", ""]
    for here in folders:
        for there in folders:
            for name in names:
                page = f"{here}/p.html" if here else "p.html"
                target = f"{there}/{name}" if there else name
                full = (f"{there}/" if there else "") + (name or "index.html")
                want = posixpath.relpath(full, here or ".")
                assert relative(page, target) == want, (page, target)


def _counting_compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    compiled: list[str] = []
    real = jinja2.Environment.compile

    def compile_(self: jinja2.Environment, source: str, name: str | None = None, *a: Any) -> Any:
        compiled.append(str(name))
        return real(self, source, name, *a)

    monkeypatch.setattr(_Environment, "compile", compile_)
    return compiled


def test_templates_compiled_in_a_child_are_used_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``precompile`` made in a forked child is not compiled again here; a template
    that does not compile is left to fail here, where its error is reported."""
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "base.html").write_text("<p>{{ x }}</p>{% block b %}{% endblock %}")
    (layouts / "briefing.html").write_text(
        '{% extends "base.html" %}{% block b %}[{{ y }}]{% endblock %}'
    )
    (layouts / "entity.html").write_text("{% if %}")
    dirs = (layouts,)
    with in_background(lambda: precompile(dirs, "child")) as later:
        codes = later()
    assert len(codes) == 2
    compiled = _counting_compiles(monkeypatch)
    adopt(dirs, "child", codes)
    env = environment(dirs, "child")
    assert env.get_template("briefing.html").render(x="<a>", y=1) == "<p>&lt;a&gt;</p>[1]"
    assert compiled == []
    with pytest.raises(jinja2.TemplateSyntaxError):
        env.get_template("entity.html")
    assert compiled == ["entity.html"]
    # this process holds them now: a child forked from it has nothing new to hand back
    with in_background(lambda: precompile(dirs, "child")) as later:
        assert later() == {}


def test_a_template_changed_after_it_was_precompiled_is_compiled_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "base.html").write_text("old {{ x }}")
    dirs = (layouts,)
    with in_background(lambda: precompile(dirs, "edited", ("base.html",))) as later:
        codes = later()
    (layouts / "base.html").write_text("new {{ x }}")
    compiled = _counting_compiles(monkeypatch)
    adopt(dirs, "edited", codes)
    assert environment(dirs, "edited").get_template("base.html").render(x=1) == "new 1"
    assert compiled == ["base.html"]


def _each_env(calls: list[str]) -> jinja2.Environment:
    """The default environment's ``each``, on templates whose macro counts its calls."""
    macros = """{% macro card(c, show=true, base=none) %}{% set base = root if base is none else base %}
{{ made(c.title) }}<a href="{{ base }}{{ c.url }}">{{ c.title }}</a>{% if show %} {{ c.n }}{% endif %};
{% endmacro %}"""
    loader = jinja2.DictLoader(
        {
            "m.html": macros,
            "each.html": '{% from "m.html" import card %}{{ each(card, cards, show, root) }}',
            "loop.html": '{% from "m.html" import card with context %}'
            "{% for c in cards %}{{ card(c, show) }}{% endfor %}",
            "context.html": '{% from "m.html" import card with context %}'
            "{{ each(card, cards, show) }}",
        }
    )
    env = environment((), "each-test").overlay(loader=loader)
    env.globals["made"] = lambda title: calls.append(title) or ""
    return env


def test_each_makes_a_card_once_for_every_page_that_lists_it() -> None:
    """``each(card, cards, ...)`` gives what the loop gives; a card with the same content
    and arguments is made once, on whatever page; another root, another content or an
    argument that is not plain data makes it again."""
    calls: list[str] = []
    env = _each_env(calls)
    assert isinstance(env, _Environment)
    a = Shared(title="A <b>", url="a.html", n=1)
    b = Shared(title="B", url="b.html", n=2)
    for root in ("../", "../", ""):
        for show in (True, False):
            page = {"cards": [a, b, a], "show": show, "root": root}
            loop = env.get_template("loop.html").render(page)
            assert env.get_template("each.html").render(page) == loop
            assert env.get_template("context.html").render(page) == loop
    assert 'href="../a.html">A &lt;b&gt;</a> 1;' in env.get_template("loop.html").render(
        cards=[a], show=True, root="../"
    )
    calls.clear()
    page = {"cards": [a, b, a, b], "show": True, "root": "../"}
    env.get_template("each.html").render(page)
    assert calls == []  # every card made before, for this root and this argument
    changed = Shared(title="A <b>", url="a.html", n=5)  # a new object: its content counts
    same = Shared(title="B", url="b.html", n=2)
    out = env.get_template("each.html").render(page, cards=[changed, same])
    assert calls == ["A <b>"]
    assert "A &lt;b&gt;</a> 5;" in out and "B</a> 2;" in out
    calls.clear()
    env.get_template("each.html").render(page, cards=[{"title": "D", "url": "d", "n": [1]}] * 2)
    assert calls == ["D"]  # plain data: equal mappings are equal
    calls.clear()
    odd = type("Odd", (), {"title": "E", "url": "e", "n": 0})()
    env.get_template("each.html").render(page, cards=[odd, odd])
    assert calls == ["E", "E"]  # not plain data: never taken as equal


def test_each_with_a_macro_imported_with_context_keeps_nothing_between_pages() -> None:
    """Imported with context, a macro is made anew for each page, reading the page's
    ``root``: its cards are made again on the next page, with that page's root."""
    calls: list[str] = []
    env = _each_env(calls)
    a = Shared(title="A", url="a.html", n=1)
    first = env.get_template("context.html").render(cards=[a, a], show=True, root="../")
    second = env.get_template("context.html").render(cards=[a], show=True, root="")
    assert calls == ["A", "A"]
    assert 'href="../a.html"' in first and 'href="a.html"' in second
