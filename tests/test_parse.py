"""briefing.parse.parse_file: one file's bytes -> a Briefing, Entry or Page, and its problems."""

from __future__ import annotations

import dataclasses
import json
import time
import types
import typing
from typing import Any

import pytest

from briefing.config import DEFAULT_EXTENSIONS
from briefing.model import Parsed, Ref, Source, parsed_from_json, parsed_to_json
from briefing.parse import BRIEFING_KEYS, Settings, parse_file
from briefing.problems import Problem

SETTINGS = Settings("es", "Europe/Madrid", DEFAULT_EXTENSIONS)
PATH = "content/briefings/2023/nota.md"

FULL = """\
---
title: "El jefe de la OTAN insta a Japón"
date: 2023-01-31T18:30:00+09:00
summary: Stoltenberg pide más cooperación.
people: [Jens Stoltenberg, "Yoon Suk-you"]
countries:
  - JP
  - Corea del Sur
organizations: [OTAN]
actors: [G7]
tags: [seguridad, Indo-Pacífico]
sources:
  - https://example.org/a
  - title: Informe sin enlace
    publisher: Agencia
    date: 2023-01-30
  - {title: Con enlace, url: "mailto:prensa@example.org"}
lang: es-ES
draft: false
slug: otan-japon
updated: 2023-02-01
story: otan-asia
redirect_from: [vieja-nota, /briefings/otra.html]
translation_key: otan-japon
extra:
  image: /img/x.png
  rating: 3
---
Stoltenberg llegó a **Tokio**.

Segundo párrafo.
"""


def parse(
    text: str | bytes, kind: str = "briefing", path: str = PATH, **settings: object
) -> Parsed:
    data = text.encode() if isinstance(text, str) else text
    chosen = Settings(**{**SETTINGS.__dict__, **settings}) if settings else SETTINGS  # type: ignore[arg-type]
    return parse_file(path, kind, data, chosen)


def brief(**keys: str) -> str:
    """A front matter with title and date unless overridden (None-valued keys dropped)."""
    fields = {"title": "T", "date": "2023-01-31", **keys}
    lines = [f"{k}: {v}" for k, v in fields.items() if v is not None]
    return "---\n" + "\n".join(lines) + "\n---\nCuerpo.\n"


def where(problems: tuple[Problem, ...] | list[Problem]) -> list[str]:
    return [p.format().split("\n")[0] for p in problems]


def only(parsed: Parsed) -> Problem:
    assert len(parsed.problems) == 1, where(parsed.problems)
    return parsed.problems[0]


# ------------------------------------------------------------ a full briefing


def test_full_briefing_uses_every_key_of_the_contract() -> None:
    front = FULL.split("---\n")[1]
    written = {line.split(":")[0] for line in front.split("\n") if line[:1].isalpha()}
    assert written == BRIEFING_KEYS


def test_full_briefing_parses_without_problems() -> None:
    parsed = parse(FULL)
    assert parsed.problems == ()
    b = parsed.briefing
    assert b is not None
    assert b.path == PATH
    assert b.title == "El jefe de la OTAN insta a Japón"
    assert b.date == "2023-01-31T18:30:00+09:00"
    assert b.summary == "Stoltenberg pide más cooperación."
    assert b.refs == (
        Ref("Jens Stoltenberg", "people", 5),
        Ref("Yoon Suk-you", "people", 5),
        Ref("JP", "countries", 7),
        Ref("Corea del Sur", "countries", 8),
        Ref("OTAN", "organizations", 9),
        Ref("G7", "actors", 10),
    )
    assert b.tags == (Ref("seguridad", "tags", 11), Ref("Indo-Pacífico", "tags", 11))
    assert b.sources == (
        Source("https://example.org/a", "https://example.org/a", None, None),
        Source("Informe sin enlace", None, "Agencia", "2023-01-30"),
        Source("Con enlace", "mailto:prensa@example.org", None, None),
    )
    assert b.lang == "es-ES"
    assert b.draft is False
    assert b.slug == "otan-japon"
    assert b.updated == "2023-02-01"
    assert b.story == "otan-asia"
    assert b.redirect_from == ("vieja-nota", "otra")
    assert b.translation_key == "otan-japon"
    assert b.extra == {"image": "/img/x.png", "rating": 3}
    assert b.lines["title"] == 2
    assert b.lines["extra"] == 25
    assert b.body.first_paragraph == "Stoltenberg llegó a Tokio."
    assert "<strong>Tokio</strong>" in b.body.html


