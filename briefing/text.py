"""Folding, slugs and closest matches: how names are compared and turned into file names."""

from __future__ import annotations

import difflib
import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_SPACE = re.compile(r"\s+")
# Accents are the generic combining diacritics (and Arabic vowel marks), as in
# search.py; the marks that are part of a letter in other scripts (Devanagari's
# vowel signs and virama, Japanese dakuten) are kept: "हिन्दी" and "ガ" stay as written.
_ACCENT = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u064b-\u065f\u0670]"
)
# Control characters no page can show (HTML forbids them): C0 but tab, line feed, form feed
# and carriage return, DEL, and C1. YAML's escapes make them (``"\x01"``, ``"\e"``, ``"\N"``),
# and text copied from a terminal or a PDF brings them; Python-Markdown marks its own
# placeholders with two of them.
CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


HTML_TAG = re.compile(r"<[^>]*>")  # a tag, up to its first ">"


def html_tokens(markup: str) -> list[str]:
    """The words of an HTML body's text, space-separated tokens (tags are spaces,
    entities the characters they stand for): ``" ".join`` of them is the body's text,
    which the cache does not keep beside its HTML (see ``parsing.Bodies``)."""
    return html.unescape(HTML_TAG.sub(" ", markup)).split()


def control_message(found: re.Match[str]) -> str:
    """What a file or a YAML value with a control character (a ``CONTROL`` match) is told."""
    return f"a control character (U+{ord(found.group()):04X}) that no page can show"


MAX_SLUG = 200  # characters
# File systems limit a name to 255 bytes; with ".html", ".xml" or "-12.html" added, a
# slug stays well below it. Longer names are cut and told apart by a hash.
MAX_SLUG_BYTES = 200


def strip_accents(text: str) -> str:
    return unicodedata.normalize("NFC", _ACCENT.sub("", unicodedata.normalize("NFKD", text)))


_INVISIBLE = frozenset("\u200c\u200d" + "".join(chr(c) for c in range(0xFE00, 0xFE10)))


def _slug_char(c: str) -> bool:
    """Letters and digits of every script, with their marks (a Devanagari vowel sign is one),
    but not the invisible ones (an emoji's variation selector, joiners)."""
    return c.isalnum() or (unicodedata.category(c).startswith("M") and c not in _INVISIBLE)


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form: "Japón" and " japon " are one key."""
    return _SPACE.sub(" ", strip_accents(text).casefold()).strip()


@lru_cache(maxsize=1 << 16)
def slugify(text: str) -> str:
    """A file-name-safe slug; letters of every script are kept, everything else is a hyphen."""
    slug = "".join(c if _slug_char(c) else "-" for c in fold(text))
    slug = re.sub(r"-{2,}", "-", slug).strip("-")
    if not slug:
        slug = "x-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    slug = slug[:120].strip("-")
    if len(slug.encode("utf-8")) > MAX_SLUG_BYTES:
        mark = hashlib.sha256(slug.encode("utf-8")).hexdigest()[:8]
        cut = slug.encode("utf-8")[: MAX_SLUG_BYTES - 9].decode("utf-8", "ignore").strip("-")
        slug = f"{cut}-{mark}"
    return slug


RESERVED_SLUGS = frozenset({"index"})  # each actor folder's index page


def actor_slug(text: str) -> str:
    """The slug of a tag or an unregistered actor: never the name of its folder's index."""
    slug = slugify(text)
    return slug + "-1" if slug in RESERVED_SLUGS else slug


def is_safe_slug(slug: str) -> bool:
    """A single file name: starts with a letter or digit; then those, marks, `.`, `-`, `_`."""
    return (
        0 < len(slug) <= MAX_SLUG
        and len(slug.encode("utf-8", "surrogatepass")) <= MAX_SLUG_BYTES
        and slug[0].isalnum()
        and all(_slug_char(c) or c in ".-_" for c in slug)
        and ".." not in slug
    )


class Matcher:
    """Closest-match lookups against one fixed pool: the pool is folded once, which is
    most of the cost when hundreds of unknown names are checked against it."""

    def __init__(self, candidates: Iterable[str]) -> None:
        self.folded = {fold(c): c for c in sorted(set(candidates))}
        self.keys = list(self.folded)

    def closest(self, word: str, cutoff: float = 0.75) -> str | None:
        hits = difflib.get_close_matches(fold(word), self.keys, n=1, cutoff=cutoff)
        return self.folded[hits[0]] if hits else None


def carry_closest(
    old: Matcher, new: Matcher, answers: dict[str, str | None], cutoff: float
) -> dict[str, str | None]:
    """``new.closest(word, cutoff)`` for the words of ``answers``, each given with its
    ``old.closest(word, cutoff)``, trying only the names that changed between the pools:
    the best of the names both share is the old answer (or none, if it was none). A
    word whose old answer is itself a changed name is left out, to be looked up whole.
    Renaming one person changes two names of thousands, for hundreds of unknown names."""
    changed = {
        k for k in old.folded.keys() | new.folded.keys() if old.folded.get(k) != new.folded.get(k)
    }
    fresh = [k for k in new.keys if k in changed]
    out: dict[str, str | None] = {}
    for word, was in answers.items():
        was_key = None if was is None else fold(was)
        if was_key is not None and (was_key in changed or old.folded.get(was_key) != was):
            continue
        target = fold(word)
        best = None if was_key is None else (_ratio(was_key, target), was_key)
        for hit in difflib.get_close_matches(target, fresh, n=1, cutoff=cutoff):
            found = (_ratio(hit, target), hit)
            best = found if best is None or found > best else best
        out[word] = None if best is None else new.folded[best[1]]
    return out


def _ratio(candidate: str, word: str) -> float:
    """The score ``difflib.get_close_matches`` gives ``candidate`` for ``word``."""
    return difflib.SequenceMatcher(None, candidate, word).ratio()


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.75) -> str | None:
    return Matcher(candidates).closest(word, cutoff)


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=1024)
def primary(lang: str) -> str:
    """A language tag's primary language: ``pt-BR`` and ``pt_br`` are ``pt``."""
    return lang.replace("_", "-").split("-")[0].lower()
