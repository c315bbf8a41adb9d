"""Tests of the offline search: the index builder, and search.js in Chromium over file://."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from briefing.search import (
    DOC_CHUNK,
    NAMES_CHUNK,
    STOP_WORDS,
    TEXT_CHUNK,
    SearchDoc,
    build_index,
    fold,
    is_cjk,
    shard_for,
    shard_key,
    shard_name,
    terms_of,
)

SEARCH_JS = Path(__file__).resolve().parent.parent / "layouts" / "assets" / "search.js"
CHROMIUM = "/usr/bin/chromium"

_CALL = re.compile(r"^briefingSearch\.([mtdxn])\((.*)\);\n$", re.S)


def parse_call(data: bytes) -> tuple[str, list[Any]]:
    """Decode one index file: (function name, arguments)."""
    text = data.decode("ascii")
    match = _CALL.match(text)
    assert match, text[:200]
    return match.group(1), json.loads("[" + match.group(2) + "]")


def decode(deltas: list[int]) -> list[int]:
    out: list[int] = []
    total = 0
    for d in deltas:
        total += d
        out.append(total)
    return out


def manifest_of(files: dict[str, bytes]) -> dict[str, Any]:
    func, (manifest,) = parse_call(files["search/index.js"])
    assert func == "m"
    return dict(manifest)


def shard_entries(files: dict[str, bytes], term: str) -> dict[str, list[Any]]:
    name = shard_for(term, manifest_of(files)["sp"])
    func, (key, flat, _rows) = parse_call(files[f"search/t/{name}.js"])
    assert func == "t" and key == name
    return dict(zip(flat[::2], flat[1::2], strict=True))


def docs_table(files: dict[str, bytes]) -> list[list[Any]]:
    _, (manifest,) = parse_call(files["search/index.js"])
    rows: list[list[Any]] = []
    for n in range((manifest["n"] + manifest["dc"] - 1) // manifest["dc"]):
        func, (chunk, chunk_rows) = parse_call(files[f"search/d/{n}.js"])
        assert func == "d" and chunk == n
        rows.extend(chunk_rows)
    return rows


def doc_id(files: dict[str, bytes], title: str) -> int:
    titles = [row[1] for row in docs_table(files)]
    return titles.index(title)


def postings(files: dict[str, bytes], term: str) -> list[list[int]]:
    entry = shard_entries(files, term)[term]
    lists = [
        decode(entry[i]) if i < len(entry) and isinstance(entry[i], list) else [] for i in range(4)
    ]
    return lists


EVIL = "Cumbre </script><script>window.pwned = 1</script> & <b>más</b>"


def sample_docs() -> list[SearchDoc]:
    def actor(kind: str, title: str, url: str, summary: str, *names: str) -> SearchDoc:
        return SearchDoc(kind, title, url, "", "", summary, "", (title, *names), ())

    def briefing(
        title: str,
        slug: str,
        date: str,
        label: str,
        summary: str,
        body: str,
        names: tuple[str, ...],
        tags: tuple[str, ...],
    ) -> SearchDoc:
        return SearchDoc(
            "briefing", title, f"briefings/{slug}.html", date, label, summary, body, names, tags
        )

    filler = " ".join(
        "La reunión abordó el comercio, la energía y la seguridad regional con varios ministros."
        for _ in range(12)
    )
    return [
        briefing(
            "La OTAN y Japón estrechan lazos",
            "otan-japon",
            "2023-01-31",
            "31 de enero de 2023",
            "El secretario general visitó Tokio para reforzar la cooperación.",
            filler
            + " El primer ministro Kishida recibió al secretario general de la OTAN en Tokio.",
            ("OTAN", "Japón", "Fumio Kishida"),
            ("defensa", "Asia"),
        ),
        briefing(
            "Cumbre del G7 en Hiroshima",
            "g7-hiroshima",
            "2023-05-20",
            "20 de mayo de 2023",
            "Los líderes del G7 se reunieron en Hiroshima.",
            filler
            + " La ciudad de Hiroshima, en Japón, acogió la cumbre; el anfitrión fue 岸田文雄.",
            ("Fumio Kishida",),
            ("G7",),
        ),
        briefing(
            "Elecciones en Brasil",
            "brasil",
            "2022-10-30",
            "30 de octubre de 2022",
            "Lula gana la segunda vuelta.",
            filler + " Observadores de Japon y de Europa siguieron el recuento.",
            (),
            ("Brasil", "elecciones"),
        ),
        briefing(
            "Crónica de Kioto",
            "kioto",
            "2024-02-01",
            "1 de febrero de 2024",
            "Templos y turismo.",
            filler + " Kioto fue la capital de Japon durante siglos.",
            (),
            (),
        ),
        briefing(
            "Japon, vu de Paris",
            "japon-paris",
            "2021-03-01",
            "1 de marzo de 2021",
            "Une lecture française.",
            "Le Japon et la France coopèrent.",
            (),
            (),
        ),
        briefing(
            EVIL,
            "evil",
            "2020-01-01",
            "1 de enero de 2020",
            "Texto con <etiquetas> & símbolos \u2028 raros.",
            "Nada más.",
            (),
            (),
        ),
        *(
            briefing(
                f"Informe semanal {n}",
                f"informe-{n}",
                f"2019-{n // 28 + 1:02d}-{n % 28 + 1:02d}",
                "",
                "Resumen del informe semanal.",
                "Notas breves.",
                (),
                ("informes",),
            )
            for n in range(25)
        ),
        actor(
            "country",
            "Japón",
            "actors/japon.html",
            "País insular de Asia oriental.",
            "Japan",
            "日本",
        ),
        actor(
            "organization",
            "OTAN",
            "actors/otan.html",
            "Alianza militar del Atlántico Norte.",
            "NATO",
            "Organización del Tratado del Atlántico Norte",
        ),
        actor(
            "person",
            "Fumio Kishida",
            "actors/kishida.html",
            "Primer ministro de Japón (2021-2024).",
            "岸田文雄",
        ),
        actor("tag", "defensa", "tags/defensa.html", "Briefings sobre defensa."),
    ]


# --------------------------------------------------------------------------- unit


def test_fold() -> None:
    assert fold("Japón") == "japon"
    assert fold("OTAN") == "otan"
    assert fold("ÑANDÚ Straße İstanbul Łódź Ærø") == "nandu strasse istanbul lodz aero"
    assert fold("ＡＢＣ") == "abc"  # full-width forms
    assert fold("ガ") == "ガ"  # kana voicing is kept (recomposed), not an accent
    assert fold("한국") == "한국"  # Hangul recomposes
    assert fold("Ελλάς") == "ελλασ"


def test_terms_fold_drop_stop_words_and_split_cjk() -> None:
    assert terms_of("La OTAN y Japón") == ["otan", "japon"]
    assert terms_of("岸田文雄") == ["岸", "田", "文", "雄", "岸田", "田文", "文雄"]
    assert terms_of("G7峰会 l'Europe 2023 1234567") == ["g7", "峰", "会", "峰会", "europe", "2023"]
    assert "de" in STOP_WORDS and "un" not in STOP_WORDS and "who" not in STOP_WORDS


def test_shard_names_are_ascii() -> None:
    assert shard_key("japon") == "ja"
    assert shard_name("ja") == "ja"
    assert shard_key("岸田") == "岸"
    assert shard_name("岸") == "u-5cb8"
    assert shard_name(shard_key("ελλασ")) == "u-3b5-3bb"
    # Names that Windows reserves are never file names.
    assert shard_name("con") == "u-63-6f-6e"
    assert shard_name("lpt1") == "u-6c-70-74-31"
    assert shard_name("cons") == "cons"
    assert shard_for("japon") == "ja"
    assert shard_for("japon", ["ja"]) == "jap"
    assert shard_for("ja", ["ja"]) == "ja"
    assert shard_for("japon", ["ja", "jap"]) == "japo"


def check_shards(files: dict[str, bytes]) -> dict[str, dict[str, list[Any]]]:
    """Check the shard layout; return name -> term -> entry."""
    manifest = manifest_of(files)
    shard_files = {p[len("search/t/") : -3] for p in files if p.startswith("search/t/")}
    assert set(manifest["s"]) == shard_files
    assert set(manifest["sp"]) <= shard_files
    out: dict[str, dict[str, list[Any]]] = {}
    for name in shard_files:
        func, (key, flat, _rows) = parse_call(files[f"search/t/{name}.js"])
        assert func == "t" and key == name
        assert flat[::2] == sorted(flat[::2], key=lambda t: t.encode("utf-16-be"))
        for term, entry in zip(flat[::2], flat[1::2], strict=True):
            if shard_for(term, manifest["sp"]) != name:
                # A longer term in a split shard: title and names postings only.
                assert name in manifest["sp"]
                assert len(entry) <= 2 or entry[2] == entry[3] == []
        out[name] = dict(zip(flat[::2], flat[1::2], strict=True))
    return out


def test_layout_and_manifest() -> None:
    docs = sample_docs()
    files = build_index(docs)
    assert all(path.startswith("search/") and path.endswith(".js") for path in files)
    manifest = manifest_of(files)
    assert manifest["n"] == len(docs)
    assert manifest["dc"] == DOC_CHUNK
    assert manifest["k"][:5] == ["briefing", "person", "country", "organization", "tag"]
    assert sorted(manifest["s"]) == manifest["s"]
    assert manifest["sp"] == []
    shards = check_shards(files)
    assert {"ja", "ot", "ki", "u-5cb8"} <= set(shards)
    assert manifest["xc"] == TEXT_CHUNK
    chunks = [files[f"search/x/{n}.js"] for n in range(-(-len(docs) // TEXT_CHUNK))]
    assert sum(p.startswith("search/x/") for p in files) == len(chunks)
    calls = [parse_call(data) for data in chunks]
    assert [args[0] for _, args in calls] == list(range(len(chunks)))
    assert sum(len(args[1]) for _, args in calls) == len(docs)
    assert all(len(args[1]) == TEXT_CHUNK for _, args in calls[:-1])
    assert all(len(text) == 2 for _, args in calls for text in args[1])
    # names and tags in chunks of their own, in the same document order
    assert manifest["nc"] == NAMES_CHUNK
    named = [files[f"search/n/{n}.js"] for n in range(-(-len(docs) // NAMES_CHUNK))]
    assert sum(p.startswith("search/n/") for p in files) == len(named)
    names = [pair for data in named for pair in parse_call(data)[1][1]]
    assert len(names) == len(docs)
    urls = [row[2] for row in docs_table(files)]
    for doc in docs:
        nfc = [[unicodedata.normalize("NFC", n) for n in f] for f in (doc.names, doc.tags)]
        assert names[urls.index(doc.url)] == nfc


def test_large_shards_split(monkeypatch: pytest.MonkeyPatch) -> None:
    words = ["co", "conflicto", "congreso", "comercio", "coalición", "cooperación", "contra"]
    docs = [
        SearchDoc(
            "briefing",
            f"Informe {words[i % 7]}",
            f"b/{i}.html",
            "2020-01-01",
            "",
            "",
            " ".join(words[j % 7] + (" conflicto" if j % 3 == 0 else "") for j in range(i, i + 4)),
            (),
            (),
        )
        for i in range(40)
    ]
    monkeypatch.setattr("briefing.search.SPLIT_BYTES", 300)
    files = build_index(docs)
    manifest = manifest_of(files)
    assert "co" in manifest["sp"]
    shards = check_shards(files)
    # "co" keeps the full entry of "co" and the title postings of the longer terms.
    assert len(shards["co"]["co"]) == 4 and shards["co"]["co"][3]
    assert set(shards["co"]) >= {fold(w) for w in words}
    # "con" is a reserved file name on Windows.
    assert shard_for("conflicto", manifest["sp"]).startswith("u-63-6f-6e")
    conflicto = shard_entries(files, "conflicto")["conflicto"]
    assert sum(len(x) for x in conflicto[:4]) == 40
    assert sum(len(x) for x in shards["co"]["conflicto"][:4]) < 40


def test_doc_order_actors_then_newest_briefings() -> None:
    rows = docs_table(build_index(sample_docs()))
    kinds = [row[0] for row in rows]
    assert kinds[:4] == [1, 2, 3, 4]  # person, country, organization, tag
    dates = [row[3] for row in rows[4:]]
    assert dates == sorted(dates, reverse=True)
    assert rows[0][1:3] == ["Fumio Kishida", "actors/kishida.html"]
    assert rows[0][5] == ["岸田文雄"]  # aliases other than the title


def test_tiers_rank_title_names_summary_body() -> None:
    files = build_index(sample_docs())
    lists = postings(files, "japon")
    otan_japon = doc_id(files, "La OTAN y Japón estrechan lazos")
    hiroshima = doc_id(files, "Cumbre del G7 en Hiroshima")
    kishida = doc_id(files, "Fumio Kishida")
    assert otan_japon in lists[0]  # title
    assert hiroshima in lists[3]  # body only
    assert kishida in lists[2]  # summary
    assert doc_id(files, "Japón") in lists[0]
    # Each document is in one tier only: its best.
    flat = [i for tier in lists for i in tier]
    assert len(flat) == len(set(flat))
    # Actor names of a briefing are tier 1.
    assert otan_japon in postings(files, "kishida")[1]


def test_shards_carry_rows_of_first_title_matches() -> None:
    files = build_index(sample_docs())
    table = docs_table(files)
    _, (_, _flat, rows) = parse_call(files["search/t/ot.js"])
    carried = {row[0]: row[1:] for row in rows}
    for i, row in carried.items():
        assert table[i] == row
    otan = postings(files, "otan")
    assert set((otan[0] + otan[1])[:8]) <= set(carried)
    assert doc_id(files, "OTAN") in carried


def test_accent_spellings_are_recorded() -> None:
    files = build_index(sample_docs())
    entry = shard_entries(files, "japon")["japon"]
    assert entry[4] == "japón"  # the spelling most documents use
    minority = dict(zip(entry[5][::2], entry[5][1::2], strict=True))
    assert set(decode(minority["japon"])) == {
        doc_id(files, "Elecciones en Brasil"),
        doc_id(files, "Crónica de Kioto"),
        doc_id(files, "Japon, vu de Paris"),
    }
    # A term spelled only one way stores no spellings.
    assert len(shard_entries(files, "otan")["otan"]) <= 4


def test_cjk_alias_indexed_by_bigrams() -> None:
    files = build_index(sample_docs())
    kishida = doc_id(files, "Fumio Kishida")
    entries = shard_entries(files, "岸田")
    assert kishida in postings(files, "岸田")[1]
    assert {"岸", "岸田"} <= set(entries)
    assert doc_id(files, "Cumbre del G7 en Hiroshima") in postings(files, "文雄")[3]


def test_stop_words_and_dedup() -> None:
    files = build_index(sample_docs())
    assert "de" not in shard_entries(files, "de")
    # "reunion" appears 12 times in a body: one posting per document.
    lists = postings(files, "reunion")
    assert len(lists[3]) == len(set(lists[3]))


def test_script_escaping() -> None:
    files = build_index(sample_docs())
    for path, data in files.items():
        data.decode("ascii")  # pure ASCII, whatever the charset it is served with
        for bad in (b"<", b">", b"&", "\u2028".encode(), "\u2029".encode()):
            assert bad not in data, path
    rows = docs_table(files)
    assert EVIL in [row[1] for row in rows]
    evil = doc_id(files, EVIL)
    _, (_, texts) = parse_call(files[f"search/x/{evil // TEXT_CHUNK}.js"])
    assert texts[evil % TEXT_CHUNK][0] == "Texto con <etiquetas> & símbolos \u2028 raros."


def test_summary_repeating_the_body_is_stored_once() -> None:
    body = "La cumbre terminó sin acuerdo. Los ministros volverán a reunirse."
    docs = [
        SearchDoc(
            "briefing",
            "A",
            "a.html",
            "2020-01-02",
            "",
            "La cumbre terminó sin acuerdo.",
            body,
            (),
            (),
        ),
        SearchDoc("briefing", "B", "b.html", "2020-01-01", "", "Otra cosa.", body, (), ()),
    ]
    files = build_index(docs)
    assert parse_call(files["search/x/0.js"])[1][1] == [["", body], ["Otra cosa.", body]]
    # The summary is still indexed as a summary.
    assert postings(files, "cumbre")[2] == [0]


def test_deterministic() -> None:
    docs = sample_docs()
    first = build_index(docs)
    second = build_index(list(docs))
    assert first == second
    assert list(first) == sorted(first)
    # Document ids do not depend on the input order either.
    assert build_index(list(reversed(docs))) == first


def test_empty() -> None:
    files = build_index([])
    _, (manifest,) = parse_call(files["search/index.js"])
    assert manifest["n"] == 0 and manifest["s"] == []
    assert list(files) == ["search/index.js"]


def test_doc_chunks() -> None:
    docs = [
        SearchDoc(
            "briefing",
            f"Doc {i}",
            f"b/{i}.html",
            f"2020-01-{i % 28 + 1:02d}",
            "",
            "",
            "texto",
            (),
            (),
        )
        for i in range(DOC_CHUNK * 2 + 1)
    ]
    files = build_index(docs)
    assert {p for p in files if p.startswith("search/d/")} == {
        "search/d/0.js",
        "search/d/1.js",
        "search/d/2.js",
    }
    assert len(docs_table(files)) == len(docs)


# ------------------------------------------------------------------------ browser


def page_html(title: str, root: str, main: str = "") -> str:
    return f"""<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<script src="{root}assets/search.js" defer></script></head>
