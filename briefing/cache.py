"""The build cache: content-hash keyed, in one SQLite file, never trusted blindly.

Keys are digests of everything a value depends on (the tool's version, the
settings, the file's bytes), never modification times. Values are JSON, not
pickles: a corrupt or foreign cache can make a build slower, never wrong or unsafe.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

from briefing import __version__

SCHEMA = "briefing-cache-10"


@functools.cache
def code_digest() -> str:
    """The generator's own code and data: a cache written by other code is not trusted."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256(__version__.encode())
    # What renders, sanitizes and localizes is part of the code too.
    versions = installed_versions(
        ("markdown", "nh3", "pygments", "babel", "jinja2", "pyyaml", "markupsafe")
    )
    for package, version in versions.items():
        h.update(f"{package}={version}".encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".json", ".yaml") and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def installed_versions(packages: Iterable[str]) -> dict[str, str]:
    """Each package's version, from the name of its metadata folder on ``sys.path``
    (``Markdown-3.7.dist-info``), as importlib.metadata finds it: importing that module
    costs a tenth of a second of every build. A package not found has version ""."""
    wanted = {_normal(p): p for p in packages}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in sorted(names):
            stem, dot, kind = name.rpartition(".")
            if not dot or kind not in ("dist-info", "egg-info"):
                continue
            dist, _, version = stem.partition("-")
            key = _normal(dist)
            if key in wanted and wanted[key] not in found:
                found[wanted[key]] = version.partition("-")[0]
    return {p: found.get(p, "") for p in packages}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


# Made once: ``json.dumps`` with options makes an encoder per call. What the cache stores
# is trees of lists, dicts and strings that this code builds, never a cycle, so the check
# for one (a dict of every container's id) is left out: a tenth of encoding 10,000 bodies.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def encode(value: Any) -> str:
    """A value as the cache stores it: compact JSON."""
    return _ENCODE(value)


class CacheLost(Exception):
    """Entries this build wrote or counted on left the cache while it ran (another build
    with other inputs, or `briefing clean`): nothing was published; building again works."""


DEFAULT_DIR = ".briefing-cache"
_BATCH = 500
STORE_BATCH = 256  # rows a ``Batch`` stores in one transaction
PIECE = 500  # entries in each stored piece of a record (see Cache.put_record)
PAGE_SIZE = 65536  # bytes: SQLite's largest page (see Cache._open)


