"""briefing.mentions.finish: mention links, links between pages and paths, on rendered HTML."""

from __future__ import annotations

import html as htmllib
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefing import markup
from briefing.config import DEFAULT_EXTENSIONS
from briefing.mentions import (
    Finished,
    Targets,
    build_names,
    capitals_spell_changed,
    changed_needs,
    finish,
    marks,
    spells_changed,
)
from briefing.model import Body
from briefing.registry import Key

JP: Key = ("country", "jp")
IR: Key = ("country", "ir")
CL: Key = ("country", "cl")
KR: Key = ("country", "kr")
NATO: Key = ("organization", "nato")
ATT: Key = ("organization", "att")
JENS: Key = ("person", "jens-stoltenberg")
YOON: Key = ("person", "yoon-suk-yeol")
URSULA: Key = ("person", "ursula-von-der-leyen")

TABLE: dict[str, Key] = {
    "Japón": JP,
    "Japan": JP,
    "Irán": IR,
    "Chile": CL,
    "Corea del Sur": KR,
    "Corea": KR,
    "OTAN": NATO,
    "NATO": NATO,
    "AT&T": ATT,
    "Jens Stoltenberg": JENS,
    "Stoltenberg": JENS,
    "Yoon Suk-you": YOON,
    "von der Leyen": URSULA,
}
FOLDER = {"person": "people", "country": "countries", "organization": "organizations"}
URLS = {key: f"{FOLDER[key[0]]}/{key[1]}.html" for key in TABLE.values()}

SOURCE = "content/briefings/2023/x.md"
PAGE = "briefings/x.html"


def wiki(text: str) -> tuple[str, str] | None:
    return {
        "OTAN": ("organizations/nato.html", "OTAN"),
        "otra-nota": ("briefings/otra-nota.html", "Otra nota"),
    }.get(text)


TARGETS = Targets(
    names=build_names(TABLE),
    actor_urls=URLS,
    source_pages={
        "content/briefings/2023/other.md": "briefings/other-slug.html",
        "content/pages/about.md": "about.html",
    },
    source_assets={
        "content/static/img/x.png": "img/x.png",
        "content/briefings/2023/chart.png": "briefings/chart.png",
        "content/briefings/2023/my photo.png": "briefings/my photo.png",
    },
    wiki=wiki,
)


def body(md: str, first_line: int = 5, *, sanitize: bool = True) -> Body:
    return markup.render(
        md, first_line, extensions=DEFAULT_EXTENSIONS, configs={}, sanitize=sanitize
    )


def run(md: str, page: str = PAGE, source: str = SOURCE, **kwargs: object) -> Finished:
    return finish(body(md), source, page, TARGETS, **kwargs)  # type: ignore[arg-type]


class Anchors(HTMLParser):
    """Every <a>: its attributes, its text, and the tags it sits inside."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.found: list[tuple[dict[str, str | None], str, tuple[str, ...]]] = []
        self.current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.found.append((dict(attrs), "", tuple(self.stack)))
            self.current = []
        if tag not in ("img", "br", "hr", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.current is not None:
            attrs, _, inside = self.found[-1]
            self.found[-1] = (attrs, "".join(self.current), inside)
            self.current = None
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current.append(data)


def anchors(html: str) -> list[tuple[dict[str, str | None], str, tuple[str, ...]]]:
    parser = Anchors()
    parser.feed(html)
    parser.close()
    return parser.found


def mentions(html: str) -> list[tuple[str, str | None]]:
    """(text, href) of every mention link."""
    return [
        (text, attrs.get("href"))
        for attrs, text, _ in anchors(html)
        if attrs.get("class") == "mention"
    ]


def plain(html: str) -> str:
    """The visible text: tags removed (not replaced by spaces), entities decoded."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]*>", "", html)).split())


