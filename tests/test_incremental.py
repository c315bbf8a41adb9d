"""Patched rebuilds equal full ones: the search index patched for a few changed documents is
byte for byte the index a build without a cache makes."""

from __future__ import annotations

import dataclasses
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefing import build as build_module
from briefing import depends, searchindex, workers
from briefing.build import Options, build
from briefing.cache import Cache
from briefing.depends import Depends
from briefing.link import CoMentions
from briefing.pages import Views
from tests.sitekit import Node, page, snapshot

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


def _count_made(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    """The page specs the builds make from now on, in the order they are made (a spec
    kept or patched is not made)."""
    import briefing.build as build_module

    made: list[tuple[str, tuple[Any, ...]]] = []
    call = build_module._call

    def counting(views: Any, spec: Any) -> Any:
        made.append(spec)
        return call(views, spec)

    monkeypatch.setattr(build_module, "_call", counting)
    return made


def _assert_equals_cold(site: Path, cold: Path, label: str = "") -> None:
    """The site's output is byte for byte what a build without a cache makes in ``cold``."""
    assert build(Options(site=site, output=cold, use_cache=False, jobs=1)).ok, label
    warm, fresh = snapshot(site / "output"), snapshot(cold)
    assert sorted(warm) == sorted(fresh), label
    assert [p for p in warm if warm[p] != fresh[p]] == [], label


def _count_full(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that gets a 1 each time the search index is made in full, not patched."""
    fulls: list[int] = []
    made_in_full = searchindex._full

    def in_full(*args: Any) -> Any:
        fulls.append(1)
        return made_in_full(*args)

    monkeypatch.setattr(searchindex, "_full", in_full)
    return fulls


def test_patched_search_index_equals_a_full_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "80"], check=True)
    assert build(Options(site=site, jobs=1)).ok
    fulls = _count_full(monkeypatch)
    briefings = sorted((site / "content/briefings").rglob("*.md"))
    people = sorted((site / "content/people").glob("*.yaml"))
    rng = random.Random(7)
    patched: list[bool] = []
    for round_ in range(4):
        for path in rng.sample(briefings, 4):
            # New words, a word spelled with and without its accent, a word gone.
            text = path.read_text("utf-8").rstrip("\n")
            extra = f" Zorblax{round_} visitó Japón; japon y JAPÓN, otra vez."
            path.write_text(text + extra + "\n", "utf-8")
        path = rng.choice(briefings)
        _edit(path, "\ntags: [", "\ntags: [Nuevo tema, ")
        if round_ == 2:  # a registered person renamed: rows and names change
            person = people[0]
            text = person.read_text("utf-8")
            name = next(line for line in text.splitlines() if line.startswith("name: "))
            _edit(person, name, name + " Jr")
        fulls.clear()
        result = build(Options(site=site, jobs=1))
        assert result.ok and result.report is not None
        assert any(p.startswith("search/t/") for p in result.report.written)
        patched.append(not fulls)
        _assert_equals_cold(site, tmp_path / f"cold{round_}")
    # Patched, but in rounds 0 and 2, made in full for a document more: the new tag, and
    # the person the briefings still naming "Alica Northmore" name now that she is renamed.
    assert patched == [False, True, False, True]


def test_parallel_build_equals_a_serial_one(tmp_path: Path) -> None:
    """More pages and bodies than the pool's threshold: rendering and finishing run in
    forked workers, and give the bytes one process gives."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "80"], check=True)
    one, two = tmp_path / "one", tmp_path / "two"
    assert build(Options(site=site, output=one, use_cache=False, jobs=1)).ok
    assert build(Options(site=site, output=two, use_cache=False, jobs=2)).ok
    serial, parallel = snapshot(one), snapshot(two)
    assert sorted(serial) == sorted(parallel)
    assert [p for p in serial if serial[p] != parallel[p]] == []


def test_the_search_child_analyses_the_bodies_itself_beside_the_page_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With page workers running, the search index's child starts no pool of its own: it
    analyses every body in its own process, and its files are those one process makes.
    (The pool's threshold is lowered, so that a pool would start if asked for.)"""
    monkeypatch.setattr(workers, "PARALLEL_MIN", 2)
    asked = tmp_path / "asked"
    map_jobs = searchindex.map_jobs

    def recorded(func: Any, items: list[Any], jobs: int, *args: Any, **kwargs: Any) -> Any:
        with asked.open("a") as out:  # written by the forked child
            out.write(f"{jobs} {len(items)}\n")
        return map_jobs(func, items, jobs, *args, **kwargs)

    monkeypatch.setattr(searchindex, "map_jobs", recorded)
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "80"], check=True)
    one, two = tmp_path / "one", tmp_path / "two"
    assert build(Options(site=site, output=two, cache_dir=tmp_path / "c2", jobs=2)).ok
    assert asked.read_text().split("\n") == ["1 80", ""]
    assert build(Options(site=site, output=one, cache_dir=tmp_path / "c1", jobs=1)).ok
    serial, parallel = snapshot(one / "search"), snapshot(two / "search")
    assert serial and serial == parallel


def test_parallel_cached_edits_equal_a_cold_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages made again by forked workers read the other briefings' finished bodies from
    the cache through connections of their own: the site feed, re-rendered after the newest
    briefing changes, carries the full text of forty-nine briefings that did not. (The
    pool's thresholds are lowered: an edit this small is otherwise made in one process.)"""
    monkeypatch.setattr(workers, "PARALLEL_MIN", 2)
    monkeypatch.setattr(build_module, "BESIDE_SEARCH", -1)
    monkeypatch.setattr(build_module, "BESIDE_SEARCH_RENDERING", -1)
    makers = tmp_path / "makers"
    make_page = build_module._make_page

    def recorded(work: Any, job: Any) -> Any:
        with makers.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return make_page(work, job)

    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "80"], check=True)
    assert build(Options(site=site, jobs=2)).ok
    newest = max(
        (site / "content/briefings").rglob("*.md"),
        key=lambda p: (p.read_text("utf-8").split("\ndate: ", 1)[1][:10], p.name),
    )
    _edit(newest, "\ntags: [", "\ntags: [Nuevo tema, ")
    text = newest.read_text("utf-8").rstrip("\n")
    newest.write_text(text + " Una frase más.\n", "utf-8")
    monkeypatch.setattr(build_module, "_make_page", recorded)
    result = build(Options(site=site, jobs=2))
    assert result.ok and result.report is not None
    assert "feed.xml" in result.report.written
    assert set(makers.read_text().split()) - {str(os.getpid())}  # made in workers
    monkeypatch.undo()
    _assert_equals_cold(site, tmp_path / "cold")


def test_an_edit_rebuilds_the_search_index_in_the_process_forked_at_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search index of an edit rebuild is made in the process forked when the build
    began, which got ready meanwhile and was handed the resolved briefings: a process
    forked once they are resolved shares the building process's memory, and every page
    either one writes first is copied. A first build, which parses every body, makes it
    in a process forked then, which shares them (past ``SENT_BODIES``, lowered here: 60
    briefings are handed over, 10,000 are not). Either way the output is a cold build's."""
    monkeypatch.setattr(build_module, "SENT_BODIES", 8)
    log = tmp_path / "log"
    ready, job = build_module._search_ready, build_module._search_job

    def note(what: str) -> None:
        with log.open("a") as out:
            out.write(f"{what} {os.getpid()}\n")

    def noted_ready(setup: Any) -> Any:
        note("ready")
        return ready(setup)

    def noted_job(*args: Any) -> Any:
        note("job")
        return job(*args)

    monkeypatch.setattr(build_module, "_search_ready", noted_ready)
    monkeypatch.setattr(build_module, "_search_job", noted_job)

    def processes() -> dict[str, str]:
        found = dict(line.split() for line in log.read_text().splitlines())
        log.unlink()
        return found

    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "60"], check=True)
    assert build(Options(site=site, jobs=2)).ok
    first = processes()
    assert first["job"] != first["ready"] and str(os.getpid()) not in first.values()
    briefing = sorted((site / "content/briefings").rglob("*.md"))[7]
    text = briefing.read_text("utf-8").rstrip("\n")
    briefing.write_text(text + " Una frase más.\n", "utf-8")
    result = build(Options(site=site, jobs=2))
    assert result.ok and result.report is not None
    assert any(p.startswith("search/") for p in result.report.written)
    again = processes()
    assert again["job"] == again["ready"] != str(os.getpid())
    monkeypatch.undo()
    _assert_equals_cold(site, tmp_path / "cold")


