"""The languages a site speaks: its own, each briefing's, and one a site adds itself.

A French site (``language: fr``) with an English and an Arabic briefing and a
French-English pair of translations; and a German site whose own
``layouts/i18n/de.yaml`` adds the UI strings the default theme lacks.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest
import yaml

from tests.sitekit import Node, page, run, write_site

REPO = Path(__file__).resolve().parent.parent
I18N = REPO / "layouts" / "i18n"
NAV_KEYS = ("people", "countries", "organizations", "tags", "timeline")

FRENCH_SITE = """
-- briefing.yaml --
title: Notes de conjoncture
language: fr
base_url: https://example.org/notes/
-- content/people/fumio-kishida.yaml --
name: Fumio Kishida
country: JP
-- content/briefings/visite-tokyo.md --
---
title: Kishida reçoit la délégation allemande
date: 2023-01-31
people: [Fumio Kishida]
countries: [JP, DE]
tags: [diplomatie]
translation_key: visite-tokyo
---
Le Japon et l'Allemagne se parlent.
-- content/briefings/tokyo-visit.md --
---
title: Kishida hosts the German delegation
date: 2023-01-31
lang: en
people: [Fumio Kishida]
countries: [JP, DE]
translation_key: visite-tokyo
---
Japan and Germany talk.
-- content/briefings/english-note.md --
---
title: An English note on Japan
date: 2023-02-15
lang: en
people: [Fumio Kishida]
countries: [JP]
---
Just English.
-- content/briefings/note-arabe.md --
---
title: مذكرة عن اليابان
date: 2023-03-10
lang: ar
people: [Fumio Kishida]
countries: [JP]
---
نص قصير باللغة العربية.
"""

# Month names, to tell the language of a long date.
FRENCH_MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
)
ENGLISH_MONTHS = (
    "January February March April May June July August September October November December"
)


def strings(lang: str) -> dict[str, str]:
    data = yaml.safe_load((I18N / f"{lang}.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return {str(k): str(v) for k, v in data.items()}


def nav_labels(tree: Node) -> list[str]:
    return [a.text for a in tree.find("nav", cls="site-nav").find_all("a")]


def ui_of(tree: Node) -> dict[str, str]:
    """A few UI strings as the page shows them."""
    form = tree.find("form", cls="site-search")
    return {
        "skip_to_content": tree.find("a", cls="skip").text,
        "search_placeholder": form.find("input", name="q").attrs["placeholder"],
        "search_button": form.find("button").text,
        "feed": tree.find("footer").find("a", type="application/atom+xml").text,
    }


def assert_speaks(tree: Node, lang: str, where: str) -> None:
    words = strings(lang)
    assert nav_labels(tree) == [words[k] for k in NAV_KEYS], where
    assert ui_of(tree) == {k: words[k] for k in ui_of(tree)}, where


def month_language(text: str) -> str:
    found = {
        lang
        for lang, months in (("fr", FRENCH_MONTHS), ("en", ENGLISH_MONTHS))
        if any(re.search(rf"\b{m}\b", text) for m in months.split())
    }
    assert len(found) == 1, f"cannot tell the language of the date {text!r}"
    return found.pop()


def hrefs_to(here: str, tree: Node, **attrs: str) -> dict[str, str]:
    """hreflang -> resolved site path, of the <a> or <link> elements matching attrs."""
    return {
        n.attrs["hreflang"]: posixpath.normpath(
            posixpath.join(posixpath.dirname(here), n.attrs["href"])
        )
        for n in tree.find_all(**attrs)
        if "hreflang" in n.attrs
    }


# ------------------------------------------------------------------ French site


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = write_site(tmp_path_factory.mktemp("fr"), FRENCH_SITE)
    result = run("build", "--site", site, "--jobs", "1", "--strict", "--quiet")
    assert result.code == 0, result.err
    return site / "output"


FRENCH_PAGES = (
    "index.html",
    "briefings/visite-tokyo.html",
    "briefings/note-arabe.html",
    "people/index.html",
    "people/fumio-kishida.html",
    "countries/index.html",
    "countries/jp.html",
    "tags/diplomatie.html",
    "timeline/index.html",
    "timeline/2023.html",
    "search.html",
)


@pytest.mark.parametrize("rel", FRENCH_PAGES)
def test_pages_speak_french(french: Path, rel: str) -> None:
    tree = page(french, rel)
    assert tree.find("html").attrs["lang"] == "fr"
    assert tree.find("html").attrs.get("dir", "ltr") == "ltr"
    assert_speaks(tree, "fr", rel)


def test_french_ui_strings_on_pages(french: Path) -> None:
    words = strings("fr")
    home = page(french, "index.html")
    assert words["latest"] in [h.text for h in home.find_all("h2")]
    jp = page(french, "countries/jp.html")
    headings = [h.text for h in jp.find_all("h2")]
    assert words["named_in"].format(name="Japon") in headings
    assert words["people_of_country"].format(name="Japon") in headings
    assert page(french, "people/index.html").find("h1").text == words["people"]


def test_french_long_dates(french: Path) -> None:
    tree = page(french, "briefings/visite-tokyo.html")
    assert tree.find("article", cls="briefing").find("time").text == "31 janvier 2023"
    arabic = page(french, "briefings/note-arabe.html")
    assert arabic.find("article", cls="briefing").find("time").text == "10 mars 2023"
    # Every date on a French page is French: cards, timeline, lists.
    for rel in ("index.html", "countries/jp.html", "timeline/2023.html"):
        times = [t.text for t in page(french, rel).find_all("time")]
        assert times, rel
        assert {month_language(t) for t in times} == {"fr"}, (rel, times)
    year = page(french, "timeline/2023.html")
    assert "janvier 2023" in [h.text.lower() for h in year.find_all("h2")]


def test_country_names_in_french(french: Path) -> None:
    assert page(french, "countries/jp.html").find("h1").text == "Japon"
    assert page(french, "countries/de.html").find("h1").text == "Allemagne"
    index = {a.text for a in page(french, "countries/index.html").find("main").find_all("a")}
    assert {"Japon", "Allemagne"} <= index
    chips = {a.text for a in page(french, "briefings/visite-tokyo.html").find_all("a", cls="chip")}
    assert {"Japon", "Allemagne", "Fumio Kishida"} <= chips
    # The person page names their country in French too.
    person = page(french, "people/fumio-kishida.html")
    assert "Japon" in {a.text for a in person.find_all("a", cls="chip-country")}


def test_english_briefing_speaks_english(french: Path) -> None:
    for rel in ("briefings/tokyo-visit.html", "briefings/english-note.html"):
        tree = page(french, rel)
        assert tree.find("html").attrs["lang"] == "en", rel
        assert_speaks(tree, "en", rel)
        article = tree.find("article", cls="briefing")
        # The page is English already: no lang of its own on the article.
        assert article.attrs.get("lang", "en") == "en", rel
        chips = {a.text for a in tree.find_all("a", cls="chip-country")}
        assert "Japan" in chips and "Japon" not in chips, rel
    visit = page(french, "briefings/tokyo-visit.html")
    assert visit.find("article", cls="briefing").find("time").text == "January 31, 2023"


def test_english_briefing_dates_are_all_english(french: Path) -> None:
    """Every date an English page shows is in English, those of its cards too."""
    for rel in ("briefings/tokyo-visit.html", "briefings/english-note.html"):
        times = [t.text for t in page(french, rel).find_all("time")]
        assert len(times) > 1, rel  # the briefing's own date, and its cards'
        assert [month_language(t) for t in times] == ["en"] * len(times), (rel, times)


def declared_lang(node: Node) -> str:
    """The language an element is marked with: its own lang, or its nearest ancestor's."""
    for n in (node, *node.ancestors()):
        if "lang" in n.attrs:
            return n.attrs["lang"]
    raise AssertionError("no lang on <html>")