<body><header><form class="site-search" role="search" action="{root}search.html"
 data-kind-person="Persona" data-kind-country="País" data-kind-organization="Organización"
 data-kind-briefing="Briefing" data-kind-tag="Etiqueta" data-no-results="Sin resultados para «{{q}}»"
 data-results-count="{{n}} resultados para «{{q}}»" data-results-one="1 resultado para «{{q}}»"
 data-all-results="Todos los resultados para «{{q}}»"><label for="q" class="visually-hidden">Buscar</label><input
 id="q" type="search" name="q" autocomplete="off" placeholder="Buscar…"><button type="submit">Buscar</button></form></header>
<main><h1>{html.escape(title)}</h1>{main}</main></body></html>
"""


def write_site(root: Path, docs: list[SearchDoc]) -> None:
    for path, data in build_index(docs).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (root / "assets").mkdir()
    shutil.copy(SEARCH_JS, root / "assets" / "search.js")
    (root / "index.html").write_text(page_html("Inicio", ""), encoding="utf-8")
    (root / "search.html").write_text(
        page_html("Buscar", "", '<div id="search-results" aria-live="polite"></div>'),
        encoding="utf-8",
    )
    for doc in docs:
        depth = doc.url.count("/")
        target = root / doc.url
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page_html(doc.title, "../" * depth), encoding="utf-8")


F = TypeVar("F", bound=Callable[..., None])


def browser_test(fn: F) -> F:
    """Mark a test as a browser test, skipped where Debian's chromium is missing."""
    skip = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium")
    marked: F = pytest.mark.browser(skip(fn))
    return marked


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    write_site(root, sample_docs())
    return root


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.set_default_timeout(10_000)
    yield pg
    context.close()
    assert errors == []


