"""The build cache: reused when it should be, never trusted when it should not be."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.cli import Progress
from briefing.pages import Job
from tests.fixture_site import SITE
from tests.sitekit import run, snapshot, write_site


def _cold(site: Path, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "cold"
    assert run("build", "--site", site, "--output", out, "--no-cache", "--quiet").code == 0
    return snapshot(out)


def test_corrupt_cache_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    assert run("build", "--site", site, "--quiet").code == 0
    db = site / ".briefing-cache/cache.sqlite"
    db.write_bytes(b"this is not a database" * 100)
    for extra in ("cache.sqlite-wal", "cache.sqlite-shm"):
        (site / ".briefing-cache" / extra).unlink(missing_ok=True)
    uno = site / "content/briefings/a/uno.md"
    uno.write_text(uno.read_text("utf-8").replace("Después", "Luego"), "utf-8")
    result = run("build", "--site", site, "--quiet")
    assert result.code == 0, result.err
    assert snapshot(site / "output") == _cold(site, tmp_path)


def test_tampered_entries_are_misses_not_trusted(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    assert run("build", "--site", site, "--quiet").code == 0
    db = sqlite3.connect(site / ".briefing-cache/cache.sqlite")
    with db:
        db.execute("UPDATE parsed SET value = ?", (json.dumps({"path": 1, "briefing": "x"}),))
        (head,) = db.execute("SELECT value FROM meta WHERE key = 'finishing/'").fetchone()
        finishing = json.loads(head)
        for entry in finishing["done"][1].values():  # right keys, records of the wrong shape
            entry[2]["mentioned"] = 5
        db.execute("UPDATE meta SET value = ? WHERE key = 'finishing/'", (json.dumps(finishing),))
        db.execute("UPDATE search_docs SET value = '[1, 2]'")
        db.execute("UPDATE search_bodies SET value = '[1, 2]'")
        db.execute("DELETE FROM meta WHERE key = 'last_build/'")
    db.close()
    (site / "output").rename(tmp_path / "old-output")
    result = run("build", "--site", site, "--quiet")
    assert result.code == 0, result.err
    assert snapshot(site / "output") == _cold(site, tmp_path)


def test_foreign_cache_schema_is_reset(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    (site / ".briefing-cache").mkdir()
    db = sqlite3.connect(site / ".briefing-cache/cache.sqlite")
    with db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema', 'someone else')")
        db.execute("CREATE TABLE parsed (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO parsed VALUES ('k', '{}')")
        db.execute("CREATE TABLE finished (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO finished VALUES ('k', '{}')")
    db.close()
    assert run("build", "--site", site, "--quiet").code == 0
    db = sqlite3.connect(site / ".briefing-cache/cache.sqlite")
    assert db.execute("SELECT count(*) FROM parsed WHERE key = 'k'").fetchone() == (0,)
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "finished" not in tables  # an older layout's table goes
    db.close()
    assert snapshot(site / "output") == _cold(site, tmp_path)


def test_a_new_cache_has_large_pages_and_one_with_small_pages_still_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new cache file is made in PAGE_SIZE pages (its values are kilobytes long); a
    cache an earlier version made in 4 KB pages keeps its size and is used as it is."""
    from briefing import search
    from briefing.build import Options, build
    from briefing.cache import PAGE_SIZE

    site = write_site(tmp_path / "site", SITE)
    assert build(Options(site=site, jobs=1)).ok
    path = site / ".briefing-cache/cache.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    assert db.execute("PRAGMA page_size").fetchone() == (PAGE_SIZE,)
    db.execute("PRAGMA journal_mode=DELETE")  # the page size changes only so
    db.execute("PRAGMA page_size=4096")
    db.execute("VACUUM")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    analysed: list[str] = []
    body_part = search.body_part

    def counting(text: str) -> tuple[search.BodyPart, str]:
        analysed.append(text)
        return body_part(text)

    monkeypatch.setattr(search, "body_part", counting)
    uno = site / "content/briefings/a/uno.md"
    uno.write_text(uno.read_text("utf-8").replace("no enlaza.", "no enlaza nunca."), "utf-8")
    result = build(Options(site=site, jobs=1))
    assert result.ok and result.report is not None
    # the other bodies' analyses came from the old cache: it was not emptied
    assert len(analysed) == 1 and "no enlaza nunca." in analysed[0]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA page_size").fetchone() == (4096,)
    db.close()
    assert snapshot(site / "output") == _cold(site, tmp_path)


