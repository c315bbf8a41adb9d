"""briefing.link: related briefings and co-mentions, worked out per page when asked."""

from __future__ import annotations

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