def suggestions(page: Any) -> list[str]:
    page.wait_for_selector(".site-search-suggestions:not([hidden]) [role=option]")
    return [
        str(t) for t in page.locator(".site-search-suggestions [role=option]").all_inner_texts()
    ]


def type_query(page: Any, text: str) -> list[str]:
    page.locator("#q").press_sequentially(text, delay=20)
    page.wait_for_function(
        "q => { const o = document.querySelector('.site-search-suggestions [role=option]');"
        " return o && document.querySelector('#q').value === q && !document.querySelector('.site-search-suggestions').hidden; }",
        arg=text,
    )
    page.wait_for_timeout(150)  # let the last keystroke's query settle
    return suggestions(page)


@browser_test
def test_browser_suggest_folds_accents(page: Any, site: Path) -> None:
    page.goto((site / "index.html").as_uri())
    options = type_query(page, "japon")
    assert options[0].startswith("Japón")
    assert any("La OTAN y Japón" in o for o in options)
    combo = page.locator("#q")
    assert combo.get_attribute("role") == "combobox"
    assert combo.get_attribute("aria-expanded") == "true"
    listbox = page.locator("#" + str(combo.get_attribute("aria-controls")))
    assert listbox.get_attribute("role") == "listbox"
    assert "<mark>Japón</mark>" in page.inner_html(".site-search-suggestions [role=option]")
    assert "País" in options[0]  # localized kind from data-kind-country


