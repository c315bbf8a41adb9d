"""Parsed files + registry -> resolved items: actors, tags, slugs, finished bodies.

The per-body finishing pass (mention links, links between pages) is cached by a
key that covers exactly what it read, so renaming one person re-finishes only
the bodies that could contain the old or new name.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from briefing import countries
from briefing.cache import Cache
from briefing.config import SiteConfig
from briefing.link import FinishedPage, Item
from briefing.load import Inputs
from briefing.mentions import Finished, Targets, build_names, finish
from briefing.model import FOLDERS, Briefing, Entry, Page
from briefing.pages import Facts
from briefing.problems import Problem, error
from briefing.registry import Actor, Key, Registry, Resolver, mention_table
from briefing.text import digest, slugify

RESERVED = {"index", "search", "404", "feed", "sitemap", "robots"}


@dataclass
class Resolved:
    items: list[Item]
    actors: dict[Key, Actor]
    pages: list[FinishedPage]
    facts: Facts
    redirects: list[tuple[str, str, str]]  # (old path, new path, title)
    assets: set[str]  # content paths of files beside Markdown that are used
    tag_spellings: dict[str, dict[str, int]]  # tag slug -> spelling -> briefings using it
    problems: list[Problem] = field(default_factory=list)


def check_slugs(briefings: list[Briefing], pages: list[Page]) -> list[Problem]:
    """Duplicate slugs are rejected, naming both files."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for b in sorted(briefings, key=lambda b: b.path):
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
    for b in sorted(briefings, key=lambda b: b.path):
        for old in b.redirect_from:
            if old.lower() in seen and seen[old.lower()] != b.path:
                problems.append(
                    error(
                        b.path,
                        b.lines.get("redirect_from", 1),
                        f"`redirect_from: {old}` is the slug of {seen[old.lower()]}",
                    )
                )
    page_seen: dict[str, str] = {}
    for p in sorted(pages, key=lambda p: p.path):
        key = p.slug.lower()
        if (
            key in RESERVED
            or key in FOLDERS.values()
            or key in ("briefings", "timeline", "assets", "media")
        ):
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
) -> Resolved:
    problems: list[Problem] = []
    resolver = Resolver(registry)
    resolved_actors: dict[str, tuple[Key, ...]] = {}
    tag_spellings: dict[str, Counter[str]] = defaultdict(Counter)
    tag_keys: dict[str, tuple[Key, ...]] = {}
    ref_lines: dict[str, dict[Key, int]] = {}
    for b in briefings:
        keys: dict[Key, int] = {}
        for ref in b.refs:
            key, found = resolver.resolve(b.path, ref)
            problems.extend(found)
            if key is not None:
                keys.setdefault(key, ref.line)
        resolved_actors[b.path] = tuple(keys)
        tags: dict[Key, int] = {}
        for ref in b.tags:
            slug = slugify(ref.text)
            tag_spellings[slug][ref.text] += 1
            tags.setdefault(("tag", slug), ref.line)
        tag_keys[b.path] = tuple(tags)
        ref_lines[b.path] = {**keys, **tags}
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
        tag = ("tag", slugify(text))
        if tag in actors:
            return actors[tag].url, actors[tag].name
        return None

    names = build_names(mention_table(registry))
    actor_urls = {k: a.url for k, a in actors.items()}
    for k, a in registry.actors.items():
        actor_urls.setdefault(k, a.url)
    targets = Targets(names, actor_urls, source_pages, source_assets, wiki)
    finisher = _Finisher(cache, salt, targets, parse_keys)
    items: list[Item] = []
    assets: set[str] = set()
    for b in briefings:
        url = f"briefings/{b.slug}.html"
        done = finisher.run(b.path, url, b.body, True, None)
        problems.extend(done.problems)
        assets.update(done.assets)
        summary = b.summary or b.body.first_paragraph or ""
        mentioned = tuple(k for k in done.mentioned if k in actors or _add(actors, registry, k))
        items.append(
            Item(
                briefing=b,
                url=url,
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
    bios: dict[Key, str] = {}
    for entry in entries:
        if entry.body is None:
            continue
        key = (entry.kind, entry.id) if entry.kind != "country" else _country_key(entry)
        if key is None or key not in actors:
            continue
        done = finisher.run(entry.path, actors[key].url, entry.body, True, key)
        problems.extend(done.problems)
        assets.update(done.assets)
        bios[key] = done.html
    finished_pages = []
    for p in pages:
        url = f"{p.slug}.html"
        done = finisher.run(p.path, url, p.body, False, None)
        problems.extend(done.problems)
        assets.update(done.assets)
        finished_pages.append(FinishedPage(p, url, done.html))
    finisher.save()
    redirects: list[tuple[str, str, str]] = []
    for b in briefings:
        for old in b.redirect_from:
            redirects.append((f"briefings/{old}.html", f"briefings/{b.slug}.html", b.title))
    for entry in entries:
        key = (entry.kind, entry.id)
        if key in actors:
            for old in entry.redirect_from:
                redirects.append(
                    (f"{FOLDERS[entry.kind]}/{old}.html", actors[key].url, actors[key].name)
                )
    facts = Facts(country_of, members, dict(memberships), bios)
    spellings = {slug: dict(counter) for slug, counter in tag_spellings.items()}
    return Resolved(items, actors, finished_pages, facts, redirects, assets, spellings, problems)


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


def _moment(date: str, tz: str) -> dt.datetime:
    import zoneinfo

    if "T" in date:
        return dt.datetime.fromisoformat(date)
    return dt.datetime.combine(dt.date.fromisoformat(date), dt.time(), tzinfo=zoneinfo.ZoneInfo(tz))


class _Finisher:
    """Runs the finishing pass with the cache: key = the body + the names and targets it can see."""

    def __init__(
        self, cache: Cache, salt: str, targets: Targets, parse_keys: dict[str, str]
    ) -> None:
        self.cache = cache
        self.salt = salt
        self.targets = targets
        self.parse_keys = parse_keys
        self.new: dict[str, Any] = {}
        self.used: list[str] = []
        self.pending: dict[str, Any] | None = None

    def key(
        self,
        source: str,
        page: str,
        body_words: tuple[str, ...],
        links: list[str],
        mentions: bool,
        own: Key | None,
    ) -> str:
        t = self.targets
        link_part = "|".join(
            f"{u}>{t.source_pages.get(u, '')}>{t.source_assets.get(u, '')}>{t.wiki(u[2:-2].split('|')[0]) if u.startswith('[[') else ''}"
            for u in links
        )
        names = t.names_digest(body_words) if mentions else ""
        return digest(
            self.salt,
            self.parse_keys.get(source, source),
            page,
            names,
            link_part,
            str(own),
            str(mentions),
        )

    def run(self, source: str, page: str, body: Any, mentions: bool, own: Key | None) -> Finished:
        import posixpath

        links = [
            posixpath.normpath(
                posixpath.join(posixpath.dirname(source), link.url.split("#")[0].split("?")[0])
            )
            if not link.url.startswith(("/", "http:", "https:", "mailto:"))
            else link.url
            for link in body.links
        ] + [w.url for w in body.wikilinks]
        key = self.key(source, page, body.words, links, mentions, own)
        self.used.append(key)
        cached = self.cache.get_many("finished", [key]).get(key) if self.cache.enabled else None
        if cached is not None:
            try:
                return Finished(
                    html=str(cached["html"]),
                    mentioned=tuple((k[0], k[1]) for k in cached["mentioned"]),
                    assets=tuple(cached["assets"]),
                    links_to=tuple(cached["links_to"]),
                    problems=tuple(Problem.from_json(p) for p in cached["problems"]),
                )
            except (KeyError, TypeError, ValueError, IndexError):
                pass
        done = finish(body, source, page, self.targets, link_mentions=mentions, own=own)
        self.new[key] = {
            "html": done.html,
            "mentioned": [list(k) for k in done.mentioned],
            "assets": list(done.assets),
            "links_to": list(done.links_to),
            "problems": [p.to_json() for p in done.problems],
        }
        return done

    def save(self) -> None:
        self.cache.put_many("finished", self.new.items())
