"""Offline, sharded full-text search index for a briefing site.

The site must be searchable when opened straight from disk (``file://``), where
``fetch()`` and XHR are refused.  So every index file is a tiny JavaScript file
that calls a global registration function of ``assets/search.js``
(``briefingSearch.m/t/d/x/n(...)``); the browser loads it by adding a
``<script src>`` element, which works from ``file://`` as well as over HTTP.

Layout (all paths from the site root)::

    search/index.js        manifest {"v": version, "n": documents, "dc": chunk
                           size, "xc": text chunk size, "nc": name chunk
                           size, "k": kinds, "s": shard
                           names, "sp": names of the shards that were split,
                           "sw": stop-words, "w": tier weights}
    search/t/<name>.js     term shard: [term, entry, term, entry, ...] for every
                           indexed term with the shard's prefix (see Shards),
                           then [[id, document row], ...]: the rows of the
                           first 8 matches of each term that occurs in some
                           title or names (at most 512 rows, smallest ids
                           first), which spares most suggestions a round trip
                           for document chunks
    search/d/<n>.js        document table chunk n: documents n*128 .. n*128+127
                           as [kind, title, url, date, date label, aliases]
    search/x/<n>.js        texts of documents n*16 .. n*16+15, for snippets,
                           each [summary ("" when it is the start of the
                           body), body]
    search/n/<n>.js        names of documents n*128 .. n*128+127, for
                           snippets, each [names, tags]: apart from the
                           texts, so that renaming a person rewrites a few
                           small files and not the texts of every briefing
                           that names them

A query loads the manifest (search.js preloads it when the page is idle), one
shard per query term (as the user types, "ja", "jap", "japo", "japon" need the
same shard or one level deeper), then the document chunks of the hits it shows
and, on the search page, the text and name chunks of those hits, to cut a
snippet around the match.  Texts come sixteen to a file: a file per document
cost a large site ten thousand small files to create on every full build.

Shards: a term lives in the shard of its folded 2-character prefix (1
character for a CJK term).  A shard whose entries would exceed SPLIT_BYTES is
split one character deeper ("co" -> "con", "coo", ...), recursively; the split
file keeps the full entries of the terms exactly as long as its prefix (the
term "co" itself), and for the longer terms only their title and names
postings, so that a 2-letter query ("co") still finds those matches without
loading every deeper shard; from the next letter on, a query sees everything.
``shard_for()`` (``shardFor()`` in search.js) follows the splits.  A file name is the prefix itself when it is
ASCII ``[a-z0-9]`` and not a name Windows reserves ("con", "aux", ...),
otherwise ``u-`` and the hexadecimal code points joined by ``-`` (``u-5cb8``
for the CJK prefix ``岸``), so names stay ASCII whatever the script.

Folding (mirrored exactly by ``fold()`` in search.js): NFKD, drop combining
diacritics (U+0300-036F, U+1AB0-1AFF, U+1DC0-1DFF, U+20D0-20FF, U+FE20-FE2F and
Arabic harakat U+064B-065F, U+0670), NFC again (so Hangul and kana voicing
marks recompose), lower-case, then ß->ss, æ->ae, œ->oe, ø->o, ł->l, đ/ð->d,
þ->th, ı->i, ς->σ, ħ->h.  "Japón" and "JAPON" both fold to "japon".

Tokenising (mirrored by ``segments()``/``parseQuery()`` in search.js): words
are runs of letters, digits and marks (``[\\p{L}\\p{N}\\p{M}]+``) of the NFC text.  Each
word is folded and split again into runs; inside a run, CJK characters (Han,
kana, Hangul, Bopomofo) are cut from the rest.  A non-CJK segment is one term;
it is kept if it is 2 to 40 characters long, is not a stop-word and is not a
number of more than 4 digits.  A CJK segment gives every character (unigram)
and every pair of adjacent characters (bigram): the alias 岸田文雄 is indexed as
岸 田 文 雄 岸田 田文 文雄; a query cuts a CJK run into its bigrams (or its one
character), all required, so 岸田 and 岸田文雄 both find it.

Fields and ranks: each (term, document) posting sits in exactly one of four
tiers, the best field the term occurs in: 0 title, 1 names (for an actor its
own names, aliases and labels; for a briefing the names of its actors), 2
summary and tags, 3 body.  search.js weighs them 10, 7, 3 and 1, so title and
actor-name matches rank above body matches.  Terms are de-duplicated per
document (presence, no term frequency): it keeps postings small, and briefings
are short enough that presence is a good signal.

Accents: for every (term, document) the index also remembers the
document's most frequent lower-case spelling of the term ("japón" vs "japon").
Per term the spelling used by most documents is stored once and only the
documents that spell it otherwise are listed, so this costs little.  When the
user types a spelling that folding changes ("japón", "straße"), a document
whose spelling starts with it scores 15% more than one matched only after
folding, never enough to cross a tier; a query typed without accents
("japon") prefers no spelling.

Postings: an entry is [tier 0 ids, tier 1 ids, tier 2 ids, tier 3 ids] with
ascending document ids delta-encoded, trailing empty lists dropped; an entry
with spellings keeps all four lists, then the main spelling ("" when it is the
term itself), then [spelling, ids, spelling, ids, ...] for the documents that
spell it otherwise.  Document ids are assigned by a stable order (actors first
by kind and name, then briefings newest first), which is also the tie-break
order of the ranking and groups the likely hits into few document chunks.

Queries (search.js): every term is required and matches as a prefix (a whole
term scores its tier weight, a longer term 60% of it); a document's score is
the sum over the query terms of its best match; ties go newest first.
Stop-words are dropped from queries, except the last word while it is being
typed (it may be the start of another word), which is then optional; one
Latin letter alone is not searched.

Restrictions on body text, chosen for size: stop-words (Spanish and English
function words, see STOP_WORDS; none that is also a plausible name or acronym
such as "un", "who" or "may") are not indexed in any field; numbers are kept
only up to 4 digits (years); only the first 2,000 words of a body are indexed
and stored (briefings are 400-900 words, so this only guards against outliers).

Safety: every file is pure ASCII (``\\u`` escapes with four hex digits), with ``<``, ``>``, ``&``,
U+2028 and U+2029 escaped as well, so no stored text can end a ``<script>`` or
depend on the charset the file is served with.

Determinism: the same documents give byte-identical files (sorted keys, sorted
terms, stable document order independent of Python's hash seed).
"""

