"""Hostile content: markup, template syntax, bidi overrides and
very long names in every field a curator writes. Nothing of it may become markup,
be evaluated, break a feed or the search index, or write outside the output folder.

Every assertion reads the output the way a browser or a feed reader would: HTML
through ``html.parser`` (tests.sitekit.parse_html), feeds through feedparser, the
search index as JSON."""

from __future__ import annotations

import json
import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import feedparser
import pytest

from tests.sitekit import Node, page, parse_html, run, write_site

# -- the hostile strings --------------------------------------------------------------

SCRIPT = "</script><script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
QUOTE = "'onmouseover='x"
ENTITIES = "&amp; &lt;"
JINJA = "{{ 7*7 }}"
RAW = "{% raw %}"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
# Control characters (``"\x01"`` and the like) are errors where they are written: see
# test_control_characters_in_every_field_are_errors below.
CTRL = "\x01\x00\x1f\x7f"
EMOJI = "😀🏳️‍🌈"  # one plain emoji, one ZWJ sequence
HOSTILE = f"{SCRIPT} {IMG} {QUOTE} {ENTITIES} {JINJA} {RAW} {RLO}abcz {EMOJI}"

TITLE = "Title " + HOSTILE
SUMMARY = "Summary " + HOSTILE
NAME = "Eve " + HOSTILE  # a registered person
ALIAS = 'Evil "><img src=x onerror=alert(2)>'
ROLE = "Role " + HOSTILE
ORG = "Org " + HOSTILE
ORG_ALIAS = "{{ 6*7 }} {% raw %}"
TAG = "tag " + HOSTILE
TAG2 = JINJA
SOURCE_TITLE = "Source " + HOSTILE
SOURCE_URL = "https://example.org/?q=\"><img src=x onerror=alert(1)>&x='y"
PUBLISHER = "Publisher " + HOSTILE
LINK_KEY = 'wiki"><b onclick=x>'
LINK_URL = 'https://example.org/w/"onmouseover="alert(1)'
UNREGISTERED = "Mallory " + HOSTILE  # gets a page from the name as written
LANG = 'x"><script>alert(1)</script>'
LONG = ("Long " + "ñ" * 95) * 100  # 10,000 characters
LONG_TAG = "t" * 10_000
EXTRA = {
    "a": HOSTILE,
    "b": [SCRIPT, {"c": IMG, "d": [JINJA, [RAW, {"e": QUOTE}]]}],
}
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def yq(value: Any) -> str:
    """A YAML flow value: JSON (YAML 1.2 is a superset), control characters as ``\\xNN``."""
    text = json.dumps(value, ensure_ascii=False)
    return re.sub(r"\\u00([01][0-9a-fA-F])", r"\\x\1", text).replace("\x7f", "\\x7f")


def squash(text: str) -> str:
    """What Node.text makes of a string: whitespace runs collapsed."""
    return " ".join(text.split())


SITE = f"""
-- briefing.yaml --
title: {yq("Site " + SCRIPT)}
description: {yq("Description " + IMG + " " + JINJA)}
language: en
base_url: https://example.org/
-- content/people/eve.yaml --
name: {yq(NAME)}
aliases: [{yq(ALIAS)}, {yq(JINJA)}]
role: {yq(ROLE)}
links:
  {yq(LINK_KEY)}: {yq(LINK_URL)}
-- content/people/long.yaml --
name: {yq(LONG)}
aliases: [{yq("L" + LONG)}]
-- content/organizations/org.yaml --
name: {yq(ORG)}
aliases: [{yq(ORG_ALIAS)}]
-- content/briefings/hostile.md --
---
title: {yq(TITLE)}
date: 2023-01-02
summary: {yq(SUMMARY)}
people: [{yq(NAME)}, {yq(UNREGISTERED)}, long]
organizations: [{yq(ORG_ALIAS)}]
tags: [{yq(TAG)}, {yq(TAG2)}, {yq(LONG_TAG)}]
sources:
  - title: {yq(SOURCE_TITLE)}
    url: {yq(SOURCE_URL)}
    publisher: {yq(PUBLISHER)}
  - {yq(SOURCE_URL)}
extra: {yq(EXTRA)}
---
Body text naming Evil "&gt;&lt;img src=x onerror=alert(2)&gt; and {{{{ 7*7 }}}} {{% raw %}}
and `{{{{ code }}}}` and &lt;script&gt;alert(1)&lt;/script&gt; 😀.

Second paragraph: {RLO}gnp.exe
-- content/briefings/lang.md --
---
title: Odd language
date: 2022-12-31
lang: {yq(LANG)}
story: {yq(HOSTILE)}
---
A briefing in a language nobody has.
-- content/briefings/plain.md --
---
title: Plain neighbour
date: 2023-01-01
people: [{yq(NAME)}]
tags: [{yq(TAG)}]
---
Nothing odd here, apart from its neighbour.
"""

