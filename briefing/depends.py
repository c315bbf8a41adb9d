"""What each page is made from, as one key per page spec: an edit rebuild makes only the
pages whose key changed.

A page's fingerprint (``Job.fingerprint``) says whether its file must be written again,
but it is taken from the page's context, and making every context to find out cost 3 s
of a rebuild after one front-matter edit at 10,000 briefings. A key digests instead what
the context is made from: the briefing's own file and finished body, the cards and chips
the page shows, the lists it shows them in. Each of those pieces is digested once per
process, so keying every page costs a small part of making them.

Every key starts with the ``world``: the settings, every input file but the briefings and
the registry, and each briefing's place, date and translation key. When that changed, no
key is the last build's and every page is made again. The registry is not in it: a page
shows of an actor its chip (name, address, names in other languages), and only its own
page and the indexes show more (its file, biography, facts), so renaming a person makes
the pages that name them, not every page.

A briefing's related list (``link.Related``) is worked out only where a page is made. An
edit rebuild takes the last build's list for a briefing whose ``Related.inputs`` are
the same (``carry``), and works out the few others, so that the keys can name them.
"""

from __future__ import annotations

import bisect
import hashlib
from array import array
from collections.abc import Iterable, Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any, NamedTuple, cast

from briefing.link import CANDIDATES, Item, Site
from briefing.pages import ENTITY_FEED, SITE_FEED, Views
from briefing.registry import Actor, Key

# Files of these kinds are the registry (see ``registry``); ``load.SourceFile.kind``.
REGISTRY_KINDS = frozenset({"person", "organization", "country"})

Spec = tuple[str, tuple[Any, ...]]


def short(text: str | bytes) -> str:
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def world(settings: list[str], inputs: Any, items: list[Item]) -> str:
    """All every page may show besides the briefings' own files and the registry."""
    skip = REGISTRY_KINDS | {"briefing"}
    return short(
        "\n".join(
            [
                *settings,
                *(f"{f.path}\0{f.sha}" for f in inputs.files if f.kind not in skip),
                *(f"{a.path}\0{a.sha}" for a in (*inputs.statics, *inputs.beside)),
                *(repr((i.url, i.moment.isoformat(), i.briefing.translation_key)) for i in items),
            ]
        )
    )


def registry(inputs: Any) -> str:
    """The registry's files: while they are the last build's, every briefing names the
    actors it named then (those of an unchanged file, that is)."""
    return short("\n".join(f"{f.path}\0{f.sha}" for f in inputs.files if f.kind in REGISTRY_KINDS))


def spec_id(spec: Spec) -> str:
    """``entity:person:ana``, ``briefing:17``: a spec as the next build finds it again."""
    name, args = spec
    if len(args) == 1:  # the usual: briefing:17, entity:person:ana
        arg = args[0]
        if type(arg) in (int, str):
            return f"{name}:{arg}"
        if type(arg) is tuple and len(arg) == 2 and all(type(p) is str for p in arg):
            return f"{name}:{arg[0]}:{arg[1]}"
    flat = [str(p) for arg in args for p in (arg if isinstance(arg, tuple) else (arg,))]
    return ":".join([name, *flat])


def list_digests(site: Site) -> dict[str, str]:
    """Each actor's and tag's lists of briefings, digested: whose changed. ``n:`` the
    briefings naming it in front matter, ``m:`` those only mentioning it."""
    out = {}
    for prefix, lists in (("n", site.named), ("m", site.mentioned_only)):
        for (kind, ident), indices in lists.items():
            out[f"{prefix}:{kind}:{ident}"] = (
                f"{len(indices)}:{short(array('i', indices).tobytes())}"
            )
    return out


