"""briefing.write: changed pages written over the old files, never through a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.build import Options, build
from briefing.write import (
    STAGING,
    Held,
    PublishFailed,
    Staged,
    overwrite,
    publish,
    read_manifest,
    sha,
    stage,
)
from tests.fixture_site import SITE
from tests.sitekit import write_site


def test_overwrite_keeps_a_plain_file_and_its_inode(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    target.write_bytes(b"old and rather long contents")
    inode = target.stat().st_ino
    written = overwrite(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_ino == inode
    # what the next build checks the file by, without asking for it again
    assert written == (3, target.stat().st_mtime_ns)
    assert overwrite(target, b"longer than before") == (18, target.stat().st_mtime_ns)
    assert target.read_bytes() == b"longer than before" and target.stat().st_ino == inode
    overwrite(target, b"same length as that")
    assert target.read_bytes() == b"same length as that"


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="no O_NOFOLLOW here")
def test_overwrite_replaces_a_link_and_leaves_its_target_alone(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not ours")
    link = tmp_path / "out" / "page.html"
    link.parent.mkdir()
    link.symlink_to(outside)
    assert overwrite(link, b"page") is None  # replaced whole, not written in place
    assert outside.read_bytes() == b"not ours"
    assert not link.is_symlink() and link.read_bytes() == b"page"
    twin = tmp_path / "out" / "twin.html"
    os.link(outside, twin)  # a second name for the file outside
    overwrite(twin, b"twin")
    assert outside.read_bytes() == b"not ours" and twin.read_bytes() == b"twin"


def test_stage_holds_pages_for_files_of_ours_and_publish_writes_them_over(
    tmp_path: Path,
) -> None:
    """A changed page of a file of ours is appended to the process's held file, a new
    page is staged at its own path; publishing writes the held bytes over the old file
    (same inode) and moves the staged one in."""
    out = tmp_path / "out"
    (out / STAGING).mkdir(parents=True)
    (out / "a.html").write_bytes(b"old a")
    (out / "c.html").write_bytes(b"old c")
    manifest = {"a.html": sha(b"old a"), "c.html": sha(b"old c")}
    inode = (out / "a.html").stat().st_ino
    held = Held(out)
    kept = stage(b"new a", out, "a.html", manifest, {}, held)
    other = stage(b"a longer new c", out, "c.html", manifest, {}, held)
    assert kept.held is not None and other.held is not None and kept.path is None
    assert kept.held[0] == other.held[0] and (kept.held[1], other.held[1]) == (0, 5)
    assert Path(kept.held[0]).parent == out / STAGING
    new = stage(b"fresh", out, "b.html", manifest, {}, held)  # no file there yet
    assert new.held is None and new.path is not None
    same = stage(b"old a", out, "a.html", manifest, {}, held)
    assert same == Staged(sha(b"old a"), 5, None)
    held.close()
    report, written, _ = publish(
        out, {"a.html": kept, "b.html": new, "c.html": other}, {}, {}, manifest, {}
    )
    assert sorted(report.written) == ["a.html", "b.html", "c.html"]
    assert (out / "a.html").read_bytes() == b"new a" and (out / "a.html").stat().st_ino == inode
    assert (out / "c.html").read_bytes() == b"a longer new c"
    assert (out / "b.html").read_bytes() == b"fresh"
    assert written["c.html"] == sha(b"a longer new c")


def test_the_building_process_holds_pages_in_memory_within_its_allowance(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    (out / STAGING).mkdir(parents=True)
    for name in ("a", "b"):
        (out / f"{name}.html").write_bytes(b"old")
    manifest = {"a.html": sha(b"old"), "b.html": sha(b"old")}
    held = Held(out, memory=6)
    small = stage(b"new a", out, "a.html", manifest, {}, held)
    large = stage(b"a longer new b", out, "b.html", manifest, {}, held)  # past it: a file
    assert small.data == b"new a" and small.held is None and small.path is None
    assert large.data is None and large.held is not None
    held.close()
    report, _, _ = publish(out, {"a.html": small, "b.html": large}, {}, {}, manifest, {})
    assert sorted(report.written) == ["a.html", "b.html"]
    assert (out / "a.html").read_bytes() == b"new a"
    assert (out / "b.html").read_bytes() == b"a longer new b"


def test_a_forked_process_holds_pages_in_a_file_of_its_own(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / STAGING).mkdir(parents=True)
    manifest = {"a.html": "x", "b.html": "y"}
    held = Held(out, memory=1 << 20)  # the parent's memory, not the child's
    mine = stage(b"parent" * 1000, out, "a.html", manifest, {}, held)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: where its page went, down the pipe
        try:
            theirs = stage(b"child", out, "b.html", manifest, {}, held)
            assert theirs.held is not None
            os.write(write, f"{theirs.held[0]}\n{theirs.held[1]}".encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as pipe:
        path, at = pipe.read().decode().split("\n")
    assert mine.data is not None and mine.held is None and at == "0"
    assert Path(path).read_bytes() == b"child"
    held.close()


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


def _staged(out: Path, pages: dict[str, bytes]) -> dict[str, bytes | Staged]:
    return {rel: stage(data, out, rel, {}, {}) for rel, data in pages.items()}


def test_a_folder_the_output_lacks_is_published_whole(tmp_path: Path) -> None:
    """Its staged copy is moved into place (the staging folder keeps nothing of it), with
    every file in the manifest and its size and time recorded; a folder the output has
    already, or one with a page not staged, is published file by file."""
    out = tmp_path / "out"
    (out / STAGING).mkdir(parents=True)
    (out / "tags").mkdir()  # there already: file by file
    files = _staged(
        out,
        {
            "briefings/a.html": b"a",
            "briefings/b.html": b"bb",
            "briefings/more/c.html": b"ccc",
            "tags/t.html": b"t",
            "people/p.html": b"p",
            "index.html": b"home",
        },
    )
    files["people/feed.xml"] = b"feed"  # not staged: people/ goes file by file
    report, manifest, stats = publish(out, files, {}, {}, {}, {})
    assert not (out / STAGING / "briefings").exists()  # moved, not emptied
    assert (out / STAGING / "tags").is_dir() and (out / STAGING / "people").is_dir()
    assert (out / "briefings/more/c.html").read_bytes() == b"ccc"
    assert (out / "people/p.html").read_bytes() == b"p"
    assert (out / "people/feed.xml").read_bytes() == b"feed"
    assert sorted(report.written) == sorted(files)
    assert manifest == {rel: sha(data) for rel, data in _bytes(out, files).items()}
    assert read_manifest(out) == manifest
    for rel in files:
        st = (out / rel).stat()
        assert stats[rel] == (st.st_size, st.st_mtime_ns)


def _bytes(out: Path, files: dict[str, bytes | Staged]) -> dict[str, bytes]:
    return {rel: (out / rel).read_bytes() for rel in files}


def test_a_folder_is_published_whole_only_when_its_staged_copy_is_exactly_its_pages(
    tmp_path: Path,
) -> None:
    """A stray file in the staged copy, a file of the last build there, or an asset there,
    and the folder's pages are moved one by one: the stray file never reaches the output."""
    out = tmp_path / "out"
    (out / STAGING).mkdir(parents=True)
    files = _staged(out, {"a/x.html": b"x", "b/y.html": b"y", "c/z.html": b"z"})
    (out / STAGING / "a" / "stray.html").write_bytes(b"stray")
    _, manifest, _ = publish(out, files, {}, {}, {"b/old.html": "0" * 64}, {})
    assert not (out / "a/stray.html").exists() and (out / "a/x.html").read_bytes() == b"x"
    assert (out / STAGING / "b").is_dir()  # b/ had a file of the last build: file by file
    assert not (out / STAGING / "c").exists()  # c/ moved whole
    assert set(manifest) == {"a/x.html", "b/y.html", "c/z.html"}