def test_a_rename_beside_the_search_index_is_patched_in_the_building_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two cores, one making the search index, a rename's pages (patched, most of
    them) are made in the building process, not in a pool of two that would put three
    processes on the two cores; a build that renders many pages still uses the pool.
    Either way the output is a cold build's."""
    monkeypatch.setattr(workers, "PARALLEL_MIN", 2)  # thresholds for 80 briefings, not
    monkeypatch.setattr(build_module, "BESIDE_SEARCH", 20)  # 10,000
    monkeypatch.setattr(build_module, "BESIDE_SEARCH_RENDERING", 5)
    makers: list[int] = []
    make_page, renamed_pages = build_module._make_page, build_module._renamed_pages

    def record() -> None:
        with (tmp_path / "makers").open("a") as out:
            out.write(f"{os.getpid()}\n")

    def making(*args: Any) -> Any:
        record()
        return make_page(*args)

    def patching(*args: Any) -> Any:
        record()
        return renamed_pages(*args)

    monkeypatch.setattr(build_module, "_make_page", making)
    monkeypatch.setattr(build_module, "_renamed_pages", patching)
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "80"], check=True)
    assert build(Options(site=site, jobs=2)).ok
    makers += map(int, (tmp_path / "makers").read_text().split())
    assert set(makers) - {os.getpid()}  # a first build: in a pool
    person, naming = _most_named(site)
    _rename(person, "Ana Vidal")
    (tmp_path / "makers").unlink()
    result = build(Options(site=site, jobs=2))
    assert result.ok and result.report is not None and set(naming) <= set(result.report.written)
    assert set(map(int, (tmp_path / "makers").read_text().split())) == {os.getpid()}
    _assert_equals_cold(site, tmp_path / "cold", "Ana Vidal")


def _taken_ahead(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """The pages the builds from now on take as patched ahead, and those they patch
    themselves (not those they try to, and make)."""
    taken: list[str] = []
    patched: list[str] = []
    patched_ahead, patch = build_module._patched_ahead, build_module._patched

    def taking(work: Any, path: str, fingerprint: str) -> Any:
        found = patched_ahead(work, path, fingerprint)
        if found is not None:
            taken.append(path)
        return found

    def patching(work: Any, path: str, *args: Any) -> Any:
        found = patch(work, path, *args)
        if found is not None:
            patched.append(path)
        return found

    monkeypatch.setattr(build_module, "_patched_ahead", taking)
    monkeypatch.setattr(build_module, "_patched", patching)
    return taken, patched


def test_a_rename_takes_the_pages_patched_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two cores, the pages showing a renamed person are patched in a second process
    while the briefings are resolved, and the building process takes them: it patches
    none itself. The output is a cold build's, rename after rename."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "80"], check=True)
    assert build(Options(site=site, jobs=2)).ok
    taken, patched = _taken_ahead(monkeypatch)
    person, naming = _most_named(site)
    for name in ("Ana Vidal", 'Ana "Vi" <dal> & Co'):
        taken.clear()
        patched.clear()
        _rename(person, name)
        result = build(Options(site=site, jobs=2))
        assert result.ok and result.report is not None
        assert set(naming) <= set(taken) and set(patched).isdisjoint(taken)
        assert set(taken) <= set(result.report.written)
        # what it patches itself is unchanged: the pages of others naming the person in
        # their figures (a network's labels) were patched ahead too
        assert set(patched).isdisjoint(result.report.written)
        assert any("~fit:" in slots for slots in _slot_rows(site, taken))
        _assert_equals_cold(site, tmp_path / "cold", name)
    taken.clear()
    _edit(next(iter(sorted((site / "content/briefings").rglob("*.md")))), "\n---\n", "\n---\nMás. ")
    assert build(Options(site=site, jobs=2)).ok and taken == []  # no registry edit: none


def test_a_worker_whose_pages_no_build_takes_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rename with a change every page shows (the site's title) makes every page: the
    worker patching ahead is stopped once the build knows, its pages never asked for."""
    from briefing.ahead import Worker

    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "80"], check=True)
    assert build(Options(site=site, jobs=2)).ok
    calls: list[str] = []
    stop, result = Worker.stop, Worker.result

    def stopping(self: Worker) -> None:
        calls.append("stop")
        stop(self)

    def asked(self: Worker) -> Any:
        calls.append("result")
        return result(self)

    make_all = build_module._make_all

    def making(*args: Any, **kwargs: Any) -> Any:
        calls.append("pages")
        return make_all(*args, **kwargs)

    monkeypatch.setattr(Worker, "stop", stopping)
    monkeypatch.setattr(Worker, "result", asked)
    monkeypatch.setattr(build_module, "_make_all", making)
    person, _ = _most_named(site)
    _rename(person, "Ana Vidal")
    config = site / "briefing.yaml"
    config.write_text(config.read_text("utf-8").replace("title: ", "title: Otro ", 1), "utf-8")
    assert build(Options(site=site, jobs=2)).ok
    assert "result" not in calls and calls.index("stop") < calls.index("pages")
    _assert_equals_cold(site, tmp_path / "cold")


def test_pages_patched_ahead_for_other_names_are_not_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the chips the second process took as renamed are not those the building
    process finds changed, it takes none of its pages and patches them itself."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "80"], check=True)
    assert build(Options(site=site, jobs=2)).ok
    taken, patched = _taken_ahead(monkeypatch)
    renamed_chips = depends.renamed_chips

    def more(*args: Any) -> Any:
        found = renamed_chips(*args)
        return None if found is None else {**found, "person:nobody": "x.y"}

    monkeypatch.setattr(depends, "renamed_chips", more)
    person, naming = _most_named(site)
    _rename(person, "Ana Vidal")
    assert build(Options(site=site, jobs=2)).ok
    assert taken == [] and set(naming) <= set(patched)
    _assert_equals_cold(site, tmp_path / "cold")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_that_fails_late_leaves_nothing_the_next_one_trusts(
    tmp_path: Path, jobs: int
) -> None:
    """A rename with a link to a missing file fails once its pages are made, and publishes
    nothing; what it stored of its pages then misleads no later build: the site as
    renamed and mended equals a cold build, and so does the site as it was."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "80"], check=True)
    assert build(Options(site=site, jobs=jobs)).ok
    before = snapshot(site / "output")
    person, _ = _most_named(site)
    text = person.read_text("utf-8")
    briefing = sorted((site / "content/briefings").rglob("*.md"))[3]
    body = briefing.read_text("utf-8")
    _rename(person, "Ana Vidal")
    briefing.write_text(body.rstrip("\n") + "\n\n[plan](/nowhere/plan.pdf)\n", "utf-8")
    result = build(Options(site=site, jobs=jobs))
    assert not result.ok and snapshot(site / "output") == before
    briefing.write_text(body, "utf-8")
    person.write_text(text, "utf-8")
    assert build(Options(site=site, jobs=jobs)).ok
    assert snapshot(site / "output") == before
    _rename(person, "Ana Vidal")
    assert build(Options(site=site, jobs=jobs)).ok
    _assert_equals_cold(site, tmp_path / "cold")


def test_search_index_begun_with_the_links_is_patched_edit_after_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two jobs the index is made in a process of its own, begun before the site is
    linked; that process hands back the rows of its record that changed, and the building
    process stores them: so the next edit patches the index again (a record stored in
    part would be a miss, and the index would be made in full). A build that will not
    publish begins no index at all."""
    order: list[str] = []
    begin, link = build_module._begin_search, build_module.link_site

    def begun(*args: Any) -> Any:
        order.append("search")
        return begin(*args)

    def linked(*args: Any) -> Any:
        order.append("link")
        return link(*args)

    full = tmp_path / "full"
    made_in_full = searchindex._full

    def in_full(*args: Any) -> Any:
        with full.open("a") as out:  # from the index's process
            out.write("full\n")
        return made_in_full(*args)

    monkeypatch.setattr(build_module, "_begin_search", begun)
    monkeypatch.setattr(build_module, "link_site", linked)
    monkeypatch.setattr(searchindex, "_full", in_full)
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "80"], check=True)
    assert build(Options(site=site, jobs=2)).ok
    assert full.read_text() == "full\n"
    briefings = sorted((site / "content/briefings").rglob("*.md"))
    for n, path in enumerate(briefings[:3]):
        order.clear()
        text = path.read_text("utf-8").rstrip("\n")
        path.write_text(text + f" Quorvantix{n} habló con Zembla{n}.\n", "utf-8")
        result = build(Options(site=site, jobs=2))
        assert result.ok and result.report is not None
        assert order == ["search", "link"]
        assert any(p.startswith("search/t/") for p in result.report.written)
        assert full.read_text() == "full\n", n  # patched, not made in full again
    _assert_equals_cold(site, tmp_path / "cold")
    order.clear()
    _edit(briefings[3], "\ntitle: ", "\ntitle: Otra vez: ")
    assert not build(Options(site=site, jobs=2, strict=True)).ok  # its warnings fail it
    assert order == ["link"]  # linked, to find every problem, but no index begun
    order.clear()
    _edit(briefings[0], "\ntitle: ", "\ntitle: [")
    assert not build(Options(site=site, jobs=2)).ok
    assert order == ["link"]


def test_stamps_kept_by_the_reading_process_serve_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two jobs the site is read in a second process, which encodes the content
    files' new stamps for the building process to store: each edit rebuild then reads
    only the file edited since the last (and parses it), never the others."""
    from briefing import load

    monkeypatch.setattr(load, "SETTLED_NS", 0)  # every file's stamp is kept
    log = tmp_path / "reads"
    read = load._read

    def logged(path: str) -> bytes:
        with log.open("a") as out:  # from whichever process reads
            out.write(Path(path).name + "\n")
        return read(path)

    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "30"], check=True)
    assert build(Options(site=site, jobs=2)).ok
    monkeypatch.setattr(load, "_read", logged)
    for path in sorted((site / "content/briefings").rglob("*.md"))[:3]:
        log.write_text("")
        path.write_text(path.read_text("utf-8").rstrip("\n") + " Otra frase.\n", "utf-8")
        assert build(Options(site=site, jobs=2)).ok
        assert set(log.read_text().split()) == {path.name}
    _assert_equals_cold(site, tmp_path / "cold")