def test_minimal_briefing_defaults() -> None:
    parsed = parse(brief())
    assert parsed.problems == ()
    b = parsed.briefing
    assert b is not None
    assert (b.slug, b.summary, b.lang, b.draft, b.story, b.updated) == (
        "nota",
        None,
        None,
        False,
        None,
        None,
    )
    assert (b.refs, b.tags, b.sources, b.redirect_from, b.extra) == ((), (), (), (), {})


def test_draft_true() -> None:
    b = parse(brief(draft="true")).briefing
    assert b is not None and b.draft is True


# ------------------------------------------------------- required fields


def test_missing_title() -> None:
    p = only(parse("---\ndate: 2023-01-31\n---\nx\n"))
    assert p.severity == "error"
    assert p.format().startswith(f"{PATH}:1:1: error: `title` is required")


@pytest.mark.parametrize("empty", ["", '""', "'   '", "~"])
def test_empty_title_points_at_its_line(empty: str) -> None:
    p = only(parse(f"---\ndate: 2023-01-31\ntitle: {empty}\n---\nx\n"))
    assert where([p]) == [f"{PATH}:3:1: error: `title` is empty"]


def test_missing_date() -> None:
    p = only(parse("---\ntitle: T\n---\nx\n"))
    assert where([p]) == [f"{PATH}:1:1: error: `date` is required"]
    assert "YYYY-MM-DD" in p.hint


def test_title_must_be_text() -> None:
    p = only(parse(brief(title="[a, b]")))
    assert where([p]) == [f"{PATH}:2:1: error: `title` must be text, not a list"]


def test_number_title_is_text() -> None:
    b = parse(brief(title="1984")).briefing
    assert b is not None and b.title == "1984"


# ------------------------------------------------------------------ dates


def test_impossible_date_has_hint() -> None:
    p = only(parse(brief(title="T", date="2023-02-30")))
    assert p.line == 3
    assert p.severity == "error"
    assert "2023-02-30" in p.message and "not a real date" in p.message
    assert "YYYY-MM-DD" in p.hint


@pytest.mark.parametrize(
    "bad", ["31/01/2023", "2023-1-31", "20230131", "mañana", "2023-01-31T25:00"]
)
def test_not_a_date(bad: str) -> None:
    p = only(parse(brief(date=bad)))
    assert p.line == 3 and p.severity == "error"
    assert "YYYY-MM-DD" in p.hint


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("2023-01-31", "2023-01-31"),
        ("2023-01-31T18:30:00", "2023-01-31T18:30:00+01:00"),  # Madrid in winter
        ("2023-07-31T18:30", "2023-07-31T18:30:00+02:00"),  # and in summer
        ("2023-01-31 18:30:00", "2023-01-31T18:30:00+01:00"),
        ("2023-01-31T18:30:00Z", "2023-01-31T18:30:00+00:00"),
        ("2023-01-31T18:30:00-05:00", "2023-01-31T18:30:00-05:00"),
    ],
)
def test_datetime_without_offset_gets_the_site_timezone(written: str, stored: str) -> None:
    parsed = parse(brief(date=written))
    assert parsed.problems == ()
    assert parsed.briefing is not None and parsed.briefing.date == stored


def test_timezone_comes_from_the_settings() -> None:
    b = parse(brief(date="2023-01-31T18:30:00"), timezone="Asia/Tokyo").briefing
    assert b is not None and b.date == "2023-01-31T18:30:00+09:00"


def test_bad_updated_date_points_at_updated() -> None:
    p = only(parse(brief(updated="2023-13-01")))
    assert p.line == 4 and "`updated`" in p.message


# -------------------------------------------------------------- list keys


def test_string_where_list_expected_is_one_item_and_a_warning() -> None:
    parsed = parse(brief(tags="seguridad", people="Ana García"))
    found = sorted((p.line, p.severity, p.message) for p in parsed.problems)
    assert found == [
        (4, "warning", "`tags` should be a list; read as one item"),
        (5, "warning", "`people` should be a list; read as one item"),
    ]
    assert parsed.briefing is not None
    assert parsed.briefing.tags == (Ref("seguridad", "tags", 4),)
    assert parsed.briefing.refs == (Ref("Ana García", "people", 5),)


