"""The built example site in Chromium, over file:// and over HTTP under a sub-path.

Each test runs twice: once from ``file://`` and once from a local HTTP server that
serves the output folder under ``/briefing-site/`` (as GitHub Pages serves a project
site under ``/<repo>/``). Every link must be relative, so both must work alike.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHROMIUM, LAUNCH_ARGS, Site, Watch, serve_under

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
SUBPATH = "/briefing-site/"
ENTITY_DIRS = ("people", "countries", "organizations", "tags")
# Folders whose every page must be reachable by clicking from the home page.
REACHABLE_DIRS = (*ENTITY_DIRS, "briefings", "timeline")
ENGLISH_BRIEFING = "briefings/nato-vilnius-summit-2023.html"
SPANISH_BRIEFING = "briefings/cumbre-otan-vilnius-2023.html"
TIMEOUT_MS = 10_000
# Pages (one per template that differs in its header) to submit the header search from;
# that every page has the header form at all, test_header_search_on_every_page checks.
SUBMIT_FROM = (
    "index.html",
    SPANISH_BRIEFING,
    ENGLISH_BRIEFING,
    "people/jens-stoltenberg.html",
    "countries/index.html",
    "search.html",
)

NO_ICON = "no <link rel=icon>: browsers then ask for /favicon.ico at the host's root (a 404)"

# What the crawl notes of each page: every link target, resolved (<a href>, SVG
# <a href|xlink:href>, <area href>); <link href> other than stylesheets and icons (whose
# loading the request listeners see); <html lang>; the header search form's action;
# the skip link's text (a UI string); whether it names an icon.
PAGE_INFO_JS = """() => {
  const links = [];
  for (const a of document.querySelectorAll('a, area')) {
    const raw = a.getAttribute('href')
      ?? a.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
    if (raw === null) continue;
    try { links.push(new URL(raw, document.baseURI).href); } catch (e) { links.push('bad:' + raw); }
  }
  const linkTags = Array.from(document.querySelectorAll('link[href]'))
    .filter(l => !/\\b(stylesheet|icon)\\b/.test(l.rel)).map(l => l.href);
  const form = document.querySelector('header form[role=search]');
  const box = form && form.querySelector('input[name=q]');
  const skip = document.querySelector('a.skip');
  return {
    url: location.href, links, linkTags,
    lang: document.documentElement.lang,
    icon: !!document.querySelector('link[rel~=icon][href]'),
    search: form && box && box.getClientRects().length ? form.action : null,
    skip: skip ? skip.textContent.trim() : null,
  };
}"""


# --------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def site_dir(example_output: Path) -> Path:
    return example_output


@pytest.fixture(scope="session")
def http_root(site_dir: Path) -> Iterator[str]:
    with serve_under(site_dir, SUBPATH) as url:
        yield url


@pytest.fixture(scope="session")
def sites(site_dir: Path, http_root: str) -> dict[str, Site]:
    return {
        "file": Site("file", site_dir, site_dir.as_uri() + "/"),
        "http": Site("http", site_dir, http_root),
    }


@pytest.fixture(scope="session", params=["file", "http"])
def site(request: pytest.FixtureRequest, sites: dict[str, Site]) -> Site:
    return sites[request.param]


@contextlib.contextmanager
def open_tab(browser: Any, site: Site, width: int = 1280) -> Iterator[tuple[Any, Watch]]:
    """A fresh page whose problems ``Watch`` collects."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    watch = Watch(site)
    watch.attach(pg)
    try:
        yield pg, watch
    finally:
        context.close()


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[tuple[Any, Watch]]:
    with open_tab(browser, site) as tab:
        yield tab


# ---------------------------------------------------------------------- helpers


def redirect_pages(out: Path) -> set[str]:
    return {
        p.relative_to(out).as_posix()
        for p in out.rglob("*.html")
        if 'http-equiv="refresh"' in p.read_text(encoding="utf-8")[:2000]
    }


def open_page(pg: Any, watch: Watch, site: Site, url: str) -> list[str]:
    """Go to ``url``; return the problems seen while loading it."""
    watch.take()
    resp = pg.goto(url, wait_until="load")
    problems = watch.take()
    if resp is not None and site.mode == "http" and resp.status >= 400:
        problems.append(f"HTTP {resp.status}")
    return problems


@dataclass
class Crawl:
    reached: set[str]  # site paths of the HTML pages visited
    links: dict[str, set[str]]  # page -> site paths it links to
    info: dict[str, dict[str, Any]]  # page -> what PAGE_INFO_JS found
    problems: list[str]


