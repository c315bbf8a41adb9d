"""Site -> one Job per output file: the plain data each page shows.

A Job's context is JSON-able data and nothing else, so its digest (with the
template's) is the page's fingerprint: a page is rendered again only when
what it shows changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from briefing import slots
from briefing.config import SiteConfig
from briefing.link import Site
from briefing.model import FOLDERS, KINDS, FinishedBody, Kind
from briefing.registry import Key, chip_name
from briefing.slots import Name
from briefing.text import primary
from briefing.theme import Theme, is_rtl, language_name, long_date, month_label
from briefing.urls import absolute, relative

PER_PAGE = 200  # list items per page on entity pages, beyond which they are paginated
ENTITY_FEED = 20
SITE_FEED = 50


@dataclass(frozen=True)
class Job:
    """One output file: rendered by ``template`` (or ``kind``) from ``context``."""

    path: str
    kind: str  # "html" | "feed" | "text" | "search"
    template: str
    context: dict[str, Any]
    # the text of each ``Name`` in the context, by its ref (see ``Views.make``)
    names: dict[str, str] = field(default_factory=dict)

    def fingerprint(self, salt: str) -> str:
        """A digest of everything the page shows, and of ``salt`` (the theme and the code).

        The context is plain data (dicts, lists, strings, numbers) built in the same order
        every time; its ``repr`` depends on values only (a pickle would also depend on which
        equal strings are the same object) and is quick to make for 20,000 pages. A
        ``Name``'s repr is where it is, not what it says: the names are digested after a
        dot, so two fingerprints tell whether only names changed (see ``slots``)."""
        h = hashlib.blake2b(salt.encode(), digest_size=20)
        h.update(repr((self.kind, self.template, self.context)).encode("utf-8", "surrogatepass"))
        if not self.names:
            return h.hexdigest()
        return f"{h.hexdigest()}.{names_digest(self.names)}"


def names_digest(names: Mapping[str, str]) -> str:
    """The names of a page's chips, by ref: the part of its fingerprint after the dot."""
    text = repr(sorted(names.items())).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=10).hexdigest()


class Shared(dict[str, Any]):
    """A piece of context that many pages show (a card, the words of a language, the site's
    settings), never changed once made. Its ``repr`` is a digest made once, so fingerprinting
    10,000 pages does not spell the same card out hundreds of times."""

    __slots__ = ("_repr",)

    def __str__(self) -> str:  # what a template printing it shows: its contents
        return dict.__repr__(self)

    def __repr__(self) -> str:
        made: str | None = getattr(self, "_repr", None)
        if made is None:
            text = dict.__repr__(self).encode("utf-8", "surrogatepass")
            made = "<" + hashlib.blake2b(text, digest_size=16).hexdigest() + ">"
            self._repr = made
        return made


slots.never_printed(Shared)


class Figure(dict[str, Any]):
    """A figure's spec (see ``figures``). The pages of one actor show the same figures;
    drawn once, the SVG is kept with the spec for the next page that shows it."""

    __slots__ = ("svg",)
    svg: tuple[bool, str]  # drawn while recording names, and the SVG


@dataclass(frozen=True)
class Facts:
    """Registry facts pages show: a person's country, an organization's members, biographies."""

    country_of: dict[Key, Key]
    members: dict[Key, list[Key]]
    memberships: dict[Key, list[Key]]
    bios: dict[Key, FinishedBody]


def count_label(words: Mapping[str, Any], n: int) -> str:
    """A number of briefings ("1 briefing", "12 briefings") in the language of ``words``."""
    return str(words["briefings_one"] if n == 1 else words["briefings_other"].format(n=n))


