"""Resolved briefings + registry -> Site: indexes, co-mentions, related, stories, timeline.

Pure: no I/O. Everything "latest" is relative to the newest briefing, never the clock.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import math
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import chain

from briefing.model import Briefing, FinishedBody, Page
from briefing.registry import Actor, Key

RELATED = 5
CANDIDATES = 80  # briefings considered for each briefing's related list
CO_MENTIONS = 12


@dataclass(frozen=True)
class Item:
    """A published briefing with everything resolved."""

    briefing: Briefing
    url: str
    moment: dt.datetime
    actors: tuple[Key, ...]
    tags: tuple[Key, ...]
    html: FinishedBody  # fetched when the page is rendered
    mentioned: tuple[Key, ...]
    summary: str
    links_to: tuple[str, ...] = ()
    ref_lines: dict[Key, int] = field(
        default_factory=dict
    )  # front matter line naming each actor or tag


@dataclass(frozen=True)
class FinishedPage:
    page: Page
    url: str
    html: FinishedBody


@dataclass
class Site:
    items: list[Item]  # newest first
    actors: dict[Key, Actor]
    named: dict[Key, list[int]]
    mentioned_only: dict[Key, list[int]]
    co: CoMentions
    related: Related
    story: dict[int, tuple[int | None, int | None]]
    translations: dict[int, list[int]]
    backlinks: dict[int, list[int]]
    pages: list[FinishedPage]
    newest: dt.datetime | None
    people_of_country: dict[Key, list[Key]] = field(default_factory=dict)
    active: list[tuple[Key, int]] = field(default_factory=list)

    def timeline(self) -> dict[int, dict[int, list[int]]]:
        years: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for index, item in enumerate(self.items):
            years[item.moment.year][item.moment.month].append(index)
        return {
            y: dict(sorted(m.items(), reverse=True)) for y, m in sorted(years.items(), reverse=True)
        }


def timestamps(items: list[Item]) -> list[float]:
    """Each item's moment as POSIX time. A few thousand dates serve 10,000 briefings, each
    one moment shared by its briefings (``resolve._moment``): worked out once a moment.
    Remembered by the moment object, not its value: two moments of one zone that differ
    only in ``fold`` (the hour repeated when clocks go back) are equal, an hour apart."""
    memo: dict[int, float] = {}
    found: list[float] = []
    for item in items:
        moment = item.moment
        stamp = memo.get(id(moment))
        if stamp is None:
            stamp = memo[id(moment)] = moment.timestamp()
        found.append(stamp)
    return found


def newest_first(items: list[Item]) -> tuple[list[Item], list[float]]:
    """The items newest first, then by slug, and their times: sorted by slug, then (a
    stable sort) by time, each key a plain string or number, which sort without making a
    tuple per briefing."""
    by_slug = sorted(items, key=lambda item: item.briefing.slug)
    stamps = timestamps(by_slug)
    order = sorted(range(len(by_slug)), key=lambda i: -stamps[i])
    return [by_slug[i] for i in order], [stamps[i] for i in order]


def link_site(
    items: list[Item],
    actors: dict[Key, Actor],
    pages: list[FinishedPage],
    country_of: dict[Key, Key],
    order: tuple[list[Item], list[float]] | None = None,
) -> Site:
    """The site's model; ``order`` is ``newest_first(items)``, when worked out already."""
    items, stamps = order if order is not None else newest_first(items)
    named: dict[Key, list[int]] = defaultdict(list)
    mentioned_only: dict[Key, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        for key in (*item.actors, *item.tags):
            named[key].append(index)
        own = set(item.actors)
        for key in item.mentioned:
            if key not in own:
                mentioned_only[key].append(index)
    co = CoMentions(items, named)
    related = Related(items, named, stamps)
    story = _stories(items)
    translations: dict[int, list[int]] = {}
    by_key: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        if item.briefing.translation_key:
            by_key[item.briefing.translation_key].append(index)
    for group in by_key.values():
        for index in group:
            translations[index] = [i for i in group if i != index]
    url_index = {item.url: index for index, item in enumerate(items)}
    backlinks: dict[int, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        for target in item.links_to:
            other = url_index.get(target)
            if other is not None and other != index:
                backlinks[other].append(index)
    people_of_country: dict[Key, list[Key]] = defaultdict(list)
    for actor, country in sorted(country_of.items()):
        if actor[0] == "person":
            people_of_country[country].append(actor)
    newest = items[0].moment if items else None
    active: list[tuple[Key, int]] = []
    if newest is not None:
        since = newest - dt.timedelta(days=90)
        counts: Counter[Key] = Counter()
        for item in items:
            if item.moment < since:
                break
            counts.update(item.actors)
        active = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    return Site(
        items=items,
        actors=actors,
        named=dict(named),
        mentioned_only=dict(mentioned_only),
        co=co,
        related=related,
        story=story,
        translations=translations,
        backlinks={k: sorted(set(v)) for k, v in backlinks.items()},
        pages=pages,
        newest=newest,
        people_of_country=dict(people_of_country),
        active=active,
    )


class CoMentions:
    """Who and what each actor appears with most, by briefings shared in front matter.

    Worked out for an actor when its page is keyed or made (once: its key and its page
    both show them), so usually in the worker that makes it."""

    def __init__(self, items: list[Item], named: dict[Key, list[int]]) -> None:
        self.items = items
        self.named = named
        self._found: dict[Key, list[tuple[Key, int]]] = {}

    def get(self, key: Key, default: list[tuple[Key, int]]) -> list[tuple[Key, int]]:
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._work_out(key)
        return found or default

    def found(self, key: Key) -> list[tuple[Key, int]] | None:
        """An actor's co-mentions if worked out (or carried) in this process."""
        return self._found.get(key)

    def carry(self, found: dict[Key, list[tuple[Key, int]]]) -> None:
        """Take co-mentions from the last build: those of actors whose briefings are the
        ones they were, naming the same actors (see ``depends.carry_co``)."""
        self._found.update(found)

    def _work_out(self, key: Key) -> list[tuple[Key, int]]:
        # Counted in one pass in C, the actor itself with the others, then taken out: the
        # most cited actors have thousands of briefings.
        items = self.items
        lists = (items[index].actors for index in self.named.get(key, ()))
        counter = Counter(chain.from_iterable(actors for actors in lists if key in actors))
        counter.pop(key, None)
        return heapq.nsmallest(CO_MENTIONS, counter.items(), key=lambda kv: (-kv[1], kv[0]))


class Related:
    """Briefings sharing actors and tags, a rare one counting more than a common one (idf),
    nearer in time counting more.

    Each actor offers the briefings nearest in time in its own list, as many as its
    share of the weight allows (CANDIDATES in all), so a ubiquitous actor costs no
    more than a rare one and a briefing's cost does not grow with the archive. Worked
    out for a briefing when its page is made, so in the worker that makes it.

    An actor's rarity is counted in classes (powers of two), not briefing by briefing:
    adding one briefing to an actor's list of thousands then leaves the lists of the
    briefings far from it in time as they were, and an edit rebuild knows it without
    working them out (see ``inputs`` and ``briefing.depends``).
    """

    def __init__(self, items: list[Item], named: dict[Key, list[int]], stamps: list[float]) -> None:
        self.items = items
        self.named = named
        total = len(items)
        self.weight = {
            key: math.log(1 + total / (1 << (len(postings).bit_length() - 1)))
            for key, postings in named.items()
        }
        self.stamps = stamps  # each item's POSIX time
        self.known: dict[int, list[int]] = {}  # worked out, or kept from the last build
        self._offered: dict[int, list[tuple[Key, float, int, int]]] = {}

    def _windows(self, index: int) -> list[tuple[Key, float, int, int]]:
        """``_offer``: worked out once for a briefing's list and its ``inputs``, which the
        worker that makes its page asks for one after the other."""
        found = self._offered.pop(index, None)
        if found is None:
            found = self._offered[index] = self._offer(index)
        return found

    def _offer(self, index: int) -> list[tuple[Key, float, int, int]]:
        """Each actor and tag that counts, its weight, and the part of its list offered."""
        named = self.named
        item = self.items[index]
        keys = [k for k in (*item.actors, *item.tags) if len(named[k]) > 1]
        if not keys:
            return []
        weights = [self.weight[k] * (0.5 if k[0] == "tag" else 1.0) for k in keys]
        budget = CANDIDATES / sum(weights)
        out = []
        for key, w in zip(keys, weights, strict=True):
            half = max(2, int(budget * w / 2))
            pos = bisect.bisect_left(named[key], index)
            out.append((key, w, max(0, pos - half), pos + half + 1))
        return out

    def inputs(self, index: int) -> bytes:
        """All a briefing's list is made from but the briefings' dates and translation
        keys: equal inputs (and dates and keys), equal lists."""
        parts = []
        for key, w, start, end in self._windows(index):
            window = array("i", self.named[key][start:end])
            parts.append(f"{key[0]}:{key[1]}:{w!r}:{len(window)}:".encode() + window.tobytes())
        return b"\0".join(parts)

    def __getitem__(self, index: int) -> list[int]:
        found = self.known.get(index)
        if found is not None:
            return found
        items, named, stamps = self.items, self.named, self.stamps
        scores: dict[int, float] = defaultdict(float)
        for key, w, start, end in self._windows(index):
            for other in named[key][start:end]:
                scores[other] += w
        if not scores:
            self.known[index] = []
            return []
        scores.pop(index, None)
        key_of_item = items[index].briefing.translation_key
        if key_of_item:  # a translation of this very briefing is not "related"
            for other in list(scores):
                if items[other].briefing.translation_key == key_of_item:
                    del scores[other]
        here = stamps[index]
        exp = math.exp
        values = [
            (score * (1 + exp(-abs(here - stamps[other]) / 15_552_000)), other)
            for other, score in scores.items()
        ]
        if len(values) > RELATED:
            # Ranked by the value rounded to 9 places (then by index), which moves a value
            # by at most half of 1e-9: one more than 1e-9 below the RELATED-th largest is
            # ranked below all of those RELATED, and need not be rounded nor sorted (the
            # floor is 2e-9 below, for the floats' own error).
            floor = heapq.nlargest(RELATED, [value for value, _ in values])[-1] - 2e-9
            values = [pair for pair in values if pair[0] >= floor]
        ranked = sorted([(-round(value, 9), other) for value, other in values])
        found = self.known[index] = [other for _, other in ranked[:RELATED]]
        return found


def _stories(items: list[Item]) -> dict[int, tuple[int | None, int | None]]:
    threads: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        if item.briefing.story:
            threads[item.briefing.story].append(index)
    story: dict[int, tuple[int | None, int | None]] = {}
    for members in threads.values():
        ordered = list(reversed(members))  # oldest first
        for pos, index in enumerate(ordered):
            prev = ordered[pos - 1] if pos > 0 else None
            nxt = ordered[pos + 1] if pos + 1 < len(ordered) else None
            story[index] = (prev, nxt)
    return story
