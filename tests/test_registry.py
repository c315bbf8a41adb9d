"""briefing.registry: build_registry + Resolver — how a name written in front matter finds its actor."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from briefing.config import DEFAULT_EXTENSIONS
from briefing.model import Entry, Ref
from briefing.parse import Settings, parse_file
from briefing.problems import Problem
from briefing.registry import Key, Registry, Resolver, build_registry, mention_table
from briefing.resolve import suggest_ahead

SETTINGS = Settings("es", "Europe/Madrid", DEFAULT_EXTENSIONS)

FILES = {
    "content/people/yoon-suk-yeol.yaml": (
        "name: Yoon Suk-yeol\n"
        "aliases: [Yoon Suk-you, Yoon]\n"
        "labels: {en: Yoon Suk Yeol}\n"
        "country: KR\n"
    ),
    "content/people/jens-stoltenberg.yaml": "name: Jens Stoltenberg\naliases: [Stoltenberg]\n",
    "content/people/camilla-stoltenberg.yaml": (
        "name: Camilla Stoltenberg\naliases: [Stoltenberg]\n"
    ),
    "content/people/fumio-kishida.yaml": "name: Fumio Kishida\naliases: [kishida]\n",
    "content/organizations/nato.yaml": (
        "name: NATO\n"
        "labels: {es: OTAN, en: NATO}\n"
        "aliases: [OTAN, Organización del Tratado del Atlántico Norte]\n"
    ),
    "content/organizations/union-europea.yaml": (
        "name: European Union\nlabels: {es: Unión Europea}\naliases: [UE, EU]\n"
    ),
    # id "g7" vs a person whose *name* is "G7" vs an organization whose alias is "G7"
    "content/organizations/g7.yaml": "name: Grupo de los Siete\n",
    "content/people/someone.yaml": "name: G7\n",
    "content/organizations/g20.yaml": "name: Grupo de los Veinte\naliases: [G7]\n",
    "content/countries/jp.md": "---\naliases: [Nipón]\n---\nNotas sobre Japón.\n",
}


def entry(path: str, text: str) -> Entry:
    kind = {"people": "person", "organizations": "organization", "countries": "country"}[
        path.split("/")[1]
    ]
    parsed = parse_file(path, kind, text.encode(), SETTINGS)
    assert parsed.problems == (), parsed.problems
    assert parsed.entry is not None
    return parsed.entry


def registry(files: dict[str, str] = FILES, language: str = "es") -> tuple[Registry, list[Problem]]:
    return build_registry([entry(p, t) for p, t in files.items()], language)


@pytest.fixture(scope="module")
def reg() -> Registry:
    return registry()[0]


def resolve(reg: Registry, text: str, field: str = "actors") -> tuple[Key | None, list[Problem]]:
    return Resolver(reg).resolve("content/briefings/b.md", Ref(text, field, 7))


def key_of(reg: Registry, text: str, field: str = "actors") -> Key | None:
    key, problems = resolve(reg, text, field)
    assert problems == [], [p.format() for p in problems]
    return key


# -------------------------------------------------------------- precedence


def test_id_beats_name_beats_alias(reg: Registry) -> None:
    # "g7" is the organization's id, the person's name, and another organization's alias
    assert key_of(reg, "g7") == ("organization", "g7")
    assert key_of(reg, "G7", "organizations") == ("organization", "g7")
    # among people only, the name wins
    assert key_of(reg, "G7", "people") == ("person", "someone")


def test_name_beats_alias() -> None:
    files = {
        "content/people/a.yaml": "name: Ana\n",
        "content/people/b.yaml": "name: Beatriz\naliases: [Ana]\n",
    }
    reg, problems = registry(files)
    assert problems == []
    assert key_of(reg, "Ana", "people") == ("person", "a")
    assert key_of(reg, "ana", "people") == ("person", "a")


def test_id_name_and_alias_all_resolve(reg: Registry) -> None:
    for text in ("yoon-suk-yeol", "Yoon Suk-yeol", "Yoon Suk-you", "Yoon", "Yoon Suk Yeol"):
        assert key_of(reg, text, "people") == ("person", "yoon-suk-yeol")


@pytest.mark.parametrize(
    ("text", "field", "key"),
    [
        ("japon", "countries", ("country", "jp")),
        ("JAPÓN", "countries", ("country", "jp")),
        ("OTAN", "organizations", ("organization", "nato")),
        ("otan", "actors", ("organization", "nato")),
        ("organizacion del tratado del atlantico norte", "actors", ("organization", "nato")),
        ("Yoon Suk-you", "people", ("person", "yoon-suk-yeol")),
        ("  YOON   suk-YOU ", "people", ("person", "yoon-suk-yeol")),
        ("KISHIDA", "people", ("person", "fumio-kishida")),
    ],
)
def test_case_accent_and_spacing_insensitive(
    reg: Registry, text: str, field: str, key: Key
) -> None:
    assert key_of(reg, text, field) == key


# --------------------------------------------------------------- countries


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("JP", "jp"),
        ("jp", "jp"),
        ("JPN", "jp"),
        ("Japón", "jp"),
        ("Japan", "jp"),
        ("Nipón", "jp"),  # an alias from content/countries/jp.md
        ("KOR", "kr"),
        ("Corea del Sur", "kr"),
        ("South Korea", "kr"),
        ("NO", "no"),  # Norway, not a boolean
        ("Noruega", "no"),
        ("Estados Unidos", "us"),
        ("USA", "us"),
        ("XK", "xk"),
    ],
)
def test_countries_by_code_and_name(reg: Registry, text: str, code: str) -> None:
    assert key_of(reg, text, "countries") == ("country", code)


def test_country_names_follow_the_site_language() -> None:
    es, _ = registry({})
    en, _ = registry({}, language="en")
    assert es.actors[("country", "jp")].name == "Japón"
    assert en.actors[("country", "jp")].name == "Japan"
    # the English name is always understood
    assert key_of(es, "Germany", "countries") == ("country", "de")
    # other languages are not: on an English site the Spanish name is unknown
    key, problems = resolve(en, "Alemania", "countries")
    assert key is None
    assert [p.message for p in problems] == ["unknown country `Alemania`"]


@pytest.mark.parametrize("code", ["EU", "UN", "ZZ", "XA", "QO", "AC", "TA"])
def test_codes_that_are_not_countries_are_not_countries(reg: Registry, code: str) -> None:
    assert ("country", code.lower()) not in reg.actors


def test_eu_in_actors_is_the_organization(reg: Registry) -> None:
    assert key_of(reg, "EU") == ("organization", "union-europea")
    assert key_of(reg, "Unión Europea") == ("organization", "union-europea")


def test_unknown_country_is_an_error_with_a_close_match(reg: Registry) -> None:
    key, problems = resolve(reg, "Japn", "countries")
    assert key is None
    assert len(problems) == 1
    p = problems[0]
    assert (p.path, p.line, p.severity) == ("content/briefings/b.md", 7, "error")
    assert p.message == "unknown country `Japn`"
    assert p.hint in ("did you mean `Japón`?", "did you mean `Japan`?")


def test_unknown_country_far_from_any_gets_a_general_hint(reg: Registry) -> None:
    key, problems = resolve(reg, "Qqqqqqq", "countries")
    assert key is None
    assert [p.severity for p in problems] == ["error"]
    assert "ISO 3166" in problems[0].hint


# ---------------------------------------------------------------- ambiguity


def test_ambiguous_alias_is_an_error_naming_both(reg: Registry) -> None:
    key, problems = resolve(reg, "Stoltenberg", "people")
    assert key is None
    assert len(problems) == 1
    p = problems[0]
    assert (p.severity, p.line) == ("error", 7)
    assert "`Stoltenberg` is ambiguous" in p.message
    assert "Jens Stoltenberg (content/people/jens-stoltenberg.yaml)" in p.message
    assert "Camilla Stoltenberg (content/people/camilla-stoltenberg.yaml)" in p.message


def test_shared_alias_is_warned_about_when_the_registry_is_built() -> None:
    _, problems = registry()
    shared = [p for p in problems if "stoltenberg" in p.message]
    assert len(shared) == 1
    assert shared[0].severity == "warning"
    assert "Camilla Stoltenberg" in shared[0].message
    assert "Jens Stoltenberg" in shared[0].message


def test_a_full_name_is_not_ambiguous(reg: Registry) -> None:
    assert key_of(reg, "Jens Stoltenberg", "people") == ("person", "jens-stoltenberg")


def test_duplicate_id_is_an_error() -> None:
    files = {
        "content/people/ana.yaml": "name: Ana\n",
        "content/people/ana.md": "---\nname: Ana B\n---\n",
    }
    _, problems = registry(files)
    assert [(p.severity, p.path) for p in problems] == [("error", "content/people/ana.yaml")]
    assert "duplicate person id `ana`" in problems[0].message


# -------------------------------------------------------- unknown and misfiled


def test_unknown_person_warns_and_gets_an_unregistered_actor(reg: Registry) -> None:
    resolver = Resolver(reg)
    key, problems = resolver.resolve("content/briefings/b.md", Ref("Pedro Sánchez", "people", 4))
    assert key == ("person", "pedro-sanchez")
    assert [(p.severity, p.line) for p in problems] == [("warning", 4)]
    assert "unknown person `Pedro Sánchez`" in problems[0].message
    assert "content/people/pedro-sanchez.yaml" in problems[0].hint
    actor = resolver.actor(key)
    assert (actor.name, actor.registered, actor.url) == (
        "Pedro Sánchez",
        False,
        "people/pedro-sanchez.html",
    )
    # written differently, still the same unregistered actor
    again, _ = resolver.resolve("content/briefings/c.md", Ref("pedro sanchez", "people", 2))
    assert again == key
    assert resolver.spellings[key] == {"Pedro Sánchez": 1, "pedro sanchez": 1}


def test_unknown_close_to_a_registered_name_suggests_it(reg: Registry) -> None:
    _, problems = resolve(reg, "Fumio Kishidda", "people")
    assert problems[0].hint.startswith("did you mean `Fumio Kishida`?")


def test_unknown_slug_does_not_take_a_registered_id() -> None:
    files = {"content/people/ana.yaml": "name: Ana Gómez\n"}
    reg, _ = registry(files)
    resolver = Resolver(reg)
    key, problems = resolver.resolve("b.md", Ref("¡Ana!", "people", 1))
    # "¡Ana!" slugifies to "ana", the registered person's id, but is not that person
    assert [p.severity for p in problems] == ["warning"]
    assert key is not None and key[0] == "person" and key != ("person", "ana")
    assert resolver.actor(key).name == "¡Ana!"
    assert resolver.actor(("person", "ana")).name == "Ana Gómez"


def test_unknown_in_actors_is_a_person(reg: Registry) -> None:
    key, problems = resolve(reg, "Nadie Conocido")
    assert key == ("person", "nadie-conocido")
    assert [p.severity for p in problems] == ["warning"]


def test_actor_in_the_wrong_field_is_read_as_its_kind(reg: Registry) -> None:
    key, problems = resolve(reg, "OTAN", "people")
    assert key == ("organization", "nato")
    assert [p.severity for p in problems] == ["warning"]
    assert "is an organization" in problems[0].message
    assert problems[0].hint == "move it to `organizations`"


# ------------------------------------------------------------- mentions


def test_mention_table_has_names_aliases_and_labels(reg: Registry) -> None:
    table = mention_table(reg)
    assert table["OTAN"] == ("organization", "nato")
    assert table["NATO"] == ("organization", "nato")
    assert table["Yoon Suk-you"] == ("person", "yoon-suk-yeol")
    assert table["Yoon Suk Yeol"] == ("person", "yoon-suk-yeol")
    assert table["Japón"] == ("country", "jp")
    assert table["Japan"] == ("country", "jp")
    assert table["Nipón"] == ("country", "jp")


def test_mention_table_excludes_codes_and_lowercase(reg: Registry) -> None:
    table = mention_table(reg)
    for code in ("JP", "JPN", "NO", "KOR", "USA", "ES", "DE"):
        assert code not in table
    assert "kishida" not in table  # an all-lowercase alias
    assert [name for name in table if name == name.lower()] == []


def test_mention_table_drops_names_shared_by_two_registered_actors(reg: Registry) -> None:
    assert "Stoltenberg" not in mention_table(reg)


def test_registered_actor_wins_a_mention_over_a_country_name() -> None:
    files = {"content/organizations/georgia.yaml": "name: Georgia Tech\naliases: [Georgia]\n"}
    reg, _ = registry(files)
    assert mention_table(reg)["Georgia"] == ("organization", "georgia")


def test_suggestions_worked_out_ahead_are_the_ones_resolving_asks_for(reg: Registry) -> None:
    """``suggest_ahead`` (in two processes) finds the "did you mean" of exactly the
    references that ask for one (unknown people and organizations, not unknown countries,
    not names of another kind, not ambiguous ones), with the answers asked one by one."""
    refs = [
        Ref("Fumio Kishidda", "people", 1),  # close to a registered name
        Ref("Jens Stoltenbergg", "actors", 2),
        Ref("OTAM", "organizations", 3),
        Ref("Stoltenberg", "people", 4),  # ambiguous: an error, no suggestion
        Ref("NATO", "people", 5),  # an organization in `people`: read as one
        Ref("Japn", "countries", 6),  # an unknown country has a hint of its own
        Ref("Kishida", "people", 7),  # known
        *(Ref(f"Persona Desconocida {n}", "people", 8 + n) for n in range(40)),
    ]
    one_by_one = Resolver(reg)
    asked = [one_by_one.resolve("b.md", ref) for ref in refs]
    ahead = Resolver(reg)
    suggest_ahead(ahead, [SimpleNamespace(refs=refs)], 2)  # type: ignore[list-item]
    assert ahead.ahead == one_by_one.near
    assert ahead.ahead[("person", "Fumio Kishidda")] == "Fumio Kishida"
    assert ("country", "Japn") not in ahead.ahead and ("person", "NATO") not in ahead.ahead
    assert [ahead.resolve("b.md", ref) for ref in refs] == asked
    assert ahead.near == one_by_one.near


def test_a_name_with_problems_is_told_again_wherever_it_is_written(reg: Registry) -> None:
    """Resolving a reference again (it is looked up once) gives what a fresh resolver
    gives, at its own file and line, and each use of an unknown name counts as a
    spelling."""
    resolver = Resolver(reg)
    refs = [
        Ref("Pedro Sánchez", "people", 4),
        Ref("Stoltenberg", "people", 5),  # ambiguous
        Ref("NATO", "people", 6),  # an organization in `people`
        Ref("Japn", "countries", 7),
    ]
    for n in range(3):
        for ref in refs:
            moved = Ref(ref.text, ref.field, ref.line + 10 * n)
            got = resolver.resolve(f"content/briefings/b{n}.md", moved)
            assert got == Resolver(reg).resolve(f"content/briefings/b{n}.md", moved)
            assert got[1] and all(p.line == moved.line for p in got[1])
    assert resolver.spellings[("person", "pedro-sanchez")] == {"Pedro Sánchez": 3}
    assert set(resolver.told) == {(r.field, r.text) for r in refs}