def test_no_cache_writes_no_cache_and_clean_removes_it(tmp_path: Path) -> None:
    site = write_site(tmp_path, SITE)
    assert run("build", "--site", site, "--no-cache", "--quiet").code == 0
    assert not (site / ".briefing-cache").exists()
    assert run("build", "--site", site, "--quiet").code == 0
    assert (site / ".briefing-cache").is_dir()
    assert run("clean", "--site", site).code == 0
    assert not (site / ".briefing-cache").exists()


def test_config_and_template_changes_reach_the_pages(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    assert run("build", "--site", site, "--quiet").code == 0
    config = site / "briefing.yaml"
    config.write_text(
        config.read_text("utf-8").replace("title: Fixture Briefings", "title: Otro sitio"), "utf-8"
    )
    assert run("build", "--site", site, "--quiet").code == 0
    html = (site / "output/briefings/uno.html").read_text("utf-8")
    assert "<title>Uno — García viaja a Tokio · Otro sitio</title>" in html
    (site / "layouts").mkdir()
    (site / "layouts/page.html").write_text(
        "{% extends 'base.html' %}{% block main %}<p class=own>{{ content.title }}</p>{% endblock %}\n",
        "utf-8",
    )
    assert run("build", "--site", site, "--quiet").code == 0
    assert "<p class=own>Acerca de</p>" in (site / "output/acerca.html").read_text("utf-8")
    # the same template edited, built again in this process (as `briefing serve` does)
    own = site / "layouts/page.html"
    own.write_text(own.read_text("utf-8").replace("class=own", "class=mine"), "utf-8")
    assert run("build", "--site", site, "--quiet").code == 0
    assert "<p class=mine>Acerca de</p>" in (site / "output/acerca.html").read_text("utf-8")
    assert snapshot(site / "output") == _cold(site, tmp_path)


def test_the_cache_holds_data_only(tmp_path: Path) -> None:
    """Nothing in the cache is run or unpickled: a cache restored from elsewhere (a CI
    cache, say) can at worst be ignored. So it holds one SQLite file of JSON records and
    no compiled templates or pickles."""
    site = write_site(tmp_path / "site", SITE)
    assert run("build", "--site", site, "--quiet").code == 0
    names = {p.name for p in (site / ".briefing-cache").iterdir()}
    assert names <= {"cache.sqlite", "cache.sqlite-wal", "cache.sqlite-shm"}, names
    with sqlite3.connect(site / ".briefing-cache/cache.sqlite") as db:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for key, value in db.execute(f"SELECT key, value FROM {table}"):
                assert isinstance(value, str)
                if (table, key) != ("meta", "schema"):  # the layout's name, as it is
                    json.loads(value)


def test_progress_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream, delay=0)
    progress("parse", 10, 100)
    progress("pages", 200, 200)
    progress.clear()
    text = stream.getvalue()
    assert "parsed 10/100 files" in text
    assert "pages 100%" in text
    quiet = io.StringIO()
    Progress(quiet, delay=60)("parse", 1, 2)
    assert quiet.getvalue() == ""


def test_summary_line_without_a_terminal(tmp_path: Path) -> None:
    site = write_site(tmp_path, SITE)
    result = run("build", "--site", site)
    assert result.code == 0
    lines = result.out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("built 4 briefings, ")
    verbose = run("build", "--site", site, "--no-cache", "--verbose")
    assert "  time: load " in verbose.out
    line = next(x for x in verbose.out.splitlines() if x.startswith("  processor: "))
    stages = dict(
        part.rsplit(" ", 2)[:2]
        for part in line.removeprefix("  processor: ")
        .removesuffix(" (workers included)")
        .split(", ")
    )
    assert {"load", "parse", "resolve", "pages", "write"} <= stages.keys()
    assert all(float(seconds) >= 0 for seconds in stages.values())


