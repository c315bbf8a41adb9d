"""briefing.link: related briefings and co-mentions, worked out per page when asked."""

from __future__ import annotations

import dataclasses
import datetime as dt

from briefing.link import Item, Site, link_site
from briefing.model import Body, Briefing
from briefing.registry import Key

P1: Key = ("person", "ana")
P2: Key = ("person", "luis")
P3: Key = ("person", "marta")
FR: Key = ("country", "fr")
ES: Key = ("country", "es")
ENERGY: Key = ("tag", "energia")


def _item(
    slug: str,
    day: int,
    actors: tuple[Key, ...],
    tags: tuple[Key, ...] = (),
    translation_key: str | None = None,
) -> Item:
    briefing = Briefing(
        path=f"content/briefings/{slug}.md",
        slug=slug,
        title=slug,
        date=f"2024-03-{day:02d}",
        updated=None,
        summary=None,
        refs=(),
        tags=(),
        sources=(),
        lang=None,
        draft=False,
        story=None,
        redirect_from=(),
        translation_key=translation_key,
        extra={},
        body=Body("", "", "", "", ()),
        lines={},
    )
    moment = dt.datetime(2024, 3, day, tzinfo=dt.UTC)
    return Item(briefing, f"briefings/{slug}.html", moment, actors, tags, {}, (), "")


def _site(*items: Item) -> Site:
    return link_site(list(items), {}, [], {})


def _slugs(site: Site, indices: list[int]) -> list[str]:
    return [site.items[i].briefing.slug for i in indices]


def test_related_ranks_shared_actors_then_nearness_and_leaves_out_strangers() -> None:
    site = _site(
        _item("a", 20, (P1, P2, FR)),
        _item("both", 10, (P1, P2)),
        _item("near", 19, (P1,)),
        _item("far", 2, (P1,)),
        _item("stranger", 20, (P3, ES)),
        _item("other", 18, (P3, ES)),
    )
    a = next(i for i, item in enumerate(site.items) if item.briefing.slug == "a")
    assert _slugs(site, site.related[a]) == ["both", "near", "far"]
    stranger = next(i for i, item in enumerate(site.items) if item.briefing.slug == "stranger")
    assert _slugs(site, site.related[stranger]) == ["other"]


def test_a_translation_is_not_related_and_a_lone_actor_counts_for_nothing() -> None:
    site = _site(
        _item("a", 20, (P1, P3), translation_key="k"),
        _item("a-en", 20, (P1, P3), translation_key="k"),
        _item("b", 12, (P1,), tags=(ENERGY,)),
        _item("c", 11, (FR,), tags=(ENERGY,)),
    )
    index = {item.briefing.slug: i for i, item in enumerate(site.items)}
    assert _slugs(site, site.related[index["a"]]) == ["b"]
    assert _slugs(site, site.related[index["c"]]) == ["b"]  # the tag alone; FR is in one only


def test_related_lists_are_the_top_of_the_whole_ranking() -> None:
    """Only candidates that can reach the top are rounded and sorted: the lists are those
    of ranking every candidate, exact ties (same day, same actors) going by index."""
    import math
    import random

    rng = random.Random(7)
    pool: list[Key] = [("person", f"p{n}") for n in range(12)] + [FR, ES]
    items = [
        _item(f"b{k:03d}", rng.randint(1, 28), tuple(rng.sample(pool, rng.randint(1, 4))))
        for k in range(300)
    ]
    site = _site(*items)
    related = site.related
    for index in range(len(site.items)):
        scores: dict[int, float] = {}
        for key, weight, start, end in related._windows(index):
            for other in related.named[key][start:end]:
                scores[other] = scores.get(other, 0.0) + weight
        scores.pop(index, None)
        here = related.stamps[index]
        ranked = sorted(
            (-round(score * (1 + math.exp(-abs(here - related.stamps[o]) / 15_552_000)), 9), o)
            for o, score in scores.items()
        )
        assert related[index] == [o for _, o in ranked[:5]]


def test_a_list_and_its_inputs_share_the_windows_worked_out_for_them() -> None:
    """The worker that makes a briefing's page asks for its related list and then for its
    inputs (its key): the part of each actor's list both are made from is worked out once
    for the two, whichever is asked first, and each answer is what asking alone gives."""
    import random

    rng = random.Random(3)
    pool: list[Key] = [("person", f"p{n}") for n in range(10)] + [FR, ES, ENERGY]
    items = [
        _item(f"b{k:03d}", rng.randint(1, 28), tuple(rng.sample(pool, rng.randint(1, 4))))
        for k in range(120)
    ]
    asked, alone = _site(*items).related, _site(*items).related
    worked: list[int] = []
    offer = asked._offer

    def counted(index: int) -> list[tuple[Key, float, int, int]]:
        worked.append(index)
        return offer(index)

    asked._offer = counted  # type: ignore[method-assign]
    for index in range(len(items)):
        if index % 2:
            listed, inputs = asked[index], asked.inputs(index)
        else:
            inputs = asked.inputs(index)
            listed = asked[index]
        assert (listed, inputs) == (alone[index], alone.inputs(index))
    assert worked == list(range(len(items)))  # once for each briefing
    assert asked.inputs(5) == alone.inputs(5) and worked[-1] == 5  # asked again: anew


