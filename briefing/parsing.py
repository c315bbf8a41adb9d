"""The parse stage with its cache: parse records without their bodies, bodies on demand."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterable

from briefing.cache import Cache, encode
from briefing.load import Inputs
from briefing.model import Parsed, parsed_from_json, parsed_to_json
from briefing.parse import Settings, parse_file
from briefing.text import digest
from briefing.workers import map_jobs

Progress = Callable[[str, int, int], None]


class Bodies:
    """Rendered Markdown and plain text, kept apart from the parse records: most rebuilds
    need them for a handful of files, and 10,000 of them are a lot to read for nothing."""

    def __init__(self, cache: Cache, keys: dict[str, str]) -> None:
        self.cache = cache
        self.keys = keys
        self.fresh: dict[str, tuple[str, str]] = {}

    def _get(self, paths: Iterable[str]) -> dict[str, tuple[str, str]]:
        wanted = [p for p in paths if p in self.keys]
        found = {p: self.fresh[p] for p in wanted if p in self.fresh}
        rest = {self.keys[p]: p for p in wanted if p not in found}
        for key, value in self.cache.get_many("bodies", rest).items():
            if isinstance(value, list) and len(value) == 2:
                found[rest[key]] = (str(value[0]), str(value[1]))
        return found

    def html(self, paths: list[str]) -> dict[str, str]:
        return {p: v[0] for p, v in self._get(paths).items()}

    def text(self, paths: list[str]) -> dict[str, str]:
        return {p: v[1] for p, v in self._get(paths).items()}


def _slim(parsed: Parsed) -> tuple[Parsed, tuple[str, str] | None]:
    """The parse record without the body's HTML and text, and those two."""
    for name in ("briefing", "entry", "page"):
        value = getattr(parsed, name)
        body = getattr(value, "body", None) if value is not None else None
        if body is not None:
            slim_body = dataclasses.replace(body, html="", text="")
            slim_value = dataclasses.replace(value, body=slim_body)
            return dataclasses.replace(parsed, **{name: slim_value}), (body.html, body.text)
    return parsed, None


def _parse_one(
    path: str, kind: str, data: bytes, settings: Settings, keep: bool
) -> tuple[Parsed, str | None, tuple[str, str] | None, str | None]:
    """Parse one file and, if the cache ``keep``s them, encode its cache records in the
    worker: the building process only stores them."""
    slim, body = _slim(parse_file(path, kind, data, settings))
    if not keep:
        return slim, None, body, None
    return slim, encode(parsed_to_json(slim)), body, encode(list(body)) if body else None


def parse_all(
    inputs: Inputs, settings: Settings, salt: str, cache: Cache, jobs: int, note: Progress
) -> tuple[list[Parsed], dict[str, str], Bodies]:
    keys = {f.path: digest(salt, f.path, f.sha) for f in inputs.files}
    bodies = Bodies(cache, keys)
    cached = cache.get_many("parsed", keys.values())
    parsed: dict[str, Parsed] = {}
    for f in inputs.files:
        value = cached.get(keys[f.path])
        if value is not None:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                parsed[f.path] = parsed_from_json(value)
    missing = [f for f in inputs.files if f.path not in parsed]
    done = len(parsed)
    note("parse", done, len(inputs.files))
    fresh = map_jobs(
        _parse_one,
        [(f.path, f.kind, f.data, settings, cache.enabled) for f in missing],
        jobs,
        lambda n: note("parse", done + n, len(inputs.files)),
    )
    new_records = []
    new_bodies = []
    for f, (slim, record, body, body_record) in zip(missing, fresh, strict=True):
        parsed[f.path] = slim
        if record is not None:
            new_records.append((keys[f.path], record))
        if body is not None:
            bodies.fresh[f.path] = body
            if body_record is not None:
                new_bodies.append((keys[f.path], body_record))
    note("parse", len(inputs.files), len(inputs.files))
    cache.put_encoded("parsed", new_records)
    cache.put_encoded("bodies", new_bodies)
    cache.keep_only("parsed", keys.values())
    cache.keep_only("bodies", keys.values())
    return [parsed[f.path] for f in inputs.files], keys, bodies
