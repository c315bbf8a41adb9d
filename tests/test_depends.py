"""briefing.depends: which briefings' related lists an edit can change."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest

from briefing import depends
from briefing.depends import _near_changes, carry, list_digests, short, spec_id
from briefing.link import Item
from briefing.registry import Key
from tests.test_link import _item, _site

PEOPLE: list[Key] = [("person", f"p{k}") for k in range(6)]
TAGS: list[Key] = [("tag", f"t{k}") for k in range(3)]
N = 600


def _items(keys: list[tuple[Key, ...]]) -> list[Item]:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    out = []
    for k, actors in enumerate(keys):
        people = tuple(a for a in actors if a[0] == "person")
        tags = tuple(a for a in actors if a[0] == "tag")
        item = dataclasses.replace(
            _item(f"b{k:03d}", 1, people, tags), moment=start + dt.timedelta(hours=k)
        )
        out.append(item)
    return out


def _random_keys(rng: random.Random, people: list[Key]) -> list[tuple[Key, ...]]:
    """N briefings' actors: one to three people, the first far more often than the last,
    and a tag every other briefing."""
    keys: list[tuple[Key, ...]] = []
    for _ in range(N):
        top = len(people) - 1
        chosen = {people[min(int(rng.expovariate(0.7)), top)] for _ in range(rng.randint(1, 3))}
        chosen |= {TAGS[rng.randrange(3)]} if rng.random() < 0.5 else set()
        keys.append(tuple(sorted(chosen)))
    return keys


def test_every_briefing_whose_related_inputs_change_is_a_suspect() -> None:
    """Random sites of 600 briefings with skewed actors; a few briefings gain or lose
    actors. Every briefing whose related inputs changed is among those named by
    _near_changes for the lists that changed, or is one of the edited ones."""
    rng = random.Random(5)
    narrowed = reached = 0
    for _round in range(12):
        keys = _random_keys(rng, PEOPLE[:6])
        edited_keys = list(keys)
        edited = sorted(rng.sample(range(N), rng.randint(1, 3)))
        for i in edited:
            present = set(edited_keys[i])
            other = rng.choice(PEOPLE + TAGS)
            present ^= {other}
            if not any(k[0] == "person" for k in present):
                present.add(PEOPLE[0])
            edited_keys[i] = tuple(sorted(present))
        before, after = _site(*_items(keys)), _site(*_items(edited_keys))
        # newest first: index i of the list is briefing N - 1 - i
        edited_at = sorted(N - 1 - i for i in edited)
        was, now = list_digests(before), list_digests(after)
        suspects, whole = set(edited_at), set(edited_at)
        for key, indices in after.named.items():
            text = f"n:{key[0]}:{key[1]}"
            if was.get(text) != now[text]:
                suspects.update(_near_changes(indices, was.get(text), edited_at))
                whole.update(indices)
        changed = {i for i in range(N) if before.related.inputs(i) != after.related.inputs(i)}
        assert changed <= suspects, sorted(changed - suspects)
        reached += bool(changed - set(edited_at))
        narrowed += len(suspects) < len(whole)
    assert reached >= 10  # the edits did reach other briefings' inputs
    assert narrowed >= 6  # most rounds looked at part of the changed lists only


def test_a_list_whose_rarity_class_changed_makes_all_its_briefings_suspects() -> None:
    assert _near_changes([1, 2, 3, 4], "3:x", [2]) == [1, 2, 3, 4]  # 3 -> 4: a new class
    assert _near_changes([1, 2, 3, 4, 5], "4:x", []) == [1, 2, 3, 4, 5]  # no edit explains it
    assert _near_changes([1, 2, 3], None, [2]) == [1, 2, 3]  # a new list
    assert (
        _near_changes(list(range(0, 400, 2)), "199:x", [200])
        == list(range(0, 400, 2))[100 - 43 : 100 + 44]
    )


def test_carry_finds_briefings_whose_actors_changed_with_their_files_unchanged() -> None:
    """A registry edit (a rare person's name made an alias of another's) moves briefings
    whose files are unchanged between lists, in the same build as an edit elsewhere.
    Given the entries, ``carry`` treats the moved briefings as edited: every related list
    equals one worked out afresh, and so does every briefing's inputs digest (which the
    pages made take from it). Without them, some round keeps a stale list."""
    rng = random.Random(11)
    stale_without = 0
    for _round in range(8):
        keys = _random_keys(rng, PEOPLE[:5])
        for i in rng.sample(range(N), 3):  # the rare person, soon an alias of p1
            keys[i] = tuple(sorted({*keys[i], PEOPLE[5]}))
        moved = [tuple(sorted({PEOPLE[1] if k == PEOPLE[5] else k for k in ks})) for ks in keys]
        edit = rng.randrange(N)  # and one briefing edited: a tag more
        moved[edit] = tuple(sorted({*moved[edit], TAGS[(_round + 1) % 3]}))
        before = _site(*_items(keys))
        last = {
            "lists": list_digests(before),
            "own": ["same"] * N,
            "inputs": [short(before.related.inputs(i)) for i in range(N)],
            "related": [list(before.related[i]) for i in range(N)],
            "entry": [repr(item.actors + item.tags) for item in before.items],
        }
        fresh = _site(*_items(moved))
        own = ["same"] * N
        own[N - 1 - edit] = "edited"  # newest first
        lists = [[int(x) for x in fresh.related[i]] for i in range(N)]
        for entry in (None, [repr(item.actors + item.tags) for item in fresh.items]):
            after = _site(*_items(moved))
            inputs, _ = carry(after, last, list_digests(after), own, entry)
            got = [[int(x) for x in after.related[i]] for i in range(N)]
            if entry is None:
                stale_without += got != lists
            else:
                assert got == lists
                # what a made page records for the next build, as carry knew it
                assert inputs == [short(fresh.related.inputs(i)) for i in range(N)]
    assert stale_without >= 2


def test_a_spec_id_is_its_name_and_its_arguments_flattened() -> None:
    """The next build finds a spec again by its id: the quick cases give what the general
    one does, and ids of different specs differ."""
    specs = [
        ("briefing", (17,)),
        ("entity", (("person", "ana"),)),
        ("index", ("person",)),
        ("home", ()),
        ("entity", (("person", "ana:b"),)),
        ("odd", (("a", 1),)),
        ("odd", (1, 2)),
    ]
    assert [spec_id(s) for s in specs] == [
        "briefing:17",
        "entity:person:ana",
        "index:person",
        "home",
        "entity:person:ana:b",
        "odd:a:1",
        "odd:1:2",
    ]
    assert spec_id(("briefing", (1,))) != spec_id(("briefing", (11,)))


@pytest.mark.parametrize(
    ("then", "now", "expected"),
    [
        ("shape.names", "shape.other", True),
        ("shape.names", "shape.names", True),
        ("shape.names", "moved.names", False),
        ("shape", "shape.names", False),  # a digest of another layout: not comparable
        ("shape.names", "shape", False),
        (None, "shape.names", False),
        ("shape.names", None, False),
    ],
)
def test_only_names_compares_digests_up_to_the_dot(
    then: object, now: object, expected: bool
) -> None:
    assert depends.only_names(then, now) is expected
