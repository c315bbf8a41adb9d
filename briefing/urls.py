"""Output paths and relative links: every link names a file and is relative to its page;
and the URLs no page links to. (Python-Markdown is not needed to tell those: a build
that renders no Markdown does not load it.)"""

from __future__ import annotations

import re
from functools import lru_cache

from briefing.problems import Problem, warning


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


# what re.I also takes for these letters: long s, dotted and dotless i, the Kelvin sign
_FOLDS = {"s": "\u017f", "i": "\u0130\u0131", "k": "\u212a"}


def _any_case(word: str) -> str:
    """A pattern for ``word`` (lowercase letters) in any case, as ``re.I`` matches it."""
    return "".join(f"[{c}{c.upper()}{_FOLDS.get(c, '')}]" for c in word)


_X, _H, _S = (_any_case(c) for c in "xhs")
# URLs that run code or carry a document of their own: taken out of links and images
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


def refused_scheme(url: str) -> str | None:
    """``javascript`` for ``" Java\tScript:x"``: the scheme of a URL that is never made a
    link (as browsers read it, blanks aside, in any case), else None."""
    compact = "".join(url.split()).lower()
    return compact.split(":", 1)[0] if compact.startswith(BAD_SCHEMES) else None


# href and src (and SVG's xlink:href) quoted in any way, as raw HTML may write them under
# `raw_html: trust`; groups: the name, then the value double-quoted, single-quoted or bare.
# The name part reads as `(?<![\w:-])((?:xlink:)?(?:href|src))` in any case, spelled to
# begin with the name's first letter (a pattern that begins with a lookbehind is tried at
# every character), with each letter's cases as a class: ``re.I`` folds the case of every
# character a pattern tries, and a body has hundreds of h and s.
URL_ATTR = re.compile(
    f"([{_X[1:-1]}{_H[1:-1]}{_S[1:-1]}]"
    r"(?<![\w:-].)"
    f"(?:(?<={_X}){_any_case('link')}:(?:{_any_case('href')}|{_any_case('src')})"
    f"|(?<={_H}){_any_case('ref')}|(?<={_S}){_any_case('rc')}))"
    r"""\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"""
)


def refused_link(source: str, url: str, line: int) -> Problem:
    """The warning for a link or image taken out of a body (see ``BAD_SCHEMES``)."""
    shown = url if len(url) <= 60 else url[:60] + "…"
    scheme = refused_scheme(url)
    return warning(source, line, f"`{shown}`: {scheme}: URLs are not allowed; it is left out")


def attr_value(match: re.Match[str]) -> str:
    """The value of a URL_ATTR match, however it was quoted."""
    return next((g for g in match.group(2, 3, 4) if g is not None), "")