def test_list_items_must_be_text_and_keep_their_lines() -> None:
    text = "---\ntitle: T\ndate: 2023-01-31\npeople:\n  - Ana\n  - {a: 1}\n  - '  '\n---\nx\n"
    parsed = parse(text)
    assert where(parsed.problems) == [
        f"{PATH}:6:1: error: `people` items must be text, not a mapping",
        f"{PATH}:7:1: warning: empty item in `people` (ignored)",
    ]
    assert parsed.briefing is not None and parsed.briefing.refs == (Ref("Ana", "people", 5),)


def test_mapping_where_list_expected_is_an_error() -> None:
    p = only(parse(brief(countries="{a: 1}")))
    assert (p.severity, p.line) == ("error", 4)


def test_extra_must_be_a_mapping() -> None:
    p = only(parse(brief(extra="[1, 2]")))
    assert (p.severity, p.line) == ("error", 4)
    assert "`extra` must be a mapping" in p.message


# ----------------------------------------------------------- unknown keys


def test_unknown_key_warns_with_closest_known_key() -> None:
    p = only(parse(brief(peple="[Ana]")))
    assert p.severity == "warning"
    assert p.line == 4
    assert "unknown key `peple`" in p.message
    assert p.hint == "did you mean `people`?"


def test_unknown_key_far_from_any_lists_known_keys() -> None:
    p = only(parse(brief(zzzzqqq="1")))
    assert p.hint.startswith("known keys: ")
    assert "people" in p.hint


# ------------------------------------------------------ the file as a whole


def test_front_matter_not_a_mapping() -> None:
    p = only(parse("---\n- a\n- b\n---\nx\n"))
    assert where([p]) == [
        f"{PATH}:2:1: error: front matter must be a mapping of `key: value` lines, not a list"
    ]


def test_front_matter_a_plain_string() -> None:
    p = only(parse("---\njust words\n---\nx\n"))
    assert p.severity == "error" and "must be a mapping" in p.message


def test_malformed_yaml_uses_the_files_line_numbers() -> None:
    # line 1 is the opening `---`, so the `[` on the fourth line of the file is line 4
    text = "---\ntitle: T\ndate: 2023-01-31\ntags: [a, b\npeople: [Ana]\n---\nx\n"
    p = only(parse(text))
    assert p.severity == "error"
    assert (p.line, p.col) == (4, 7)
    assert p.message.startswith("invalid YAML")


def test_malformed_yaml_in_a_registry_yaml_file_counts_from_one() -> None:
    p = only(parse("name: Ana\naliases: [x\n", kind="person", path="content/people/ana.yaml"))
    assert (p.line, p.col) == (2, 10)


def test_duplicate_key_is_reported_in_file_lines() -> None:
    p = only(parse("---\ntitle: A\ndate: 2023-01-31\ntitle: B\n---\nx\n"))
    assert (p.line, p.severity) == (4, "error")
    assert "duplicate key `title`" in p.message


def test_no_front_matter() -> None:
    p = only(parse("# Solo un título\n\nTexto.\n"))
    assert p.severity == "error" and p.message == "no front matter"


def test_opening_fence_may_have_trailing_spaces() -> None:
    parsed = parse("---  \ntitle: T\ndate: 2023-01-31\n---\nCuerpo.\n")
    assert parsed.problems == ()


def test_dots_close_front_matter() -> None:
    parsed = parse("---\ntitle: T\ndate: 2023-01-31\n...\nCuerpo.\n")
    assert parsed.problems == ()
    assert parsed.briefing is not None and parsed.briefing.body.text == "Cuerpo."


def test_briefing_without_body_warns_at_body_line() -> None:
    p = only(parse("---\ntitle: T\ndate: 2023-01-31\n---\n"))
    assert (p.severity, p.line, p.message) == ("warning", 5, "the briefing has no body")


def test_empty_file() -> None:
    parsed = parse(b"")
    assert parsed.briefing is None
    assert where(parsed.problems) == [f"{PATH}:1:1: error: empty file"]


@pytest.mark.parametrize("blank", [b" ", b"\n\n", b"  \t\r\n  \n", b"\xef\xbb\xbf\n"])
def test_whitespace_only_file_is_empty(blank: bytes) -> None:
    parsed = parse(blank)
    assert parsed.briefing is None
    assert [p.message for p in parsed.problems] == ["empty file"]