from __future__ import annotations

import functools
import itertools
import json
import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = [
    "DOC_CHUNK",
    "KINDS",
    "NO_BODY",
    "STOP_WORDS",
    "Analysis",
    "BodyPart",
    "Head",
    "SearchDoc",
    "analyze",
    "body_part",
    "build_index",
    "combine",
    "doc_order",
    "fold",
    "head",
    "is_cjk",
    "names_file",
    "shard_for",
    "shard_key",
    "shard_name",
    "stored_text",
    "terms_of",
    "text_file",
    "word_terms",
]

#: Known document kinds, in the order used by the document table (index = code).
KINDS: tuple[str, ...] = ("briefing", "person", "country", "organization", "tag")

#: Documents per document-table chunk (search/d/<n>.js).
DOC_CHUNK = 128

#: Documents per text chunk (search/x/<n>.js): a page of hits loads a few of ~100 KB.
TEXT_CHUNK = 16

#: Documents per name chunk (search/n/<n>.js): a rename rewrites every chunk naming the person.
NAMES_CHUNK = 128

#: Words of a body indexed and stored for snippets.
MAX_BODY_WORDS = 2000

#: Index format version, in the manifest.
FORMAT_VERSION = 3

_ACTOR_KINDS = frozenset(KINDS[1:])

# Tiers of a posting (see the module docstring).
_TITLE, _NAMES, _SUMMARY, _BODY = 0, 1, 2, 3
_TIERS = 4

# Spanish function words (folded).
_STOP_ES = """
al algo algun alguna algunas alguno algunos ante antes asi aun aunque cada como con cual
cuales cuando de del desde donde durante el ella ellas ello ellos en entre era eran es esa
esas ese eso esos esta estaba estan estar estas este esto estos fue fueron ha habia han hasta
hay la las le les lo los mas me mi mientras muy ni no nos o otra otras otro otros para pero
poco por porque que quien quienes se sea segun ser si sido sin sino sobre son su sus tal
tambien tan tanto te tiene tienen toda todas todo todos tras una unas uno unos y ya yo
"""
# English function words (folded).
_STOP_EN = """
about after also an and any are as at be because been before being between both but by could
did do does during each for from had has have having he her here hers him his how if in into
is its itself just more most of on only or other our out over she should so some such than
that the their theirs them then there these they this those through to too under until very
was we were what when where which while whom why with would you your
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_ES.split() + _STOP_EN.split())

_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ς": "σ",
        "ħ": "h",
    }
)

_STRIP_MARKS = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u064b-\u065f\u0670]"
)

_CJK_RANGES = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u2e80-\u2fdf"  # CJK radicals, Kangxi radicals
    "\u3005-\u3007"  # 々 〆 〇
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3100-\u318f"  # Bopomofo, Hangul compatibility Jamo
    "\u31a0-\u31ff"  # Bopomofo extended, Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\ua960-\ua97f"  # Hangul Jamo extended A
    "\uac00-\ud7af"  # Hangul syllables
    "\ud7b0-\ud7ff"  # Hangul Jamo extended B
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003134f"  # CJK extensions B-G
)


@functools.cache
def _cjk() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Runs of CJK and of other characters, and one CJK character. Made on first use:
    their ranges take a hundredth of a second to compile, and the process that starts a
    build often analyses no text (the search index is made in another)."""
    return re.compile(f"[{_CJK_RANGES}]+|[^{_CJK_RANGES}]+"), re.compile(f"[{_CJK_RANGES}]")


# Combining marks are in planes 0 and 1 and in plane 14's variation selectors; planes 2-3
# hold ideographs only, the rest are private or unassigned. Scanning just these takes a
# tenth of the time of all 1.1 million code points (tests check both give the same class).
_MARK_PLANES = (range(0x20000), range(0xE0000, 0xE1000))


def _mark_class(code_points: Iterable[int] | None = None) -> str:
    """A regex character class body matching every combining mark (category M)."""
    parts: list[str] = []
    start = -1
    prev = -2
    for cp in itertools.chain(*_MARK_PLANES) if code_points is None else code_points:
        if unicodedata.category(chr(cp)).startswith("M"):
            if cp != prev + 1:
                if start >= 0:
                    parts.append(_range(start, prev))
                start = cp
            prev = cp
    if start >= 0:
        parts.append(_range(start, prev))
    return "".join(parts)


def _range(a: int, b: int) -> str:
    return re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"


# Runs of letters, digits (``[^\W_]``) and combining marks: JavaScript's
# [\p{L}\p{N}\p{M}]+.  Written so that the (large) mark class is only tried at
# the end of a run of letters, which keeps it fast on ordinary text.
@functools.cache
def _word() -> re.Pattern[str]:
    """Made on first use: scanning the code points takes a tenth of a second, and most
    rebuilds analyse no text that has a combining mark."""
    marks = _mark_class()
    return re.compile(f"[^\\W_]+(?:[{marks}]+[^\\W_]*)*|[{marks}]+(?:[^\\W_]+[{marks}]*)*")


