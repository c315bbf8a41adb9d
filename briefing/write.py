"""Publishing: only after everything was computed, only changed bytes, manifest last.

The manifest names every file a build generated (with its hash). A file not in
it is not ours: never overwritten, never deleted. A folder that is not empty and
has no manifest is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.load import Asset

MANIFEST = ".briefing-manifest.json"
# Pages are rendered into this folder of the output (by the workers that render them, so
# the build never holds the whole site in memory) and moved into place when publishing.
STAGING = ".briefing-staging"

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]


class OutputRefused(Exception):
    """The output folder cannot be used; exit status 2."""


@dataclass
class Report:
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: int = 0  # pages not even rendered: what they show did not change


def read_manifest(out: Path) -> dict[str, str] | None:
    """The files the last build generated, or None when the folder is not ours."""
    path = out / MANIFEST
    try:
        data = json.loads(path.read_text("utf-8"))
        files = data["files"]
        if data.get("generator") != "briefing" or not isinstance(files, dict):
            return None
        return {str(k): str(v) for k, v in files.items() if _safe(str(k))}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_output(out: Path) -> dict[str, str]:
    """The previous manifest; refuses a folder that is not ours and not empty."""
    if out.exists() and not out.is_dir():
        raise OutputRefused(f"{out} exists and is not a folder")
    if not out.exists():
        return {}
    manifest = read_manifest(out)
    if manifest is not None:
        return manifest
    if any(p.name != STAGING for p in out.iterdir()):
        raise OutputRefused(
            f"{out} is not empty and was not made by briefing (no {MANIFEST}); "
            "refusing to write there. Choose an empty or new folder with --output."
        )
    return {}


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until publishing is done, so the output is never half old, half new."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, lambda number, frame: received.append(number))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:
            signal.raise_signal(received[0])


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """One build at a time per output folder."""
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_RDONLY)
    except OSError as exc:
        raise OutputRefused(
            f"cannot use {out} as the output folder: {exc.strerror or exc}"
        ) from None
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputRefused(
                    f"another build is writing to {out}; try again when it has finished"
                ) from None
        yield
    finally:
        os.close(fd)
        if created:
            with contextlib.suppress(OSError):
                out.rmdir()  # only if the build left it empty


def _safe(rel: str) -> bool:
    parts = rel.split("/")
    return (
        bool(rel)
        and not rel.startswith("/")
        and ".." not in parts
        and "" not in parts
        and "\\" not in rel
    )


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def foreign_conflicts(out: Path, planned: list[str], manifest: dict[str, str]) -> list[str]:
    """Planned paths where a file we did not generate already stands."""
    return sorted(p for p in planned if p not in manifest and (out / p).exists())


class PublishFailed(Exception):
    """The disk refused a write (full, read-only, a name too long): exit status 1."""


@dataclass(frozen=True)
class Staged:
    """A rendered file: its hash and size, and where its bytes wait: in the staging
    folder (``path``), or in a process's held file at an offset (``held``), to be
    written over the file the output has there. Neither: the output already holds
    exactly these bytes."""

    sha: str
    size: int
    path: str | None
    held: tuple[str, int] | None = None
    data: bytes | None = None  # held in memory, by the building process


class Held:
    """Where a process keeps the pages that are to be written over files of the output
    (see ``overwrite``) rather than staged as new files: one file of the staging folder
    per process, each page appended to it. Handing 100 MB of pages to the building
    process through pipes, as bytes, cost a rename rebuild at 10,000 briefings a tenth of
    a second. A forked process starts a file of its own. The process that made
    the ``Held`` (the building one, making pages itself) keeps up to ``memory`` bytes in
    memory instead: written once, when publishing."""

    def __init__(self, folder: Path, memory: int = 0) -> None:
        self.folder = folder
        self._owner = os.getpid()
        self._memory = memory
        self._pid = -1
        self._fd = -1
        self._path = ""
        self._size = 0

    def in_memory(self, size: int) -> bool:
        """Whether a page of ``size`` bytes is kept in memory (then counted)."""
        if size > self._memory or os.getpid() != self._owner:
            return False
        self._memory -= size
        return True

    def keep(self, data: bytes) -> tuple[str, int]:
        """Append ``data``; where it went."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            name = f"{HELD_PREFIX}{self._pid}-{os.urandom(4).hex()}"
            self._path = os.path.join(self.folder, STAGING, name)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
            self._fd = os.open(self._path, flags, 0o600)
            self._size = 0
        at = self._size
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        self._size += len(data)
        return self._path, at

    def close(self) -> None:
        """Close this process's file, if it has one (a worker's closes as it ends)."""
        if self._pid == os.getpid() and self._fd >= 0:
            os.close(self._fd)
            self._fd, self._pid = -1, -1