def test_edits_make_only_the_pages_whose_inputs_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each page spec is keyed by what it is made from (briefing.depends): an edit makes
    that briefing's page and the pages showing what changed of it, and no others; a
    change to what every page shows (a date, the registry) makes them all. Either way the
    output is a cold build's, and a page file deleted meanwhile is made again."""
    made = _count_made(monkeypatch)
    monkeypatch.setattr(build_module, "_CO_CARRIED", 0)  # carried however few actors
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "80"], check=True)
    assert build(Options(site=site, jobs=1)).ok
    every = len(made)
    briefings = sorted((site / "content/briefings").rglob("*.md"))
    texts = {p: p.read_text("utf-8") for p in briefings}
    # the oldest, so that the site feed (the newest fifty, in full) does not show them
    oldest = sorted(briefings, key=lambda p: texts[p].split("\ndate: ", 1)[1][:10])
    own_summary = [p for p in oldest if "\nsummary: " in texts[p]]
    no_summary = [p for p in oldest if "\nsummary: " not in texts[p]]
    people = sorted((site / "content/people").glob("*.yaml"))
    name = yaml.safe_load(people[3].read_text("utf-8"))["name"]
    unmentioning = next(p for p in own_summary[4:] if name not in texts[p])
    newcomer = yaml.safe_load(people[-1].read_text("utf-8"))["name"]
    adding = next(p for p in own_summary[5:] if newcomer not in texts[p])
    other = sorted(site.glob("output/briefings/*.html"))[5].stem

    def append(path: Path, text: str) -> None:
        path.write_text(path.read_text("utf-8").rstrip("\n") + text + "\n", "utf-8")

    def first_paragraph(path: Path) -> None:
        head, body = path.read_text("utf-8").split("\n---\n", 1)
        path.write_text(f"{head}\n---\n\nUn párrafo nuevo al principio.\n\n{body}", "utf-8")

    def names(kind: str) -> list[str]:
        return sorted(
            args[0][1] if kind == "entity" else str(args) for n, args in made if n == kind
        )

    def only_itself() -> None:
        assert sorted({n for n, _ in made}) == ["briefing", "pages"]
        assert len(names("briefing")) == 1

    def its_cards() -> None:
        kinds = {n for n, _ in made}
        assert {"briefing", "entity", "timeline"} <= kinds
        assert 1 < len(names("briefing")) < 30 and len(made) < every / 2

    def the_person() -> None:
        assert people[-1].stem in names("entity")
        assert len(names("briefing")) < 30 and len(made) < every / 2

    def the_mentioned() -> None:
        assert people[3].stem in names("entity") and len(made) < every / 2

    def fewer() -> None:  # what a title, an update or a story changes: some pages, not all
        assert "briefing" in {n for n, _ in made} and len(made) < every / 2

    plain_title = next(
        p for p in own_summary[6:] if texts[p].split("\ntitle: ", 1)[1][:1] not in "'\""
    )

    def two_in_a_story() -> None:
        for path in oldest[8:10]:
            _edit(path, "\ndate: ", "\nstory: hilo-nuevo\ndate: ")

    def both_ends() -> None:  # the linking briefing, and the one it links to: a backlink
        assert sorted({n for n, _ in made}) == ["briefing", "pages"]
        assert len(names("briefing")) == 2

    # (label, edit, a check of what was made; None: see below)
    edits: list[tuple[str, Callable[[], None], Callable[[], None] | None]] = [
        ("a sentence", lambda: append(own_summary[0], " Una frase más."), only_itself),
        ("another", lambda: append(own_summary[1], "\n\nOtro párrafo, sin nombres."), only_itself),
        ("the summary", lambda: first_paragraph(no_summary[0]), its_cards),
        ("a mention", lambda: append(unmentioning, f" Lo dijo {name}."), the_mentioned),
        (
            "a person",
            lambda: _edit(adding, "\npeople:\n", f"\npeople:\n- {newcomer}\n"),
            the_person,
        ),
        ("a link", lambda: append(own_summary[2], f" Véase [[{other}]]."), both_ends),
        ("a page file gone", lambda: append(own_summary[3], " Y otra."), None),
        ("a title", lambda: _edit(plain_title, "\ntitle: ", "\ntitle: Nuevo "), fewer),
        (
            "an update",
            lambda: _edit(own_summary[7], "\ndate: ", "\nupdated: 2030-01-01\ndate: "),
            fewer,
        ),
        (
            "a story",
            two_in_a_story,
            fewer,
        ),
        ("a date", lambda: _edit(oldest[0], "\ndate: ", "\ndate: 2001-01-01\nupdated: "), None),
    ]
    for label, edit, expect in edits:
        edit()
        if label == "a page file gone":
            gone = sorted(site.glob("output/people/*.html"))[0]
            gone.unlink()
        made.clear()
        result = build(Options(site=site, jobs=1))
        assert result.ok, label
        if label == "a page file gone":
            assert gone.exists()
            assert sorted({n for n, _ in made}) == ["briefing", "entity", "pages"]
        elif label == "a date":
            assert len(made) == every, label
        else:
            assert expect is not None, label
            expect()
        _assert_equals_cold(site, tmp_path / f"cold-{label}", label)


