"""briefing.markup.render: Markdown -> sanitized HTML, plain text, first paragraph, links."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from briefing.config import DEFAULT_EXTENSIONS
from briefing.markup import MarkdownError, render
from briefing.model import Body, Link
from briefing.text import html_tokens


def md(source: str, first_line: int = 1, *, sanitize: bool = True, **kw: Any) -> Body:
    return render(
        source,
        first_line,
        extensions=kw.get("extensions", DEFAULT_EXTENSIONS),
        configs=kw.get("configs", {}),
        sanitize=sanitize,
    )


class Tree(HTMLParser):
    """Start tags with their attributes, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    tree = Tree()
    tree.feed(html)
    tree.close()
    return tree.tags


def names(html: str) -> list[str]:
    return [t for t, _ in tags(html)]


# ------------------------------------------------------------ highlighting


def test_fenced_code_is_highlighted_by_pygments() -> None:
    html = md("```python\ndef f():\n    return 1\n```").html
    found = tags(html)
    assert found[0] == ("div", {"class": "highlight"})
    assert ("span", {"class": "k"}) in found  # `def`, a keyword
    assert ("span", {"class": "nf"}) in found  # `f`, a function name


def test_code_without_a_language_is_not_guessed() -> None:
    html = md("```\ndef f(): return 1\n```").html
    assert ("span", {"class": "k"}) not in tags(html)
    assert 'class="highlight"' in html


def test_code_is_escaped() -> None:
    html = md("```html\n<script>alert(1)</script>\n```").html
    assert "<script>" not in html
    assert "&lt;" in html


# -------------------------------------------------------------- sanitizing


RAW = (
    "<script>alert(1)</script>\n\n"
    '<p onclick="steal()">Hola <b onmouseover="x()">mundo</b></p>\n\n'
    '<iframe src="https://example.org"></iframe>\n\n'
    '<a href="javascript:alert(1)">enlace</a>\n\n'
    "<style>p{color:red}</style>"
)


def test_sanitize_removes_scripts_handlers_and_bad_urls() -> None:
    html = md(RAW).html
    assert "<script" not in html and "alert(1)" not in html
    assert "onclick" not in html and "onmouseover" not in html
    assert "<iframe" not in html
    assert "javascript:" not in html
    assert "<style" not in html
    assert names(html) == ["p", "b", "p", "a"]


def test_links_and_images_the_sanitizer_takes_out_are_told_with_their_lines() -> None:
    source = (
        "Uno [bien](https://example.org) y [mal](javascript:alert(1)).\n\n"
        "![foto](data:image/png;base64,AAAA)\n\n"
        '<a href=" JavaScript:x">crudo</a> y <img src="foto.png" alt="f">\n\n'
        '[con título](vbscript:y "T") y <a class="c" href="javascript:z">clase</a> y [r]\n\n'
        '[r]: javascript:w "R"\n'
    )
    body = md(source, 10)
    assert [(link.url, link.line) for link in body.refused] == [
        ("javascript:alert(1)", 10),
        ("data:image/png;base64,AAAA", 12),
        (" JavaScript:x", 14),
        ("vbscript:y", 16),
        ("javascript:z", 16),
        ("javascript:w", 18),
    ]
    assert "<a>mal</a>" in body.html and 'href="https://example.org"' in body.html
    assert md(source, sanitize=False).refused == ()  # ``finish`` takes them out, and says so
    assert md("Sin enlaces ni imágenes: <a>ancla</a>.").refused == ()


def test_trust_keeps_raw_html() -> None:
    html = md(RAW, sanitize=False).html
    assert "<script>alert(1)</script>" in html
    assert 'onclick="steal()"' in html
    assert "<iframe" in html


def test_sanitize_keeps_ordinary_markup() -> None:
    source = (
        'Texto *énfasis* **fuerte** `code` [enlace](https://example.org "t")\n\n'
        '> cita\n\n- a\n- b\n\n![alt](img.png)\n\n<abbr title="x">OTAN</abbr> H<sub>2</sub>O'
    )
    found = tags(md(source).html)
    assert ("a", {"href": "https://example.org", "title": "t"}) in found
    assert ("img", {"alt": "alt", "src": "img.png"}) in found
    assert ("abbr", {"title": "x"}) in found
    for tag in ("em", "strong", "code", "blockquote", "ul", "li", "sub"):
        assert tag in [t for t, _ in found]