@browser_test
def test_browser_suggest_otan_and_cjk(page: Any, site: Path) -> None:
    page.goto((site / "briefings" / "brasil.html").as_uri())
    options = type_query(page, "otan")
    assert options[0].startswith("OTAN")
    page.fill("#q", "")
    page.fill("#q", "岸田")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.site-search-suggestions [role=option]')]"
        ".some(o => o.textContent.includes('Kishida'))"
    )
    options = suggestions(page)
    assert options[0].startswith("Fumio Kishida")
    assert "岸田" in page.inner_html(".site-search-suggestions [role=option] mark")


@browser_test
def test_browser_keyboard_navigation(page: Any, site: Path) -> None:
    page.goto((site / "briefings" / "brasil.html").as_uri())
    options = type_query(page, "otan")
    assert options[0].startswith("OTAN")
    page.keyboard.press("ArrowDown")
    combo = page.locator("#q")
    active = combo.get_attribute("aria-activedescendant")
    assert active and page.locator("#" + active).get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert combo.get_attribute("aria-activedescendant") == active
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == (site / "actors" / "otan.html").as_uri()
    assert page.title() == "OTAN"


@browser_test
def test_browser_enter_without_selection_opens_search_page(page: Any, site: Path) -> None:
    page.goto((site / "index.html").as_uri())
    type_query(page, "japon")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.startswith((site / "search.html").as_uri() + "?q=japon")
    page.wait_for_selector("#search-results .search-result")
    assert page.input_value("#q") == "japon"


