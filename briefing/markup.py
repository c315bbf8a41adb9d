"""The one Markdown factory: Python-Markdown, Pygments, then sanitizing.

Everything here depends on one file's text and the site's Markdown settings
alone, so its result is cached by content hash. Links between pages and
mention links are a later, site-wide pass (``finish``).
"""

from __future__ import annotations

import bisect
import html
import importlib
import pkgutil
import re
import types
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any
from xml.etree import ElementTree as etree

import markdown
import nh3
from markdown import inlinepatterns, preprocessors, treeprocessors, util
from markdown.extensions import fenced_code, toc

from briefing.model import Body, Link
from briefing.text import HTML_TAG, html_tokens
from briefing.urls import URL_ATTR, attr_value, refused_scheme

_FIRST_P = re.compile(r"<p>(.*?)</p>", re.S)
_WORD = re.compile(r"[^\W\d_][\w]*")
_WIKILINK = re.compile(r"\[\[([^\[\]\n|]+)(?:\|([^\[\]\n]+))?\]\]")
_CODE_SPAN = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.S)
# a tag (its name, whether it closes) or a wikilink placeholder
_TAG_OR_WIKI = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)?[^>]*>|\ue000WL(\d+)\ue001")
_PLACEHOLDER = re.compile(r"\ue000WL(\d+)\ue001")
_FOOTNOTE_REF = re.compile(r'<sup id="fnref[^"]*">.*?</sup>', re.S)

ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "td": {"style", "align", "colspan", "rowspan"},
    "th": {"style", "align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
    "abbr": {"title"},
    "time": {"datetime"},
    "blockquote": {"cite"},
}
TAGS = set(nh3.ALLOWED_TAGS) | {"span", "div", "sup", "sub", "table", "thead", "tbody", "tfoot"}


class MarkdownError(Exception):
    pass


def _needs() -> dict[str, tuple[str, ...]]:
    """Python-Markdown's own inline patterns -> the strings one of which a text must
    contain for the pattern to match there. Keyed by the pattern's regex as the installed
    library spells it, so a pattern this does not know (a site's extension, another
    version's rewrite) is always tried."""
    needs: dict[str, tuple[str, ...]] = {}
    for names, need in (
        (("BACKTICK_RE",), ("`",)),
        (("ESCAPE_RE",), ("\\",)),
        (
            (
                "LINK_RE",
                "REFERENCE_RE",
                "IMAGE_LINK_RE",
                "IMAGE_REFERENCE_RE",
                "SHORT_REF_RE",
                "SHORT_IMAGE_REF_RE",
            ),
            ("[",),
        ),
        (("AUTOLINK_RE", "AUTOMAIL_RE", "HTML_RE"), ("<",)),
        (("ENTITY_RE",), ("&",)),
        (("LINE_BREAK_RE",), ("  \n",)),
        (("NOT_STRONG_RE",), ("*", "_")),
    ):
        for name in names:
            regex = getattr(inlinepatterns, name, None)
            if isinstance(regex, str):
                needs[regex] = need
    needs[r"\[\^([^\]]*)\]"] = ("[",)  # footnotes' reference
    needs[r"\*|_"] = ("*", "_")  # emphasis and strong (Markdown 3.11)
    needs[r"\*"] = ("*",)  # (earlier versions: one processor each)
    needs[r"_"] = ("_",)
    return needs


_NEEDS = _needs()


class _Inline(treeprocessors.InlineProcessor):
    """Python-Markdown's inline pass with one shortcut: a pattern is not tried on a text
    that holds none of the strings it needs (most prose has no `[`, `<`, `&`, `*`...).
    Trying it there finds no match, so the output is the same; the inline pass is where
    most of a briefing's rendering time goes."""

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        # the patterns as a list: indexing the registry sorts it and looks the name up
        self.patterns = list(self.inlinePatterns)
        needs = [_NEEDS.get(str(getattr(p, "pattern", ""))) for p in self.patterns]
        self.needs = [frozenset(n) if n is not None else None for n in needs]
        self.triggers = frozenset(t for n in needs if n is not None for t in n)
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        patterns, needs = self.patterns, self.needs
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        # The strings the text holds, looked for once: a pattern replaces what it matches
        # with a placeholder that holds none of them, so the text never gains one.
        present = {t for t in self.triggers if t in data}
        start = 0
        while patternIndex < len(needs):
            need = needs[patternIndex]
            if need is not None and need.isdisjoint(present):
                patternIndex += 1
                start = 0
                continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