def test_non_utf8_gives_byte_offset_line_and_column() -> None:
    data = b"---\ntitle: Caf\xe9\ndate: 2023-01-31\n---\nx\n"
    parsed = parse(data)
    assert parsed.briefing is None
    p = only(parsed)
    assert (p.line, p.col, p.severity) == (2, 11, "error")
    assert "not valid UTF-8" in p.message
    assert "byte offset 14" in p.message


def test_bom_and_crlf_give_the_same_result_as_lf() -> None:
    clean = parse(FULL)
    for variant in (
        b"\xef\xbb\xbf" + FULL.encode(),
        FULL.replace("\n", "\r\n").encode(),
        b"\xef\xbb\xbf" + FULL.replace("\n", "\r\n").encode(),
        FULL.replace("\n", "\r").encode(),
    ):
        assert parse(variant) == clean


def test_crlf_problem_lines_match_lf() -> None:
    text = "---\r\ntitle: T\r\ndate: 2023-02-30\r\n---\r\nx\r\n"
    assert only(parse(text)).line == 3


# ----------------------------------------------------------------- sources


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
    ],
)
def test_dangerous_source_urls_are_errors_and_dropped(url: str) -> None:
    quoted = json.dumps(url)  # a YAML double-quoted string
    text = f"---\ntitle: T\ndate: 2023-01-31\nsources:\n  - ok\n  - url: {quoted}\n    title: x\n---\nx\n"
    parsed = parse(text)
    errors = [p for p in parsed.problems if p.severity == "error"]
    assert len(errors) == 1
    assert errors[0].line == 6
    assert "not allowed" in errors[0].message
    assert parsed.briefing is not None
    assert all(s.url is None or "script" not in s.url for s in parsed.briefing.sources)
    assert len(parsed.briefing.sources) == 1


def test_ftp_source_warns_and_keeps_no_link() -> None:
    parsed = parse(brief(sources="[ftp://example.org/file]"))
    p = only(parsed)
    assert (p.severity, p.line) == ("warning", 4)
    assert "ftp:" in p.message
    assert parsed.briefing is not None
    assert parsed.briefing.sources == (Source("ftp://example.org/file", None, None, None),)


@pytest.mark.parametrize("url", ["http://", "https:///noticia", "https://[::1/x", "http://:80/"])
def test_a_source_url_without_a_host_warns_and_keeps_no_link(url: str) -> None:
    parsed = parse(brief(sources=f"[{{title: Nota, url: '{url}'}}]"))
    p = only(parsed)
    assert (p.severity, p.line) == ("warning", 4)
    assert p.message == f"source `{url}` is not a full URL: it names no host"
    assert parsed.briefing is not None
    assert parsed.briefing.sources == (Source("Nota", None, None, None),)


def test_a_registry_link_without_a_host_warns_and_is_left_out() -> None:
    text = "name: Ana\nlinks: {web: 'https://', ok: 'https://ana.example/'}\n"
    parsed = parse(text, kind="person", path="content/people/ana.yaml")
    assert where(parsed.problems) == [
        "content/people/ana.yaml:2:1: warning: link `https://` is not a full URL: it names no host"
    ]
    assert parsed.entry is not None and parsed.entry.links == {"ok": "https://ana.example/"}


def test_source_without_title_or_url_is_an_error() -> None:
    p = only(parse(brief(sources="[{publisher: X}]")))
    assert (p.severity, p.line) == ("error", 4)


def test_source_with_unknown_key_warns_with_closest() -> None:
    p = only(parse(brief(sources="[{title: X, pubisher: Y}]")))
    assert p.severity == "warning"
    assert p.hint == "did you mean `publisher`?"


def test_source_titled_with_a_number() -> None:
    parsed = parse(brief(sources="[{title: 1984, url: 'https://example.org'}]"))
    assert parsed.problems == ()
    assert parsed.briefing is not None and parsed.briefing.sources[0].title == "1984"


# ------------------------------------------------------------------- slugs


@pytest.mark.parametrize("slug", ["../x", "/abs", "a/b", "..", "a b", ".hidden", "'-x'"])
def test_unsafe_slug_is_an_error_on_its_line(slug: str) -> None:
    p = only(parse(brief(slug=slug)))
    assert (p.severity, p.line) == ("error", 4)
    assert "unsafe slug" in p.message


