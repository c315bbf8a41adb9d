"""Reading the site: a content file whose stamp (inode, size, mtime, ctime) is the one the
last read kept is taken at its known hashes, and any other is read and hashed."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from briefing import load
from briefing.build import Options, build
from briefing.load import read_site
from tests.sitekit import snapshot

BENCH = Path(__file__).resolve().parents[1] / "bench"
LATER = time.time_ns() + 3600 * 10**9  # an hour on: every file is settled by then

pytestmark = pytest.mark.skipif(os.name != "posix", reason="stamps are kept on POSIX only")


def _site(root: Path) -> Path:
    (root / "content/briefings").mkdir(parents=True)
    (root / "content/people").mkdir(parents=True)
    for name, body in (("a", "Alpha text."), ("b", "Bravo text.")):
        (root / f"content/briefings/{name}.md").write_text(
            f"---\ntitle: {name}\ndate: 2024-01-02\n---\n{body}\n", "utf-8"
        )
    (root / "content/people/ana.yaml").write_text("name: Ana Pérez\n", "utf-8")
    return root


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files read from now on."""
    read: list[str] = []
    real = load._read

    def counting(path: str) -> bytes:
        read.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(load, "_read", counting)
    return read


def _hashes(site: Path) -> dict[str, tuple[str, str | None]]:
    return {f.path: (f.sha, f.head) for f in read_site(site, keep=True).files}


def test_files_whose_stamps_are_known_are_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path)
    first = read_site(site, keep=False, now_ns=LATER)
    assert first.stamps is not None and sorted(first.stamps) == [
        "content/briefings/a.md",
        "content/briefings/b.md",
        "content/people/ana.yaml",
    ]
    read = _reads(monkeypatch)
    again = read_site(site, keep=False, known=first.stamps, now_ns=LATER)
    assert read == []
    assert {f.path: (f.sha, f.head) for f in again.files} == _hashes(site)
    assert again.stamps is None  # the same as known: nothing to store
    assert again.files[0].data.startswith(b"---\ntitle: a")  # read when asked for, checked


def test_a_file_rewritten_to_its_size_and_mtime_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its ctime moved on: no tool sets that back."""
    site = _site(tmp_path)
    first = read_site(site, keep=False, now_ns=LATER)
    path = site / "content/briefings/b.md"
    before = path.stat()
    time.sleep(0.02)  # past the file system's clock tick
    path.write_text(path.read_text("utf-8").replace("Bravo", "Delta"), "utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    read = _reads(monkeypatch)
    again = read_site(site, keep=False, known=first.stamps, now_ns=LATER)
    assert read == ["b.md"]
    found = {f.path: f.sha for f in again.files}
    assert found["content/briefings/b.md"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert again.stamps is not None and again.stamps != first.stamps


def test_a_file_changed_lately_keeps_no_stamp(tmp_path: Path) -> None:
    """Written within SETTLED_NS of the reading, a file could be written again within the
    same tick of the clock, its stamp unchanged: it is hashed at the next reading too."""
    site = _site(tmp_path)
    assert read_site(site, keep=False).stamps == {}
    assert read_site(site, keep=False, now_ns=LATER).stamps


@pytest.mark.parametrize(
    "damage",
    [
        lambda s: [*s[:4], 123, None],  # a hash that is not one
        lambda s: [*s[:4], "0" * 63, None],
        lambda s: [*s[:4], s[4], "x"],  # a front matter hash that is not one
        lambda s: s[:5],  # too short
        lambda s: [str(v) for v in s[:4]] + s[4:],  # the stamp as text
        lambda s: {"stamp": s},
    ],
)
def test_a_damaged_stamp_is_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: Any
) -> None:
    site = _site(tmp_path)
    first = read_site(site, keep=False, now_ns=LATER)
    assert first.stamps is not None
    known = dict(first.stamps)
    known["content/briefings/a.md"] = damage(known["content/briefings/a.md"])
    read = _reads(monkeypatch)
    again = read_site(site, keep=False, known=known, now_ns=LATER)
    assert read == ["a.md"]
    assert {f.path: (f.sha, f.head) for f in again.files} == _hashes(site)


def test_bytes_kept_are_read_whatever_the_stamps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path)
    first = read_site(site, keep=False, now_ns=LATER)
    read = _reads(monkeypatch)
    again = read_site(site, keep=True, known=first.stamps, now_ns=LATER)
    assert sorted(read) == ["a.md", "ana.yaml", "b.md"]
    assert all(f.kept is not None for f in again.files)


def test_builds_trusting_stamps_equal_a_cold_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every file settled, a build in two processes keeps the stamps and the next
    takes the unchanged files at their hashes: a briefing's body rewritten to its size and
    mtime, a person renamed, and a briefing added, each then comes out as a cold build
    makes it."""
    monkeypatch.setattr(load, "SETTLED_NS", -(10**18))  # every file settled
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), str(site), "40"], check=True)
    assert build(Options(site=site, jobs=2)).ok
    briefing = sorted((site / "content/briefings").rglob("*.md"))[7]
    before = briefing.stat()
    text = briefing.read_text("utf-8")
    word = next(w for w in text.split("\n---\n", 1)[1].split() if w.isalpha() and len(w) > 5)
    time.sleep(0.02)
    briefing.write_text(text.replace(word, word[::-1], 1), "utf-8")
    os.utime(briefing, ns=(before.st_atime_ns, before.st_mtime_ns))
    person = sorted((site / "content/people").glob("*.yaml"))[0]
    person.write_text(person.read_text("utf-8").replace("name: ", "name: Dr. ", 1), "utf-8")
    added = briefing.with_name("zz-added.md")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    added.write_text(text.replace(title, "title: Otra noticia", 1), "utf-8")
    assert build(Options(site=site, jobs=2)).ok
    page = (site / "output" / "briefings" / f"{briefing.stem}.html").read_text("utf-8")
    assert word[::-1] in page
    cold = tmp_path / "cold"
    assert build(Options(site=site, output=cold, use_cache=False, jobs=1)).ok
    warm, fresh = snapshot(site / "output"), snapshot(cold)
    assert sorted(warm) == sorted(fresh)
    assert [p for p in warm if warm[p] != fresh[p]] == []
