"""Pages patched ahead, while the briefings are resolved, after a registry edit that
renamed actors.

A rename at 10,000 briefings patches thousands of pages (see ``slots``), and reading,
patching, hashing and staging them was a third of the rebuild, all in the building
process, while the second core waited for the briefings to be resolved. Once the
registry is built, the chips whose names changed are known, and so are the pages that
show them (where their names went is stored): a second process patches those pages
then, with only those names written in, and the building process takes each page from
it that it would patch itself. It takes none unless the chips it finds changed are
those, changed the same way (``Ahead.renamed``): every other name a page shows is then
the one it holds, and the page patched ahead is the page it would patch.

That process is started, not forked, as soon as the site is read (``Worker``): a process
forked from the building one shares its memory, and the building process paid for each
page of it it wrote while the other lived, 0.15 s of resolving 10,000 briefings.
"""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from briefing import slots
from briefing.cache import Cache, encode
from briefing.registry import Actor, Key, chip_name
from briefing.slots import escape_text
from briefing.write import Held, Staged, intact, read_manifest, recorded_stats, stage

# Past this many renamed actors, a page shows one of them more often than not: the pages
# are patched in the building process, as the rest of the rebuild finds them.
MOST_RENAMED = 16


@dataclass(frozen=True)
class Ahead:
    """The chips taken as renamed (their digests now, by ``kind:id``), and the pages
    patched with their names: by path, the last build's fingerprint of the page, the
    page staged, and where its names went now (as JSON)."""

    renamed: dict[str, str]
    pages: dict[str, tuple[str, Staged, str]] = field(default_factory=dict)


def patch_ahead(
    actors: Mapping[Key, Actor],
    language: str,
    renamed: dict[str, str],
    cache: Cache,
    previous: Mapping[str, Any],
    still: Callable[[str], bool],
    out: Path,
    manifest: dict[str, str],
    stats: dict[str, tuple[int, int]],
) -> Ahead:
    """The pages of the last build that show a ``renamed`` chip (of ``actors``), patched
    with the new names and staged; ``previous`` holds each file's record, and ``still``
    says whether a file is as the last build left it."""
    ahead = Ahead(renamed)
    try:  # a ref is "kind:id", then "@lang" or "~form" or neither, in a JSON string
        rows = cache.raw_holding("page_slots", [f'"{ident}' for ident in sorted(renamed)])
    except sqlite3.Error:
        return ahead
    keys = {ident: key for key in actors if (ident := f"{key[0]}:{key[1]}") in renamed}
    names: dict[str, str | None] = {}  # ref before any form -> the new name; None: another's

    def name_of(ref: str) -> str | None:
        if ref not in names:
            ident, _, lang = ref.partition("@")
            key = keys.get(ident)
            names[ref] = None if key is None else chip_name(actors[key], lang or None, language)[1]
        return names[ref]

    held = Held(out)
    memo: dict[tuple[str, str], bytes | None] = {}
    try:
        for path, raw in sorted(rows.items()):
            before = previous.get(path)
            if not (isinstance(before, list) and before and isinstance(before[0], str)):
                continue
            try:
                row = json.loads(raw)
            except ValueError:
                continue
            if not (isinstance(row, list) and len(row) == 2 and row[0] == before[0]):
                continue
            if not isinstance(row[1], list) or path not in manifest or not still(path):
                continue  # (a file not ours would be staged at its own path, as yet another's)
            wanted: dict[str, str] = {}
            for slot in row[1]:
                ref = slot[2] if isinstance(slot, list) and len(slot) == 3 else None
                if not isinstance(ref, str):
                    break
                base = ref.partition("~")[0]
                if base not in wanted and (name := name_of(base)) is not None:
                    wanted[base] = name
            if not wanted:
                continue
            try:
                with open(os.path.join(out, path), "rb") as file:
                    data = file.read()
            except OSError:
                continue
            patched = slots.patch(data, row[1], wanted, escape_text, memo, others_kept=True)
            if patched is None:
                continue
            staged = stage(patched[0], out, path, manifest, stats, held)
            ahead.pages[path] = (before[0], staged, encode(patched[1]))
    finally:
        held.close()
    return ahead


@dataclass(frozen=True)
class Request:
    """What the worker is asked: the output and cache folders, the site's language, the
    chips renamed, and their actors."""

    out: str
    cache: str
    language: str
    renamed: dict[str, str]
    actors: dict[Key, Actor]


def serve() -> NoReturn:
    """The worker: a ``Request`` on standard input, the ``Ahead`` on standard output."""
    request: Request = pickle.load(sys.stdin.buffer)
    out = Path(request.out)
    manifest = read_manifest(out)
    found = Ahead(request.renamed)
    cache = Cache.joined(Path(request.cache))
    try:
        records = (cache.get_record("pages") or {}).get("files")
        previous = records if isinstance(records, dict) else {}
        if manifest is not None:  # else no file there is known to be ours: none is patched
            found = patch_ahead(
                request.actors,
                request.language,
                request.renamed,
                cache,
                previous,
                lambda path: intact(out, path, previous.get(path)),
                out,
                manifest,
                recorded_stats(previous),
            )
    finally:
        cache.close()
    pickle.dump(found, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.flush()
    # The building process reads to the end of the pipe: it ends now, not once this
    # process has freed what it made, one object at a time (17 ms of a rename at 10,000
    # briefings).
    os._exit(0)


_START = "import sys, json; sys.path[:0] = json.loads(sys.argv[1]); import briefing.ahead as a; a.serve()"


class Worker:
    """The process patching pages ahead, started now and asked later (``ask``), once the
    registry is built; it imports the build's code meanwhile, on a core the reading of
    the site has left."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        if getattr(sys, "frozen", False):  # an application of its own: no Python to start
            return
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _START, json.dumps(sys.path)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self._process = None

    def ask(self, request: Request) -> bool:
        """Hand the worker its request (a few kilobytes: the pipe takes them while it
        starts). False if it is gone."""
        process = self._process
        if process is None or process.stdin is None:
            return False
        try:
            process.stdin.write(pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))
            process.stdin.close()
        except OSError:
            self.stop()
            return False
        return True

    def result(self) -> Ahead | None:
        """The pages it patched; None if it failed (the pages are patched here then)."""
        process = self._process
        if process is None or process.stdout is None:
            return None
        try:
            with process.stdout:
                data = process.stdout.read()
            ok = process.wait() == 0
            found = pickle.loads(data) if ok and data else None  # from our own worker
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            found = None
        finally:
            self.stop()
        return found if isinstance(found, Ahead) else None

    def stop(self) -> None:
        """Stop the worker if it still runs (it was not asked, or its pages not taken)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None and not pipe.closed:
                with suppress(OSError):  # a worker gone: what was left to send is dropped
                    pipe.close()
        process.wait()