def test_processor_seconds_count_the_workers_waited_for() -> None:
    import os
    import time

    from briefing.build import Clock

    clock = Clock()
    pid = os.fork()
    if pid == 0:  # a worker: a fifth of a second of processor time
        end = time.process_time() + 0.2
        while time.process_time() < end:
            pass
        os._exit(0)
    os.waitpid(pid, 0)
    clock.lap("work")
    assert clock.processor["work"] >= 0.19
    assert clock.laps["work"] >= 0.19


def test_the_command_ends_without_freeing_but_with_everything_said(tmp_path: Path) -> None:
    """`python -m briefing` leaves through os._exit: what it printed into pipes must still
    arrive, and its status must be the build's."""
    import subprocess
    import sys

    site = write_site(tmp_path / "site", SITE)

    def command(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "briefing", *argv, "--site", str(site)],
            capture_output=True,
            text=True,
            check=False,
        )

    built = command("build", "--verbose")
    assert built.returncode == 0, built.stderr
    lines = built.stdout.splitlines()
    assert lines[-1].startswith("built 4 briefings, ") and "  wrote   index.html" in lines
    assert (site / "output/index.html").is_file()
    uno = site / "content/briefings/a/uno.md"
    uno.write_text(uno.read_text("utf-8").replace("title: Uno", "title: [Uno"), "utf-8")
    broken = command("build")
    assert broken.returncode == 1
    assert "content/briefings/a/uno.md:2:" in broken.stderr
    assert broken.stderr.rstrip().endswith("the previous output is untouched")