class Cache:
    """A key-value store in tables; ``Cache(None)`` is a cache that remembers nothing."""

    TABLES = (
        "parsed",
        "bodies",
        "finished_html",
        "search_docs",
        "search_bodies",
        "search_text",
        "search_roots",
        "page_slots",
        "meta",
    )

    def __init__(self, folder: Path | None) -> None:
        self.db: sqlite3.Connection | None = None
        self._pieces: dict[str, tuple[str, Any]] = {}  # what get_record read, by row
        # What ``preload`` decoded ahead of time: rows by table (and whether all of them),
        # and whole records, each handed out once.
        self._rows: dict[str, tuple[dict[str, Any], bool]] = {}
        self._records: dict[str, dict[str, Any] | None] = {}
        # The writes held back until ``flush`` (see ``defer``), in order; None: none are.
        self._deferred: list[tuple[str, str, Any]] | None = None
        self.folder = folder
        if folder is None:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = self._open(folder / "cache.sqlite")
        except (OSError, sqlite3.Error):
            self.db = None

    def _open(self, path: Path) -> sqlite3.Connection:
        for attempt in range(2):
            try:
                db = sqlite3.connect(path, timeout=30, isolation_level=None)
                # Set before the file's first table (it cannot change after): most values
                # are 2 to 150 KB, and in 4 KB pages each spans a chain of overflow pages.
                # A first build at 10,000 briefings stored its 180 MB in 2.4 s with 4 KB
                # pages and in 1.3 s with these.
                db.execute(f"PRAGMA page_size={PAGE_SIZE}")
                db.execute("PRAGMA journal_mode=WAL")
                # Never synced to the disk: a cache that a crash of the machine leaves
                # unreadable is started over (below, or a miss where a read fails), and
                # the sync on closing took 20 ms of every rebuild.
                db.execute("PRAGMA synchronous=OFF")
                for table in self.TABLES:
                    db.execute(
                        f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
                    )
                row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
                if row is None or row[0] != SCHEMA:
                    for (table,) in db.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table'"
                    ).fetchall():
                        if table not in self.TABLES:  # an older layout's
                            db.execute(f'DROP TABLE "{table}"')
                    for table in self.TABLES:
                        db.execute(f"DELETE FROM {table}")
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA,))
                return db
            except sqlite3.Error:
                if attempt:
                    raise
                # Corrupt or not ours: start over.
                for suffix in ("", "-wal", "-shm"):
                    with suppress(OSError):
                        Path(str(path) + suffix).unlink()
        raise sqlite3.Error("unreachable")

    def reopened(self) -> Cache:
        """The same cache through a connection of its own: a forked worker reads through
        this, never through its parent's connection."""
        other = Cache.joined(self.folder if self.db is not None else None)
        other._records = dict(self._records)  # decoded already: a forked worker has them
        other._pieces = dict(self._pieces)  # what those were read from (see record_rows)
        return other

    @classmethod
    def joined(cls, folder: Path | None) -> Cache:
        """The cache a build in another process opened in ``folder``, as that build left
        it: no table is made or emptied here."""
        other = cls(None)
        if folder is not None:
            other.folder = folder
            with suppress(sqlite3.Error):
                db = sqlite3.connect(folder / "cache.sqlite", timeout=30, isolation_level=None)
                # as the building process's own (see ``_open``): the search index's
                # process synced its writes to the disk four times a rebuild
                db.execute("PRAGMA synchronous=OFF")
                other.db = db
        return other

    @property
    def enabled(self) -> bool:
        return self.db is not None

    def get_many(self, table: str, keys: Iterable[str]) -> dict[str, Any]:
        """Values by key; a value that does not decode is simply missing."""
        found: dict[str, Any] = {}
        try:
            for key, value in self.get_raw(table, keys).items():
                with suppress(ValueError):
                    found[key] = json.loads(value)
        except sqlite3.Error:
            return {}
        return found

    def get_all(self, table: str) -> dict[str, Any]:
        """Every value of a small table of large rows; a row that does not decode is missing."""
        found, whole = self._rows.pop(table, ({}, False))
        if self.db is None or whole:
            return found
        try:
            rows: Iterable[tuple[str, str]]
            if not found:
                rows = self.db.execute(f"SELECT key, value FROM {table}")
            else:  # the rest of what ``preload`` began
                rest = [k for (k,) in self.db.execute(f"SELECT key FROM {table}") if k not in found]
                rows = self.get_raw(table, rest).items()
            for key, value in rows:
                with suppress(ValueError):
                    found[key] = json.loads(value)
        except sqlite3.Error:
            return {}
        return found

    def get_raw(self, table: str, keys: Iterable[str]) -> dict[str, str]:
        """Values by key, as stored (JSON text); raises sqlite3.Error."""
        found: dict[str, str] = {}
        if self.db is None:
            return found
        wanted = sorted(set(keys))
        for start in range(0, len(wanted), _BATCH):
            chunk = wanted[start : start + _BATCH]
            marks = ",".join("?" * len(chunk))
            found.update(
                self.db.execute(f"SELECT key, value FROM {table} WHERE key IN ({marks})", chunk)
            )
        return found

    def raw_holding(self, table: str, needles: list[str]) -> dict[str, str]:
        """The rows whose stored value holds one of ``needles``, as stored; raises
        sqlite3.Error. One pass over the table, in SQLite."""
        if self.db is None or not needles:
            return {}
        where = " OR ".join(["instr(value, ?) > 0"] * len(needles))
        return dict(self.db.execute(f"SELECT key, value FROM {table} WHERE {where}", needles))

    def preload(
        self,
        table: str,
        records: Iterable[str],
        stop: Callable[[], bool],
        shape: Callable[[Any], Any] | None = None,
    ) -> None:
        """Decode now the rows of ``table`` (each then given to ``shape``, if any), then
        ``records``, until ``stop()``: for while another process reads the site.
        ``get_all`` and ``get_record`` hand out what was decoded, and read the rest then."""
        if self.db is None or stop():
            return
        found: dict[str, Any] = {}
        whole = True
        try:
            for n, (key, value) in enumerate(self.db.execute(f"SELECT key, value FROM {table}")):
                if n % 8 == 7 and stop():
                    whole = False
                    break
                with suppress(ValueError):
                    row = json.loads(value)
                    found[key] = row if shape is None else shape(row)
        except sqlite3.Error:
            return
        self._rows[table] = (found, whole)
        for name in records:
            if stop():
                return
            self._records[name] = self.get_record(name)

    def read_ahead(self, names: Iterable[str]) -> None:
        """Decode records now, for ``get_record`` to hand out later: for a process that
        would otherwise wait."""
        for name in names:
            self._records[name] = self.get_record(name)

    def get_record(self, name: str) -> dict[str, Any] | None:
        """A record stored by ``put_record``, or None if it is missing or not whole."""
        if name in self._records:
            return self._records.pop(name)
        if self.db is None:
            return None
        try:
            rows = dict(
                self.db.execute(
                    "SELECT key, value FROM meta WHERE key >= ? AND key < ?",
                    (name + "/", name + "0"),
                )
            )
            head = json.loads(rows.pop(name + "/"))
            record: dict[str, Any] = {}
            for field, (how, stored) in head.items():
                if how == "value":
                    record[field] = stored
                    continue
                value: Any = [] if how == "list" else {}
                for n, generation in enumerate(stored):
                    key = f"{name}/{field}/{n}"
                    written, piece = json.loads(rows[key])
                    if written != generation:  # another build's piece
                        return None
                    self._pieces[key] = (generation, piece)
                    if how == "list":
                        value.extend(piece)
                    else:
                        value.update(piece)
                record[field] = value
            return record
        except (sqlite3.Error, KeyError, TypeError, ValueError, AttributeError):
            return None

    def put_record(self, name: str, record: dict[str, Any]) -> None:
        """Store a record of large lists and mappings in pieces of ``PIECE`` entries. Only
        pieces that differ from what ``get_record`` read are written: an edit changes a
        few entries of records that take megabytes. Each piece carries the generation the
        head names, so pieces of two builds sharing the cache are never read as one."""
        if self.db is not None:
            self.put_encoded("meta", self.record_rows(name, record))

    def record_rows(self, name: str, record: dict[str, Any]) -> list[tuple[str, str]]:
        """The rows ``put_record`` stores, encoded: a forked worker hands these to the
        building process, which stores them when it publishes, rather than the whole
        record (the search index's takes 5 MB at 10,000 briefings)."""
        generation = os.urandom(8).hex()
        head: dict[str, Any] = {}
        rows: list[tuple[str, str]] = []
        for field, value in record.items():
            if not isinstance(value, list | dict) or len(value) <= PIECE:
                head[field] = ["value", value]
                continue
            entries = list(value.items()) if isinstance(value, dict) else value
            stored = []
            for n, start in enumerate(range(0, len(entries), PIECE)):
                key = f"{name}/{field}/{n}"
                part = entries[start : start + PIECE]
                piece: Any = dict(part) if isinstance(value, dict) else part
                old = self._pieces.get(key)
                if old is not None and old[1] == piece:
                    stored.append(old[0])
                    continue
                self._pieces[key] = (generation, piece)
                rows.append((key, encode([generation, piece])))
                stored.append(generation)
            head[field] = ["list" if isinstance(value, list) else "dict", stored]
        rows.append((name + "/", encode(head)))
        return rows

    def put_many(self, table: str, items: Iterable[tuple[str, Any]]) -> None:
        self.put_encoded(table, ((key, encode(value)) for key, value in items))

    def defer(self) -> None:
        """Hold every write back until ``flush``: a process whose result another waits for
        hands it over first and stores what it made afterwards. Reads see the cache as it
        was (none of what is held back)."""
        if self._deferred is None:
            self._deferred = []

    def flush(self, until: Callable[[], bool] | None = None) -> None:
        """Make the writes held back (see ``defer``), in order. With ``until``, stop once
        it is true, between two transactions of at most ``STORE_BATCH`` rows each, and
        go on holding back the rest (and what comes after) until the next ``flush``."""
        held, self._deferred = self._deferred, None
        if held is None:
            return
        try:
            while held and (until is None or not until()):
                method, table, argument = held[0]
                if method == "put_made":  # made now, then stored as any other rows
                    held[0] = ("put_encoded", table, list(argument()))
                    continue
                if method == "put_encoded" and until is not None and len(argument) > STORE_BATCH:
                    held[0] = (method, table, argument[STORE_BATCH:])
                    argument = argument[:STORE_BATCH]
                else:
                    del held[0]
                getattr(self, method)(table, argument)
        finally:
            if until is not None:
                self._deferred = held

    def put_encoded(self, table: str, rows: Iterable[tuple[str, str]]) -> None:
        """Store values already made into JSON text by ``encode`` (in a worker, say)."""
        if self.db is None:
            return
        if self._deferred is not None:
            self._deferred.append(("put_encoded", table, list(rows)))
            return
        try:
            with self._transaction():
                self.db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", rows)
        except sqlite3.Error:
            self.db = None

    def put_made(self, table: str, make: Callable[[], Iterable[tuple[str, str]]]) -> None:
        """``put_encoded`` of the rows ``make()`` gives, made only when they are stored: a
        process holding its writes back (see ``defer``) makes them once its result is
        handed over (a rename's search index encoded 4,700 documents meanwhile, 0.04 s of
        its result's way). ``make`` must give the same rows whenever it is called."""
        if self._deferred is not None:
            self._deferred.append(("put_made", table, make))
            return
        self.put_encoded(table, make())

    def replace_all(self, table: str, items: Iterable[tuple[str, Any]]) -> None:
        if self.db is None:
            return
        rows = [(key, encode(value)) for key, value in items]
        if self._deferred is not None:
            self._deferred.append(("replace_encoded", table, rows))
            return
        self.replace_encoded(table, rows)

    def replace_encoded(self, table: str, rows: list[tuple[str, str]]) -> None:
        """``replace_all`` of values already encoded."""
        if self.db is None:
            return
        try:
            with self._transaction():
                self.db.execute(f"DELETE FROM {table}")
                self.db.executemany(f"INSERT INTO {table} VALUES (?, ?)", rows)
        except sqlite3.Error:
            self.db = None

    def delete_many(self, table: str, keys: Iterable[str]) -> None:
        if self.db is None:
            return
        if self._deferred is not None:
            self._deferred.append(("delete_many", table, list(keys)))
            return
        try:
            with self._transaction():
                self.db.executemany(f"DELETE FROM {table} WHERE key = ?", ((k,) for k in keys))
        except sqlite3.Error:
            self.db = None

    def keep_only(self, table: str, keys: Iterable[str]) -> None:
        """Drop entries no file uses any more, so the cache does not grow without bound."""
        if self.db is None:
            return
        keep = set(keys)
        if self._deferred is not None:
            self._deferred.append(("keep_only", table, keep))
            return
        try:
            stale = [k for (k,) in self.db.execute(f"SELECT key FROM {table}") if k not in keep]
            with self._transaction():
                self.db.executemany(f"DELETE FROM {table} WHERE key = ?", ((k,) for k in stale))
        except sqlite3.Error:
            self.db = None

    def keys(self, table: str) -> set[str]:
        """The keys ``table`` holds (none when the cache is off or failed)."""
        if self.db is None:
            return set()
        try:
            return {k for (k,) in self.db.execute(f"SELECT key FROM {table}")}
        except sqlite3.Error:
            self.db = None
            return set()

    def _transaction(self) -> _Tx:
        assert self.db is not None
        return _Tx(self.db)

    def close(self) -> None:
        if self.db is not None:
            with suppress(sqlite3.Error):
                self.db.close()
            self.db = None


class Batch:
    """Rows stored ``STORE_BATCH`` at a time as they are made: this process stores what its
    workers made while they make the rest (see ``workers.map_jobs``'s ``each``), rather
    than all of it after them. ``flush`` stores what is left."""

    def __init__(self, cache: Cache, table: str) -> None:
        self.cache = cache
        self.table = table
        self.rows: list[tuple[str, str]] = []

    def add(self, key: str, encoded: str) -> None:
        self.rows.append((key, encoded))
        if len(self.rows) >= STORE_BATCH:
            self.flush()

    def flush(self) -> None:
        self.cache.put_encoded(self.table, self.rows)
        self.rows = []


class _Tx:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN")

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