def test_the_sanitizer_set_up_once_cleans_as_nh3_clean_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """nh3's Cleaner, made once, and nh3.clean (all an older nh3 has) give the same HTML."""
    import nh3

    from briefing import markup

    source = RAW + '\n\n| a |\n|--:|\n| <td style="color: red">b</td> |\n\n<!-- c -->'
    stock = markup.markdown.Markdown(extensions=list(DEFAULT_EXTENSIONS)).convert(source)
    markup._sanitizer.cache_clear()
    made_once = markup._sanitizer()(stock)
    monkeypatch.delattr(nh3, "Cleaner", raising=False)
    markup._sanitizer.cache_clear()
    try:
        per_call = markup._sanitizer()(stock)
    finally:
        markup._sanitizer.cache_clear()
    assert made_once == per_call
    assert "onclick" not in made_once and "<!--" not in made_once
    assert "text-align" in made_once and "color" not in made_once


def test_sanitize_keeps_heading_ids() -> None:
    assert ("h2", {"id": "la-otan-en-asia"}) in tags(md("## La OTAN en Asia").html)


# ------------------------------------------------------ tables and footnotes


def test_tables() -> None:
    html = md("| País | Gasto |\n|---|--:|\n| Japón | 1,2 % |\n").html
    assert names(html) == ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]
    assert ("td", {"style": "text-align:right"}) in tags(html)
    assert "Japón" in html


def test_footnotes() -> None:
    body = md("Texto[^1] y más.\n\n[^1]: La nota.")
    found = tags(body.html)
    assert ("sup", {"id": "fnref:1"}) in found
    assert ("a", {"class": "footnote-ref", "href": "#fn:1"}) in found
    assert ("div", {"class": "footnote"}) in found
    assert ("li", {"id": "fn:1"}) in found
    assert "La nota." in body.text


# --------------------------------------------------------- text extraction


def test_first_paragraph_is_plain_text() -> None:
    body = md("# Título\n\nPrimer **párrafo** con &amp; y\n[un enlace](https://x).\n\nSegundo.")
    assert body.first_paragraph == "Primer párrafo con & y un enlace."


def test_first_paragraph_leaves_out_footnote_markers() -> None:
    assert md("Texto[^1].\n\n[^1]: Nota.").first_paragraph == "Texto."


def test_first_paragraph_empty_without_paragraphs() -> None:
    assert md("# Solo título").first_paragraph == ""


def test_text_is_all_visible_text_collapsed() -> None:
    body = md("# Título\n\nUno   dos\ntres.\n\n- cuatro\n- cinco")
    assert body.text == "Título Uno dos tres. cuatro cinco"


def test_words_are_the_capitalized_words() -> None:
    body = md("La OTAN y Japón; el verbo irán, `Código` y Corea del Sur.")
    assert body.words == ("Corea", "Código", "Japón", "La", "OTAN", "Sur")


def test_words_inside_tokens_are_found_as_in_the_whole_text() -> None:
    """Words are looked for token by token: a capital after digits, inside a
    lowercase-led token, after punctuation or in titlecase counts as in the text."""
    text = "3Ab a3Bc x_Yz (Reuters) «Óscar» l'Équipe O'Neil ǅemal ⒶBC iPhone al-Jabiri 12Años"
    assert md(text).words == (
        "Ab",
        "Años",
        "BC",
        "Jabiri",
        "Neil",
        "O",
        "Reuters",
        "Équipe",
        "Óscar",
    )


def test_links_with_their_lines() -> None:
    body = md("Uno.\n\n[a](other.md) y ![b](img/x.png)\n\n[c](#frag) [d](https://x)", first_line=6)
    assert body.links == (
        Link("other.md", 8),
        Link("img/x.png", 8),
        Link("https://x", 10),
    )


def test_url_attributes_match_as_the_plain_spelling_would() -> None:
    """URL_ATTR is spelled for speed; on random text it finds what the lookbehind form finds."""
    import random
    import re

    from briefing.urls import URL_ATTR

    plain_form = re.compile(
        r"""(?<![\w:-])((?:xlink:)?(?:href|src))\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""",
        re.I,
    )
    pieces = ["href", "HREF", "src", "Src", "xlink:href", "XLINK:SRC", "xlink", ":", "-", "_",
              "a", "x", "h", "s", "1", " ", "\n", "=", '"', "'", '="u v"', "='w'", "=bare ",
              "é", "<a ", ">", "ahref", ":href", "-src", "hReF", "sRc", "XlInK:hrEf",
              "\u017frc", "xl\u0130nk:src", "xl\u0131n\u212a:href", "S", "H", "X", "\u017f",
              "\u212a"]  # fmt: skip
    rnd = random.Random(20261128)
    for _ in range(20000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 14)))
        found = [(m.span(), m.groups()) for m in URL_ATTR.finditer(text)]
        assert found == [(m.span(), m.groups()) for m in plain_form.finditer(text)], text
    assert URL_ATTR.search('<a href="x">') and not URL_ATTR.search('<a data-href="x">')