def test_an_edit_renders_only_the_pages_that_show_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every stage's cache is written and read back: a body edit beyond the summary renders
    the briefing's page and the full-text feed again, analyses one body for search and
    rewrites its text file, and leaves every other page alone."""
    from briefing import search
    from briefing.build import Options, build
    from briefing.render import Renderer

    rendered: list[str] = []
    analysed: list[str] = []
    body_part = search.body_part
    render = Renderer.render_page

    def counting(text: str) -> tuple[search.BodyPart, str]:
        analysed.append(text)
        return body_part(text)

    def counting_renders(self: Renderer, job: Job) -> tuple[bytes, list[Any] | None]:
        rendered.append(job.path)
        return render(self, job)

    monkeypatch.setattr(search, "body_part", counting)
    monkeypatch.setattr(Renderer, "render_page", counting_renders)

    site = write_site(tmp_path, SITE)
    first = build(Options(site=site, jobs=1))
    assert first.ok and first.report is not None
    assert len(rendered) == first.counts["pages"] + sum(
        1 for p in first.report.written if p.endswith(".xml") and not p.startswith("sitemap")
    )
    uno = site / "content/briefings/a/uno.md"
    uno.write_text(uno.read_text("utf-8").replace("no enlaza.", "no enlaza nunca."), "utf-8")
    analysed.clear()
    rendered.clear()
    second = build(Options(site=site, jobs=1))
    assert second.ok and second.report is not None
    assert len(analysed) == 1 and "no enlaza nunca." in analysed[0]
    assert sorted(rendered) == ["briefings/uno.html", "feed.xml"]
    written = second.report.written
    assert sorted(p for p in written if not p.startswith("search/")) == [
        "briefings/uno.html",
        "feed.xml",
    ]
    assert len([p for p in written if p.startswith("search/x/")]) == 1
    third = build(Options(site=site, jobs=1))  # no change: nothing rendered
    assert third.ok and third.report is not None
    assert third.report.written == [] and len(rendered) == 2


def test_lost_search_texts_are_made_again(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    assert run("build", "--site", site, "--quiet").code == 0
    db = sqlite3.connect(site / ".briefing-cache/cache.sqlite")
    with db:
        db.execute("DELETE FROM search_text")
    db.close()
    (site / "output").rename(tmp_path / "old-output")
    result = run("build", "--site", site, "--quiet")
    assert result.code == 0, result.err
    assert snapshot(site / "output") == _cold(site, tmp_path)


@pytest.mark.parametrize("enabled", [True, False])
def test_cyclic_collector_paused_for_the_build_and_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    import gc

    import briefing.build as build_module

    seen: list[bool] = []
    compute = build_module._compute

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return compute(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "_compute", spy)
    site = write_site(tmp_path / "site", SITE)
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        result = build_module.build(build_module.Options(site=site, jobs=1))
        after = gc.isenabled()
        (site / "content/briefings/a/uno.md").write_text("---\ntitle: [broken\n", "utf-8")
        failed = build_module.build(build_module.Options(site=site, jobs=1))
        after_failure = gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
    assert result.ok and not failed.ok
    assert seen == [False, False]
    assert after is enabled and after_failure is enabled


def test_a_held_build_keeps_what_it_made_and_leaves_the_collector_off(tmp_path: Path) -> None:
    """What the command line does before it exits: nothing taken apart, nothing scanned."""
    import gc

    from briefing.build import Options, build

    site = write_site(tmp_path / "site", SITE)
    was = gc.isenabled()
    gc.enable()
    try:
        result = build(Options(site=site, jobs=1, hold=True))
        after = gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
    assert result.ok and result.held is not None and not after
    assert build(Options(site=site, jobs=1)).held is None


def test_bodies_gone_from_the_cache_mid_build_are_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another build pruning the shared cache while this one renders: nothing is published,
    and the message says to build again."""
    from briefing.cache import Cache

    site = write_site(tmp_path, SITE)
    assert run("build", "--site", site, "--quiet", "--jobs", "1").code == 0
    before = snapshot(site / "output")
    uno = site / "content/briefings/a/uno.md"
    uno.write_text(uno.read_text("utf-8").replace("\ntags: [", "\ntags: [Nuevo, "), "utf-8")
    get_many = Cache.get_many

    def pruned(self: Cache, table: str, keys: Any) -> dict[str, Any]:
        return {} if table == "finished_html" else get_many(self, table, keys)

    monkeypatch.setattr(Cache, "get_many", pruned)
    _stops_untouched(site, before, "left the build cache during the build")
    monkeypatch.undo()
    assert run("build", "--site", site, "--quiet", "--jobs", "1").code == 0


def _stops_untouched(site: Path, before: dict[str, bytes], message: str) -> None:
    """A build stopped midway: exit 1, the message, "build again", no traceback, and the
    output as it was."""
    result = run("build", "--site", site, "--quiet", "--jobs", "1")
    assert result.code == 1
    assert message in result.err
    assert "build again" in result.err and "Traceback" not in result.err
    assert snapshot(site / "output") == before


def _meta_rows(folder: Path) -> dict[str, str]:
    db = sqlite3.connect(folder / "cache.sqlite")
    try:
        return dict(db.execute("SELECT key, value FROM meta"))
    finally:
        db.close()


def test_records_are_stored_in_pieces_and_only_changed_pieces_are_written(
    tmp_path: Path,
) -> None:
    from briefing.cache import PIECE, Cache

    record = {
        "id": "x",
        "files": {f"p{n:05d}": [n, "a"] for n in range(PIECE * 3 + 7)},
        "order": [f"d{n}" for n in range(PIECE * 2 + 1)],
        "small": [1, 2],
    }
    cache = Cache(tmp_path)
    cache.put_record("r", record)
    cache.close()
    rows = _meta_rows(tmp_path)
    assert len([k for k in rows if k.startswith("r/files/")]) == 4
    assert len([k for k in rows if k.startswith("r/order/")]) == 3

    cache = Cache(tmp_path)
    back = cache.get_record("r")
    assert back == record and list(back["files"]) == list(record["files"])
    record["files"]["p00600"] = [600, "b"]
    record["id"] = "y"
    cache.put_record("r", record)
    cache.close()
    after = _meta_rows(tmp_path)
    assert {k for k in rows if rows[k] != after[k]} == {"r/", "r/files/1"}
    assert Cache(tmp_path).get_record("r") == record