# Text made only of characters below U+0300 and general punctuation holds no
# combining mark, and plain ``[^\W_]+`` (much faster) finds the same words.
_MAYBE_MARKS = re.compile("[^\x00-\u02ff\u2000-\u206f]")
_PLAIN_WORD = re.compile(r"[^\W_]+")


def _findwords(text: str) -> list[str]:
    if _MAYBE_MARKS.search(text) is None:
        return _PLAIN_WORD.findall(text)
    return _word().findall(text)


def fold(text: str) -> str:
    """Fold case and diacritics: ``fold("Japón") == fold("JAPON") == "japon"``."""
    s = unicodedata.normalize("NFKD", text)
    s = _STRIP_MARKS.sub("", s)
    s = unicodedata.normalize("NFC", s).lower()
    return s.translate(_SPECIAL)


def is_cjk(ch: str) -> bool:
    """Whether a character is tokenised by characters/bigrams (Han, kana, Hangul)."""
    return _cjk()[1].fullmatch(ch) is not None


def _keep(term: str) -> bool:
    if not 2 <= len(term) <= 40 or term in STOP_WORDS:
        return False
    return not (term.isdigit() and len(term) > 4)


_word_cache: dict[str, tuple[tuple[str, str | None], ...]] = {}


def word_terms(word: str) -> tuple[tuple[str, str | None], ...]:
    """Index terms of one word, each with the word's lower-case spelling.

    The spelling (second item) is given only when the word is a single non-CJK
    term; it ranks exact accented matches above folded ones.
    """
    cached = _word_cache.get(word)
    if cached is not None:
        return cached
    out: list[tuple[str, str | None]] = []
    segment = _cjk()[0]
    segments = [seg for run in _findwords(fold(word)) for seg in segment.findall(run)]
    for seg in segments:
        if is_cjk(seg[0]):
            out.extend((ch, None) for ch in seg)
            out.extend((seg[i : i + 2], None) for i in range(len(seg) - 1))
        elif _keep(seg):
            out.append((seg, word.lower() if len(segments) == 1 else None))
    result = tuple(out)
    if len(_word_cache) < 200_000:
        _word_cache[word] = result
    return result


def _words(text: str) -> list[str]:
    return _findwords(unicodedata.normalize("NFC", text))


def terms_of(text: str) -> list[str]:
    """The index terms of a text, in order, with repetitions (for tests and tools)."""
    return [term for word in _words(text) for term, _ in word_terms(word)]


def shard_key(term: str) -> str:
    """The top-level shard of a term: its first 2 characters, or 1 for a CJK term.

    A shard that would be too large is split one character deeper (see
    ``build_index``); ``shard_for`` follows the splits.
    """
    return term[0] if is_cjk(term[0]) else term[:2]


def shard_for(term: str, split: Iterable[str] = ()) -> str:
    """The file name of the shard holding the full entry of ``term``.

    ``split`` are the names of the shards that were split (the manifest's "sp").
    """
    split = set(split)
    key = shard_key(term)
    while shard_name(key) in split and len(term) > len(key):
        key = term[: len(key) + 1]
    return shard_name(key)


_RESERVED = re.compile("(con|prn|aux|nul|com[0-9]|lpt[0-9])")


def shard_name(key: str) -> str:
    """File name (without ``.js``) of a shard: ASCII, and never a name Windows reserves."""
    if re.fullmatch("[a-z0-9]+", key) and not _RESERVED.fullmatch(key):
        return key
    return "u-" + "-".join(f"{ord(c):x}" for c in key)


class SearchDoc(NamedTuple):
    """One searchable document: a briefing or an actor (person, country, ...). A named
    tuple: every build makes one for each of 11,000 pages, three times quicker."""

    kind: str  # "briefing" | "person" | "country" | "organization" | "tag"
    title: str
    url: str  # path from the site root, e.g. "briefings/otan-japon.html"
    date: str  # "2023-01-31" or "" for actors
    date_label: str  # localized display date, e.g. "31 de enero de 2023", or ""
    summary: str  # plain text
    body: str  # plain text ("" for actors)
    names: tuple[str, ...]  # actor names/aliases/labels
    tags: tuple[str, ...]


# Made once, without the check for cycles: the index is trees this code builds (see
# ``cache.encode``).
_JS_JSON = json.JSONEncoder(separators=(",", ":"), sort_keys=True, check_circular=False).encode


def _js_json(value: object) -> str:
    """JSON that is pure ASCII and safe inside a <script> element."""
    text = _JS_JSON(value)
    # ensure_ascii already escaped U+2028/U+2029; <, > and & can only occur in strings.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _script(func: str, *args: object) -> bytes:
    return _encoded_script(func, *(_js_json(a) for a in args))


def _encoded_script(func: str, *encoded: str) -> bytes:
    """``_script`` of arguments already made into JSON by ``_js_json``."""
    return f"briefingSearch.{func}({','.join(encoded)});\n".encode("ascii")


def _nfc(text: str) -> str:
    # ASCII is its own NFC; a rename reads the names of thousands of documents
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _utf16_key(term: str) -> bytes:
    # search.js compares strings by UTF-16 code units; sort the same way.
    return term.encode("utf-16-be")


def _deltas(ids: Sequence[int]) -> list[int]:
    """Each id less the one before it (the first less 0), subtracted in C."""
    return list(map(operator.sub, ids, itertools.chain((0,), ids)))


