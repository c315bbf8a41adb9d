"""The search index of a site, rebuilt only as far as its documents changed."""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path
from typing import Any

from briefing import search
from briefing.cache import Cache, code_digest
from briefing.pages import Views
from briefing.parsing import Bodies
from briefing.text import digest
from briefing.workers import map_jobs
from briefing.write import intact
from briefing.write import sha as sha256


def search_index(
    views: Views,
    bodies: Bodies,
    parse_keys: dict[str, str],
    cache: Cache,
    manifest: dict[str, str],
    jobs: int,
    out: Path,
) -> tuple[dict[str, bytes], dict[str, str], dict[str, Any]]:
    """The search index: (files to write, files kept as they are, the record to cache).

    Documents are digested without reading a single body (a briefing's parse key stands for
    its text). When no document changed, the index is left as it is; else only the changed
    documents are analysed again, and the index is assembled from the cached analyses.
    """
    docs = search_docs(views)
    keys = []
    for doc in docs:
        text_key = parse_keys.get(doc.body, "") if doc.kind == "briefing" else ""
        fields = (
            doc.kind,
            doc.title,
            doc.url,
            doc.date,
            doc.date_label,
            doc.summary,
            doc.names,
            doc.tags,
        )
        keys.append(digest(code_digest(), repr(fields), text_key))
    wanted = digest(*keys)
    last = cache.get_many("meta", ["search"]).get("search")
    if isinstance(last, dict) and last.get("digest") == wanted:
        files = last.get("files")
        stats = cache.all("pages")
        if isinstance(files, dict) and all(
            manifest.get(p) == sha and intact(out, p, stats.get(p)) for p, sha in files.items()
        ):
            return {}, {str(p): str(sha) for p, sha in files.items()}, last
    analyses: dict[str, search.Analysis] = {}
    for key, value in cache.get_many("search_docs", keys).items():
        with contextlib.suppress(ValueError, TypeError):
            analyses[key] = search.Analysis.from_json(value)
    missing = [i for i, key in enumerate(keys) if key not in analyses]
    if missing:
        texts = bodies.text([docs[i].body for i in missing if docs[i].kind == "briefing"])
        todo = [
            dataclasses.replace(docs[i], body=texts.get(docs[i].body, ""))
            if docs[i].kind == "briefing"
            else docs[i]
            for i in missing
        ]
        done = map_jobs(search.analyze, [(doc,) for doc in todo], jobs)
        for i, analysis in zip(missing, done, strict=True):
            analyses[keys[i]] = analysis
        cache.put_many("search_docs", ((keys[i], analyses[keys[i]].to_json()[:3]) for i in missing))
        cache.put_many("search_text", ((keys[i], analyses[keys[i]].text) for i in missing))
        cache.keep_only("search_docs", keys)
        cache.keep_only("search_text", keys)
    built = search.build_index(docs, [analyses[key] for key in keys], texts=False)
    files = {p: sha256(data) for p, data in built.items()}
    # A document's text file changes only with its analysis or its id: the text of the
    # others (the bulk of the index) is neither read from the cache nor written again.
    by_id = [keys[i] for i in search.doc_order(docs)]
    last_ids = last.get("ids") if isinstance(last, dict) else None
    last_files = last.get("files") if isinstance(last, dict) else None
    same = last_ids if isinstance(last_ids, list) and isinstance(last_files, dict) else []
    stats = cache.all("pages") if same else {}
    kept: dict[str, str] = {}
    redo: list[int] = []
    for doc_id, key in enumerate(by_id):
        path = f"search/x/{doc_id}.js"
        old = last_files.get(path) if same and isinstance(last_files, dict) else None
        if (
            doc_id < len(same)
            and same[doc_id] == key
            and isinstance(old, str)
            and manifest.get(path) == old
            and intact(out, path, stats.get(path))
        ):
            kept[path] = old
        else:
            redo.append(doc_id)
    stored = cache.get_many("search_text", [by_id[i] for i in redo if not analyses[by_id[i]].text])
    order = search.doc_order(docs)
    lost = [
        order[i] for i in redo if not analyses[by_id[i]].text and not _is_text(stored.get(by_id[i]))
    ]
    if lost:  # a damaged cache: analyse those documents again
        bodies_text = bodies.text([docs[i].body for i in lost if docs[i].kind == "briefing"])
        for i in lost:
            doc = docs[i]
            if doc.kind == "briefing":
                doc = dataclasses.replace(doc, body=bodies_text.get(doc.body, ""))
            stored[keys[i]] = search.analyze(doc).text
    for doc_id in redo:
        key = by_id[doc_id]
        text = analyses[key].text or stored[key]
        path, data = search.text_file(doc_id, text)
        built[path] = data
        files[path] = sha256(data)
    files.update(kept)
    record = {"digest": wanted, "files": dict(sorted(files.items())), "ids": by_id}
    return built, kept, record


def _is_text(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 4


def search_docs(views: Views) -> list[search.SearchDoc]:
    """What search knows of each briefing and actor. A briefing's ``body`` here is the
    path of its file, which stands for its text until the text is needed (``search_index``
    digests the documents without reading any body)."""
    site = views.site
    docs = []
    for index, item in enumerate(site.items):
        card = views.card(index)
        b = item.briefing
        docs.append(
            search.SearchDoc(
                kind="briefing",
                title=b.title,
                url=item.url,
                date=card["date"],
                date_label=card["date_label"],
                summary=item.summary,
                body=b.path,
                names=tuple(site.actors[k].name for k in item.actors),
                tags=tuple(site.actors[k].name for k in item.tags),
            )
        )
    for key, actor in sorted(site.actors.items()):
        names = [actor.name]
        if actor.entry:
            names += [*actor.entry.aliases, *actor.entry.labels.values()]
        count = len(site.named.get(key, []))
        docs.append(
            search.SearchDoc(
                kind=actor.kind,
                title=actor.name,
                url=actor.url,
                date="",
                date_label=views.count_label(count),
                summary=(actor.entry.role or "") if actor.entry else "",
                body="",
                names=tuple(dict.fromkeys(names)),
                tags=(),
            )
        )
    return docs