def srcs(html: str) -> list[str | None]:
    found: list[str | None] = []

    class Imgs(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "img":
                found.append(dict(attrs).get("src"))

    Imgs().feed(html)
    return found


# ----------------------------------------------------------------- mentions


def test_first_mention_only_is_linked() -> None:
    done = run("Japón y Japón.\n\nOtra vez Japón y Japan.")
    assert mentions(done.html) == [("Japón", "../countries/jp.html")]
    assert done.mentioned == (JP,)


def test_two_names_of_one_actor_link_once() -> None:
    done = run("Stoltenberg habló; luego Jens Stoltenberg y la OTAN, NATO en inglés.")
    assert mentions(done.html) == [
        ("Stoltenberg", "../people/jens-stoltenberg.html"),
        ("OTAN", "../organizations/nato.html"),
    ]
    assert done.mentioned == (JENS, NATO)


def test_longest_name_wins() -> None:
    done = run("Corea del Sur y Corea.")
    assert mentions(done.html) == [("Corea del Sur", "../countries/kr.html")]


def test_link_depth_follows_the_page() -> None:
    assert mentions(run("Japón.", page="index.html").html) == [("Japón", "countries/jp.html")]
    assert mentions(run("Japón.", page="a/b/c.html").html) == [("Japón", "../../countries/jp.html")]


@pytest.mark.parametrize(
    "md",
    [
        "`Japón`",
        "<code>Japón</code>",
        "```\nJapón\n```",
        "    Japón en un bloque sangrado",
        "# Japón",
        "###### Japón",
        "[Japón](https://example.org)",
        "<kbd>Japón</kbd>",
    ],
)
def test_no_mentions_inside_code_links_or_headings(md: str) -> None:
    done = run(md + "\n\nY al final Japón.")
    assert mentions(done.html) == [("Japón", "../countries/jp.html")]
    last = done.html.rindex("Y al final")
    assert done.html.index('class="mention"') > last


def test_tags_passed_by_as_they_are_are_none_that_skip_link_or_close_a_wikilink() -> None:
    from briefing.mentions import _PLAIN, SKIP

    assert all(re.fullmatch(r"</?[a-z0-9]+>|<[a-z]+ />", tag) for tag in _PLAIN)  # no attribute
    names = {re.sub(r"[</> ]", "", tag) for tag in _PLAIN}
    assert "p" in names and "li" in names
    assert not names & (SKIP | {"a"}), "a tag whose text is skipped must be tracked"


def test_names_are_linked_in_lists_tables_and_emphasis_alike() -> None:
    done = run("- Japón\n- *Corea del Sur* y **la OTAN**\n\n| a |\n|---|\n| Stoltenberg |")
    assert mentions(done.html) == [
        ("Japón", "../countries/jp.html"),
        ("Corea del Sur", "../countries/kr.html"),
        ("OTAN", "../organizations/nato.html"),
        ("Stoltenberg", "../people/jens-stoltenberg.html"),
    ]


def test_heading_levels_all_skipped() -> None:
    md = "\n\n".join(f"{'#' * n} Japón {n}" for n in range(1, 7))
    done = run(md)
    assert mentions(done.html) == []
    assert done.mentioned == ()


@pytest.mark.parametrize(
    "md",
    ["Japónica", "ElJapón", "Japón2", "Japón_x", "OTANes", "NATOs"],
)
def test_whole_words_only(md: str) -> None:
    assert mentions(run(md).html) == []


def test_word_boundaries_are_punctuation_and_start_and_end() -> None:
    done = run("(Japón), «OTAN» y Chile.")
    assert [t for t, _ in mentions(done.html)] == ["Japón", "OTAN", "Chile"]


@pytest.mark.parametrize("md", ["el verbo irán", "chile con carne", "japón", "otan", "IRÁN"])
def test_capitalization_as_written(md: str) -> None:
    assert mentions(run(md).html) == []


def test_capitalized_form_matches() -> None:
    assert mentions(run("Irán y Chile").html) == [
        ("Irán", "../countries/ir.html"),
        ("Chile", "../countries/cl.html"),
    ]


def test_multi_word_name_across_a_newline() -> None:
    done = run("Llegó Jens\nStoltenberg a Seúl, en Corea\ndel Sur.")
    assert mentions(done.html) == [
        ("Jens Stoltenberg", "../people/jens-stoltenberg.html"),
        ("Corea del Sur", "../countries/kr.html"),
    ]


def test_name_with_hyphen_and_ampersand() -> None:
    done = run("Yoon Suk-you y AT&T.")
    assert mentions(done.html) == [
        ("Yoon Suk-you", "../people/yoon-suk-yeol.html"),
        ("AT&T", "../organizations/att.html"),
    ]


def test_name_starting_with_a_lowercase_particle() -> None:
    done = run("La presidenta von der Leyen viajó.")
    assert mentions(done.html) == [("von der Leyen", "../people/ursula-von-der-leyen.html")]


def test_own_page_does_not_link_to_itself() -> None:
    done = run("Jens Stoltenberg y la OTAN.", own=JENS)
    assert mentions(done.html) == [("OTAN", "../organizations/nato.html")]
    assert JENS not in done.mentioned


@pytest.mark.parametrize(
    "md",
    [
        "Jens Stoltenberg y la OTAN.",
        "Hola Stoltenberg, y Japón y Japón.",
        "Al principio: Stoltenberg.\n\nLuego Corea del Sur y Jens Stoltenberg otra vez.",
    ],
)
def test_own_name_keeps_its_text_and_so_does_everything_around_it(md: str) -> None:
    b = body(md)
    done = finish(b, SOURCE, "people/jens-stoltenberg.html", TARGETS, own=JENS)
    assert plain(done.html) == plain(b.html)
    assert "jens-stoltenberg.html" not in done.html


def test_finishing_never_changes_the_visible_text() -> None:
    md = (
        "La OTAN y Japón; Jens\nStoltenberg en Corea del Sur.\n\n"
        "# Japón\n\n`OTAN` [Chile](https://x) Chile, Irán, irán, AT&T.\n\n"
        "- Yoon Suk-you\n- von der Leyen y Japón"
    )
    b = body(md)
    assert plain(finish(b, SOURCE, PAGE, TARGETS).html) == plain(b.html)


def test_a_name_inside_a_longer_one_is_not_linked_even_when_the_longer_one_is_not() -> None:
    table = {"Corea del Sur": KR, "Sur": ("organization", "sur")}
    urls = {KR: "countries/kr.html", ("organization", "sur"): "organizations/sur.html"}
    targets = Targets(build_names(table), urls, {}, {}, wiki)
    done = finish(body("Corea del Sur. Otra vez Corea del Sur."), SOURCE, PAGE, targets)
    assert mentions(done.html) == [("Corea del Sur", "../countries/kr.html")]
    assert done.mentioned == (KR,)


def test_mentions_can_be_turned_off() -> None:
    done = run("Japón y [otra](other.md).", link_mentions=False)
    assert mentions(done.html) == []
    assert done.mentioned == ()
    assert done.links_to == ("briefings/other-slug.html",)


def test_text_without_any_name_is_returned_unchanged() -> None:
    b = body("Nada que enlazar aquí.")
    assert finish(b, SOURCE, PAGE, TARGETS).html == b.html


# ------------------------------------------------------------------- paths


def test_a_query_before_a_fragment_is_not_part_of_the_path() -> None:
    from briefing.urls import split_fragment

    assert split_fragment("/search.html?q=a#top") == ("/search.html", "?q=a#top")
    assert split_fragment("/a.html#x?y") == ("/a.html", "#x?y")
    assert split_fragment("/a.html") == ("/a.html", "")


def test_root_relative_links_are_told_to_the_build_with_their_lines() -> None:
    done = run(
        "Uno [a](/a.html?q=1#x) y [e](/people/ana.xml).\n\n![b](/img/b%20c.png) [c](/people/)"
        " [d](//otro.example) [f](/people) [g](/./) [h](/people/../)"
    )
    assert done.roots == (
        ("a.html", 5, "/a.html?q=1#x", "link"),
        ("people/ana.xml", 5, "/people/ana.xml", "link"),
        ("img/b%20c.png", 7, "/img/b%20c.png", "image"),
        ("people/index.html", 7, "/people/", "link"),
        ("people", 7, "/people", "link"),  # on the line where it ends, not that of ana.xml
        ("index.html", 7, "/./", "link"),
        ("index.html", 7, "/people/../", "link"),
    )


def test_root_relative_image_follows_the_page_depth() -> None:
    assert srcs(run("![x](/img/x.png)").html) == ["../img/x.png"]
    assert srcs(run("![x](/img/x.png)", page="index.html").html) == ["img/x.png"]
    assert srcs(run("![x](/img/x.png?v=2#top)", page="a/b/c.html").html) == [
        "../../img/x.png?v=2#top"
    ]


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ("/", "../index.html"),
        ("/people/", "../people/index.html"),
        ("/about.html", "../about.html"),
        ("/about.html#equipo", "../about.html#equipo"),
    ],
)
def test_root_relative_links(url: str, href: str) -> None:
    [(attrs, _, _)] = anchors(run(f"[x]({url})").html)
    assert attrs["href"] == href


