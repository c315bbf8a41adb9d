"""Read the site folder: which files there are and their bytes. Only this module and
``write`` touch the disk during a build."""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.problems import Problem, error, warning

CONTENT_KINDS = {
    "briefings": "briefing",
    "people": "person",
    "organizations": "organization",
    "countries": "country",
    "pages": "page",
}
MARKUP = {".md", ".markdown"}
REGISTRY = {".yaml", ".yml", ".md", ".markdown"}


class SourceChanged(Exception):
    """A file changed between being hashed and being read again: nothing was published."""


@dataclass(frozen=True)
class SourceFile:
    path: str  # relative to the site root, with "/"
    kind: str  # briefing | person | organization | country | page
    sha: str
    head: str | None  # a briefing's front matter, digested (see front_matter_part)
    name: str = ""  # where it is read again when its bytes were not kept
    kept: bytes | None = None

    @property
    def data(self) -> bytes:
        """The bytes that were hashed: kept, or read again and checked against the hash."""
        if self.kept is not None:
            return self.kept
        try:
            data = _read(self.name)
        except OSError as exc:
            raise SourceChanged(f"{self.path} went away while the site was built") from exc
        if hashlib.sha256(data).hexdigest() != self.sha:
            raise SourceChanged(f"{self.path} changed while the site was built")
        return data


@dataclass(frozen=True)
class Asset:
    """A file copied as is: static files, theme assets, images beside Markdown."""

    src: Path
    path: str  # relative to the site root (for messages and lookups)
    out: str  # where it lands in the output
    sha: str
    size: int


@dataclass(frozen=True)
class Inputs:
    files: tuple[SourceFile, ...]
    statics: tuple[Asset, ...]
    beside: tuple[Asset, ...]
    problems: tuple[Problem, ...]
    # the content files' stamps, for the next read (see ``read_site``); None: as ``known``
    stamps: dict[str, list[Any]] | None = field(default=None, compare=False)


# A stamp is kept only for a file whose inode changed this long before the site was read:
# a file written twice within one tick of the file system's clock keeps its ctime.
SETTLED_NS = 2_000_000_000


def _known(was: Any, stamp: list[int]) -> tuple[str, str | None] | None:
    """The hash and front matter hash of a stamp the last read kept, if it is this
    file's stamp and reads as one (the cache is checked, never trusted)."""
    if not (isinstance(was, list) and len(was) == 6 and was[:4] == stamp):
        return None
    sha, head = was[4], was[5]
    if not (isinstance(sha, str) and len(sha) == 64):
        return None
    if head is not None and not (isinstance(head, str) and len(head) == 64):
        return None
    return sha, head


_NEVER = {".git", ".DS_Store", ".hg", ".svn"}


def front_matter_part(data: bytes) -> bytes | None:
    """A file's bytes up to the line that closes its front matter, or None when that is
    not plain to see in the bytes.

    When not None it holds all that ``parse.split_front_matter`` takes for front matter
    and where the body starts (text decoded, a fence padded with other spaces, lines
    ending in a lone CR can only make that end sooner): equal parts, equal front matter."""
    found = _FRONT_MATTER_PART.match(data)
    return None if found is None else data[: found.end()]


# An opening fence line, then lines up to the first that is a closing fence (`---` or
# `...`), each maybe followed by the spaces bytes.rstrip() would take off.
_FRONT_MATTER_PART = re.compile(
    rb"---[ \t\r\x0b\x0c]*\n(?:[^\n]*\n)*?(?:---|\.\.\.)[ \t\r\x0b\x0c]*(?:\n|\Z)"
)


def walk(root: Path, site: Path, problems: list[Problem], hidden: bool = False) -> list[Path]:
    """Every regular file below ``root``, sorted; links that leave the site are refused.
    Hidden files are skipped unless ``hidden`` (static files: `.well-known/`, `.nojekyll`)."""
    return [Path(p) for p in walk_names(root, site, problems, hidden)]


def walk_names(root: Path, site: Path, problems: list[Problem], hidden: bool = False) -> list[str]:
    """``walk`` as path strings, in the same order. Directory entries are asked what they
    are (no stat call for a plain file or folder), and no Path is made: a site of 10,000
    briefings is walked on every build."""
    found: list[str] = []
    if not root.is_dir():
        return found
    site_real = site.resolve()

    def leaves_site(entry: os.DirEntry[str]) -> bool:
        if entry.is_symlink() and not Path(entry.path).resolve().is_relative_to(site_real):
            problems.append(
                error(
                    _rel(Path(entry.path), site),
                    0,
                    "symbolic link leads outside the site folder; refused",
                )
            )
            return True
        return False

    def visit(folder: str) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            name = entry.name
            if name in _NEVER or (name.startswith(".") and not hidden):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                if not leaves_site(entry):
                    visit(entry.path)
            elif not name.endswith("~") and not leaves_site(entry):
                try:
                    if entry.is_file():
                        found.append(entry.path)
                except OSError:
                    continue

    visit(str(root))
    if os.sep == "/" and os.altsep is None:  # Path's own order: part by part, as written
        return sorted(found, key=lambda p: p.split("/"))
    return [str(p) for p in sorted(map(Path, found))]