# a template that shows `extra`, which the default theme does not
EXTRA_LAYOUT = """
-- layouts/briefing.html --
{% extends "base.html" %}
{% block main %}
<h1>{{ briefing.title }}</h1>
{% if briefing.extra %}
<dl>
<dt id="a">{{ briefing.extra.a }}</dt>
<dd id="b0" title="{{ briefing.extra.b[0] }}">{{ briefing.extra.b[0] }}</dd>
<dd id="c">{{ briefing.extra.b[1].c }}</dd>
<dd id="d0">{{ briefing.extra.b[1].d[0] }}</dd>
<dd id="raw">{{ briefing.extra.b[1].d[1][0] }}</dd>
<dd id="e" data-e="{{ briefing.extra.b[1].d[1][1].e }}">{{ briefing.extra.b[1].d[1][1].e }}</dd>
<dd id="all">{{ briefing.extra }}</dd>
</dl>
{% endif %}
{% endblock %}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    site = write_site(root / "site", SITE)
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert "Traceback" not in result.err
    assert result.code == 0, result.err
    return site / "output"


@pytest.fixture(scope="module")
def built_extra(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile-extra")
    site = write_site(root / "site", SITE + EXTRA_LAYOUT)
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert result.code == 0, result.err
    return site / "output"


def html_pages(out: Path) -> list[Path]:
    pages = sorted(out.rglob("*.html"))
    assert pages
    return pages


def _attr_text(tree: Node) -> list[str]:
    return [v for node in tree.iter() for v in node.attrs.values()]


# -- nothing becomes markup ----------------------------------------------------------


def test_no_script_but_the_themes_own(built: Path) -> None:
    for path in html_pages(built):
        tree = parse_html(path.read_text("utf-8"))
        scripts = tree.find_all("script")
        for node in scripts:
            assert node.attrs.get("src", "").endswith("assets/search.js"), (path, node.attrs)
            assert node.text == "", path
        # the hostile <img> and <b> never become elements
        assert not [n for n in tree.find_all("img") if n.attrs.get("src") == "x"], path
        assert not tree.find_all("b"), path


def test_no_event_handler_attribute_anywhere(built: Path) -> None:
    for path in html_pages(built):
        tree = parse_html(path.read_text("utf-8"))
        for node in tree.iter():
            handlers = [k for k in node.attrs if k.lower().startswith("on")]
            assert handlers == [], (path, node.tag, node.attrs)


def test_every_svg_is_inert(built: Path) -> None:
    """The pictures drawn at build time carry names too (activity, network)."""
    seen = 0
    for path in html_pages(built):
        tree = parse_html(path.read_text("utf-8"))
        for svg in tree.find_all("svg"):
            seen += 1
            for node in [svg, *svg.iter()]:
                assert node.tag not in ("script", "foreignobject"), path
                for key, value in node.attrs.items():
                    assert not key.lower().startswith("on")
                    if key.lower().endswith("href"):
                        assert not value.strip().lower().startswith(("javascript:", "data:"))
    assert seen  # the person pages do have pictures


def test_no_javascript_url_in_any_attribute(built: Path) -> None:
    for path in html_pages(built):
        for value in _attr_text(parse_html(path.read_text("utf-8"))):
            compact = "".join(value.split()).lower()
            assert not compact.startswith(("javascript:", "vbscript:", "data:")), (path, value)


# -- the hostile text round-trips as text --------------------------------------------


def test_briefing_page_shows_every_field_as_written(built: Path) -> None:
    tree = page(built, "briefings/hostile.html")
    article = tree.find("article", cls="briefing")
    assert article.find("h1").text == squash(TITLE)
    assert article.find("p", cls="lede").text == squash(SUMMARY)
    assert tree.find("title").text.startswith(squash(TITLE) + " · ")
    assert tree.find("meta", property="og:title").attrs["content"] == TITLE
    chips = {a.text for a in article.find_all("a", cls="chip")}
    assert {squash(NAME), squash(UNREGISTERED), squash(LONG), squash(ORG)} <= chips
    assert {squash(TAG), squash(TAG2)} <= chips
    sources = tree.find("section", cls="sources").find_all("li")
    first = sources[0]
    assert first.find("a").text == squash(SOURCE_TITLE)
    assert first.find("a").attrs["href"] == SOURCE_URL
    assert first.find("span", cls="source-url").text == squash(SOURCE_URL)
    assert squash(PUBLISHER) in first.text
    assert sources[1].find("a").attrs["href"] == SOURCE_URL


def test_template_syntax_stays_literal(built: Path) -> None:
    for path in html_pages(built):
        text = parse_html(path.read_text("utf-8")).text
        assert "49" not in text and "42" not in text, path
    body = page(built, "briefings/hostile.html").find("div", cls="body")
    assert "{{ 7*7 }} {% raw %}" in body.text
    assert "{{ code }}" in body.find("code").text
    assert "<script>alert(1)</script>" in body.text  # escaped in Markdown: shown, not run
    assert RLO + "gnp.exe" in body.text


def test_alias_in_the_body_becomes_a_mention_link(built: Path) -> None:
    body = page(built, "briefings/hostile.html").find("div", cls="body")
    mentions = body.find_all("a", cls="mention")
    assert [(a.text, a.attrs["href"]) for a in mentions] == [(squash(ALIAS), "../people/eve.html")]


def test_person_page_shows_name_role_and_links_as_text(built: Path) -> None:
    tree = page(built, "people/eve.html")
    assert tree.find("h1").text == squash(NAME)
    assert tree.find("p", cls="lede").text == squash(ROLE)
    assert tree.find("meta", property="og:title").attrs["content"] == NAME
    link = tree.find("ul", cls="links").find("a")
    assert link.attrs["href"] == LINK_URL
    assert link.text == squash(LINK_KEY).capitalize()
    assert squash(TITLE) in {a.text for a in tree.find_all("a")}


def test_other_entity_pages_show_names_as_text(built: Path) -> None:
    people = page(built, "people/index.html")
    names = {a.text for a in people.find("table").find_all("a")}
    assert {squash(NAME), squash(UNREGISTERED), squash(LONG)} <= names
    assert page(built, "people/long.html").find("h1").text == squash(LONG)
    orgs = page(built, "organizations/index.html")
    assert squash(ORG) in {a.text for a in orgs.find("table").find_all("a")}
    tags = page(built, "tags/index.html")
    tag_links = {a.text: a.attrs["href"] for a in tags.find("table").find_all("a")}
    assert {squash(TAG), squash(TAG2), LONG_TAG} <= set(tag_links)
    for href in tag_links.values():
        target = posixpath.normpath(posixpath.join("tags", unquote(href)))
        assert target.startswith("tags/") and "/" not in target.removeprefix("tags/")
        assert len(target.encode()) < 250
        assert page(built, target).find("h1").text in tag_links


def test_a_hostile_language_code_stays_an_attribute(built: Path) -> None:
    tree = page(built, "briefings/lang.html")
    langs = {node.attrs["lang"] for node in tree.iter() if "lang" in node.attrs}
    assert LANG in langs
    feed = feedparser.parse((built / "feed.xml").read_bytes())
    assert not feed.bozo
    entry = next(e for e in feed.entries if e.title == "Odd language")
    assert entry.title_detail.language == LANG


def test_home_page_cards_show_the_title(built: Path) -> None:
    tree = page(built, "index.html")
    titles = [a.text for a in tree.find_all("h3", cls="card-title")]
    assert squash(TITLE) in titles
    assert tree.find("a", cls="site-title").text == squash("Site " + SCRIPT)


def test_extra_is_passed_to_templates_as_data(built_extra: Path) -> None:
    tree = page(built_extra, "briefings/hostile.html")
    assert tree.find("h1").text == squash(TITLE)
    assert tree.find("dt", id="a").text == squash(HOSTILE)
    assert tree.find("dd", id="b0").text == squash(SCRIPT)
    assert tree.find("dd", id="b0").attrs["title"] == SCRIPT
    assert tree.find("dd", id="c").text == squash(IMG)
    assert tree.find("dd", id="d0").text == JINJA
    assert tree.find("dd", id="raw").text == RAW
    assert tree.find("dd", id="e").attrs["data-e"] == QUOTE
    assert "49" not in tree.text
    assert not tree.find_all("img") and len(tree.find_all("script")) == 1
    for node in tree.iter():
        assert not [k for k in node.attrs if k.startswith("on")]


MARKERS_SITE = """
-- briefing.yaml --
title: Markers
language: en
-- content/people/ada.yaml --
name: Ada Example
-- content/briefings/markers.md --
---
title: Markers
date: 2024-01-02
people: [Ada Example]
extra:
  body: {finished: abc}
  picture: {figure: activity, months: 3}
  caption: {figure: Figure 1, src: x.png}
