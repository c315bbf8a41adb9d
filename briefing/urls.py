"""Output paths and relative links: every link names a file and is relative to its page."""

from __future__ import annotations

from functools import lru_cache


def relative(from_page: str, to_path: str) -> str:
    """The link from the page at ``from_page`` to ``to_path`` (both normalized, from the site root)."""
    return _from_folder(from_page.rpartition("/")[0], to_path)


@lru_cache(maxsize=65536)
def _from_folder(folder: str, to_path: str) -> str:
    """Remembered by folder: the pages of one folder link to the same pages (the menu,
    the assets, the actors), and there are far fewer folders than pages."""
    if not to_path or to_path.endswith("/"):
        to_path += "index.html"
    here = folder.split("/") if folder else []
    there = to_path.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "../" * (len(here) - common) + "/".join(there[common:])


def root_of(page: str) -> str:
    """The relative prefix to the site root ("" at the top, "../" one folder down)."""
    depth = page.count("/")
    return "../" * depth


def absolute(base_url: str, path: str) -> str:
    return base_url + path if base_url else ""


def split_fragment(url: str) -> tuple[str, str]:
    """(path, query and fragment): ``x.html?q=a#b`` is ``x.html`` and ``?q=a#b``."""
    marks = [i for i in (url.find("?"), url.find("#")) if i >= 0]
    if not marks:
        return url, ""
    return url[: min(marks)], url[min(marks) :]