@browser_test
def test_browser_search_page(page: Any, site: Path) -> None:
    page.goto((site / "search.html").as_uri() + "?q=japon")
    page.wait_for_selector("#search-results .search-result-snippet mark")
    assert page.input_value("#q") == "japon"
    summary = page.inner_text("#search-results .search-summary")
    assert "resultados para «japon»" in summary
    titles = page.locator("#search-results .search-result-title").all_inner_texts()
    # Title matches first, body-only matches last.
    assert titles[0] == "Japón"
    assert titles.index("La OTAN y Japón estrechan lazos") < titles.index(
        "Cumbre del G7 en Hiroshima"
    )
    assert titles.index("Japon, vu de Paris") < titles.index("Elecciones en Brasil")
    # The links resolve to the pages.
    for href in page.eval_on_selector_all(
        "#search-results .search-result-title", "els => els.map(e => e.href)"
    ):
        assert href.startswith("file://")
        assert Path(href[len("file://") :]).exists()
    # Date and snippet with the match marked, for a body-only match.
    hiroshima = page.locator(".search-result", has_text="Cumbre del G7 en Hiroshima")
    assert hiroshima.locator("time").get_attribute("datetime") == "2023-05-20"
    assert hiroshima.locator("time").inner_text() == "20 de mayo de 2023"
    hiroshima.locator(".search-result-snippet mark").first.wait_for()
    assert "<mark>Japón</mark>" in hiroshima.locator(".search-result-snippet").inner_html()
    # Results are a list of links.
    assert page.locator("#search-results ol > li > a").count() == len(titles)
    # Typing on the search page updates the results.
    page.fill("#q", "岸田文雄")
    page.wait_for_function(
        "() => (document.querySelector('#search-results .search-result-title') || {}).textContent === 'Fumio Kishida'"
    )
    page.fill("#q", "zzzz")
    page.wait_for_function(
        "() => document.querySelector('#search-results').textContent.includes('Sin resultados para «zzzz»')"
    )


@browser_test
def test_browser_ranking_and_escaping(page: Any, site: Path) -> None:
    page.goto((site / "index.html").as_uri())
    page.wait_for_function("() => window.briefingSearch && window.briefingSearch.query")

    def titles(q: str) -> list[str]:
        return [
            str(t)
            for t in page.evaluate(
                "q => briefingSearch.query(q, {limit: 50}).then(r => r.hits.map(h => h.title))", q
            )
        ]

    # Suggestions of title and name matches came with their shards: no document chunk.
    top = page.evaluate("() => briefingSearch.query('otan', {limit: 8}).then(r => r.hits.length)")
    assert top >= 2
    assert not [p for p in page.evaluate("() => briefingSearch.loaded") if p.startswith("d/")]
    # An exact accented match above a folded one (same field, whatever the dates).
    accented = titles("japón")
    assert accented.index("Japón") < accented.index("La OTAN y Japón estrechan lazos")
    assert accented.index("La OTAN y Japón estrechan lazos") < accented.index("Japon, vu de Paris")
    assert titles("japó") == accented
    # Typed without accents: no preference, so newest first within a field.
    plain = titles("Japon,")
    assert plain[0] == "Japón"
    assert plain.index("La OTAN y Japón estrechan lazos") < plain.index("Japon, vu de Paris")
    # Kioto (body "Japon") is newer than Hiroshima (body "Japón"): accents flip them.
    assert plain.index("Crónica de Kioto") < plain.index("Cumbre del G7 en Hiroshima")
    assert accented.index("Cumbre del G7 en Hiroshima") < accented.index("Crónica de Kioto")
    # Prefixes as you type; several terms are all required.
    assert titles("jap")[0] == "Japón"
    assert titles("otan jap") == ["La OTAN y Japón estrechan lazos"]
    assert titles("nato") == ["OTAN"]
    assert titles("x") == []
    # A title that contains </script> is data, not markup.
    assert titles("pwned") == [EVIL]
    assert page.evaluate("() => window.pwned") is None
    type_query(page, "pwned")
    assert EVIL in suggestions(page)[0]
    assert page.evaluate("() => window.pwned") is None
    assert page.evaluate("() => briefingSearch.loaded.every(p => !p.startsWith('/'))")