class Depends:
    """The keys of one build's page specs. The pieces many keys share are digested once,
    for every briefing and actor together, the first time a key needs them: in the
    building process on an edit rebuild, in each worker on a cold one."""

    def __init__(
        self,
        views: Views,
        world: str,
        registry: str,
        shas: dict[str, str],
        resolutions: str,
    ) -> None:
        self.views = views
        self.site = views.site
        self.world = world
        self.registry = registry
        self.shas = shas  # every input file's hash, by path
        self.resolutions = resolutions  # see ``Resolved.resolutions``
        self._last: dict[str, Any] | None = None

    def reuse(self, last: dict[str, Any]) -> None:
        """Take the last build's cards (made in the same world), and its entries if the
        names in front matter resolve as then too, for the briefings whose files did not
        change: a card is made from the file and the world, an entry also from the actors
        the file names."""
        self._last = last

    def same_registry(self, last: dict[str, Any]) -> bool:
        return last.get("registry") == self.registry

    def same_actors(self, last: dict[str, Any]) -> bool:
        """Every briefing whose file is the last build's names the actors it named then:
        the registry is the same, or the names written resolve as then (a rename that
        keeps the old name as an alias). After a registry edit, working out every
        briefing's entry again took 0.12 s of a rename at 10,000 briefings."""
        if self.same_registry(last):
            return True
        return bool(self.resolutions) and last.get("resolutions") == self.resolutions

    # -- pieces -------------------------------------------------------------------------

    @cached_property
    def source(self) -> list[str]:
        """Each briefing's file, digested (the first half of its hash)."""
        shas = self.shas
        return [shas.get(i.briefing.path, "")[:32] for i in self.site.items]

    @cached_property
    def own(self) -> list[str]:
        """Each briefing's file and finished body: what its page shows of itself."""
        return [
            f"{src}{i.html.key[:32]}" for src, i in zip(self.source, self.site.items, strict=True)
        ]

    def _kept(self, name: str) -> list[str | None]:
        last = self._last
        if last is None or (name == "entry" and not self.same_actors(last)):
            return [None] * len(self.site.items)
        return [
            then if src == was else None
            for src, was, then in zip(self.source, last["source"], last[name], strict=True)
        ]

    @cached_property
    def card(self) -> list[str]:
        """What a card shows of each briefing (see ``Views.card``)."""
        items = self.site.items
        return [
            found
            if found is not None
            else short(
                f"{b.title}\0{i.url}\0{i.moment.isoformat()}\0{len(i.summary)}:{i.summary}\0{b.lang}"
            )
            for found, i, b in (
                (f, i, i.briefing) for f, i in zip(self._kept("card"), items, strict=True)
            )
        ]

    @cached_property
    def entry(self) -> list[str]:
        """What an actor's page and feed take from each briefing it lists: its card, the
        actors it names with the actor (co-mentions, activity), its tags and update."""
        items = self.site.items
        return [
            found if found is not None else _entry(card, items[n])
            for n, (found, card) in enumerate(zip(self._kept("entry"), self.card, strict=True))
        ]

    @cached_property
    def chip(self) -> dict[Key, str]:
        """What a chip shows of each actor: its name, address, and names in other
        languages (see ``Views.actor_chip``)."""
        return {k: _chip(a) for k, a in self.site.actors.items()}

    @cached_property
    def chip_place(self) -> dict[Key, str]:
        """What a chip shows of each actor but its names: where it links, and how. A
        briefing's key holds these, and the names beside them (see ``key``)."""
        return {k: _place(a) for k, a in self.site.actors.items()}

    @cached_property
    def chip_names(self) -> dict[Key, str]:
        """The names each actor's chip may show: its name, and its names in other
        languages."""
        return {k: _names(a) for k, a in self.site.actors.items()}

    @cached_property
    def all_chips(self) -> str:
        """Every actor's chip: what an actor's page may show of others (co-mentions,
        members, people) and a feed of tags."""
        chip = self.chip
        return short("\n".join(f"{k[0]}:{k[1]}\0{chip[k]}" for k in sorted(chip)))

    @cached_property
    def chip_digests(self) -> dict[str, str]:
        """Each actor's chip, digested, by ``kind:id``: where it links and how, a dot, then
        its names. The next build finds whose chip changed, and whether only its names
        did (see ``to_look_at``)."""
        place, names = self.chip_place, self.chip_names
        return {f"{k[0]}:{k[1]}": _chip_digest(place[k], names[k]) for k in sorted(self.chip)}

    @cached_property
    def structure(self) -> str:
        """Which briefings a briefing's page shows beside its related list and neighbours:
        its story's, its translations, those linking to it."""
        site = self.site
        return short(
            repr(
                (
                    sorted(site.story.items()),
                    sorted(site.translations.items()),
                    sorted(site.backlinks.items()),
                )
            )
        )

    @cached_property
    def counts(self) -> str:
        """How many briefings name and mention each actor: what the index pages show."""
        site = self.site
        return short(
            repr(
                [
                    (k, len(site.named.get(k, ())), len(site.mentioned_only.get(k, ())))
                    for k in sorted(site.actors)
                ]
            )
        )

    def cards(self, indices: Iterable[int | None]) -> str:
        card = self.card
        return ",".join(["" if i is None else card[i] for i in indices])

    # -- keys ---------------------------------------------------------------------------

    def key(self, spec: Spec) -> str | None:
        """The spec's key, or None for pages made every time."""
        name, args = spec
        site = self.site
        parts: list[str]
        if name == "briefing":
            i = args[0]
            item = site.items[i]
            views = self.views
            place = self.chip_place.__getitem__
            card = self.card.__getitem__
            parts = [
                self.own[i],
                "|".join(map(place, item.actors)),
                "|".join(map(place, item.tags)),
                self.cards(site.story.get(i, (None, None))),
                self.cards((views.neighbour(i, -1), views.neighbour(i, +1))),
                ",".join(map(card, site.related[i])),
                ",".join(map(card, site.translations.get(i, ()))),
                ",".join(map(card, site.backlinks.get(i, ()))),
            ]
            # all but the chips' names, then those: a rename changes only what follows the
            # dot, and the page can be patched (see ``slots``) without being made
            return short("\n".join([self.world, spec_id(spec), *parts])) + "." + self.names_key(i)
        elif name == "entity":
            parts, named = self._entity(args[0])
            # as a briefing's: a rename of an actor shown beside this one changes only
            # what follows the dot
            return short("\n".join([self.world, spec_id(spec), *parts])) + "." + short(named)
        elif name == "index":
            parts = [self.all_chips, self.counts, self.registry]
        elif name == "home":
            latest = range(min(self.views.config.latest_count, len(site.items)))
            parts = [self.all_chips, self.counts, repr(site.active), self.cards(latest)]
        elif name == "timeline":
            parts = [",".join(self.card)]
        elif name == "site_feed":
            latest = range(min(SITE_FEED, len(site.items)))
            parts = [self.all_chips, *(f"{self.entry[i]}{self.own[i]}" for i in latest)]
        elif name in ("search_page", "not_found"):
            parts = []
        else:
            return None
        return short("\n".join([self.world, spec_id(spec), *parts]))

    def names_key(self, index: int) -> str:
        """What follows the dot in a briefing's key: the names of its chips."""
        item = self.site.items[index]
        names = self.chip_names.__getitem__
        return short("|".join(map(names, item.actors)) + "||" + "|".join(map(names, item.tags)))

    def _entity(self, key: Key) -> tuple[list[str], str]:
        """An actor's pages and feed: its chip and file, its lists, the chips of the
        actors its pages show beside it (co-mentions, members, people, its country) but
        their names, and the tags of its feed; then those names apart."""
        site, views = self.site, self.views
        actor = site.actors[key]
        named = site.named.get(key, [])
        chips = views.entity_chips(key)
        shown = sorted(set(chips.actors()))
        tags: set[Key] = set()  # the feed's: no patch reaches a feed
        for i in named[:ENTITY_FEED]:
            tags.update(site.items[i].tags)
        chip, place, names = self.chip, self.chip_place, self.chip_names
        parts = [
            chip[key],
            self.shas.get(actor.entry.path, "") if actor.entry is not None else "",
            repr(views.bios.get(key)),
            repr(chips),
            "|".join(place[k] for k in shown),
            "|".join(chip[k] for k in sorted(tags)),
            ",".join(map(self.entry.__getitem__, named)),
            ",".join(map(self.card.__getitem__, site.mentioned_only.get(key, ()))),
        ]
        return parts, "|".join(names[k] for k in shown)