def crawl(pg: Any, watch: Watch, site: Site) -> Crawl:
    """Breadth-first from index.html along every link that stays in the site."""
    redirects = redirect_pages(site.dir)
    queue: deque[str] = deque([site.url("index.html")])
    queued = {"index.html"}
    result = Crawl(set(), {}, {}, [])
    problems = result.problems
    checked_files: set[str] = set()
    while queue:
        url = queue.popleft()
        here = site.rel(url)
        assert here is not None
        result.reached.add(here)
        problems += [f"{here}: {p}" for p in open_page(pg, watch, site, url)]
        info = result.info[here] = pg.evaluate(PAGE_INFO_JS)
        if site.rel(info["url"]) != here:
            problems.append(f"{here}: ended on {info['url']}")
            continue
        if not info["icon"]:
            problems.append(f"{here}: {NO_ICON}")
        for target in info["linkTags"]:
            rel = site.rel(target)
            if rel is not None and not (site.dir / rel).is_file():
                problems.append(f"{here}: <link> to a missing file {target}")
        mine = result.links[here] = set()
        for target in info["links"]:
            target = target.split("#", 1)[0]
            if site.outside_but_local(target):
                problems.append(f"{here}: link leaves the site folder: {target}")
                continue
            rel = site.rel(target)
            if rel is None:
                continue  # another site
            if rel == "" or rel.endswith("/"):
                problems.append(f"{here}: link names a folder, not a file: {target}")
                continue
            mine.add(rel)
            if rel in checked_files:
                continue
            checked_files.add(rel)
            if not (site.dir / rel).is_file():
                problems.append(f"{here}: broken link to {rel}")
            elif rel.endswith(".html") and rel not in redirects and rel not in queued:
                queued.add(rel)
                queue.append(site.url(rel))
    # Redirect pages: they must land on their target, without errors.
    for rel in sorted(redirects):
        if not re.search(r"<link[^>]+rel=\"?icon", (site.dir / rel).read_text(encoding="utf-8")):
            problems.append(f"{rel}: {NO_ICON}")
        problems += [f"{rel}: {p}" for p in open_page(pg, watch, site, site.url(rel))]
        try:
            pg.wait_for_url(lambda u, rel=rel: site.rel(u) not in (None, rel), timeout=5000)
        except sync_api.TimeoutError:
            problems.append(f"{rel}: the redirect did not happen")
            continue
        target = site.rel(pg.url)
        if target is None or not (site.dir / target).is_file():
            problems.append(f"{rel}: redirects to a missing page {pg.url}")
        problems += [f"{rel} -> {target}: {p}" for p in watch.take()]
    return result


def _crawl_in_own_browser(site: Site) -> Crawl:
    # The sync API wants one Playwright per thread.
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            with open_tab(b, site) as (pg, watch):
                return crawl(pg, watch, site)
        finally:
            b.close()


@pytest.fixture(scope="session")
def crawls(sites: dict[str, Site]) -> dict[str, Crawl]:
    """Both crawls, run side by side (one browser per thread) to halve the wait."""
    with concurrent.futures.ThreadPoolExecutor(len(sites)) as pool:
        futures = {mode: pool.submit(_crawl_in_own_browser, s) for mode, s in sites.items()}
        return {mode: f.result() for mode, f in futures.items()}


def first_html(out: Path, folder: str) -> str:
    redirects = redirect_pages(out)
    pages = sorted(
        p.relative_to(out).as_posix()
        for p in (out / folder).glob("*.html")
        if p.name != "index.html"
    )
    pages = [p for p in pages if p not in redirects]
    assert pages, f"no page in {folder}/"
    return pages[0]


def page_kinds(out: Path) -> list[str]:
    """One page of each kind (the 404 page is left out: its links are absolute from
    base_url's path, by design, as it is served at any depth)."""
    return [
        "index.html",
        SPANISH_BRIEFING,
        ENGLISH_BRIEFING,
        "people/index.html",
        first_html(out, "people"),
        "countries/index.html",
        "countries/jp.html",
        "organizations/index.html",
        first_html(out, "organizations"),
        "tags/index.html",
        first_html(out, "tags"),
        "timeline/index.html",
        first_html(out, "timeline"),
        "search.html",
        "about.html",
    ]


# ------------------------------------------------------------------------ tests


def test_crawl_from_home_reaches_every_page_without_errors(
    crawls: dict[str, Crawl], site: Site
) -> None:
    result = crawls[site.mode]
    assert not result.problems, "\n".join(result.problems)

    # Every entity listed on its index page was reached.
    for folder in ENTITY_DIRS:
        index = f"{folder}/index.html"
        assert index in result.reached
        listed = {
            rel
            for rel in result.links[index]
            if rel.startswith(folder + "/") and rel.endswith(".html") and rel != index
        }
        assert listed, f"{index} lists nothing"
        missing = sorted(listed - result.reached)
        assert not missing, f"listed on {index} but not reached: {missing}"

    # Every page under the entity, briefing and timeline folders is reachable.
    redirects = redirect_pages(site.dir)
    unreachable = sorted(
        rel
        for folder in REACHABLE_DIRS
        for p in (site.dir / folder).rglob("*.html")
        if (rel := p.relative_to(site.dir).as_posix()) not in result.reached
        and rel not in redirects
    )
    assert not unreachable, f"not reachable by clicking from index.html: {unreachable}"