def _block_needs() -> dict[type, tuple[str, ...]]:
    """Python-Markdown's block processors whose test searches the whole block (or whose
    run does, after a test that always passes) -> the strings one of which a block must
    hold for them to apply. Keyed by class and checked against the pattern the installed
    library spells, so another version's rewrite keeps its own test."""
    from markdown import blockprocessors as bp
    from markdown.extensions import footnotes, tables

    # (module, class, the attribute holding the pattern, how it begins, the strings)
    known: list[tuple[Any, str, str, str, tuple[str, ...]]] = [
        (bp, "BlockQuoteProcessor", "RE", r"(^|\n)[ ]{0,3}>[ ]?(.*)", (">",)),
        (bp, "HashHeaderProcessor", "RE", r"(?:^|\n)(?P<level>#{1,6})", ("#",)),
        (bp, "HRProcessor", "RE", r"^[ ]{0,3}(?=(?P<atomicgroup>(-+", ("-", "_", "*")),
        (bp, "SetextHeaderProcessor", "RE", r"^.*?\n(?:=+|-+)[ ]*(\n|$)", ("\n=", "\n-")),
        (bp, "ReferenceProcessor", "RE", r"^[ ]{0,3}\[([^\[\]]*)\]:", ("]:",)),
        (footnotes, "FootnoteBlockProcessor", "RE", r"^[ ]{0,3}\[\^([^\]]*)\]:", ("]:",)),
        # a table's first row is cut into cells at its pipes (those outside code): a row
        # of one cell is a table only between border pipes
        (tables, "TableProcessor", "RE_CODE_PIPES", r"(?:(\\\\)|(\\`+)|(`+)|(\\\|)|(\|))", ("|",)),
    ]
    needs: dict[type, tuple[str, ...]] = {}
    for module, name, attribute, start, need in known:
        cls = getattr(module, name, None)
        regex = getattr(cls, attribute, None)
        text = regex if isinstance(regex, str) else getattr(regex, "pattern", "")
        if isinstance(cls, type) and text.startswith(start):
            needs[cls] = need
    return needs


def _skip_blocks(md: markdown.Markdown) -> None:
    """Block processors are tried on every block in turn, and several search the whole
    block; one whose pattern needs a string the block does not hold cannot apply there,
    so its test is answered without the search (as the inline pass's shortcut does).
    The reference and footnote processors' tests always pass and their runs give the
    block back when their search fails: answering no is the same."""
    needs = _block_needs()
    for processor in md.parser.blockprocessors:
        need = needs.get(type(processor))
        if need is not None:
            processor.test = _tested(processor.test, need)  # type: ignore[method-assign]


def _tested(test: Any, need: tuple[str, ...]) -> Any:
    def shortcut(parent: Any, block: str) -> bool:
        for n in need:
            if n in block:
                return bool(test(parent, block))
        return False

    return shortcut


class _Listed(util.Registry):  # type: ignore[type-arg]
    """A registry that keeps the list it goes through: the block parser goes through its
    processors for every block, and Python-Markdown's registry makes the list each time.
    Registering or removing an item drops it."""

    _listed: list[Any] | None = None
    # Python-Markdown's own (not in its type stubs)
    _data: dict[str, Any]
    _priority: list[Any]
    _is_sorted: bool
    _sort: Callable[[], None]

    def __iter__(self) -> Iterator[Any]:
        if self._listed is None or not self._is_sorted:
            self._sort()
            self._listed = [self._data[name] for name, _ in self._priority]
        return iter(self._listed)

    def register(self, item: Any, name: str, priority: float) -> None:
        self._listed = None
        super().register(item, name, priority)

    def deregister(self, name: str, strict: bool = True) -> None:
        self._listed = None
        super().deregister(name, strict)


_LISTED = all(hasattr(util.Registry(), a) for a in ("_data", "_priority", "_is_sorted", "_sort"))