def test_relative_md_link_becomes_the_other_page() -> None:
    done = run("[a](other.md) [b](./other.md#sec) [c](../../pages/about.md)")
    assert [a["href"] for a, _, _ in anchors(done.html)] == [
        "other-slug.html",
        "other-slug.html#sec",
        "../about.html",
    ]
    assert done.links_to == ("briefings/other-slug.html", "about.html")
    assert done.problems == ()


def test_image_beside_the_briefing_is_an_asset() -> None:
    done = run("![g](chart.png)")
    assert srcs(done.html) == ["chart.png"]
    assert done.assets == ("content/briefings/2023/chart.png",)


def test_percent_encoded_file_name() -> None:
    done = run("![f](my%20photo.png)")
    assert done.problems == ()
    assert done.assets == ("content/briefings/2023/my photo.png",)


def test_broken_relative_link_is_an_error() -> None:
    done = run("Ver [esto](missing.md#x).")
    assert len(done.problems) == 1
    p = done.problems[0]
    assert (p.path, p.line, p.severity) == (SOURCE, 5, "error")
    assert p.message == "broken link `missing.md#x`: no file content/briefings/2023/missing.md"
    assert "relative to this Markdown file" in p.hint
    # the link is kept as written, not silently pointed elsewhere
    assert [a["href"] for a, _, _ in anchors(done.html)] == ["missing.md#x"]