def test_an_index_of_another_layout_is_made_again_not_patched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site built when search texts came one document to a file, then built after an
    edit with texts sixteen to a file: the index is made in full, like a cold build's, and
    the old text files are removed rather than kept beside the new ones."""
    from briefing import search

    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "40"], check=True)
    monkeypatch.setattr(search, "TEXT_CHUNK", 1)
    assert build(Options(site=site, jobs=1)).ok
    texts = site / "output/search/x"
    assert len(list(texts.iterdir())) > 40
    monkeypatch.setattr(search, "TEXT_CHUNK", 16)
    path = sorted((site / "content/briefings").rglob("*.md"))[0]
    path.write_text(path.read_text("utf-8").rstrip("\n") + " Una frase más.\n", "utf-8")
    result = build(Options(site=site, jobs=1))
    assert result.ok and result.report is not None
    _assert_equals_cold(site, tmp_path / "cold")
    assert any(p.startswith("search/x/") for p in result.report.removed)


def test_names_digests_are_kept_while_the_names_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body's names digest is worked out again only when the body changed or a name
    filed under one of its words did: a new person is looked for in the bodies that spell
    its first word, and the others keep their digests."""
    from briefing.mentions import Targets
    from tests.fixture_site import SITE
    from tests.sitekit import write_site

    site = write_site(tmp_path / "site", SITE)
    assert build(Options(site=site, jobs=1)).ok
    seen: list[tuple[str, ...]] = []
    real = Targets.names_digest

    def counted(self: Targets, words: Any) -> str:
        seen.append(tuple(words))
        return real(self, words)

    monkeypatch.setattr(Targets, "names_digest", counted)
    uno = site / "content/briefings/a/uno.md"
    uno.write_text(uno.read_text("utf-8") + "\nY Kenji Sato respondió.\n", "utf-8")
    assert build(Options(site=site, jobs=1)).ok
    assert len(seen) == 1 and "Kenji" in seen[0]
    dos = site / "content/briefings/a/dos.md"
    dos.write_text(dos.read_text("utf-8") + "\nLuis Rojo no asistió.\n", "utf-8")
    assert build(Options(site=site, jobs=1)).ok
    seen.clear()
    (site / "content/people/luis-rojo.yaml").write_text("name: Luis Rojo\n", "utf-8")
    assert build(Options(site=site, jobs=1)).ok
    assert len(seen) == 1 and "Luis" in seen[0]  # the one body that spells the new name
    page = (site / "output/briefings/dos.html").read_text("utf-8")
    assert 'href="../people/luis-rojo.html"' in page
    _assert_equals_cold(site, tmp_path / "cold")


def test_finishing_keys_are_kept_while_the_link_targets_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body is keyed afresh when it changed, when it has wikilinks, or when what links
    can point at changed (a new briefing is a new page); the result is a cold build's."""
    from briefing import resolve
    from tests.fixture_site import SITE
    from tests.sitekit import write_site

    site = write_site(tmp_path / "site", SITE)
    assert build(Options(site=site, jobs=1)).ok
    keyed: list[str] = []
    real = resolve._Finisher.key

    def counted(self: Any, source: str, *args: Any) -> str:
        keyed.append(source)
        return real(self, source, *args)

    monkeypatch.setattr(resolve._Finisher, "key", counted)
    uno = site / "content/briefings/a/uno.md"
    uno.write_text(uno.read_text("utf-8") + "\nY Kenji Sato respondió.\n", "utf-8")
    assert build(Options(site=site, jobs=1)).ok
    with_wikilinks = {
        p.relative_to(site).as_posix()
        for p in (site / "content").rglob("*.md")
        if "[[" in p.read_text("utf-8")
    }
    assert set(keyed) == {"content/briefings/a/uno.md", *with_wikilinks}
    keyed.clear()
    (site / "content/briefings/a/nueva.md").write_text(
        "---\ntitle: Nueva\ndate: 2023-05-01\n---\nTexto nuevo.\n", "utf-8"
    )
    assert build(Options(site=site, jobs=1)).ok
    assert len(keyed) > len(with_wikilinks) + 3
    _assert_equals_cold(site, tmp_path / "cold")


def test_a_rename_keeps_the_finishing_keys_of_bodies_that_cannot_spell_the_new_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A person renamed to a longer name, the old one kept as an alias: only a body that
    spells the new name in full has its names digest worked out and is keyed afresh (and
    links it); the bodies spelling the old one keep their keys. As a cold build."""
    from briefing import resolve
    from briefing.mentions import Targets

    site = _built_corpus(tmp_path, 60)
    person, _ = _most_named(site)
    old = yaml.safe_load(person.read_text("utf-8"))["name"]
    new = f"{old} Quintanilla"
    bodies = sorted((site / "content/briefings").rglob("*.md"))
    spelling_old = [b for b in bodies if old in b.read_text("utf-8").partition("\n---")[2]]
    assert len(spelling_old) >= 3
    one = spelling_old[0]
    one.write_text(one.read_text("utf-8") + f"\nAyer habló {new} en público.\n", "utf-8")
    assert build(Options(site=site, jobs=1)).ok
    keyed: list[str] = []
    digested: list[tuple[str, ...]] = []
    real_key, real_digest = resolve._Finisher.key, Targets.names_digest

    def key(self: Any, source: str, *args: Any) -> str:
        keyed.append(source)
        return real_key(self, source, *args)

    def names_digest(self: Targets, words: Any) -> str:
        digested.append(tuple(words))
        return real_digest(self, words)

    monkeypatch.setattr(resolve._Finisher, "key", key)
    monkeypatch.setattr(Targets, "names_digest", names_digest)
    _rename(person, new)
    assert build(Options(site=site, jobs=1)).ok
    assert keyed == [one.relative_to(site).as_posix()]
    assert len(digested) == 1 and "Quintanilla" in digested[0]
    out = site / "output"
    linked = [a for a in page(out, f"briefings/{one.stem}.html").find_all("a") if a.text == new]
    assert linked and linked[0].attrs["href"].endswith(f"people/{person.stem}.html")
    _assert_equals_cold(site, tmp_path / "cold")


def test_search_documents_of_unchanged_briefings_are_not_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A briefing's search document keeps the last build's key while its file, the
    context (code, config) and the names of the actors it names are the same, and the
    documents keep the last build's order while no front matter changed; a rename makes
    the documents of the briefings naming the person again, those alone, and the index
    still equals a cold build's."""
    from briefing import searchindex

    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "80"], check=True)
    assert build(Options(site=site, jobs=1)).ok
    made: list[str] = []
    real = searchindex._briefing_doc

    def counting(views: Any, item: Any) -> Any:
        made.append(item.path)
        return real(views, item)

    monkeypatch.setattr(searchindex, "_briefing_doc", counting)
    sorts: list[int] = []
    doc_order = searchindex.search.doc_order

    def sorting(docs: Any) -> list[int]:
        sorts.append(len(docs))
        return doc_order(docs)

    monkeypatch.setattr(searchindex.search, "doc_order", sorting)
    briefings = sorted((site / "content/briefings").rglob("*.md"))
    edited = briefings[5]
    edited.write_text(edited.read_text("utf-8").rstrip("\n") + " Zorblax dijo algo.\n", "utf-8")
    assert build(Options(site=site, jobs=1)).ok
    assert made == [str(edited.relative_to(site).as_posix())]
    assert sorts == []  # the front matter is as it was: the last build's order holds

    made.clear()
    _edit(edited, '\ntitle: "', '\ntitle: "Editado: ')  # front matter: sorted anew
    assert build(Options(site=site, jobs=1)).ok
    assert made == [str(edited.relative_to(site).as_posix())] and len(sorts) == 1

    made.clear()
    bodies: list[str] = []
    body_part = searchindex.search.body_part

    def analysing(text: str) -> Any:
        bodies.append(text)
        return body_part(text)

    monkeypatch.setattr(searchindex.search, "body_part", analysing)
    keyed: list[str] = []  # the briefings whose documents are keyed anew
    briefing_key = searchindex._briefing_key

    def keying(*args: Any) -> Any:
        found = briefing_key(*args)
        if found[2] is not None:
            keyed.append(args[1].url)
        return found

    monkeypatch.setattr(searchindex, "_briefing_key", keying)
    digested: list[str] = []  # the briefings whose actors are compared with the last build's
    named = searchindex._named

    def naming_of(item: Any) -> str:
        digested.append(item.url)
        return named(item)

    monkeypatch.setattr(searchindex, "_named", naming_of)
    person, naming = _most_named(site)
    _rename(person, "Ana Vidal")  # the old name kept as an alias: the same briefings name her
    assert build(Options(site=site, jobs=1)).ok
    assert sorted(keyed) == sorted(naming)  # those naming the person, only
    assert bodies == []  # and not one body analysed again
    # every name written resolves as then: no other briefing's actors are looked at
    assert sorted(digested) == sorted(naming)
    _assert_equals_cold(site, tmp_path / "cold")

    # an alias takes over a name no file registered: briefings whose files are the same
    # name another actor than then, and each briefing's actors are compared
    unregistered = _unregistered(site)
    keyed.clear()
    digested.clear()
    data = yaml.safe_load(person.read_text("utf-8"))
    data["aliases"] = [*data["aliases"], unregistered]
    person.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    assert build(Options(site=site, jobs=1)).ok
    taken = [
        f"briefings/{p.stem}.html"
        for p in briefings
        if unregistered in p.read_text("utf-8").partition("\n---")[0]
    ]
    assert taken and set(taken) <= set(keyed)
    assert len(digested) >= len(briefings)
    _assert_equals_cold(site, tmp_path / "cold-alias")