class _Fenced(fenced_code.FencedBlockPreprocessor):
    """Fenced code blocks, looked for only in a text that holds a fence: most briefings
    have none, and searching the whole text for the fence pattern costs more than
    looking for three backticks or tildes."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "```" not in text and "~~~" not in text:
            return lines
        return super().run(lines)


# a fence is three backticks or tildes at least, as the installed library spells it
_FENCE = r"(?P<fence>^(?:~{3,}|`{3,}))"
_FENCED = _FENCE in getattr(
    getattr(fenced_code.FencedBlockPreprocessor, "FENCED_BLOCK_RE", None), "pattern", ""
)


class _Toc(toc.TocTreeprocessor):
    """Heading ids as the `toc` extension gives them, and the table of contents itself
    only for a text with the marker (``[TOC]``): elsewhere no page shows it, and finding
    the marker, then building and serializing the table, was half the extension's time.
    (``Markdown.toc`` is then an empty ``<div>``.)"""

    wanted = True

    def run(self, doc: etree.Element) -> None:
        marker = self.marker
        # the marker is a whole element's text: an element that holds it holds it there
        self.wanted = bool(marker) and any(
            isinstance(e.text, str) and marker in e.text for e in doc.iter()
        )
        if not self.wanted:
            self.marker = ""
        try:
            super().run(doc)
        finally:
            self.marker = marker

    def build_toc_div(self, toc_list: list[Any]) -> etree.Element:
        if self.wanted:
            return super().build_toc_div(toc_list)
        return etree.Element("div")


_TOC = all(hasattr(toc.TocTreeprocessor, a) for a in ("build_toc_div", "replace_marker"))


def _written_as(method: Any, consts: tuple[Any, ...], names: tuple[str, ...]) -> bool:
    """Whether an installed method is the code a stand-in was written against: the same
    constants and names, however this Python compiled them."""
    code = getattr(method, "__code__", None)
    return code is not None and (code.co_consts, code.co_names) == (consts, names)


# The last line of Python-Markdown's whitespace step (its first preprocessor) takes out the
# spaces of a line that has nothing else, by a pattern beginning with a lookbehind; this
# one begins with the newline before them.
_SPACES_ALONE = re.compile(r"\n +(?=\n)")
_NORMALIZE = _written_as(
    preprocessors.NormalizeWhitespace.run,
    (None, "\n", "", "\r\n", "\r", "\n\n", r"(?<=\n) +\n"),
    (
        "join",
        "replace",
        "util",
        "STX",
        "ETX",
        "expandtabs",
        "md",
        "tab_length",
        "re",
        "sub",
        "split",
    ),
)


class _Normalize(preprocessors.NormalizeWhitespace):
    """Whitespace made even as Python-Markdown makes it; its pattern, tried at every
    character of a briefing, took more than the rest of the step."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        source = source.replace(util.STX, "").replace(util.ETX, "")
        source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
        source = source.expandtabs(self.md.tab_length)
        return _SPACES_ALONE.sub("\n", source).split("\n")


_HTML_BLOCK = _written_as(
    preprocessors.HtmlBlockPreprocessor.run,
    (None, "\n", ""),
    ("join", "HTMLExtractor", "md", "feed", "close", "cleandoc", "split"),
)


class _HtmlBlock(preprocessors.HtmlBlockPreprocessor):
    """Raw HTML blocks, looked for only in a text that holds a ``<`` or a ``&``. The HTML
    parser the whole text is fed to gives back a text without either as it was (no tag
    to take out, no reference to complete), and feeding it a briefing costs more than
    the rest of the preprocessing."""

    def run(self, lines: list[str]) -> list[str]:
        if not any("<" in line or "&" in line for line in lines):
            return lines
        return super().run(lines)


def _block_level(md: markdown.Markdown) -> Callable[[Any], bool]:
    """``md.is_block_level`` with the answer for each tag remembered: the prettifier asks
    it for every element, and Python-Markdown looks the tag up in a list each time.
    Extensions name their block-level tags as they are loaded (Python-Markdown's own
    never change the list after), which is before the shortcuts go in."""
    names = frozenset(md.block_level_elements)
    known: dict[Any, bool] = {}

    def is_block_level(tag: Any) -> bool:
        found = known.get(tag)
        if found is None:
            found = known[tag] = isinstance(tag, str) and tag.lower().rstrip("/") in names
        return found

    return is_block_level


_BRACKET = re.compile(r"[\[\]]")
_NEAR = 64  # brackets always looked at one by one before a text's bracket table is made


