"""Actors' names in chips, and the places of a rendered page where they were printed.

Renaming a person changes thousands of briefing pages by those few words in a chip. A
chip's name reaches the templates as a ``Name``: while a template only prints it, as
chips do, rendering records where each name went (``resolve``), and the next build
writes the new name there in the last build's bytes (``patch``) instead of rendering
the page again. A name the template does anything else with (compares, measures,
changes, passes to a function) is noticed (``Touched``): that page is rendered the
usual way and never patched. So is a page where a printed name went into text the
template then looked into (see ``render``): a patched page is always the page a
render would make.

Code the build runs while rendering shows a name in one of ``labels.FORMS`` (``shown``): a
network figure's label, cut to the room it has. Its slot names the form, and a patch
writes the new name in that form.
"""

from __future__ import annotations

import contextvars
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from markupsafe import escape

from briefing.labels import FORMS

try:  # MarkupSafe 3: the escaping itself, in C, without making a Markup of the result
    from markupsafe import _escape_inner  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another MarkupSafe: its own escape, as text

    def _escape_inner(text: str, /) -> str:
        return str(escape(text))


escape_text: Callable[[str], str] = _escape_inner  # what ``{{ text }}`` writes for a string


# Controls no content can hold (the build refuses them: ``text.CONTROL``); between them,
# a word no content can know ahead (drawn when the process starts), then the name's ref.
# Both are Latin-1: a page that holds them stays a string of one byte a character.
MARK, END = "\x1e", "\x1f"
_WORD = secrets.token_hex(6)
_MARK, _END, _WORD_BYTES = MARK.encode(), END.encode(), _WORD.encode()

Slot = list[Any]  # [byte offset, byte length, ref]


class Touched(Exception):
    """A name was used for something other than printing it, while rendering a page
    whose names are to be recorded: the page must be rendered the usual way."""


class _Session:
    __slots__ = ("touched",)

    def __init__(self) -> None:
        self.touched = False


_session: contextvars.ContextVar[_Session | None] = contextvars.ContextVar(
    "briefing_slots", default=None
)


@contextmanager
def recording() -> Iterator[_Session]:
    """Render inside this to have names printed as placeholders; ``touched`` says
    whether the template did anything else with one."""
    session = _Session()
    token = _session.set(session)
    try:
        yield session
    finally:
        _session.reset(token)


def active() -> bool:
    return _session.get() is not None


def touch() -> None:
    """What the template did reads a name, or text a name was printed into."""
    session = _session.get()
    if session is not None:
        session.touched = True
        raise Touched


def printed(name: Name) -> str:
    """The placeholder a template prints for ``name`` while recording."""
    return f"{MARK}{_WORD}{object.__getattribute__(name, 'ref')}{END}"


def shown(name: Name, kind: str, argument: str = "") -> str:
    """``name`` in the form ``kind`` (one of ``labels.FORMS``: a way of showing a name
    other than a chip's escaped text, such as a figure's label cut to fit its room): its
    placeholder while recording, so that a rename patches it as it does a chip; else the
    form's text. Code that draws a name (a figure) calls it instead of reading the name,
    which would be a use of it. A slot of a form has the chip's ref, ``~``, the kind,
    ``:`` and the argument (no ref has a ``~``)."""
    ref = object.__getattribute__(name, "ref")
    if active():
        return f"{MARK}{_WORD}{ref}~{kind}:{argument}{END}"
    return FORMS[kind](object.__getattribute__(name, "text"), argument)


def _value(ref: str, names: Mapping[str, str], escape: Callable[[str], str]) -> str | None:
    """What the page holds at a slot of ``ref``: the name escaped, or in its form; None
    when the page has no such name, or the form is unknown or its argument wrong (a
    slot read from a cache)."""
    base, tilde, rest = ref.partition("~")
    name = names.get(base)
    if name is None:
        return None
    if not tilde:
        return escape(name)
    kind, _, argument = rest.partition(":")
    make = FORMS.get(kind)
    if make is None:
        return None
    try:
        return make(name, argument)
    except ValueError:
        return None