def test_a_rename_knows_the_last_documents_without_reading_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last build's documents of the briefings naming a renamed person are their
    documents now with the names then: exactly what the cache holds, which is not read."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "80"], check=True)
    assert build(Options(site=site, jobs=1)).ok
    person, naming = _most_named(site)
    seen: dict[str, Any] = {}
    stored: dict[str, Any] = {}
    asked: list[str] = []
    patch, cached = searchindex._patch, searchindex._cached

    def patching(docs: Any, *args: Any) -> Any:
        seen.update(docs.was)
        stored.update(cached(args[6], list(docs.was)))  # as the last build cached them
        return patch(docs, *args)

    def reading(cache: Any, keys: list[str]) -> Any:
        asked.extend(keys)
        return cached(cache, keys)

    monkeypatch.setattr(searchindex, "_patch", patching)
    monkeypatch.setattr(searchindex, "_cached", reading)
    _rename(person, 'Ana "Vidal" & Co')
    assert build(Options(site=site, jobs=1)).ok
    assert len(seen) == len(naming) and stored == seen
    assert len(asked) == 1  # the person's own document alone is read back
    _assert_equals_cold(site, tmp_path / "cold")


@pytest.mark.parametrize("table", ["search_bodies", "search_text", "search_docs"])
def test_a_rename_with_search_records_lost_or_damaged_equals_a_cold_build(
    tmp_path: Path, table: str
) -> None:
    """The records a patched index is made from (documents, bodies' analyses, bodies'
    text), damaged or gone: the rename still gives a cold build's index."""
    import sqlite3

    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "40"], check=True)
    assert build(Options(site=site, jobs=1)).ok
    db = sqlite3.connect(site / ".briefing-cache/cache.sqlite")
    with db:
        keys = [k for (k,) in db.execute(f"SELECT key FROM {table} ORDER BY key")]
        assert len(keys) >= 30
        db.execute(f"UPDATE {table} SET value = '[1, 2]' WHERE key IN (?, ?)", keys[:2])
        db.execute(f"DELETE FROM {table} WHERE key IN (?, ?, ?)", keys[2:5])
    db.close()
    person = sorted((site / "content/people").glob("*.yaml"))[0]
    name = next(x for x in person.read_text("utf-8").splitlines() if x.startswith("name: "))
    _edit(person, name, name + " Jr")
    assert build(Options(site=site, jobs=1)).ok
    _assert_equals_cold(site, tmp_path / "cold")


def test_a_rename_with_every_body_part_stored_as_null_equals_a_cold_build(
    tmp_path: Path,
) -> None:
    """Bodies' parts that decode, but to nothing (JSON ``null``), are damaged parts, not
    parts of documents without a body: a rename that takes a word out of a briefing's
    names, which its body still has, gives a cold build's index."""
    import sqlite3

    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "40"], check=True)
    heads = {
        p: p.read_text("utf-8").split("\n---\n", 1)[0]
        for p in sorted((site / "content/briefings").rglob("*.md"))
    }

    def naming(person: Path) -> list[Path]:
        name = yaml.safe_load(person.read_text("utf-8"))["name"]
        return [p for p, head in heads.items() if f"- {name}\n" in head]

    person = max(sorted((site / "content/people").glob("*.yaml")), key=lambda p: len(naming(p)))
    data = yaml.safe_load(person.read_text("utf-8"))
    assert naming(person)
    for path in naming(person):  # a word of the new name, in the last paragraph of their bodies
        path.write_text(path.read_text("utf-8").rstrip("\n") + " Lo dijo Zorblaxo.\n")

    def rename(name: str) -> None:
        aliases = [data["name"], *data.get("aliases", [])]
        renamed = {**data, "name": name, "aliases": aliases}
        person.write_text(yaml.safe_dump(renamed, allow_unicode=True, sort_keys=False), "utf-8")

    rename(data["name"] + " Zorblaxo")
    assert build(Options(site=site, jobs=1)).ok
    db = sqlite3.connect(site / ".briefing-cache/cache.sqlite")
    with db:
        db.execute("UPDATE search_bodies SET value = 'null'")
    db.close()
    rename(data["name"] + " Jr")  # the same place among the actors: the index is patched
    assert build(Options(site=site, jobs=1)).ok
    _assert_equals_cold(site, tmp_path / "cold")


@pytest.mark.parametrize(
    "damage",
    [
        lambda r: r.update(own=r["own"][:-1]),
        lambda r: r.update(related=[None, *r["related"][1:]]),
        lambda r: r.update(sizes=[*r["sizes"][:-1], r["sizes"][-1] + 1]),
        lambda r: r.pop("lists"),
        lambda r: r.update(keys=["0" * 32 for _ in r["keys"]]),
    ],
    ids=["short", "not-a-list", "sizes", "missing", "foreign-keys"],
)
def test_a_damaged_plan_is_not_trusted(tmp_path: Path, damage: Callable[[Any], None]) -> None:
    """The last build's page keys, damaged in the cache: the build makes the pages it
    cannot vouch for and its output is a cold build's."""
    from briefing.cache import Cache

    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "30"], check=True)
    assert build(Options(site=site, jobs=1)).ok
    path = sorted((site / "content/briefings").rglob("*.md"))[0]
    _edit(path, "\npeople:\n", "\npeople:\n- Ana Nueva\n")
    cache = Cache(site / ".briefing-cache")
    record = cache.get_record("plan")
    assert isinstance(record, dict)
    damage(record)
    cache.put_record("plan", record)
    cache.close()
    assert build(Options(site=site, jobs=1)).ok
    _assert_equals_cold(site, tmp_path / "cold")