---
Ada Example writes a body of her own.
-- layouts/briefing.html --
{% extends "base.html" %}
{% block main %}
<div class="body">{{ briefing.html | safe_html }}</div>
<p id="finished">{{ briefing.extra.body.finished }}</p>
<p id="figure">{{ briefing.extra.picture.figure }} {{ briefing.extra.picture.months }}</p>
<p id="caption">{{ briefing.extra.caption.figure }}</p>
{% endblock %}
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_extra_that_looks_like_a_finished_body_or_a_figure_is_data(
    tmp_path: Path, jobs: str
) -> None:
    """A finished body and a figure are values of their own types in a page's context:
    mappings under `extra` with the keys `finished` or `figure` reach the templates as
    written, on a first build and on one that reads the cache."""
    site = write_site(tmp_path / "site", MARKERS_SITE)
    for _ in range(2):
        result = run("build", "--site", site, "--jobs", jobs)
        assert result.code == 0, result.err
        tree = page(site / "output", "briefings/markers.html")
        assert tree.find("p", id="finished").text == "abc"
        assert tree.find("p", id="figure").text == "activity 3"
        assert tree.find("p", id="caption").text == "Figure 1"
        assert "writes a body of her own" in tree.find("div", cls="body").text
        (site / "content" / "briefings" / "markers.md").write_text(
            (site / "content" / "briefings" / "markers.md")
            .read_text("utf-8")
            .replace("her own", "her own, again"),
            "utf-8",
        )