TRICKY = [
    "Japón JAPÓN japon Ñandú Straße ẞ İstanbul ıi Ελλάς ΣΊΣΥΦΟΣ Łódź Ærøskøbing Œuvre þing",
    "ﬁnanzas ＡＢＣ１２３ ½ ² ℌ Ⅻ ㈱ ｶﾞ ガ が 한국어 岸田文雄 習近平 𠀋𡈽 々",
    "Tiếng Việt Nguyễn Thị Hồng; हिन्दी भाषा; ไทย; العَرَبِيَّة; עִבְרִית; Ǆemal; x\u0301y",
    "e\u0301 vs é, l'OTAN, G7峰会, COVID-19, 2023-01-31, 1.500.000, under_score, emoji 🙂 ok",
]

RANGES = [
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x300, 0x36F),
    (0x370, 0x3FF),
    (0x400, 0x4FF),
    (0x600, 0x6FF),
    (0x900, 0x97F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x3040, 0x30FF),
    (0x4E00, 0x4EFF),
    (0xAC00, 0xACFF),
    (0xFF00, 0xFFEF),
]


@browser_test
def test_browser_fold_and_terms_match_python(page: Any, site: Path) -> None:
    import random

    rng = random.Random(7)
    samples = list(TRICKY)
    for _ in range(300):
        chars = []
        for _ in range(rng.randint(1, 30)):
            lo, hi = rng.choice(RANGES)
            chars.append(chr(rng.randint(lo, hi)) if rng.random() < 0.8 else " ")
        samples.append("".join(chars))
    page.goto((site / "index.html").as_uri())
    page.wait_for_function("() => window.briefingSearch && window.briefingSearch.query")
    js_folds = page.evaluate("xs => xs.map(x => briefingSearch.fold(x))", samples)
    assert js_folds == [fold(x) for x in samples]
    # Query terms (stop-words aside, which a query drops) are the index terms.
    js_terms = page.evaluate(
        "xs => Promise.all(xs.map(x => briefingSearch.parse(x + ' ')))"
        ".then(all => all.map(ts => ts.map(t => t.t)))",
        samples,
    )
    for sample, terms in zip(samples, js_terms, strict=True):
        js = list(dict.fromkeys(terms))
        py = list(dict.fromkeys(terms_of(sample)))
        assert [t for t in js if not is_cjk(t[0])] == [t for t in py if not is_cjk(t[0])], sample
        # A CJK run is queried by its bigrams (or its one character): all indexed.
        assert set(js) <= set(py), sample
        assert {t for t in js if len(t) == 2 and is_cjk(t[0])} == {
            t for t in py if len(t) == 2 and is_cjk(t[0])
        }, sample


@browser_test
def test_browser_escape_and_more_results(page: Any, site: Path) -> None:
    page.goto((site / "index.html").as_uri())
    type_query(page, "informe")
    combo = page.locator("#q")
    assert combo.get_attribute("aria-expanded") == "true"
    # 8 suggestions and the link to all results.
    assert page.locator(".site-search-suggestions [role=option]").count() == 9
    page.keyboard.press("ArrowUp")  # wraps to the last option: all results
    active = str(combo.get_attribute("aria-activedescendant"))
    assert "Todos los resultados" in page.inner_text("#" + active)
    page.keyboard.press("Escape")
    assert combo.get_attribute("aria-expanded") == "false"
    assert combo.get_attribute("aria-activedescendant") is None
    assert page.input_value("#q") == "informe"
    page.keyboard.press("ArrowDown")  # reopens on the first option
    assert combo.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowUp")  # wraps to all results
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.startswith((site / "search.html").as_uri() + "?q=informe")
    page.wait_for_selector("#search-results .search-result")
    assert page.locator(".search-result").count() == 20
    assert "25 resultados" in page.inner_text(".search-summary")
    page.click(".search-more")
    page.wait_for_function("() => document.querySelectorAll('.search-result').length === 25")
    assert page.locator(".search-more").count() == 0
    # Focus moves to the first new result, a link.
    assert page.evaluate("() => document.activeElement.className") == "search-result-title"


def test_mark_class_from_the_planes_that_have_marks_equals_a_scan_of_all_code_points() -> None:
    import sys

    from briefing import search as search_module

    assert search_module._mark_class() == search_module._mark_class(range(sys.maxunicode + 1))


# Words that fold, split, repeat and go unindexed: accents and their plain spellings,
# capitals, CJK runs (indexed by characters and bigrams), words the folding splits in
# two, stop words and long numbers.
_WORD_LIST = [
    "Japón",
    "japon",
    "JAPÓN",
    "Japon",
    "otan",
    "OTAN",
    "Kishida",
    "岸田文雄",
    "東京",
    "Straße",
    "strasse",
    "l'Élysée",
    "élysée",
    "Œuvre",
    "de",
    "la",
    "123456",
    "G7",
    "año",
    "ano",
    "Año",
    "naïve",
    "ﬁnal",
]
_WORDS = st.sampled_from(_WORD_LIST)
_TEXT = st.lists(_WORDS, max_size=30).map(" ".join)