def test_co_mentions_count_briefings_shared_in_front_matter() -> None:
    site = _site(
        _item("a", 20, (P1, P2, FR)),
        _item("b", 19, (P1, P2), tags=(ENERGY,)),
        _item("c", 18, (P1, ES)),
    )
    assert site.co.get(P1, []) == [(P2, 2), (ES, 1), (FR, 1)]
    assert site.co.get(FR, []) == [(P1, 1), (P2, 1)]
    assert site.co.get(ENERGY, []) == []  # a tag is not an actor
    assert site.co.get(P3, []) == []


def test_one_more_briefing_in_a_long_list_leaves_far_lists_as_they_were() -> None:
    """An actor's rarity counts by class (powers of two), and each briefing takes only the
    part of the actor's list near it in time: adding the actor to one more briefing
    changes the related inputs of the briefings near that one, and of no others, and
    the lists of the others are what they were."""
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

    def items(extra: int | None) -> list[Item]:
        out = []
        for k in range(200):
            actors: tuple[Key, ...] = (P1,) if k % 10 else (P2,)
            if k == extra:
                actors = (P2, P1)
            item = _item(f"b{k:03d}", 1, actors)
            out.append(dataclasses.replace(item, moment=start + dt.timedelta(hours=k)))
        return out

    before, after = _site(*items(None)), _site(*items(100))
    assert len(before.named[P1]) == 180 and len(after.named[P1]) == 181
    changed = [i for i in range(200) if before.related.inputs(i) != after.related.inputs(i)]
    assert changed and all(abs(i - 99) <= 60 for i in changed)  # index 99: newest first
    assert len(changed) < 130
    far = [i for i in range(200) if i not in changed]
    assert [before.related[i] for i in far] == [after.related[i] for i in far]
    assert before.related.weight[P1] == after.related.weight[P1]


def test_items_are_newest_first_then_by_slug_whatever_the_zone_or_the_order_given() -> None:
    """Equal instants tie whatever zone spells them (the slug decides); moments shared by
    many items and moments equal but not shared sort alike."""
    import random
    import zoneinfo

    from briefing.link import newest_first, timestamps

    madrid = zoneinfo.ZoneInfo("Europe/Madrid")
    shared = {d: dt.datetime(2024, 3, d, tzinfo=madrid) for d in range(1, 9)}
    rnd = random.Random(7)
    items = []
    for n in range(300):
        day = rnd.randint(1, 8)
        if n % 3 == 0:  # the same instant, spelled in UTC, as another object
            moment = shared[day].astimezone(dt.UTC)
        elif n % 3 == 1:
            moment = shared[day]
        else:
            moment = dt.datetime(2024, 3, day, 12, tzinfo=dt.UTC)
        slug = f"s{rnd.randint(0, 99):02d}-{n}"
        items.append(dataclasses.replace(_item(slug, day, (P1,)), moment=moment))
    rnd.shuffle(items)
    expected = sorted(items, key=lambda i: (-i.moment.timestamp(), i.briefing.slug))
    assert [i.briefing.slug for i in newest_first(items)[0]] == [i.briefing.slug for i in expected]
    assert timestamps(items) == [i.moment.timestamp() for i in items]
    assert len({i.moment.timestamp() for i in items}) == 16  # ties to break: 300 items


def test_moments_equal_in_their_zone_but_an_hour_apart_keep_their_own_times() -> None:
    """When clocks go back, 02:30 comes twice: the two moments compare equal in their
    zone, yet the second is an hour later, and sorts first."""
    import zoneinfo

    from briefing.link import newest_first, timestamps

    madrid = zoneinfo.ZoneInfo("Europe/Madrid")
    first = dt.datetime(2024, 10, 27, 2, 30, tzinfo=madrid)
    second = first.replace(fold=1)
    assert first == second and second.timestamp() - first.timestamp() == 3600
    items = [
        dataclasses.replace(_item("a", 27, (P1,)), moment=first),
        dataclasses.replace(_item("b", 27, (P1,)), moment=second),
    ]
    assert timestamps(items) == [first.timestamp(), second.timestamp()]
    assert [i.briefing.slug for i in newest_first(items)[0]] == ["b", "a"]