# The held files in the staging folder: no page has a name like this (see ``Held``)
HELD_PREFIX = ".briefing-held-"


def stage(
    data: bytes,
    out: Path,
    rel: str,
    manifest: dict[str, str],
    stats: dict[str, tuple[int, int]],
    held: Held | None = None,
) -> Staged:
    """Write ``data`` into the staging folder at ``rel``, as the output will have it, unless
    the output has it already; or into ``held``, when the output has a file of ours there
    (``overwrite`` writes it at publishing). Staged at its own path, a folder the output
    lacks is published whole (see ``publish``)."""
    digest = sha(data)
    if _unchanged(out, rel, digest, len(data), manifest, stats):
        return Staged(digest, len(data), None)
    try:
        if held is not None and rel in manifest:
            if held.in_memory(len(data)):
                return Staged(digest, len(data), None, None, data)
            return Staged(digest, len(data), None, held.keep(data))
        # joined as text: a cold build stages 14,000 files, and pathlib's joins took a
        # tenth of a second of each worker's time
        target = os.path.join(out, STAGING, rel)
        try:
            _write(target, data)
        except FileNotFoundError:  # the first page of its folder
            os.makedirs(os.path.dirname(target), exist_ok=True)
            _write(target, data)
    except OSError as exc:  # nothing is published yet: the output is as it was
        where = exc.filename or os.path.join(out, STAGING)
        raise PublishFailed(f"cannot write {where}: {exc.strerror or exc}") from None
    return Staged(digest, len(data), target)


def _write(target: str, data: bytes) -> None:
    with open(target, "wb") as f:
        f.write(data)


