"""Atom feed, sitemap.xml and robots.txt writers.

Pure functions: no I/O, no clock, byte-for-byte deterministic output. All text is
stripped of characters that XML 1.0 forbids and then escaped, so hostile titles or
summaries cannot break the document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

__all__ = ["FeedEntry", "atom_feed", "robots_txt", "sitemap"]

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_MAX_URLS = 50_000  # sitemaps.org protocol limit per file
EMPTY_FEED_UPDATED = "1970-01-01T00:00:00Z"

# Anything outside the XML 1.0 Char production: C0 controls other than \t \n \r,
# lone surrogates, U+FFFE and U+FFFF. Listed as such: the complement of the ranges XML
# allows means the same and took a hundredth of a second to compile.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_ATTR_ESCAPES = {**_TEXT_ESCAPES, '"': "&quot;", "\t": "&#9;", "\n": "&#10;"}
_TEXT_RE = re.compile("[&<>\r]")
_ATTR_RE = re.compile('[&<>\r"\t\n]')


@dataclass(frozen=True)
class FeedEntry:
    id: str  # stable id, e.g. the absolute URL or a tag: URI
    title: str
    url: str  # absolute URL of the page
    published: datetime  # timezone-aware
    updated: datetime  # timezone-aware
    summary: str  # plain text
    content_html: str | None  # full HTML body for the site feed; None for entity feeds
    authors: tuple[str, ...]  # may be empty -> feed-level author applies
    categories: tuple[str, ...]
    lang: str | None

    def __post_init__(self) -> None:
        for name in ("published", "updated"):
            if getattr(self, name).utcoffset() is None:
                raise ValueError(f"FeedEntry.{name} must be timezone-aware")


# Whatever ``_text`` or ``_attr`` would change: most values have none of it, and one
# search instead of two substitutions is a third of writing 1,300 feeds.
# One character class made of the two above (``_TEXT_RE``'s are among ``_ATTR_RE``'s).
_ANY_ESCAPE = re.compile(f"[{_ILLEGAL_XML.pattern[1:-1]}{_ATTR_RE.pattern[1:-1]}]")


def _clean(value: str) -> str:
    return _ILLEGAL_XML.sub("", value)


def _text(value: str) -> str:
    if _ANY_ESCAPE.search(value) is None:
        return value
    return _TEXT_RE.sub(lambda m: _TEXT_ESCAPES[m.group()], _clean(value))


def _attr(value: str) -> str:
    if _ANY_ESCAPE.search(value) is None:
        return '"' + value + '"'
    return '"' + _ATTR_RE.sub(lambda m: _ATTR_ESCAPES[m.group()], _clean(value)) + '"'


def _el(name: str, text: str, **attrs: str) -> str:
    attrs_s = "".join(f" {k}={_attr(v)}" for k, v in attrs.items())
    return f"<{name}{attrs_s}>{_text(text)}</{name}>"


def _link(rel: str, type_: str, href: str) -> str:
    return f"<link rel={_attr(rel)} type={_attr(type_)} href={_attr(href)}/>"


def _rfc3339(moment: datetime) -> str:
    if moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}; feeds need timezone-aware times")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=4096)
def _entry(entry: FeedEntry) -> tuple[str, ...]:
    """An entry's lines, kept for the next feed that lists it: the latest briefings of an
    actor are in the feeds of most of their other actors too."""
    lang = f" xml:lang={_attr(entry.lang)}" if entry.lang else ""
    lines = [
        f"<entry{lang}>",
        _el("id", entry.id),
        _el("title", entry.title, type="text"),
        _el("updated", _rfc3339(entry.updated)),
        _el("published", _rfc3339(entry.published)),
        _link("alternate", "text/html", entry.url),
    ]
    lines += [f"<author>{_el('name', name)}</author>" for name in entry.authors]
    lines += [f"<category term={_attr(term)}/>" for term in entry.categories]
    lines.append(_el("summary", entry.summary, type="text"))
    if entry.content_html is not None:
        lines.append(_el("content", entry.content_html, type="html"))
    lines.append("</entry>")
    return tuple(lines)


def atom_feed(
    *,
    title: str,
    subtitle: str | None,
    feed_url: str,
    site_url: str,
    feed_id: str,
    lang: str,
    author: str,
    entries: Sequence[FeedEntry],
    generator_version: str,
) -> bytes:
    """Render an Atom 1.0 (RFC 4287) feed; entries are written in the order given."""
    updated = _rfc3339(max(e.updated for e in entries)) if entries else EMPTY_FEED_UPDATED
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f"<feed xmlns={_attr(ATOM_NS)} xml:lang={_attr(lang)}>",
        _el("id", feed_id),
        _el("title", title, type="text"),
    ]
    if subtitle is not None:
        lines.append(_el("subtitle", subtitle, type="text"))
    lines += [
        _el("updated", updated),
        f"<author>{_el('name', author)}</author>",
        _link("self", "application/atom+xml", feed_url),
        _link("alternate", "text/html", site_url),
        _el("generator", "briefing", version=generator_version),
    ]
    for entry in entries:
        lines += _entry(entry)
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemap(urls: Sequence[tuple[str, str | None]]) -> bytes:
    """Render sitemap.xml (sitemaps.org 0.9) from ``(absolute url, YYYY-MM-DD | None)``."""
    if len(urls) > SITEMAP_MAX_URLS:
        raise ValueError(f"{len(urls)} URLs exceed the sitemap limit of {SITEMAP_MAX_URLS}")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<urlset xmlns={_attr(SITEMAP_NS)}>"]
    # Escaped all at once, one value a line: a sitemap of 20,000 pages is made on every
    # build. A value with a line break of its own is escaped alone.
    values = [v for loc, lastmod in urls for v in (loc, lastmod or "")]
    joined = "\n".join(values)
    escaped = _text(joined).split("\n") if joined.count("\n") == len(values) - 1 else []
    if len(escaped) != len(values):
        escaped = [_text(v) for v in values]
    for n in range(0, len(escaped), 2):
        loc, mod = escaped[n], escaped[n + 1]
        lines.append(
            f"<url><loc>{loc}</loc><lastmod>{mod}</lastmod></url>"
            if mod
            else f"<url><loc>{loc}</loc></url>"
        )
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemap_files(
    urls: Sequence[tuple[str, str | None]], base_url: str, limit: int = SITEMAP_MAX_URLS
) -> dict[str, bytes]:
    """``sitemap.xml``, or past ``limit`` URLs an index of ``sitemap-1.xml``, ``sitemap-2.xml``…
    (the protocol allows 50,000 URLs a file)."""
    if len(urls) <= limit:
        return {"sitemap.xml": sitemap(urls)}
    files: dict[str, bytes] = {}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<sitemapindex xmlns={_attr(SITEMAP_NS)}>"]
    for number, start in enumerate(range(0, len(urls), limit), start=1):
        name = f"sitemap-{number}.xml"
        files[name] = sitemap(urls[start : start + limit])
        lines.append(f"<sitemap>{_el('loc', base_url + name)}</sitemap>")
    lines.append("</sitemapindex>")
    files["sitemap.xml"] = ("\n".join(lines) + "\n").encode("utf-8")
    return files


def robots_txt(sitemap_url: str | None) -> bytes:
    """Render a robots.txt that allows every crawler and names the sitemap if known."""
    lines = ["User-agent: *", "Allow: /"]
    if sitemap_url:
        if any(c.isspace() for c in sitemap_url):
            raise ValueError(f"sitemap URL contains whitespace: {sitemap_url!r}")
        lines += ["", f"Sitemap: {sitemap_url}"]
    return ("\n".join(lines) + "\n").encode("utf-8")
