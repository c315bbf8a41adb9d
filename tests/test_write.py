"""briefing.write: changed pages written over the old files, never through a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefing.build import Options, build
from briefing.write import Held, Staged, overwrite, sha, stage
from tests.fixture_site import SITE
from tests.sitekit import write_site


def test_overwrite_keeps_a_plain_file_and_its_inode(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    target.write_bytes(b"old and rather long contents")
    inode = target.stat().st_ino
    overwrite(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_ino == inode


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="no O_NOFOLLOW here")
def test_overwrite_replaces_a_link_and_leaves_its_target_alone(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not ours")
    link = tmp_path / "out" / "page.html"
    link.parent.mkdir()
    link.symlink_to(outside)
    overwrite(link, b"page")
    assert outside.read_bytes() == b"not ours"
    assert not link.is_symlink() and link.read_bytes() == b"page"
    twin = tmp_path / "out" / "twin.html"
    os.link(outside, twin)  # a second name for the file outside
    overwrite(twin, b"twin")
    assert outside.read_bytes() == b"not ours" and twin.read_bytes() == b"twin"


def test_stage_holds_pages_for_files_of_ours_within_its_allowance(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / ".briefing-staging").mkdir(parents=True)
    (out / "a.html").write_bytes(b"old a")
    manifest = {"a.html": sha(b"old a")}
    held = Held(10)
    kept = stage(b"new a", out, "a.html", "0", manifest, {}, held)
    assert kept == Staged(sha(b"new a"), 5, None, b"new a") and held.left == 5
    new = stage(b"fresh", out, "b.html", "1", manifest, {}, held)  # no file there yet
    assert new.data is None and new.path is not None and held.left == 5
    (out / "a.html").write_bytes(b"old a")
    big = stage(b"much too long", out, "a.html", "2", manifest, {}, held)
    assert big.data is None and big.path is not None  # beyond the allowance: staged
    same = stage(b"old a", out, "a.html", "3", manifest, {}, held)
    assert same == Staged(sha(b"old a"), 5, None)


def test_a_rebuild_writes_changed_pages_over_their_files(tmp_path: Path) -> None:
    """The pages a rebuild changes keep their files (inodes); a page whose file was made a
    link to something outside the output is replaced, and the outside file is untouched."""
    site = write_site(tmp_path / "site", SITE)
    assert build(Options(site=site, jobs=1)).ok
    out = site / "output"
    page = out / "briefings/uno.html"
    inode = page.stat().st_ino
    outside = tmp_path / "outside.html"
    outside.write_text("outside", "utf-8")
    linked = out / "briefings/dos.html"
    linked.unlink()
    linked.symlink_to(outside)
    uno = site / "content/briefings/a/uno.md"
    uno.write_text(uno.read_text("utf-8") + "\nUna frase más.\n", "utf-8")
    result = build(Options(site=site, jobs=1))
    assert result.ok and result.report is not None
    assert "briefings/uno.html" in result.report.written
    assert page.stat().st_ino == inode and "Una frase más." in page.read_text("utf-8")
    assert outside.read_text("utf-8") == "outside"
    assert not linked.is_symlink() and "<html" in linked.read_text("utf-8")