@pytest.mark.parametrize("empty", ["''", "~", ""])
def test_empty_slug_is_an_error(empty: str) -> None:
    p = only(parse(brief(slug=empty)))
    assert (p.severity, p.line) == ("error", 4)
    assert p.message == "`slug` is empty"


def test_unsafe_file_name_is_an_error() -> None:
    p = only(parse(brief(), path="content/briefings/mi nota.md"))
    assert p.severity == "error" and "unsafe slug `mi nota`" in p.message


def test_slug_in_any_script() -> None:
    b = parse(brief(slug="हिन्दी-नोट")).briefing
    assert b is not None and b.slug == "हिन्दी-नोट"


def test_redirect_from_keeps_only_the_last_part() -> None:
    """An old address in the briefings' folder is its slug; one in another folder is too,
    with a warning: the redirect is not made where it says."""
    parsed = parse(brief(redirect_from="[old/path/foo.html, '/briefings/y.html', 'a b']"))
    assert [(p.severity, p.message) for p in parsed.problems] == [
        (
            "warning",
            "`redirect_from: old/path/foo.html` is read as the old slug `foo`: "
            "the redirect is made at briefings/foo.html",
        ),
        ("error", "unsafe slug `a b` in `redirect_from`"),
    ]
    assert parsed.briefing is not None and parsed.briefing.redirect_from == ("foo", "y")


# ------------------------------------------------------------- other keys


@pytest.mark.parametrize("value", ["yes", "no", "1", "'true'", "[true]"])
def test_draft_must_be_a_boolean(value: str) -> None:
    parsed = parse(brief(draft=value))
    p = only(parsed)
    assert (p.severity, p.line) == ("error", 4)
    assert "`draft` is `true` or `false`" in p.message
    assert parsed.briefing is not None and parsed.briefing.draft is False


def test_unknown_language_warns() -> None:
    p = only(parse(brief(lang="xx-YY")))
    assert (p.severity, p.line) == ("warning", 4)


def test_norway_language_code_stays_a_string() -> None:
    parsed = parse(brief(lang="no"))
    assert parsed.problems == ()
    assert parsed.briefing is not None and parsed.briefing.lang == "no"


# ---------------------------------------------------------------- registry


def test_registry_yaml_entry() -> None:
    text = (
        "name: Yoon Suk-yeol\n"
        "aliases: [Yoon Suk-you, Yoon]\n"
        "labels: {en: Yoon Suk Yeol, pt_BR: Yoon}\n"
        "role: Presidente\n"
        "country: KR\n"
        "links:\n"
        "  wikidata: https://www.wikidata.org/wiki/Q20000443\n"
    )
    parsed = parse(text, kind="person", path="content/people/yoon-suk-yeol.yaml")
    assert parsed.problems == ()
    e = parsed.entry
    assert e is not None
    assert (e.kind, e.id, e.name, e.role, e.country) == (
        "person",
        "yoon-suk-yeol",
        "Yoon Suk-yeol",
        "Presidente",
        "KR",
    )
    assert e.aliases == ("Yoon Suk-you", "Yoon")
    assert e.labels == {"en": "Yoon Suk Yeol", "pt-BR": "Yoon"}
    assert e.links == {"wikidata": "https://www.wikidata.org/wiki/Q20000443"}
    assert e.body is None
    assert e.lines == {
        "name": 1,
        "aliases": 2,
        "labels": 3,
        "role": 4,
        "country": 5,
        "links": 6,
    }


def test_registry_md_entry_has_a_biography() -> None:
    text = "---\nname: NATO\nlabels: {es: OTAN}\nmembers: [US, NO]\n---\nFundada en **1949**.\n"
    parsed = parse(text, kind="organization", path="content/organizations/nato.md")
    assert parsed.problems == ()
    e = parsed.entry
    assert e is not None
    assert (e.kind, e.id, e.name) == ("organization", "nato", "NATO")
    assert e.labels == {"es": "OTAN"}
    assert e.members == (Ref("US", "members", 4), Ref("NO", "members", 4))
    assert e.body is not None and "<strong>1949</strong>" in e.body.html
    assert e.lines["name"] == 2


def test_registry_name_is_required() -> None:
    parsed = parse("role: Presidente\n", kind="person", path="content/people/x.yaml")
    assert where(parsed.problems) == ["content/people/x.yaml:1:1: error: `name` is required"]