def _click_path(out: Path) -> tuple[str, str]:
    """A briefing linked from the home page that has a person chip whose page links
    a country: (briefing path, person path)."""

    def hrefs(rel: str) -> list[str]:
        text = (out / rel).read_text(encoding="utf-8")
        base = rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""
        found = []
        for h in re.findall(r'<a [^>]*href="([^"#?:]+)"', text):
            parts = (base + h).split("/")
            stack: list[str] = []
            for part in parts:
                if part == "..":
                    stack.pop()
                elif part not in ("", "."):
                    stack.append(part)
            found.append("/".join(stack))
        return found

    for b in dict.fromkeys(h for h in hrefs("index.html") if h.startswith("briefings/")):
        for person in dict.fromkeys(h for h in hrefs(b) if h.startswith("people/")):
            if person != "people/index.html" and any(
                h.startswith("countries/") and h != "countries/index.html" for h in hrefs(person)
            ):
                return b, person
    raise AssertionError("no briefing on the home page with a person who has a country")


def test_click_home_briefing_person_country(page: tuple[Any, Watch], site: Site) -> None:
    pg, watch = page
    briefing, person = _click_path(site.dir)
    problems = open_page(pg, watch, site, site.url("index.html"))

    def click(selector: str, expect: str) -> None:
        link = pg.locator(selector).first
        text = " ".join(link.inner_text().split())
        with pg.expect_navigation(wait_until="load"):
            link.click()
        assert site.rel(pg.url) == expect, (pg.url, expect)
        heading = " ".join(pg.locator("main h1").first.inner_text().split())
        assert heading == text, f"{expect}: <h1> {heading!r} != link text {text!r}"
        problems.extend(f"{expect}: {p}" for p in watch.take())

    click(f'main a[href$="{briefing}"]', briefing)
    click(f'main a.chip[href$="{person}"]', person)
    country_chip = pg.locator('main a.chip[href*="countries/"]').first
    href = country_chip.get_attribute("href")
    assert href
    country = "countries/" + href.rsplit("countries/", 1)[1]
    click(f'main a.chip[href$="{country}"]', country)
    assert pg.locator("main h1").first.inner_text().strip()
    assert not problems, "\n".join(problems)


def test_header_search_on_every_page(crawls: dict[str, Crawl], site: Site) -> None:
    """Every page the crawl reached has a visible search box in its header that
    sends to search.html."""
    info = crawls[site.mode].info
    bad = {
        rel: i["search"] for rel, i in info.items() if site.rel(i["search"] or "") != "search.html"
    }
    assert not bad, f"no header search form (or a wrong action): {bad}"
    kinds = {"briefings", "people", "countries", "organizations", "tags", "timeline"}
    assert kinds <= {rel.split("/")[0] for rel in info}


def test_header_search_submits(page: tuple[Any, Watch], site: Site) -> None:
    """Typing "japon" in the header box and pressing Enter lands on search.html?q=japon."""
    pg, watch = page
    problems: list[str] = []
    expected = site.url("search.html?q=japon")
    for rel in SUBMIT_FROM:
        problems += [f"{rel}: {p}" for p in open_page(pg, watch, site, site.url(rel))]
        box = pg.locator('header form[role=search] input[name="q"]')
        box.fill("japon")
        box.press("Enter")
        # From search.html itself the script shows the results in place and only
        # rewrites the address: no new document, hence no expect_navigation().
        pg.wait_for_url(expected)
        # Let the results come in (their content is test_search's business).
        pg.wait_for_function(
            """() => { const r = document.getElementById('search-results');
                       return r && !r.hasAttribute('aria-busy') && r.textContent.trim(); }"""
        )
        problems += [f"{rel} -> search: {p}" for p in watch.take()]
    assert not problems, "\n".join(problems)


def test_html_lang(crawls: dict[str, Crawl], site: Site) -> None:
    info = crawls[site.mode].info
    assert info[ENGLISH_BRIEFING]["lang"] == "en"
    # The English briefing speaks English in its UI strings too.
    assert info[ENGLISH_BRIEFING]["skip"] == "Skip to content"
    assert info[SPANISH_BRIEFING]["lang"] == "es"
    for rel in page_kinds(site.dir):
        if rel != ENGLISH_BRIEFING:
            assert info[rel]["lang"] == "es", rel
            assert info[rel]["skip"] == "Ir al contenido", rel
    # Only briefings may speak another language than the site's.
    others = {rel: i["lang"] for rel, i in info.items() if i["lang"] != "es"}
    assert all(rel.startswith("briefings/") and lang == "en" for rel, lang in others.items()), (
        others
    )