def doc_order(docs: Sequence[SearchDoc]) -> list[int]:
    """Input indices in id order: actors (by kind, then address), then briefings newest
    first. An actor's address is its file's name, which a rename keeps: ordered by name,
    a person renamed from "Cina" to "Sina" moved the documents between them, and the
    whole index was made again rather than patched (see ``searchindex``). Ids only break
    ties between equal scores."""

    def kind_rank(kind: str) -> int:
        return KINDS.index(kind) if kind in KINDS else len(KINDS)

    actors = [i for i, d in enumerate(docs) if d.kind != "briefing"]
    actors.sort(key=lambda i: (kind_rank(docs[i].kind), docs[i].kind, docs[i].url, i))
    briefings = [i for i, d in enumerate(docs) if d.kind == "briefing"]
    briefings.sort(key=lambda i: (docs[i].url, i))
    briefings.sort(key=lambda i: docs[i].date, reverse=True)
    return actors + briefings


Counts = tuple[dict[str, int], dict[str, dict[str, int]]]


def _counts(words: Sequence[str]) -> Counts:
    """The terms of some words, in order, each with how often it is spelled as the term
    itself (0 when never, or only in CJK or as part of a longer word), and its other
    lower-case spellings with how often each. (A word is a token of its own.)"""
    return _token_counts(" ".join(words))[0]


def _doc_terms(
    fields: Sequence[tuple[int, Counts]], only: Collection[str] | None = None
) -> tuple[dict[str, int], dict[str, str]]:
    """Best tier of every term of a document (or of those ``only``), and its spelling where
    that is not the term.

    ``fields`` are (tier, counts), worst tier first.  The spelling of a term is the
    document's most frequent lower-case form of it (ties: the smallest).
    """
    tier_of: dict[str, int] = {}
    for tier, (plain, _) in fields:
        if only is None:
            tier_of.update(dict.fromkeys(plain, tier))
        else:
            tier_of.update((term, tier) for term in only if term in plain)
    spelling_of: dict[str, str] = {}
    forms: dict[str, dict[str, int]] = {}
    for _, (_, other) in fields:
        for term, spelled in other.items():
            if only is not None and term not in only:
                continue
            merged = forms.get(term)
            if merged is None:
                forms[term] = dict(spelled)
                continue
            for spelling, n in spelled.items():
                merged[spelling] = merged.get(spelling, 0) + n
    plains = [plain for _, (plain, _) in fields]
    for term, counts in forms.items():
        same = 0
        for plain in plains:
            same += plain.get(term, 0)
        if same:
            counts[term] = same
        if len(counts) == 1:  # most often: one spelling, never the term itself
            (choice,) = counts
        else:
            best = max(counts.values())
            choice = min(s for s, n in counts.items() if n == best)
        if choice != term:
            spelling_of[term] = choice
    return tier_of, spelling_of


def _body(text: str) -> tuple[str, list[str]]:
    """The stored body (at most MAX_BODY_WORDS words) and its words."""
    words = _findwords(text)
    if len(words) <= MAX_BODY_WORDS:
        return text, words
    for count, match in enumerate(_word().finditer(text)):
        if count == MAX_BODY_WORDS:
            return text[: match.start()].rstrip() + " …", words[:MAX_BODY_WORDS]
    return text, words  # pragma: no cover - findall and finditer agree


#: Per term of a shard found in some title or names, the document rows of its
#: first matches (tier by tier, ids ascending: the top of a one-term query)
#: that ride along in the shard.
SHARD_ROWS = 8
#: At most this many rows ride along in one shard (the large 2-letter shards).
SHARD_ROWS_MAX = 512

#: A shard whose entries take more raw bytes than this is split one character
#: deeper; the shorter file then keeps, for the longer terms, only their title
#: and names postings, for queries of exactly that length.
SPLIT_BYTES = 64_000


def _forms(term: str, ids: Sequence[int], spelled: dict[int, str] | None) -> list[object]:
    """The spelling part of an entry: [main spelling or "", [spelling, deltas, ...]]."""
    if not spelled:
        return []
    forms = {i: spelled[i] for i in ids if i in spelled}
    if not forms:
        return []
    counts = Counter(forms.values())
    if len(ids) > len(forms):
        counts[term] = len(ids) - len(forms)
    best = max(counts.values())
    main = min(s for s, n in counts.items() if n == best)
    minority: dict[str, list[int]] = {}
    for i in ids:
        form = forms.get(i, term)
        if form != main:
            minority.setdefault(form, []).append(i)
    out: list[object] = ["" if main == term else main]
    if minority:
        out.append([x for form in sorted(minority) for x in (form, _deltas(minority[form]))])
    return out


def _entry(
    term: str, lists: Sequence[list[int]], spelled: dict[int, str] | None
) -> list[object] | None:
    """A term's entry: 4 delta-encoded tier lists, then its spellings if any."""
    if not any(lists):
        return None
    entry: list[object] = [_deltas(ids) for ids in lists]
    # the ids of all tiers in order, only for a term spelled otherwise somewhere
    forms = _forms(term, sorted(itertools.chain.from_iterable(lists)), spelled) if spelled else []
    if forms:
        return entry + forms
    while entry[-1] == []:
        entry.pop()
    return entry


@dataclass(frozen=True)
class Analysis:
    """What one document contributes to the index, whatever its id: its terms with their
    best tier, their spellings, its document-table row and its stored text."""

    tiers: dict[str, int]
    spellings: dict[str, str]
    row: list[object]  # [kind, title, url, date, date label, aliases]
    text: list[object]  # [summary, body (None until it is read), names, tags]


