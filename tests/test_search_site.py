"""Search on the built example site, in Chromium, from file:// and over HTTP under /repo/.

Typing in the header box of the home page suggests briefings and actors (accents
and case folded, Japanese names found by their kanji); the arrows and Enter open a
suggestion; the search page marks the matches. ``briefingSearch.query`` is timed in
the page: a query on a page whose index is loaded must take less than 50 ms.
"""

from __future__ import annotations

import contextlib
import os
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHROMIUM, Site, Watch, serve_under

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
SUBPATH = "/repo/"
TIMEOUT_MS = 10_000
BOX = "header form[role=search] input[name=q]"
WARM_LIMIT_MS = 50.0
RUNS = 5

# Resolves once the suggestions shown are those of the query ``q`` (the last option,
# "all results for …", names the query it was rendered for).
SETTLED_JS = """q => {
  const list = document.querySelector('header .site-search-suggestions');
  const all = list && !list.hidden && list.querySelector('.site-search-all[data-href]');
  return !!all && new URL(all.getAttribute('data-href'), location.href).searchParams.get('q') === q;
}"""

OPTIONS_JS = """() => Array.from(
  document.querySelectorAll('header .site-search-suggestions [role=option]'),
  o => {
    const target = o.getAttribute('data-href');
    return {id: o.id, text: o.textContent.replace(/\\s+/g, ' ').trim(),
            href: target ? new URL(target, location.href).href : null,
            disabled: o.getAttribute('aria-disabled') === 'true'};
  })"""

TIME_QUERY_JS = """async q => {
  const t0 = performance.now();
  const res = await window.briefingSearch.query(q);
  return {ms: performance.now() - t0, total: res.total};
}"""


# --------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def site_dir(example_output: Path) -> Path:
    return example_output


@pytest.fixture(scope="module")
def http_root(site_dir: Path) -> Iterator[str]:
    with serve_under(site_dir, SUBPATH) as url:
        yield url


@pytest.fixture(scope="module", params=["file", "http"])
def site(request: pytest.FixtureRequest, site_dir: Path) -> Site:
    if request.param == "file":
        return Site("file", site_dir, site_dir.as_uri() + "/")
    root: str = request.getfixturevalue("http_root")
    return Site("http", site_dir, root)


@contextlib.contextmanager
def open_tab(browser: Any, site: Site) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    watch = Watch(site)
    watch.attach(pg)
    try:
        yield pg, watch
    finally:
        context.close()


@pytest.fixture
def tab(browser: Any, site: Site) -> Iterator[tuple[Any, Watch]]:
    with open_tab(browser, site) as (pg, watch):
        yield pg, watch
        assert not watch.problems, "\n".join(watch.problems)


# ---------------------------------------------------------------------- helpers


def go(pg: Any, site: Site, rel: str) -> None:
    resp = pg.goto(site.url(rel), wait_until="load")
    if site.mode == "http":
        assert resp is not None and resp.status == 200, rel
    pg.wait_for_function("() => window.briefingSearch && window.briefingSearch.query")


def type_query(pg: Any, text: str) -> list[dict[str, Any]]:
    """Type ``text`` key by key into the header box; the suggestions shown for it."""
    box = pg.locator(BOX)
    box.click()
    box.press_sequentially(text, delay=40)
    pg.wait_for_function(SETTLED_JS, arg=text)
    options: list[dict[str, Any]] = pg.evaluate(OPTIONS_JS)
    return options


def suggested(site: Site, options: list[dict[str, Any]], rel: str) -> dict[str, Any]:
    """The suggestion that links to the site page ``rel``, which must exist."""
    found = [o for o in options if o["href"] and site.rel(o["href"]) == rel]
    assert found, f"no suggestion links to {rel}: {options}"
    assert (site.dir / rel).is_file()
    return found[0]


# ------------------------------------------------------------------------ tests


def test_japon_suggests_a_briefing_that_arrows_and_enter_open(
    tab: tuple[Any, Watch], site: Site
) -> None:
    pg, _ = tab
    go(pg, site, "index.html")
    options = type_query(pg, "japon")
    briefings = [
        o
        for o in options
        if "Japón" in o["text"]
        and o["href"]
        and (site.rel(o["href"]) or "").startswith("briefings/")
    ]
    assert briefings, f"no briefing about Japón among {options}"
    target = briefings[0]
    rel = site.rel(target["href"])
    assert rel is not None and rel.endswith(".html") and (site.dir / rel).is_file()
    # The suggestion's title (its first part) names Japón, accents and all.
    title = pg.locator(f"#{target['id']} .site-search-option-title").inner_text()
    assert "Japón" in title
    enabled = [o for o in options if not o["disabled"]]
    for _ in range(enabled.index(target) + 1):
        pg.keyboard.press("ArrowDown")
    assert pg.locator(BOX).get_attribute("aria-activedescendant") == target["id"]
    assert pg.locator(f"#{target['id']}").get_attribute("aria-selected") == "true"
    with pg.expect_navigation(wait_until="load"):
        pg.keyboard.press("Enter")
    assert site.rel(pg.url) == rel
    heading = " ".join(pg.locator("main h1").first.inner_text().split())
    assert heading == title.strip()


