"""The parse stage with its cache: parse records without their bodies, bodies on demand."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import zlib
from collections.abc import Callable, Iterable
from typing import Any

from briefing.cache import Batch, Cache, encode
from briefing.load import Inputs, SourceFile
from briefing.model import Parsed, parsed_from_json, parsed_to_json
from briefing.parse import Settings, parse_file
from briefing.text import html_tokens
from briefing.workers import PARALLEL_MIN, map_jobs

Progress = Callable[[str, int, int], None]


class Bodies:
    """Rendered Markdown and plain text, kept apart from the parse records: most rebuilds
    need them for a handful of files, and 10,000 of them are a lot to read for nothing.
    The cache keeps a body's HTML alone: its text is made from it when asked for (the
    search index keeps what it needs of it): its rows took 85 MB at 10,000 briefings,
    45 MB now."""

    def __init__(
        self, cache: Cache, keys: dict[str, str], fresh: dict[str, tuple[str, str]] | None = None
    ) -> None:
        self.cache = cache
        self.keys = keys
        # parsed by this build: (HTML, text)
        self.fresh: dict[str, tuple[str, str]] = {} if fresh is None else fresh

    def _get(self, paths: Iterable[str], part: int) -> dict[str, str]:
        wanted = [p for p in paths if p in self.keys]
        found = {p: self.fresh[p][part] for p in wanted if p in self.fresh}
        rest = {self.keys[p]: p for p in wanted if p not in found}
        for key, value in self.cache.get_many("bodies", rest).items():
            if isinstance(value, str):
                found[rest[key]] = value if part == 0 else " ".join(html_tokens(value))
        return found

    def html(self, paths: list[str]) -> dict[str, str]:
        return self._get(paths, 0)

    def text(self, paths: list[str]) -> dict[str, str]:
        return self._get(paths, 1)


def _slim(parsed: Parsed) -> tuple[Parsed, tuple[str, str] | None]:
    """The parse record without the body's HTML and text, and those two. The first
    paragraph goes too unless it is a briefing's summary: a quarter of what every
    rebuild reads back."""
    for name in ("briefing", "entry", "page"):
        value = getattr(parsed, name)
        body = getattr(value, "body", None) if value is not None else None
        if body is not None:
            needed = name == "briefing" and not getattr(value, "summary", None)
            first = body.first_paragraph if needed else ""
            slim_body = dataclasses.replace(body, html="", text="", first_paragraph=first)
            slim_value = dataclasses.replace(value, body=slim_body)
            return dataclasses.replace(parsed, **{name: slim_value}), (body.html, body.text)
    return parsed, None


def _parse_one(
    source: SourceFile, settings: Settings, keep: bool
) -> tuple[Parsed, str | None, tuple[str, str] | None, str | None]:
    """Parse one file (read in the worker, if its bytes were left on disk) and, if the
    cache ``keep``s them, encode its cache records in the worker: the building process
    only stores them."""
    slim, body = _slim(parse_file(source.path, source.kind, source.data, settings))
    if not keep:
        return slim, None, body, None
    return slim, encode(parsed_to_json(slim)), body, encode(body[0]) if body else None


CHUNKS = 128  # rows of parse records: a few hundred kilobytes each at 10,000 files


def _chunk(path: str) -> str:
    """The row a file's parse record lives in: stable as files come and go."""
    return str(zlib.crc32(path.encode("utf-8", "surrogatepass")) % CHUNKS)


def _key(salt: str, source: SourceFile) -> str:
    """A file's parse key: one hash of one string (the salt and the hash are hex digits, a
    path holds no NUL), made for every file on every build."""
    text = f"{salt}\0{source.path}\0{source.sha}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def shape_row(row: Any) -> Any:
    """A row of parse records with each record made a ``Parsed`` already, where it reads
    as one: done by ``Cache.preload`` while another process reads the site, which would
    otherwise be waited for (an edit rebuild at 10,000 files reads them all)."""
    if not isinstance(row, dict):
        return row
    for entry in row.values():
        if isinstance(entry, list) and len(entry) == 2:
            found = _read(entry[1])
            if found is not None:
                entry[1] = found
    return row