def _entry(card: str, item: Item) -> str:
    """``Depends.entry`` of one briefing: joined, not spelled out by ``repr`` (after a
    registry edit, every briefing's is worked out again)."""
    actors = "|".join(map(":".join, item.actors))
    tags = "|".join(map(":".join, item.tags))
    return short(f"{card}\n{item.briefing.updated}\n{actors}\n{tags}")


def chip_digest(actor: Actor) -> str:
    """An actor's entry in ``Depends.chip_digests``, from the actor alone: what a process
    that has the registry but no site yet can tell (see ``ahead``)."""
    return _chip_digest(_place(actor), _names(actor))


def _chip_digest(place: str, names: str) -> str:
    return f"{short(place)}.{short(names)}"


def _place(actor: Actor) -> str:
    """What a chip shows of an actor but its names: where it links, and how."""
    return repr((actor.kind, actor.url, actor.registered))


def _chip(actor: Actor) -> str:
    return repr((actor.kind, actor.url, actor.registered, _names(actor)))


def _names(actor: Actor) -> str:
    entry = actor.entry
    labels = (entry.name, sorted(entry.labels.items())) if entry is not None else None
    return repr((actor.name, labels))


def carry(
    site: Site,
    last: dict[str, Any],
    lists: dict[str, str],
    own: list[str],
    entry: list[str] | None = None,
) -> tuple[list[str], list[int]]:
    """Take the last build's related lists for the briefings whose lists are made from the
    same as then; the others are worked out when asked for. ``last`` holds the last
    build's "lists", "own", "inputs", "related" and "entry", made in the same world.
    ``entry`` (``Depends.entry``), given when the names written may resolve otherwise
    than then (``Depends.same_actors``): a briefing whose file did not change may name
    other actors than then. Returns each briefing's inputs
    digest, and the briefings whose own file or body, or whose actors, changed."""
    related = site.related
    n = len(site.items)
    last_lists, last_own = last["lists"], last["own"]
    last_inputs, last_related = last["inputs"], last["related"]
    if entry is None:
        edited = [i for i in range(n) if own[i] != last_own[i]]
    else:
        last_entry = last["entry"]
        edited = [i for i in range(n) if own[i] != last_own[i] or entry[i] != last_entry[i]]
    suspects = set(edited)
    for (kind, ident), indices in site.named.items():
        text = f"n:{kind}:{ident}"
        was = last_lists.get(text)
        if was == lists[text]:
            continue
        suspects.update(_near_changes(indices, was, edited))
    inputs: list[str] = list(last_inputs)
    for i in range(n):
        if i in suspects:
            inputs[i] = short(related.inputs(i))
            if inputs[i] != last_inputs[i]:
                continue
        related.known[i] = [int(x) for x in last_related[i]]
    return inputs, edited