def test_dates_are_marked_with_their_language(french: Path) -> None:
    """A date is written in the language its element is marked with (screen readers
    read it by that language): "15 février 2023" is not inside lang="en"."""
    wrong = []
    for path in sorted(french.rglob("*.html")):
        rel = path.relative_to(french).as_posix()
        for time in page(french, rel).find_all("time"):
            marked = declared_lang(time)
            # An Arabic article in a French page carries lang="ar" whole, UI and all, by
            # design (the theme has no Arabic strings); only French and English are checked.
            if marked in ("fr", "en") and month_language(time.text) != marked:
                wrong.append(f"{rel}: {time.text!r} inside lang={marked!r}")
    assert not wrong, "\n".join(wrong)


def test_arabic_briefing_is_right_to_left_in_a_french_page(french: Path) -> None:
    # The theme has no Arabic strings: the page speaks French, the article Arabic.
    assert "ar" not in {p.stem for p in I18N.glob("*.yaml")}
    tree = page(french, "briefings/note-arabe.html")
    html = tree.find("html")
    assert (html.attrs["lang"], html.attrs.get("dir", "ltr")) == ("fr", "ltr")
    article = tree.find("article", cls="briefing")
    assert (article.attrs.get("lang"), article.attrs.get("dir")) == ("ar", "rtl")
    assert article.find("h1").text == "مذكرة عن اليابان"
    assert_speaks(tree, "fr", "note-arabe")