def test_url_attribute_letters_take_every_case_re_i_would() -> None:
    """URL_ATTR spells case out letter by letter; each letter's class is what ``re.I``
    matches it with, over every character there is."""
    import re
    import sys

    from briefing.urls import _any_case

    every = "".join(map(chr, range(sys.maxunicode + 1)))
    for letter in "xlinkhrefsc":
        folded = set(re.findall(letter, every, re.I))
        assert set(re.findall(_any_case(letter), every)) == folded, letter
        assert {letter, letter.upper()} <= folded
    assert set(re.findall(_any_case("s"), every)) == {"s", "S", "\u017f"}


def test_the_text_of_html_is_its_words_with_tags_as_spaces() -> None:
    assert " ".join(html_tokens("<p>a &amp; <b>b</b></p>\n<p>c</p>")) == "a & b c"
    assert html_tokens("x<br>y &lt;z&gt;") == ["x", "y", "<z>"]


# --------------------------------------------------------------- wikilinks


def test_wikilink_becomes_a_placeholder_anchor() -> None:
    body = md("Ver [[OTAN]] y [[Japón|el país]].", first_line=3)
    found = tags(body.html)
    assert ("a", {"data-wikilink": "OTAN", "data-auto": None}) in found
    assert ("a", {"data-wikilink": "Japón"}) in found
    assert body.wikilinks == (Link("[[OTAN]]", 3), Link("[[Japón|el país]]", 3))
    assert "\ue000" not in body.html and "WL0" not in body.html


def test_wikilink_survives_sanitizing_and_trust_alike() -> None:
    assert md("[[OTAN]]").html == md("[[OTAN]]", sanitize=False).html


@pytest.mark.parametrize(
    "source",
    ["`[[OTAN]]`", "``` \n[[OTAN]]\n```", "~~~\n[[OTAN]]\n~~~", "    [[OTAN]] sangrado"],
)
def test_wikilinks_inside_code_are_untouched(source: str) -> None:
    body = md(source)
    assert "[[OTAN]]" in body.html
    assert "data-wikilink" not in body.html
    assert body.wikilinks == ()


def test_wikilink_inside_alt_text_does_not_break_the_tag() -> None:
    body = md("![foto de la [[OTAN]]](x.png)")
    assert tags(body.html) == [("p", {}), ("img", {"alt": "foto de la OTAN", "src": "x.png"})]


def test_wikilink_target_is_escaped() -> None:
    body = md('[[a"b<c>]]')
    [attrs] = [a for t, a in tags(body.html) if t == "a"]
    assert attrs["data-wikilink"] == 'a"b<c>'
    assert "<c>" not in body.html


# ------------------------------------------------------------------ errors


def test_unknown_extension_is_a_markdown_error() -> None:
    with pytest.raises(MarkdownError, match="cannot load the Markdown extensions"):
        md("x", extensions=("no_such_extension_here",))


