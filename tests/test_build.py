"""Golden-site tests: build a small real site through the command line and assert on its HTML."""

from __future__ import annotations

import os
import posixpath
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from briefing import build as build_module
from briefing.workers import PARALLEL_MIN
from tests.fixture_site import MENTIONED_ONLY, NAMED, SITE
from tests.sitekit import local_targets, page, run, snapshot, write_site

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = write_site(tmp_path_factory.mktemp("fixture"), SITE)
    result = run("build", "--site", site, "--quiet", "--jobs", "1")
    assert result.code == 0, result.err
    return site / "output"


def resolve(page_path: str, href: str) -> str:
    """Where a relative link on ``page_path`` leads, from the site root."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(page_path), href))


def _slugs(section_cards: list[str]) -> set[str]:
    return {Path(href).stem for href in section_cards}


def _section_links(out: Path, rel: str, cls: str) -> set[str]:
    tree = page(out, rel)
    sections = tree.find_all("section", cls=cls)
    if not sections:
        return set()
    return _slugs(
        [
            a.attrs["href"]
            for a in sections[0].find_all("a")
            if "card-title" in (a.parent.attrs.get("class", "") if a.parent else "")
        ]
    )


@pytest.mark.parametrize("rel", sorted(NAMED))
def test_entity_page_lists_exactly_its_briefings(built: Path, rel: str) -> None:
    assert _section_links(built, rel, "named") == NAMED[rel]
    assert _section_links(built, rel, "mentioned") == MENTIONED_ONLY.get(rel, set())


def test_every_link_and_image_resolves(built: Path) -> None:
    broken = []
    pages = [p.relative_to(built).as_posix() for p in built.rglob("*.html")]
    assert len(pages) > 20
    for rel in pages:
        for value, target in local_targets(built, rel):
            if not (built / target).is_file():
                broken.append(f"{rel}: {value}")
    assert broken == []


def test_404_page_links_from_the_site_root(built: Path) -> None:
    # GitHub Pages serves 404.html at any depth, so its links start at the site's own path.
    tree = page(built, "404.html")
    hrefs = [a.attrs["href"] for a in tree.find_all("a") if a.attrs.get("href", "").startswith("/")]
    assert hrefs
    for href in hrefs:
        assert href.startswith("/fixture/")
        assert (built / href.removeprefix("/fixture/")).is_file()


def test_briefing_page(built: Path) -> None:
    tree = page(built, "briefings/uno.html")
    assert tree.find("h1").text == "Uno — García viaja a Tokio"
    assert tree.find("time").text == "10 de enero de 2023"
    chips = {a.text for a in tree.find_all("a", cls="chip")}
    assert {"Ana García", "Japón", "España", "OTAN", "Diplomacia", "Asia"} <= chips
    body = tree.find("div", cls="body")
    mentions = [(a.text, a.attrs["href"]) for a in body.find_all("a", cls="mention")]
    # First mention of each actor only; code never links.
    assert mentions == [
        ("Ana García", "../people/ana-garcia.html"),
        ("Japón", "../countries/jp.html"),
        ("Kenji Sato", "../people/kenji-sato.html"),
    ]
    assert body.find("img").attrs["src"] == "../media/briefings/a/mapa.svg"
    assert (built / "media/briefings/a/mapa.svg").is_file()
    sources = tree.find("section", cls="sources")
    assert sources.find("a").attrs["href"] == "https://example.com/informe"
    story = tree.find("nav", cls="story-nav")
    assert story.find("a", cls="next").attrs["href"] == "dos.html"


def test_english_briefing_speaks_english(built: Path) -> None:
    tree = page(built, "briefings/tres.html")
    html = tree.find("html")
    assert html.attrs["lang"] == "en"
    assert tree.find("time").text == "March 5, 2023"
    assert tree.find("p", cls="lede").text == "Sato visits Oslo."


def test_relative_md_link_and_root_paths(built: Path) -> None:
    dos = page(built, "briefings/dos.html").find("div", cls="body")
    assert dos.find("a", href="uno.html").text == "el primero"
    about = page(built, "acerca.html")
    assert about.find("img").attrs["src"] == "img/logo.svg"
    assert about.find("a", href="briefings/uno.html")


def test_wikilinks_and_backlinks(built: Path) -> None:
    dos = page(built, "briefings/dos.html").find("div", cls="body")
    otan = dos.find("a", cls="wikilink")
    assert (otan.text, otan.attrs["href"]) == ("OTAN", "../organizations/nato.html")
    cuatro = page(built, "briefings/cuatro.html").find("div", cls="body")
    uno = cuatro.find("a", cls="wikilink")
    # A wikilink without a label shows the title of the briefing it points at.
    assert (uno.text, uno.attrs["href"]) == ("Uno — García viaja a Tokio", "uno.html")
    backlinks = page(built, "briefings/uno.html").find("section", cls="backlinks")
    assert {Path(a.attrs["href"]).stem for a in backlinks.find_all("a")} == {"dos", "cuatro"}


def test_tags_fold_case_accents_and_spacing(built: Path) -> None:
    index = page(built, "tags/index.html")
    rows = {a.text: a.attrs["href"] for a in index.find_all("a", cls="chip")}
    assert resolve("tags/index.html", rows["Seguridad"]) == "tags/seguridad.html"
    assert resolve("tags/index.html", rows["Diplomacia"]) == "tags/diplomacia.html"
    assert len([r for r in rows if r.lower() == "seguridad"]) == 1


def test_person_and_country_facts(built: Path) -> None:
    ana = page(built, "people/ana-garcia.html")
    assert ana.find("a", href="../countries/es.html")
    spain = page(built, "countries/es.html")
    people = [a.text for a in spain.find_all("a", cls="chip-person")]
    assert "Ana García" in people
    kenji = page(built, "people/kenji-sato.html")
    bio = kenji.find("section", cls="bio")
    assert bio.find("a", cls="mention").attrs["href"] == "ana-garcia.html"
    co = [
        (a.text, a.parent.text if a.parent else "")
        for a in ana.find("ol", cls="co-list").find_all("a")
    ]
    assert co[0][0] == "Japón" or co[0][0] in {"España", "OTAN"}
    nato = page(built, "organizations/nato.html")
    assert nato.find("h1").text == "OTAN"
    assert {a.text for a in nato.find_all("a", cls="chip-country")} >= {
        "España",
        "Noruega",
        "Estados Unidos",
    }


def test_indexes_have_counts(built: Path) -> None:
    tree = page(built, "countries/index.html")
    rows = {
        row.find("a").text: row.find("td", cls="num").text
        for row in tree.find("table").find_all("tr")
        if row.find_all("td")
    }
    assert rows["Noruega"] == "2"
    assert rows["Japón"] == "1"
    assert tree.find("svg", cls="worldmap")


def test_drafts_left_out_and_included_with_flag(built: Path, tmp_path: Path) -> None:
    assert not (built / "briefings/borrador.html").exists()
    site = write_site(tmp_path, SITE)
    assert run("build", "--site", site, "--drafts", "--quiet").code == 0
    assert (site / "output/briefings/borrador.html").is_file()


def test_redirect_page(built: Path) -> None:
    tree = page(built, "briefings/dos-viejo.html")
    refresh = tree.find("meta", **{"http-equiv": "refresh"})
    assert refresh.attrs["content"] == "0; url=dos.html"
    assert tree.find("a", href="dos.html")


def test_site_files(built: Path) -> None:
    for rel in (
        ".nojekyll",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "CNAME",
        "search.html",
        "timeline/index.html",
        "timeline/2023.html",
        "assets/style.css",
        "assets/pygments.css",
    ):
        assert (built / rel).is_file(), rel
    feed = (built / "feed.xml").read_text("utf-8")
    assert "https://example.org/fixture/briefings/uno.html" in feed
    assert (built / "people/ana-garcia.xml").is_file()


def test_unregistered_actor_warns_and_strict_fails(tmp_path: Path) -> None:
    site = write_site(tmp_path, SITE)
    result = run("build", "--site", site, "--strict")
    assert result.code == 1
    assert "content/briefings/b/cuatro.md:4:1: error: unknown person" in result.err
    assert "unknown person `Persona Desconocida`" in result.err
    assert not (site / "output").exists()


def test_example_site_builds_strict_with_every_link(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(
        "build", "--site", REPO, "--output", out, "--strict", "--cache-dir", tmp_path / "cache"
    )
    assert result.code == 0, result.err
    assert result.err == ""
    broken = [
        f"{rel}: {value}"
        for rel in (p.relative_to(out).as_posix() for p in out.rglob("*.html"))
        for value, target in local_targets(out, rel)
        if not (out / target).is_file()
    ]
    assert broken == []
    seed = page(out, "briefings/otan-japon-stoltenberg.html")
    body = seed.find("div", cls="body")
    assert body.find("a", href="../people/yoon-suk-yeol.html")


def _build_proc(site: Path, out: Path, seed: str, jobs: str, *extra: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "briefing",
            "build",
            "--site",
            str(site),
            "--output",
            str(out),
            "--jobs",
            jobs,
            "--quiet",
            *extra,
        ],
        check=True,
        env=env,
        cwd=REPO,
    )


def test_output_is_deterministic_across_seeds_and_jobs(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    # Enough briefings that --jobs 2 really runs a process pool (see build._weight).
    for n in range(160):
        (site / f"content/briefings/gen/g{n:03d}.md").parent.mkdir(parents=True, exist_ok=True)
        (site / f"content/briefings/gen/g{n:03d}.md").write_text(
            f"---\ntitle: Generado {n}\ndate: 2022-{1 + n % 12:02d}-{1 + n % 27:02d}\n"
            f"people: [Ana García]\ncountries: [{['JP', 'NO', 'ES'][n % 3]}]\ntags: [t{n % 7}]\n---\n"
            f"Texto {n} sobre Japón y la OTAN.\n",
            "utf-8",
        )
    _build_proc(site, tmp_path / "a", "0", "1", "--no-cache")
    _build_proc(site, tmp_path / "b", "4242", "2", "--no-cache")
    first, second = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_cached_build_equals_cold_build(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    cache = tmp_path / "cache"
    assert run("build", "--site", site, "--cache-dir", cache, "--quiet").code == 0
    # Edits, an addition, a deletion and a rename, each built with the cache.
    uno = site / "content/briefings/a/uno.md"
    uno.write_text(uno.read_text("utf-8").replace("Después", "Más tarde"), "utf-8")
    assert run("build", "--site", site, "--cache-dir", cache, "--quiet").code == 0
    (site / "content/briefings/b/cinco.md").write_text(
        "---\ntitle: Cinco\ndate: 2024-07-01\npeople: [Kenji Sato]\n---\nAna García y Noruega.\n",
        "utf-8",
    )
    (site / "content/briefings/b/cuatro.md").unlink()
    assert run("build", "--site", site, "--cache-dir", cache, "--quiet").code == 0
    ana = site / "content/people/ana-garcia.yaml"
    ana.write_text(
        ana.read_text("utf-8").replace("name: Ana García", "name: Ana García Pérez"), "utf-8"
    )
    assert run("build", "--site", site, "--cache-dir", cache, "--quiet").code == 0
    cold = tmp_path / "cold"
    assert run("build", "--site", site, "--output", cold, "--no-cache", "--quiet").code == 0
    warm, fresh = snapshot(site / "output"), snapshot(cold)
    assert warm.keys() == fresh.keys()
    assert [k for k in warm if warm[k] != fresh[k]] == []
    assert not (site / "output/briefings/cuatro.html").exists()
    # The rename reached the bodies that mention the person.
    assert "Ana García Pérez" in (site / "output/people/ana-garcia.html").read_text("utf-8")


def test_no_change_rebuild_writes_nothing(tmp_path: Path) -> None:
    site = write_site(tmp_path, SITE)
    assert run("build", "--site", site, "--quiet").code == 0
    before = {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*") if p.is_file()}
    result = run("build", "--site", site)
    assert result.code == 0
    assert " 0 written, 0 removed" in result.out
    after = {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*") if p.is_file()}
    assert before == after


def test_problems_are_stored_when_they_change_and_replayed_when_nothing_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that leaves the problems as they were does not store them again; a
    no-change rebuild still reports them; a lost problems record is stored again by the
    next build, and the one after it is a no-change rebuild once more."""
    from briefing.build import Options, build
    from briefing.cache import Cache

    site = write_site(tmp_path, SITE)
    stored: list[str] = []
    put = Cache.put_record

    def counting(self: Cache, name: str, record: dict[str, object]) -> None:
        stored.append(name)
        put(self, name, record)

    monkeypatch.setattr(Cache, "put_record", counting)
    first = build(Options(site=site, jobs=1))
    assert first.ok and "last_problems" in stored
    warnings = sorted(p.format() for p in first.problems)
    assert warnings  # the fixture site has warnings to replay
    path = next((site / "content/briefings").rglob("*.md"))
    path.write_text(path.read_text("utf-8").rstrip("\n") + " Una frase más.\n", "utf-8")
    stored.clear()
    edited = build(Options(site=site, jobs=1))
    assert edited.ok and "last_problems" not in stored and "last_build" in stored
    assert sorted(p.format() for p in edited.problems) == warnings
    stored.clear()
    same = build(Options(site=site, jobs=1))
    assert stored == []  # a no-change rebuild: nothing made, nothing stored
    assert sorted(p.format() for p in same.problems) == warnings

    cache = Cache(site / ".briefing-cache")
    assert cache.db is not None
    with cache.db:
        cache.db.execute("DELETE FROM meta WHERE key LIKE 'last_problems/%'")
    cache.close()
    again = build(Options(site=site, jobs=1))
    assert "last_problems" in stored and sorted(p.format() for p in again.problems) == warnings
    stored.clear()
    once_more = build(Options(site=site, jobs=1))
    assert stored == [] and sorted(p.format() for p in once_more.problems) == warnings


