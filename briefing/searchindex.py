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
        cache.put_many("search_docs", ((keys[i], analyses[keys[i]].to_json()) for i in missing))
        cache.keep_only("search_docs", keys)
    built = search.build_index(docs, [analyses[key] for key in keys])
    record = {"digest": wanted, "files": {p: sha256(data) for p, data in sorted(built.items())}}
    return built, {}, record


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