def test_otan_suggests_nato(tab: tuple[Any, Watch], site: Site) -> None:
    pg, _ = tab
    go(pg, site, "index.html")
    options = type_query(pg, "otan")
    nato = suggested(site, options, "organizations/nato.html")
    assert "OTAN" in nato["text"] or "NATO" in nato["text"]


@pytest.mark.parametrize("q", ["岸田", "kishida", "KISHIDA"])
def test_kishida_by_name_or_kanji(tab: tuple[Any, Watch], site: Site, q: str) -> None:
    pg, _ = tab
    go(pg, site, "index.html")
    options = type_query(pg, q)
    kishida = suggested(site, options, "people/fumio-kishida.html")
    assert "Fumio Kishida" in kishida["text"]


def test_search_page_marks_matches(tab: tuple[Any, Watch], site: Site) -> None:
    pg, _ = tab
    go(pg, site, "search.html?q=japon")
    pg.wait_for_selector("#search-results .search-result-title mark")
    assert pg.locator(BOX).input_value() == "japon"
    marks = pg.locator("#search-results mark").all_inner_texts()
    assert marks and all(m.casefold() in ("japón", "japon") for m in marks), marks
    hrefs = pg.eval_on_selector_all(
        "#search-results a.search-result-title", "els => els.map(e => e.href)"
    )
    assert len(hrefs) >= 4
    for href in hrefs:
        rel = site.rel(href)
        assert rel is not None and (site.dir / rel).is_file(), href


def test_search_page_shows_snippets_from_the_text_chunks(
    tab: tuple[Any, Watch], site: Site
) -> None:
    """Every briefing found gets a snippet around a match, cut from the text chunk that
    holds it (texts come sixteen documents to a file: these hits span several)."""
    pg, watch = tab
    go(pg, site, "search.html?q=japon")
    briefing_hits = """() => Array.from(document.querySelectorAll('#search-results li'))
        .filter(li => li.querySelector('a[href*="briefings/"]'))"""
    pg.wait_for_function(
        f"() => ({briefing_hits})().length > 0 && ({briefing_hits})()"
        ".every(li => li.querySelector('.search-result-snippet mark'))"
    )
    snippets = pg.evaluate(
        f"() => ({briefing_hits})().map(li => "
        "li.querySelector('.search-result-snippet').textContent)"
    )
    assert len(snippets) >= 4
    assert all("jap" in s.casefold() for s in snippets), snippets
    loaded = pg.evaluate("() => window.briefingSearch.loaded.filter(p => p.startsWith('x/'))")
    assert len(loaded) >= 2 and len(loaded) == len(set(loaded)), loaded
    assert any(int(p[2:-3]) > 0 for p in loaded), loaded
    assert watch.take() == []


def test_a_match_in_names_or_tags_only_shows_them_in_the_snippet(
    tab: tuple[Any, Watch], site: Site
) -> None:
    """A briefing found by a tag its text never uses: its snippet shows the tag marked,
    then the start of its text. Tags and names come from the name chunks, apart from
    the texts."""
    pg, watch = tab
    go(pg, site, "search.html?q=alianzas%20militares")
    item = pg.locator("#search-results li").filter(has_text="Finlandia entra en la OTAN")
    snippet = item.locator(".search-result-snippet")
    snippet.locator("mark").first.wait_for()
    marks = snippet.locator("mark").all_inner_texts()
    assert [m.casefold() for m in marks] == ["alianzas", "militares"], marks
    text = snippet.inner_text()
    assert text.startswith("alianzas militares \u2014 "), text
    assert len(text) > 60  # the start of the body follows
    loaded = pg.evaluate("() => window.briefingSearch.loaded")
    assert any(p.startswith("n/") for p in loaded) and any(p.startswith("x/") for p in loaded)
    assert watch.take() == []


def test_query_speed(browser: Any, site: Site) -> None:
    """Median time of ``briefingSearch.query("japon")``: on a fresh page (the index
    still to load) and again on the same page (warm)."""
    cold: list[float] = []
    warm: list[float] = []
    problems: list[str] = []
    for _ in range(RUNS):
        with open_tab(browser, site) as (pg, watch):
            go(pg, site, "index.html")
            first = pg.evaluate(TIME_QUERY_JS, "japon")
            again = pg.evaluate(TIME_QUERY_JS, "japon")
            assert first["total"] == again["total"] > 0
            cold.append(first["ms"])
            warm.append(again["ms"])
            problems += watch.problems
    cold_ms, warm_ms = statistics.median(cold), statistics.median(warm)
    print(
        f"\n[{site.mode}] query('japon'): cold median {cold_ms:.1f} ms, warm median {warm_ms:.1f} ms"
    )
    assert not problems, "\n".join(problems)
    assert warm_ms < WARM_LIMIT_MS, f"warm query took {warm_ms:.1f} ms (runs: {warm})"