@dataclass(frozen=True)
class BodyPart:
    """What a body gives its document's analysis. It depends on the text alone: renaming
    a person changes the documents of thousands of briefings and none of their bodies,
    so a build keeps this by the body's key and analyses only the rest again."""

    plain: dict[str, int]  # each term -> how often spelled as itself (see _counts)
    other: dict[str, dict[str, int]]  # term -> its other spellings -> how often

    def to_json(self) -> list[object]:
        """Three strings: the terms, their counts, and the other spellings, one line each
        (term, spelling, count; no term or spelling holds a tab or a line break). A rename
        reads a few terms of thousands of bodies' parts, and decoding each one's counts
        and spellings whole was most of that."""
        other = "\n".join(
            f"{term}\t{spelling}\t{n}"
            for term, spelled in self.other.items()
            for spelling, n in spelled.items()
        )
        return ["\n".join(self.plain), ",".join(map(str, self.plain.values())), other]

    @classmethod
    def from_json(cls, value: object, only: Collection[str] | None = None) -> BodyPart:
        """The part as ``to_json`` stored it; with ``only``, the part those terms have in
        it and nothing else."""
        if not (isinstance(value, list) and len(value) == 3):
            raise ValueError("search body")
        terms, counts, other = value
        if not (isinstance(terms, str) and isinstance(counts, str) and isinstance(other, str)):
            raise ValueError("search body")
        numbers = counts.split(",") if counts else []
        if (terms.count("\n") + 1 if terms else 0) != len(numbers):
            raise ValueError("search body")
        if only is None:
            names = terms.split("\n") if terms else []
            plain = dict(zip(names, map(_count, numbers), strict=True))
            lines = other.split("\n") if other else []
        else:
            plain = {}
            text = f"\n{terms}\n"
            for term in only:
                at = text.find(f"\n{term}\n")
                if at >= 0:
                    plain[term] = _count(numbers[text.count("\n", 0, at)])
            lines = _lines_of(other, only)
        forms: dict[str, dict[str, int]] = {}
        for line in lines:
            parts = line.split("\t")
            if len(parts) != 3:
                raise ValueError("search body")
            forms.setdefault(parts[0], {})[parts[1]] = _count(parts[2])
        return cls(plain, forms)


def _lines_of(other: str, terms: Collection[str]) -> list[str]:
    """The lines of ``terms`` in spellings stored as ``BodyPart.to_json`` does."""
    if not other:
        return []
    text = f"\n{other}\n"
    lines = []
    for term in terms:
        key = f"\n{term}\t"
        at = text.find(key)
        while at >= 0:
            end = text.index("\n", at + 1)
            lines.append(text[at + 1 : end])
            at = text.find(key, end)
    return lines


def _count(text: str) -> int:
    """A count as ``BodyPart.to_json`` wrote it: digits only (``int`` takes more)."""
    if not text.isdigit():
        raise ValueError("search body")
    return int(text)


NO_BODY = BodyPart({}, {})


def body_part(text: str) -> tuple[BodyPart, str]:
    """A body's part of its document's analysis, and the body as stored for snippets."""
    text = _nfc(text)
    counts, words = _token_counts(text)
    if words <= MAX_BODY_WORDS:
        return BodyPart(*counts), text
    stored, kept = _body(text)  # a longer body is cut, and counted as cut
    return BodyPart(*_counts(kept)), stored


# The terms of a space-separated token's words, in order, and how many words it holds.
_token_cache: dict[str, tuple[tuple[tuple[str, str | None], ...], int]] = {}


def _token_terms(token: str) -> tuple[tuple[tuple[str, str | None], ...], int]:
    found = _token_cache.get(token)
    if found is None:
        words = _findwords(token)
        found = (tuple(term for word in words for term in word_terms(word)), len(words))
        if len(_token_cache) < 200_000:
            _token_cache[token] = found
    return found


def _texts_counts(texts: Iterable[str]) -> Counts:
    """``_counts`` of the words of some short texts, one after the other."""
    return _token_counts(" ".join(_nfc(text) for text in texts))[0]


# Each name's counts: a briefing names some eight actors of a few thousand, and a
# rename works out the names of thousands of briefings twice, as they were and are.
_name_cache: dict[str, Counts] = {}


def _name_counts(name: str) -> Counts:
    found = _name_cache.get(name)
    if found is None:
        found = _texts_counts((name,))
        if len(_name_cache) < 100_000:
            _name_cache[name] = found
    return found


def _within(texts: Iterable[Counts], only: Collection[str]) -> Counts:
    """The counts of the terms ``only`` in some texts one after the other, from each
    text's counts: no word spans the space between two texts."""
    plain: dict[str, int] = {}
    other: dict[str, dict[str, int]] = {}
    for found, spelled_as in texts:
        for term in only:
            n = found.get(term)
            if n is not None:
                plain[term] = plain.get(term, 0) + n
            spelled = spelled_as.get(term)
            if spelled:
                into = other.setdefault(term, {})
                for spelling, k in spelled.items():
                    into[spelling] = into.get(spelling, 0) + k
    return plain, other