def test_built_in_extensions_are_made_without_reading_package_metadata(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Built-in extensions come from their modules, with their settings, as Python-Markdown
    makes them from its entry points; other names are still Python-Markdown's to find (an
    unknown one: ``test_unknown_extension_is_a_markdown_error``)."""
    import markdown
    from markdown import util

    from briefing.markup import _converter, _extension, converter

    names = ["toc", "tables", "codehilite", "footnotes", "smarty", "admonition", "def_list"]
    configs = {"toc": {"permalink": True, "toc_depth": "2-3"}, "smarty": {"smart_quotes": False}}
    source = (
        '## Two "quoted" -- words\n\n### Three\n\n!!! note\n    said[^1]\n\n'
        "term\n:   definition\n\n| a |\n|---|\n| b |\n\n```python\nx = 1\n```\n\n[^1]: n"
    )
    settings = {**configs, "codehilite": {"css_class": "highlight", "guess_lang": False}}
    stock = markdown.Markdown(
        extensions=["fenced_code", *names], extension_configs=settings, output_format="html"
    ).convert(source)
    assert 'class="headerlink"' in stock and "&ldquo;" not in stock and "&ndash;" in stock

    def refused() -> Any:
        raise AssertionError("package metadata was read")

    _converter.cache_clear()
    monkeypatch.setattr(util, "get_installed_extensions", refused)
    try:
        ours = converter(("fenced_code", *names), configs)
        assert ours.reset().convert(source) == stock
        assert "headerlink" in md(source, extensions=("fenced_code", *names), configs=configs).html
    finally:
        _converter.cache_clear()
    monkeypatch.undo()
    assert _extension("markdown.extensions.nl2br", {}) == "markdown.extensions.nl2br"
    dotted = converter(
        ("markdown.extensions.toc",), {"markdown.extensions.toc": {"permalink": True}}
    )
    assert "headerlink" in dotted.reset().convert("## a")


@pytest.mark.parametrize(
    "deep",
    [
        # emphasis this deep renders, but the table of contents' walk cannot go through it
        "[TOC]\n\n" + "*" * 3000 + "x" + "*" * 3000,
        "1. " * 2000 + "x",
        "- " * 2000 + "x",
    ],
)
def test_too_deep_nesting_is_a_markdown_error_and_the_next_file_is_unharmed(deep: str) -> None:
    with pytest.raises(MarkdownError, match="nested too deeply"):
        md(deep)
    # the same (cached) converter renders the next file as if nothing happened
    assert md("*hola* [a](b.md)\n\n- uno").html == (
        '<p><em>hola</em> <a href="b.md">a</a></p>\n<ul>\n<li>uno</li>\n</ul>'
    )


# -- the inline pass's shortcut ----------------------------------------------------------

INLINE_CASES = [
    "Plain prose with no markup at all, in two\nlines.",
    "*em* and **strong** and ***both*** and _under_ and __double__ and snake_case_word",
    "a * lone star and a _ lone underscore and 2 * 3 * 4",
    "`code with *stars* and [brackets]` then *after*",
    "``double `tick` code``",
    "escaped \\*not em\\* and \\[not a link\\] and \\\\ backslash",
    '[a link](https://example.org/a_b) and ![an image](pic.png "t") and [ref][r]\n\n'
    "[r]: https://example.org/ref",
    "[short ref] and ![short image]\n\n[short ref]: /x\n[short image]: /y.png",
    "an autolink <https://example.org/x?a=1&b=2> and mail <someone@example.org>",
    'inline <span class="x">html *em*</span> and an entity &amp; &#169; &#xA9; & bare',
    "a hard break  \nafter two spaces, and not one \nhere",
    "a footnote[^1] and another[^n]\n\n[^1]: first *note*\n[^n]: [linked](/n)",
    "**bold with [a link *inside*](/l) and `code`** then _em [x](/y)_",
    "- item *one*\n- item [two](/2)\n\n1. first `c`\n2. second &copy;",
    "| a | *b* |\n|---|---|\n| [c](/c) | `d` |",
    "# Heading with *em* and [link](/h)\n\nText.",
    "> quoted **strong** <b>raw</b>\n> and &hellip;",
    "Unicode: «comillas» — ¿qué? 日本語 *énfasis* _ñandú_",
]


def _stock(extensions: list[str]) -> Any:
    import markdown

    return markdown.Markdown(
        extensions=extensions,
        extension_configs={"codehilite": {"css_class": "highlight", "guess_lang": False}},
        output_format="html",
    )


def _ours(extensions: list[str]) -> Any:
    from briefing.markup import converter

    return converter(tuple(extensions), {})


def _example_bodies() -> list[str]:
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "content"
    return [p.read_text("utf-8") for p in sorted(root.rglob("*.md"))]


def test_the_shortcut_is_in_place() -> None:
    from briefing.markup import _Inline

    assert type(_ours(list(DEFAULT_EXTENSIONS)).treeprocessors["inline"]) is _Inline


@pytest.mark.parametrize(
    "extensions",
    [list(DEFAULT_EXTENSIONS), [*DEFAULT_EXTENSIONS, "smarty", "abbr", "attr_list", "def_list"]],
    ids=["default", "with-extensions"],
)
def test_the_shortcut_renders_exactly_as_python_markdown(extensions: list[str]) -> None:
    """Same HTML as Python-Markdown's own inline pass, for every inline pattern it knows and
    for patterns it does not (smarty's quotes, abbr's abbreviations), on the example site."""
    stock, ours = _stock(extensions), _ours(extensions)
    sources = [*INLINE_CASES, *_example_bodies()]
    sources.append('*[HTML]: Hyper Text\n\nThe HTML "quoted" -- it\'s --- done...')
    assert len(sources) > len(INLINE_CASES) + 10
    for source in sources:
        assert ours.reset().convert(source) == stock.reset().convert(source), source


BLOCK_CASES = [
    "Title\n=====\n\nSub\n---\n\ntext\n- not a list\n= not a header",
    "para\n***\n* * *\n- - -\n___\n--\n\n__x__",
    "# one #\n## two\n####### seven\ntext # not\n#no-space",
    "> a\n> > b\n>c\n\n    > code\n\nx > y",
    "[a]: /a \"T\"\n[b]: <b> 'U'\n  [c]:\n  /c (V)\n\nsee [a] [b] [c] and [d]: no",
    "text[^1] and [^x]\n\n[^1]: one\n    more\n[^x]: two\n\n[^y] ]: not a note",
    "1. a\n2. b\n\n    c\n\n* d\n+ e\n- f\n\n```\n# fenced\n> not quote\n```",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n\na | b\n--|--\n\n| one |\n| --- |\n| 1 |\n\nx|\n-|",
    "| one |\n---\n\n`a|b` | c\n--- | ---\n\na \\| b\n---",
    "~~~ python\nx = 1\n~~~\n\n````\n```\n````\n\n``not a fence``\n\n~~ not ~~",
    "[TOC]\n\n# One\n\n## One\n\n### Two *em*\n\n> [TOC]\n\n    [TOC]\n\n# [TOC]",
    "# Same\n\n# Same\n\n## Другое\n\ntext [TOC] inline\n\n*[TOC]*",
]


def _block_source(rnd: Any) -> str:
    lines = ["text", "# h", "## h ##", "> q", ">", "---", "***", "___", "- i", "* i", "1. n",
             "===", "    code", "[r]: /u", "[^f]: note", "see [r] and [^f]", "", "", "a - b",
             "x_y*z", "]: odd", "#", "  > q2", "Title", "-", "| a | b |", "|---|---|", "a | b",
             "--|--", "| c |", "```", "~~~", "```py", "[TOC]", "|", "`|`"]  # fmt: skip
    return "\n".join(rnd.choice(lines) for _ in range(rnd.randint(1, 12)))


@pytest.mark.parametrize(
    "extensions",
    [list(DEFAULT_EXTENSIONS), [*DEFAULT_EXTENSIONS, "smarty", "abbr", "attr_list", "def_list"]],
    ids=["default", "with-extensions"],
)
def test_block_tests_answered_early_render_exactly_as_python_markdown(
    extensions: list[str],
) -> None:
    """A block processor skipped because the block lacks what its pattern needs: the same
    HTML as Python-Markdown's own block parser, on hand-made and random blocks."""
    import random

    stock, ours = _stock(extensions), _ours(extensions)
    rnd = random.Random(2611)
    sources = [*BLOCK_CASES, *(_block_source(rnd) for _ in range(1500))]
    for source in sources:
        assert ours.reset().convert(source) == stock.reset().convert(source), source