def _read(record: Any) -> Parsed | None:
    """A parse record as ``Parsed`` (made already, or from its JSON); None if it does not
    read as one."""
    if isinstance(record, Parsed):
        return record
    try:
        return parsed_from_json(record)
    except (KeyError, TypeError, ValueError):
        return None


def parse_all(
    inputs: Inputs, settings: Settings, salt: str, cache: Cache, jobs: int, note: Progress
) -> tuple[list[Parsed], dict[str, str], Bodies]:
    """Parse records are kept in a fixed number of rows, each a JSON object of path ->
    [key, record]: reading 10,000 of them as separate rows cost a second of every
    rebuild. A row is written again only when one of its files changed or went away."""
    keys = {f.path: _key(salt, f) for f in inputs.files}
    bodies = Bodies(cache, keys)
    chunk_of = {path: _chunk(path) for path in keys}
    rows = cache.get_all("parsed")
    stored: dict[str, tuple[str, Any]] = {}
    live = set(chunk_of.values())
    stale = {name for name in rows if name not in live}
    gone: list[str] = []  # keys of the last build's files that are not this build's
    unknown = not rows  # some keys of the last build are not known: prune the whole table
    for name, row in rows.items():
        if not isinstance(row, dict):
            stale.add(name)
            unknown = True
            continue
        for path, entry in row.items():
            fits = isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
            if path in keys and fits:
                stored[path] = (entry[0], entry[1])
                if entry[0] != keys[path]:
                    gone.append(entry[0])
            else:
                stale.add(name)
                if fits:
                    gone.append(entry[0])
                else:
                    unknown = True
    parsed: dict[str, Parsed] = {}
    for f in inputs.files:
        entry = stored.get(f.path)
        if entry is not None and entry[0] == keys[f.path]:
            found = _read(entry[1])
            if found is not None:
                parsed[f.path] = found
    missing = [f for f in inputs.files if f.path not in parsed]
    done = len(parsed)
    note("parse", done, len(inputs.files))
    # The bodies are stored while the workers parse the rest: 85 MB at 10,000 files,
    # which took two thirds of a second after them.
    new_bodies = Batch(cache, "bodies")

    def store(n: int, result: tuple[Parsed, str | None, Any, str | None]) -> None:
        if result[3] is not None:
            new_bodies.add(keys[missing[n].path], result[3])

    if jobs > 1 and len(missing) >= PARALLEL_MIN:
        # Python-Markdown, loaded by the first body rendered (see ``parse._body``), is
        # loaded here once, for the workers forked to parse the files
        importlib.import_module("briefing.markup")
    fresh = map_jobs(
        _parse_one,
        [(f, settings, cache.enabled) for f in missing],
        jobs,
        lambda n: note("parse", done + n, len(inputs.files)),
        each=store if cache.enabled else None,
    )
    records: dict[str, str] = {}
    for f, (slim, record, body, _) in zip(missing, fresh, strict=True):
        parsed[f.path] = slim
        if record is not None:
            records[f.path] = record
        if body is not None:
            bodies.fresh[f.path] = body
    note("parse", len(inputs.files), len(inputs.files))
    if cache.enabled:
        changed = stale | {chunk_of[f.path] for f in missing}
        members: dict[str, list[str]] = {name: [] for name in changed & live}
        for path, name in chunk_of.items():
            if name in members:
                text = records.get(path)
                if text is None and path in parsed:
                    text = encode(parsed_to_json(parsed[path]))
                if text is not None:
                    members[name].append(f"{encode(path)}:[{encode(keys[path])},{text}]")
        cache.put_encoded("parsed", [(n, "{" + ",".join(m) + "}") for n, m in members.items()])
        cache.delete_many("parsed", changed - live)
    new_bodies.flush()
    if unknown:
        cache.keep_only("bodies", keys.values())
    else:
        cache.delete_many("bodies", gone)
    return [parsed[f.path] for f in inputs.files], keys, bodies
