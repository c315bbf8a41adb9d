"""Output paths and relative links: every link names a file and is relative to its page."""

from __future__ import annotations

import posixpath


def relative(from_page: str, to_path: str) -> str:
    """The link from the page at ``from_page`` to ``to_path`` (both from the site root)."""
    if to_path.endswith("/"):
        to_path += "index.html"
    start = posixpath.dirname(from_page) or "."
    rel = posixpath.relpath(to_path or "index.html", start)
    return rel


def root_of(page: str) -> str:
    """The relative prefix to the site root ("" at the top, "../" one folder down)."""
    depth = page.count("/")
    return "../" * depth


def absolute(base_url: str, path: str) -> str:
    return base_url + path if base_url else ""


def split_fragment(url: str) -> tuple[str, str]:
    for mark in ("#", "?"):
        if mark in url:
            index = url.index(mark)
            return url[:index], url[index:]
    return url, ""