def _reference(doc: SearchDoc) -> tuple[dict[str, int], dict[str, str]]:
    """Tiers and spellings as the index documents them, worked out word by word: a term's
    tier is the best field it occurs in (title, names, summary and tags, body); its
    spelling is its most frequent lower-case form (ties: the smallest), recorded where
    that is not the term itself."""
    from collections import Counter

    from briefing.search import _findwords, word_terms

    fields = [[doc.title], list(doc.names), [doc.summary, *doc.tags], [doc.body]]
    tier: dict[str, int] = {}
    forms: dict[str, Counter[str]] = {}
    for n, texts in enumerate(fields):
        for text in texts:
            for word in _findwords(text):
                for term, spelling in word_terms(word):
                    tier.setdefault(term, n)
                    if spelling is not None:
                        forms.setdefault(term, Counter())[spelling] += 1
    spellings = {}
    for term, counts in forms.items():
        if set(counts) == {term}:
            continue
        best = max(counts.values())
        choice = min(s for s, k in counts.items() if k == best)
        if choice != term:
            spellings[term] = choice
    return tier, spellings


@given(
    title=_TEXT,
    names=st.lists(_TEXT, max_size=3),
    summary=_TEXT,
    tags=st.lists(_TEXT, max_size=2),
    body=_TEXT,
    other=_TEXT,
)
@settings(max_examples=300, deadline=None)
def test_an_analysis_is_its_body_part_and_its_head(
    title: str, names: list[str], summary: str, tags: list[str], body: str, other: str
) -> None:
    """A body's part of the analysis, cached as JSON and read back, gives with the rest of
    the document what analysing it whole gives, and both follow the rule word by word.
    Two documents with one body differ only in the terms of the fields of their heads that
    differ: that is all a rebuild works out again, from those terms' part of the body,
    when only a briefing's actors or title changed."""
    from briefing.search import (
        BodyPart,
        analyze,
        body_part,
        changed_terms,
        combine,
        head,
        terms_of,
    )

    doc = SearchDoc(
        "briefing", title, "a.html", "2024-01-01", "", summary, body, tuple(names), tuple(tags)
    )
    whole = analyze(doc)
    assert (whole.tiers, whole.spellings) == _reference(doc)
    part, stored = body_part(body)
    cached = BodyPart.from_json(json.loads(json.dumps(part.to_json())))
    assert cached == part
    again = combine(head(doc), cached, stored)
    assert again == whole
    assert combine(head(doc), cached, None).text == [*whole.text[:1], None, *whole.text[2:]]

    for second, renamed in (
        (doc._replace(title=other, names=(summary,), summary=title), False),
        (doc._replace(names=(*names[:1], other)), True),  # a rename: the names alone
    ):
        both = analyze(second)
        memo: dict[tuple[str, ...], Any] = {}
        then, now = head(doc, memo), head(second, memo)
        assert (then, now) == (head(doc), head(second))
        only = changed_terms(then, now)
        if renamed:  # only the words of the names that changed
            gone_or_new = " ".join([*names[1:], other])
            assert only <= set(terms_of(gone_or_new))
        for term in whole.tiers.keys() | both.tiers.keys():
            if term not in only:
                assert whole.tiers.get(term) == both.tiers.get(term)
                assert whole.spellings.get(term) == both.spellings.get(term)
        few = BodyPart.from_json(json.loads(json.dumps(part.to_json())), only)
        assert few.plain == {t: n for t, n in part.plain.items() if t in only}
        assert few.other == {t: f for t, f in part.other.items() if t in only}
        for known, full in ((then, whole), (now, both)):
            partial = combine(known, few, None, only)
            assert partial.tiers == {t: k for t, k in full.tiers.items() if t in only}
            assert partial.spellings == {t: s for t, s in full.spellings.items() if t in only}
            assert partial.row == full.row


@given(
    title=_TEXT,
    names=st.lists(_TEXT, max_size=4),
    summary=_TEXT,
    tags=st.lists(_TEXT, max_size=3),
    body=_TEXT,
    renamed=st.lists(st.tuples(st.integers(0, 3), _TEXT), max_size=2),
    retagged=st.lists(st.tuples(st.integers(0, 2), _TEXT), max_size=1),
)
@settings(max_examples=400, deadline=None)
@example(
    title="Cina en Lagos",
    names=["Cina Lorana", "Bo"],
    summary="Vidal dijo que Cina vendrá",
    tags=["Lagos"],
    body="Vidal y Cina",
    renamed=[(0, "Cina Lorana Vidal")],
    retagged=[],
)
def test_renamed_heads_give_the_analyses_heads_give(
    title: str,
    names: list[str],
    summary: str,
    tags: list[str],
    body: str,
    renamed: list[tuple[int, str]],
    retagged: list[tuple[int, str]],
) -> None:
    """A document whose names and tags changed, its title and summary the same: the heads
    worked out for the changed terms alone give those terms (and perhaps more) and, for
    them, the analyses of the whole heads, as it was and as it is."""
    from briefing import search

    was = SearchDoc(
        "briefing", title, "a.html", "2024", "", summary, body, tuple(names), tuple(tags)
    )
    new_names, new_tags = list(names), list(tags)
    for at, name in renamed:
        if at < len(new_names):
            new_names[at] = name
    for at, tag in retagged:
        if at < len(new_tags):
            new_tags[at] = tag
    now = was._replace(names=tuple(new_names), tags=tuple(new_tags))
    part = search.body_part(body)[0]
    then_whole, now_whole = search.head(was), search.head(now)
    only = search.changed_terms(then_whole, now_whole)
    found = search.renamed_heads(was, now)
    assert found is not None
    then, new, changed = found
    assert changed >= only  # and perhaps terms of a changed tag the summary also has
    few = search.BodyPart.from_json(json.loads(json.dumps(part.to_json())), changed)
    assert search.terms_only(then, few, changed) == search.terms_only(then_whole, few, changed)
    assert search.combine(new, few, None, changed) == search.combine(now_whole, few, None, changed)
    assert search.renamed_heads(was, now._replace(title=title + " x")) is None
    # the terms that changed between names, kept from document to document, are the same
    shared: dict[Any, set[str]] = {}
    other, other_now = (d._replace(title=f"Otro {title}", summary="") for d in (was, now))
    for _ in range(2):
        assert search.renamed_heads(was, now, shared) == found
        assert search.renamed_heads(other, other_now, shared) == search.renamed_heads(
            other, other_now
        )