# -- feeds, sitemap, search index ----------------------------------------------------


def _feeds(out: Path) -> list[Path]:
    found = [p for p in sorted(out.rglob("*.xml")) if p.name != "sitemap.xml"]
    assert out / "feed.xml" in found
    return found


def xml_text(text: str) -> str:
    return XML_ILLEGAL.sub("", text)


def test_every_feed_parses_and_shows_titles_as_text(built: Path) -> None:
    titles_seen = 0
    for path in _feeds(built):
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        for entry in parsed.entries:
            if entry.link.endswith("/briefings/hostile.html"):
                assert entry.title == xml_text(TITLE)
                assert entry.title_detail.type == "text/plain"
                titles_seen += 1
    # the site feed, Eve's, Mallory's, Long's, the organization's and the three tags'
    assert titles_seen >= 8
    eve = feedparser.parse((built / "people/eve.xml").read_bytes())
    assert xml_text(NAME) in eve.feed.title


def test_site_feed_content_keeps_the_body_escaped(built: Path) -> None:
    parsed = feedparser.parse((built / "feed.xml").read_bytes())
    entry = next(e for e in parsed.entries if e.title == xml_text(TITLE))
    content = parse_html(entry.content[0].value)
    assert not content.find_all("script") and not content.find_all("img")
    assert "<script>alert(1)</script>" in content.text


