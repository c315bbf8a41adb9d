"""Properties over generated content: whatever a curator writes, the reader and the
build answer with a clear problem or a site, never a traceback, and never write
outside the output folder.

Front matter is generated as YAML *text* (odd scalars, tags, anchors, escapes for
control characters and lone surrogates, nesting five deep, impossible dates), the
body as Markdown made of the pieces that trip parsers up. Most examples go straight
to ``parse_file`` (and ``yamlio.load``); fewer build a whole site through the CLI.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, example, find, given, settings
from hypothesis import strategies as st

from briefing import yamlio
from briefing.config import SiteConfig
from briefing.model import Parsed, parsed_from_json, parsed_to_json
from briefing.parse import BRIEFING_KEYS, ENTRY_KEYS, Settings, parse_file
from briefing.problems import has_errors
from briefing.text import CONTROL
from tests.sitekit import parse_html, run, write_site

COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
SETTINGS = Settings.of(SiteConfig(language="es", timezone="Europe/Madrid"))
TRUSTING = Settings.of(SiteConfig(raw_html="trust"))

# -- YAML text --------------------------------------------------------------------------

ODD_SCALARS = [
    "null",
    "~",
    "",
    "true",
    "false",
    "yes",
    "NO",
    "on",
    "Off",
    "-",
    "''",
    '""',
    ".nan",
    "-.inf",
    "0x1F",
    "0o17",
    "1_000",
    "+1",
    "-0",
    "1e400",
    "-1e-400",
    "1" * 5000,
    "2023-01-01",
    "2023-02-30",
    "2023-13-01",
    "0000-00-00",
    "9999-12-31",
    "10000-01-01",
    "2023-01-01T10:00:00",
    "2023-01-01 10:00",
    "2023-01-01T25:61:00+99:00",
    "2023-01-01T10:00:00Z",
    "2023-01-01T10:00:00.123456789+01:00",
    "!!binary aGk=",
    "!!set {a}",
    "!!python/object/apply:os.system ['true']",
    "!!timestamp 2023-01-01",
    "!!int 12x",
    "!!float x",
    "!!str 12",
    "!!map {}",
    "!!omap [a: 1]",
    "!!pairs [a: 1]",
    "!custom x",
    "&a x",
    "*a",
    "*nope",
    "|\n  block\n  text",
    ">-\n  folded",
    "@reserved",
    "`tick",
    "%TAG",
    "? complex",
    "a: b: c",
    "[unclosed",
    "{unclosed",
    "'unclosed",
    '"unclosed',
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "data:text/html,x",
    "vbscript:x",
    "https://example.org/a b",
    "mailto:a@example.org",
    "ftp://example.org/",
    "../../x",
    "/etc/passwd",
    "Ana",
    "ana garcía",
    "OTAN",
    "NATO",
    "Japón",
    "JP",
    "JPN",
    "Japn",
    "es",
    "xx-YY",
    "ar",
]

# escapes of every kind double-quoted YAML knows, including invalid ones
ESCAPES = st.one_of(
    st.sampled_from(["\\0", "\\a", "\\b", "\\t", "\\n", "\\e", "\\N", "\\_", "\\L", "\\P"]),
    st.sampled_from(["\\q", "\\x", "\\u12", "\\U0011FFFF", "\\"]),
    st.integers(0, 0xFF).map(lambda c: f"\\x{c:02x}"),
    st.integers(0, 0xFFFF).map(lambda c: f"\\u{c:04X}"),  # surrogates included
    st.integers(0, 0x10FFFF).map(lambda c: f"\\U{c:08x}"),
)

# text YAML accepts as is (it refuses raw C0 controls other than tab and newline), with
# bidi overrides, joiners, emoji and the characters that matter to HTML and templates
TEXT_CHARS = st.one_of(
    st.characters(
        categories=("L", "M", "N", "P", "S", "Zs"),
        exclude_characters='"\\\x85\ufeff',
    ),
    st.sampled_from([*"\t<>&'{}%#:-[]!*|", "\u202e", "\u200d", "\u2028", "😀"]),
)

texts = st.text(TEXT_CHARS, max_size=30)


def _dq(parts: list[str]) -> str:
    return '"' + "".join(parts) + '"'


def _sq(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


scalars = st.one_of(
    st.sampled_from(ODD_SCALARS),
    st.integers().map(str),
    # huge whole numbers, some past Python's 4,300-digit limit for int("...")
    st.tuples(st.sampled_from(["", "-", "+"]), st.integers(20, 6000)).map(
        lambda t: t[0] + "7" * t[1]
    ),
    st.floats().map(repr),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
    st.from_regex(r"\A[A-Za-zÁ-ú][A-Za-zÁ-ú0-9 ._-]{0,20}\Z"),
    st.lists(st.one_of(texts, ESCAPES), max_size=6).map(_dq),
    texts.map(_sq),
    texts.map(lambda t: json.dumps(t, ensure_ascii=False)),
)


def _flow_map(pairs: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


flow_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(scalars, inner), max_size=4).map(_flow_map),
    ),
    max_leaves=12,
)


@st.composite
def deep(draw: st.DrawFn) -> str:
    """A value nested five deep, lists and mappings alternating as drawn."""
    value = draw(scalars)
    for _ in range(5):
        if draw(st.booleans()):
            value = f"[{value}, {draw(scalars)}]"
        else:
            value = f"{{k{draw(st.integers(0, 9))}: {value}}}"
    return value


values = st.one_of(flow_values, deep())

KNOWN_KEYS = sorted(BRIEFING_KEYS)
keys = st.one_of(
    st.sampled_from(KNOWN_KEYS),
    st.sampled_from(["peple", "tittle", "Title", "TITLE", "<<", "? x", "- a", "1", "null"]),
    st.from_regex(r"\A[a-z_][a-z0-9_]{0,10}\Z"),
    texts.map(lambda t: json.dumps(t, ensure_ascii=False)),
)


@st.composite
def entries(draw: st.DrawFn) -> str:
    """One top-level ``key: value`` in flow or block style."""
    key = draw(keys)
    style = draw(st.sampled_from(["flow", "flow", "block-list", "block-map", "anchor"]))
    if style == "block-list":
        items = draw(st.lists(values, max_size=4))
        return f"{key}:\n" + "".join(f"  - {v}\n" for v in items)
    if style == "block-map":
        pairs = draw(st.lists(st.tuples(st.sampled_from(["title", "url", "x"]), values)))
        return f"{key}:\n" + "".join(f"  {k}: {v}\n" for k, v in pairs[:4])
    if style == "anchor":
        return f"{key}: &a {draw(values)}\n"
    return f"{key}: {draw(values)}\n"


good_titles = st.from_regex(r"\A[A-Z][a-z]{2,12}( [a-z]{2,8}){0,3}\Z")
good_dates = st.dates(min_value=dt.date(1990, 1, 1)).map(lambda d: d.isoformat())


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """Front matter text: usually a valid title and date (so the other keys are read),
    then random entries."""
    lines = []
    if draw(st.integers(0, 4)):
        lines.append(f"title: {draw(st.one_of(good_titles, values))}\n")
    if draw(st.integers(0, 4)):
        lines.append(f"date: {draw(st.one_of(good_dates, good_dates, values))}\n")
    lines += draw(st.lists(entries(), max_size=6))
    return "".join(lines)


# -- Markdown text ----------------------------------------------------------------------

PIECES = [
    "[",
    "]",
    "(",
    ")",
    "[x](",
    "![i](",
    "](",
    "[[",
    "]]",
    "|",
    "`",
    "``",
    "```\n",
    "~~~\n",
    "*",
    "**",
    "_",
    "# ",
    "\n## ",
    "> ",
    "> > > ",
    "- ",
    "  - ",
    "1. ",
    "\n",
    "\n\n",
    "    ",
    "\t",
    "\\",
    "&",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&nbsp;",
    "<",
    ">",
    "<div>",
    "</div>",
    "<span class='x'>",
    "<script>alert(1)</script>",
    "<img src=https://example.org/x onerror=alert(1)>",
    "<a href='javascript:alert(1)'>",
    '<a href="JaVaScRiPt:x">',
    "</a>",
    "<svg onload=alert(1)>",
    "<style>x{}</style>",
    "<!--",
    "-->",
    "<abbr title='a > Ana García'>",
    "[^1]",
    "\n[^1]: note\n",
    "*[HTML]: Hyper\n",
    "{: .cls }",
    "| a | b |\n|---|---|\n| c | d |\n",
    "---\n",
    "...\n",
    "[x](javascript:alert(1))",
    "[x](data:text/html,x)",
    "![i](vbscript:x)",
    "[x](https://example.org/)",
    "[x](/about.html)",
    "[x](#frag)",
    "[[Ana García]]",
    "[[OTAN|la Alianza]]",
    "[[nadie]]",
    "Ana García",
    "Ana",
    "OTAN",
    "NATO",
    "Japón",
    "Japan",
    "\u202e",
    "😀",
    "\x00",
    "\x1b[2J",
    "\ufeff",
]
bodies = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(max_size=12)),
    max_size=30,
).map("".join)


# -- milder content, for builds that should mostly succeed ---------------------------------

quoted_texts = st.one_of(
    texts.map(lambda t: json.dumps(t, ensure_ascii=False)),
    st.lists(st.one_of(texts, st.sampled_from(["\\x01", "\\0", "\\e", "\\u202E"])), max_size=4).map(
        _dq
    ),
)
names = st.one_of(
    st.sampled_from(["Ana García", "ana", "OTAN", "NATO", "Japón", "JP", "España", "es"]),
    quoted_texts,
)


def _flow_list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


MILD_KEYS = {
    "summary": quoted_texts,
    "people": st.lists(names, max_size=3).map(_flow_list),
    "organizations": st.lists(st.sampled_from(["OTAN", "NATO", "otan"]), max_size=2).map(
        _flow_list
    ),
    "countries": st.lists(st.sampled_from(["JP", "JPN", "Japón", "Japan", "es"]), max_size=3).map(
        _flow_list
    ),
    "actors": st.lists(names, max_size=3).map(_flow_list),
    "tags": st.lists(quoted_texts, max_size=3).map(_flow_list),
    "sources": st.lists(
        st.one_of(
            st.sampled_from(["https://example.org/a", "mailto:a@example.org", "ftp://x.org/"]),
            quoted_texts.map(lambda t: f"{{title: {t}, url: 'https://example.org/?q=1'}}"),
            quoted_texts.map(lambda t: f"{{title: {t}, publisher: {t}, date: 2023-01-01}}"),
        ),
        max_size=3,
    ).map(_flow_list),
    "lang": st.sampled_from(["es", "en", "ar", "fr-CA", "he", "xx", "i-klingon"]),
    "draft": st.sampled_from(["true", "false"]),
    "slug": st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,15}\Z"),
    "updated": good_dates,
    "story": st.sampled_from(["s1", "s2"]),
    "redirect_from": st.lists(st.from_regex(r"\A[a-z][a-z0-9]{0,8}\Z"), max_size=2).map(_flow_list),
    "extra": st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), values), max_size=3).map(
        lambda kv: _flow_map(list(dict(kv).items()))
    ),
    "tittle": quoted_texts,
}


@st.composite
def mild_front_matter(draw: st.DrawFn) -> str:
    title = draw(st.one_of(good_titles, quoted_texts.filter(lambda t: t.strip(' "'))))
    lines = [
        f"title: {title}\n",
        f"date: {draw(good_dates)}\n",
    ]
    chosen = draw(st.lists(st.sampled_from(sorted(MILD_KEYS)), max_size=6, unique=True))
    lines += [f"{key}: {draw(MILD_KEYS[key])}\n" for key in chosen]
    return "".join(lines)


SAFE_PIECES = [
    p
    for p in PIECES
    if p not in ("[x](", "![i](", "](", "[[", "[[nadie]]", "(", "[x](/about.html)")
]
mild_bodies = st.lists(
    st.one_of(st.sampled_from(SAFE_PIECES), st.text(TEXT_CHARS, max_size=12)),
    max_size=30,
).map("".join)


def _document(fm: str, body: str, fence: str = "---") -> str:
    return f"{fence}\n{fm}{fence}\n{body}"


def _round_trips(parsed: Parsed) -> None:
    """The parse is cached as JSON: what comes back must be what went in."""
    text = json.dumps(parsed_to_json(parsed), ensure_ascii=False)
    again = parsed_from_json(json.loads(text))
    assert json.dumps(parsed_to_json(again), ensure_ascii=False) == text
    if "NaN" not in text:  # nan != nan; anything else must come back equal, types and all
        assert again == parsed


def _check_parsed(path: str, parsed: Parsed) -> None:
    assert parsed.path == path
    for problem in parsed.problems:
        assert problem.path == path
        assert problem.line >= 0 and problem.col >= 0
        assert problem.severity in ("error", "warning")
        assert problem.message.strip()
    if parsed.briefing is None and parsed.entry is None and parsed.page is None:
        assert any(p.severity == "error" for p in parsed.problems)
    _round_trips(parsed)


# -- pure properties ------------------------------------------------------------------


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


@settings(max_examples=250, **COMMON)
@given(st.one_of(st.text(), front_matter(), st.lists(entries(), max_size=5).map("".join)))
def test_yaml_load_raises_only_yaml_error(text: str) -> None:
    try:
        doc = yamlio.load(text, 2)
    except yamlio.YamlError as exc:
        assert exc.message.startswith(("invalid YAML", "a control character (U+"))
        assert exc.line >= 2 and exc.col >= 1
        return
    json.dumps(doc.data, ensure_ascii=False, default=str)  # JSON-like data only
    assert not any(CONTROL.search(s) for s in _strings(doc.data))
    for line in doc.key_lines.values():
        assert line >= 2


@settings(max_examples=200, **COMMON)
@given(st.binary(max_size=300), st.sampled_from(["briefing", "page", "person", "country"]))
def test_parse_file_never_raises_on_any_bytes(data: bytes, kind: str) -> None:
    path = {
        "briefing": "content/briefings/x.md",
        "page": "content/pages/x.md",
        "person": "content/people/x.yaml",
        "country": "content/countries/jp.md",
    }[kind]
    _check_parsed(path, parse_file(path, kind, data, SETTINGS))


@settings(max_examples=250, **COMMON)
@example(  # keys that are not text, deep down in `extra`: the cache made them text
    "title: T\ndate: 2023-01-01\nextra: {a: {1: x, null: y, 1.5: [{true: z}]}}\n",
    "",
    "\n",
    False,
    False,
)
@example(  # !!omap and !!pairs make lists of tuples, which the cache made lists of lists
    "title: T\ndate: 2023-01-01\nextra: {a: !!omap [a: 1], b: !!pairs [c: 2]}\n",
    "",
    "\n",
    False,
    False,
)
@example(  # nested deeper than the recursive code after parsing can follow
    "title: T\ndate: 2023-01-01\nextra: {a: " + "[" * 500 + "]" * 500 + "}\n",
    "",
    "\n",
    False,
    False,
)
@given(
    st.one_of(front_matter(), mild_front_matter()),
    st.one_of(bodies, mild_bodies),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
    st.booleans(),
)
def test_parse_file_never_raises_on_generated_briefings(
    fm: str, body: str, newline: str, bom: bool, trust: bool
) -> None:
    text = _document(fm, body).replace("\n", newline)
    data = ("\ufeff" if bom else "").encode() + text.encode("utf-8", "surrogatepass")
    path = "content/briefings/2023/x.md"
    parsed = parse_file(path, "briefing", data, TRUSTING if trust else SETTINGS)
    _check_parsed(path, parsed)
    if parsed.briefing is not None and not trust:
        tree = parse_html(parsed.briefing.body.html)
        for node in tree.iter():
            assert node.tag not in ("script", "style", "iframe", "svg"), node.tag
            assert not [k for k in node.attrs if k.lower().startswith("on")]


registry_keys = st.one_of(st.sampled_from(sorted(ENTRY_KEYS)), keys)


@settings(max_examples=120, **COMMON)
@given(
    st.lists(st.tuples(registry_keys, values), max_size=6),
    st.sampled_from(
        ["content/people/x.yaml", "content/organizations/o.md", "content/countries/jp.yaml"]
    ),
    bodies,
)
def test_parse_file_never_raises_on_generated_registry_entries(
    pairs: list[tuple[str, str]], path: str, body: str
) -> None:
    kind = {"people": "person", "organizations": "organization", "countries": "country"}[
        path.split("/")[1]
    ]
    fm = "".join(f"{k}: {v}\n" for k, v in pairs)
    if path.endswith(".md"):
        fm = _document(fm, body)
    parsed = parse_file(path, kind, fm.encode("utf-8", "surrogatepass"), SETTINGS)
    _check_parsed(path, parsed)


# -- whole sites ----------------------------------------------------------------------

REGISTRY = """
-- briefing.yaml --
title: Propiedades
language: es
base_url: https://example.org/
-- content/people/ana-garcia.yaml --
name: Ana García
aliases: [Ana]
country: ES
-- content/organizations/otan.yaml --
name: OTAN
aliases: [NATO]
labels: {en: NATO}
members: [ES, JP]
-- content/pages/acerca.md --
---
title: Acerca
---
Una página.
"""

PROBLEM = re.compile(r"^(?P<path>[^:\n]+?)(?::\d+:\d+)?: (?P<severity>error|warning): ")


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


@st.composite
def briefing_files(draw: st.DrawFn) -> list[tuple[str, str]]:
    """1-3 briefings: either all of them mild (the build should mostly succeed) or any."""
    if draw(st.booleans()):
        doc = st.tuples(mild_front_matter(), mild_bodies)
    else:
        doc = st.tuples(st.one_of(mild_front_matter(), front_matter()), bodies)
    return draw(st.lists(doc, min_size=1, max_size=3))


@settings(max_examples=25, **COMMON)
@given(briefing_files(), st.booleans())
def test_build_answers_with_problems_or_a_site(docs: list[tuple[str, str]], strict: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        site = write_site(root / "site", REGISTRY)
        (site / "content/briefings").mkdir()
        for index, (fm, body) in enumerate(docs):
            data = _document(fm, body).encode("utf-8", "surrogatepass")
            (site / f"content/briefings/b{index}.md").write_bytes(data)
        before = _files(root)
        argv = ["build", "--site", site, "--jobs", "1", "--no-cache", "--quiet"]
        result = run(*argv, *(["--strict"] if strict else []))
        assert "Traceback" not in result.err, result.err
        assert result.code in (0, 1), result.err
        event(f"exit {result.code}")
        created = _files(root) - before
        out = site / "output"
        if result.code == 1:
            errors = [line for line in result.err.splitlines() if ": error: " in line]
            assert errors, result.err
            for line in errors:
                match = PROBLEM.match(line)
                assert match, line
                assert match["path"].startswith("content/"), line
            assert not out.exists()
            assert created == set()
            return
        assert all(path.startswith("site/output") for path in created), created
        for path in out.rglob("*.html"):
            tree = parse_html(path.read_text("utf-8"))
            assert tree.find_all("html"), path
            for node in tree.iter():
                if node.tag == "script":
                    assert node.attrs.get("src", "").endswith("assets/search.js"), path
                assert not [k for k in node.attrs if k.lower().startswith("on")], path


@pytest.mark.parametrize("wanted", [True, False], ids=["some-error", "no-error"])
def test_generated_briefings_reach_both_outcomes(wanted: bool) -> None:
    """The generators are neither so hostile that every file fails (the build property
    would never see a site) nor so tame that none does."""

    def outcome(example: tuple[str, str]) -> bool:
        data = _document(*example).encode("utf-8", "surrogatepass")
        parsed = parse_file("content/briefings/x.md", "briefing", data, SETTINGS)
        return has_errors(parsed.problems) == wanted

    find(
        st.tuples(st.one_of(front_matter(), mild_front_matter()), st.one_of(bodies, mild_bodies)),
        outcome,
        settings=settings(max_examples=300, database=None, phases=[Phase.generate], **COMMON),
    )
