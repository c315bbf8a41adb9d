"""Text in figures: escaped, its width estimated, cut to fit its room; and the forms a
chip's name takes in a figure.

A chip's name drawn in a figure is a slot of its page (see ``slots``), held in one of
``FORMS``. A rename writes the new name into it in whatever process patches the page,
the building one or the one patching pages ahead (``ahead``), so the forms are defined
here, where ``slots`` finds them, rather than registered by the module that draws the
figures as it is imported.

Widths are estimated with a per-character table tuned to be slightly generous for common
sans-serif faces (DejaVu Sans, Arial, Helvetica, system-ui).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import MappingProxyType

#: Font size of a figure's labels, in user units (rendered at about 1 px per unit).
LABEL_SIZE = 13.0
#: The ellipsis that ends a shortened label.
ELLIPSIS = "…"

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NARROW = frozenset("fijlrtI.,:;'!|()[]{}/\\·`´")
_WIDE = frozenset("mwMWÆŒœæ@%…—")
_SYMBOLS = frozenset("<>=+~^&#*$")


def esc(text: str) -> str:
    """Escape ``text`` for XML/HTML text and attributes, dropping characters XML forbids."""
    return html.escape(_XML_INVALID.sub("", text), quote=True)


# Kept by their arguments: a build draws two thousand figures, with the same characters
# and labels over and over.


@lru_cache(maxsize=4096)
def _char_width(ch: str) -> float:
    if unicodedata.combining(ch):
        return 0.0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch == " ":
        return 0.32
    if ch in _NARROW:
        return 0.32
    if ch in _WIDE:
        return 1.0
    if ch in _SYMBOLS:
        return 0.84
    if ch.isdigit():
        return 0.64
    if ch.isupper():
        return 0.72
    return 0.6


@lru_cache(maxsize=8192)
def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimated rendered width of ``text`` at font size ``size`` (user units)."""
    # 4 % of slack over DejaVu Sans, the widest of the usual sans-serif faces.
    width = sum(_char_width(ch) for ch in text) * size * 1.04
    return width * 1.15 if bold else width


def truncate(text: str, max_width: float, size: float, *, bold: bool = False) -> str:
    """Shorten ``text`` with an ellipsis so that it fits in ``max_width``."""
    text = " ".join(text.split())
    if text_width(text, size, bold=bold) <= max_width:
        return text
    # No label a chart can show is longer than this; cut first so the loop stays short.
    cut = min(len(text), int(max_width / (0.32 * size)) + 1)
    while cut > 0:
        cut -= 1
        candidate = text[:cut].rstrip() + ELLIPSIS
        if text_width(candidate, size, bold=bold) <= max_width:
            return candidate
    return ELLIPSIS


def _fit(text: str, room: str) -> str:
    """A label cut to ``room`` (a float's repr), escaped."""
    return esc(truncate(text, float(room), LABEL_SIZE))


def _plain(text: str, _: str) -> str:
    return esc(text)


#: The forms of a name in a figure, by kind: ``make(text, argument)`` is what the page
#: holds, escaped (see ``slots.shown``).
FORMS: Mapping[str, Callable[[str, str], str]] = MappingProxyType({"fit": _fit, "svg": _plain})