class Views:
    """Builds the contexts; memoizes the small pieces many pages share (cards, chips)."""

    def __init__(
        self, site: Site, config: SiteConfig, theme: Theme, version: str, facts: Facts
    ) -> None:
        self.site = site
        self.country_of = facts.country_of
        self.members = facts.members
        self.memberships = facts.memberships
        self.bios = facts.bios
        self.config = config
        self.theme = theme
        self.version = version
        self.lang = config.language
        self.words = Shared(theme.words(self.lang))
        self._words: dict[str, Shared] = {self.lang: self.words}
        self._cards: dict[tuple[int, str], dict[str, Any]] = {}
        self._chips: dict[tuple[Key, str | None], dict[str, Any]] = {}
        self._chip_names: dict[tuple[Key, str | None], tuple[str, str]] = {}  # ref, text
        self._names: dict[str, str] | None = None  # the chips' names a page shows (``make``)
        self._months: list[str] | None = None
        self._site = Shared(
            {
                "title": config.title,
                "description": config.description,
                "language": self.lang,
                "base_url": config.base_url,
                "menu": [
                    {"title": m.title, "url": m.url, "external": True}
                    if ":" in m.url.split("/", 1)[0] or m.url.startswith("//")
                    else {
                        "title": m.title,
                        "url": m.url.lstrip("/") or "index.html",
                        "external": False,
                    }
                    for m in config.menu
                ],
                "params": config.params,
            }
        )

    # -- shared pieces --------------------------------------------------------------

    def t(self, key: str, **values: Any) -> str:
        text = str(self.words.get(key, key))
        return text.format(**values) if values else text

    def count_label(self, n: int, words: dict[str, str] | None = None) -> str:
        return count_label(words or self.words, n)

    def base(
        self,
        path: str,
        title: str,
        *,
        lang: str | None = None,
        description: str = "",
        feed: str | None = None,
        kind: str = "page",
    ) -> dict[str, Any]:
        page_lang = lang if lang and self.theme.has_language(lang) else self.lang
        words = self._words.get(page_lang)
        if words is None:
            words = self._words[page_lang] = Shared(self.theme.words(page_lang))
        return {
            "path": path,
            "kind": kind,
            "title": title,
            "lang": page_lang,
            "dir": "rtl" if is_rtl(page_lang) else "ltr",
            "description": description[:300],
            "canonical": absolute(self.config.base_url, path),
            "feed": feed,
            "feed_abs": absolute(self.config.base_url, feed) if feed else "",
            "site": self._site,
            "t": words,
            "version": self.version,
        }

    def date_label(self, moment: dt.datetime | dt.date, lang: str | None = None) -> str:
        day = moment.date() if isinstance(moment, dt.datetime) else moment
        return long_date(day, lang or self.lang)

    def months(self) -> list[str]:
        """Each briefing's month ("2024-05"), made once: the actors' activity figures ask
        for them 107,733 times in the bench's 10,000-briefing site."""
        if self._months is None:
            self._months = [f"{i.moment.year:04d}-{i.moment.month:02d}" for i in self.site.items]
        return self._months

    def card(self, index: int, page_lang: str | None = None) -> dict[str, Any]:
        """A briefing in a list: its date in the page's language, its title and summary
        marked with the briefing's own language when that differs."""
        lang = page_lang or self.lang
        found = self._cards.get((index, lang))
        if found is None:
            item = self.site.items[index]
            own = item.briefing.lang or self.lang
            found = Shared(
                {
                    "title": item.briefing.title,
                    "url": item.url,
                    "date": item.moment.date().isoformat(),
                    "date_label": self.date_label(item.moment, lang),
                    "summary": _clip(item.summary, 320),
                    "lang": own if primary(own) != primary(lang) else "",
                    "dir": "rtl" if is_rtl(own) else "",
                }
            )
            self._cards[(index, lang)] = found
        return found

    def make(self, spec: str, args: tuple[Any, ...]) -> list[Job]:
        """The pages of one spec (``home``, ``briefing`` 17...), each with the names of
        the chips its spec showed."""
        names: dict[str, str] = {}
        self._names = names
        try:
            made: Job | list[Job] = getattr(self, spec)(*args)
        finally:
            self._names = None
        jobs = made if isinstance(made, list) else [made]
        if names:
            for job in jobs:
                if job.kind == "html":
                    job.names.update(names)
        return jobs

    def actor_chip(self, key: Key, lang: str | None = None) -> dict[str, Any]:
        """A link to an actor, named in ``lang`` when that is not the site's language."""
        found = self._chips.get((key, lang))
        if found is None:
            found = self._chips[(key, lang)] = Shared(self._actor_chip(key, lang))
            name = found["name"]
            self._chip_names[(key, lang)] = (name.ref, name.text)
        if self._names is not None:
            ref, text = self._chip_names[(key, lang)]
            self._names[ref] = text
        return found

    def _actor_chip(self, key: Key, lang: str | None) -> dict[str, Any]:
        actor = self.site.actors[key]
        ref, name = chip_name(actor, lang, self.lang)
        return {
            "kind": actor.kind,
            "name": Name(name, ref),
            "url": actor.url,
            "registered": actor.registered,
        }

    def cards_by_year(self, indices: list[int]) -> list[dict[str, Any]]:
        groups: list[dict[str, Any]] = []
        for index in indices:
            year = self.site.items[index].moment.year
            if not groups or groups[-1]["year"] != year:
                groups.append({"year": year, "items": []})
            groups[-1]["items"].append(self.card(index))
        return groups

    # -- pages ----------------------------------------------------------------------

    def briefing(self, index: int) -> Job:
        site = self.site
        item = site.items[index]
        b = item.briefing
        ctx = self.base(item.url, b.title, lang=b.lang, description=item.summary, kind="briefing")
        lang = ctx["lang"]
        story_prev, story_next = site.story.get(index, (None, None))
        actors, tags = self._briefing_chips(index)
        ctx["briefing"] = {
            "title": b.title,
            "date": item.moment.isoformat(),
            "date_label": self.date_label(item.moment, ctx["lang"]),
            "updated": b.updated,
            "updated_label": self.date_label(dt.datetime.fromisoformat(b.updated), ctx["lang"])
            if b.updated
            else "",
            "summary": item.summary,
            "summary_is_own": bool(b.summary),
            "html": item.html,
            "lang": b.lang or self.lang,
            "dir": "rtl" if is_rtl(b.lang or self.lang) else "ltr",
            "people": [a for a in actors if a["kind"] == "person"],
            "countries": [a for a in actors if a["kind"] == "country"],
            "organizations": [a for a in actors if a["kind"] == "organization"],
            "tags": tags,
            "sources": [
                {
                    "title": s.title,
                    "url": s.url,
                    "publisher": s.publisher,
                    "date_label": self.date_label(dt.datetime.fromisoformat(s.date), ctx["lang"])
                    if s.date
                    else "",
                }
                for s in b.sources
            ],
            "story": b.story,
            "story_prev": self.card(story_prev, lang) if story_prev is not None else None,
            "story_next": self.card(story_next, lang) if story_next is not None else None,
            "newer": self._neighbour(index, -1, lang),
            "older": self._neighbour(index, +1, lang),
            "related": [self.card(i, lang) for i in site.related[index]],
            "translations": [
                {
                    **self.card(i, lang),
                    "lang_name": language_name(
                        site.items[i].briefing.lang or self.lang, ctx["lang"]
                    ),
                    "hreflang": site.items[i].briefing.lang or self.lang,
                }
                for i in site.translations.get(index, [])
            ],
            "backlinks": [self.card(i, lang) for i in site.backlinks.get(index, [])],
            "extra": b.extra,
        }
        return Job(item.url, "html", "briefing.html", ctx)

    def _briefing_chips(self, index: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """A briefing page's chips: its actors, named in the briefing's language, and its
        tags. All the chips the page shows (see ``briefing_names``)."""
        item = self.site.items[index]
        actors = [self.actor_chip(k, item.briefing.lang) for k in item.actors]
        return actors, [self.actor_chip(k) for k in item.tags]

    def briefing_names(self, index: int) -> dict[str, str]:
        """The names a briefing's page shows in its chips, by ref, as ``make`` gives its
        job: what its fingerprint holds after the dot, without making the page."""
        item = self.site.items[index]
        lang = item.briefing.lang
        return self._names_of([(k, lang) for k in item.actors] + [(k, None) for k in item.tags])

    def _names_of(self, shown: list[tuple[Key, str | None]]) -> dict[str, str]:
        """The names of these chips (actor, language), by ref: each chip made, if not yet."""
        names: dict[str, str] = {}
        made = self._chip_names
        for pair in shown:
            found = made.get(pair)
            if found is None or self._names is not None:  # made, or noted, by actor_chip
                self.actor_chip(*pair)
                found = made[pair]
            names[found[0]] = found[1]
        return names

    def _neighbour(self, index: int, step: int, lang: str) -> dict[str, Any] | None:
        other = self.neighbour(index, step)
        return None if other is None else self.card(other, lang)

    def neighbour(self, index: int, step: int) -> int | None:
        """The next briefing in time, passing over translations of this one."""
        items = self.site.items
        own = items[index].briefing.translation_key
        other = index + step
        while 0 <= other < len(items):
            if not own or items[other].briefing.translation_key != own:
                return other
            other += step
        return None

    def entity(self, key: Key) -> list[Job]:
        site = self.site
        actor = site.actors[key]
        feed = actor.url.removesuffix(".html") + ".xml"
        entry = actor.entry
        named = site.named.get(key, [])
        mentioned = site.mentioned_only.get(key, [])
        summary = (entry.role if entry and entry.role else "") or ""
        base_ctx = self.base(
            actor.url, actor.name, description=summary or actor.name, feed=feed, kind=actor.kind
        )
        prefix = f"{actor.kind[0]}-{actor.id}"
        month_of = self.months()
        months = Counter(month_of[i] for i in named)
        activity = (
            _figure(
                "activity",
                self.lang,
                months=sorted(months.items()),
                title=self.t("activity"),
                desc=self.t("activity_desc", name=actor.name),
                id=f"act-{prefix}",
            )
            if months
            else ""
        )

        chips = self.entity_chips(key)
        co = [{**self.actor_chip(other), "count": count} for other, count in chips.co]
        network: dict[str, Any] | str = ""
        neighbours = [
            (c["name"], relative(actor.url, c["url"]), c["count"], c["kind"])
            for c in co
            if c["kind"] in ("person", "organization")
        ][:12]
        if actor.kind == "person" and neighbours:
            network = _figure(
                "network",
                self.lang,
                center=actor.name,
                neighbours=neighbours,
                title=self.t("network"),
                desc=self.t("network_desc", name=actor.name),
                id=f"net-{prefix}",
            )
        info: dict[str, Any] = {
            "kind": actor.kind,
            "id": actor.id,
            "name": actor.name,
            "registered": actor.registered,
            "role": summary,
            "bio_html": "",
            "links": sorted((entry.links if entry else {}).items()),
            "aliases": list(entry.aliases) if entry else [],
            "count": len(named),
            "count_label": self.count_label(len(named)),
            "mentioned": [],
            "co": co,
            "activity_svg": activity,
            "network_svg": network,
            "map_svg": "",
            "country": None,
            "people": [],
            "members": [],
            "member_of": [],
        }
        if actor.kind == "country":
            info["map_svg"] = _figure(
                "locator",
                self.lang,
                code=actor.id.upper(),
                title=self.t("locator_title", name=actor.name),
            )
        info["people"] = [self.actor_chip(k) for k in chips.people]
        info["member_of"] = [self.actor_chip(k) for k in chips.member_of]
        if chips.country is not None:
            info["country"] = self.actor_chip(chips.country)
        info["members"] = [self.actor_chip(k) for k in chips.members]
        info["bio_html"] = self.bios.get(key, "")
        info["profile"] = True
        # The profile (role, counts, biography, figures, co-mentions) is on the first page
        # only; the later pages list briefings. They change only when their part of the
        # lists does, not with every briefing that names the actor.
        lean = {**info, **_NO_PROFILE}
        # Both lists are cut into pages of PER_PAGE side by side: page n shows the n-th part
        # of each, so together the pages list every briefing exactly once.
        named_parts = [named[i : i + PER_PAGE] for i in range(0, len(named), PER_PAGE)]
        mentioned_parts = [mentioned[i : i + PER_PAGE] for i in range(0, len(mentioned), PER_PAGE)]
        total = max(len(named_parts), len(mentioned_parts), 1)
        jobs = []
        for number in range(1, total + 1):
            path = actor.url if number == 1 else actor.url.removesuffix(".html") + f"-{number}.html"
            ctx = dict(base_ctx)
            ctx["path"] = path
            ctx["canonical"] = absolute(self.config.base_url, path)
            part = mentioned_parts[number - 1] if number <= len(mentioned_parts) else []
            shown = info if number == 1 else lean
            ctx["entity"] = {**shown, "mentioned": [self.card(i) for i in part]}
            chunk = named_parts[number - 1] if number <= len(named_parts) else []
            ctx["groups"] = self.cards_by_year(chunk)
            ctx["pagination"] = _pagination(actor.url, number, total)
            template = f"{actor.kind}.html"
            jobs.append(Job(path, "html", template, ctx))
        jobs.append(self.entity_feed(key, feed, named))
        return jobs

    def entity_chips(self, key: Key) -> EntityChips:
        """The actors an actor's pages show as chips (see ``entity_names``)."""
        actor = self.site.actors[key]
        entry = actor.entry
        country = None
        if entry and actor.kind == "person" and entry.country:
            country = self.country_of.get(key) or None
        return EntityChips(
            co=self.site.co.get(key, []),
            people=self.site.people_of_country.get(key, []) if actor.kind == "country" else [],
            member_of=self.memberships.get(key, []) if actor.kind == "country" else [],
            country=country,
            members=self.members.get(key, []) if actor.kind == "organization" else [],
        )

    def entity_names(self, key: Key) -> dict[str, str]:
        """The names an actor's pages show in their chips, by ref, as ``make`` gives its
        jobs: what their fingerprints hold after the dot, without making the pages."""
        return self._names_of([(other, None) for other in self.entity_chips(key).actors()])

    def entity_feed(self, key: Key, path: str, named: list[int]) -> Job:
        actor = self.site.actors[key]
        ctx = self.feed_context(
            path, f"{self.config.title}: {actor.name}", actor.url, named[:ENTITY_FEED], full=False
        )
        return Job(path, "feed", "", ctx)

    def feed_context(
        self, path: str, title: str, alternate: str, indices: list[int], *, full: bool
    ) -> dict[str, Any]:
        base = self.config.base_url
        entries = []
        for index in indices:
            item = self.site.items[index]
            b = item.briefing
            entries.append(
                {
                    "id": absolute(base, item.url) or f"urn:briefing:{b.slug}",
                    "title": b.title,
                    "url": absolute(base, item.url) or relative(path, item.url),
                    "published": item.moment.isoformat(),
                    "updated": b.updated or item.moment.isoformat(),
                    "summary": item.summary,
                    "content_html": item.html if full else None,
                    "path": item.url,
                    "categories": [self.site.actors[k].name for k in item.tags],
                    "lang": b.lang or self.lang,
                }
            )
        return {
            "title": title,
            "subtitle": self.config.description or None,
            "feed_url": absolute(base, path) or path.rsplit("/", 1)[-1],
            "site_url": absolute(base, alternate) or relative(path, alternate),
            "feed_id": absolute(base, path) or f"urn:briefing:{path}",
            "lang": self.lang,
            "author": self.config.author or self.config.title,
            "entries": entries,
            "base_url": base,
            "feed_path": path,
            "version": self.version,
        }

    def index(self, kind: Kind) -> Job:
        site = self.site
        folder = FOLDERS[kind]
        path = f"{folder}/index.html"
        title = self.t(folder)
        ctx = self.base(path, title, description=title, kind="index")
        rows = []
        for key, actor in site.actors.items():
            if actor.kind != kind:
                continue
            count = len(site.named.get(key, []))
            mentions = len(site.mentioned_only.get(key, []))
            rows.append(
                {
                    **self.actor_chip(key),
                    "count": count,
                    "mentions": mentions,
                    "count_label": self.count_label(count),
                    "role": actor.entry.role if actor.entry and actor.entry.role else "",
                }
            )
        rows.sort(key=lambda r: (-r["count"], _sort_key(r["name"].text)))
        ctx["index"] = {"kind": kind, "rows": rows, "map_svg": ""}
        if kind == "country":
            counts = {
                key[1].upper(): len(v) for key, v in site.named.items() if key[0] == "country"
            }
            ctx["index"]["map_svg"] = _figure(
                "choropleth", self.lang, counts=sorted(counts.items()), title=self.t("map_title")
            )
        return Job(path, "html", "index.html", ctx)

    def home(self) -> Job:
        site = self.site
        ctx = self.base(
            "index.html",
            self.config.title,
            description=self.config.description,
            feed="feed.xml",
            kind="home",
        )
        latest = list(range(min(self.config.latest_count, len(site.items))))
        active = [{**self.actor_chip(k), "count": n} for k, n in site.active]
        ctx["latest"] = [self.card(i) for i in latest]
        ctx["active"] = active
        ctx["active_svg"] = (
            _figure(
                "ranking",
                self.lang,
                items=[
                    (a["name"].text, relative("index.html", a["url"]), a["count"]) for a in active
                ],
                title=self.t("most_active"),
                desc=self.t("most_active_desc"),
                id="active",
            )
            if active
            else ""
        )
        ctx["totals"] = {
            kind: sum(1 for a in site.actors.values() if a.kind == kind) for kind in KINDS
        }
        ctx["total_briefings"] = len(site.items)
        return Job("index.html", "html", "home.html", ctx)

    def timeline(self) -> list[Job]:
        years = self.site.timeline()
        jobs = []
        rows = [
            (year, [(month, len(items)) for month, items in sorted(months.items())])
            for year, months in years.items()
        ]
        summary = [
            {"year": year, "count": sum(n for _, n in months), "url": f"timeline/{year}.html"}
            for year, months in rows
        ]
        ctx = self.base("timeline/index.html", self.t("timeline"), kind="timeline")
        ctx["years"] = summary
        ctx["timeline_svg"] = (
            _figure(
                "timeline",
                self.lang,
                rows=rows,
                title=self.t("timeline"),
                desc=self.t("timeline_desc"),
                id="timeline",
            )
            if rows
            else ""
        )
        jobs.append(Job("timeline/index.html", "html", "timeline.html", ctx))
        for year, months in years.items():
            path = f"timeline/{year}.html"
            ctx = self.base(path, self.t("year_briefings", year=year), kind="year")
            ctx["year"] = year
            ctx["years"] = summary
            ctx["months"] = [
                {
                    "month": month,
                    "id": f"m{month:02d}",
                    "label": month_label(year, month, self.lang),
                    "items": [self.card(i) for i in items],
                }
                for month, items in months.items()
            ]
            jobs.append(Job(path, "html", "year.html", ctx))
        return jobs

    def pages(self) -> list[Job]:
        jobs = []
        for finished in self.site.pages:
            page = finished.page
            ctx = self.base(finished.url, page.title, lang=page.lang, kind="page")
            ctx["content"] = {
                "title": page.title,
                "html": finished.html,
                "lang": page.lang or self.lang,
            }
            jobs.append(Job(finished.url, "html", "page.html", ctx))
        return jobs

    def search_page(self) -> Job:
        ctx = self.base("search.html", self.t("search"), kind="search")
        return Job("search.html", "html", "search.html", ctx)

    def not_found(self) -> Job:
        ctx = self.base("404.html", self.t("not_found_title"), kind="404")
        return Job("404.html", "html", "404.html", ctx)

    def redirect(self, path: str, target: str, title: str) -> Job:
        ctx = self.base(path, title, kind="redirect")
        ctx["target"] = target
        ctx["canonical"] = absolute(self.config.base_url, target)
        return Job(path, "html", "redirect.html", ctx)

    def site_feed(self) -> Job:
        indices = list(range(min(SITE_FEED, len(self.site.items))))
        return Job(
            "feed.xml",
            "feed",
            "",
            self.feed_context("feed.xml", self.config.title, "index.html", indices, full=True),
        )


_NO_PROFILE: dict[str, Any] = {
    "profile": False,
    "role": "",
    "bio_html": "",
    "links": [],
    "aliases": [],
    "count": 0,
    "count_label": "",
    "co": [],
    "activity_svg": "",
    "network_svg": "",
    "map_svg": "",
    "country": None,
    "people": [],
    "members": [],
    "member_of": [],
}


@dataclass(frozen=True)
class EntityChips:
    """The actors an actor's pages show as chips: the page shows each list, if any."""

    co: list[tuple[Key, int]]  # appears with, and how often
    people: list[Key]  # a country's
    member_of: list[Key]  # a country's organizations
    country: Key | None  # a person's
    members: list[Key]  # an organization's

    def actors(self) -> list[Key]:
        out = [k for k, _ in self.co] + self.people + self.member_of + self.members
        return out if self.country is None else [*out, self.country]


def _figure(kind: str, lang: str, **spec: Any) -> Figure:
    """A picture to draw when the page is rendered (see ``figures``)."""
    return Figure({"figure": kind, "lang": lang, **spec})


def _pagination(first: str, number: int, total: int) -> dict[str, Any] | None:
    if total <= 1:
        return None

    def url(n: int) -> str:
        return first if n == 1 else first.removesuffix(".html") + f"-{n}.html"

    return {
        "number": number,
        "total": total,
        "prev": url(number - 1) if number > 1 else None,
        "next": url(number + 1) if number < total else None,
        "pages": [{"n": n, "url": url(n)} for n in range(1, total + 1)],
    }


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


def _sort_key(name: str) -> str:
    from briefing.text import fold

    return fold(name)
