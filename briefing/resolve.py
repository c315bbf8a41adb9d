"""Parsed files + registry -> resolved items: actors, tags, slugs, finished bodies.

The per-body finishing pass (mention links, links between pages) is cached by a
key that covers exactly what it read, so renaming one person re-finishes only
the bodies that could contain the old or new name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import posixpath
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import unquote

from briefing import countries
from briefing.cache import Batch, Cache, encode
from briefing.config import SiteConfig
from briefing.link import FinishedPage, Item
from briefing.load import Inputs
from briefing.mentions import (
    Finished,
    Needs,
    Root,
    Targets,
    build_names,
    capitals_spell_changed,
    changed_needs,
    finish,
    marks,
    spells_changed,
)
from briefing.model import FOLDERS, Body, Briefing, Entry, FinishedBody, Kind, Page
from briefing.pages import Facts
from briefing.problems import Problem, error
from briefing.registry import NEAR_CUTOFF, Actor, Key, Registry, Resolver, mention_table
from briefing.text import Matcher, actor_slug, carry_closest, digest
from briefing.workers import map_jobs

RESERVED = {"index", "search", "404", "feed", "sitemap", "robots"}
# Names at the site's root that a free page's slug, or an old one, cannot have: the site's
# own files and folders.
_SITE_NAMES = frozenset({*RESERVED, *FOLDERS.values(), "briefings", "timeline", "assets", "media"})


@dataclass
class Resolved:
    items: list[Item]
    actors: dict[Key, Actor]
    pages: list[FinishedPage]
    facts: Facts
    redirects: list[Redirect]
    assets: set[str]  # content paths of files beside Markdown that are used
    tag_spellings: dict[str, dict[str, int]]  # tag slug -> spelling -> briefings using it
    fresh_html: dict[str, str]  # finished bodies computed in this build, by finish key
    problems: list[Problem] = field(default_factory=list)
    # (file, link) of each link from the site's root: checked once every path of the site is
    # known (``build.broken_roots``)
    roots: list[tuple[str, Root]] = field(default_factory=list)
    # how every actor named in front matter, as written, was resolved, digested: while it
    # is the last build's, a briefing whose file is the same names the same actors, a
    # registry edit or not (a person renamed, the old name kept as an alias)
    resolutions: str = ""


def check_slugs(briefings: list[Briefing], pages: list[Page]) -> list[Problem]:
    """Duplicate slugs are rejected, naming both files."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    by_path = sorted(briefings, key=lambda b: b.path)
    for b in by_path:
        key = b.slug.lower()
        if key in seen:
            problems.append(
                error(
                    b.path,
                    b.lines.get("slug", 1),
                    f"duplicate slug `{b.slug}`: {seen[key]} has it too",
                    "give one of them its own `slug:`",
                )
            )
        else:
            seen[key] = b.path
    page_seen: dict[str, str] = {}
    for p in sorted(pages, key=lambda p: p.path):
        key = p.slug.lower()
        if key in _SITE_NAMES:
            problems.append(
                error(
                    p.path,
                    p.lines.get("slug", 1),
                    f"the page slug `{p.slug}` is taken by the site itself",
                    "rename the file or set `slug:`",
                )
            )
        elif key in page_seen:
            problems.append(
                error(
                    p.path,
                    p.lines.get("slug", 1),
                    f"duplicate slug `{p.slug}`: {page_seen[key]} has it too",
                )
            )
        else:
            page_seen[key] = p.path
    return problems


class Redirect(NamedTuple):
    """A page left at an old address (``redirect_from``), and where it was asked for."""

    old: str  # the old address: ``briefings/viejo.html``
    new: str
    title: str
    source: str
    line: int
    slug: str  # as written