def test_a_forked_workers_record_rows_are_the_changed_pieces_and_read_back_whole(
    tmp_path: Path,
) -> None:
    """A worker encodes a record through its own connection (``reopened``) and hands the
    rows back; the building process stores them. Only the pieces that differ from what
    the building process read are among them, and the record reads back whole."""
    from briefing.cache import PIECE, Cache

    record = {"files": {f"p{n:05d}": n for n in range(PIECE * 3)}, "id": "x"}
    first = Cache(tmp_path)
    first.put_record("r", record)
    first.close()
    building = Cache(tmp_path)
    assert building.get_record("r") == record
    worker = building.reopened()
    record["files"]["p00700"] = -1
    rows = worker.record_rows("r", record)
    worker.close()
    assert sorted(key for key, _ in rows) == ["r/", "r/files/1"]
    building.put_encoded("meta", rows)
    building.close()
    assert Cache(tmp_path).get_record("r") == record


def test_a_record_mixing_two_builds_pieces_is_not_read(tmp_path: Path) -> None:
    from briefing.cache import PIECE, Cache

    one = Cache(tmp_path)
    two = Cache(tmp_path)
    base = {"order": list(range(PIECE * 2))}
    one.put_record("r", base)
    assert one.get_record("r") == base and two.get_record("r") == base
    two.put_record("r", {"order": [*range(PIECE), *range(5, PIECE + 5)]})
    rows = _meta_rows(tmp_path)
    db = sqlite3.connect(tmp_path / "cache.sqlite")
    with db:  # the second build's second piece is lost, the first build's head written
        one.put_record("r", {"order": [-1, *range(1, PIECE * 2)]})
        db.execute("UPDATE meta SET value = ? WHERE key = 'r/order/1'", (rows["r/order/1"],))
    db.close()
    assert Cache(tmp_path).get_record("r") is None
    db = sqlite3.connect(tmp_path / "cache.sqlite")
    with db:
        db.execute("DELETE FROM meta WHERE key = 'r/order/1'")
    db.close()
    assert Cache(tmp_path).get_record("r") is None
    one.close()
    two.close()


def test_the_cache_keeps_only_what_the_last_build_used(tmp_path: Path) -> None:
    """Rows of edited and deleted files leave the cache: it holds after a series of edits
    just what a build from an empty cache leaves."""
    site = write_site(tmp_path / "site", SITE)
    uno = site / "content/briefings/a/uno.md"
    for n in range(3):
        uno.write_text(uno.read_text("utf-8") + f"\nFrase {n}.\n", "utf-8")
        assert run("build", "--site", site, "--quiet").code == 0
    tres = next((site / "content/briefings").rglob("tres.md"))
    tres.unlink()
    assert run("build", "--site", site, "--quiet").code == 0
    tables = ("parsed", "bodies", "finished_html", "search_docs", "search_text")

    def counts(folder: Path) -> dict[str, int]:
        db = sqlite3.connect(folder / "cache.sqlite")
        try:
            return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        finally:
            db.close()

    after_edits = counts(site / ".briefing-cache")
    fresh = tmp_path / "fresh-cache"
    assert run("build", "--site", site, "--cache-dir", fresh, "--output", tmp_path / "o").code == 0
    assert after_edits == counts(fresh)
    assert after_edits["bodies"] > 4 and after_edits["finished_html"] > 4