def test_registry_empty_name_points_at_it() -> None:
    parsed = parse("role: R\nname: ''\n", kind="person", path="content/people/x.yaml")
    assert where(parsed.problems) == ["content/people/x.yaml:2:1: error: `name` is empty"]


def test_registry_id_is_the_slug_of_the_file_name() -> None:
    e = parse("name: Ana\n", kind="person", path="content/people/Ana García.yaml").entry
    assert e is not None and e.id == "ana-garcia"


def test_registry_unknown_key_and_bad_link() -> None:
    text = "name: Ana\nalias: [A]\nlinks: {web: 'javascript:x', ftp: 'ftp://x', ok: 'https://x'}\n"
    parsed = parse(text, kind="person", path="content/people/ana.yaml")
    assert where(parsed.problems) == [
        "content/people/ana.yaml:2:1: warning: unknown key `alias` (ignored)",
        "content/people/ana.yaml:3:1: error: link `javascript:x`: javascript: URLs are not allowed",
        "content/people/ana.yaml:3:1: warning: link `ftp://x` uses `ftp:`; only http, https and mailto links are made",
    ]
    assert parsed.problems[0].hint == "did you mean `aliases`?"
    assert parsed.entry is not None and parsed.entry.links == {"ok": "https://x"}


def test_registry_label_must_be_text() -> None:
    parsed = parse("name: A\nlabels: {es: [x]}\n", kind="person", path="content/people/a.yaml")
    assert where(parsed.problems) == [
        "content/people/a.yaml:2:1: error: the label for `es` must be text"
    ]


def test_country_note_needs_no_name() -> None:
    parsed = parse(
        "---\naliases: [Nipón]\n---\nNotas.\n", kind="country", path="content/countries/jp.md"
    )
    assert parsed.problems == ()
    assert parsed.entry is not None
    assert (parsed.entry.kind, parsed.entry.id, parsed.entry.name) == ("country", "jp", "")


# ------------------------------------------------------------------- pages


def test_page_with_front_matter() -> None:
    parsed = parse(
        "---\ntitle: Acerca de\nslug: acerca\n---\nHola.\n",
        kind="page",
        path="content/pages/about.md",
    )
    assert parsed.problems == ()
    page = parsed.page
    assert page is not None
    assert (page.title, page.slug, page.lang) == ("Acerca de", "acerca", None)
    assert page.body.html == "<p>Hola.</p>"


def test_page_without_front_matter_takes_its_title_from_the_file() -> None:
    parsed = parse("Hola.\n", kind="page", path="content/pages/sobre-nosotros.md")
    assert parsed.problems == ()
    assert parsed.page is not None
    assert (parsed.page.title, parsed.page.slug) == ("Sobre nosotros", "sobre-nosotros")


def test_page_unknown_key_warns() -> None:
    parsed = parse("---\ntitel: X\n---\nHola.\n", kind="page", path="content/pages/a.md")
    p = only(parsed)
    assert (p.severity, p.line, p.hint) == ("warning", 2, "did you mean `title`?")


# ---------------------------------------------------------- large and deep


