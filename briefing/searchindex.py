"""The search index of a site, rebuilt only as far as its documents changed.

A document is cached by a digest of it, without its body; a briefing's body is analysed
once for the text it is (by its parse key) and cached apart, with its text as stored for
snippets. A document's analysis (its terms, spellings, row and text) is made from the two:
a person renamed changes thousands of briefings' documents, and none of their bodies is
read or analysed again.

When the documents are the same ones in the same order as last time and only some
changed, the index is patched: the postings of the shard keys whose terms those
documents gained, lost or moved between tiers are read from the cache, updated, and only
their shard files are made again, with the document-table chunks of the changed documents,
the text files of those whose summary or body changed and the name files of those whose
names or tags changed. Otherwise (a document added, removed or moved) it is assembled in
full from the documents and bodies analysed. Both ways give the same bytes.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

from briefing import search
from briefing.cache import Cache, code_digest, encode
from briefing.link import Item
from briefing.pages import count_label
from briefing.parsing import Bodies
from briefing.registry import Actor, Key
from briefing.text import digest
from briefing.theme import long_date
from briefing.workers import map_jobs
from briefing.write import sha as sha256

Files = dict[str, bytes]


class Listed(NamedTuple):
    """What the index knows of a briefing (of its ``Item``): little enough to hand to
    another process whole (see ``build``)."""

    path: str
    title: str
    url: str
    date: str  # the day, as on the briefing's card (ISO 8601)
    summary: str
    actors: tuple[Key, ...]
    tags: tuple[Key, ...]


def listed(items: list[Item]) -> list[tuple[Any, ...]]:
    """The briefings as the index knows them, in the order given (the site's): each
    ``Listed``'s fields in a plain tuple, which pickles in half the time. A few thousand
    moments serve 10,000 briefings (``resolve._moment``): each one's day is worked out
    once, by the moment object (two equal moments of two zones can fall on two days)."""
    days: dict[int, str] = {}
    rows: list[tuple[Any, ...]] = []
    for i in items:
        day = days.get(id(i.moment))
        if day is None:
            day = days[id(i.moment)] = i.moment.date().isoformat()
        rows.append((i.briefing.path, i.briefing.title, i.url, day, i.summary, i.actors, i.tags))
    return rows


@dataclass
class Catalog:
    """What the index is made of: the briefings, in the site's order, the actors, and the
    site's words for dates and counts. All of it is known once the briefings are
    resolved, so the index is begun then, in a process of its own, while the building
    process links the site and makes the pages (see ``build``)."""

    items: list[Listed]
    actors: dict[Key, Actor]
    lang: str
    words: Mapping[str, Any]

    @cached_property
    def named(self) -> Counter[Key]:
        """How many briefings name each actor and tag (``Site.named``, counted)."""
        return Counter(key for item in self.items for key in (*item.actors, *item.tags))

    def date_label(self, day: str) -> str:
        return long_date(dt.date.fromisoformat(day), self.lang)

    def count_label(self, n: int) -> str:
        return count_label(self.words, n)


@dataclass
class _Last:
    """What the last build's index was made of (the ``search`` record, checked)."""

    ids: list[str]  # analysis key per document id
    urls: list[str]  # document url per id
    kinds: list[str]
    rows: list[list[object]]
    roots: dict[str, list[list[str]]]  # shard key -> [shard names, split names]
    riding: dict[str, list[int]]  # shard name -> ids of the rows riding along
    files: dict[str, str]  # path -> sha256
    layout: list[int]  # see _layout


def _layout() -> list[int]:
    """The shape of the index's files. An index of another shape (documents grouped
    otherwise, by an earlier version) is made again in full, never patched: no file of
    the old shape is kept, none is left behind."""
    return [search.FORMAT_VERSION, search.DOC_CHUNK, search.TEXT_CHUNK, search.NAMES_CHUNK]


def search_index(
    catalog: Catalog,
    bodies: Bodies,
    parse_keys: dict[str, str],
    cache: Cache,
    manifest: dict[str, str],
    intact: frozenset[str],
    jobs: int,
    context: str,
    resolutions: str,
    order_key: str,
) -> tuple[Files, dict[str, str], dict[str, Any]]:
    """The search index: (files to write, files kept as they are, the record to cache).

    Documents are digested without reading a single body (a briefing's parse key stands for
    its text). When no document changed, the index is left as it is. ``intact`` are the
    last build's files still as it left them (see ``write.intact``). ``context`` digests
    all a briefing's document depends on besides its own file, the actors it names and
    their names (the code, the config): while it is the last build's, a briefing whose
    file is unchanged keeps its document's key without the document being made, unless it
    names an actor renamed since, or the names written in front matter resolve otherwise
    than then (``resolutions``: see ``Resolved.resolutions``) and it names other actors
    than then (see ``_Memo``). ``order_key`` digests
    what orders the documents besides the context (the briefings' front matter, which
    briefings are published): while both are the last build's, the documents are in the
    last build's order and are not sorted again.
    """
    record = cache.get_record("search")
    last = _last(record)
    names = {f"{k[0]}:{k[1]}": a.name for k, a in catalog.actors.items()}
    memo = _Memo()
    if isinstance(record, dict) and context and record.get("context") == context:
        found, then = record.get("memo"), record.get("names")
        if isinstance(found, dict) and isinstance(then, dict):
            renamed = frozenset(
                k for k, a in catalog.actors.items() if then.get(f"{k[0]}:{k[1]}") != a.name
            )
            memo = _Memo(found, renamed, record.get("resolutions") != resolutions, then)
    salt = code_digest()
    known = None
    same_order = isinstance(record, dict) and bool(order_key) and record.get("order") == order_key
    if memo.keys and last is not None and same_order:
        known = _in_known_order(catalog, parse_keys, salt, memo, last)
    if known is not None and last is not None:
        docs, by_id, briefing_keys = known
        keys, ids, kinds, urls = by_id, list(range(len(by_id))), last.kinds, last.urls
    else:
        docs, keys, briefing_keys = _documents(catalog, parse_keys, salt, memo)
        listed = docs.docs
        ids = search.doc_order(listed)
        kinds = search.kinds_of(listed)
        by_id = [keys[i] for i in ids]
        urls = [listed[i].url for i in ids]
    wanted = digest(*by_id)

    def still(path: str, sha: str) -> bool:
        return manifest.get(path) == sha and path in intact

    remembered = {
        "digest": wanted,
        "context": context,
        "resolutions": resolutions,
        "order": order_key,
        "memo": briefing_keys,
        "names": names,
    }
    if (
        last is not None
        and isinstance(record, dict)
        and record.get("digest") == wanted
        and last.urls == urls
        and all(still(p, sha) for p, sha in last.files.items())
    ):
        return {}, dict(last.files), {**record, **remembered}
    if last is not None and last.urls == urls and last.kinds == kinds:
        patched = _patch(docs, keys, ids, by_id, kinds, last, bodies, cache, jobs, still)
        if patched is not None:
            built, kept, made = patched
            return built, kept, {**remembered, **made}
    built, kept, made = _full(docs, keys, ids, by_id, urls, kinds, bodies, cache, jobs, last, still)
    return built, kept, {**remembered, **made}


def _doc_key(doc: search.SearchDoc, parse_keys: dict[str, str], salt: str) -> str:
    """One hash of one string (``salt`` and a parse key are hex digests): 11,000 documents
    are keyed on every build."""
    text_key = parse_keys.get(doc.body, "") if doc.kind == "briefing" else ""
    # every field (a briefing's body is the path its parse key stands for), as a tuple
    text = f"{salt}:{text_key}:{tuple.__repr__(doc)}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _body_key(parse_key: str, salt: str) -> str:
    """The key a briefing's body is cached by: its file's parse key stands for its text."""
    if not parse_key:
        return ""
    return hashlib.sha256(f"{salt}:{parse_key}".encode()).hexdigest()


def _analyses(
    docs: _Documents,
    keys: list[str],
    wanted: list[int],
    bodies: Bodies,
    cache: Cache,
    jobs: int,
    stored: set[str] | frozenset[str] = frozenset(),
) -> dict[str, search.Analysis]:
    """The analyses of documents ``wanted`` (indices into ``docs``), their text's body left
    out (None) unless it was analysed now. A body analysed before is read back, not
    analysed again; the others are analysed in the workers and cached with their text.
    The documents are cached too, but for those ``stored`` already."""
    whole = {i: docs.whole(i) for i in wanted}
    body_keys = {i: docs.body_key(i) for i in wanted}
    parts = _parts(cache, [k for k in body_keys.values() if k])
    found: dict[str, search.Analysis] = {}
    missing: list[int] = []
    for i in wanted:
        doc, body_key = whole[i], body_keys[i]
        if doc.kind != "briefing":
            found[keys[i]] = search.combine(search.head(doc), search.NO_BODY, "")
        elif body_key in parts:
            found[keys[i]] = search.combine(search.head(doc), parts[body_key], None)
        else:
            missing.append(i)
    keep = cache.enabled
    if missing:
        done = map_jobs(_analyze, [(d, keep) for d in _with_text(docs, missing, bodies)], jobs)
        made = [(body_keys[i], *result) for i, result in zip(missing, done, strict=True)]
        for i, (_, analysis, _, _) in zip(missing, made, strict=True):
            found[keys[i]] = analysis
        if keep:
            cache.put_encoded("search_bodies", ((k, record) for k, _, record, _ in made if k))
            cache.put_encoded("search_text", ((k, text) for k, _, _, text in made if k))
    _store_heads(
        cache, [(keys[i], whole[i], body_keys[i]) for i in wanted if keys[i] not in stored]
    )
    return found


def _store_heads(cache: Cache, heads: list[tuple[str, search.SearchDoc, str]]) -> None:
    if cache.enabled:  # encoded when stored: after the index is handed over, if held back
        cache.put_made("search_docs", lambda: [(k, encode(_head(d, b))) for k, d, b in heads])


def _analyze(doc: search.SearchDoc, keep: bool) -> tuple[search.Analysis, str, str]:
    """A document's analysis and, if the cache ``keep``s them, its body's two cache records
    (its part of the analysis, its stored text), made in the worker: the building process
    only stores them."""
    part, stored = search.body_part(doc.body)
    found = search.combine(search.head(doc), part, stored)
    if not keep:
        return found, "", ""
    return found, encode(part.to_json()), encode(stored)


def _parts(cache: Cache, body_keys: list[str]) -> dict[str, search.BodyPart]:
    """The bodies' parts the cache holds, by key; one that does not read as one is missing."""
    parts: dict[str, search.BodyPart] = {}
    for key, value in cache.get_many("search_bodies", body_keys).items():
        part = _part(value)
        if part is not None:
            parts[key] = part
    return parts


def _part(value: Any, only: Collection[str] | None = None) -> search.BodyPart | None:
    """A body's part as stored, or all the part ``only`` those terms have in it; None if
    it does not read as one."""
    try:
        return search.BodyPart.from_json(value, only)
    except (ValueError, TypeError):
        return None


def _part_of(
    stored: dict[str, Any], body_key: str, only: Collection[str] | None = None
) -> search.BodyPart | None:
    """``_part`` of the stored part of body ``body_key``; no part for a document without
    a body."""
    return _part(stored[body_key], only) if body_key else search.NO_BODY


def _head(doc: search.SearchDoc, body_key: str) -> list[object]:
    """A document as cached: its body's key in place of its body."""
    return [*doc[:6], body_key, list(doc.names), list(doc.tags)]


def _read_head(value: Any) -> search.SearchDoc:
    if not (isinstance(value, list) and len(value) == 9):
        raise ValueError("search document")
    *fields, names, tags = value
    if not (
        all(isinstance(f, str) for f in fields)
        and isinstance(names, list)
        and isinstance(tags, list)
        and all(isinstance(n, str) for n in names + tags)
    ):
        raise ValueError("search document")
    kind, title, url, date, date_label, summary, body = fields
    return search.SearchDoc(
        kind, title, url, date, date_label, summary, body, tuple(names), tuple(tags)
    )


def _cached(cache: Cache, keys: list[str]) -> dict[str, search.SearchDoc]:
    """Cached documents by key (each with its body's key as its body); bad ones left out."""
    heads: dict[str, search.SearchDoc] = {}
    for key, value in cache.get_many("search_docs", keys).items():
        with contextlib.suppress(ValueError, TypeError):
            heads[key] = _read_head(value)
    return heads


def _with_text(docs: _Documents, indices: list[int], bodies: Bodies) -> list[search.SearchDoc]:
    """Documents ``indices``, whole, with their text (a briefing's, read from the cache)."""
    whole = [docs.whole(i) for i in indices]
    texts = bodies.text([d.body for d in whole if d.kind == "briefing"])
    return [d._replace(body=texts.get(d.body, "")) if d.kind == "briefing" else d for d in whole]


def _texts(
    docs: _Documents,
    keys: list[str],
    order: list[int],
    redo: list[int],
    analyses: dict[str, search.Analysis],
    bodies: Bodies,
    cache: Cache,
) -> Files:
    """The text chunks holding document ids ``redo``. A document's text is its analysis's,
    or its cached document's; its body is read from the cache only now (the bodies are
    most of the index), or made again if the cache lost it."""
    size = search.TEXT_CHUNK
    chunks = sorted({d // size for d in redo})
    ids = [d for c in chunks for d in range(c * size, min((c + 1) * size, len(order)))]
    texts: dict[str, list[object]] = {}
    for key in (keys[order[d]] for d in ids):
        found = analyses.get(key)
        if found is not None:
            texts[key] = list(found.text)
    heads = _cached(cache, [keys[order[d]] for d in ids if keys[order[d]] not in texts])
    for key, doc in heads.items():
        texts[key] = search.stored_text(doc, "" if doc.kind != "briefing" else None)
    body_of = {keys[order[d]]: docs.body_key(order[d]) for d in ids}
    need = sorted({body_of[k] for k, text in texts.items() if text[1] is None and body_of[k]})
    stored = cache.get_many("search_text", need)
    for key, text in texts.items():
        if text[1] is None and isinstance(stored.get(body_of[key]), str):
            text[1] = stored[body_of[key]]
    lost = [order[d] for d in ids if texts.get(keys[order[d]], [None, None])[1] is None]
    for i, doc in zip(lost, _with_text(docs, lost, bodies), strict=True):
        texts[keys[i]] = search.analyze(doc).text
    files: Files = {}
    for c in chunks:
        end = min((c + 1) * size, len(order))
        path, data = search.text_file(c, [texts[keys[order[d]]] for d in range(c * size, end)])
        files[path] = data
    return files


def _names(docs: _Documents, order: list[int], redo: list[int]) -> Files:
    """The name chunks holding document ids ``redo``, from the documents themselves: a
    briefing's names and tags are its actors', which the site has at hand."""
    size = search.NAMES_CHUNK
    files: Files = {}
    for c in sorted({d // size for d in redo}):
        ids = range(c * size, min((c + 1) * size, len(order)))
        path, data = search.names_file(
            c, [search.stored_text(docs.names_and_tags(order[d]), "") for d in ids]
        )
        files[path] = data
    return files


def _full(
    docs: _Documents,
    keys: list[str],
    order: list[int],
    by_id: list[str],
    urls: list[str],
    kinds: list[str],
    bodies: Bodies,
    cache: Cache,
    jobs: int,
    last: _Last | None,
    still: Callable[[str, str], bool],
) -> tuple[Files, dict[str, str], dict[str, Any]]:
    """The whole index from the (cached) analyses; its postings are cached by shard key.
    The text file of a document with the same id and analysis as last time is kept."""
    cache.keep_only("search_docs", keys)
    body_keys = [docs.body_key(i) for i in range(len(keys))]
    cache.keep_only("search_bodies", body_keys)
    cache.keep_only("search_text", body_keys)
    # With writes held back (``Cache.defer``), these keys still hold the ones dropped
    # above: only the keys of ``keys`` are looked up in them, and those were kept.
    known = cache.keys("search_docs")
    analyses = _analyses(docs, keys, list(range(len(keys))), bodies, cache, jobs, known)
    in_order = [analyses[key] for key in by_id]
    postings, spellings = search.postings_of(in_order)
    rows = search.rows_of(in_order, kinds)
    built: Files = {}
    roots: dict[str, list[list[str]]] = {}
    riding: dict[str, list[int]] = {}
    stored = _make_roots(search.roots_of(postings), postings, spellings, rows, built, roots, riding)
    cache.replace_all("search_roots", stored)
    for n in range(0, len(rows), search.DOC_CHUNK):
        path, data = search.chunk_file(rows, n // search.DOC_CHUNK)
        built[path] = data
    built["search/index.js"] = _manifest(len(rows), kinds, roots)
    kept: dict[str, str] = {}
    redo: list[int] = []
    size = search.TEXT_CHUNK
    for start in range(0, len(by_id), size):
        path = f"search/x/{start // size}.js"
        ids = by_id[start : start + size]
        same = last is not None and last.ids[start : start + size] == ids
        sha = last.files.get(path) if last is not None and same else None
        if isinstance(sha, str) and still(path, sha):
            kept[path] = sha
        else:
            redo.append(start)
    built.update(_texts(docs, keys, order, redo, analyses, bodies, cache))
    built.update(_names(docs, order, list(range(len(order)))))
    files = {**{p: sha256(data) for p, data in built.items()}, **kept}
    return built, kept, _record(_Last(by_id, urls, kinds, rows, roots, riding, files, _layout()))


def _patch(
    docs: _Documents,
    keys: list[str],
    order: list[int],
    by_id: list[str],
    kinds: list[str],
    last: _Last,
    bodies: Bodies,
    cache: Cache,
    jobs: int,
    still: Callable[[str, str], bool],
) -> tuple[Files, dict[str, str], dict[str, Any]] | None:
    """The index patched for the documents whose analysis changed; None when the cache
    does not hold what that needs (the caller then builds it in full)."""
    changed = [d for d, key in enumerate(by_id) if key != last.ids[d]]
    known = docs.was
    heads = {last.ids[d]: known[last.ids[d]] for d in changed if last.ids[d] in known}
    heads.update(_cached(cache, [last.ids[d] for d in changed if last.ids[d] not in heads]))
    if any(last.ids[d] not in heads for d in changed):
        return None
    old_bodies = {doc.body for doc in heads.values() if doc.body}
    stored_parts = cache.get_many("search_bodies", sorted(old_bodies))
    if old_bodies - stored_parts.keys():
        return None
    old: dict[str, search.Analysis] = {}
    new: dict[str, search.Analysis] = {}
    rest: list[int] = []  # documents whose body changed
    same: list[tuple[str, search.SearchDoc, str]] = []
    memo: dict[tuple[str, ...], search.Counts] = {}
    differing: dict[Any, set[str]] = {}  # see search.renamed_heads
    texts: list[int] = []  # documents whose summary or body changed
    named: list[int] = []  # documents whose names or tags changed
    for d in changed:
        was, i = heads[last.ids[d]], order[d]
        body_key = docs.body_key(i)
        doc = docs.whole(i)
        if (doc.names, doc.tags) != (was.names, was.tags):
            named.append(d)
        if body_key != was.body or (was.kind == "briefing" and not body_key):
            part = _part_of(stored_parts, was.body)
            if part is None:
                return None
            old[last.ids[d]] = search.combine(search.head(was), part, None)
            rest.append(i)
            texts.append(d)
            continue
        if doc.summary != was.summary:
            texts.append(d)
        # The same body: only the terms of the head's fields that changed can differ.
        renamed = search.renamed_heads(was, doc, differing)
        if renamed is None:
            then, now = search.head(was, memo), search.head(doc, memo)
            only = search.changed_terms(then, now)
        else:
            then, now, only = renamed
        part = _part_of(stored_parts, was.body, only)
        if part is None:
            return None
        old[last.ids[d]] = search.terms_only(then, part, only)
        new[keys[i]] = search.combine(now, part, "" if doc.kind != "briefing" else None, only)
        same.append((keys[i], doc, body_key))
    _store_heads(cache, same)
    new.update(_analyses(docs, keys, rest, bodies, cache, jobs))
    # The tables hold the last build's documents and those analysed now: only the changed
    # documents' old ones (and their old bodies) can have gone out of use.
    cache.delete_many("search_docs", sorted({last.ids[d] for d in changed} - set(keys)))
    unused = old_bodies - {docs.body_key(order[d]) for d in changed}
    cache.delete_many("search_bodies", sorted(unused))
    cache.delete_many("search_text", sorted(unused))
    rows = list(last.rows)
    moved_rows: set[int] = set()
    touched: dict[str, list[tuple[int, str]]] = {}  # shard key -> (doc id, term)
    for d in changed:
        before, after = old[last.ids[d]], new[by_id[d]]
        row = search.rows_of([after], kinds)[0]
        if row != rows[d]:
            rows[d] = row
            moved_rows.add(d)
        for term in before.tiers.keys() | after.tiers.keys():
            if before.tiers.get(term) != after.tiers.get(term) or before.spellings.get(
                term
            ) != after.spellings.get(term):
                touched.setdefault(search.shard_key(term), []).append((d, term))
    shard_root = {name: key for key, (names, _) in last.roots.items() for name in names}
    redo = set(touched)
    for name, ids in last.riding.items():
        if moved_rows.intersection(ids) and name in shard_root:
            redo.add(shard_root[name])
    loaded = cache.get_many("search_roots", sorted(redo))
    postings: search.Postings = {}
    spellings: search.Spellings = {}
    for key in redo:
        value = loaded.get(key)
        if value is None and key in last.roots:
            return None
        try:
            _read_root(value or {"p": {}, "s": {}}, postings, spellings)
        except (TypeError, ValueError, KeyError, AttributeError):
            return None
    for key in sorted(touched):
        for d, term in touched[key]:
            _move(d, term, old[last.ids[d]], new[by_id[d]], postings, spellings)
    roots = {k: v for k, v in last.roots.items() if k not in redo}
    riding = {n: ids for n, ids in last.riding.items() if shard_root.get(n) not in redo}
    built: Files = {}
    by_root = search.roots_of(postings)
    remade = {key: by_root[key] for key in sorted(redo) if by_root.get(key)}
    stored = _make_roots(remade, postings, spellings, rows, built, roots, riding)
    cache.put_many("search_roots", stored)
    cache.delete_many("search_roots", sorted(redo - remade.keys()))
    for chunk in sorted({d // search.DOC_CHUNK for d in moved_rows}):
        path, data = search.chunk_file(rows, chunk)
        built[path] = data
    built["search/index.js"] = _manifest(len(rows), kinds, dict(sorted(roots.items())))
    built.update(_texts(docs, keys, order, texts, {**old, **new}, bodies, cache))
    built.update(_names(docs, order, named))
    files = {p: sha for p, sha in last.files.items() if not p.startswith("search/t/")}
    for names, _ in roots.values():
        for name in names:
            path = f"search/t/{name}.js"
            if path in last.files and path not in built:
                files[path] = last.files[path]
    for p, data in built.items():
        files[p] = sha256(data)
    kept = {p: sha for p, sha in files.items() if p not in built}
    if not all(still(p, sha) for p, sha in kept.items()):
        return None  # a file was changed or removed by hand: make them all again
    return (
        built,
        kept,
        _record(_Last(by_id, last.urls, kinds, rows, roots, riding, files, _layout())),
    )


def _make_roots(
    wanted: dict[str, list[str]],
    postings: search.Postings,
    spellings: search.Spellings,
    rows: list[list[object]],
    built: Files,
    roots: dict[str, list[list[str]]],
    riding: dict[str, list[int]],
) -> list[tuple[str, Any]]:
    """Make the shard files of the shard keys ``wanted`` (key -> its terms) into ``built``,
    note their shards in ``roots`` and riding rows in ``riding``; return their postings,
    to cache by key."""
    stored = []
    for key, terms in wanted.items():
        made = search.root_files(key, terms, postings, spellings, rows)
        built.update(made.files)
        roots[key] = [made.shards, made.split]
        riding.update(made.rows)
        stored.append((key, _root_json(terms, postings, spellings)))
    return stored


def _record(last: _Last) -> dict[str, Any]:
    """The ``search`` record (read back by ``_last``), its mappings in a stable order."""
    return {
        f.name: dict(sorted(v.items())) if isinstance(v := getattr(last, f.name), dict) else v
        for f in dataclasses.fields(_Last)
    }


def _move(
    d: int,
    term: str,
    before: search.Analysis,
    after: search.Analysis,
    postings: search.Postings,
    spellings: search.Spellings,
) -> None:
    """Document ``d``'s posting of ``term`` as ``after`` has it instead of ``before``."""
    was, now = before.tiers.get(term), after.tiers.get(term)
    lists = postings.setdefault(term, [[], [], [], []])
    if was is not None:
        lists[was].remove(d)
    if now is not None:
        bisect.insort(lists[now], d)
    if not any(lists):
        del postings[term]
    spelled = spellings.setdefault(term, {})
    spelled.pop(d, None)
    if term in after.spellings:
        spelled[d] = after.spellings[term]
    if not spelled:
        del spellings[term]


def _root_json(terms: list[str], postings: search.Postings, spellings: search.Spellings) -> Any:
    return {
        "p": {t: postings[t] for t in terms},
        "s": {t: {str(d): s for d, s in spellings[t].items()} for t in terms if t in spellings},
    }


def _read_root(value: Any, postings: search.Postings, spellings: search.Spellings) -> None:
    for term, lists in value["p"].items():
        if not (isinstance(lists, list) and len(lists) == 4):
            raise ValueError("postings")
        postings[str(term)] = [[int(i) for i in ids] for ids in lists]
    for term, spelled in value["s"].items():
        spellings[str(term)] = {int(d): str(s) for d, s in spelled.items()}


def _manifest(n: int, kinds: list[str], roots: dict[str, list[list[str]]]) -> bytes:
    shards = [name for names, _ in roots.values() for name in names]
    split = [name for _, names in roots.values() for name in names]
    return search.manifest_file(n, kinds, shards, split)


def _last(record: Any) -> _Last | None:
    """The last build's record, if it has every part and each has the right shape."""
    if not isinstance(record, dict):
        return None
    try:
        last = _Last(**{f.name: record[f.name] for f in dataclasses.fields(_Last)})
    except (KeyError, TypeError):
        return None
    if last.layout != _layout():
        return None
    lists_ok = all(isinstance(v, list) for v in (last.ids, last.urls, last.kinds, last.rows))
    maps_ok = all(isinstance(v, dict) for v in (last.roots, last.riding, last.files))
    if (
        not (lists_ok and maps_ok)
        or len(last.ids) != len(last.urls)
        or len(last.rows) != len(last.ids)
    ):
        return None
    return last


_NAMED_ONLY = search.SearchDoc("briefing", "", "", "", "", "", "", (), ())


@dataclass
class _Documents:
    """The search documents. A briefing whose key is known is only sketched (kind,
    title, url and date: what orders the documents; or nothing, when the order is known)
    until ``whole`` is asked for it. ``items`` maps a document to its briefing's index in
    the site, where the two differ."""

    docs: list[search.SearchDoc]
    sketched: set[int]
    catalog: Catalog
    parse_keys: dict[str, str]
    salt: str
    items: dict[int, int] = dataclasses.field(default_factory=dict)
    body_keys: dict[int, str] = dataclasses.field(default_factory=dict)
    # the last build's documents of briefings renamed actors' names changed, by key, as
    # cached (see ``_Memo.was``)
    was: dict[str, search.SearchDoc] = dataclasses.field(default_factory=dict)

    def whole(self, i: int) -> search.SearchDoc:
        if i in self.sketched:
            self.docs[i] = _briefing_doc(self.catalog, self._item(i))
            self.sketched.discard(i)
        return self.docs[i]

    def names_and_tags(self, i: int) -> search.SearchDoc:
        """Document ``i``'s names and tags, in a document of nothing else, unless it is
        made already: a rename rewrites the name chunks of every document."""
        if i not in self.sketched:
            return self.docs[i]
        item, actors = self._item(i), self.catalog.actors
        names = tuple([actors[k].name for k in item.actors])
        return _NAMED_ONLY._replace(names=names, tags=tuple([actors[k].name for k in item.tags]))

    def _item(self, i: int) -> Listed:
        return self.catalog.items[self.items.get(i, i)]

    def body_key(self, i: int) -> str:
        """The key of document ``i``'s body; "" for an actor, which has none. Made once
        (a full index asks it of every document three times)."""
        found = self.body_keys.get(i)
        if found is None:
            doc = self.docs[i]
            path = self._item(i).path if i in self.sketched else doc.body
            found = (
                ""
                if doc.kind != "briefing"
                else _body_key(self.parse_keys.get(path, ""), self.salt)
            )
            self.body_keys[i] = found
        return found


@dataclass(frozen=True)
class _Memo:
    """The last build's briefings' document keys, by parse key, each with a digest of the
    actors and tags the briefing named (``_named``). A briefing whose file is unchanged
    keeps its key but when it names an actor ``renamed`` since, or names other actors
    than then: that is looked at only when the names written in front matter resolve
    otherwise than then (``check``: an alias that takes a name over, a registry file added
    or removed). A rename changes the documents of the briefings naming the person alone."""

    keys: dict[str, Any] = dataclasses.field(default_factory=dict)
    renamed: frozenset[Key] = frozenset()
    check: bool = False
    then: dict[str, Any] = dataclasses.field(default_factory=dict)  # the actors' names

    def known(self, parse_key: str, item: Listed) -> list[str] | None:
        """The briefing's document key and actors' digest, if it keeps them."""
        renamed = self.renamed
        if renamed and not (renamed.isdisjoint(item.actors) and renamed.isdisjoint(item.tags)):
            return None
        return self._found(parse_key, item)

    def _found(self, parse_key: str, item: Listed, named: str | None = None) -> list[str] | None:
        """The briefing's entry, when it names the actors it named then (or the names
        resolve as then: then it does); ``named`` is ``_named(item)``, if known."""
        found = self.keys.get(parse_key) if parse_key else None
        if not (type(found) is list and len(found) == 2 and type(found[0]) is str):
            return None
        if self.check and (named or _named(item)) != found[1]:
            return None
        return found

    def was(
        self,
        parse_key: str,
        item: Listed,
        doc: search.SearchDoc,
        key: Callable[[Any], str],
        named: str,
    ) -> tuple[str, search.SearchDoc] | None:
        """The key and document of a briefing that names the same actors as then, some
        renamed since: its document with their names then, if its key (``key``) is the
        one the memo holds. Reading the last build's documents back took a tenth of a
        second of a rename at 10,000 briefings. ``named`` is ``_named(item)``."""
        found = self._found(parse_key, item, named)
        if found is None:
            return None
        then = self.then
        try:
            names = tuple([then[f"{k}:{i}"] for k, i in item.actors])
            tags = tuple([then[f"{k}:{i}"] for k, i in item.tags])
        except KeyError:
            return None
        was = doc._replace(names=names, tags=tags)
        return (found[0], was) if key(was) == found[0] else None


def _named(item: Listed) -> str:
    """A digest of the actors and tags a briefing names, in order."""
    text = (
        "|".join([f"{k}:{i}" for k, i in item.actors]) + "||" + "|".join([i for _, i in item.tags])
    )
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _in_known_order(
    catalog: Catalog, parse_keys: dict[str, str], salt: str, memo: _Memo, last: _Last
) -> tuple[_Documents, list[str], dict[str, list[str]]] | None:
    """The documents in the last build's order, with their keys, and the next ``memo``;
    only the briefings whose key is not in ``memo`` and the actors are made. None when
    the last build's documents are not these (the caller then sorts them anew)."""
    where = {url: d for d, url in enumerate(last.urls)}
    items = catalog.items
    actors = _actor_docs(catalog)
    if len(items) + len(actors) != len(last.urls):
        return None
    keys = list(last.ids)
    blank = search.SearchDoc("briefing", "", "", "", "", "", "", (), ())
    docs = [blank] * len(keys)
    sketched: set[int] = set()
    item_at: dict[int, int] = {}
    by_parse: dict[str, list[str]] = {}
    was: dict[str, search.SearchDoc] = {}
    for n, item in enumerate(items):
        d = where.get(item.url)
        if d is None:
            return None
        item_at[d] = n
        parse_key, known, doc = _briefing_key(catalog, item, parse_keys, salt, memo, was)
        key = known[0]
        if doc is not None:
            docs[d], keys[d] = doc, key
        elif key != keys[d]:
            return None
        else:
            sketched.add(d)
        if parse_key:
            by_parse[parse_key] = known
    for doc in actors:
        d = where.get(doc.url)
        if d is None or d in item_at:
            return None
        docs[d] = doc
        keys[d] = _doc_key(doc, parse_keys, salt)
    found = _Documents(docs, sketched, catalog, parse_keys, salt, item_at, was=was)
    return found, keys, by_parse


def _documents(
    catalog: Catalog, parse_keys: dict[str, str], salt: str, memo: _Memo
) -> tuple[_Documents, list[str], dict[str, list[str]]]:
    """The documents, their keys, and the keys of the briefings' by parse key (the next
    build's ``memo``). A briefing whose parse key is in ``memo`` is sketched, with the key
    found there: making and digesting 10,000 documents took a fifth of an edit rebuild."""
    docs: list[search.SearchDoc] = []
    keys: list[str] = []
    sketched: set[int] = set()
    by_parse: dict[str, list[str]] = {}
    was: dict[str, search.SearchDoc] = {}
    for n, item in enumerate(catalog.items):
        parse_key, known, doc = _briefing_key(catalog, item, parse_keys, salt, memo, was)
        key = known[0]
        if doc is None:
            date = item.date
            doc = search.SearchDoc(
                "briefing", item.title, item.url, date, "", "", item.path, (), ()
            )
            sketched.add(n)
        docs.append(doc)
        keys.append(key)
        if parse_key:
            by_parse[parse_key] = known
    for doc in _actor_docs(catalog):
        docs.append(doc)
        keys.append(_doc_key(doc, parse_keys, salt))
    return _Documents(docs, sketched, catalog, parse_keys, salt, was=was), keys, by_parse


def _briefing_key(
    catalog: Catalog,
    item: Listed,
    parse_keys: dict[str, str],
    salt: str,
    memo: _Memo,
    was: dict[str, search.SearchDoc],
) -> tuple[str, list[str], search.SearchDoc | None]:
    """A briefing's parse key, its document key with the digest of the actors it names,
    and its document when it had to be made (``memo`` does not keep its key); then, its
    last build's document, as the cache holds it (see ``_Memo.was``), goes into ``was``."""
    parse_key = parse_keys.get(item.path, "")
    known = memo.known(parse_key, item)
    if known is not None:
        return parse_key, known, None
    doc = _briefing_doc(catalog, item)
    named = _named(item)
    if memo.renamed:
        found = memo.was(parse_key, item, doc, lambda d: _doc_key(d, parse_keys, salt), named)
        if found is not None:
            was[found[0]] = found[1]._replace(body=_body_key(parse_key, salt))
    return parse_key, [_doc_key(doc, parse_keys, salt), named], doc


def _briefing_doc(catalog: Catalog, item: Listed) -> search.SearchDoc:
    """What search knows of a briefing. Its ``body`` here is the path of its file, which
    stands for its text until the text is needed (``search_index`` digests the documents
    without reading any body)."""
    actors = catalog.actors
    return search.SearchDoc(  # kind, title, url, date, date_label, summary, body, names, tags
        "briefing",
        item.title,
        item.url,
        item.date,
        catalog.date_label(item.date),
        item.summary,
        item.path,
        tuple([actors[k].name for k in item.actors]),
        tuple([actors[k].name for k in item.tags]),
    )


def _actor_docs(catalog: Catalog) -> list[search.SearchDoc]:
    """What search knows of each actor, in key order."""
    named = catalog.named
    docs = []
    for key, actor in sorted(catalog.actors.items()):
        names = [actor.name]
        if actor.entry:
            names += [*actor.entry.aliases, *actor.entry.labels.values()]
        count = named[key]
        docs.append(
            search.SearchDoc(
                kind=actor.kind,
                title=actor.name,
                url=actor.url,
                date="",
                date_label=catalog.count_label(count),
                summary=(actor.entry.role or "") if actor.entry else "",
                body="",
                names=tuple(dict.fromkeys(names)),
                tags=(),
            )
        )
    return docs