def _token_counts(text: str) -> tuple[Counts, int]:
    """``_counts`` of the words of a text, and how many words it has, counted by its
    distinct space-separated tokens. No word spans a space, so the words of the text are
    those of its tokens in turn; a body has some 600 tokens and 250 distinct ones, and
    finding the words of the whole text was most of its analysis. The terms come in the
    same order: each word is first met in the first of its tokens."""
    plain: dict[str, int] = {}
    other: dict[str, dict[str, int]] = {}
    known = _token_cache
    total = 0
    for token, n in Counter(text.split()).items():
        found = known.get(token)
        if found is None:
            found = _token_terms(token)
        terms, words = found
        total += words * n
        for term, spelling in terms:
            if spelling == term:  # the most common case: counted, and in place if new
                plain[term] = plain.get(term, 0) + n
                continue
            if term not in plain:
                plain[term] = 0
            if spelling is not None:
                counts = other.setdefault(term, {})
                counts[spelling] = counts.get(spelling, 0) + n
    return (plain, other), total


class Head(NamedTuple):
    """A document's terms but for its body's: (tier, counts) of its summary and tags, its
    names and its title, worst tier first."""

    doc: SearchDoc
    fields: list[tuple[int, Counts]]


def head(doc: SearchDoc, memo: dict[tuple[str, ...], Counts] | None = None) -> Head:
    """A document's head. The counts of its summary and tags, and of its title, are taken
    from ``memo`` if there, else put there: a rebuild works out each renamed person's
    briefing twice, as it was and as it is, and those are most often the same."""
    texts = (doc.summary, *doc.tags)
    summary = _memo(memo, ("s", *texts), texts)
    return Head(
        doc,
        [
            (_SUMMARY, summary),
            (_NAMES, _texts_counts(doc.names)),
            (_TITLE, _memo(memo, ("t", doc.title), (doc.title,))),
        ],
    )


def _memo(
    memo: dict[tuple[str, ...], Counts] | None, key: tuple[str, ...], texts: tuple[str, ...]
) -> Counts:
    """The counts of ``texts``: taken out of ``memo`` if there (each is asked for twice),
    else worked out and put there."""
    found = memo.pop(key, None) if memo is not None else None
    if found is None:
        found = _texts_counts(texts)
        if memo is not None:
            memo[key] = found
    return found


def renamed_heads(
    was: SearchDoc, now: SearchDoc, memo: dict[Any, set[str]] | None = None
) -> tuple[Head, Head, set[str]] | None:
    """The heads of a document as it was and as it is when only its names and tags
    differ, and the terms whose tier or spelling may differ (see ``changed_terms``): those
    whose counts in the names or in the tags changed (some may not differ, when the
    summary has them too: their analyses come out the same). Each field counts those
    terms alone: a rename changes the names of thousands of briefings, and counting the
    words of each one's summary and title was most of its analysis. None when the title
    or summary differs too. ``memo`` keeps the terms that changed between names from
    document to document (thousands show the same renamed name)."""
    if (was.kind, was.title, was.summary) != (now.kind, now.title, now.summary):
        return None
    if memo is None:
        memo = {}
    only = _changed_names(was.names, now.names, memo) | _changed_names(was.tags, now.tags, memo)
    summary, title = _counts_of(was.summary, only), _counts_of(was.title, only)

    def head(doc: SearchDoc) -> Head:
        tags = [_name_counts(t) for t in doc.tags]
        return Head(
            doc,
            [
                (_SUMMARY, _within([summary, *tags], only)),  # the summary, then the tags
                (_NAMES, _within([_name_counts(n) for n in doc.names], only)),
                (_TITLE, _within([title], only)),
            ],
        )

    return head(was), head(now), only


def _changed_names(
    was: tuple[str, ...], now: tuple[str, ...], memo: dict[Any, set[str]]
) -> set[str]:
    """The terms whose counts or spellings may differ between two lists of names: those
    whose counts differ in the names at the places where the lists differ (in all of
    them, when their lengths do). The names they share add the same to both. Kept in
    ``memo`` by the names that differ."""
    if was == now:
        return set()
    same = len(was) == len(now)
    pairs = [pair for pair in zip(was, now, strict=True) if pair[0] != pair[1]] if same else []
    key = ("pairs", *pairs) if same else ("lists", was, now)
    found = memo.get(key)
    if found is not None:
        return found
    if same:
        gone, new = [_name_counts(a) for a, _ in pairs], [_name_counts(b) for _, b in pairs]
    else:
        gone, new = [_name_counts(n) for n in was], [_name_counts(n) for n in now]
    terms = {t for counts in (*gone, *new) for part in counts for t in part}
    then, then_now = _within(gone, terms), _within(new, terms)
    found = memo[key] = {
        t
        for t in terms
        if then[0].get(t) != then_now[0].get(t) or then[1].get(t) != then_now[1].get(t)
    }
    return found


def _counts_of(text: str, only: Collection[str]) -> Counts:
    """``_texts_counts`` of a text, or nothing when none of the terms ``only`` is in it: all
    a head's fields are asked for then (see ``renamed_heads``). A text without combining
    marks (``_MAYBE_MARKS``) folds character by character, so each of its terms is part
    of the folded text: a term that is not, it does not have."""
    if not only:
        return {}, {}
    if _MAYBE_MARKS.search(text) is None:
        folded = fold(text)
        if not any(term in folded for term in only):
            return {}, {}
    return _texts_counts((text,))


def changed_terms(then: Head, now: Head) -> set[str]:
    """The terms whose tier or spelling may differ between the analyses of two heads of
    documents with the same body: those whose counts or spellings differ in some field.
    Every other term reads the same counts in every field of both, so it comes out the
    same: a person renamed changes the names of thousands of briefings, and in each only
    the words of that name."""
    out: set[str] = set()
    for (_, was), (_, is_) in zip(then.fields, now.fields, strict=True):
        if was is is_:
            continue
        (plain, other), (plain_now, other_now) = was, is_
        if plain != plain_now:
            out.update(
                t for t in plain.keys() | plain_now.keys() if plain.get(t) != plain_now.get(t)
            )
        if other != other_now:
            out.update(
                t for t in other.keys() | other_now.keys() if other.get(t) != other_now.get(t)
            )
    return out