def test_broken_link_line_counts_from_the_body_start() -> None:
    b = body("Primera línea.\n\nVer [esto](missing.md).\n\n![i](nope.png)", first_line=7)
    done = finish(b, SOURCE, PAGE, TARGETS)
    assert [(p.line, p.message.split(":")[0]) for p in done.problems] == [
        (9, "broken link `missing.md`"),
        (11, "broken image `nope.png`"),
    ]


def test_external_and_fragment_links_are_untouched() -> None:
    md = "[a](https://example.org/x) [b](#nota) [c](mailto:a@example.org) [d](//cdn.example.org/x)"
    done = run(md)
    assert [a["href"] for a, _, _ in anchors(done.html)] == [
        "https://example.org/x",
        "#nota",
        "mailto:a@example.org",
        "//cdn.example.org/x",
    ]
    assert done.problems == ()


@pytest.mark.parametrize(
    "html",
    [
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href=" java\tscript:alert(1)">x</a>',
        '<a href="vbscript:x">x</a>',
        '<img src="data:image/png;base64,AAAA">',
    ],
)
def test_dangerous_urls_are_dropped_even_when_html_is_trusted(html: str) -> None:
    b = body(html, sanitize=False)
    done = finish(b, SOURCE, PAGE, TARGETS)
    assert "script:" not in done.html.lower()
    assert "data:" not in done.html
    [problem] = done.problems  # said, as where raw HTML is sanitized (``markup.render``)
    assert (problem.severity, problem.line) == ("warning", 5)
    assert problem.message.endswith("URLs are not allowed; it is left out")


def test_data_attributes_are_not_rewritten() -> None:
    b = body('<div data-src="nope.png" data-href="x.md">hola</div>', sanitize=False)
    done = finish(b, SOURCE, PAGE, TARGETS)
    assert done.problems == ()
    assert 'data-src="nope.png"' in done.html


# --------------------------------------------------------------- wikilinks


def test_wikilink_is_resolved_through_the_callback() -> None:
    done = run("Ver [[OTAN]] y [[otra-nota]].")
    links = anchors(done.html)
    assert [(a.get("class"), a.get("href"), text) for a, text, _ in links] == [
        ("wikilink", "../organizations/nato.html", "OTAN"),
        ("wikilink", "otra-nota.html", "Otra nota"),
    ]
    assert done.links_to == ("organizations/nato.html", "briefings/otra-nota.html")
    assert done.problems == ()


def test_wikilink_with_its_own_label() -> None:
    [(attrs, text, _)] = anchors(run("Ver [[OTAN|la Alianza]].").html)
    assert (attrs["href"], text) == ("../organizations/nato.html", "la Alianza")


def test_wikilinked_name_is_not_mentioned_again_inside_the_link() -> None:
    done = run("[[OTAN]]")
    assert mentions(done.html) == []


def test_broken_wikilink_is_reported_with_its_line() -> None:
    b = body("Hola.\n\nVer [[Narnia]].", first_line=4)
    done = finish(b, SOURCE, PAGE, TARGETS)
    assert [(p.line, p.severity) for p in done.problems] == [(6, "error")]
    assert "[[Narnia]]" in done.problems[0].message
    assert anchors(done.html) == []
    assert '<span class="wikilink broken">Narnia</span>' in done.html