def _redirects(
    briefings: list[Briefing], entries: list[Entry], pages: list[Page], actors: dict[Key, Actor]
) -> tuple[list[Redirect], list[Problem]]:
    """Each ``redirect_from`` as a redirect, and an error for each old address another file
    redirects too. One where a page of the site is now is found by the build
    (``build.redirect_clashes``), which knows every page."""
    found: list[Redirect] = []
    for b in briefings:
        line = b.lines.get("redirect_from", 1)
        for old in b.redirect_from:
            new = f"briefings/{b.slug}.html"
            found.append(Redirect(f"briefings/{old}.html", new, b.title, b.path, line, old))
    for p in pages:
        line = p.lines.get("redirect_from", 1)
        for old in p.redirect_from:
            found.append(Redirect(f"{old}.html", f"{p.slug}.html", p.title, p.path, line, old))
    for entry in entries:
        key = (entry.kind, entry.id)
        if key in actors:
            line = entry.lines.get("redirect_from", 1)
            actor = actors[key]
            for old in entry.redirect_from:
                path = f"{FOLDERS[entry.kind]}/{old}.html"
                found.append(Redirect(path, actor.url, actor.name, entry.path, line, old))
    redirects: list[Redirect] = []
    problems: list[Problem] = []
    first: dict[str, Redirect] = {}  # by old address, folded
    for redirect in sorted(found, key=lambda r: (r.source, r.line)):
        taken = first.get(redirect.old.lower())
        if taken is None:
            first[redirect.old.lower()] = redirect
            redirects.append(redirect)
        elif taken.new != redirect.new:
            problems.append(
                error(
                    redirect.source,
                    redirect.line,
                    f"`redirect_from: {redirect.slug}`: {taken.source} redirects"
                    f" {redirect.old} too",
                    "an old address can lead to one page only: keep it in one file",
                )
            )
    return redirects, problems


