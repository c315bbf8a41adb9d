"""Tests for briefing.feeds: Atom feed, sitemap.xml, robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import feedparser
import pytest

from briefing.feeds import FeedEntry, atom_feed, robots_txt, sitemap, sitemap_files

A = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HOSTILE = "</title><script>alert(1)</script> R&D \x00\x0b\ud800\ufffe 🌍 مرحبا بالعالم"
HOSTILE_VISIBLE = "</title><script>alert(1)</script> R&D  🌍 مرحبا بالعالم"


def entry(n: int, **overrides: Any) -> FeedEntry:
    fields: dict[str, Any] = {
        "id": f"https://example.org/briefs/{n}/",
        "title": f"Brief {n}",
        "url": f"https://example.org/briefs/{n}/",
        "published": datetime(2024, 3, n, 8, 0, tzinfo=UTC),
        "updated": datetime(2024, 3, n, 9, 30, tzinfo=UTC),
        "summary": f"Summary {n}",
        "content_html": f"<p>Body <em>{n}</em> &amp; more</p>",
        "authors": (),
        "categories": ("Europe", "Energy"),
        "lang": None,
    }
    fields.update(overrides)
    return FeedEntry(**fields)


def feed(entries: list[FeedEntry], **overrides: Any) -> bytes:
    args: dict[str, Any] = {
        "title": "World Briefing",
        "subtitle": "Curated daily",
        "feed_url": "https://example.org/feed.xml",
        "site_url": "https://example.org/",
        "feed_id": "tag:example.org,2024:feed",
        "lang": "en",
        "author": "The Editors",
        "entries": entries,
        "generator_version": "0.1.0",
    }
    args.update(overrides)
    return atom_feed(**args)


def parse(data: bytes) -> Any:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_feed_round_trips_through_feedparser() -> None:
    entries = [
        entry(3, authors=("Ana", "Bo"), lang="fr"),
        entry(2, updated=datetime(2024, 3, 9, 12, 0, tzinfo=timezone(timedelta(hours=2)))),
        entry(1, content_html=None),
    ]
    f = parse(feed(entries))
    assert f.feed.title == "World Briefing"
    assert f.feed.subtitle == "Curated daily"
    assert f.feed.id == "tag:example.org,2024:feed"
    assert f.feed.author == "The Editors"
    assert f.feed.language == "en"
    assert f.feed.generator == "briefing"
    links = {link.rel: (link.href, link.type) for link in f.feed.links}
    assert links == {
        "self": ("https://example.org/feed.xml", "application/atom+xml"),
        "alternate": ("https://example.org/", "text/html"),
    }
    # max(updated) across entries, normalised to UTC: 2024-03-09T12:00+02:00
    assert f.feed.updated == "2024-03-09T10:00:00Z"
    assert [e.id for e in f.entries] == [e.id for e in entries]  # order preserved
    first, second, third = f.entries
    assert first.title == "Brief 3"
    assert first.link == "https://example.org/briefs/3/"
    assert first.published == "2024-03-03T08:00:00Z"
    assert first.updated == "2024-03-03T09:30:00Z"
    assert first.summary == "Summary 3"
    assert first.summary_detail.type == "text/plain"
    assert first.content[0].type == "text/html"
    assert first.content[0].value == "<p>Body <em>3</em> &amp; more</p>"
    assert [t.term for t in first.tags] == ["Europe", "Energy"]
    assert [a.name for a in first.authors] == ["Ana", "Bo"]
    assert first.summary_detail.language == "fr"
    assert second.updated == "2024-03-09T10:00:00Z"
    assert "content" not in third


def test_feed_structure_with_elementtree() -> None:
    root = ET.fromstring(feed([entry(2, lang="de"), entry(1)]))
    assert root.tag == f"{A}feed"
    assert root.get(XML_LANG) == "en"
    for tag in ("id", "title", "updated", "author", "generator"):
        assert root.find(f"{A}{tag}") is not None, tag
    entries = root.findall(f"{A}entry")
    assert [e.get(XML_LANG) for e in entries] == ["de", None]
    for e in entries:
        for tag in ("id", "title", "updated", "published", "link", "summary", "content"):
            assert e.find(f"{A}{tag}") is not None, tag
        assert e.find(f"{A}author") is None  # feed-level author applies
        assert e.find(f"{A}link").get("rel") == "alternate"  # type: ignore[union-attr]
        assert e.find(f"{A}summary").get("type") == "text"  # type: ignore[union-attr]
        content = e.find(f"{A}content")
        assert content is not None and content.get("type") == "html"
        assert content.text is not None and content.text.startswith("<p>Body")


def test_hostile_text_stays_well_formed_and_round_trips() -> None:
    e = entry(
        1,
        title=HOSTILE,
        summary=HOSTILE,
        content_html=HOSTILE,
        categories=(HOSTILE, 'a"b\tc'),
        authors=(HOSTILE,),
        url='https://example.org/?a=1&b="2"<x>',
    )
    data = feed([e], title=HOSTILE, subtitle=HOSTILE, author=HOSTILE)
    assert b"<script>" not in data
    root = ET.fromstring(data)
    assert root.find(f"{A}title").text == HOSTILE_VISIBLE  # type: ignore[union-attr]
    xe = root.find(f"{A}entry")
    assert xe is not None
    assert xe.find(f"{A}title").text == HOSTILE_VISIBLE  # type: ignore[union-attr]
    assert xe.find(f"{A}content").text == HOSTILE_VISIBLE  # type: ignore[union-attr]
    assert xe.find(f"{A}link").get("href") == e.url  # type: ignore[union-attr]
    terms = [c.get("term") for c in xe.findall(f"{A}category")]
    assert terms == [HOSTILE_VISIBLE, 'a"b\tc']

    f = parse(data)
    assert f.feed.title == HOSTILE_VISIBLE
    assert f.entries[0].title == HOSTILE_VISIBLE
    assert f.entries[0].summary == HOSTILE_VISIBLE
    assert f.entries[0].link == e.url


def test_output_is_deterministic() -> None:
    entries = [entry(2), entry(1, lang="ar", title="مرحبا")]
    first = feed(entries)
    assert first == feed(list(entries))
    assert first.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n')
    urls = [("https://example.org/", "2024-03-01"), ("https://example.org/a/", None)]
    assert sitemap(urls) == sitemap(list(urls))


def test_empty_feed_is_valid() -> None:
    data = feed([], subtitle=None)
    f = parse(data)
    assert f.entries == []
    assert f.feed.updated == "1970-01-01T00:00:00Z"
    assert "subtitle" not in f.feed
    assert ET.fromstring(data).find(f"{A}subtitle") is None


def test_naive_datetime_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        entry(1, updated=datetime(2024, 3, 1))


def test_sitemap_lists_urls() -> None:
    urls = [
        ("https://example.org/", "2024-03-01"),
        ("https://example.org/a?x=1&y=2", None),
    ]
    root = ET.fromstring(sitemap(urls))
    assert root.tag == f"{SM}urlset"
    got = [(u.findtext(f"{SM}loc"), u.findtext(f"{SM}lastmod")) for u in root]
    assert got == urls
    assert ET.fromstring(sitemap([])).tag == f"{SM}urlset"


@pytest.mark.parametrize(
    "urls",
    [
        [("https://example.org/a<b>&c", "2024-03-01"), ("https://example.org/\x01d", None)],
        # a line break in one value: the escaping all at once must not mix up the values
        [("https://example.org/x\ny", "2024-03-01"), ("https://example.org/z", "2024-01-02")],
        [("https://example.org/a", None), ("https://example.org/b", "2024\n-01")],
    ],
)
def test_sitemap_escapes_each_value_as_on_its_own(urls: list[tuple[str, str | None]]) -> None:
    from briefing.feeds import _el

    rows = [
        f"<url>{_el('loc', loc)}{_el('lastmod', mod) if mod else ''}</url>" for loc, mod in urls
    ]
    text = sitemap(urls).decode()
    head, tail = text.index("<url>"), text.rindex("</url>") + len("</url>")
    assert text[head:tail] == "\n".join(rows)
    assert "&lt;b&gt;&amp;c" in text or "x\ny" in text or "2024\n-01" in text


def test_robots_txt() -> None:
    assert robots_txt(None) == b"User-agent: *\nAllow: /\n"
    assert robots_txt("https://example.org/sitemap.xml") == (
        b"User-agent: *\nAllow: /\n\nSitemap: https://example.org/sitemap.xml\n"
    )
    with pytest.raises(ValueError):
        robots_txt("https://example.org/s.xml\nDisallow: /")


def test_sitemap_index_past_the_limit() -> None:
    urls = [(f"https://example.org/p{n}.html", None) for n in range(5)]
    assert set(sitemap_files(urls, "https://example.org/", limit=5)) == {"sitemap.xml"}
    files = sitemap_files(urls, "https://example.org/", limit=2)
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    locs = [e.text for e in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs == [f"https://example.org/sitemap-{n}.xml" for n in (1, 2, 3)]
    listed = [
        e.text
        for name in ("sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml")
        for e in ET.fromstring(files[name]).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert listed == [u for u, _ in urls]


def test_every_character_xml_refuses_is_dropped_and_no_other() -> None:
    """The refused characters, checked code point by code point against XML 1.0's Char
    production (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF])."""
    from briefing.feeds import _ILLEGAL_XML

    def allowed(cp: int) -> bool:
        return (
            cp in (0x9, 0xA, 0xD)
            or 0x20 <= cp <= 0xD7FF
            or 0xE000 <= cp <= 0xFFFD
            or 0x10000 <= cp <= 0x10FFFF
        )

    wrong = [
        cp for cp in range(0x110000) if (_ILLEGAL_XML.fullmatch(chr(cp)) is None) != allowed(cp)
    ]
    assert wrong == []


def test_text_and_attributes_are_escaped_code_point_by_code_point() -> None:
    """``_text`` and ``_attr`` (which pass most values through as they are, after one
    search) give, for every code point alone and amid other text, the XML escape of each
    allowed character and nothing of each refused one."""
    from briefing.feeds import _attr, _text

    text_escapes = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
    attr_escapes = {**text_escapes, '"': "&quot;", "\t": "&#9;", "\n": "&#10;"}

    def allowed(ch: str) -> bool:
        cp = ord(ch)
        return (
            cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or cp > 0xFFFF
        )

    def expected(value: str, escapes: dict[str, str]) -> str:
        return "".join(escapes.get(ch, ch) for ch in value if allowed(ch))

    for cp in [*range(0x10000), 0x10000, 0x1F600, 0x10FFFF]:  # the astral planes alike
        value = f"a{chr(cp)}b"
        assert _text(value) == expected(value, text_escapes), hex(cp)
        assert _attr(value) == '"' + expected(value, attr_escapes) + '"', hex(cp)
    assert _text("Año 2024: Japón y Türkiye") == "Año 2024: Japón y Türkiye"
    assert _attr("x & y\n") == '"x &amp; y&#10;"'


def test_an_entry_in_several_feeds_is_written_alike_and_by_its_own_fields() -> None:
    """Entries are kept between feeds: the same entry reads the same in each, and one that
    differs in any field is written anew (equal instants in other offsets too)."""
    shared = entry(3)
    first = ET.fromstring(feed([entry(1), shared]))
    second = ET.fromstring(feed([shared, entry(2)], title="Another"))
    assert ET.tostring(first.findall(f"{A}entry")[1]) == ET.tostring(second.findall(f"{A}entry")[0])
    retitled = ET.fromstring(feed([entry(3, title="Brief 3, again")]))
    assert retitled.find(f"{A}entry/{A}title").text == "Brief 3, again"  # type: ignore[union-attr]
    later = datetime(2024, 3, 3, 11, 30, tzinfo=timezone(timedelta(hours=2)))
    shifted = ET.fromstring(feed([entry(3, updated=later)]))
    assert shifted.find(f"{A}entry/{A}updated").text == "2024-03-03T09:30:00Z"  # type: ignore[union-attr]