def test_block_tests_are_answered_early() -> None:
    skipped = {
        type(p).__name__
        for p in _ours(list(DEFAULT_EXTENSIONS)).parser.blockprocessors
        if getattr(p.test, "__name__", "") == "shortcut"
    }
    assert skipped == {
        "BlockQuoteProcessor",
        "HashHeaderProcessor",
        "HRProcessor",
        "SetextHeaderProcessor",
        "ReferenceProcessor",
        "FootnoteBlockProcessor",
        "TableProcessor",
    }


def test_block_levels_are_answered_as_python_markdown_answers_them() -> None:
    import markdown

    md = _ours([*DEFAULT_EXTENSIONS, "md_in_html"])
    tags = [*md.block_level_elements, "P", "DIV", "hr/", "span", "em", "a", "", None, 3]
    for _ in range(2):  # the second time from what it remembers
        for tag in tags:
            assert md.is_block_level(tag) == markdown.Markdown.is_block_level(md, tag), tag


def test_the_other_shortcuts_are_in_place() -> None:
    from briefing.markup import _Fenced, _HtmlBlock, _Listed, _Normalize, _Toc

    md = _ours(list(DEFAULT_EXTENSIONS))
    assert type(md.parser.blockprocessors) is _Listed
    assert {_Fenced, _Normalize, _HtmlBlock} <= {type(p) for p in md.preprocessors}
    assert _Toc in {type(t) for t in md.treeprocessors}