def test_a_first_build_then_a_rebuild_finds_every_file_as_it_left_it(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    first = build(Options(site=site, jobs=1))
    assert first.ok and first.report is not None
    out = site / "output"
    assert not (out / STAGING).exists()
    again = build(Options(site=site, jobs=1))
    assert again.ok and again.report is not None
    assert again.report.written == [] and again.report.removed == []
    assert again.report.unchanged + again.report.kept == len(first.report.written)


def test_a_folder_that_cannot_be_moved_leaves_a_manifest_naming_what_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk refuses the second folder: the build fails, and the manifest names the
    files of the folder already moved, so the next build takes them over."""
    import briefing.write

    out = tmp_path / "out"
    (out / STAGING).mkdir(parents=True)
    files = _staged(out, {"a/x.html": b"x", "b/y.html": b"y"})
    rename = os.rename

    def refusing(src: Path, dst: Path) -> None:
        if Path(dst).name == "b":
            raise OSError(28, "No space left on device", str(dst))
        rename(src, dst)

    monkeypatch.setattr(briefing.write.os, "rename", refusing)
    with pytest.raises(PublishFailed, match="No space left"):
        publish(out, files, {}, {}, {}, {})
    assert (out / "a/x.html").read_bytes() == b"x"
    manifest = read_manifest(out)
    assert manifest is not None and "a/x.html" in manifest


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(), st.text(alphabet="0123456789abcdef"), max_size=8))
def test_the_manifest_is_written_as_json_writes_it_with_an_indent(files: dict[str, str]) -> None:
    """The manifest is made without ``json``'s Python encoder, byte for byte as it makes
    it: an older build's manifest reads the same, and the file is left alone when equal."""
    import json

    from briefing.write import manifest_bytes

    wanted = json.dumps(
        {"generator": "briefing", "files": dict(sorted(files.items()))}, indent=0, sort_keys=True
    ).encode()
    assert manifest_bytes(files) == wanted
    assert json.loads(manifest_bytes(files)) == {"generator": "briefing", "files": files}