def test_a_rename_rewrites_name_chunks_and_no_text_chunk(tmp_path: Path) -> None:
    """Names and tags are kept apart from the texts in the search index: renaming a person
    makes the name chunks naming them again and leaves every text chunk (the bodies) as
    it was; a summary edited makes its text chunk and no name chunk. Each equals a cold
    build."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "300"], check=True)
    assert build(Options(site=site, jobs=1)).ok
    person = sorted((site / "content/people").glob("*.yaml"))[0]
    data = yaml.safe_load(person.read_text("utf-8"))
    aliases = [data["name"], *data.get("aliases", [])]
    renamed = {**data, "name": data["name"] + " Vidal", "aliases": aliases}
    person.write_text(yaml.safe_dump(renamed, allow_unicode=True, sort_keys=False), "utf-8")
    result = build(Options(site=site, jobs=1))
    assert result.ok and result.report is not None
    written = result.report.written
    assert [p for p in written if p.startswith("search/x/")] == []
    named = [p for p in written if p.startswith("search/n/")]
    assert named
    texts = [(site / "output" / p).read_text("ascii") for p in named]
    assert all(renamed["name"].split()[-1] in t for t in texts)  # ASCII: the new surname
    _assert_equals_cold(site, tmp_path / "cold-rename")
    briefing = next(
        p
        for p in sorted((site / "content/briefings").rglob("*.md"))
        if "\nsummary: " in p.read_text("utf-8")
    )
    _edit(briefing, "\nsummary: ", "\nsummary: Otro resumen, escrito aparte. ")
    result = build(Options(site=site, jobs=1))
    assert result.ok and result.report is not None
    written = result.report.written
    assert len([p for p in written if p.startswith("search/x/")]) == 1
    assert [p for p in written if p.startswith("search/n/")] == []
    _assert_equals_cold(site, tmp_path / "cold-summary")


@pytest.mark.parametrize("new_name", ["Aaron Aabel", "Zygmunt Zzyzx"])
def test_a_rename_that_moves_a_person_in_alphabetical_order_patches_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_name: str
) -> None:
    """The documents keep their ids when a person's name sorts elsewhere after a rename
    (to the front or the back of the people): the index is patched, the text chunks
    are left as they were, and it equals a cold build's."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "120"], check=True)
    assert build(Options(site=site, jobs=1)).ok
    made_in_full = _count_full(monkeypatch)
    people = sorted((site / "content/people").glob("*.yaml"))
    person = people[len(people) // 2]
    data = yaml.safe_load(person.read_text("utf-8"))
    renamed = {**data, "name": new_name, "aliases": [data["name"], *data.get("aliases", [])]}
    person.write_text(yaml.safe_dump(renamed, allow_unicode=True, sort_keys=False), "utf-8")
    result = build(Options(site=site, jobs=1))
    assert result.ok and result.report is not None
    assert made_in_full == []
    assert [p for p in result.report.written if p.startswith("search/x/")] == []
    assert any(p.startswith("search/n/") for p in result.report.written)
    _assert_equals_cold(site, tmp_path / "cold")


def test_a_rename_to_words_the_briefings_use_equals_a_cold_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A person renamed to words that the briefings naming them use in their titles and
    bodies, one of them with another accent: the patched index works those terms out
    again from every field of those briefings, and equals a cold build's."""
    import re

    from briefing import searchindex

    full = searchindex._full
    fulls: list[int] = []

    def counted(*args: Any) -> Any:
        fulls.append(1)
        return full(*args)

    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "60"], check=True)
    assert build(Options(site=site, jobs=1)).ok
    person = sorted((site / "content/people").glob("*.yaml"))[0]
    data = yaml.safe_load(person.read_text("utf-8"))
    naming = [
        text
        for p in sorted((site / "content/briefings").rglob("*.md"))
        if data["name"] in (text := p.read_text("utf-8"))
    ]
    assert naming
    head, body = naming[0].split("\n---\n", 1)
    title = next(line for line in head.splitlines() if line.startswith("title: "))
    words = [w for w in re.findall(r"[^\W\d_]{4,}", f"{title[7:]} {body}")]
    assert len(words) >= 3
    # the first name kept, the rest gone: the person keeps their place among the actors
    # (so the index is patched, not made again) and their surname leaves the briefings
    name = f"{data['name'].split()[0]} {words[0]} {words[-1].upper()} {words[len(words) // 2]}é"
    renamed = {**data, "name": name, "aliases": [data["name"], *data.get("aliases", [])]}
    person.write_text(yaml.safe_dump(renamed, allow_unicode=True, sort_keys=False), "utf-8")
    monkeypatch.setattr(searchindex, "_full", counted)
    result = build(Options(site=site, jobs=1))
    assert result.ok and result.report is not None
    assert not fulls
    monkeypatch.undo()
    _assert_equals_cold(site, tmp_path / "cold")


def test_registry_edits_make_the_pages_showing_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The registry is not in every page's key (``depends.world``): a role makes its
    actor's page and the index, a rename the pages that show the person. An alias that
    takes over an unregistered name moves briefings whose files did not change from one
    actor's list to another's, a new file registers a name, a removed one unregisters it.
    Each rebuild equals a cold build."""
    import re

    made = _count_made(monkeypatch)
    monkeypatch.setattr(build_module, "_CO_CARRIED", 0)  # carried however few actors
    entries: list[str] = []  # briefings whose entry (``Depends.entry``) is worked out
    real_entry = depends._entry

    def entry(card: str, item: Any) -> str:
        entries.append(item.briefing.path)
        return real_entry(card, item)

    monkeypatch.setattr(depends, "_entry", entry)
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "80"], check=True)
    first = build(Options(site=site, jobs=1))
    assert first.ok
    every = len(made)
    # names the briefings give people who have no file, from the build's hints
    unregistered = sorted(
        {
            m.group(1)
            for p in first.problems
            for m in [re.search(r"with `name: (.+)`$", p.hint or "")]
            if m and "content/people/" in (p.hint or "")
        }
    )
    assert len(unregistered) >= 2
    people = sorted((site / "content/people").glob("*.yaml"))
    briefings = sorted((site / "content/briefings").rglob("*.md"))
    texts = {p: p.read_text("utf-8") for p in briefings}
    person = people[4]
    data = yaml.safe_load(person.read_text("utf-8"))
    naming = [p for p in briefings if data["name"] in texts[p]]
    assert naming

    def entities() -> list[str]:
        return sorted(args[0][1] for n, args in made if n == "entity")

    def briefing_count() -> int:
        return sum(1 for n, _ in made if n == "briefing")

    def write(path: Path, value: dict[str, Any]) -> None:
        path.write_text(yaml.safe_dump(value, allow_unicode=True, sort_keys=False), "utf-8")

    def role() -> None:
        write(person, {**data, "role": "enviada especial"})

    def rename() -> None:
        now = yaml.safe_load(person.read_text("utf-8"))
        aliases = [now["name"], *now.get("aliases", [])]
        write(person, {**now, "name": now["name"] + " Vidal", "aliases": aliases})

    def alias() -> None:
        now = yaml.safe_load(person.read_text("utf-8"))
        write(person, {**now, "aliases": [*now["aliases"], unregistered[0]]})

    def labels() -> None:
        org = sorted((site / "content/organizations").glob("*.yaml"))[0]
        now = yaml.safe_load(org.read_text("utf-8"))
        write(org, {**now, "labels": {"en": "Renamed in English", "fr": "Renommée"}})

    newcomer = site / "content/people/recien-llegado.yaml"

    def register() -> None:
        write(newcomer, {"name": unregistered[1], "role": "portavoz"})

    for label, edit in [
        ("a role", role),
        ("a rename", rename),
        ("an alias", alias),
        ("labels", labels),
        ("a new file", register),
        ("a file removed", newcomer.unlink),
    ]:
        edit()
        made.clear()
        entries.clear()
        assert build(Options(site=site, jobs=1)).ok, label
        assert len(made) < every, label
        if label in ("a role", "a rename", "labels"):
            # the names written resolve as then: every briefing's file too is the same
            assert entries == [], label
        elif label in ("an alias", "a new file", "a file removed"):
            assert len(entries) == len(briefings), label  # a name resolves otherwise
        if label == "a role":
            assert person.stem in entities() and briefing_count() == 0
            assert {"index"} <= {n for n, _ in made}
        elif label == "a rename":
            assert person.stem in entities()
            # the pages naming the person in a chip are patched, not made
            assert briefing_count() == 0, label
            assert len(made) < every / 2
        elif label == "an alias":
            assert briefing_count() > 0 and person.stem in entities()
        _assert_equals_cold(site, tmp_path / f"cold-{label}", label)
        # what the next build keys pages by is what a build from nothing records
        new_cache = tmp_path / f"cache-{label}"
        options = Options(site=site, output=tmp_path / f"new-{label}", cache_dir=new_cache)
        assert build(dataclasses.replace(options, jobs=1)).ok
        records = []
        for folder in (site / ".briefing-cache", new_cache):
            cache = Cache(folder)
            records.append(cache.get_record("plan"))
            records.append(cache.get_record("co"))
            cache.close()
        kept, kept_co, anew, anew_co = records
        for field in ("entry", "card", "own", "related", "registry", "resolutions", "inputs"):
            assert kept[field] == anew[field], (label, field)
        # co-mentions carried from build to build are those worked out from nothing
        assert kept_co == anew_co and anew_co, label


def test_names_in_other_languages_and_biographies_reach_the_pages_showing_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A person's name in English is on the chips of English briefings (which are patched
    with it, not made); a biography is on the person's own page only, so editing it makes
    no briefing's page."""
    from tests.fixture_site import SITE
    from tests.sitekit import write_site

    made = _count_made(monkeypatch)
    site = write_site(tmp_path / "site", SITE)
    assert build(Options(site=site, jobs=1)).ok
    kenji = site / "content/people/kenji-sato.md"
    for label, old, new in [
        ("a label", "labels: {en: Kenji Satō}", "labels: {en: Kenji Satoh}"),
        ("a biography", "Diplomático japonés;", "Diplomático y escritor japonés;"),
    ]:
        _edit(kenji, old, new)
        made.clear()
        result = build(Options(site=site, jobs=1))
        assert result.ok and result.report is not None, label
        made_briefings = sorted(args for n, args in made if n == "briefing")
        if label == "a label":
            assert "briefings/tres.html" in result.report.written
            assert "Kenji Satoh" in (site / "output/briefings/tres.html").read_text("utf-8")
            assert made_briefings == []  # patched: only a chip's name changed
        else:
            assert made_briefings == []
            assert ("entity", (("person", "kenji-sato"),)) in made
            assert "people/kenji-sato.html" in result.report.written
        _assert_equals_cold(site, tmp_path / f"cold-{label}", label)