class Name:
    """An actor's name as a chip shows it. Its ``repr`` is its ``ref`` (the actor, and the
    language it is named in): a page's fingerprint holds where its names are, and the
    names themselves are digested beside it (``Job.fingerprint``). Outside a recording
    it behaves as its text; inside one, any use but printing is ``Touched``, reading
    any of its attributes included (``.text``, ``__class__``, a format's ``{0.text}``)."""

    __slots__ = ("ref", "text")

    def __init__(self, text: str, ref: str) -> None:
        self.text = text
        self.ref = ref

    def __getattribute__(self, attribute: str) -> Any:
        touch()
        return object.__getattribute__(self, attribute)

    def __repr__(self) -> str:
        touch()
        return f"Name({object.__getattribute__(self, 'ref')})"

    def _used(self) -> str:
        touch()
        return str(object.__getattribute__(self, "text"))

    def __str__(self) -> str:
        return self._used()

    def __getattr__(self, attribute: str) -> Any:
        if attribute in Name.__slots__:  # not set yet: an object being unpickled
            raise AttributeError(attribute)
        return getattr(self._used(), attribute)

    def __reduce__(self) -> tuple[type[Name], tuple[str, str]]:
        return (Name, (self.text, self.ref))

    def __format__(self, spec: str) -> str:
        return format(self._used(), spec)

    def __eq__(self, other: object) -> bool:
        return self._used() == (other._used() if isinstance(other, Name) else other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __lt__(self, other: object) -> bool:
        return bool(self._used() < _text(other))

    def __le__(self, other: object) -> bool:
        return bool(self._used() <= _text(other))

    def __gt__(self, other: object) -> bool:
        return bool(self._used() > _text(other))

    def __ge__(self, other: object) -> bool:
        return bool(self._used() >= _text(other))

    def __hash__(self) -> int:
        return hash(self._used())

    def __bool__(self) -> bool:
        return bool(self._used())

    def __len__(self) -> int:
        return len(self._used())

    def __iter__(self) -> Iterator[str]:
        return iter(self._used())

    def __contains__(self, part: object) -> bool:
        return _text(part) in self._used()

    def __getitem__(self, index: Any) -> str:
        return self._used()[index]

    def __add__(self, other: object) -> str:
        return str(self._used() + _text(other))

    def __radd__(self, other: object) -> str:
        return str(_text(other) + self._used())

    def __mul__(self, n: int) -> str:
        return self._used() * n

    __rmul__ = __mul__

    def __mod__(self, values: Any) -> str:
        return str(self._used() % values)


def _text(value: Any) -> Any:
    return value._used() if isinstance(value, Name) else value


# What holds no text printed while rendering: a name itself, numbers, and the pieces the
# build shares between pages, made before any is rendered (``pages.Shared``, by name).
_NEVER_PRINTED: set[type] = {Name, int, float, bool, type(None)}


def never_printed(kind: type) -> None:
    """Have ``probe`` pass over values of ``kind`` inside lists and mappings."""
    _NEVER_PRINTED.add(kind)


def probe(value: Any) -> Any:
    """``value`` unchanged; touched if it is a name, or text a name was printed into (a
    macro's or a block's output the template is about to look into), or a list, tuple or
    mapping holding such text at any depth. A name inside a container is no use of it:
    a chip handed to a macro is looked at there."""
    if _session.get() is None:
        return value
    kind = type(value)
    if kind is str:  # the most common, looked at here
        if MARK in value:
            touch()
    elif kind is Name or (kind not in _NEVER_PRINTED and _holds_printed(value)):
        touch()
    return value


def probe_text(value: Any) -> Any:
    """``probe`` of the value itself, not of what it holds: for what is looked into but
    not compared or handed on (the text a loop goes through, a method's string)."""
    if _session.get() is not None and issubclass(type(value), str) and MARK in value:
        touch()
    return value


def _holds_printed(value: Any) -> bool:
    kind = type(value)
    if issubclass(kind, str):
        return MARK in value
    if kind is list or kind is tuple:
        items: Any = value
    elif kind is dict:
        items = (*value, *value.values())
    else:  # a name, a number, or what the build made before rendering (never text printed)
        return False
    for item in items:
        if type(item) in _NEVER_PRINTED:
            continue
        if _holds_printed(item):
            return True
    return False


def plain(value: Any) -> Any:
    """A context with every ``Name`` replaced by its text, for rendering the usual way.
    Containers without a name are kept as they are."""
    if type(value) is Name:
        return value.text
    if isinstance(value, dict):
        out = {k: plain(v) for k, v in value.items()}
        if all(out[k] is v for k, v in value.items()):
            return value
        # of its own kind: a figure's spec is drawn where it is found (``figures``)
        return out if type(value) is dict else type(value)(out)
    if isinstance(value, list | tuple):
        items = [plain(v) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    return value


def resolve(
    text: str, names: Mapping[str, str], escape: Callable[[str], str]
) -> tuple[bytes, list[Slot]] | None:
    """A page rendered while recording, with each placeholder replaced by its escaped
    name, and where each went; None if a placeholder names no name of the page, or the
    page holds the marks otherwise (text of the content that has them)."""
    try:
        return _resolve(text, names, escape)
    except UnicodeEncodeError:  # a lone surrogate: the usual rendering reports it
        return None


def _resolve(
    text: str, names: Mapping[str, str], escape: Callable[[str], str]
) -> tuple[bytes, list[Slot]] | None:
    data = text.encode("utf-8")
    parts = data.split(_MARK)
    if _END in parts[0]:
        return None
    pieces = [parts[0]]
    slots: list[Slot] = []
    offset = len(parts[0])
    word = len(_WORD_BYTES)
    for part in parts[1:]:  # each: the word, the ref, the end mark, the page up to the next
        close = part.find(_END)
        if close < 0 or not part.startswith(_WORD_BYTES) or part.find(_END, close + 1) >= 0:
            return None
        ref = part[word:close].decode("utf-8")
        filled = _value(ref, names, escape)
        if filled is None:
            return None
        value = filled.encode("utf-8")
        rest = part[close + 1 :]
        slots.append([offset, len(value), ref])
        pieces += (value, rest)
        offset += len(value) + len(rest)
    return (b"".join(pieces) if slots else data), slots


# not looked up yet: compared by identity, and made here, so that no value is this object
_NEW = bytes(bytearray(b"\x00not looked up"))


def patch(
    data: bytes,
    slots: Any,
    names: Mapping[str, str],
    escape: Callable[[str], str],
    memo: dict[tuple[str, str], bytes | None] | None = None,
    others_kept: bool = False,
) -> tuple[bytes, list[Slot]] | None:
    """The page ``data`` (made with ``slots``) with today's ``names`` written in, and
    where they went; None when ``slots`` does not fit the page (a slot out of order or
    past its end) or names another name (unless ``others_kept``: the names ``names``
    lacks are taken to be those the page holds).

    Every slot of one ref holds the same bytes: a ref whose first slot already holds
    today's name is left as it is, and only the slots of the others are spliced (a rename
    changes one name of the dozen a page shows). ``memo`` keeps what a ref with a name
    holds (escaped, or in its form, encoded) from page to page of one build: a rename
    patches thousands of pages showing the same few dozen names."""
    if memo is None:
        memo = {}
    if not isinstance(slots, list):
        return None
    pieces: list[bytes] = []
    where: list[Slot] = []
    filled: dict[str, bytes | None] = {}  # each ref's new bytes; None: they are there
    at = shift = before = 0  # spliced up to; what the slots moved by; the last slot's end
    size = len(data)
    for slot in slots:
        if type(slot) is not list or len(slot) != 3:
            return None
        start, length, ref = slot
        if type(start) is not int or type(length) is not int or type(ref) is not str:
            return None
        end = start + length
        if length < 0 or start < before or end > size:
            return None
        before = end
        value = filled.get(ref, _NEW)
        if value is _NEW:
            name = names.get(ref.partition("~")[0])
            if name is None:
                if not others_kept:
                    return None
                filled[ref] = None
                where.append([start + shift, length, ref])
                continue
            key = (ref, name)
            value = memo.get(key, _NEW)
            if value is _NEW:
                text = _value(ref, names, escape)
                value = memo[key] = None if text is None else text.encode("utf-8")
            if value is None:
                return None
            filled[ref] = value = None if data[start:end] == value else value
        if value is None:
            where.append([start + shift, length, ref])
            continue
        pieces.append(data[at:start])
        pieces.append(value)
        where.append([start + shift, len(value), ref])
        shift += len(value) - length
        at = end
    if not pieces:
        return data, where
    pieces.append(data[at:])
    return b"".join(pieces), where
