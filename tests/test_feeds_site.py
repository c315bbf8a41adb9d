"""Feeds, sitemap, robots.txt and absolute URLs of a whole built site.

The fixture site (base_url https://example.org/fixture/) is built through the
command line and every Atom feed it writes is read back with feedparser; a
generated site of 60 briefings checks the size limits of the feeds.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest

from briefing.pages import ENTITY_FEED, SITE_FEED
from tests.fixture_site import NAMED, SITE
from tests.sitekit import page, parse_html, run, write_site

BASE = "https://example.org/fixture/"
ENTITY_DIRS = ("people", "countries", "organizations", "tags")
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


# --------------------------------------------------------------------- helpers


def build(site: Path, *extra: str) -> tuple[Path, str]:
    result = run("build", "--site", site, "--jobs", "1", *extra)
    assert result.code == 0, result.err
    return site / "output", result.err


def redirects(out: Path) -> set[str]:
    return {
        p.relative_to(out).as_posix()
        for p in out.rglob("*.html")
        if 'http-equiv="refresh"' in p.read_text("utf-8")[:2000]
    }


def html_pages(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*.html")}


def entity_feeds(out: Path) -> list[str]:
    return sorted(
        p.relative_to(out).as_posix() for d in ENTITY_DIRS for p in (out / d).glob("*.xml")
    )


def parse_feed(out: Path, rel: str) -> Any:
    parsed = feedparser.parse((out / rel).read_bytes())
    assert not parsed.bozo, f"{rel}: {parsed.get('bozo_exception')}"
    assert parsed.version == "atom10", rel
    return parsed


def under_base(url: str, out: Path) -> str:
    """The site path of an absolute URL under BASE, which must name an existing file."""
    assert url.startswith(BASE), f"{url} is not under {BASE}"
    parts = urlsplit(url)
    rel = url[len(BASE) :].split("#", 1)[0].split("?", 1)[0]
    assert parts.scheme == "https" and rel, url
    assert (out / rel).is_file(), f"{url}: no such file in the output"
    return rel


def links(node: Any) -> dict[str, tuple[str, str]]:
    return {link.rel: (link.href, link.get("type", "")) for link in node.links}


def slugs(parsed: Any) -> list[str]:
    return [Path(urlsplit(e.link).path).stem for e in parsed.entries]


def check_feed_head(out: Path, rel: str, parsed: Any, alternate: str) -> None:
    f = parsed.feed
    assert f.id == BASE + rel
    assert f.title
    assert f.author == "Fixture Briefings"
    assert f.updated
    if parsed.entries:
        assert f.updated == max(e.updated for e in parsed.entries), rel
    assert links(f) == {
        "self": (BASE + rel, "application/atom+xml"),
        "alternate": (BASE + alternate, "text/html"),
    }
    under_base(BASE + alternate, out)


def check_entries(out: Path, rel: str, parsed: Any) -> None:
    published = [e.published_parsed for e in parsed.entries]
    assert published == sorted(published, reverse=True), f"{rel}: not newest first"
    for e in parsed.entries:
        assert e.id.startswith(BASE) and e.title and e.updated, rel
        assert links(e) == {"alternate": (e.id, "text/html")}, rel
        assert under_base(e.link, out).startswith("briefings/")


def content_urls(html: str) -> list[str]:
    tree = parse_html(html)
    return [n.attrs[attr] for n in tree.iter() for attr in ("href", "src") if attr in n.attrs]


# ---------------------------------------------------------------- fixture site


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out, _ = build(write_site(tmp_path_factory.mktemp("feeds"), SITE), "--quiet")
    return out


def test_site_feed(built: Path) -> None:
    parsed = parse_feed(built, "feed.xml")
    check_feed_head(built, "feed.xml", parsed, "index.html")
    assert parsed.feed.title == "Fixture Briefings"
    check_entries(built, "feed.xml", parsed)
    # Every published briefing (not the draft), newest first.
    assert slugs(parsed) == ["cuatro", "tres", "dos", "uno"]
    for e in parsed.entries:
        assert e.summary
        assert [c.type for c in e.content] == ["text/html"]
        html = e.content[0].value
        assert html.strip()
    uno = next(e for e in parsed.entries if e.link.endswith("/uno.html"))
    urls = content_urls(uno.content[0].value)
    assert BASE + "media/briefings/a/mapa.svg" in urls
    assert BASE + "people/ana-garcia.html" in urls
    # Each entry speaks its briefing's language; the feed the site's.
    assert parsed.feed.language == "es"
    langs = {
        slug: e.title_detail.language for slug, e in zip(slugs(parsed), parsed.entries, strict=True)
    }
    assert langs == {"cuatro": "es", "tres": "en", "dos": "es", "uno": "es"}


def test_site_feed_content_links_are_absolute(built: Path) -> None:
    parsed = parse_feed(built, "feed.xml")
    seen = 0
    for e in parsed.entries:
        for url in content_urls(e.content[0].value):
            seen += 1
            if urlsplit(url).netloc == "example.org":
                under_base(url, built)
            else:
                assert urlsplit(url).scheme in ("http", "https", "mailto"), (e.link, url)
    assert seen >= 8


def test_entity_feeds(built: Path) -> None:
    feeds = entity_feeds(built)
    pages = {
        p
        for p in html_pages(built)
        if p.split("/")[0] in ENTITY_DIRS and not p.endswith("index.html")
    }
    # One feed per entity page, and one page per feed.
    assert {f.removesuffix(".xml") + ".html" for f in feeds} == pages
    for rel in feeds:
        html = rel.removesuffix(".xml") + ".html"
        parsed = parse_feed(built, rel)
        check_feed_head(built, rel, parsed, html)
        name = page(built, html).find("h1").text
        assert name in parsed.feed.title, rel
        check_entries(built, rel, parsed)
        assert len(parsed.entries) <= ENTITY_FEED
        for e in parsed.entries:
            assert e.summary, rel
            assert "content" not in e, f"{rel}: entity feeds carry summaries only"
        if html in NAMED:
            # The briefings that name the entity in their front matter; not mere mentions.
            assert set(slugs(parsed)) == NAMED[html], rel


def test_entity_pages_link_their_own_feed(built: Path) -> None:
    feeds = entity_feeds(built)
    assert len(feeds) >= 10
    for rel in feeds:
        html = rel.removesuffix(".xml") + ".html"
        tree = page(built, html)
        head = tree.find("head")
        targets = [
            posixpath.normpath(posixpath.join(posixpath.dirname(html), link.attrs["href"]))
            for link in head.find_all("link", rel="alternate", type="application/atom+xml")
        ]
        assert rel in targets, f"{html}: no <link rel=alternate> to {rel} (has {targets})"
        assert all((built / t).is_file() for t in targets), (html, targets)


def test_sitemap_lists_every_page_but_redirects(built: Path) -> None:
    root = ET.fromstring((built / "sitemap.xml").read_bytes())
    assert root.tag == SM + "urlset"
    locs = [loc.text or "" for loc in root.iter(SM + "loc")]
    assert len(locs) == len(set(locs))
    moved = redirects(built)
    assert "briefings/dos-viejo.html" in moved
    expected = html_pages(built) - moved - {"404.html"}
    assert {under_base(loc, built) for loc in locs} == expected
    assert not {BASE + r for r in moved} & set(locs)


def test_robots_names_the_sitemap(built: Path) -> None:
    robots = (built / "robots.txt").read_text("utf-8")
    assert "Sitemap: https://example.org/fixture/sitemap.xml" in robots.splitlines()


def test_canonical_and_og_url_are_absolute(built: Path) -> None:
    moved = redirects(built)
    for rel in sorted(html_pages(built)):
        head = page(built, rel).find("head")
        canonical = head.find("link", rel="canonical").attrs["href"]
        if rel in moved:
            # A moved page names the page it moved to.
            assert under_base(canonical, built) not in moved, rel
            continue
        assert canonical == BASE + rel, rel
        og = head.find("meta", property="og:url").attrs["content"]
        assert og == canonical, rel


# ------------------------------------------------------------- feed size limits


def many_briefings_site(n: int) -> str:
    parts = [
        """