def _preprocessing_source(rnd: Any) -> str:
    pieces = ["text", " ", "   ", "\t", "\n", "\n", "\r", "\r\n", "  \n", "\n  \n", "\x02",
              "\x03", "&", "&amp;", "&#1", "&#x4F", "&#1234;", "&bogus;", "&lt", "<", "<div>",
              "</div>", "<p>x</p>", "<!-- c -->", "<br/>", "<?php ?>", "<![CDATA[x]]>", "*em*",
              "    code", "# h", "- i", "`<b>`", "a < b", "AT&T", "é"]  # fmt: skip
    return "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 24)))


def test_preprocessing_stand_ins_give_what_python_markdown_gives() -> None:
    """Whitespace made even by a faster pattern, and raw HTML looked for only where a `<`
    or a `&` is: the same lines as Python-Markdown's own preprocessors, then the same
    HTML, on random texts of spaces alone on a line, tabs, CR, tags and references."""
    import random

    stock, ours = _stock(list(DEFAULT_EXTENSIONS)), _ours(list(DEFAULT_EXTENSIONS))
    names = ("normalize_whitespace", "html_block")
    rnd = random.Random(1130)
    for _ in range(1500):
        source = _preprocessing_source(rnd)
        lines = source.split("\n")
        for name in names:
            theirs = stock.reset().preprocessors[name].run(list(lines))
            assert ours.reset().preprocessors[name].run(list(lines)) == theirs, (name, source)
        assert ours.reset().convert(source) == stock.reset().convert(source), source
    plain = ["a", "b"]  # neither `<` nor `&`: given back, not parsed
    assert ours.preprocessors["html_block"].run(plain) is plain


def test_patterns_it_does_not_know_are_still_tried() -> None:
    out = _ours([*DEFAULT_EXTENSIONS, "smarty"]).reset().convert('He said "no" -- twice.')
    assert "&ldquo;no&rdquo;" in out and "&ndash;" in out


def test_bracket_texts_are_python_markdowns_own() -> None:
    """``getText`` answered from a bracket table: for any text and any ``[``, the text a
    closing ``]`` ends and where, as Python-Markdown finds them; none where it finds none.
    One object answers many calls on one text, as a link pattern does."""
    import random
    from types import SimpleNamespace

    from markdown.inlinepatterns import LinkInlineProcessor

    from briefing.markup import _bracket_text

    stock = LinkInlineProcessor.getText
    rnd = random.Random(7)
    for _ in range(300):
        data = "".join(rnd.choice("[[[]]ab\\(") for _ in range(rnd.randint(0, 400)))
        holder = SimpleNamespace()
        for index in sorted(rnd.sample(range(len(data) + 1), min(40, len(data) + 1))):
            text, end, handled = _bracket_text(holder, data, index)
            want_text, want_end, want_handled = stock(None, data, index)  # type: ignore[arg-type]
            assert (end, handled) == (want_end, want_handled), (data, index)
            assert text == (want_text if handled else ""), (data, index)


@pytest.mark.parametrize(
    "source",
    [
        "x " + "[" * 3000 + " y",
        "[" * 1500 + "a](b) " + "]" * 1500,
        "see [a [b [c] d] e](u) and " + "[x " * 400 + "] ![i](j) [r][] [r]\n\n[r]: /r",
        ("[" * 70 + "x" + "]" * 70 + "(u) ") * 40,
        ("palabra " * 50 + "[ ") * 300,
    ],
    ids=["unclosed", "nested", "mixed", "deep-links", "sparse"],
)
def test_texts_of_many_brackets_render_as_python_markdown_renders_them(source: str) -> None:
    stock, ours = _stock(list(DEFAULT_EXTENSIONS)), _ours(list(DEFAULT_EXTENSIONS))
    assert ours.reset().convert(source) == stock.reset().convert(source)


@pytest.mark.parametrize(
    "source",
    ["x " + "[" * 100_000 + " y", ("palabra " * 50 + "[ ") * 2000],
    ids=["a line of them", "among words"],
)
def test_many_unclosed_brackets_render_in_linear_time(source: str) -> None:
    """A line of 8,000 ``[`` took Python-Markdown 14 s, and 2,000 among 800 KB of words
    200 s: each one walked to the end of the text."""
    import time

    started = time.perf_counter()
    md(source)
    assert time.perf_counter() - started < 5