def test_translations_link_each_other(french: Path) -> None:
    fr_rel, en_rel = "briefings/visite-tokyo.html", "briefings/tokyo-visit.html"
    for rel, other, other_lang, label in (
        (fr_rel, en_rel, "en", "anglais"),
        (en_rel, fr_rel, "fr", "French"),
    ):
        tree = page(french, rel)
        # A visible link in the article, named in the page's language.
        visible = tree.find("article", cls="briefing").find_all("a", hreflang=other_lang)
        assert visible, rel
        assert visible[0].text.lower() == label.lower(), rel
        assert hrefs_to(rel, tree.find("article"), tag="a") == {other_lang: other}, rel
        assert (french / other).is_file()
        # <link rel=alternate hreflang> in <head>: the other, and itself.
        head = hrefs_to(rel, tree.find("head"), tag="link", rel="alternate")
        own_lang = "fr" if rel == fr_rel else "en"
        assert head == {other_lang: other, own_lang: rel}, rel
    for rel in ("briefings/english-note.html", "briefings/note-arabe.html"):
        tree = page(french, rel)
        assert not tree.find("head").find_all("link", hreflang="fr"), rel
        assert not tree.find_all("p", cls="translations"), rel


# ------------------------------------------------------------------ German site

GERMAN_SITE = """
-- briefing.yaml --
title: Lagebriefe
language: de
-- content/briefings/besuch.md --
---
title: Kishida empfängt die Delegation
date: 2023-01-31
countries: [JP, DE]
tags: [diplomatie]
---
Japan und Deutschland sprechen miteinander.
"""

GERMAN = {
    "language_name": "Deutsch",
    "people": "Personen",
    "countries": "Länder",
    "timeline": "Zeitleiste",
    "skip_to_content": "Zum Inhalt springen",
    "search_button": "Suchen",
}


@pytest.mark.parametrize("whole", [True, False], ids=["copy-of-en", "only-some-keys"])
def test_site_adds_german(tmp_path: Path, whole: bool) -> None:
    """A site adds a language with its own layouts/i18n/<code>.yaml: a copy of en.yaml
    with its texts translated; keys it leaves out fall back to English."""
    english = strings("en")
    table = {**english, **GERMAN} if whole else dict(GERMAN)
    site = write_site(tmp_path, GERMAN_SITE)
    (site / "layouts" / "i18n").mkdir(parents=True)
    (site / "layouts" / "i18n" / "de.yaml").write_text(
        yaml.safe_dump(table, allow_unicode=True, sort_keys=False), "utf-8"
    )
    result = run("build", "--site", site, "--jobs", "1", "--quiet")
    assert result.code == 0, result.err
    out = site / "output"
    expected_nav = [GERMAN.get(k, english[k]) for k in NAV_KEYS]
    for rel in ("index.html", "briefings/besuch.html", "countries/jp.html", "tags/diplomatie.html"):
        tree = page(out, rel)
        assert tree.find("html").attrs["lang"] == "de", rel
        assert nav_labels(tree) == expected_nav, rel
        ui = ui_of(tree)
        assert ui["skip_to_content"] == "Zum Inhalt springen", rel
        assert ui["search_button"] == "Suchen", rel
        assert ui["search_placeholder"] == english["search_placeholder"], rel
    briefing = page(out, "briefings/besuch.html")
    assert briefing.find("time").text == "31. Januar 2023"
    assert page(out, "countries/de.html").find("h1").text == "Deutschland"
    assert page(out, "countries/jp.html").find("h1").text == "Japan"