def test_installed_versions_are_what_importlib_metadata_finds(tmp_path: Path) -> None:
    """The cache is keyed by the versions of the libraries that render; they are read
    from the metadata folders' names, and must be what importlib.metadata reports."""
    import importlib.metadata
    import sys

    from briefing.cache import installed_versions

    names = ("markdown", "nh3", "pygments", "babel", "jinja2", "pyyaml", "markupsafe")
    assert installed_versions(names) == {n: importlib.metadata.version(n) for n in names}
    assert installed_versions(["no-such-package"]) == {"no-such-package": ""}
    (tmp_path / "Some_Lib-2.0.1.dist-info").mkdir()
    (tmp_path / "other.lib-1.2-py3.11.egg-info").mkdir()
    sys.path.insert(0, str(tmp_path))
    try:
        found = installed_versions(["some-lib", "Other_Lib"])
    finally:
        sys.path.remove(str(tmp_path))
    assert found == {"some-lib": "2.0.1", "Other_Lib": "1.2"}


def test_preloaded_rows_and_records_are_what_a_plain_read_gives(tmp_path: Path) -> None:
    """``preload`` decodes ahead of time, stopping when told; whatever it did not reach is
    read when asked for, and each preloaded record is handed out once."""
    from briefing.cache import PIECE, Cache

    cache = Cache(tmp_path)
    rows = {f"k{n:03d}": {"n": n, "text": "x" * n} for n in range(40)}
    cache.put_many("parsed", rows.items())
    record = {"files": {f"p{n}": [n] for n in range(PIECE + 3)}, "id": "r1"}
    cache.put_record("plan", record)
    cache.put_record("names", {"id": "n1"})
    cache.close()

    whole = Cache(tmp_path)
    whole.preload("parsed", ("plan", "names"), lambda: False)
    assert whole.get_all("parsed") == rows
    assert whole.get_record("plan") == record and whole.get_record("names") == {"id": "n1"}
    assert whole.get_record("plan") == record  # read again from the database
    whole.close()

    asked: list[int] = []

    def stop_soon() -> bool:
        asked.append(1)
        return len(asked) > 2  # stops partway through the rows

    part = Cache(tmp_path)
    part.preload("parsed", ("plan",), stop_soon)
    assert 0 < len(part._rows["parsed"][0]) < len(rows)
    assert "plan" not in part._records
    assert part.get_all("parsed") == rows
    assert part.get_record("plan") == record
    part.close()

    nothing = Cache(tmp_path)
    nothing.preload("parsed", ("plan",), lambda: True)
    assert not nothing._rows and not nothing._records
    assert nothing.get_all("parsed") == rows
    nothing.close()