def analyze(doc: SearchDoc) -> Analysis:
    return combine(head(doc), *body_part(doc.body))


def combine(
    known: Head, body: BodyPart, stored: str | None, only: Collection[str] | None = None
) -> Analysis:
    """The analysis of a document (its ``head``) whose body gave ``body``; only the terms
    ``only``, if given (of two documents with one body, only the terms of their heads can
    differ). Without the ``stored`` body, the analysis's text has None in its place."""
    doc = known.doc
    tier_of, spelling_of = _doc_terms([(_BODY, (body.plain, body.other)), *known.fields], only)
    title = _nfc(doc.title)
    aliases: list[str] = []
    if doc.kind in _ACTOR_KINDS:
        seen = {fold(title)}
        for name in (_nfc(n) for n in doc.names):
            folded = fold(name)
            if folded and folded not in seen:
                seen.add(folded)
                aliases.append(name)
    row: list[object] = [doc.kind, title, doc.url, doc.date, _nfc(doc.date_label), aliases]
    return Analysis(tier_of, spelling_of, row, stored_text(doc, stored))


def terms_only(known: Head, body: BodyPart, only: Collection[str]) -> Analysis:
    """``combine`` for the terms ``only`` and nothing else (no row, no text): what a
    patched index takes out of the postings for a document as it was."""
    tier_of, spelling_of = _doc_terms([(_BODY, (body.plain, body.other)), *known.fields], only)
    return Analysis(tier_of, spelling_of, [], [])


def stored_text(doc: SearchDoc, body: str | None) -> list[object]:
    """A document's text for snippets: [summary, body as stored, names, tags]."""
    return [_nfc(doc.summary), body, [_nfc(n) for n in doc.names], [_nfc(t) for t in doc.tags]]


def _word_goes_on(text: str, at: int) -> bool:
    """Whether a word of ``text`` runs on across position ``at``."""
    if at >= len(text):
        return False
    char = text[at]
    return char.isalnum() or unicodedata.category(char).startswith("M")


def _unrepeated(text: list[object]) -> list[object]:
    """The text as its file stores it: without the summary when that is the start of the
    body (a briefing's summary is its first paragraph unless it has one of its own)."""
    summary, body, *rest = text
    if not isinstance(summary, str) or not isinstance(body, str):
        return text
    if summary and body.startswith(summary) and not _word_goes_on(body, len(summary)):
        # the usual case, without splitting either into words
        has_words = _PLAIN_WORD.search(summary) is not None or bool(_findwords(summary))
        return ["", body, *rest] if has_words else text
    words = _findwords(summary)
    if not words:
        return text
    pattern = _word() if _MAYBE_MARKS.search(body) else _PLAIN_WORD
    lead = [m.group() for m in itertools.islice(pattern.finditer(body), len(words))]
    return ["", body, *rest] if lead == words else text


def text_file(chunk: int, texts: Sequence[list[object]]) -> tuple[str, bytes]:
    """The path and bytes of text chunk ``chunk``: the summaries and bodies of the stored
    texts (``Analysis.text``) of documents chunk*TEXT_CHUNK onwards, in id order."""
    return f"search/x/{chunk}.js", _script("x", chunk, [_unrepeated(t[:2]) for t in texts])


def names_file(chunk: int, texts: Sequence[list[object]]) -> tuple[str, bytes]:
    """The path and bytes of name chunk ``chunk``: the names and tags of the stored texts
    of documents chunk*NAMES_CHUNK onwards, in id order."""
    return f"search/n/{chunk}.js", _script("n", chunk, [t[2:4] for t in texts])


Postings = dict[str, list[list[int]]]  # term -> tier -> ascending doc ids
Spellings = dict[str, dict[int, str]]  # term -> doc id -> spelling, where it is not the term


def postings_of(analyses: Sequence[Analysis]) -> tuple[Postings, Spellings]:
    """Every term's documents by tier, and their spellings; ``analyses`` in id order."""
    postings: Postings = {}
    spellings: Spellings = {}
    for doc_id, found in enumerate(analyses):
        for term, tier in found.tiers.items():
            lists = postings.get(term)
            if lists is None:
                lists = postings[term] = [[], [], [], []]
            lists[tier].append(doc_id)
        for term, spelling in found.spellings.items():
            spellings.setdefault(term, {})[doc_id] = spelling
    return postings, spellings


def rows_of(analyses: Sequence[Analysis], kinds: Sequence[str]) -> list[list[object]]:
    """The document table, in id order: [kind code, title, url, date, date label, aliases]."""
    rows: list[list[object]] = []
    for found in analyses:
        kind, *rest = found.row
        rows.append([kinds.index(str(kind)), *rest])
    return rows


def roots_of(terms: Iterable[str]) -> dict[str, list[str]]:
    """Terms by the shard key they start from, each list in search.js's order."""
    roots: dict[str, list[str]] = {}
    for term in sorted(terms, key=_utf16_key):
        roots.setdefault(shard_key(term), []).append(term)
    return roots


@dataclass(frozen=True)
class RootFiles:
    """The shard files one shard key gives (one, or more once it is split)."""

    files: dict[str, bytes]
    shards: list[str]  # shard names
    split: list[str]  # names of the shards that were split
    rows: dict[str, list[int]]  # shard name -> ids of the document rows riding along