_PIECES = st.sampled_from(
    [
        *_WORD_LIST,
        "e\u0301",
        "\u0301",
        "\u0301x",
        "well-known",
        "(Lagos)",
        "U.S.",
        "a,b",
        "_",
        "x_y",
        "…",
        "€5",
        "—",
        " ",
        "  ",
        "\t",
        "\n",
        "\xa0",
        "\u2028",
        "\u3000",
        "\x1c",
        ",",
        ".",
        "",
    ]
)


@given(pieces=st.lists(_PIECES, max_size=60), limit=st.sampled_from([2000, 3, 0]))
@example(pieces=["Año", " ", "año", "\n", "Año", " ", "Año"], limit=3)  # a token met again
@settings(max_examples=300, deadline=None)
def test_a_body_is_counted_token_by_token_as_word_by_word(pieces: list[str], limit: int) -> None:
    """A body's terms are counted by its space-separated tokens: the counts, and the order
    of the terms and spellings, are those of counting the words of the whole text; a body
    of more than MAX_BODY_WORDS words is cut there, as before."""
    from unittest import mock

    from briefing import search

    text = "".join(pieces)
    with mock.patch.object(search, "MAX_BODY_WORDS", limit):
        part, stored = search.body_part(text)
        expected_stored, words = search._body(search._nfc(text))
    plain: dict[str, int] = {}  # word by word, every time it is written
    other: dict[str, dict[str, int]] = {}
    for word in words:
        for term, spelling in search.word_terms(word):
            plain[term] = plain.get(term, 0) + (spelling == term)
            if spelling is not None and spelling != term:
                forms = other.setdefault(term, {})
                forms[spelling] = forms.get(spelling, 0) + 1
    assert stored == expected_stored
    assert list(part.plain.items()) == list(plain.items())
    assert [(t, list(f.items())) for t, f in part.other.items()] == [
        (t, list(f.items())) for t, f in other.items()
    ]
    assert part.to_json() == search.BodyPart(plain, other).to_json()


@pytest.mark.parametrize(
    "value",
    [
        None,
        [],
        ["a\nb", [1], {}],
        ["a", [1, 2], {}],
        ["a", ["1"], {}],
        ["a", [1], []],
        [1, [1], {}],
        ["a", [1], {"a": 3}],
        ["a", [1], {}, "extra"],
    ],
)
def test_a_damaged_body_part_is_refused(value: object) -> None:
    from briefing.search import BodyPart

    with pytest.raises((ValueError, TypeError, AttributeError)):
        BodyPart.from_json(value)
    with pytest.raises((ValueError, TypeError, AttributeError)):  # what of it is read
        BodyPart.from_json(value, ("a", "z"))


def test_a_long_summary_that_starts_the_body_is_stored_once() -> None:
    """However long, and with a combining mark that no letter takes in (NFC keeps it)."""
    lead = " ".join(f"palabra{n} nx\u0331a" for n in range(300))
    body = f"{lead}. Y después, otra cosa."
    docs = [
        SearchDoc("briefing", "A", "a.html", "2020-01-02", "", lead, body, (), ()),
        SearchDoc("briefing", "B", "b.html", "2020-01-01", "", lead + " más", body, (), ()),
    ]
    texts = parse_call(build_index(docs)["search/x/0.js"])[1][1]
    assert [t[0] for t in texts] == ["", lead + " más"]


_PIECES = st.sampled_from(
    ["Japón", "cumbre", " ", ", ", ". ", "nx\u0331a", "\u0331", "_", "7", "東京", "…", "-", "a"]
)


@given(
    summary=st.lists(_PIECES, max_size=8).map("".join),
    rest=st.lists(_PIECES, max_size=8).map("".join),
    starts=st.booleans(),
)
@settings(max_examples=400, deadline=None)
def test_a_summary_is_left_out_exactly_when_its_words_start_the_body(
    summary: str, rest: str, starts: bool
) -> None:
    """The quick test (the body starts with the summary's text) and the word by word one
    agree, marks, numbers and scripts without spaces included."""
    import unicodedata

    from briefing.search import _findwords, _unrepeated

    summary = unicodedata.normalize("NFC", summary)
    body = unicodedata.normalize("NFC", summary + rest if starts else rest)
    words = _findwords(summary)
    expected = bool(words) and _findwords(body)[: len(words)] == words
    stored = _unrepeated([summary, body, [], []])
    assert stored == ["" if expected else summary, body, [], []]
