"""The site-wide pass over rendered HTML: mention links, links between pages, paths.

Runs after every file is parsed, on HTML the cache kept. Its result for one
body depends only on the names that body could contain and on the targets of
its own links, which is what its cache key digests.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from briefing.model import Body
from briefing.problems import Problem, error
from briefing.registry import Key
from briefing.text import digest
from briefing.urls import (
    URL_ATTR,
    attr_value,
    refused_link,
    refused_scheme,
    relative,
    split_fragment,
)

# a tag (a quoted attribute value may hold `>`: raw HTML under `raw_html: trust` has them
# unescaped), else anything from `<` to `>` (a comment), else text; a lone `<` is text.
# No alternative reads past a `<` but the last resort, so a run of `<` stays linear.
_TOKEN = re.compile(r"""<(?:[^<>"']|"[^"<]*"|'[^'<]*')*>|<[^>]*>|[^<]+|<""")
_WORD = re.compile(r"[^\W\d_][\w]*")
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")
_WIKI = re.compile(r'<a data-wikilink="([^"]*)"( data-auto)?>')
_SPACE = re.compile(r"\s+")
SKIP = {
    "a",
    "code",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "script",
    "style",
    "kbd",
    "samp",
    "svg",
}
# Tags as Python-Markdown writes them that are none of the above, hold no attribute and end
# no wikilink: most of a body's tags, passed by as they are.
_PLAIN = frozenset(
    f"<{end}{name}>"
    for name in ("p", "li", "ul", "ol", "strong", "em", "blockquote", "table", "thead",
                 "tbody", "tr", "td", "th", "sup", "sub", "span", "div", "dl", "dt", "dd")
    for end in ("", "/")
) | {"<br />", "<hr />"}  # fmt: skip
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Targets:
    """What links can point at, for the whole site."""

    # first capitalized word -> (escaped name, actor, the word's offset in it), longest first
    names: dict[str, list[tuple[str, Key, int]]]
    actor_urls: dict[Key, str]
    source_pages: dict[str, str]  # content/... .md -> output page
    source_assets: dict[str, str]  # content/... file -> output file
    wiki: Callable[[str], tuple[str, str] | None]  # wikilink text -> (output path, label)
    # word -> its names, each with the other capitalized words a body needs to spell it:
    # the same few thousand words recur in every body
    _spelled: dict[str, str | list[tuple[frozenset[str], str]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def names_id(self) -> str:
        """Everything ``names_digest`` reads: equal ids give equal digests for equal words."""
        return digest(
            *(
                f"{word}\0{name}\0{self.actor_urls[key]}"
                for word, items in sorted(self.names.items())
                for name, key, _ in items
            )
        )

    def word_entries(self) -> dict[str, list[list[str]]]:
        """Per word, what ``names_digest`` reads of the names filed under it, in order:
        [name, address] pairs. The next build compares them (``changed_needs``)."""
        return {
            word: [[name, self.actor_urls[key]] for name, key, _ in items]
            for word, items in self.names.items()
        }

    def names_digest(self, words: Sequence[str]) -> str:
        """What the names a body's words could spell say and link to: the part of the site
        a finished body depends on through its mentions.

        A name is only found written out, so a body lacking one of its capitalized words
        cannot contain it and the name is left out: naming a person anew, the old name
        kept as an alias, leaves the bodies that cannot spell the new name as they were.
        The word itself stays in, named or not: text in which some name could start is
        rewritten (its spaces collapsed) even where none is found."""
        present: set[str] | None = None
        parts = []
        spelled = self._spelled
        for word in words:
            names = spelled.get(word)
            if names is None:
                names = spelled[word] = self._spelling(word)
            if isinstance(names, str):
                if names:
                    parts.append(names)
                continue
            if present is None:
                present = set(words)
            parts.append(word + "=" + "|".join(t for need, t in names if need <= present))
        # no name holds a control character (the build refuses them)
        text = "\0".join(parts).encode("utf-8", "surrogatepass")
        return hashlib.blake2b(text, digest_size=16).hexdigest()

    def _spelling(self, word: str) -> str | list[tuple[frozenset[str], str]]:
        """The names filed under ``word``, each with the other capitalized words a body
        needs to spell it; when none needs another, the word's part of every digest."""
        names = [
            (_needs(n, word), f"{n}>{self.actor_urls[k]}") for n, k, _ in self.names.get(word, ())
        ]
        if all(not need for need, _ in names):
            return word + "=" + "|".join(t for _, t in names) if names else ""
        return names


Needs = dict[str, list[frozenset[str]] | None]


def changed_needs(then: dict[str, Any], now: dict[str, list[list[str]]]) -> Needs:
    """The words whose names changed between two ``word_entries``, each with what a body
    needs (its other capitalized words) to spell a name that came or went; None for a
    word that gained its first name or lost its last. A body spelling none of those
    keeps its ``names_digest``: the names it can spell are the same, in the same order
    (names are ordered by themselves alone, see ``build_names``)."""
    out: Needs = {}
    for entries in then.values():  # a record of the last build: of this shape, or refused
        if not (type(entries) is list and all(_is_entry(e) for e in entries)):
            raise TypeError("names record")
    for word in then.keys() | now.keys():
        was, is_ = then.get(word) or [], now.get(word) or []
        if was == is_:
            continue
        if not was or not is_:
            out[word] = None
            continue
        moved = {tuple(e) for e in was} ^ {tuple(e) for e in is_}
        out[word] = [_needs(str(e[0]), word) for e in moved]
    return out


# Up to this many changed words, a body's capitals are searched for each (``marks``)
MARKED = 8


def marks(needs: Needs) -> list[str] | None:
    """The words of ``needs``, each between two newlines, when they are few: a body's
    capitals (one a line) that hold none of them spell no changed name, and are not
    split to find that out (a rename looks at 10,000 bodies). None for many words."""
    return [f"\n{word}\n" for word in needs] if len(needs) <= MARKED else None


def capitals_spell_changed(capitals: str, needs: Needs, marked: list[str] | None) -> bool:
    """``spells_changed`` of a body's capitals as the cache keeps them (one a line);
    ``marked`` is ``marks(needs)``."""
    if marked is not None:
        padded = f"\n{capitals}\n"
        for mark in marked:
            if mark in padded:
                break
        else:
            return False
    return spells_changed(capitals.split("\n") if capitals else (), needs)


def _is_entry(entry: Any) -> bool:
    return type(entry) is list and len(entry) == 2 and all(type(x) is str for x in entry)


def spells_changed(words: Sequence[str], needs: Needs) -> bool:
    """Whether a body's words can spell a name that came or went (see ``changed_needs``)."""
    hit = [w for w in words if w in needs]
    if not hit:
        return False
    present = set(words)
    for word in hit:
        found = needs[word]
        if found is None or any(need <= present for need in found):
            return True
    return False


def _needs(name: str, word: str) -> frozenset[str]:
    """The capitalized words besides ``word`` a body must have to spell ``name`` (as
    ``build_names`` files it, escaped)."""
    return _capitalized(html.unescape(name)) - {word}


def _capitalized(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text) if w[0].isupper())


def build_names(table: dict[str, Key]) -> dict[str, list[tuple[str, Key, int]]]:
    """Names by their first capitalized word: the words a Body lists start with a capital,
    so "von der Leyen" is found through "Leyen" (at offset 8), not through "von"."""
    by_word: dict[str, list[tuple[str, Key, int]]] = {}
    for name, key in table.items():
        escaped = html.escape(name, quote=False)
        words = list(_WORD.finditer(escaped))
        if not words:
            continue
        anchor = next((w for w in words if w.group(0)[0].isupper()), words[0])
        by_word.setdefault(anchor.group(0), []).append((escaped, key, anchor.start()))
    for items in by_word.values():
        items.sort(key=lambda item: (-len(item[0]), item[0], item[2]))
    return by_word


class Root(NamedTuple):
    """A link or image from the site's root: the output path it leads to, as written."""

    target: str  # ``img/x.png``; a folder's ``index.html``
    line: int
    url: str  # ``/img/x.png``
    kind: str  # "link" or "image"


@dataclass
class Finished:
    html: str
    mentioned: tuple[Key, ...]
    assets: tuple[str, ...]
    links_to: tuple[str, ...]  # output pages this body links to
    problems: tuple[Problem, ...] = ()
    # its links from the site's root (``/img/x.png``): only the build knows every path the
    # site has, and checks them (``build.broken_roots``)
    roots: tuple[Root, ...] = ()


@dataclass
class _State:
    mentioned: dict[Key, None] = field(default_factory=dict)
    linked: set[Key] = field(default_factory=set)


def finish(
    body: Body,
    source: str,
    page: str,
    targets: Targets,
    *,
    link_mentions: bool = True,
    own: Key | None = None,
) -> Finished:
    """Rewrite one body for the page at ``page``; ``source`` is its content file."""
    problems: list[Problem] = []
    assets: dict[str, None] = {}
    links_to: dict[str, None] = {}
    roots: dict[Root, None] = {}
    state = _State()
    lines = {link.url: link.line for link in (*body.links, *body.wikilinks)}
    out: list[str] = []
    firsts = set(body.words) & targets.names.keys() if link_mentions else set()
    if not firsts and "data-wikilink" not in body.html and not URL_ATTR.search(body.html):
        return Finished(body.html, (), (), (), ())
    skip = 0
    wiki_open = False
    label: str | None = None  # a wikilink without its own label shows the target's name
    for match in _TOKEN.finditer(body.html):
        token = match.group(0)
        if label is not None and not token.startswith("<"):
            out.append(html.escape(label, quote=False))
            label = None
            continue
        if token in _PLAIN:
            out.append(token)
            continue
        if token.startswith("<"):
            wiki = _WIKI.match(token)
            if wiki:
                target = html.unescape(wiki.group(1))
                found = targets.wiki(target)
                if found is None:
                    line = next((n for u, n in lines.items() if u.startswith("[[" + target)), 0)
                    problems.append(
                        error(
                            source,
                            line,
                            f"broken link [[{target}]]: no actor, briefing or page by that name",
                        )
                    )
                    out.append('<span class="wikilink broken">')
                    wiki_open = True
                else:
                    out.append(
                        f'<a class="wikilink" href="{html.escape(relative(page, found[0]))}">'
                    )
                    links_to[found[0]] = None
                    if wiki.group(2):
                        label = found[1]
                skip += 1
                continue
            if wiki_open and token == "</a>":
                out.append("</span>")
                wiki_open = False
                skip -= 1
                continue
            name_match = _TAG_NAME.match(token)
            if name_match:
                tag = name_match.group(1).lower()
                if tag in SKIP and not token.endswith("/>"):
                    skip += -1 if token.startswith("</") else 1
                    skip = max(skip, 0)
            lowered = token.lower()
            if "href" in lowered or "src" in lowered:
                token = URL_ATTR.sub(
                    lambda m: _rewrite(
                        m, source, page, targets, lines, problems, assets, links_to, roots
                    ),
                    token,
                )
            out.append(token)
        elif skip or not firsts or token.isspace():
            out.append(token)
        else:
            out.append(_link_names(token, page, targets, state, own, firsts))
    return Finished(
        "".join(out),
        tuple(state.mentioned),
        tuple(assets),
        tuple(links_to),
        tuple(problems),
        tuple(roots),
    )


def _link_names(
    text: str, page: str, targets: Targets, state: _State, own: Key | None, firsts: set[str]
) -> str:
    """Link the first mention of each actor in one text segment.

    Only words that start some name are looked up, found with ``str.find`` rather
    than a scan word by word: most segments contain none and cost one set test.
    """
    present = [w for w in firsts if w in text]
    if not present:
        return text
    if "\n" in text:
        text = _SPACE.sub(" ", text)
    hits: list[tuple[int, str, Key]] = []
    for word in present:
        at = text.find(word)
        while at >= 0:
            for name, key, offset in targets.names[word]:
                start = at - offset
                end = start + len(name)
                if (
                    start >= 0
                    and text.startswith(name, start)
                    and (start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_"))
                    and (end >= len(text) or not (text[end].isalnum() or text[end] == "_"))
                ):
                    hits.append((start, name, key))
                    break
            at = text.find(word, at + 1)
    if not hits:
        return text
    hits.sort(key=lambda hit: (hit[0], -len(hit[1])))
    parts: list[str] = []
    last = 0  # text before this is in parts
    covered = 0  # names before this are taken (linked or not)
    for start, name, key in hits:
        if start < covered:
            continue  # inside a longer name already taken
        end = start + len(name)
        covered = end
        if key == own:
            continue
        state.mentioned[key] = None
        if key in state.linked:
            continue
        state.linked.add(key)
        url = html.escape(relative(page, targets.actor_urls[key]))
        parts.append(text[last:start])
        parts.append(f'<a class="mention" href="{url}">{text[start:end]}</a>')
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _rewrite(
    match: re.Match[str],
    source: str,
    page: str,
    targets: Targets,
    lines: dict[str, int],
    problems: list[Problem],
    assets: dict[str, None],
    links_to: dict[str, None],
    roots: dict[Root, None],
) -> str:
    attr, raw = match.group(1), attr_value(match)
    url = html.unescape(raw)
    if refused_scheme(url):
        problems.append(refused_link(source, url, lines.get(url, 0)))
        return ""
    if not url or url.startswith("#") or url.startswith("//") or _SCHEME.match(url):
        return match.group(0)
    path, rest = split_fragment(url)
    line = lines.get(url, 0)
    if path.startswith("/"):
        target = posixpath.normpath(path.lstrip("/")) if path.strip("/") else ""
        target = "" if target == "." else target
        if path.endswith("/") or not target:
            target = f"{target}/index.html" if target else "index.html"
        roots[Root(target, line, url, "image" if attr == "src" else "link")] = None
        new = relative(page, target) + rest
        return f'{attr}="{html.escape(new)}"'
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
    known = resolved in targets.source_pages or resolved in targets.source_assets
    if "%" in path and not known:
        # `my%20photo.png`, as a file name with a space is written in Markdown (and on GitHub)
        decoded = posixpath.normpath(
            posixpath.join(posixpath.dirname(source), urllib.parse.unquote(path))
        )
        if decoded in targets.source_pages or decoded in targets.source_assets:
            resolved = decoded
    if resolved in targets.source_pages:
        target = targets.source_pages[resolved]
        links_to[target] = None
        return f'{attr}="{html.escape(relative(page, target) + rest)}"'
    if resolved in targets.source_assets:
        target = targets.source_assets[resolved]
        assets[resolved] = None
        return f'{attr}="{html.escape(relative(page, target) + rest)}"'
    kind = "image" if attr == "src" else "link"
    problems.append(
        error(
            source,
            line,
            f"broken {kind} `{url}`: no file {resolved}",
            "a relative path is relative to this Markdown file; start with `/` for the site root",
        )
    )
    return match.group(0)