def _bracket_text(self: Any, data: str, index: int) -> tuple[str, int, bool]:
    """Python-Markdown's ``getText`` (the text up to the ``]`` that closes a ``[`` just
    before ``index``, nested brackets counted) without its cost on a text of many ``[``
    that nothing closes: it walks to the end of the text for each one, and a line of 8,000
    took 14 s. Brackets are counted one by one, as there, up to a quarter of the text's
    brackets; past that, a table of the whole text, made once for it, answers this ``[``
    and every later one by a search. The same results (tests/test_markup.py), but for the
    text of a ``[`` that nothing closes, which is empty: its callers never read it, and
    copying the rest of the text for each was quadratic again."""
    state = getattr(self, "_brackets", None)
    if state is None or state[0] is not data:
        # each link found makes a new text: a table for each would be quadratic too
        state = [data, data.count("[") + data.count("]"), None]
        self._brackets = state
    if state[2] is None:
        depth, seen = 1, 0
        budget = max(_NEAR, state[1] // 4)
        for pos in range(index, len(data)):  # as Python-Markdown walks, but for the budget
            c = data[pos]
            if c == "]":
                depth -= 1
                if depth == 0:
                    return data[index:pos], pos + 1, True
            elif c == "[":
                depth += 1
            else:
                continue
            seen += 1
            if seen > budget:
                break
        else:
            return "", len(data), False
        state[2] = _closings(data)
    closes = state[2]
    positions = closes[0].get(_level(data, index, closes) - 1, [])
    at = bisect.bisect_left(positions, index)
    if at == len(positions):
        return "", len(data), False
    end = positions[at]
    return data[index:end], end + 1, True


def _closings(data: str) -> tuple[dict[int, list[int]], list[int], list[int]]:
    """Each ``]`` of ``data`` by the bracket depth it leaves (``[`` minus ``]`` before it
    and itself), in order; and every bracket's position with the depth before it."""
    by_level: dict[int, list[int]] = {}
    where: list[int] = []
    before: list[int] = []
    depth = 0
    for found in _BRACKET.finditer(data):
        where.append(found.start())
        before.append(depth)
        if found.group() == "[":
            depth += 1
        else:
            depth -= 1
            by_level.setdefault(depth, []).append(found.start())
    return by_level, where, before


def _level(data: str, index: int, closes: tuple[dict[int, list[int]], list[int], list[int]]) -> int:
    """The bracket depth of ``data`` before ``index``."""
    _, where, before = closes
    at = bisect.bisect_left(where, index)
    if at == len(where):
        return before[-1] + (1 if data[where[-1]] == "[" else -1) if where else 0
    return before[at]


_GET_TEXT = _written_as(
    inlinepatterns.LinkInlineProcessor.getText,
    (
        "Parse the content between `[]` of the start of an image or link\n        resolving"
        " nested square brackets.\n\n        ",
        1,
        "]",
        "[",
        0,
        "",
    ),
    ("range", "len", "append", "join"),
)


def _shortcuts(md: markdown.Markdown) -> None:
    """Put the shortcuts in place of the parts of Python-Markdown they stand for, each only
    where the installed version has the part they were written against."""
    if _SHORTCUT and type(md.treeprocessors["inline"]) is treeprocessors.InlineProcessor:
        md.treeprocessors.register(_Inline(md), "inline", 20)  # its place in every version
    _skip_blocks(md)
    md.is_block_level = _block_level(md)  # type: ignore[method-assign,assignment]
    if _LISTED and type(md.parser.blockprocessors) is util.Registry:
        md.parser.blockprocessors.__class__ = _Listed
    for pre in md.preprocessors:
        if _FENCED and type(pre) is fenced_code.FencedBlockPreprocessor:
            pre.__class__ = _Fenced
        elif _NORMALIZE and type(pre) is preprocessors.NormalizeWhitespace:
            pre.__class__ = _Normalize
        elif _HTML_BLOCK and type(pre) is preprocessors.HtmlBlockPreprocessor:
            pre.__class__ = _HtmlBlock
    for tree in md.treeprocessors if _TOC else ():
        if type(tree) is toc.TocTreeprocessor:
            tree.__class__ = _Toc
    for pattern in md.inlinePatterns if _GET_TEXT else ():
        if (
            isinstance(pattern, inlinepatterns.LinkInlineProcessor)
            and type(pattern).getText is inlinepatterns.LinkInlineProcessor.getText
        ):
            pattern.getText = types.MethodType(_bracket_text, pattern)  # type: ignore[method-assign]


@cache
def _sanitizer() -> Callable[[str], str]:
    """nh3's cleaning with the site's allowances, set up once where nh3 can (0.3 on):
    handing it the allowances with every body made it convert them every time, a quarter
    of what sanitizing a briefing took."""
    settings: dict[str, Any] = {
        "tags": TAGS,
        "attributes": ATTRIBUTES,
        "url_schemes": {"http", "https", "mailto"},
        "link_rel": None,
        "strip_comments": True,
        "filter_style_properties": {"text-align"},
    }
    cleaner = getattr(nh3, "Cleaner", None)
    if cleaner is not None:
        clean: Callable[[str], str] = cleaner(**settings).clean
        return clean
    return lambda html: str(nh3.clean(html, **settings))


# the shortcut stands in for the method of the same (mangled) name; a version that
# renamed it gets Python-Markdown's own inline pass
_SHORTCUT = all(
    hasattr(treeprocessors.InlineProcessor, name)
    for name in ("_InlineProcessor__handleInline", "_InlineProcessor__applyPattern")
)


@cache
def _converter(extensions: tuple[str, ...], configs_key: str) -> markdown.Markdown:
    import json

    configs: dict[str, Any] = json.loads(configs_key)
    settings = {"codehilite": {"css_class": "highlight", "guess_lang": False}}
    for name, value in configs.items():
        settings.setdefault(name, {}).update(value)
    try:
        md = markdown.Markdown(
            extensions=[_extension(name, settings.get(name, {})) for name in extensions],
            extension_configs={k: v for k, v in settings.items() if k in extensions},
            output_format="html",
        )
    except (ImportError, AttributeError, TypeError, ValueError, KeyError) as exc:
        raise MarkdownError(
            f"cannot load the Markdown extensions {list(extensions)}: {exc}"
        ) from None
    _shortcuts(md)
    return md


@cache
def _built_in() -> frozenset[str]:
    """The extensions Python-Markdown ships: the modules of ``markdown.extensions``, each
    registered under its module's name."""
    return frozenset(m.name for m in pkgutil.iter_modules(markdown.extensions.__path__))


def _extension(name: str, config: dict[str, Any]) -> markdown.Extension | str:
    """A built-in extension made from its module, as Python-Markdown makes it from its
    entry point; any other name is left to Python-Markdown, which finds its settings in
    ``extension_configs`` (it reads them for names only). Looking a name up among the
    entry points reads every installed package's metadata: 30-50 ms of every build."""
    if name not in _built_in():
        return name
    module = importlib.import_module(f"markdown.extensions.{name}")
    return module.makeExtension(**config)  # type: ignore[no-any-return]


def converter(extensions: tuple[str, ...], configs: dict[str, Any]) -> markdown.Markdown:
    import json

    return _converter(extensions, json.dumps(configs, sort_keys=True, default=str))


# A text that uses what the usual extensions' settings act on: a heading (toc), a footnote
# (footnotes), a fenced block (fenced_code, codehilite), a table, a [TOC] marker.
_SAMPLE = "# A\n\nB[^1] *c* `d`.\n\n[^1]: E.\n\n```text\nf\n```\n\n| g | h |\n|---|---|\n| 1 | 2 |\n\n[TOC]\n"


def settings_problem(extensions: tuple[str, ...], configs: dict[str, Any]) -> str | None:
    """What converting a sample text with these settings raises, if anything. A setting of
    the wrong type (a list for footnotes' ``BACKLINK_TEXT``, an unknown Pygments style)
    passes when the converter is made and fails only on a text that uses it, in the
    middle of a build."""
    md = converter(extensions, configs)  # shared: ``render`` resets it before each use
    try:
        md.reset().convert(_SAMPLE)
    except Exception as exc:  # whatever an extension raises: reported, never a traceback
        return f"{type(exc).__name__}: {exc}"
    return None


def _protect_wikilinks(text: str) -> tuple[str, list[tuple[str, str | None]]]:
    """Swap ``[[target|label]]`` for placeholders Markdown leaves alone (outside code)."""
    found: list[tuple[str, str | None]] = []

    def swap(match: re.Match[str]) -> str:
        found.append((match.group(1).strip(), (match.group(2) or "").strip() or None))
        return f"\ue000WL{len(found) - 1}\ue001"

    parts = _CODE_SPAN.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = _WIKILINK.sub(swap, parts[i])
    return "".join(parts), found


def render(
    source: str,
    first_line: int,
    *,
    extensions: tuple[str, ...],
    configs: dict[str, Any],
    sanitize: bool,
) -> Body:
    """Markdown text (whose first line is ``first_line`` of its file) -> Body."""
    md = converter(extensions, configs)
    md.reset()
    protected, wikis = _protect_wikilinks(source)
    try:
        out = md.convert(protected)
    except RecursionError:
        # the converter's block parser is left mid-list: later files would come out as
        # raw text (and be cached so), so the next file gets a fresh converter
        _converter.cache_clear()
        raise MarkdownError("the Markdown is nested too deeply to render") from None
    finally:
        md.reset()
    lines = source.split("\n")
    refused: tuple[Link, ...] = ()
    if sanitize:
        raw, out = out, _sanitizer()(out)
        # an address the sanitizer took out (or an element it took out with its address)
        if raw.count("href=") + raw.count("src=") != out.count("href=") + out.count("src="):
            refused = tuple(
                Link(url, _line_of(lines, url, first_line))
                for url in dict.fromkeys(
                    html.unescape(attr_value(m)) for m in URL_ATTR.finditer(raw)
                )
                if refused_scheme(url)
            )
    out, placed = _place_wikilinks(out, wikis)
    wikilinks = [
        Link(
            f"[[{target}" + (f"|{label}" if label else "") + "]]",
            _line_of(lines, f"[[{target}", first_line),
        )
        for index, (target, label) in enumerate(wikis)
        if index in placed
    ]
    out = out.replace("\ue000", "").replace("\ue001", "")
    tokens = html_tokens(out)
    text = " ".join(tokens)
    first = _FIRST_P.search(out)
    first_paragraph = (
        " ".join(html.unescape(HTML_TAG.sub("", _FOOTNOTE_REF.sub("", first.group(1)))).split())
        if first
        else ""
    )
    # No word spans a space, so the words of the whole text are those of its distinct
    # space-separated tokens; an all-lowercase one starts none with a capital.
    capitalized = {w for token in set(tokens) if not token.islower() for w in _WORD.findall(token)}
    words = tuple(sorted(w for w in capitalized if w[0].isupper()))
    links = tuple(
        Link(html.unescape(url), _line_of(lines, html.unescape(url), first_line))
        for url in dict.fromkeys(attr_value(m) for m in URL_ATTR.finditer(out))
        if url and not url.startswith("#")
    )
    return Body(out, text, first_paragraph, "\n".join(words), links, tuple(wikilinks), refused)


def _place_wikilinks(out: str, wikis: list[tuple[str, str | None]]) -> tuple[str, set[int]]:
    """Placeholders -> ``<a data-wikilink>``; inside code or an attribute, the text as written.

    Code blocks indented by four spaces and ``alt`` text are not known before
    Markdown runs, so a placeholder can land there: it must not become a tag.
    """
    placed: set[int] = set()
    code = 0

    def written(index: int, escape_quotes: bool) -> str:
        target, label = wikis[index]
        return html.escape(f"[[{target}" + (f"|{label}" if label else "") + "]]", escape_quotes)

    def in_tag(match: re.Match[str]) -> str:
        index = int(match.group(1))
        if index >= len(wikis):
            return match.group(0)
        target, label = wikis[index]
        return html.escape(label or target)

    def swap(match: re.Match[str]) -> str:
        nonlocal code
        if match.group(3) is None:  # a tag
            if (match.group(2) or "").lower() in ("code", "pre"):
                code = max(code + (-1 if match.group(1) else 1), 0)
            return _PLACEHOLDER.sub(in_tag, match.group(0))
        index = int(match.group(3))
        if index >= len(wikis):
            return match.group(0)
        if code:
            return written(index, False)
        placed.add(index)
        target, label = wikis[index]
        return (
            f'<a data-wikilink="{html.escape(target)}"{"" if label else " data-auto"}>'
            f"{html.escape(label or target)}</a>"
        )

    if "\ue000" not in out:
        return out, placed
    return _TAG_OR_WIKI.sub(swap, out), placed


def _line_of(lines: list[str], needle: str, first_line: int) -> int:
    """The line where ``needle`` (a URL, ``[[a wikilink``) is written whole, followed by
    what ends one, else the first line holding it: ``/people`` is not on the line of
    ``/people/ana.xml``."""
    found = -1
    for number, line in enumerate(lines):
        at = line.find(needle)
        while at >= 0:
            if found < 0:
                found = number
            if line[at + len(needle) : at + len(needle) + 1] in _URL_ENDS:
                return first_line + number
            at = line.find(needle, at + 1)
    return first_line + max(found, 0)


_URL_ENDS = frozenset({"", ")", " ", "\t", '"', "'", ">", "]", "|"})
