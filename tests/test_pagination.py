"""Entity pages with more briefings than fit on one page are split in pages of PER_PAGE.

A generated site of 600 tiny briefings: Japan is named in 450 of them, the tag
``asia`` in another 450, and 15 briefings only mention Japan in their text.
"""

from __future__ import annotations

import posixpath
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from briefing.pages import PER_PAGE
from tests.sitekit import Node, page, run, write_site

N = 600
BASE = "https://example.org/many/"
START = datetime(2019, 1, 1, 8, 0)


def moment(i: int) -> datetime:
    return START + timedelta(days=2 * i, hours=i % 5)


def names_japan(i: int) -> bool:
    return i % 4 != 0


def tagged_asia(i: int) -> bool:
    return i % 4 != 1


def mentions_japan(i: int) -> bool:
    return i % 40 == 0


def site_text() -> str:
    parts = [f"-- briefing.yaml --\ntitle: Many\nlanguage: en\nbase_url: {BASE}\n"]
    for i in range(N):
        countries = "[JP]" if names_japan(i) else "[FR]"
        tags = "[asia]" if tagged_asia(i) else "[other]"
        body = "Japan was mentioned." if mentions_japan(i) else f"Note {i}."
        parts.append(
            f"-- content/briefings/n{i:03d}.md --\n"
            f"---\ntitle: Note {i}\ndate: {moment(i).isoformat()}\n"
            f"countries: {countries}\ntags: {tags}\n---\n{body}\n"
        )
    return "\n".join(parts)


def slug(i: int) -> str:
    return f"n{i:03d}"


# Newest first.
JAPAN = [slug(i) for i in reversed(range(N)) if names_japan(i)]
ASIA = [slug(i) for i in reversed(range(N)) if tagged_asia(i)]
JAPAN_MENTIONED = {slug(i) for i in range(N) if mentions_japan(i) and not names_japan(i)}
ENTITIES = {"countries/jp": JAPAN, "tags/asia": ASIA}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = write_site(tmp_path_factory.mktemp("many"), site_text())
    # One process: with 600 files a process pool saves nothing here (measured: 1.2 s
    # either way), and forking under pytest only adds risk.
    started = time.perf_counter()
    result = run("build", "--site", site, "--jobs", "1", "--quiet")
    print(f"\nbuilt {N} briefings in {time.perf_counter() - started:.2f} s")
    assert result.code == 0, result.err
    return site / "output"


def page_paths(stem: str, total: int) -> list[str]:
    return [f"{stem}.html"] + [f"{stem}-{n}.html" for n in range(2, total + 1)]


def card_slugs(section: Node) -> list[str]:
    return [
        Path(a.attrs["href"]).stem
        for h in section.find_all("h3", cls="card-title")
        for a in h.find_all("a")
    ]


def year_groups(section: Node) -> list[tuple[int, list[tuple[str, str]]]]:
    """(year heading, [(slug, date)]) in the order the named section shows them."""
    groups: list[tuple[int, list[tuple[str, str]]]] = []
    for child in section.children:
        if not isinstance(child, Node):
            continue
        if child.tag == "h3" and "year-heading" in child.attrs.get("class", ""):
            groups.append((int(child.text), []))
        elif "cards" in child.attrs.get("class", "").split():
            assert groups, "cards before any year heading"
            for card in child.find_all("article", cls="card"):
                href = card.find("h3", cls="card-title").find("a").attrs["href"]
                groups[-1][1].append((Path(href).stem, card.find("time").attrs["datetime"]))
    return groups


def resolve(here: str, href: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(here), href))