def _rel_name(name: str, site: Path) -> str:
    """``_rel`` of a path string, without making a Path in the usual cases."""
    root = str(site)
    if root == ".":
        if not os.path.isabs(name) and ".." not in name.split(os.sep):
            return name.replace(os.sep, "/")
    elif name.startswith(root + os.sep):
        return name[len(root) + 1 :].replace(os.sep, "/")
    return _rel(Path(name), site)


def _rel(path: Path, site: Path) -> str:
    text, root = str(path), str(site)
    if root == "." and not path.is_absolute() and ".." not in path.parts:
        return path.as_posix()
    if text.startswith(root + os.sep):  # the usual case, without pathlib's own checks
        return text[len(root) + 1 :].replace(os.sep, "/")
    try:
        return path.relative_to(site).as_posix()
    except ValueError:
        return path.as_posix()


def _asset(path: Path, site: Path, out: str) -> Asset:
    data = path.read_bytes()
    return Asset(path, _rel(path, site), out, hashlib.sha256(data).hexdigest(), len(data))


def _read(path: str) -> bytes:
    """A file's bytes through the system calls alone: a third quicker than ``open`` for
    10,000 small files."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_site(
    site: Path,
    keep: bool = True,
    known: Mapping[str, Any] | None = None,
    now_ns: int | None = None,
) -> Inputs:
    """Every file of the site, hashed. Unless ``keep``, the bytes of content files are left
    on disk (a build reads again the few it parses): 50 MB at 10,000 briefings is a lot to
    hand from the process that read them to the one that builds.

    A content file is read and hashed unless its stamp (inode, size, mtime and ctime, in
    nanoseconds) is the one ``known`` holds from the last read: its hashes are taken from
    there, as git's index does: reading 10,000 files took 0.35-0.46 s of every rebuild.
    Writing a file changes its ctime, which no tool sets back; a copy or a fresh checkout
    is a new inode. Stamps are kept (in ``Inputs.stamps``) only for files whose ctime is
    ``SETTLED_NS`` older than ``now_ns`` (the time of reading), and only on POSIX, where
    ctime is the inode's change time."""
    now = time.time_ns() if now_ns is None else now_ns
    stamped = os.name == "posix"
    trust = known if stamped and not keep and known else {}
    stamps: dict[str, list[Any]] = {}
    problems: list[Problem] = []
    files: list[SourceFile] = []
    beside: list[Asset] = []
    content = site / "content"
    if not content.is_dir():
        problems.append(
            error(
                "content",
                0,
                "no content/ folder in the site",
                "run `briefing init DIR` to start a site",
            )
        )
    for folder, kind in CONTENT_KINDS.items():
        for name in walk_names(content / folder, site, problems):
            rel = _rel_name(name, site)
            suffix = os.path.splitext(name)[1].lower()
            markup = suffix in (MARKUP if kind in ("briefing", "page") else REGISTRY)
            if markup:
                stamp: list[int] = []
                if stamped:
                    st = os.stat(name)
                    stamp = [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
                found = _known(trust.get(rel), stamp) if trust else None
                data = None
                if found is not None:
                    sha, head = found
                else:
                    data = _read(name)
                    sha = hashlib.sha256(data).hexdigest()
                    head = None
                    if kind == "briefing":
                        part = front_matter_part(data)
                        head = None if part is None else hashlib.sha256(part).hexdigest()
                if stamp and stamp[3] < now - SETTLED_NS:
                    stamps[rel] = [*stamp, sha, head]
                files.append(SourceFile(rel, kind, sha, head, name, data if keep else None))
                continue
            path = Path(name)
            if kind in ("briefing", "page"):
                beside.append(_asset(path, site, "media/" + path.relative_to(content).as_posix()))
            else:
                problems.append(
                    warning(
                        rel,
                        0,
                        f"ignored: registry files are .yaml or .md, not `{path.suffix.lower() or path.name}`",
                    )
                )
    statics = [
        _asset(p, site, p.relative_to(content / "static").as_posix())
        for p in walk(content / "static", site, problems, hidden=True)
    ]
    if content.is_dir():
        for child in sorted(content.iterdir()):
            if child.name.startswith(".") or child.name in CONTENT_KINDS or child.name == "static":
                continue
            problems.append(
                warning(
                    _rel(child, site),
                    0,
                    "ignored: not a known content folder",
                    "content/ holds briefings/, people/, organizations/, countries/, pages/ and static/",
                )
            )
    same = known is not None and stamps == known
    return Inputs(
        tuple(files), tuple(statics), tuple(beside), tuple(problems), None if same else stamps
    )


def theme_dirs(site: Path) -> list[Path]:
    """The site's own layouts/ first, then the default theme shipped with the package."""
    dirs = []
    own = site / "layouts"
    if own.is_dir():
        dirs.append(own)
    default = default_theme()
    if default.resolve() != own.resolve():
        dirs.append(default)
    return dirs


def default_theme() -> Path:
    here = Path(__file__).resolve().parent
    installed = here / "layouts"
    if installed.is_dir():
        return installed
    return here.parent / "layouts"


def theme_assets(site: Path) -> list[Asset]:
    """Theme CSS/JS under layouts/assets/, the site's files overriding the default's by name."""
    chosen: dict[str, Path] = {}
    problems: list[Problem] = []
    for folder in reversed(theme_dirs(site)):
        root = folder / "assets"
        for path in walk(root, folder, problems):
            chosen[path.relative_to(root).as_posix()] = path
    return [_asset(p, site, "assets/" + rel) for rel, p in sorted(chosen.items())]