def test_suggestions_are_stored_only_when_they_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The "did you mean" record is written when the names or the unknown names asked
    about change, not on every build."""
    from briefing.cache import Cache as CacheClass
    from tests.fixture_site import SITE
    from tests.sitekit import write_site

    site = write_site(tmp_path / "site", SITE)
    assert build(Options(site=site, jobs=1)).ok
    written: list[str] = []
    real = CacheClass.put_many

    def recording(self: Any, table: str, rows: Any) -> None:
        rows = list(rows)
        written.extend(key for key, _ in rows if table == "meta")
        real(self, table, rows)

    monkeypatch.setattr(CacheClass, "put_many", recording)
    uno = site / "content/briefings/a/uno.md"
    uno.write_text(uno.read_text("utf-8") + "\nOtra frase.\n", "utf-8")
    assert build(Options(site=site, jobs=1)).ok
    assert "near" not in written
    _edit(uno, "people: [Ana García]", "people: [Ana García, Anna Garsia]")
    assert build(Options(site=site, jobs=1)).ok
    assert "near" in written  # a new unknown name, and its answer
    written.clear()
    (site / "content/people/luis-rojo.yaml").write_text("name: Luis Rojo\n", "utf-8")
    assert build(Options(site=site, jobs=1)).ok
    assert "near" in written  # the names changed
    _assert_equals_cold(site, tmp_path / "cold")


def _built_corpus(tmp_path: Path, n: int) -> Path:
    """A bench corpus of ``n`` briefings, built once."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), str(n)], check=True)
    assert build(Options(site=site, jobs=1)).ok
    return site


def _count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages the builds render from now on (a page patched is not rendered)."""
    from briefing.render import Renderer

    rendered: list[str] = []
    render = Renderer.render_page

    def counting(self: Renderer, job: Any) -> Any:
        rendered.append(job.path)
        return render(self, job)

    monkeypatch.setattr(Renderer, "render_page", counting)
    return rendered


def _unregistered(site: Path) -> str:
    """A person's name the briefings give with no registry file for it."""
    result = build(Options(site=site, jobs=1, write=False))
    for problem in result.problems:
        hint = problem.hint or ""
        if "content/people/" in hint and "with `name: " in hint:
            return hint.split("with `name: ", 1)[1].removesuffix("`")
    raise AssertionError("every person is registered")


def _rename(person: Path, name: str) -> None:
    data = yaml.safe_load(person.read_text("utf-8"))
    renamed = {**data, "name": name, "aliases": [data["name"], *data.get("aliases", [])]}
    person.write_text(yaml.safe_dump(renamed, allow_unicode=True, sort_keys=False), "utf-8")


def _slot_rows(site: Path, paths: list[str]) -> list[str]:
    """Where the names of these pages went, as the cache holds it (JSON)."""
    cache = Cache(site / ".briefing-cache")
    try:
        return list(cache.get_raw("page_slots", paths).values())
    finally:
        cache.close()


def _most_named(site: Path, shown: Callable[[str], str] = str) -> tuple[Path, list[str]]:
    """The registered person the most briefings name in a chip, and those briefings'
    pages (whose chips show a name as ``shown`` makes it)."""
    people = {
        p: shown(yaml.safe_load(p.read_text("utf-8"))["name"])
        for p in sorted((site / "content/people").glob("*.yaml"))
    }
    out = site / "output"
    pages = {
        p: [
            q.relative_to(out).as_posix()
            for q in sorted((out / "briefings").glob("*.html"))
            if any(
                a.text == name
                for a in page(out, q.relative_to(out).as_posix()).find_all("a", "chip")
            )
        ]
        for p, name in people.items()
    }
    person = max(pages, key=lambda p: len(pages[p]))
    assert pages[person]
    return person, pages[person]