-- briefing.yaml --
title: Fixture Briefings
language: es
base_url: https://example.org/fixture/
-- content/people/ana-garcia.yaml --
name: Ana García
"""
    ]
    start = date(2021, 1, 1)
    for i in range(n):
        day = start + timedelta(days=7 * i)
        people = "[Ana García]" if i % 2 else "[]"
        parts.append(
            f"""-- content/briefings/b{i:03d}.md --
---
title: Nota {i}
date: {day.isoformat()}
people: {people}
tags: [todas]
---
Texto {i}, con un [enlace](b000.md#arriba) y ![img](/img/p.svg).
"""
        )
    parts.append(
        """-- content/static/img/p.svg --
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>
"""
    )
    return "\n".join(parts)


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out, _ = build(write_site(tmp_path_factory.mktemp("many"), many_briefings_site(60)), "--quiet")
    return out


def test_site_feed_holds_the_newest_50_in_full(many: Path) -> None:
    parsed = parse_feed(many, "feed.xml")
    assert SITE_FEED == 50
    assert slugs(parsed) == [f"b{i:03d}" for i in range(59, 9, -1)]
    check_entries(many, "feed.xml", parsed)
    for e in parsed.entries:
        urls = content_urls(e.content[0].value)
        assert BASE + "briefings/b000.html#arriba" in urls
        assert BASE + "img/p.svg" in urls
        for url in urls:
            under_base(url, many)


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("tags/todas.xml", [f"b{i:03d}" for i in range(59, 39, -1)]),
        ("people/ana-garcia.xml", [f"b{i:03d}" for i in range(59, 19, -2)]),
    ],
)
def test_entity_feed_holds_the_newest_20_summaries(
    many: Path, rel: str, expected: list[str]
) -> None:
    assert ENTITY_FEED == 20
    parsed = parse_feed(many, rel)
    assert slugs(parsed) == expected
    check_entries(many, rel, parsed)
    for e in parsed.entries:
        assert e.summary.startswith("Texto ")
        assert "content" not in e


# ------------------------------------------------------------------ no base_url


def test_without_base_url_warns_and_writes_no_sitemap(tmp_path: Path) -> None:
    site = write_site(tmp_path, SITE.replace("base_url: https://example.org/fixture/\n", ""))
    out, err = build(site)
    assert "no `base_url`" in err
    assert not (out / "sitemap.xml").exists()
    assert "Sitemap:" not in (out / "robots.txt").read_text("utf-8")
    assert (out / "index.html").is_file()
    for rel in ("index.html", "briefings/uno.html", "countries/jp.html"):
        head = page(out, rel).find("head")
        assert not head.find_all("link", rel="canonical"), rel
        assert not head.find_all("meta", property="og:url"), rel
    for rel in ["feed.xml", *entity_feeds(out)]:
        parse_feed(out, rel)