def _near_changes(indices: list[int], was: str | None, edited: list[int]) -> list[int]:
    """The briefings of an actor's changed list whose part of it (``Related._windows``)
    may have changed. With the same world, the list changed only where an edited briefing
    came or went; a part reaches at most ``CANDIDATES // 2`` places either side, and
    while the list's rarity class is the same (so each briefing's weights are), a
    briefing farther than that from every edited one has the part it had."""
    length = (was or "").partition(":")[0]  # list_digests: "length:digest"
    if not edited or not length.isdigit():
        return indices
    if int(length).bit_length() != len(indices).bit_length():
        return indices
    reach = CANDIDATES // 2 + 2 + len(edited)
    near: list[int] = []
    for i in edited:
        at = bisect.bisect_left(indices, i)
        near.extend(indices[max(0, at - reach) : at + reach + 1])
    return near


class Look(NamedTuple):
    """What an edit rebuild keys again (see ``to_look_at``)."""

    specs: set[str] | None  # by ``spec_id``; None: every spec
    # briefings among them whose key before the dot is surely the last build's: only the
    # names of their chips may have changed (see ``Depends.names_key``)
    shaped: frozenset[int] = frozenset()
    names_only: bool = False  # some chips' names changed, and nothing else of any chip
    renamed: Mapping[str, str] = MappingProxyType({})  # then, the changed chips' digests


