"""The parse stage's cache: records kept in a fixed set of rows, each rewritten only when
one of its files changed or went away, and never trusted when it does not fit."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from briefing.cache import Cache
from briefing.config import SiteConfig
from briefing.load import Inputs, SourceFile
from briefing.model import Parsed
from briefing.parse import Settings, parse_file
from briefing.parsing import CHUNKS, parse_all

SETTINGS = Settings.of(SiteConfig())


def _file(n: int, extra: str = "") -> SourceFile:
    data = (
        f"---\ntitle: Nota {n}\ndate: 2024-03-{1 + n % 28:02d}\npeople: [Ana Pérez]\n"
        f"countries: [FR]\n---\nAna Pérez habló en París el día {n}.{extra}\n"
    ).encode()
    sha = hashlib.sha256(data).hexdigest()
    return SourceFile(f"content/briefings/n{n}.md", "briefing", sha, None, kept=data)


def _inputs(files: list[SourceFile]) -> Inputs:
    return Inputs(tuple(files), (), (), ())


def _run(cache: Cache, files: list[SourceFile]) -> tuple[list[Parsed], int]:
    """The records, and how many files were parsed rather than read from the cache."""
    calls: list[tuple[int, int]] = []
    parsed, _, _ = parse_all(
        _inputs(files), SETTINGS, "salt", cache, 1, lambda _, n, total: calls.append((n, total))
    )
    return parsed, len(files) - calls[0][0]


def _rows(folder: Path) -> dict[str, dict[str, object]]:
    db = sqlite3.connect(folder / "cache.sqlite")
    try:
        return {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM parsed")}
    finally:
        db.close()


def _slim(parsed: Parsed) -> Parsed:
    assert parsed.briefing is not None
    body = parsed.briefing.body
    return parsed.__class__(
        parsed.path,
        briefing=parsed.briefing.__class__(
            **{
                **parsed.briefing.__dict__,
                "body": body.__class__(**{**body.__dict__, "html": "", "text": ""}),
            }
        ),
    )


def test_records_come_back_as_parsed_and_only_changed_files_are_parsed(tmp_path: Path) -> None:
    files = [_file(n) for n in range(300)]
    cache = Cache(tmp_path)
    first, parsed_first = _run(cache, files)
    assert parsed_first == 300
    assert first == [_slim(parse_file(f.path, f.kind, f.data, SETTINGS)) for f in files]
    rows = _rows(tmp_path)
    assert 1 < len(rows) <= CHUNKS
    assert sum(len(r) for r in rows.values()) == 300

    again, parsed_again = _run(cache, files)
    assert parsed_again == 0
    assert again == first

    files[7] = _file(7, " Y luego en Roma.")
    edited, parsed_edited = _run(cache, files)
    assert parsed_edited == 1
    assert edited[7].briefing is not None and "Roma" in edited[7].briefing.body.first_paragraph
    assert edited[:7] == first[:7] and edited[8:] == first[8:]
    after = _rows(tmp_path)
    changed = {k for k in after if after[k] != rows.get(k)}
    assert len(changed) == 1  # only the edited file's row was written again
    cache.close()


def test_a_deleted_file_leaves_its_row(tmp_path: Path) -> None:
    files = [_file(n) for n in range(50)]
    cache = Cache(tmp_path)
    _run(cache, files)
    gone = files.pop(20)
    _, parsed = _run(cache, files)
    assert parsed == 0
    rows = _rows(tmp_path)
    assert all(gone.path not in row for row in rows.values())
    assert sum(len(r) for r in rows.values()) == 49
    cache.close()


def test_records_that_do_not_fit_are_parsed_again(tmp_path: Path) -> None:
    files = [_file(n) for n in range(40)]
    cache = Cache(tmp_path)
    first, _ = _run(cache, files)
    rows = _rows(tmp_path)
    spoiled = {}
    for name, row in rows.items():
        spoiled[name] = {
            path: [entry[0], ["wrong"]] if path == files[3].path else entry  # type: ignore[index]
            for path, entry in row.items()
        }
    spoiled[next(iter(spoiled))] = "not a row"  # type: ignore[assignment]
    db = sqlite3.connect(tmp_path / "cache.sqlite")
    with db:
        db.executemany(
            "UPDATE parsed SET value = ? WHERE key = ?",
            [(json.dumps(v), k) for k, v in spoiled.items()],
        )
        db.execute("INSERT INTO parsed VALUES ('999', '{\"content/x.md\": 1}')")
    db.close()
    again, parsed = _run(cache, files)
    assert again == first
    assert 1 <= parsed < 40
    assert "999" not in _rows(tmp_path)
    third, parsed_third = _run(cache, files)
    assert parsed_third == 0 and third == first
    cache.close()


def test_a_record_under_another_key_is_not_used(tmp_path: Path) -> None:
    files = [_file(n) for n in range(10)]
    cache = Cache(tmp_path)
    _run(cache, files)
    calls: list[int] = []
    parse_all(_inputs(files), SETTINGS, "other salt", cache, 1, lambda _, n, t: calls.append(n))
    assert calls[0] == 0
    cache.close()


def test_bodies_are_stored_in_batches_while_the_files_are_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a batch smaller than the files, the bodies go to the cache in several
    transactions as the results come in; every one is there, and a rebuild reads them."""
    import briefing.cache

    monkeypatch.setattr(briefing.cache, "STORE_BATCH", 3)
    stored: list[int] = []
    put = Cache.put_encoded

    def counted(self: Cache, table: str, rows: list[tuple[str, str]]) -> None:
        if table == "bodies":
            stored.append(len(list(rows)))
        put(self, table, rows)

    monkeypatch.setattr(Cache, "put_encoded", counted)
    files = [_file(n) for n in range(8)]
    cache = Cache(tmp_path / "c")
    _, keys, _ = parse_all(_inputs(files), SETTINGS, "salt", cache, 1, lambda *_: None)
    assert stored == [3, 3, 2]
    cache.close()
    again = Cache(tmp_path / "c")
    _, keys2, bodies2 = parse_all(_inputs(files), SETTINGS, "salt", again, 1, lambda *_: None)
    html = bodies2.html([f.path for f in files])
    assert keys2 == keys and set(html) == {f.path for f in files}
    assert all("Ana Pérez habló en París" in h for h in html.values())
    assert not bodies2.fresh  # read back from the cache, not parsed again