def test_a_source_changed_during_the_build_is_a_message_and_nothing_is_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bytes of content files are read again when parsed; if they are no longer the
    bytes that were hashed, the build stops and says to build again."""
    from briefing import load

    site = write_site(tmp_path, SITE)
    assert run("build", "--site", site, "--quiet").code == 0
    before = snapshot(site / "output")
    uno = site / "content/briefings/a/uno.md"
    uno.write_text(uno.read_text("utf-8") + "\nUna frase más.\n", "utf-8")
    read_site = load.read_site

    def read_then_edit(folder: Path, keep: bool = True, known: Any = None) -> load.Inputs:
        found = read_site(folder, keep=False, known=known)  # as a forked build reads it
        uno.write_text(uno.read_text("utf-8") + "\nY otra.\n", "utf-8")
        return found

    monkeypatch.setattr("briefing.build.read_site", read_then_edit)
    _stops_untouched(site, before, "content/briefings/a/uno.md changed while the site was built")
    monkeypatch.undo()
    assert run("build", "--site", site, "--quiet").code == 0
    assert snapshot(site / "output") != before


def test_preloaded_parse_records_are_read_ahead_and_a_bad_one_is_parsed_again(
    tmp_path: Path,
) -> None:
    """``shape_row`` makes each record of a preloaded row a ``Parsed`` where it reads as
    one and leaves the rest as they are; a build with two jobs (which preloads) parses a
    file whose record is damaged again, and its output is a cold build's."""
    import json

    from briefing.model import Parsed, parsed_to_json
    from briefing.parsing import shape_row

    good = parsed_to_json(Parsed("content/briefings/x.md"))
    row = {"a.md": ["k1", good], "b.md": ["k2", ["not", "a", "record"]], "c.md": "junk"}
    shaped = shape_row(row)
    assert shaped["a.md"][1] == Parsed("content/briefings/x.md")
    assert shaped["b.md"] == ["k2", ["not", "a", "record"]] and shaped["c.md"] == "junk"
    assert shape_row(["not a row"]) == ["not a row"]

    site = write_site(tmp_path / "site", SITE)
    assert run("build", "--site", site, "--quiet", "--jobs", "2").code == 0
    db = sqlite3.connect(site / ".briefing-cache" / "cache.sqlite")
    try:
        damaged = 0
        for key, value in db.execute("SELECT key, value FROM parsed").fetchall():
            row = json.loads(value)
            for path, entry in row.items():
                if path.endswith("uno.md"):
                    entry[1] = ["a record of another shape"]
                    damaged += 1
            db.execute("UPDATE parsed SET value = ? WHERE key = ?", (json.dumps(row), key))
        db.commit()
    finally:
        db.close()
    assert damaged == 1
    dos = next((site / "content/briefings").rglob("dos.md"))
    dos.write_text(dos.read_text("utf-8") + "\nUna frase más.\n", "utf-8")
    assert run("build", "--site", site, "--quiet", "--jobs", "2").code == 0
    assert run("build", "--site", site, "--output", tmp_path / "cold", "--no-cache").code == 0
    warm, cold = snapshot(site / "output"), snapshot(tmp_path / "cold")
    assert sorted(warm) == sorted(cold)
    assert [p for p in warm if warm[p] != cold[p]] == []