def test_sitemap_is_well_formed(built: Path) -> None:
    root = ET.fromstring((built / "sitemap.xml").read_bytes())
    locs = [el.text or "" for el in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://example.org/briefings/hostile.html" in locs


def _search_calls(out: Path) -> list[tuple[Path, str, list[Any]]]:
    files = sorted((out / "search").rglob("*.js"))
    assert files
    calls = []
    for path in files:
        text = path.read_text("utf-8")
        assert "</script" not in text.lower(), path
        assert "<" not in text, path
        assert text.isascii(), path
        match = re.fullmatch(r"briefingSearch\.(\w+)\((.*)\);\n", text, re.S)
        assert match, path
        calls.append((path, match.group(1), json.loads("[" + match.group(2) + "]")))
    return calls


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return []


def test_search_index_cannot_end_a_script_and_keeps_the_text(built: Path) -> None:
    strings = {s for _, _, args in _search_calls(built) for s in _strings(args)}
    assert TITLE in strings or squash(TITLE) in strings
    assert NAME in strings or squash(NAME) in strings
    assert ALIAS in strings
    assert TAG in strings or squash(TAG) in strings


# -- raw HTML in a briefing body -----------------------------------------------------

DANGEROUS = """\
Intro.

<script>alert("s")</script>

<iframe src="https://example.org/frame"></iframe>

<img src="https://example.org/i.png" onerror="alert('img')">

<a href="javascript:alert('a1')">a1</a> <a href="JaVaScRiPt:alert('a2')">a2</a>
<a href=" javascript:alert('a3')">a3</a> <a href="java&#x09;script:alert('a4')">a4</a>

<img src="data:image/png;base64,AAAA" alt="d">

<svg onload="alert('svg')"><circle r="1"/></svg>

<style>body { display: none }</style>

<div class="x">safe div</div>

<a href="vbscript:msgbox(1)">vb</a> <a href="https://example.org/ok">ok</a>

[m1](javascript:alert(1)) [m2](JaVaScRiPt:alert(1)) [m3](<javascript:alert(1)>)
[m4](data:text/html,x) [m5](vbscript:x) [m6][ref] [m7]( javascript:alert(1))
![i1](javascript:alert(1)) ![i2](data:image/png;base64,AAAA) ![i3](vbscript:x)

[ref]: javascript:alert(1)
"""


def _raw_site(tmp_path: Path, mode: str) -> Path:
    site = write_site(
        tmp_path / "site",
        f"""
        -- briefing.yaml --
        title: Raw
        language: en
        raw_html: {mode}
        """,
    )
    target = site / "content/briefings/raw.md"
    target.parent.mkdir(parents=True)
    target.write_text(f"---\ntitle: Raw\ndate: 2023-01-01\n---\n{DANGEROUS}", "utf-8")
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert "Traceback" not in result.err
    assert result.code == 0, result.err
    return site / "output"


def _urls(tree: Node) -> list[str]:
    return [
        value
        for node in tree.iter()
        for key, value in node.attrs.items()
        if key.lower() in ("href", "src", "action", "formaction", "poster", "data")
    ]


def _bad(url: str) -> bool:
    return "".join(url.split()).lower().startswith(("javascript:", "vbscript:", "data:"))


def test_raw_html_is_sanitized_by_default(tmp_path: Path) -> None:
    out = _raw_site(tmp_path, "sanitize")
    body = page(out, "briefings/raw.html").find("div", cls="body")
    for tag in ("script", "iframe", "svg", "style", "object", "embed", "form"):
        assert body.find_all(tag) == [], tag
    for node in body.iter():
        assert not [k for k in node.attrs if k.lower().startswith("on")], node.attrs
    assert not [u for u in _urls(body) if _bad(u)]
    assert "display" not in body.text and "alert" not in body.text
    texts = {a.text: a.attrs.get("href") for a in body.find_all("a")}
    assert texts["ok"] == "https://example.org/ok"
    for label in ("a1", "a2", "a3", "a4", "vb", "m1", "m2", "m3", "m4", "m5", "m6", "m7"):
        assert texts[label] is None, label
    assert body.find("div", cls="x").text == "safe div"
    # the clean image stays, without its handler; the data: one loses its source
    srcs = [img.attrs.get("src") for img in body.find_all("img")]
    assert "https://example.org/i.png" in srcs


def test_trusted_raw_html_stays_but_dangerous_markdown_urls_go(tmp_path: Path) -> None:
    out = _raw_site(tmp_path, "trust")
    body = page(out, "briefings/raw.html").find("div", cls="body")
    assert body.find("div", cls="x").text == "safe div"
    assert body.find_all("iframe")  # trusted: kept as written
    links = {a.text: a.attrs.get("href") for a in body.find_all("a")}
    for label in ("m1", "m2", "m3", "m4", "m5", "m6", "m7"):
        assert links[label] is None, (label, links[label])
    assert links["ok"] == "https://example.org/ok"
    images = {img.attrs.get("alt"): img.attrs.get("src") for img in body.find_all("img")}
    for alt in ("i1", "i2", "i3"):
        assert images[alt] is None, (alt, images[alt])
    # "dropped either way" (README) holds for raw links written the usual way too
    for label in ("a1", "a2", "a3", "a4", "vb"):
        assert links[label] is None, (label, links[label])


@pytest.mark.parametrize(
    "html",
    [
        "<a href='javascript:alert(1)'>x</a>",
        "<a href=javascript:alert(1)>x</a>",
        '<a HREF="javascript:alert(1)">x</a>',
        '<a href = "javascript:alert(1)">x</a>',
        "<img src='data:image/png;base64,AAAA'>",
        '<IMG SRC="data:image/png;base64,AAAA">',
    ],
)
def test_trusted_raw_links_with_any_quoting_are_dropped(tmp_path: Path, html: str) -> None:
    site = write_site(tmp_path, "-- briefing.yaml --\nraw_html: trust\n")
    (site / "content/briefings").mkdir(parents=True)
    (site / "content/briefings/r.md").write_text(
        f"---\ntitle: R\ndate: 2023-01-01\n---\nIntro.\n\n{html}\n", "utf-8"
    )
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert result.code == 0, result.err
    body = page(site / "output", "briefings/r.html").find("div", cls="body")
    assert [u for u in _urls(body) if _bad(u)] == []


# -- URLs in front matter and the registry -------------------------------------------

BAD_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "DATA:text/html,x",
    "vbscript:msgbox(1)",
    " VBScript:msgbox(1)",
]


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize("form", ["plain", "mapping"])
def test_dangerous_source_urls_are_errors(tmp_path: Path, url: str, form: str) -> None:
    item = f"- {yq(url)}" if form == "plain" else f"- {{title: T, url: {yq(url)}}}"
    site = write_site(tmp_path / "site", "-- briefing.yaml --\ntitle: S\n")
    (site / "content/briefings").mkdir(parents=True)
    (site / "content/briefings/x.md").write_text(
        f"---\ntitle: T\ndate: 2023-01-01\nsources:\n  {item}\n---\nBody.\n", "utf-8"
    )
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert result.code == 1, result.err
    assert "content/briefings/x.md:5:1: error: source `" in result.err
    assert "URLs are not allowed" in result.err
    assert not (site / "output").exists()


@pytest.mark.parametrize("url", BAD_URLS)
def test_dangerous_registry_links_are_errors(tmp_path: Path, url: str) -> None:
    site = write_site(tmp_path / "site", "-- briefing.yaml --\ntitle: S\n")
    (site / "content/people").mkdir(parents=True)
    (site / "content/people/p.yaml").write_text(
        f"name: P\nlinks:\n  wikipedia: {yq(url)}\n", "utf-8"
    )
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert result.code == 1, result.err
    assert "content/people/p.yaml:2:1: error: link `" in result.err
    assert "URLs are not allowed" in result.err
    assert not (site / "output").exists()


# -- nothing is written outside the output folder ------------------------------------