def test_a_rename_patches_the_pages_that_only_show_the_name_in_a_chip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A renamed person's briefing pages, and the pages of the actors they appear with
    (their chips and network figures), are written with the new name in the last build's
    bytes, not rendered again, nor their contexts made, rename after rename (each moves
    what follows the name); names HTML must escape are escaped. Each build equals a cold
    one."""
    site = _built_corpus(tmp_path, 80)
    person, naming = _most_named(site)
    assert len(naming) >= 5
    out = site / "output"
    own = f"people/{person.stem}.html"
    beside = [
        rel
        for folder in ("people", "organizations", "countries")
        for rel in (q.relative_to(out).as_posix() for q in sorted((out / folder).glob("*.html")))
        if rel != own and not rel.endswith("/index.html") and _links_to(page(out, rel), person.stem)
    ]
    figured = [p for p in beside if _links_to(_network(page(out, p)), person.stem)]
    assert len(beside) >= 5 and figured
    rendered = _count_renders(monkeypatch)
    made = _calls(monkeypatch, Views, "make")  # (spec, args)
    keyed = _calls(monkeypatch, Depends, "key")  # (spec,)
    names_keyed = _calls(monkeypatch, Depends, "names_key")  # (briefing's index,)
    counted = _calls(monkeypatch, CoMentions, "_work_out")  # (actor,)
    monkeypatch.setattr(build_module, "_CO_CARRIED", 0)  # carried however few actors
    for round_, name in enumerate(['Ana <b>Zed</b> & "Cía"', "Bo", "Ana María Ñúñez de Ávila"]):
        _rename(person, name)
        rendered.clear()
        made.clear()
        keyed.clear()
        names_keyed.clear()
        counted.clear()
        result = build(Options(site=site, jobs=1))
        assert result.ok and result.report is not None
        written = set(result.report.written)
        assert set(naming) <= written, round_
        assert set(naming).isdisjoint(rendered), round_  # patched
        assert [m for m in made if m[0] == "briefing"] == [], round_  # not even made
        assert set(beside) <= written, round_
        assert set(beside).isdisjoint(rendered), round_
        assert [m for m in made if m[0] == "entity"] == [("entity", (("person", person.stem),))]
        # only the briefings that show the person are keyed again, and of their keys only
        # the part after the dot (the names) is worked out
        assert [s for (s,) in keyed if s[0] == "briefing"] == [], round_
        assert len(names_keyed) == len(set(names_keyed)) == len(naming), round_
        assert counted == [], round_  # every actor's co-mentions carried from the last build
        shown = page(site / "output", naming[0]).text
        assert name in shown
        (drawn,) = _links_to(_network(page(out, figured[0])), person.stem)
        assert drawn.find("title").text.startswith(f"{' '.join(name.split())}: "), round_
        _assert_equals_cold(site, tmp_path / f"cold-{round_}", name)


def _calls(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[tuple[Any, ...]]:
    """The arguments (but ``self``) of every call of the method ``owner.name`` from now on."""
    calls: list[tuple[Any, ...]] = []
    real = getattr(owner, name)

    def recording(self: Any, *args: Any) -> Any:
        calls.append(args)
        return real(self, *args)

    monkeypatch.setattr(owner, name, recording)
    return calls


def _links_to(node: Node | None, stem: str) -> list[Node]:
    if node is None:
        return []
    return [
        a
        for a in node.find_all("a")
        if a.attrs.get("href", "").rpartition("/")[2] == f"{stem}.html"
    ]


def _network(node: Node) -> Node | None:
    found = node.find_all("svg", "chart-network")
    return found[0] if found else None


def test_a_theme_that_reads_the_names_renders_the_pages_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A theme whose chips do more with a name than print it (here, capitals) gets its
    pages rendered again on a rename, never patched."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "60"], check=True)
    macros = (Path(__file__).resolve().parents[1] / "layouts/_macros.html").read_text("utf-8")
    assert macros.count(">{{ a.name }}</a>") == 1
    (site / "layouts").mkdir()
    (site / "layouts/_macros.html").write_text(
        macros.replace(">{{ a.name }}</a>", ">{{ a.name | upper }}</a>"), "utf-8"
    )
    assert build(Options(site=site, jobs=1)).ok
    person, naming = _most_named(site, str.upper)
    rendered = _count_renders(monkeypatch)
    _rename(person, "Zoë Quintana")
    result = build(Options(site=site, jobs=1))
    assert result.ok
    assert set(naming) <= set(rendered)
    assert "ZOË QUINTANA" in page(site / "output", naming[0]).text
    _assert_equals_cold(site, tmp_path / "cold-upper")


def test_a_page_changed_by_hand_is_rendered_not_patched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _built_corpus(tmp_path, 60)
    person, naming = _most_named(site)
    touched = site / "output" / naming[0]
    touched.write_bytes(touched.read_bytes().replace(b"</body>", b"<!-- mine --></body>"))
    rendered = _count_renders(monkeypatch)
    _rename(person, "Quim Torrent")
    assert build(Options(site=site, jobs=1)).ok
    assert naming[0] in rendered
    assert set(naming[1:]).isdisjoint(rendered)
    _assert_equals_cold(site, tmp_path / "cold")


_LOADED = """
import sys
from pathlib import Path
from briefing.build import Options, build
assert build(Options(site=Path(sys.argv[1]), jobs=1)).ok
print(" ".join(sorted({m.partition(".")[0] for m in sys.modules})))
"""


def test_python_markdown_is_loaded_only_to_render_markdown(tmp_path: Path) -> None:
    """A rebuild that finds every body in its cache (a rename) never loads Python-Markdown
    (its import was a sixth of starting up); one with a body to render does. A site's own
    Markdown settings are still tried when the config is read."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "12"], check=True)

    def loaded() -> set[str]:
        found = subprocess.run(
            [sys.executable, "-c", _LOADED, str(site)], check=True, capture_output=True, text=True
        )
        return set(found.stdout.split())

    assert "markdown" in loaded()  # a first build renders every body
    person, _ = _most_named(site)
    _rename(person, "Ana Vidal")
    assert "markdown" not in loaded()
    briefing = next(iter(sorted((site / "content/briefings").rglob("*.md"))))
    _edit(briefing, "\n---\n", "\n---\nMás. ")
    assert "markdown" in loaded()
    config = site / "briefing.yaml"
    config.write_text(
        config.read_text("utf-8") + "markdown:\n  extensions: [tables, no_such_one]\n", "utf-8"
    )
    result = build(Options(site=site, jobs=1, write=False))
    assert [p.hint for p in result.problems if p.path == "briefing.yaml"] == [
        "check the names in `markdown.extensions`"
    ]


def test_keys_made_beside_the_bodies_of_a_first_build_are_those_a_rebuild_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first build has no finished body to find by its key: each body's key is made by
    the worker that finishes it. A rebuild whose link targets changed (a new briefing)
    keys every body afresh, here, and finds each one's finished form by that key: none is
    finished again but the new one. As a cold build."""
    from briefing import resolve

    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "80"], check=True)
    assert build(Options(site=site, jobs=2)).ok  # forked workers: 80 bodies or more
    cache = Cache(site / ".briefing-cache")
    first = {s: entry[1] for s, entry in cache.get_record("finishing")["done"].items()}
    names = cache.get_record("names")["digests"]
    cache.close()
    assert len(first) >= 80 and all(first.values()) and len(names) >= 80
    finished: list[str] = []
    real = resolve.finish

    def counted(body: Any, source: str, *args: Any, **kwargs: Any) -> Any:
        finished.append(source)
        return real(body, source, *args, **kwargs)

    monkeypatch.setattr(resolve, "finish", counted)
    (site / "content/briefings/nueva.md").write_text(
        "---\ntitle: Nueva\ndate: 2023-05-01\n---\nTexto nuevo.\n", "utf-8"
    )
    assert build(Options(site=site, jobs=1)).ok
    assert finished == ["content/briefings/nueva.md"]
    cache = Cache(site / ".briefing-cache")
    again = {s: entry[1] for s, entry in cache.get_record("finishing")["done"].items()}
    assert cache.get_record("names")["digests"].items() >= names.items()
    cache.close()
    assert {s: again[s] for s in first} == first
    _assert_equals_cold(site, tmp_path / "cold")


def test_the_sitemap_and_stylesheets_are_made_again_only_when_what_they_show_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild that lists the pages the last one listed keeps the sitemap, robots.txt,
    .nojekyll and the generated stylesheets as the output holds them, without making
    them; a new briefing, or one of those files changed by hand, has them made again.
    Each time the output is a cold build's."""
    site = _built_corpus(tmp_path, 30)
    made: list[str] = []
    extras = build_module._extras

    def counted(base_url: str, pages: Any) -> dict[str, bytes]:
        made.append(base_url)
        return extras(base_url, pages)

    monkeypatch.setattr(build_module, "_extras", counted)
    sitemap = site / "output/sitemap.xml"
    before = sitemap.stat().st_mtime_ns
    briefing = sorted((site / "content/briefings").rglob("*.md"))[3]
    briefing.write_text(briefing.read_text("utf-8") + "\nOtra frase.\n", "utf-8")
    assert build(Options(site=site, jobs=1)).ok
    assert made == [] and sitemap.stat().st_mtime_ns == before
    _assert_equals_cold(site, tmp_path / "cold1")
    made.clear()  # the cold build's
    (site / "content/briefings/nueva.md").write_text(
        "---\ntitle: Nueva\ndate: 2024-02-01\n---\nTexto nuevo.\n", "utf-8"
    )
    assert build(Options(site=site, jobs=1)).ok
    assert len(made) == 1 and "briefings/nueva.html" in sitemap.read_text("utf-8")
    _assert_equals_cold(site, tmp_path / "cold2")
    made.clear()
    css = site / "output/assets/pygments.css"
    css.write_text("/* changed by hand */\n", "utf-8")
    assert build(Options(site=site, jobs=1)).ok
    assert len(made) == 1 and "changed by hand" not in css.read_text("utf-8")
    _assert_equals_cold(site, tmp_path / "cold3")