def test_five_megabyte_body_parses() -> None:
    paragraph = "Una frase de prueba con palabras corrientes y nada especial. " * 80 + "\n"
    body = (paragraph + "\n") * (5_000_000 // (len(paragraph) + 1) + 1)
    assert len(body) > 5_000_000
    started = time.perf_counter()
    parsed = parse(brief().replace("Cuerpo.\n", body))
    assert time.perf_counter() - started < 20
    assert parsed.problems == ()
    assert parsed.briefing is not None
    assert parsed.briefing.body.html.count("<p>") == body.count("\n\n")


@pytest.mark.parametrize(
    "body",
    [
        ">" * 2000 + " hondo\n",
        "".join(">" * i + " línea\n" for i in range(1, 200)),
        "1. " * 2000 + "hondo\n",
        "*" * 3000 + "x" + "*" * 3000 + "\n",
        "<div>" * 2000 + "x" + "</div>" * 2000 + "\n",
    ],
    ids=["blockquotes", "blockquote-lines", "list-items", "emphasis", "html"],
)
def test_deeply_nested_markdown_gives_a_result_or_an_error(body: str) -> None:
    parsed = parse(brief().replace("Cuerpo.\n", body))
    if parsed.briefing is None or parsed.problems:
        assert all(p.severity in ("error", "warning") for p in parsed.problems)
        assert all(p.path == PATH for p in parsed.problems)
    if any(p.severity == "error" for p in parsed.problems):
        assert [p.message for p in parsed.problems] == [
            "the Markdown is nested too deeply to render"
        ]
        assert parsed.problems[0].line == 5
    else:
        assert parsed.briefing is not None and parsed.briefing.body.html


def test_a_deep_file_does_not_spoil_the_next_one() -> None:
    before = parse(brief())
    deep = parse(brief().replace("Cuerpo.\n", "1. " * 2000 + "x\n"))
    assert [p.message for p in deep.problems] == ["the Markdown is nested too deeply to render"]
    assert parse(brief()) == before


@pytest.mark.parametrize(
    "value", ["https://example.org/a", "{title: Informe, url: 'https://example.org/a'}"]
)
def test_single_source_is_one_item_and_a_warning(value: str) -> None:
    parsed = parse(brief(sources=value))
    p = only(parsed)
    assert (p.severity, p.line) == ("warning", 4)
    assert "`sources` should be a list" in p.message
    assert parsed.briefing is not None and len(parsed.briefing.sources) == 1


def test_lang_is_written_the_bcp_47_way() -> None:
    parsed = parse(brief(lang="es_ES"))
    assert parsed.problems == ()
    assert parsed.briefing is not None and parsed.briefing.lang == "es-ES"


def _cached_record() -> dict[str, Any]:
    text = (
        "---\ntitle: Uno\ndate: 2024-03-01\npeople: [Ana Pérez]\ncountries: [FR]\n"
        "tags: [energía]\nsources:\n  - title: Fuente\n    url: https://example.org/a\n---\n"
        "Ana Pérez habló en [París](https://example.org/p).\n"
    )
    parsed = parse_file("content/briefings/uno.md", "briefing", text.encode(), SETTINGS)
    assert parsed.briefing is not None
    return json.loads(json.dumps(parsed_to_json(parsed)))  # type: ignore[no-any-return]


def _at(record: Any, *names: str | int) -> tuple[Any, int]:
    """The list holding a field of a positional record, and the field's index: the
    record of ``Parsed``, then names of fields (of data classes and named tuples) or
    indices of tuples."""
    tp: Any = Parsed
    holder = record
    for name in names[:-1]:
        holder, index = _step(holder, tp, name)
        tp = _field_type(tp, name)
        holder = holder[index]
    container, index = _step(holder, tp, names[-1])
    return container, index


def _field_type(tp: Any, name: str | int) -> Any:
    if isinstance(name, int):
        return typing.get_args(tp)[0]
    hint = typing.get_type_hints(tp)[name]
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if typing.get_origin(hint) in (typing.Union, types.UnionType) else hint


def _step(holder: Any, tp: Any, name: str | int) -> tuple[Any, int]:
    if isinstance(name, int):
        return holder, name
    names = tp._fields if hasattr(tp, "_fields") else [f.name for f in dataclasses.fields(tp)]
    return holder, list(names).index(name)


def _set(record: Any, value: Any, *names: str | int) -> None:
    container, index = _at(record, *names)
    container[index] = value


def _drop(record: Any, *names: str | int) -> None:
    container, index = _at(record, *names)
    del container[index]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda r: _set(r, "5", "briefing", "refs", 0, "line"),
        lambda r: _drop(r, "briefing", "title"),
        lambda r: _set(r, ["Ana", 1], "briefing", "body", "capitals"),
        lambda r: _set(r, 0, "briefing", "draft"),
        lambda r: _set(r, {"text": "x"}, "briefing", "refs"),
        lambda r: _set(r, 7, "briefing", "sources", 0, "url"),
        lambda r: _set(r, ["not", "a", "record"], "briefing"),
        lambda r: _set(r, "fatal", "problems"),
    ],
)
def test_a_cached_record_of_the_wrong_shape_is_refused(spoil: Any) -> None:
    record = _cached_record()
    assert parsed_from_json(record).briefing is not None
    spoil(record)
    with pytest.raises((TypeError, KeyError, ValueError)):
        parsed_from_json(record)


