"""Which chips patching ahead takes as renamed: names alone, or nothing."""

from __future__ import annotations

import dataclasses

from briefing.depends import chip_digest, renamed_chips
from briefing.model import Entry
from briefing.registry import Actor


def _person(ident: str, name: str, labels: dict[str, str] | None = None) -> Actor:
    entry = Entry(
        f"content/people/{ident}.yaml",
        "person",
        ident,
        name,
        (),
        labels or {},
        None,
        None,
        {},
        (),
        (),
        None,
        {},
    )
    return Actor("person", ident, name, True, entry)


def test_a_rename_and_a_new_label_are_names_alone() -> None:
    ana, bo = _person("ana", "Ana"), _person("bo", "Bo")
    last = {"person:ana": chip_digest(ana), "person:bo": chip_digest(bo)}
    vidal = _person("ana", "Ana Vidal")
    labelled = _person("bo", "Bo", {"fr": "Beau"})
    found = renamed_chips({("person", "ana"): vidal, ("person", "bo"): labelled}, last)
    assert found == {"person:ana": chip_digest(vidal), "person:bo": chip_digest(labelled)}
    assert renamed_chips({("person", "ana"): ana, ("person", "bo"): bo}, last) == {}


def test_a_chip_that_links_otherwise_is_more_than_a_rename() -> None:
    ana = _person("ana", "Ana")
    last = {"person:ana": chip_digest(ana)}
    unregistered = dataclasses.replace(ana, name="Ana Vidal", registered=False)
    assert renamed_chips({("person", "ana"): unregistered}, last) is None


def test_an_actor_the_last_build_did_not_show_is_passed_over() -> None:
    """No page of the last build shows it: there is nothing to patch for it."""
    assert renamed_chips({("person", "eva"): _person("eva", "Eva")}, {}) == {}