def resolve(
    config: SiteConfig,
    registry: Registry,
    briefings: list[Briefing],
    entries: list[Entry],
    pages: list[Page],
    inputs: Inputs,
    cache: Cache,
    salt: str,
    parse_keys: dict[str, str],
    body_html: Callable[[list[str]], dict[str, str]],
    jobs: int = 1,
) -> Resolved:
    """``body_html(paths)`` gives the rendered Markdown of files whose parse came from the
    cache without it; it is asked only for bodies whose finished form is not cached."""
    problems: list[Problem] = []
    resolver = Resolver(registry)
    pools = {k: sorted(registry.all_names([k])) for k in _SUGGESTED}
    near_key = digest(*(f"{k}\0{n}" for k in _SUGGESTED for n in pools[k]))
    kept, same_names = _cached_suggestions(cache, near_key, resolver)
    resolver.near.update(kept)
    if jobs > 1 and not kept and not same_names:  # none from the last build (a first one)
        suggest_ahead(resolver, briefings, jobs)
    resolved_actors: dict[str, tuple[Key, ...]] = {}
    tag_spellings: dict[str, Counter[str]] = defaultdict(Counter)
    tag_keys: dict[str, tuple[Key, ...]] = {}
    ref_lines: dict[str, dict[Key, int]] = {}
    clean = resolver.clean
    tag_of: dict[str, Key] = {}  # a tag as written -> its key: 200 tags, 30,000 uses
    for b in briefings:
        keys: dict[Key, int] = {}
        for ref in b.refs:
            text, written_in, line = ref
            key = clean.get((written_in, text))
            if key is None:
                key, found = resolver.resolve(b.path, ref)
                problems.extend(found)
            if key is not None and key not in keys:
                keys[key] = line
        resolved_actors[b.path] = tuple(keys)
        tags: dict[Key, int] = {}
        for text, _, line in b.tags:
            tag = tag_of.get(text)
            if tag is None:
                tag = tag_of[text] = ("tag", actor_slug(text))
            tag_spellings[tag[1]][text] += 1
            if tag not in tags:
                tags[tag] = line
        tag_keys[b.path] = tuple(tags)
        ref_lines[b.path] = {**keys, **tags}
    resolutions = digest(
        *sorted(f"{f}\0{t}\0{k}" for (f, t), k in resolver.clean.items()),
        *sorted(f"{f}\0{t}\0{k}" for (f, t), (k, _, _) in resolver.told.items()),
    )
    if not same_names or resolver.near != kept:
        near = [[*k, v] for k, v in sorted(resolver.near.items())]
        cache.put_many("meta", [("near", {"names": near_key, "pools": pools, "near": near})])
    actors: dict[Key, Actor] = {}
    used: set[Key] = {k for ks in resolved_actors.values() for k in ks}
    for key, actor in registry.actors.items():
        if actor.kind != "country" or key in used or actor.entry is not None:
            actors[key] = actor
    for key, actor in resolver.extra.items():
        spellings = resolver.spellings.get(key, {})
        name = (
            sorted(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            if spellings
            else actor.name
        )
        actors[key] = Actor(actor.kind, actor.id, name, False)
    for slug, spellings in tag_spellings.items():
        name = sorted(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        actors[("tag", slug)] = Actor("tag", slug, name, True)
    # facts from the registry
    country_of: dict[Key, Key] = {}
    members: dict[Key, list[Key]] = {}
    memberships: dict[Key, list[Key]] = defaultdict(list)
    for entry in entries:
        key = (entry.kind, entry.id)
        if key not in registry.actors or entry.kind == "country":
            continue
        if entry.country:
            code = countries.normalize_code(entry.country) or _country_named(
                registry, entry.country
            )
            if code is None:
                problems.append(
                    error(
                        entry.path,
                        entry.lines.get("country", 1),
                        f"unknown country `{entry.country}`",
                        "use an ISO 3166 code such as JP",
                    )
                )
            else:
                country_of[key] = ("country", code.lower())
        if entry.members:
            found_members: list[Key] = []
            for ref in entry.members:
                code = countries.normalize_code(ref.text) or _country_named(registry, ref.text)
                if code is None:
                    problems.append(
                        error(entry.path, ref.line, f"unknown country `{ref.text}` in `members`")
                    )
                    continue
                found_members.append(("country", code.lower()))
                memberships[("country", code.lower())].append(key)
            members[key] = sorted(set(found_members))
    for key in [*country_of.values(), *(m for ms in members.values() for m in ms)]:
        if key not in actors:
            actors[key] = registry.actors[key]
    # what links can point at
    source_pages: dict[str, str] = {}
    for b in briefings:
        source_pages[b.path] = f"briefings/{b.slug}.html"
    for p in pages:
        source_pages[p.path] = f"{p.slug}.html"
    for entry in entries:
        ekey = (entry.kind, entry.id) if entry.kind != "country" else None
        if ekey and ekey in actors:
            source_pages[entry.path] = actors[ekey].url
    source_assets = {a.path: a.out for a in (*inputs.beside, *inputs.statics)}
    by_slug = {b.slug.lower(): (f"briefings/{b.slug}.html", b.title) for b in briefings}
    page_slugs = {p.slug.lower(): (f"{p.slug}.html", p.title) for p in pages}

    def wiki(text: str) -> tuple[str, str] | None:
        hits, _ = registry.lookup(text, ("person", "organization", "country"))
        if len(hits) == 1 and hits[0] in actors:
            return actors[hits[0]].url, actors[hits[0]].name
        slug = text.strip().lower().removesuffix(".md")
        if slug in by_slug:
            return by_slug[slug]
        if slug in page_slugs:
            return page_slugs[slug]
        tag = ("tag", actor_slug(text))
        if tag in actors:
            return actors[tag].url, actors[tag].name
        return None

    names = build_names(mention_table(registry))
    actor_urls = {k: a.url for k, a in actors.items()}
    for k, a in registry.actors.items():
        actor_urls.setdefault(k, a.url)
    targets = Targets(names, actor_urls, source_pages, source_assets, wiki)
    finisher = _Finisher(cache, salt, targets, parse_keys, body_html, jobs)
    to_finish: list[tuple[str, str, Any, bool, Key | None]] = []
    for b in briefings:
        to_finish.append((b.path, f"briefings/{b.slug}.html", b.body, True, None))
    entry_keys: dict[str, Key] = {}
    for entry in entries:
        if entry.body is None:
            continue
        key = (entry.kind, entry.id) if entry.kind != "country" else _country_key(entry)
        if key is None or key not in actors:
            continue
        entry_keys[entry.path] = key
        to_finish.append((entry.path, actors[key].url, entry.body, True, key))
    for p in pages:
        to_finish.append((p.path, f"{p.slug}.html", p.body, False, None))
    done_by_path = finisher.run_all(to_finish)
    assets: set[str] = set()
    roots: list[tuple[str, Root]] = []
    for path, done in done_by_path.items():
        problems.extend(done.problems)
        assets.update(done.assets)
        roots += [(path, root) for root in done.roots]
    items: list[Item] = []
    for b in briefings:
        done = done_by_path[b.path]
        summary = b.summary or b.body.first_paragraph or ""
        mentioned = done.mentioned
        if not all(map(actors.__contains__, mentioned)):  # an actor no page has yet
            mentioned = tuple(k for k in mentioned if k in actors or _add(actors, registry, k))
        items.append(
            Item(
                briefing=b,
                url=f"briefings/{b.slug}.html",
                moment=_moment(b.date, config.timezone),
                actors=resolved_actors[b.path],
                tags=tag_keys[b.path],
                html=done.html,
                mentioned=mentioned,
                summary=summary,
                links_to=done.links_to,
                ref_lines=ref_lines[b.path],
            )
        )
    bios = {key: done_by_path[path].html for path, key in entry_keys.items()}
    finished_pages = [FinishedPage(p, f"{p.slug}.html", done_by_path[p.path].html) for p in pages]
    fresh_html = finisher.fresh_html
    redirects, redirect_problems = _redirects(briefings, entries, pages, actors)
    problems += redirect_problems
    facts = Facts(country_of, members, dict(memberships), bios)
    tag_names = {slug: dict(counter) for slug, counter in tag_spellings.items()}
    return Resolved(
        items,
        actors,
        finished_pages,
        facts,
        redirects,
        assets,
        tag_names,
        fresh_html,
        problems,
        sorted(roots),
        resolutions,
    )


_SUGGESTED: tuple[Kind, ...] = ("person", "organization")  # kinds with "did you mean"
_NEAR_WEIGHT = 2  # one "did you mean" costs about as much as two pages: see map_jobs


def suggest_ahead(resolver: Resolver, briefings: list[Briefing], jobs: int) -> None:
    """Work out, in several processes at once, the "did you mean" of every unknown name
    the briefings' references will ask for. A first build of a large archive meets
    hundreds of them, at a few milliseconds each, and the references are resolved one
    after the other in this process."""
    written = {(ref.field, ref.text) for b in briefings for ref in b.refs}
    wanted = sorted(
        {(kind, text) for f, text in written if (kind := resolver.asks_near(f, text)) is not None}
    )
    for kind in {kind for kind, _ in wanted}:
        resolver.matcher(kind)  # made here, inherited by the workers
    found = map_jobs(_near, wanted, jobs, shared=resolver, weight=len(wanted) * _NEAR_WEIGHT)
    resolver.ahead.update(zip(wanted, found, strict=True))


def _near(resolver: Resolver, kind: Kind, text: str) -> str | None:
    return resolver.matcher(kind).closest(text, NEAR_CUTOFF)


def _cached_suggestions(
    cache: Cache, names_key: str, resolver: Resolver
) -> tuple[dict[tuple[Kind, str], str | None], bool]:
    """Last build's "did you mean" answers, and whether the registered names are the
    same: then as they were, else brought up to date against the names that changed
    (``text.carry_closest``). Finding one costs a few milliseconds per unknown name, and
    a large archive has hundreds; a registry edit changes a name or two."""
    record = cache.get_many("meta", ["near"]).get("near")
    if not isinstance(record, dict):
        return {}, False
    out: dict[tuple[Kind, str], str | None] = {}
    try:
        for kind, text, near in record["near"]:
            if kind in _SUGGESTED and isinstance(text, str):
                out[(kind, text)] = near if isinstance(near, str) else None
        if record.get("names") == names_key and "pools" in record:
            return out, True
        pools = record["pools"]
        carried: dict[tuple[Kind, str], str | None] = {}
        for kind in _SUGGESTED:
            pool = pools[kind]
            if not (isinstance(pool, list) and all(isinstance(n, str) for n in pool)):
                return {}, False
            answers = {text: near for (k, text), near in out.items() if k == kind}
            if answers:
                found = carry_closest(Matcher(pool), resolver.matcher(kind), answers, NEAR_CUTOFF)
                carried.update(((kind, text), near) for text, near in found.items())
    except (KeyError, TypeError, ValueError):
        return {}, False
    return carried, False


def _add(actors: dict[Key, Actor], registry: Registry, key: Key) -> bool:
    actor = registry.actors.get(key)
    if actor is None:
        return False
    actors[key] = actor
    return True


def _country_key(entry: Entry) -> Key | None:
    code = countries.normalize_code(entry.id)
    return ("country", code.lower()) if code else None


def _country_named(registry: Registry, text: str) -> str | None:
    hits, _ = registry.lookup(text, ("country",))
    return hits[0][1].upper() if len(hits) == 1 else None


@functools.lru_cache(maxsize=4096)
def _moment(date: str, tz: str) -> dt.datetime:
    """A briefing's date as a moment; the same few thousand dates recur (datetimes are
    immutable: one object serves them all)."""
    if "T" in date:
        return dt.datetime.fromisoformat(date)
    return dt.datetime.combine(dt.date.fromisoformat(date), dt.time(), tzinfo=zoneinfo.ZoneInfo(tz))


class Done(NamedTuple):
    """A finished body: what it mentions and links to, and its HTML as a lazy reference.
    A named tuple: a rebuild makes 10,000 of them from the cache's records."""

    html: FinishedBody
    mentioned: tuple[Key, ...]
    assets: tuple[str, ...]
    links_to: tuple[str, ...]
    problems: tuple[Problem, ...]
    roots: tuple[Root, ...] = ()


class _Finisher:
    """The finishing pass with the cache. A body's key covers the body and the names and
    link targets it can see; cached results are read in one batch, without their HTML,
    which stays in the cache until a page that shows it is rendered."""

    def __init__(
        self,
        cache: Cache,
        salt: str,
        targets: Targets,
        parse_keys: dict[str, str],
        body_html: Callable[[list[str]], dict[str, str]],
        jobs: int,
    ) -> None:
        self.jobs = jobs
        self.cache = cache
        self.salt = salt
        self.targets = targets
        self.parse_keys = parse_keys
        self.body_html = body_html
        self.fresh_html: dict[str, str] = {}
        # A body's names digest by its parse key, kept from the last build while the names
        # it is worked out from are the same: a tenth of an edit rebuild, otherwise.
        self.names_id = targets.names_id()
        memo = cache.get_record("names") or {}
        digests = memo.get("digests")
        self.names_memo: dict[str, str] = (
            {k: v for k, v in digests.items() if isinstance(v, str)}
            if isinstance(digests, dict)
            else {}
        )
        # Names changed since: the words filed under a name that came or went, with what a
        # body needs to spell it. A body that cannot spell one keeps its digest (renaming a
        # person adds one name, which most bodies naming them do not spell in full). The
        # words of the names are a record of their own, read and written only when the
        # names changed: an edit rebuild took 5 % longer storing them each time.
        self.same_names = memo.get("id") == self.names_id
        self.changed: Needs | None = None
        self.words: dict[str, Any] | None = None  # to store: today's, when they changed
        if not self.same_names:
            self.words = targets.word_entries()
            kept = cache.get_record("name_words") or {}
            then = kept.get("words")
            if kept.get("id") == memo.get("id") and isinstance(then, dict):
                try:
                    self.changed = changed_needs(then, self.words)
                except (TypeError, IndexError, AttributeError):  # a record of another shape
                    self.names_memo = {}
            else:
                self.names_memo = {}
        self.marks = None if self.changed is None else marks(self.changed)
        self.names_used: dict[str, str] = {}
        # The last build's finishing, by source: [sign, key, record] (the record is what
        # the cache keeps of a finished body besides its HTML). A key is taken as it was
        # while the sign and everything a key reads but the body are the same (bodies
        # with wikilinks, whose targets are looked up by name, are always keyed afresh);
        # a record is found by its key whatever changed.
        t = targets
        self.links_id = digest(
            salt,
            *(f"{k}>{v}" for k, v in sorted(t.source_pages.items())),
            *(f"{k}>{v}" for k, v in sorted(t.source_assets.items())),
        )
        self.targets_id = digest(self.links_id, self.names_id)
        last = cache.get_record("finishing") or {}
        done = last.get("done")
        self.last_done: dict[str, Any] = {
            source: entry
            for source, entry in (done.items() if isinstance(done, dict) else ())
            if isinstance(entry, list) and len(entry) == 3 and isinstance(entry[1], str)
        }
        self.same_targets = last.get("id") == self.targets_id
        # the link targets the last build's; only the names changed (a registry edit)
        self.same_links = last.get("links") == self.links_id and self.changed is not None

    def key(self, source: str, page: str, body: Body, mentions: bool, own: Key | None) -> str:
        key, names = self.made_key(source, page, body, mentions, own)
        if names is not None:
            self.names_used[self.parse_keys.get(source, source)] = names
        return key

    def made_key(
        self, source: str, page: str, body: Body, mentions: bool, own: Key | None
    ) -> tuple[str, str | None]:
        """A body's key, and the digest of the names it can spell (None without mentions),
        changing nothing here: a worker makes it beside the body (see ``run_all``)."""
        t = self.targets
        parts = []
        for link in body.links:
            url = link.url
            if not url.startswith(("/", "http:", "https:", "mailto:")):
                url = posixpath.normpath(
                    posixpath.join(posixpath.dirname(source), url.split("#")[0].split("?")[0])
                )
            # The rewrite also tries the percent-decoded path (`my%20photo.png`): so does the key.
            for candidate in dict.fromkeys((url, unquote(url))):
                parts.append(
                    f"{candidate}>{t.source_pages.get(candidate, '')}>{t.source_assets.get(candidate, '')}"
                )
        for wiki in body.wikilinks:
            parts.append(f"{wiki.url}>{t.wiki(wiki.url[2:-2].split('|')[0])}")
        names = ""
        if mentions:
            parse_key = self.parse_keys.get(source, source)
            names = self.names_memo.get(parse_key, "")
            if not names or (self.changed is not None and spells_changed(body.words, self.changed)):
                names = t.names_digest(body.words)
        key = digest(
            self.salt,
            self.parse_keys.get(source, source),
            page,
            names,
            "|".join(parts),
            str(own),
            str(mentions),
        )
        return key, names if mentions else None

    def _same(self, parse_key: str, body: Body, mentions: bool) -> bool:
        """Whether a body whose sign is the last build's keeps its key: all it can link to
        is the same, or the links are and the names it can spell (see ``key``)."""
        if self.same_targets:
            return True
        if not self.same_links:
            return False
        if not mentions:
            return True
        changed = self.changed
        if changed is None or parse_key not in self.names_memo:
            return False
        return not capitals_spell_changed(body.capitals, changed, self.marks)

    def run_all(self, jobs: list[tuple[str, str, Body, bool, Key | None]]) -> dict[str, Done]:
        keys: dict[str, str] = {}
        signs: dict[str, str] = {}
        by_key = {entry[1]: entry[2] for entry in self.last_done.values()}
        # With no finished body to find by its key (a first build), each body's key is
        # made by the worker that finishes it: in this process, before them, they took a
        # quarter of a second of a first build at 10,000 briefings, its other cores idle.
        later = not by_key
        parse_keys, last_done, same = self.parse_keys, self.last_done, self._same
        names_memo, names_used = self.names_memo, self.names_used
        for source, page, body, mentions, own in jobs:
            parse_key = parse_keys.get(source, source)
            sign = f"{parse_key}>{page}>{own}>{mentions}"
            signs[source] = sign
            last = last_done.get(source)
            if (
                last is not None
                and last[0] == sign
                and not body.wikilinks
                and same(parse_key, body, mentions)
            ):
                keys[source] = last[1]
                if mentions:  # the names memo stays whole for when the link targets change
                    found = names_memo.get(parse_key)
                    if found is not None:
                        names_used[parse_key] = found
            else:
                keys[source] = "" if later else self.key(source, page, body, mentions, own)
        records = {s: by_key[k] for s, k in keys.items() if k in by_key}
        out: dict[str, Done] = {}
        missing = []
        known: dict[str, Key] = {}  # "kind:id" -> its key: the same few thousand recur
        for job in jobs:
            source = job[0]
            key = keys[source]
            record = records.get(source)
            if record is not None:
                try:
                    problems, roots = record["problems"], record["roots"]
                    out[source] = Done(
                        FinishedBody(key),
                        tuple([known.get(k) or _key(k, known) for k in record["mentioned"]]),
                        tuple(record["assets"]),
                        tuple(record["links_to"]),
                        tuple(map(Problem.from_json, problems)) if problems else (),
                        tuple([Root(str(t), int(n), str(u), str(k)) for t, n, u, k in roots])
                        if roots
                        else (),
                    )
                    continue
                except (KeyError, TypeError, ValueError, IndexError):
                    records.pop(source)
            missing.append(job)
        sources = self.body_html([job[0] for job in missing if not job[2].html])
        work = [
            (source, page, dataclasses.replace(body, html=sources[source]), mentions, own)
            if not body.html and source in sources
            else (source, page, body, mentions, own)
            for source, page, body, mentions, own in missing
        ]
        keep = self.cache.enabled
        new_html = Batch(self.cache, "finished_html")  # stored as the workers go on

        def store(n: int, result: tuple[Finished, str, tuple[str, str | None] | None]) -> None:
            made = result[2]
            new_html.add(keys[work[n][0]] if made is None else made[0], result[1])

        finished = map_jobs(
            _finish_one,
            [(n,) for n in range(len(work))],
            self.jobs,
            shared=(self.targets, work, keep, self.made_key if later else None),
            each=store if keep else None,
        )
        for (source, *_), (done, _html, made) in zip(work, finished, strict=True):
            if made is not None:
                keys[source], names = made
                if names is not None:
                    self.names_used[self.parse_keys.get(source, source)] = names
            key = keys[source]
            self.fresh_html[key] = done.html
            out[source] = Done(
                FinishedBody(key),
                done.mentioned,
                done.assets,
                done.links_to,
                done.problems,
                done.roots,
            )
            records[source] = _record(done)
        new_html.flush()
        if self.names_used != self.names_memo or not self.same_names:
            self.cache.put_record("names", {"id": self.names_id, "digests": self.names_used})
        if self.words is not None:
            self.cache.put_record("name_words", {"id": self.names_id, "words": self.words})
        done_now = {s: [signs[s], keys[s], records[s]] for s in keys if s in records}
        if not self.same_targets or done_now != self.last_done:
            self.cache.put_record(
                "finishing", {"id": self.targets_id, "links": self.links_id, "done": done_now}
            )
            if self.last_done:  # the last build's keys: drop the HTML no body has now
                self.cache.delete_many("finished_html", set(by_key) - set(keys.values()))
            else:
                self.cache.keep_only("finished_html", keys.values())
        return out


_Keyer = Callable[[str, str, Body, bool, Key | None], tuple[str, str | None]]


def _finish_one(
    shared: tuple[Targets, list[tuple[str, str, Body, bool, Key | None]], bool, _Keyer | None],
    n: int,
) -> tuple[Finished, str, tuple[str, str | None] | None]:
    """A body finished and, if the cache ``keep``s it, its HTML encoded in the worker: the
    building process only stores it. With a ``keyer``, the body's key is made here too
    (see ``_Finisher.made_key``)."""
    targets, work, keep, keyer = shared
    source, page, body, mentions, own = work[n]
    done = finish(body, source, page, targets, link_mentions=mentions, own=own)
    made = None if keyer is None else keyer(source, page, body, mentions, own)
    return done, encode(done.html) if keep else "", made


def _record(done: Finished) -> dict[str, Any]:
    """What the cache keeps of a finished body besides its HTML."""
    return {
        "mentioned": [f"{kind}:{ident}" for kind, ident in done.mentioned],
        "assets": list(done.assets),
        "links_to": list(done.links_to),
        "problems": [p.to_json() for p in done.problems],
        "roots": [list(r) for r in done.roots],
    }


def _key(value: Any, known: dict[str, Key]) -> Key:
    """A mentioned actor's key from its record ("kind:id"), noted in ``known``."""
    kind, _, ident = value.partition(":") if isinstance(value, str) else ("", "", "")
    if kind not in _KINDS or not ident:
        raise ValueError(value)
    key: Key = (_KINDS[kind], ident)
    known[value] = key
    return key


_KINDS: dict[str, Kind] = {
    "person": "person",
    "country": "country",
    "organization": "organization",
    "tag": "tag",
}
