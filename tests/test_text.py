"""briefing.text: folding, slugs and closest matches."""

from __future__ import annotations

import random

import pytest

from briefing.text import (
    MAX_SLUG,
    Matcher,
    carry_closest,
    closest,
    digest,
    fold,
    is_safe_slug,
    slugify,
    strip_accents,
)


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Japón", "japon"),
        ("  JAPON ", "japon"),
        ("Corea\tdel\n Sur", "corea del sur"),
        ("a\u00a0b", "a b"),  # no-break space
        ("Straße", "strasse"),  # casefold, not lower
        ("İstanbul", "istanbul"),
        ("Ｔｏｋｙｏ", "tokyo"),  # full-width, NFKD
        ("Nguyễn Phú Trọng", "nguyen phu trong"),  # two marks on one letter
        ("Ελλάδα", "ελλαδα"),
        ("Erdoğan", "erdogan"),
    ],
)
def test_fold(written: str, folded: str) -> None:
    assert fold(written) == folded


@pytest.mark.parametrize("word", ["हिन्दी", "தமிழ்", "ガス", "서울", "東京", "ไทย"])
def test_fold_keeps_marks_that_are_part_of_letters(word: str) -> None:
    assert fold(word) == word
    assert strip_accents(word) == word


def test_fold_keeps_distinct_kana_distinct() -> None:
    assert fold("ガス") != fold("カス")


def test_strip_accents_keeps_case() -> None:
    assert strip_accents("Ñandú Élite") == "Nandu Elite"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Jens Stoltenberg", "jens-stoltenberg"),
        ("Indo-Pacífico", "indo-pacifico"),
        ("  Seguridad   y  defensa ", "seguridad-y-defensa"),
        ("¿Qué pasa?", "que-pasa"),
        ("snake_case", "snake-case"),
        ("C++ / Rust", "c-rust"),
        ("東京", "東京"),
        ("مرحبا بالعالم", "مرحبا-بالعالم"),
        ("नरेन्द्र मोदी", "नरेन्द्र-मोदी"),
        ("Yoon Suk-yeol", "yoon-suk-yeol"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug
    assert is_safe_slug(slug)


@pytest.mark.parametrize("text", ["", "---", "¡¿?!", "..", "/"])
def test_slugify_of_nothing_usable_is_a_stable_hash(text: str) -> None:
    slug = slugify(text)
    assert slug.startswith("x-") and len(slug) == 10
    assert slug == slugify(text)
    assert is_safe_slug(slug)


def test_slugify_hashes_differ() -> None:
    assert slugify("---") != slugify("¡¿?!")


def test_slugify_is_bounded_and_never_ends_with_a_hyphen() -> None:
    slug = slugify("palabra " * 100)
    assert len(slug) <= 120
    assert not slug.endswith("-")
    assert is_safe_slug(slug)


def test_slugify_folds_like_fold() -> None:
    assert slugify("JAPÓN") == slugify("japon") == "japon"


@pytest.mark.parametrize(
    "slug",
    ["ok", "a.b", "a-b_c", "2023-01-31-nota", "Mayúsculas", "東京", "हिन्दी-नोट", "x" * MAX_SLUG],
)
def test_safe_slugs(slug: str) -> None:
    assert is_safe_slug(slug)


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "../x",
        "..",
        "a..b",
        "/abs",
        "a/b",
        "a\\b",
        ".hidden",
        "-x",
        "_x",
        "a b",
        "a\n",
        "a\x00",
        "a:b",
        "a?b",
        "x" * (MAX_SLUG + 1),
    ],
)
def test_unsafe_slugs(slug: str) -> None:
    assert not is_safe_slug(slug)


def test_closest_suggests_within_cutoff() -> None:
    known = ["people", "title", "tags", "countries"]
    assert closest("peple", known) == "people"
    assert closest("PEOPLE", known) == "people"
    assert closest("zzzzzz", known) is None


def test_closest_ignores_accents_and_returns_the_original_spelling() -> None:
    assert closest("Japn", ["Japón", "Albania"]) == "Japón"
    assert closest("otan", ["OTAN"]) == "OTAN"


def test_closest_cutoff() -> None:
    assert closest("abcd", ["abxy"], cutoff=0.4) == "abxy"
    assert closest("abcd", ["abxy"], cutoff=0.9) is None


def test_closest_is_deterministic_whatever_the_order() -> None:
    a = closest("Jensen", ["Jenson", "Jensin", "Hansen"])
    b = closest("Jensen", ["Hansen", "Jensin", "Jenson"])
    assert a == b


def test_digest_separates_parts() -> None:
    assert digest("ab", "c") != digest("a", "bc")
    assert digest("a") == digest(b"a")
    assert digest("\ud800") == digest("\ud800")  # lone surrogates do not raise


def test_matcher_gives_the_same_answers_as_closest_for_every_word() -> None:
    from briefing.text import Matcher

    pool = ["Fumio Kishida", "Pedro Sánchez", "Olaf Scholz", "Emmanuel Macron"]
    matcher = Matcher(pool)
    for word in ("Fumio Kishda", "pedro sanchez", "Olaf Sholz", "Nobody At All", "macron"):
        assert matcher.closest(word, 0.8) == closest(word, pool, 0.8)
    assert matcher.closest("pedro sanchez", 0.8) == "Pedro Sánchez"
    assert matcher.closest("Nobody At All", 0.8) is None


def test_closest_answers_carried_across_a_changed_pool_are_a_fresh_lookups() -> None:
    """Random pools of names, then names added, removed or respelled (an accent, a capital:
    the same folded key for another name); the carried answers are what ``closest``
    finds in the new pool, and most of them are carried rather than left out."""
    rng = random.Random(3)
    syllables = ["ma", "ri", "ta", "lo", "pe", "sa", "ne", "ko", "la", "vi", "an", "do"]

    def name() -> str:
        parts = ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))) for _ in "ab"]
        return " ".join(p.capitalize() for p in parts)

    carried_total = left_out = 0
    for _round in range(30):
        pool = sorted({name() for _ in range(60)})
        words = [name() for _ in range(40)]
        words += [w[:-1] + "x" for w in rng.sample(pool, 10)]  # near misses of real names
        old, new_pool = Matcher(pool), list(pool)
        for _ in range(rng.randint(1, 4)):
            roll = rng.random()
            if roll < 0.4:
                new_pool.append(rng.choice(words)[:-1] + rng.choice("aeio"))
            elif roll < 0.7 and new_pool:
                new_pool.remove(rng.choice(new_pool))
            else:
                target = rng.choice(new_pool)
                new_pool.append(target.upper() if rng.random() < 0.5 else target + "á")
        new = Matcher(new_pool)
        answers = {w: old.closest(w, 0.8) for w in words}
        found = carry_closest(old, new, answers, 0.8)
        assert found == {w: new.closest(w, 0.8) for w in found}
        carried_total += len(found)
        left_out += len(words) - len(found)
    assert carried_total > 10 * left_out