@pytest.mark.parametrize(
    "data",
    [
        b"---\ntitle: x\n---\nbody\n---\nmore\n",
        b"---  \r\ntitle: x\r\n...\t\r\nbody\r\n",
        b"---\ntitle: x\n---",
        b"---\ntitle: x\rdate: 2024-01-01\r---\rbody\n---\nrest\n",
        b"---\ntitle: x\n---\xc2\xa0\nstill: front\n---\nbody\n",
        b"---\nblock: |\n  text\n---\nbody\n",
    ],
)
def test_front_matter_part_holds_all_the_front_matter(data: bytes) -> None:
    """Equal parts mean equal front matter and an equal first line for the body, whatever
    the body: the part never ends before the front matter does."""
    from briefing.load import front_matter_part
    from briefing.parse import decode, split_front_matter

    part = front_matter_part(data)
    assert part is not None and data.startswith(part)
    whole, _ = decode("x.md", data)
    other_body = b"a different body\n" if part.endswith(b"\n") else b""
    alone, _ = decode("x.md", part + other_body)
    assert whole is not None and alone is not None
    fm, _, line = split_front_matter(whole)
    assert split_front_matter(alone)[0] == fm and split_front_matter(alone)[2] == line


@pytest.mark.parametrize(
    "data", [b"title: x\n", b"\xef\xbb\xbf---\na: b\n---\n", b"---\na: b\n", b"--- x\na: b\n---\n"]
)
def test_front_matter_part_is_none_when_not_plain(data: bytes) -> None:
    from briefing.load import front_matter_part

    assert front_matter_part(data) is None


def _front_matter_part_by_lines(data: bytes) -> bytes | None:
    """The rule ``front_matter_part`` follows, line by line."""
    end = data.find(b"\n")
    if end < 0 or data[:end].rstrip() != b"---":
        return None
    while True:
        start, end = end + 1, data.find(b"\n", end + 1)
        line = data[start:] if end < 0 else data[start:end]
        if line.rstrip() in (b"---", b"..."):
            return data if end < 0 else data[: end + 1]
        if end < 0:
            return None


def test_front_matter_part_follows_the_line_rule_on_random_bytes() -> None:
    import random

    from briefing.load import front_matter_part

    rng = random.Random(11)
    pieces = [
        b"---",
        b"...",
        b"\n",
        b"\r",
        b" ",
        b"\t",
        b"\x0b",
        b"\x0c",
        b"a: b",
        b"-",
        b".",
        b"x",
    ]
    found = 0
    for _ in range(5000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        if rng.random() < 0.7:
            data = b"---\n" + data
        expected = _front_matter_part_by_lines(data)
        assert front_matter_part(data) == expected, data
        found += expected is not None
    assert found > 150


def test_records_are_positional_lists_of_fields() -> None:
    """``to_json`` lists a dataclass's fields in order, whatever holds it; a dataclass with
    no fields is an empty list, and a class is left as it is."""
    from dataclasses import dataclass

    from briefing.model import to_json

    @dataclass
    class Empty:
        pass

    @dataclass
    class Pair:
        a: object
        b: object

    assert to_json(Empty()) == []
    assert to_json(Pair(1, (Empty(), "x", None))) == [1, [[], "x", None]]
    assert to_json({"k": [Pair(True, 2.5)]}) == {"k": [[True, 2.5]]}
    assert to_json(Pair) is Pair
    assert to_json(Source("T", "https://a.b/", None, "2025-01-02")) == [
        "T",
        "https://a.b/",
        None,
        "2025-01-02",
    ]


@pytest.mark.parametrize(
    ("data", "line", "col", "code"),
    [
        ("a\rb\rcd\u0085e\r".encode(), 3, 3, "U+0085"),  # CR line endings, a C1 control
        (b"\xef\xbb\xbfab\x00", 1, 3, "U+0000"),  # after a BOM
        (b"ok\n\tx\x0c\x7f", 2, 4, "U+007F"),  # tab and form feed are fine
    ],
)
def test_a_file_with_a_control_character_is_an_error_at_its_place(
    data: bytes, line: int, col: int, code: str
) -> None:
    from briefing.parse import decode

    text, problems = decode("x.md", data)
    assert text is None
    [problem] = problems
    assert (problem.line, problem.col) == (line, col)
    assert problem.message == f"a control character ({code}) that no page can show"


def test_text_with_tabs_form_feeds_and_latin_letters_is_read() -> None:
    from briefing.parse import decode

    text = "¿Qué?\t«sí»\x0c\u00a0ü\r\n"
    assert decode("x.md", text.encode()) == (text.replace("\r\n", "\n"), [])