def root_files(
    key: str,
    terms: list[str],
    postings: Postings,
    spellings: Spellings,
    rows: Sequence[list[object]],
) -> RootFiles:
    """The shard files of one shard key; ``terms`` are its terms, in ``roots_of`` order."""

    def pair(term: str, lists: Sequence[list[int]]) -> str | None:
        """The term and its entry of ``lists``, as they stand in the shard's JSON list."""
        entry = _entry(term, lists, spellings.get(term))
        return None if entry is None else f"{_js_json(term)},{_js_json(entry)}"

    # Each term and its entry as JSON, made once: a shard's size is reckoned from them,
    # and its file is made of them (a JSON list is its items' JSON, joined by commas).
    full: dict[str, str] = {}
    size: dict[str, int] = {}
    for term in terms:
        whole = pair(term, postings[term])
        assert whole is not None
        full[term] = whole
        size[term] = len(whole) + 1

    def short(term: str) -> str | None:
        return pair(term, [*postings[term][:2], [], []])

    shards: dict[str, list[tuple[str, str]]] = {}  # prefix -> its terms, each with its pair
    split: list[str] = []

    def emit(prefix: str, terms: list[str]) -> None:
        if sum(size[t] for t in terms) <= SPLIT_BYTES or all(len(t) == len(prefix) for t in terms):
            shards[prefix] = [(t, full[t]) for t in terms]
            return
        split.append(prefix)
        flat: list[tuple[str, str]] = []
        children: dict[str, list[str]] = {}
        for t in terms:
            if len(t) == len(prefix):
                flat.append((t, full[t]))
                continue
            pair = short(t)
            if pair is not None:
                flat.append((t, pair))
            children.setdefault(t[: len(prefix) + 1], []).append(t)
        shards[prefix] = flat
        for child, child_terms in children.items():
            emit(child, child_terms)

    emit(key, terms)
    files: dict[str, bytes] = {}
    riding: dict[str, list[int]] = {}
    for prefix, flat in shards.items():
        name = shard_name(prefix)
        # The document rows of each term's first title/name matches ride along,
        # so that most suggestions need no document chunk.
        # The top of the ranking of every term found in a title or names (a
        # one-term query); past SHARD_ROWS_MAX, the smallest ids, which are
        # the top of a prefix query over many terms.
        candidates: set[int] = set()
        for t, _ in flat:
            lists = postings[t]
            if lists[_TITLE] or lists[_NAMES]:
                ranked = lists[_TITLE] + lists[_NAMES] + lists[_SUMMARY] + lists[_BODY]
                candidates.update(ranked[:SHARD_ROWS])
        ids = sorted(candidates)[:SHARD_ROWS_MAX]
        riding[name] = ids
        entries = "[" + ",".join(pair for _, pair in flat) + "]"
        riders = _js_json([[i, *rows[i]] for i in ids])
        files[f"search/t/{name}.js"] = _encoded_script("t", _js_json(name), entries, riders)
    return RootFiles(files, [shard_name(k) for k in shards], [shard_name(k) for k in split], riding)


def chunk_file(rows: Sequence[list[object]], chunk: int) -> tuple[str, bytes]:
    """Document table chunk ``chunk``: the rows of ids chunk*DOC_CHUNK and on."""
    start = chunk * DOC_CHUNK
    return f"search/d/{chunk}.js", _script("d", chunk, list(rows[start : start + DOC_CHUNK]))


def manifest_file(
    n: int, kinds: Sequence[str], shards: Iterable[str], split: Iterable[str]
) -> bytes:
    manifest = {
        "v": FORMAT_VERSION,
        "n": n,
        "dc": DOC_CHUNK,
        "xc": TEXT_CHUNK,
        "nc": NAMES_CHUNK,
        "k": list(kinds),
        "s": sorted(shards),
        "sp": sorted(split),
        "sw": sorted(STOP_WORDS),
        "w": [10, 7, 3, 1],
    }
    return _script("m", manifest)


def kinds_of(docs: Sequence[SearchDoc]) -> list[str]:
    return list(KINDS) + sorted({d.kind for d in docs} - set(KINDS))


def build_index(
    docs: Sequence[SearchDoc],
    analyses: Sequence[Analysis] | None = None,
    *,
    texts: bool = True,
) -> dict[str, bytes]:
    """Return output files: path from the site root -> bytes, all under "search/".

    ``analyses`` (one per document, as ``analyze`` gives) spares analysing again;
    ``texts=False`` leaves out the documents' text files (see ``text_file``)."""
    order = doc_order(docs)
    kinds = kinds_of(docs)
    if analyses is None:
        analyses = [analyze(d) for d in docs]
    in_order = [analyses[i] for i in order]
    postings, spellings = postings_of(in_order)
    rows = rows_of(in_order, kinds)
    files: dict[str, bytes] = {}
    if texts:
        for n in range(0, len(in_order), TEXT_CHUNK):
            path, data = text_file(n // TEXT_CHUNK, [a.text for a in in_order[n : n + TEXT_CHUNK]])
            files[path] = data
    for n in range(0, len(in_order), NAMES_CHUNK):
        chunk = [a.text for a in in_order[n : n + NAMES_CHUNK]]
        path, data = names_file(n // NAMES_CHUNK, chunk)
        files[path] = data
    for n in range(0, len(rows), DOC_CHUNK):
        path, data = chunk_file(rows, n // DOC_CHUNK)
        files[path] = data
    shards: list[str] = []
    split: list[str] = []
    for key, terms in roots_of(postings).items():
        made = root_files(key, terms, postings, spellings, rows)
        files.update(made.files)
        shards += made.shards
        split += made.split
    files["search/index.js"] = manifest_file(len(order), kinds, shards, split)
    return dict(sorted(files.items()))