@pytest.mark.parametrize(
    ("rel", "months"),
    [
        ("organizations/nato.html", ["enero de 2023: 1", "febrero de 2023: 1", "marzo de 2023: 1"]),
        ("tags/asia.html", ["enero de 2023: 1", "mayo de 2024: 1"]),
    ],
)
def test_activity_figure_counts_the_months_of_the_actors_briefings(
    built: Path, rel: str, months: list[str]
) -> None:
    figure = page(built, rel).find("aside", cls="entity-aside").find("svg")
    titles = [g.find("title").text for g in figure.find_all("g", cls="col")]
    assert [t for t in titles if not t.endswith(": 0")] == months


def test_a_small_rebuild_of_a_large_actors_pages_stays_in_one_process() -> None:
    """The pages' weight decides whether a process pool is started: an actor named in
    3,000 briefings weighs 226 briefings' pages when made for the first time, but 46 when
    the last build made its pages (most come out the same and are not rendered), so an
    edit touching it is made in this process."""
    key = ("country", "cn")
    work: Any = SimpleNamespace(
        views=SimpleNamespace(site=SimpleNamespace(named={key: list(range(3000))}))
    )
    specs = [("entity", (key,)), ("briefing", (0,)), ("briefing", (1,))]

    def keyed(
        before: set[int], undecided: frozenset[int] = frozenset(), names_only: bool = False
    ) -> Any:
        return SimpleNamespace(before=before, undecided=undecided, names_only=names_only)

    first = build_module._weight(work, specs, [0, 1, 2], keyed(set()))
    again = build_module._weight(work, specs, [0, 1, 2], keyed({0, 1, 2}))
    assert first == (1 + 15 * 15 + 2) // 2 and first >= PARALLEL_MIN
    assert again == (1 + 15 * 3 + 2) // 2 and again < PARALLEL_MIN
    # briefings' pages weigh half a parse each, whatever the last build made
    assert build_module._weight(work, specs, [1, 2], keyed(set())) == 1
    # after a change of names alone, what was left undecided is patched: a sixteenth
    renamed = keyed({0, 1, 2}, {0, 1, 2}, names_only=True)
    assert build_module._weight(work, specs, [0, 1, 2], renamed) == (16 + 2) // 32
    many = keyed(set(range(300)), set(range(300)), names_only=True)
    assert build_module._weight(work, specs * 100, list(range(300)), many) == 1800 // 32


def test_pages_beside_the_search_index_stay_in_one_process_on_two_cores() -> None:
    """The search index's process takes one of two cores: light patching is done in this
    process; heavier work, pages to render, more cores, or no search beside get the pool."""
    light, heavy = build_module.BESIDE_SEARCH, build_module.BESIDE_SEARCH + 1
    rendering = build_module.BESIDE_SEARCH_RENDERING
    assert rendering < light
    assert build_module._pool_jobs(2, light, search_beside=True, patching=True) == 1
    assert build_module._pool_jobs(2, heavy, search_beside=True, patching=True) == 2
    assert build_module._pool_jobs(2, rendering, search_beside=True, patching=False) == 1
    assert build_module._pool_jobs(2, rendering + 1, search_beside=True, patching=False) == 2
    assert build_module._pool_jobs(4, light, search_beside=True, patching=True) == 4
    assert build_module._pool_jobs(2, light, search_beside=False, patching=True) == 2