@contextlib.contextmanager
def staging(out: Path) -> Iterator[Path]:
    """An empty staging folder for this build, removed afterwards whatever happens (one
    left by a build that was killed is removed by the next)."""
    folder = out / STAGING
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def publish(
    out: Path,
    files: dict[str, bytes | Staged],
    assets: dict[str, Asset],
    kept: dict[str, str],
    manifest: dict[str, str],
    stats: dict[str, tuple[int, int]],
) -> tuple[Report, dict[str, str], dict[str, tuple[int, int]]]:
    """Write what changed, remove what is stale, then the manifest.

    ``files`` are new bytes, or pages already staged; ``assets`` are copied from source;
    ``kept`` are pages left as they are (unchanged fingerprint), with their hash.
    ``stats`` are the (size, mtime_ns) each file had after the last build: a file whose
    stat still matches and whose hash is unchanged is not even read. If the disk refuses a
    write, the manifest still names every file the old and the new build made, so
    the next build can take over.
    """
    report = Report(kept=len(kept))
    held_files = _HeldFiles()
    new_manifest: dict[str, str] = dict(kept)
    new_stats: dict[str, tuple[int, int]] = {p: stats[p] for p in kept if p in stats}
    moved: dict[str, tuple[int, int]] = {}
    try:
        for top, found in _new_folders(out, files, {*manifest, *assets, *kept}):
            os.rename(out / STAGING / top, out / top)
            moved.update(found)
        for rel, data in sorted(files.items()):
            assert _safe(rel), rel
            if rel in moved:
                assert isinstance(data, Staged), rel
                new_manifest[rel] = data.sha
                report.written.append(rel)
                new_stats[rel] = moved[rel]
                continue
            if isinstance(data, Staged) and (data.data is not None or data.held is not None):
                new_manifest[rel] = data.sha
                content: bytes | memoryview
                if data.data is not None:
                    content = data.data
                elif data.held is not None:
                    blob, at = data.held
                    content = held_files.view(blob)[at : at + data.size]
                # joined as text: thousands of pages, and pathlib's joins showed
                written = overwrite(os.path.join(out, rel), content)
                del content  # a view into a held file: that file is closed at the end
                report.written.append(rel)
                new_stats[rel] = written or _stat(out / rel)
                continue
            target = out / rel
            if isinstance(data, Staged):
                new_manifest[rel] = data.sha
                if data.path is None:
                    report.unchanged += 1
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(data.path, target)
                    report.written.append(rel)
            else:
                digest = sha(data)
                new_manifest[rel] = digest
                if _unchanged(out, rel, digest, len(data), manifest, stats):
                    report.unchanged += 1
                else:  # a file of ours is written over; any other is a new file
                    (overwrite if rel in manifest else _atomic_write)(target, data)
                    report.written.append(rel)
            new_stats[rel] = _stat(target)
        for rel, asset in sorted(assets.items()):
            assert _safe(rel), rel
            new_manifest[rel] = asset.sha
            target = out / rel
            if _unchanged(out, rel, asset.sha, asset.size, manifest, stats):
                report.unchanged += 1
            else:
                _atomic_copy(asset.src, target)
                report.written.append(rel)
            new_stats[rel] = _stat(target)
    except OSError as exc:
        held_files.close()
        both = {**manifest, **{p: "" for p in (*new_manifest, *moved)}}
        _write_manifest(out, both)
        where = exc.filename or out
        raise PublishFailed(f"cannot write {where}: {exc.strerror or exc}") from None
    held_files.close()
    for rel in sorted(set(manifest) - set(new_manifest)):
        target = out / rel
        if target.is_file() or target.is_symlink():
            target.unlink()
            report.removed.append(rel)
            _prune(target.parent, out)
    _write_manifest(out, new_manifest)
    return report, new_manifest, new_stats


class _HeldFiles:
    """The held files (see ``Held``), each mapped into memory once, while publishing."""

    def __init__(self) -> None:
        self._maps: dict[str, tuple[mmap.mmap, memoryview]] = {}

    def view(self, path: str) -> memoryview:
        found = self._maps.get(path)
        if found is None:
            with open(path, "rb") as file:
                mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            found = self._maps[path] = (mapped, memoryview(mapped))
        return found[1]

    def close(self) -> None:
        for mapped, view in self._maps.values():
            # a view still in use (a write that failed) leaves its map to be freed with it
            with contextlib.suppress(BufferError):
                view.release()
                mapped.close()
        self._maps.clear()


def _new_folders(
    out: Path, files: dict[str, bytes | Staged], others: set[str]
) -> list[tuple[str, dict[str, tuple[int, int]]]]:
    """The folders of the output's top level that it lacks and whose files were all staged
    (a first build's ``briefings/``, ``people/``...), each with its files' (size,
    mtime_ns): published with one rename each, rather than one per file. A folder that
    ``others`` (the last build's files, the assets, the pages kept) reach into, or whose
    staged copy holds anything else, is published file by file."""
    staged: dict[str, set[str]] = {}
    blocked = {rel.partition("/")[0] for rel in others}
    for rel, data in files.items():
        top, sep, _ = rel.partition("/")
        moving = isinstance(data, Staged) and data.path is not None
        if sep and moving and _safe(rel):
            staged.setdefault(top, set()).add(rel)
        else:  # a file at the top level, one not staged, or a path publishing refuses
            blocked.add(top)
    found: list[tuple[str, dict[str, tuple[int, int]]]] = []
    for top, rels in sorted(staged.items()):
        if top in blocked or os.path.lexists(out / top):
            continue
        on_disk = _regular_files(out / STAGING / top, top)
        if on_disk is not None and on_disk.keys() == rels:
            found.append((top, on_disk))
    return found


