"""Folding, slugs and closest matches: how names are compared and turned into file names."""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Iterable

_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+")
SAFE_SLUG = re.compile(r"^[^\W_][\w.-]{0,199}$")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form: "Japón" and " japon " are one key."""
    return _SPACE.sub(" ", strip_accents(text).casefold()).strip()


def slugify(text: str) -> str:
    """A file-name-safe slug; letters of every script are kept, everything else is a hyphen."""
    slug = _NON_WORD.sub("-", fold(text)).replace("_", "-").strip("-")
    slug = re.sub(r"-{2,}", "-", slug)
    if not slug:
        slug = "x-" + hashlib.sha256(text.encode()).hexdigest()[:8]
    return slug[:120].strip("-")


def is_safe_slug(slug: str) -> bool:
    return bool(SAFE_SLUG.match(slug)) and ".." not in slug


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.75) -> str | None:
    pool = sorted(set(candidates))
    folded = {fold(c): c for c in pool}
    hits = difflib.get_close_matches(fold(word), list(folded), n=1, cutoff=cutoff)
    return folded[hits[0]] if hits else None


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()