def test_wikilink_in_code_is_left_alone() -> None:
    done = run("`[[OTAN]]` y\n\n    [[OTAN]]\n")
    assert anchors(done.html) == []
    assert done.problems == ()
    assert done.html.count("[[OTAN]]") == 2


# ------------------------------------------------------------------- the names digest


def test_a_name_the_body_cannot_spell_leaves_its_digest_alone() -> None:
    """Naming a person anew (the old name kept as an alias) must not make every body with
    the person's first name look changed: only names whose capitalized words are all in
    the body count. A name it can spell, or a new link for one, changes the digest."""
    b = body("Jens Stoltenberg habló con Corea del Sur y con la OTAN.")
    base = Targets(build_names(TABLE), URLS, {}, {}, wiki)
    renamed = {**TABLE, "Jens Stoltenberg Jr": JENS, "Corea del Norte": KR}
    moved = {**URLS, NATO: "organizations/otan.html"}
    spelled = {**TABLE, "Jens Stoltenberg habló": JENS}
    digest = base.names_digest(b.words)
    assert Targets(build_names(renamed), URLS, {}, {}, wiki).names_digest(b.words) == digest
    assert Targets(build_names(TABLE), moved, {}, {}, wiki).names_digest(b.words) != digest
    assert Targets(build_names(spelled), URLS, {}, {}, wiki).names_digest(b.words) != digest


def test_equal_names_digests_mean_equal_finished_bodies() -> None:
    """Whatever names are added to the table or sent elsewhere: when a body's names digest
    is unchanged, finishing it gives the same HTML and the same mentions."""
    import random

    rng = random.Random(3)
    words = ["Jens", "Stoltenberg", "Corea", "Sur", "Norte", "Japón", "Leyen", "AT", "T", "Otra"]
    lower = ["del", "von", "der", "y", "&"]
    sources = [
        "Jens Stoltenberg y Corea del Sur; luego Japón.\n\nOtra  línea con\nsaltos, AT&T.",
        "Habló von der Leyen. Corea del Norte respondió.",
        "- Japón\n- Corea\n\n`Jens Stoltenberg` y [Sur](https://x.example).",
        "Nada que ver aquí, ni nombres.",
        "El presidente Yoon Suk-you visitó Japón con Jens Stoltenberg.",
    ]
    skipped = compared = 0
    for source in sources:
        b = body(source)
        for _ in range(60):
            table = dict(TABLE)
            urls = dict(URLS)
            for _ in range(rng.randint(1, 3)):
                if rng.random() < 0.5:  # words as written in the body: a name it contains
                    run = source.split()
                    start = rng.randrange(len(run))
                    name = " ".join(run[start : start + rng.randint(1, 3)]).strip(".,;`-")
                else:
                    name = " ".join(rng.choice(words + lower) for _ in range(rng.randint(1, 3)))
                key: Key = ("person", f"p{rng.randint(0, 3)}")
                table[name.strip() or "Nadie"] = key
                urls[key] = f"people/{key[1]}-{rng.randint(0, 1)}.html"
            if rng.random() < 0.3:
                urls[rng.choice(list(TABLE.values()))] = "elsewhere.html"
            before = Targets(build_names(TABLE), URLS, {}, {}, wiki)
            after = Targets(build_names(table), urls, {}, {}, wiki)
            if before.names_digest(b.words) != after.names_digest(b.words):
                skipped += 1
                continue
            compared += 1
            one, two = finish(b, SOURCE, PAGE, before), finish(b, SOURCE, PAGE, after)
            assert (one.html, one.mentioned) == (two.html, two.mentioned), (source, table)
    assert compared > 40 and skipped > 40  # both sides of the rule were exercised


def test_equal_names_ids_mean_equal_names_digests() -> None:
    """A build reuses the last build's names digests while ``names_id`` is the same: the
    id must change whenever any body's digest could."""
    import random

    rng = random.Random(5)
    bodies = [
        body(text)
        for text in (
            "Jens Stoltenberg y Corea del Sur; luego Japón.",
            "Habló von der Leyen. Corea del Norte respondió.",
            "Nada que ver aquí.",
        )
    ]
    base = Targets(build_names(TABLE), URLS, {}, {}, wiki)
    assert Targets(build_names(dict(TABLE)), dict(URLS), {}, {}, wiki).names_id() == (
        base.names_id()
    )
    changed = 0
    for _ in range(200):
        table, urls = dict(TABLE), dict(URLS)
        if rng.random() < 0.5:
            name = rng.choice(["Jens", "Corea del Sur", "Leyen", "Japón", "Nadie Más"])
            table[name] = ("person", f"p{rng.randint(0, 2)}")
            urls[table[name]] = f"people/p{rng.randint(0, 2)}.html"
        else:
            urls[rng.choice(list(TABLE.values()))] = f"x/{rng.randint(0, 2)}.html"
        other = Targets(build_names(table), urls, {}, {}, wiki)
        if any(other.names_digest(b.words) != base.names_digest(b.words) for b in bodies):
            changed += 1
            assert other.names_id() != base.names_id(), (table, urls)
    assert changed > 50