def _regular_files(folder: Path, rel: str) -> dict[str, tuple[int, int]] | None:
    """Every file under ``folder`` (as ``rel/...``) with its (size, mtime_ns); None if it
    holds anything but folders and regular files."""
    files: dict[str, tuple[int, int]] = {}
    todo = [(str(folder), rel)]
    while todo:
        path, prefix = todo.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                name = f"{prefix}/{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    todo.append((entry.path, name))
                elif entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    files[name] = (st.st_size, st.st_mtime_ns)
                else:
                    return None
    return files


def manifest_bytes(files: dict[str, str]) -> bytes:
    """The manifest as ``json.dumps(..., indent=0, sort_keys=True)`` writes it, a file a
    line, made with the C encoder's string escaping: with an indent, ``json`` encodes in
    Python, 40 ms of every build that writes at 10,000 briefings."""
    string = json.encoder.encode_basestring_ascii
    lines = ",\n".join(f"{string(k)}: {string(files[k])}" for k in sorted(files))
    listed = "{\n" + lines + "\n}" if files else "{}"
    return f'{{\n"files": {listed},\n"generator": "briefing"\n}}'.encode()


def _write_manifest(out: Path, files: dict[str, str]) -> None:
    body = manifest_bytes(files)
    manifest_path = out / MANIFEST
    if not manifest_path.exists() or manifest_path.read_bytes() != body:
        _atomic_write(manifest_path, body)


def _unchanged(
    out: Path,
    rel: str,
    digest: str,
    size: int,
    manifest: dict[str, str],
    stats: dict[str, tuple[int, int]],
) -> bool:
    """Whether the output's file at ``rel`` already holds these bytes, as the manifest
    says and its stat or its hash confirm; the path is joined only if the manifest says so."""
    if manifest.get(rel) != digest:
        return False
    target = out / rel
    try:
        st = target.stat()
    except OSError:
        return False
    if st.st_size != size:
        return False
    if stats.get(rel) == (st.st_size, st.st_mtime_ns):
        return True
    try:
        return sha(target.read_bytes()) == digest
    except OSError:
        return False


def _stat(target: Path) -> tuple[int, int]:
    st = target.stat()
    return (st.st_size, st.st_mtime_ns)


def overwrite(target: Path | str, data: bytes | memoryview) -> tuple[int, int] | None:
    """Write ``data`` over a file of the output, in place. A new file and a rename cost
    some file systems far more: ext4 without a journal looks past every inode freed in
    the last minutes before it takes one, and a rename frees the old file's. Publishing
    thousands of pages that way took a millisecond each. A symbolic link, a file with
    another name elsewhere, or one that is gone, is replaced whole instead, so nothing
    outside the output is ever written. Written in place, the file's (size, mtime_ns)
    after writing (what the next build checks it by); else None."""
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    fd = -1
    if nofollow:
        with contextlib.suppress(OSError):
            fd = os.open(target, os.O_WRONLY | nofollow | getattr(os, "O_CLOEXEC", 0))
    if fd < 0:
        _atomic_write(Path(target), data)
        return None
    try:
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode) and st.st_nlink == 1:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if st.st_size > len(data):  # what the old file had beyond the new bytes
                os.ftruncate(fd, len(data))
            st = os.fstat(fd)
            return (st.st_size, st.st_mtime_ns)
    finally:
        os.close(fd)
    _atomic_write(Path(target), data)
    return None


def _atomic_write(target: Path, data: bytes | memoryview) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _atomic_copy(src: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _prune(folder: Path, out: Path) -> None:
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def recorded_stats(records: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Each file's (size, mtime_ns) after the last build, as it recorded them (its
    [fingerprint, size, mtime_ns] by path)."""
    return {k: (v[1], v[2]) for k, v in records.items() if isinstance(v, list) and len(v) == 3}


def intact(out: Path, rel: str, recorded: Any) -> bool:
    """The file is still as the last build left it (its size and modification time)."""
    if not isinstance(recorded, list) or len(recorded) != 3:
        return False
    try:
        st = os.stat(os.path.join(out, rel))  # asked of every page: no Path made
    except OSError:
        return False
    return recorded[1:] == [st.st_size, st.st_mtime_ns]