def to_look_at(
    dep: Depends, last: dict[str, Any], lists: dict[str, str], inputs: list[str], edited: list[int]
) -> Look:
    """The briefings' and actors' specs whose keys may differ from the last build's. Unless
    a card or which briefings a page shows beside its related list changed, those are the
    briefings whose own file or related list changed, and the actors whose lists, or a
    briefing in them, changed. A registry edit, or any chip changed, may change any
    actor's page: all are keyed again, and the briefings that show a chip that changed (a
    person renamed: those naming them). Of those, a briefing that is not edited, whose
    related list is made from the same as then and none of whose chips links elsewhere
    or otherwise than then has a key that differs, if at all, only after the dot."""
    if dep.structure != last["structure"] or dep.card != last["card"]:
        return Look(None)
    items = dep.site.items
    last_inputs, last_lists = last["inputs"], last["lists"]
    out = {f"briefing:{i}" for i in edited}
    out.update(
        f"briefing:{i}"
        for i, (now, then) in enumerate(zip(inputs, last_inputs, strict=True))
        if now != then
    )
    if not dep.same_registry(last) or dep.all_chips != last["chips"]:
        chips_then = last.get("chip_digests")
        if not isinstance(chips_then, dict):
            return Look(None)
        chips_now = dep.chip_digests
        changed: set[Key] = set()
        moved: set[Key] = set()  # links elsewhere, or otherwise: more than a name changed
        for k in chips_now.keys() | chips_then.keys():
            now, then = chips_now.get(k), chips_then.get(k)
            if now != then:
                key = cast(Key, tuple(k.split(":", 1)))
                changed.add(key)
                if not only_names(then, now):
                    moved.add(key)
        shaped: set[int] = set()
        for i, item in enumerate(items):
            if changed.isdisjoint(item.actors) and changed.isdisjoint(item.tags):
                continue
            spec = f"briefing:{i}"
            if spec not in out and moved.isdisjoint(item.actors) and moved.isdisjoint(item.tags):
                shaped.add(i)
            out.add(spec)
        out.update(f"entity:{kind}:{ident}" for kind, ident in dep.site.actors)
        names_only = bool(changed) and not moved
        renamed = {f"{k[0]}:{k[1]}": chips_now.get(f"{k[0]}:{k[1]}", "") for k in changed}
        return Look(out, frozenset(shaped), names_only, renamed if names_only else {})
    out.update(f"entity:{t[2:]}" for t in lists.keys() ^ last_lists.keys())
    out.update(f"entity:{t[2:]}" for t, v in lists.items() if last_lists.get(t, v) != v)
    for j, (now, then) in enumerate(zip(dep.entry, last["entry"], strict=True)):
        if now != then:
            out.update(
                f"entity:{kind}:{ident}" for kind, ident in (*items[j].actors, *items[j].tags)
            )
    return Look(out)


def only_names(then: object, now: object) -> bool:
    """Two digests split by a dot, what is shown but names and then the names (a page
    spec's key, ``Depends.key``; an actor's chip, ``Depends.chip_digests``), that agree
    up to the dot: only names changed, if anything."""
    if not (isinstance(then, str) and isinstance(now, str)):
        return False
    before, dot, _ = now.partition(".")
    was, was_dot, _ = then.partition(".")
    return bool(dot and was_dot) and was == before


def co_record(found: dict[Key, list[tuple[Key, int]]]) -> dict[str, list[list[Any]]]:
    """Actors' co-mentions as the ``co`` record stores them (see ``carry_co``)."""
    return {
        f"{k[0]}:{k[1]}": [[f"{o[0]}:{o[1]}", n] for o, n in co] for k, co in sorted(found.items())
    }


def carry_co(
    site: Site, record: Any, lists: dict[str, str], last_lists: dict[str, str], edited: list[int]
) -> dict[Key, list[tuple[Key, int]]]:
    """The last build's co-mentions (its ``co`` record) of the actors whose list of
    briefings is the one it was, none of them edited: counted from those briefings'
    actors, they are what they were. Working them all out again took a quarter of a
    second after every registry edit at 10,000 briefings (every actor's page is keyed)."""
    if not isinstance(record, dict):
        return {}
    items = site.items
    touched: set[Key] = set()
    for i in edited:
        touched.update(items[i].actors)
        touched.update(items[i].tags)
    # an actor no briefing names (a country of an organization's members) has none
    out: dict[Key, list[tuple[Key, int]]] = {k: [] for k in site.actors if k not in site.named}
    for key in site.named:
        text = f"{key[0]}:{key[1]}"
        if key in touched or lists.get(f"n:{text}") != last_lists.get(f"n:{text}"):
            continue
        stored = record.get(text)
        if not isinstance(stored, list):
            continue
        co: list[tuple[Key, int]] = []
        for pair in stored:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                break
            kind, _, ident = pair[0].partition(":")
            other = cast(Key, (kind, ident))
            if other not in site.actors or type(pair[1]) is not int:
                break
            co.append((other, pair[1]))
        else:
            out[key] = co
    return out


def renamed_chips(actors: Mapping[Key, Actor], last: Mapping[str, Any]) -> dict[str, str] | None:
    """The registry's actors whose chip's names differ from the last build's, and nothing
    else of it (``last``: its ``Depends.chip_digests``), by ``kind:id``, with their chips'
    digests now; None if a chip changed otherwise (see ``ahead``)."""
    renamed: dict[str, str] = {}
    for key, actor in actors.items():
        ident = f"{key[0]}:{key[1]}"
        then = last.get(ident)
        if then is None:
            continue  # not shown by the last build: no page holds it
        now = chip_digest(actor)
        if now == then:
            continue
        if not only_names(then, now):
            return None
        renamed[ident] = now
    return renamed