UNSAFE = ["../../x", "..", "/tmp/x", "a/../../b", ".hidden", "\u2024\u2024", "\uff0e\uff0e", "."]


def _outside(tmp_path: Path, before: set[str]) -> set[str]:
    now = {
        p.relative_to(tmp_path).as_posix()
        for p in tmp_path.rglob("*")
        if not p.relative_to(tmp_path).as_posix().startswith("site/output")
    }
    return now - before


def _tree(tmp_path: Path) -> set[str]:
    return {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")}


@pytest.mark.parametrize("slug", [*UNSAFE, "x/y", "a\\..\\b", "C:x", "~"])
def test_unsafe_briefing_slug_is_an_error(tmp_path: Path, slug: str) -> None:
    site = write_site(tmp_path / "site", "-- briefing.yaml --\ntitle: S\n")
    (site / "content/briefings").mkdir(parents=True)
    (site / "content/briefings/x.md").write_text(
        f"---\ntitle: T\ndate: 2023-01-01\nslug: {yq(slug)}\n---\nBody.\n", "utf-8"
    )
    before = _tree(tmp_path)
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert result.code == 1, result.err
    assert f"content/briefings/x.md:4:1: error: unsafe slug `{slug}`" in result.err
    assert not (site / "output").exists()
    assert _outside(tmp_path, before) == set()


@pytest.mark.parametrize("kind", ["people", "organizations", "pages"])
@pytest.mark.parametrize("slug", UNSAFE)
def test_unsafe_registry_and_page_slug_is_an_error(tmp_path: Path, kind: str, slug: str) -> None:
    site = write_site(tmp_path / "site", "-- briefing.yaml --\ntitle: S\n")
    (site / "content" / kind).mkdir(parents=True)
    if kind == "pages":
        (site / "content/pages/p.md").write_text(
            f"---\ntitle: P\nslug: {yq(slug)}\n---\nBody.\n", "utf-8"
        )
        shown, line = "content/pages/p.md", 3
    else:
        (site / "content" / kind / "p.yaml").write_text(f"name: P\nslug: {yq(slug)}\n", "utf-8")
        shown, line = f"content/{kind}/p.yaml", 2
    before = _tree(tmp_path)
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert result.code == 1, result.err
    assert f"{shown}:{line}:1: error: unsafe slug" in result.err
    assert not (site / "output").exists()
    assert _outside(tmp_path, before) == set()


@pytest.mark.parametrize(
    ("old", "code"),
    [
        ("..", 1),
        (".hidden", 1),
        ("\u2024\u2024", 1),
        ("\\..\\x", 1),
        # an old URL is reduced to its last part: it lands beside the briefing
        ("../../x", 0),
        ("/tmp/x", 0),
        ("a/../../b", 0),
        ("/briefings/old.html", 0),
    ],
)
def test_redirect_from_never_leaves_the_output(tmp_path: Path, old: str, code: int) -> None:
    site = write_site(tmp_path / "site", "-- briefing.yaml --\ntitle: S\n")
    (site / "content/briefings").mkdir(parents=True)
    (site / "content/briefings/new.md").write_text(
        f"---\ntitle: T\ndate: 2023-01-01\nredirect_from: [{yq(old)}]\n---\nBody.\n", "utf-8"
    )
    (site / "content/people").mkdir()
    (site / "content/people/p.yaml").write_text(f"name: P\nredirect_from: [{yq(old)}]\n", "utf-8")
    before = _tree(tmp_path)
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert "Traceback" not in result.err
    assert result.code == code, result.err
    assert _outside(tmp_path, before) == set()
    if code == 1:
        assert "content/briefings/new.md:4:1: error: unsafe slug" in result.err
        assert "content/people/p.yaml:2:1: error: unsafe slug" in result.err
        assert not (site / "output").exists()
    else:
        out = site / "output"
        for path in out.rglob("*"):
            assert path.resolve().is_relative_to(out.resolve())
        name = old.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
        redirect = page(out, f"briefings/{name}.html")
        assert redirect.find("a").attrs["href"] == "new.html"


@pytest.mark.parametrize("stem", ["..", "...", "\u2024\u2024", "-", "_", "a..b"])
def test_registry_file_names_make_safe_ids(tmp_path: Path, stem: str) -> None:
    site = write_site(tmp_path / "site", "-- briefing.yaml --\ntitle: S\n")
    (site / "content/people").mkdir(parents=True)
    (site / "content/people" / f"{stem}.yaml").write_text("name: Odd File\n", "utf-8")
    (site / "content/briefings").mkdir()
    (site / "content/briefings/x.md").write_text(
        "---\ntitle: T\ndate: 2023-01-01\npeople: [Odd File]\n---\nBody.\n", "utf-8"
    )
    before = _tree(tmp_path)
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert "Traceback" not in result.err
    assert result.code == 0, result.err
    assert _outside(tmp_path, before) == set()
    out = site / "output"
    people = [p.name for p in (out / "people").iterdir() if p.suffix == ".html"]
    assert len(people) == 2 and "index.html" in people
    (odd,) = [p for p in people if p != "index.html"]
    assert not odd.startswith(".") and ".." not in odd
    assert page(out, f"people/{odd}").find("h1").text == "Odd File"


def test_hidden_registry_file_is_not_read(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", "-- briefing.yaml --\ntitle: S\n")
    (site / "content/people").mkdir(parents=True)
    (site / "content/people/.hidden.yaml").write_text("name: Hidden\n", "utf-8")
    (site / "content/briefings").mkdir()
    (site / "content/briefings/x.md").write_text(
        "---\ntitle: T\ndate: 2023-01-01\n---\nBody.\n", "utf-8"
    )
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert result.code == 0, result.err
    assert not list((site / "output").rglob(".hidden*"))


# -- generated pages may not replace one another -------------------------------------


def test_person_called_index_does_not_replace_the_people_index(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site",
        """
        -- content/people/index.yaml --
        name: Indy
        -- content/people/bob.yaml --
        name: Bob
        -- content/briefings/x.md --
        ---
        title: T
        date: 2023-01-01
        people: [Indy, Bob]
        ---
        Body.
        """,
    )
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    if result.code == 0:
        table = page(site / "output", "people/index.html").find("table")
        assert {a.text for a in table.find_all("a")} == {"Indy", "Bob"}
    else:
        assert "content/people/index.yaml" in result.err


def test_tag_called_index_does_not_replace_the_tags_index(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site",
        """
        -- content/briefings/x.md --
        ---
        title: T
        date: 2023-01-01
        tags: [Index, War]
        ---
        Body.
        """,
    )
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert result.code == 0, result.err
    table = page(site / "output", "tags/index.html").find("table")
    assert {a.text for a in table.find_all("a")} == {"Index", "War"}


# -- very long names in other scripts ------------------------------------------------


@pytest.mark.parametrize(
    "front",
    [
        "tags: [" + "漢字" * 50 + "]",
        "people: [" + "漢" * 100 + "]",
        "slug: " + "漢" * 150,
    ],
    ids=["tag", "person", "slug"],
)
def test_long_names_in_other_scripts_never_crash(tmp_path: Path, front: str) -> None:
    site = write_site(tmp_path / "site", "-- briefing.yaml --\ntitle: S\n")
    (site / "content/briefings").mkdir(parents=True)
    (site / "content/briefings/x.md").write_text(
        f"---\ntitle: T\ndate: 2023-01-01\n{front}\n---\nBody.\n", "utf-8"
    )
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert "Traceback" not in result.err
    assert result.code in (0, 1), result.err
    if result.code == 0:
        for path in (site / "output").rglob("*"):
            assert len(path.name.encode()) <= 255
    else:
        assert "content/briefings/x.md:4:1: error:" in result.err
        assert not (site / "output").exists()


def test_second_page_of_a_tag_is_not_another_tag(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content/briefings").mkdir(parents=True)
    for i in range(201):  # PER_PAGE is 200
        (site / f"content/briefings/b{i}.md").write_text(
            f"---\ntitle: B{i}\ndate: 2023-01-01\ntags: [war]\n---\nBody.\n", "utf-8"
        )
    (site / "content/briefings/z.md").write_text(
        "---\ntitle: Zed\ndate: 2023-01-02\ntags: [war 2]\n---\nBody.\n", "utf-8"
    )
    result = run("build", "--site", site, "--jobs", "1", "--no-cache", "--quiet")
    assert result.code in (0, 1), result.err
    if result.code == 0:
        out = site / "output"
        pages = page(out, "tags/war.html").find("nav", cls="pagination").find_all("a")
        second = next(a.attrs["href"] for a in pages if a.text == "2")
        assert page(out, "tags/" + second).find("h1").text == "war"


# -- trusted raw HTML: attribute values that hold `>` ------------------------------


def test_trusted_attribute_with_a_greater_than_sign_stays_one_tag(tmp_path: Path) -> None:
    """A mention is never linked inside an attribute value, and a link after such an
    attribute is still rewritten (mentions.py read `<abbr title="a > Eve">` as a tag
    `<abbr title="a >` followed by text)."""
    site = write_site(
        tmp_path / "site",
        """
        -- briefing.yaml --
        raw_html: trust
        -- content/people/eve.yaml --
        name: Eve
        -- content/briefings/two.md --
        ---
        title: Two
        date: 2023-01-01
        ---
        Two.
        """,
    )
    (site / "content/briefings/one.md").write_text(
        "---\ntitle: One\ndate: 2023-01-02\n---\nIntro.\n\n"
        '<abbr title="a > Eve onmouseover=x">abbr</abbr> '
        "<a title='1 > 0' href='two.md'>two</a> and Eve < Bob.\n",
        "utf-8",
    )
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert result.code == 0, result.err
    body = page(site / "output", "briefings/one.html").find("div", cls="body")
    assert body.find("abbr").attrs == {"title": "a > Eve onmouseover=x"}
    assert body.find("a", title="1 > 0").attrs["href"] == "two.html"
    mentions = body.find_all("a", cls="mention")
    assert [(a.text, a.attrs["href"]) for a in mentions] == [("Eve", "../people/eve.html")]
    assert body.text.endswith("and Eve < Bob.")


# -- control characters ----------------------------------------------------------------


def test_control_characters_in_every_field_are_errors(tmp_path: Path) -> None:
    """Written as YAML escapes in each field of the hostile site, or raw in a body: an
    error at each place, and nothing written."""
    text = SITE.replace(yq(TITLE), yq(TITLE + CTRL)).replace(yq(NAME), yq(NAME + CTRL))
    text = text.replace("A briefing in a language", "A briefing\x1f in a language")
    site = write_site(tmp_path / "site", text)
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert result.code == 1 and "Traceback" not in result.err
    errors = [line for line in result.err.splitlines() if ": error: " in line]
    assert {e.split(": error: ")[0] for e in errors} == {
        "content/briefings/hostile.md:2:8",  # the title
        "content/briefings/lang.md:7:11",  # a body: the whole file is refused
        "content/briefings/plain.md:4:10",  # the name, in a list
        "content/people/eve.yaml:1:7",  # the name
    }
    assert all("a control character (U+" in e for e in errors)
    assert not any(c in result.err for c in CTRL)
    assert not (site / "output").exists()


# -- problem messages cannot forge other lines ---------------------------------------


def test_problem_messages_escape_control_characters(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", "-- briefing.yaml --\ntitle: S\n")
    (site / "content/briefings").mkdir(parents=True)
    (site / "content/briefings/x.md").write_text(
        "---\ntitle: T\ndate: 2023-01-01\n"
        '"peple\\n::error file=README.md,line=1::forged": 1\n'
        'draft: "yes\\nfake.md:1:1: error: forged\\x1b[2K"\n'
        "---\nBody.\n",
        "utf-8",
    )
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert result.code == 1
    assert "\x1b" not in result.err
    for line in result.err.splitlines():
        assert not line.startswith(("::", "fake.md")), line


# -- nesting that recursive code cannot follow ---------------------------------------


@pytest.mark.parametrize("depth", [150, 500, 990])
@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_deeply_nested_front_matter_is_an_error_not_a_crash(
    tmp_path: Path, depth: int, cache: bool
) -> None:
    site = write_site(tmp_path / "site", "-- briefing.yaml --\ntitle: S\n")
    (site / "content/briefings").mkdir(parents=True)
    nested = "[" * depth + "]" * depth
    (site / "content/briefings/x.md").write_text(
        f"---\ntitle: T\ndate: 2023-01-01\nextra: {{a: {nested}}}\n---\nBody.\n", "utf-8"
    )
    result = run("build", "--site", site, "--jobs", "1", *([] if cache else ["--no-cache"]))
    assert result.code == 1, result.err
    assert "content/briefings/x.md:4:" in result.err
    assert "error: invalid YAML: lists and mappings are nested more than 100 deep" in result.err
    assert not (site / "output").exists()


@pytest.mark.parametrize("lang", ["xx", "xx-YY", "i-klingon"])
def test_unknown_briefing_language_with_a_country(tmp_path: Path, lang: str) -> None:
    site = write_site(tmp_path / "site", "-- briefing.yaml --\ntitle: S\n")
    (site / "content/briefings").mkdir(parents=True)
    (site / "content/briefings/x.md").write_text(
        f"---\ntitle: T\ndate: 2023-01-01\nlang: {lang}\ncountries: [JP]\n---\nBody.\n", "utf-8"
    )
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert result.code == 0, result.err
    assert "content/briefings/x.md:4:1: warning: unknown language" in result.err
    chips = page(site / "output", "briefings/x.html").find_all("a", cls="chip-country")
    assert [a.text for a in chips] == ["Japan"]


def test_duplicate_slug_is_reported_once_on_the_content_file(tmp_path: Path) -> None:
    """Every problem names the content file at fault (README: "duplicate slugs ... on the
    second file"); a collision of output paths is that same mistake, not a second one."""
    site = write_site(tmp_path / "site", "-- briefing.yaml --\ntitle: S\n")
    (site / "content/briefings").mkdir(parents=True)
    for name in ("b0", "b1"):
        (site / f"content/briefings/{name}.md").write_text(
            "---\ntitle: T\ndate: 2023-01-01\nslug: same\n---\nBody.\n", "utf-8"
        )
    result = run("build", "--site", site, "--jobs", "1", "--no-cache")
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if ": error: " in line]
    assert errors == [
        "content/briefings/b1.md:4:1: error: duplicate slug `same`: "
        "content/briefings/b0.md has it too"
    ]