def test_templates_are_compiled_ahead_only_for_a_site_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process that reads the site compiles the common templates for the build, unless
    the site is the one the last build read (a no-change rebuild renders nothing) or
    nothing is to be written."""
    import briefing.build as build_module
    from briefing.render import precompile

    calls = tmp_path / "calls"  # written by the reading process, a child of this one

    def noting(*args: Any) -> dict[tuple[str, str], bytes]:
        with calls.open("a") as f:
            f.write("compiled\n")
        return precompile(*args)

    monkeypatch.setattr(build_module, "precompile", noting)
    site = write_site(tmp_path / "site", SITE)

    def built() -> int:
        assert build_module.build(build_module.Options(site=site, jobs=2)).ok
        return len(calls.read_text().splitlines()) if calls.exists() else 0

    assert built() == 1
    assert built() == 1  # nothing changed
    uno = site / "content/briefings/a/uno.md"
    uno.write_text(uno.read_text("utf-8").replace("no enlaza.", "no enlaza nunca."), "utf-8")
    checked = build_module.build(build_module.Options(site=site, jobs=2, write=False, lint=True))
    assert checked.report is None  # `briefing check` renders nothing, and compiles nothing
    assert built() == 2
    assert (site / "output/briefings/uno.html").read_text("utf-8").count("no enlaza nunca.") == 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_the_cache_and_the_index_write_the_json_json_dumps_writes(value: Any) -> None:
    """Their encoders are made once, without the check for reference cycles: the text is
    what ``json.dumps`` gives with the same options, and reads back as the value."""
    from briefing.cache import encode
    from briefing.search import _js_json

    assert encode(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(encode(value)) == value
    plain = json.dumps(value, separators=(",", ":"), sort_keys=True)
    assert _js_json(value) == plain.replace("<", "\\u003c").replace(">", "\\u003e").replace(
        "&", "\\u0026"
    )


def test_a_flush_until_asked_stops_between_transactions_and_holds_the_rest(
    tmp_path: Path,
) -> None:
    """A child storing while its parent does not wait for it yet stops once the parent
    asks: a long list of rows is stored ``STORE_BATCH`` at a time, what is left (and
    what comes after) stays held back, in order, for the next ``flush``."""
    from briefing.cache import STORE_BATCH, Cache

    cache = Cache(tmp_path / "c")
    cache.defer()
    rows = [(f"k{n:05}", str(n)) for n in range(STORE_BATCH * 2 + 10)]
    cache.put_encoded("search_docs", rows)
    cache.delete_many("search_docs", ["k00000"])
    transactions = 0

    def asked() -> bool:
        nonlocal transactions
        transactions += 1
        return transactions > 2  # asked after two transactions

    cache.flush(until=asked)
    assert len(cache.keys("search_docs")) == STORE_BATCH * 2
    cache.put_many("search_docs", [("late", 1)])  # still held back
    assert "late" not in cache.keys("search_docs")
    cache.flush(until=lambda: False)  # all there is, still holding back what comes next
    assert len(cache.keys("search_docs")) == len(rows) - 1 + 1
    assert cache.get_many("search_docs", ["k00000", "late"]) == {"late": 1}
    cache.put_many("search_docs", [("later", 2)])
    assert "later" not in cache.keys("search_docs")
    cache.flush()
    assert cache.get_many("search_docs", ["later"]) == {"later": 2}
    cache.put_many("search_docs", [("now", 3)])  # no longer held back
    assert cache.get_many("search_docs", ["now"]) == {"now": 3}
    cache.close()


def test_writes_held_back_are_made_in_order_when_flushed(tmp_path: Path) -> None:
    """A process that hands its result over first holds its writes back: reads see the
    cache as it was until ``flush`` makes them, in the order they came."""
    from briefing.cache import Cache

    cache = Cache(tmp_path / "c")
    cache.put_many("search_docs", [("a", 1), ("b", 2)])
    cache.defer()
    cache.put_many("search_docs", [("c", 3)])
    cache.put_encoded("search_docs", (row for row in [("a", "10")]))
    cache.delete_many("search_docs", iter(["b"]))
    cache.replace_all("search_roots", [("r", [1])])
    cache.keep_only("search_docs", ["a", "c", "d"])
    cache.put_many("search_docs", [("d", 4)])
    assert cache.get_many("search_docs", ["a", "b", "c", "d"]) == {"a": 1, "b": 2}
    cache.flush()
    assert cache.get_many("search_docs", ["a", "b", "c", "d"]) == {"a": 10, "c": 3, "d": 4}
    assert cache.get_many("search_roots", ["r"]) == {"r": [1]}
    cache.put_many("search_docs", [("e", 5)])  # no longer held back
    assert cache.get_many("search_docs", ["e"]) == {"e": 5}
    cache.close()


def test_rows_made_when_stored_are_made_at_the_flush_of_writes_held_back(
    tmp_path: Path,
) -> None:
    """``put_made`` stores the rows its function makes: at once, or, with writes held
    back, only when they are flushed (in their place among the others, a transaction at
    a time when asked to stop between)."""
    from briefing.cache import STORE_BATCH, Cache

    cache = Cache(tmp_path / "c")
    calls: list[str] = []

    def rows(prefix: str, n: int) -> Callable[[], list[tuple[str, str]]]:
        def make() -> list[tuple[str, str]]:
            calls.append(prefix)
            return [(f"{prefix}{i:05}", str(i)) for i in range(n)]

        return make

    cache.put_made("search_docs", rows("now", 2))
    assert calls == ["now"] and len(cache.keys("search_docs")) == 2
    cache.defer()
    cache.put_made("search_docs", rows("held", STORE_BATCH + 5))
    cache.delete_many("search_docs", ["held00000", "now00000"])
    assert calls == ["now"]  # nothing made while held back
    asked = iter([False, False, True])  # made, then one transaction stored
    cache.flush(until=lambda: next(asked, True))
    assert calls == ["now", "held"]  # made once, stored a transaction at a time
    assert len(cache.keys("search_docs")) == 2 + STORE_BATCH
    cache.flush()
    assert calls == ["now", "held"]
    assert cache.keys("search_docs") == {"now00001"} | {
        f"held{i:05}" for i in range(1, STORE_BATCH + 5)
    }
    cache.close()