@pytest.mark.parametrize("stem", sorted(ENTITIES))
def test_entity_is_paginated(out: Path, stem: str) -> None:
    expected = ENTITIES[stem]
    assert len(expected) == 450
    total = -(-len(expected) // PER_PAGE)
    assert total == 3
    paths = page_paths(stem, total)
    assert [p for p in paths if not (out / p).is_file()] == []
    assert not (out / f"{stem}-{total + 1}.html").exists()
    assert not (out / f"{stem}-1.html").exists()

    listed: list[str] = []
    last_year = None
    for number, rel in enumerate(paths, start=1):
        tree = page(out, rel)
        section = tree.find("section", cls="named")
        shown = card_slugs(section)
        assert len(shown) == min(PER_PAGE, len(expected) - PER_PAGE * (number - 1)), rel
        listed += shown

        # Grouped by year, newest year first; a year may go on over the next page.
        groups = year_groups(section)
        years = [year for year, _ in groups]
        assert years == sorted(set(years), reverse=True), (rel, years)
        if last_year is not None:
            assert years[0] <= last_year, rel
        last_year = years[-1]
        for year, cards in groups:
            assert cards, (rel, year)
            assert {date[:4] for _, date in cards} == {str(year)}, (rel, year)
        assert [s for _, cards in groups for s, _ in cards] == shown

        # Links to the previous and next page, and to every page by number.
        nav = section.find("nav", cls="pagination")
        prev = [resolve(rel, a.attrs["href"]) for a in nav.find_all("a", rel="prev")]
        nxt = [resolve(rel, a.attrs["href"]) for a in nav.find_all("a", rel="next")]
        assert prev == ([paths[number - 2]] if number > 1 else []), rel
        assert nxt == ([paths[number]] if number < total else []), rel
        numbered = {
            resolve(rel, a.attrs["href"]) for a in nav.find_all("a") if "rel" not in a.attrs
        }
        assert numbered == set(paths) - {rel}, rel
        assert nav.find("span", **{"aria-current": "page"}).text == str(number)
        assert f"Page {number} of {total}" in section.text

        # Every page is the entity's: its name, own feed and own canonical URL. The
        # profile (count, figures, co-mentions) is on the first page; the others link it.
        assert tree.find("h1").text == page(out, paths[0]).find("h1").text
        header = tree.find("header", cls="entity-header")
        aside = tree.find_all("aside", cls="entity-aside")
        if number == 1:
            assert "450 briefings" in header.text
            assert len(aside) == 1 and aside[0].find_all("svg")
        else:
            assert "450 briefings" not in header.text and aside == []
            links = [a for a in header.find_all("a") if a.text == "Overview"]
            assert [resolve(rel, a.attrs["href"]) for a in links] == [paths[0]]
        head = tree.find("head")
        assert head.find("link", rel="canonical").attrs["href"] == BASE + rel
        feeds = [
            resolve(rel, link.attrs["href"])
            for link in head.find_all("link", rel="alternate", type="application/atom+xml")
        ]
        assert f"{stem}.xml" in feeds, rel

    # Across the pages: exactly its briefings, each once, newest first.
    assert len(listed) == len(set(listed))
    assert listed == expected


def test_mentions_stay_apart_from_the_named_list(out: Path) -> None:
    first = page(out, "countries/jp.html")
    assert set(card_slugs(first.find("section", cls="mentioned"))) == JAPAN_MENTIONED
    assert len(JAPAN_MENTIONED) == 15
    for rel in page_paths("countries/jp", 3):
        named = set(card_slugs(page(out, rel).find("section", cls="named")))
        assert not named & JAPAN_MENTIONED, rel


def test_small_entity_is_one_page(out: Path) -> None:
    tree = page(out, "countries/fr.html")
    assert len(card_slugs(tree.find("section", cls="named"))) == 150
    assert not tree.find_all("nav", cls="pagination")
    assert not (out / "countries/fr-2.html").exists()


def test_sitemap_lists_every_page(out: Path) -> None:
    sitemap = (out / "sitemap.xml").read_text("utf-8")
    for stem in ENTITIES:
        for rel in page_paths(stem, 3):
            assert f"<loc>{BASE}{rel}</loc>" in sitemap
