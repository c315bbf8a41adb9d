"""axe-core over one page of every kind of the built example site, light and dark.

axe-core comes from the npm registry (``package.json`` pins it; ``npm ci`` at the
repository root installs it into ``node_modules/``). It is injected into each page in
Debian's Chromium and must find no violation of impact *serious* or *critical*
(contrast, names, nesting, ...). Both colour schemes run, since contrast differs.

The site is served over HTTP under its ``base_url`` path, so that 404.html, whose
links are absolute from that path, gets its style sheet as it would on the host.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import serve_under

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing", allow_module_level=True)
if not AXE.is_file():
    pytest.skip(
        f"{AXE.relative_to(REPO)} is missing: run `npm ci` at the repository root",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000
SCHEMES = ("light", "dark")
BLOCKING = ("serious", "critical")
SEARCH_QUERY = "japon"

# Argument: a CSS selector to check only that part of the page, or null for all of it.
RUN_AXE_JS = """async (within) => {
  const r = await axe.run(within || document, {resultTypes: ['violations']});
  return r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({
      target: n.target.map(String).join(' '),
      html: n.html,
      summary: n.failureSummary || '',
    })),
  }));
}"""

UNLOADED_STYLESHEETS_JS = """() => Array.from(document.querySelectorAll('link[rel~=stylesheet]'))
  .filter(l => { try { return !l.sheet || !l.sheet.cssRules.length; } catch (e) { return true; } })
  .map(l => l.href)"""

# --------------------------------------------------------------------- the site


@pytest.fixture(scope="module")
def site_dir(example_output: Path) -> Path:
    return example_output


def _redirects(out: Path) -> list[str]:
    return sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*.html")
        if 'http-equiv="refresh"' in p.read_text(encoding="utf-8")[:2000]
    )


def _richest(out: Path, folder: str) -> str:
    """The largest page of ``folder`` (not its index, not a redirect): the one with the
    most of what the kind can show (charts, maps, lists)."""
    redirects = set(_redirects(out))
    pages = [
        p
        for p in (out / folder).glob("*.html")
        if p.name != "index.html" and p.relative_to(out).as_posix() not in redirects
    ]
    assert pages, f"no page in {folder}/"
    return max(pages, key=lambda p: (p.stat().st_size, p.name)).relative_to(out).as_posix()


# Page kind -> how to find its page in the built site.
KINDS: dict[str, Callable[[Path], str]] = {
    "home": lambda out: "index.html",
    "briefing-es": lambda out: "briefings/cumbre-otan-vilnius-2023.html",
    "briefing-en": lambda out: "briefings/nato-vilnius-summit-2023.html",
    "person": lambda out: _richest(out, "people"),
    "country": lambda out: _richest(out, "countries"),
    "organization": lambda out: _richest(out, "organizations"),
    "tag": lambda out: _richest(out, "tags"),
    "people-index": lambda out: "people/index.html",
    "countries-index": lambda out: "countries/index.html",
    "organizations-index": lambda out: "organizations/index.html",
    "tags-index": lambda out: "tags/index.html",
    "timeline-index": lambda out: "timeline/index.html",
    "timeline-year": lambda out: _richest(out, "timeline"),
    "search-results": lambda out: f"search.html?q={SEARCH_QUERY}",
    "about": lambda out: "about.html",
    "404": lambda out: "404.html",
    "redirect": lambda out: _redirects(out)[0],
}


def _base_path(out: Path) -> str:
    """The path the site lives under on its host (``/briefing/`` for base_url
    ``https://example.github.io/briefing/``), read off 404.html's style sheet link."""
    text = (out / "404.html").read_text(encoding="utf-8")
    found = re.search(r'<link rel="stylesheet" href="(/[^"]*?)assets/style\.css"', text)
    return found.group(1) if found else "/site/"


@pytest.fixture(scope="module")
def root_url(site_dir: Path) -> Iterator[str]:
    with serve_under(site_dir, _base_path(site_dir)) as url:
        yield url


@pytest.fixture(scope="module", params=SCHEMES)
def tab(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    """One tab per colour scheme, reused by every page kind (``browser`` is the
    session's shared Chromium, from conftest.py)."""
    context = browser.new_context(
        color_scheme=request.param, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


# ---------------------------------------------------------------------- helpers


def run_axe(pg: Any, within: str | None = None) -> list[dict[str, Any]]:
    pg.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = pg.evaluate(RUN_AXE_JS, within)
    return violations


def blocking_report(violations: list[dict[str, Any]], where: str) -> str:
    """The serious and critical violations, one block per rule; "" if none."""
    lines = []
    for v in violations:
        if v["impact"] not in BLOCKING:
            continue
        lines.append(f"{where}: [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            html = " ".join(node["html"].split())
            if len(html) > 200:
                html = html[:200] + "…"
            summary = " / ".join(s.strip() for s in node["summary"].splitlines() if s.strip())
            lines.append(f"    {node['target']}\n        {html}\n        {summary}")
    return "\n".join(lines)


def open_without_redirect(pg: Any, url: str) -> None:
    """Open a meta-refresh page and stay on it: the refresh's navigation is answered
    with 204 No Content, which the browser does not follow."""

    def handle(route: Any) -> None:
        req = route.request
        if req.is_navigation_request() and req.url != url:
            route.fulfill(status=204)
        else:
            route.continue_()

    pg.route("**/*", handle)
    try:
        pg.goto(url, wait_until="load")
        pg.wait_for_timeout(200)  # let the refresh fire (and be refused)
        assert pg.url == url, f"left the redirect page for {pg.url}"
    finally:
        pg.unroute("**/*", handle)


def wait_for_search_results(pg: Any) -> None:
    pg.wait_for_selector("#search-results ol li")
    pg.wait_for_function(
        "() => !document.getElementById('search-results').hasAttribute('aria-busy')"
    )


# ------------------------------------------------------------------------ tests


def test_every_kind_has_a_page(site_dir: Path) -> None:
    """The page each kind names exists (a renamed example page would otherwise turn
    a kind's axe run into a 404 check)."""
    missing = [
        f"{kind}: {rel}"
        for kind, find in KINDS.items()
        if not (site_dir / (rel := find(site_dir)).split("?", 1)[0]).is_file()
    ]
    assert not missing, missing


def check_page(pg: Any, kind: str, rel: str, url: str) -> str:
    """Open ``url`` (the page of ``kind``) and return axe's blocking report."""
    if kind == "redirect":
        open_without_redirect(pg, url)
    else:
        response = pg.goto(url, wait_until="load")
        assert response is not None and response.status == 200, f"{rel}: {response}"
    if kind == "search-results":
        wait_for_search_results(pg)
    # Contrast is only checked against the site's colours if its style sheets loaded.
    unstyled = pg.evaluate(UNLOADED_STYLESHEETS_JS)
    assert not unstyled, f"{rel}: style sheets that did not load: {unstyled}"
    dark = pg.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    return blocking_report(run_axe(pg), f"{rel} ({'dark' if dark else 'light'})")


@pytest.mark.parametrize("kind", list(KINDS))
def test_no_serious_axe_violation(kind: str, tab: Any, site_dir: Path, root_url: str) -> None:
    rel = KINDS[kind](site_dir)
    report = check_page(tab, kind, rel, root_url + rel)
    assert not report, "axe-core found serious or critical violations:\n" + report


def check_suggestions(pg: Any, url: str) -> str:
    pg.goto(url, wait_until="load")
    box = pg.locator('header form[role=search] input[name="q"]')
    box.click()
    box.press_sequentially(SEARCH_QUERY)
    pg.wait_for_selector(".site-search-suggestions [role=option]", state="visible")
    box.press("ArrowDown")
    pg.wait_for_selector('.site-search-suggestions [aria-selected="true"]')
    dark = pg.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    where = f"index.html, suggestions for {SEARCH_QUERY!r} ({'dark' if dark else 'light'})"
    return blocking_report(run_axe(pg, "header form[role=search]"), where)


def test_header_suggestions_no_serious_axe_violation(tab: Any, root_url: str) -> None:
    """The header search form with its suggestion list open and an option selected
    (markup that search.js adds, in the site's colours). Only the form is checked:
    the rest of the home page is test_no_serious_axe_violation's."""
    report = check_suggestions(tab, root_url + "index.html")
    assert not report, "axe-core found serious or critical violations:\n" + report