def test_a_body_that_spells_no_name_that_came_or_went_keeps_its_digest() -> None:
    """``changed_needs`` and ``spells_changed``: whatever names come, go or are sent
    elsewhere, a body that cannot spell one of them has the digest it had. Renaming
    Stoltenberg to a longer name changes no body that lacks the new word."""
    import random

    rng = random.Random(11)
    texts = [
        "Jens Stoltenberg y Corea del Sur; luego Japón.",
        "Habló von der Leyen. Corea del Norte respondió.",
        "El presidente Yoon Suk-you visitó Japón con Jens Stoltenberg Jr.",
        "Nada que ver aquí.",
    ]
    bodies = [body(t) for t in texts]
    base = Targets(build_names(TABLE), URLS, {}, {}, wiki)
    then = base.word_entries()
    renamed = Targets(build_names({**TABLE, "Jens Stoltenberg Jr": JENS}), URLS, {}, {}, wiki)
    needs = changed_needs(then, renamed.word_entries())
    assert [spells_changed(b.words, needs) for b in bodies] == [False, False, True, False]
    kept = changed = 0
    pool = ["Jens", "Stoltenberg", "Jr", "Corea", "Sur", "Norte", "Japón", "Leyen", "Suk-you"]
    for _ in range(300):
        table, urls = dict(TABLE), dict(URLS)
        for _ in range(rng.randint(1, 3)):
            roll = rng.random()
            if roll < 0.4:
                name = " ".join(rng.choice(pool) for _ in range(rng.randint(1, 3)))
                table[name] = ("person", f"p{rng.randint(0, 2)}")
                urls[table[name]] = f"people/p{rng.randint(0, 2)}.html"
            elif roll < 0.7 and table:
                del table[rng.choice(sorted(table))]
            else:
                urls[rng.choice(list(TABLE.values()))] = f"x/{rng.randint(0, 2)}.html"
        after = Targets(build_names(table), urls, {}, {}, wiki)
        needs = changed_needs(then, after.word_entries())
        for b in bodies:
            found = spells_changed(b.words, needs)
            # found the same from the capitals as the cache keeps them, searched or split
            assert capitals_spell_changed(b.capitals, needs, marks(needs)) == found
            assert capitals_spell_changed(b.capitals, needs, None) == found
            if found:
                changed += 1
            else:
                kept += 1
                assert after.names_digest(b.words) == base.names_digest(b.words), (b, table)
    assert kept > 200 and changed > 200


@given(
    st.lists(st.sampled_from(["Ana", "Ana-María", "Bo", "Corea", "Sur", "Ñu", "A"]), unique=True),
    st.dictionaries(
        st.sampled_from(["Ana", "Bo", "Corea", "Sur", "Ñu", "An", "na", "A"]),
        st.one_of(
            st.none(), st.lists(st.frozensets(st.sampled_from(["Ana", "Sur", "Bo"])), max_size=2)
        ),
        max_size=10,
    ),
)
def test_capitals_searched_for_the_changed_words_say_what_their_words_say(
    words: list[str], needs: dict[str, list[frozenset[str]] | None]
) -> None:
    """A word found in the capitals only as part of another (``An`` in ``Ana``) is not
    one of them; past ``MARKED`` words the capitals are split instead."""
    capitals = "\n".join(sorted(words))
    expected = spells_changed(tuple(sorted(words)), needs)
    assert capitals_spell_changed(capitals, needs, marks(needs)) == expected
    assert capitals_spell_changed(capitals, needs, None) == expected


@pytest.mark.parametrize("record", [{"Jens": "0123abcd"}, {"Jens": [["Jens"]]}, {"Jens": [[1, 2]]}])
def test_a_names_record_of_another_shape_is_refused(record: dict[str, object]) -> None:
    now = Targets(build_names(TABLE), URLS, {}, {}, wiki).word_entries()
    with pytest.raises(TypeError):
        changed_needs(record, now)