def test_a_body_read_back_has_the_text_it_was_parsed_with_from_its_html_alone(
    tmp_path: Path,
) -> None:
    """The cache keeps a body's HTML, not its text: the text read back is made from the
    HTML, and is the text the parse made (entities, tags, a table, a list, code)."""
    extra = (
        "\n\n| a &amp; b | <c> |\n|---|---|\n| 1 | *dos* |\n\n- uno\n- **dos** &lt;3\n\n"
        "    código  <b>\n\nFin «aquí» — sí.\n"
    )
    files = [_file(n, extra) for n in range(3)]
    cache = Cache(tmp_path / "c")
    _, keys, first = parse_all(_inputs(files), SETTINGS, "salt", cache, 1, lambda *_: None)
    paths = [f.path for f in files]
    parsed_text, parsed_html = first.text(paths), first.html(paths)
    stored = cache.get_many("bodies", list(keys.values()))
    assert sorted(stored.values()) == sorted(parsed_html.values())  # the HTML alone
    cache.close()
    again = Cache(tmp_path / "c")
    _, _, bodies = parse_all(_inputs(files), SETTINGS, "salt", again, 1, lambda *_: None)
    assert not bodies.fresh
    assert bodies.html(paths) == parsed_html
    assert bodies.text(paths) == parsed_text
    assert "a & b" in parsed_text[paths[0]] and "<3" in parsed_text[paths[0]]
    again.close()
