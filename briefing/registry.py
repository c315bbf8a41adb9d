"""Names, aliases and countries -> one resolved actor, or a problem.

Resolution goes id, then name, then alias (labels count as aliases); each is
compared case- and accent-insensitively. Only a tie at the same level is
ambiguous.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from briefing import countries
from briefing.model import FOLDERS, Entry, Kind, Ref
from briefing.problems import Problem, Severity, error, warning
from briefing.text import RESERVED_SLUGS, Matcher, actor_slug, closest, fold, primary

Key = tuple[Kind, str]


@dataclass(frozen=True)
class Actor:
    kind: Kind
    id: str
    name: str
    registered: bool
    entry: Entry | None = None

    @property
    def key(self) -> Key:
        return (self.kind, self.id)

    @property
    def url(self) -> str:
        return f"{FOLDERS[self.kind]}/{self.id}.html"


@dataclass
class Registry:
    language: str
    actors: dict[Key, Actor] = field(default_factory=dict)
    levels: tuple[dict[str, set[Key]], ...] = field(default_factory=lambda: ({}, {}, {}))
    mention_names: dict[str, Key] = field(default_factory=dict)
    # Answers of ``lookup``: 10,000 briefings make some 80,000 references to a few
    # thousand names. Cleared whenever a name is added.
    _found: dict[tuple[str, tuple[Kind, ...]], tuple[tuple[Key, ...], int]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def add_name(self, level: int, text: str, key: Key) -> None:
        self.levels[level].setdefault(fold(text), set()).add(key)
        self._found.clear()

    def lookup(self, text: str, kinds: Iterable[Kind]) -> tuple[list[Key], int]:
        """The candidates at the first level that has any, and that level."""
        memo = (text, tuple(kinds))
        found = self._found.get(memo)
        if found is None:
            found = self._found[memo] = self._lookup(text, memo[1])
        return list(found[0]), found[1]

    def _lookup(self, text: str, kinds: tuple[Kind, ...]) -> tuple[tuple[Key, ...], int]:
        folded = fold(text)
        for level, table in enumerate(self.levels):
            hits = sorted(k for k in table.get(folded, ()) if k[0] in kinds)
            if hits:
                return tuple(hits), level
        return (), -1

    def describe(self, key: Key) -> str:
        actor = self.actors[key]
        where = actor.entry.path if actor.entry else "built-in country"
        return f"{actor.name} ({where})"

    def all_names(self, kinds: Iterable[Kind]) -> list[str]:
        wanted = set(kinds)
        names = []
        for actor in self.actors.values():
            if actor.kind in wanted and actor.registered:
                names.append(actor.name)
                if actor.entry:
                    names.extend(actor.entry.aliases)
        return names


def display_name(entry: Entry, language: str) -> str:
    lang = language.split("-")[0]
    return entry.labels.get(language) or entry.labels.get(lang) or entry.name


def build_registry(entries: Iterable[Entry], language: str) -> tuple[Registry, list[Problem]]:
    problems: list[Problem] = []
    reg = Registry(language)
    english = "en"
    country_entries: dict[str, Entry] = {}
    for entry in sorted(entries, key=lambda e: e.path):
        if entry.kind == "country":
            code = countries.normalize_code(entry.id) or _country_by_name(entry.id, language)
            if code is None:
                problems.append(
                    error(
                        entry.path,
                        1,
                        f"`{entry.id}` is not a country code",
                        "name country files by ISO code: jp.md, fr.yaml",
                    )
                )
                continue
            country_entries[code] = entry
            continue
        key: Key = (entry.kind, entry.id)
        if entry.id in RESERVED_SLUGS:
            problems.append(
                error(
                    entry.path,
                    1,
                    f"`{entry.id}` is the name of the index page",
                    "rename the file or set `slug:`",
                )
            )
            continue
        if key in reg.actors:
            other = reg.actors[key].entry
            problems.append(
                error(
                    entry.path,
                    1,
                    f"duplicate {entry.kind} id `{entry.id}`, also {other.path if other else ''}",
                    "rename one of the two files",
                )
            )
            continue
        reg.actors[key] = Actor(entry.kind, entry.id, display_name(entry, language), True, entry)
    for code in sorted(countries.codes()):
        note = country_entries.get(code)
        name = note.name if note and note.name else countries.name(code, language)
        key = ("country", code.lower())
        reg.actors[key] = Actor("country", code.lower(), name, True, note)
        reg.add_name(0, code, key)
        a3 = [a for a, b in countries.alpha3_to_alpha2().items() if b == code]
        for alias in a3:
            reg.add_name(0, alias, key)
        for text in {name, countries.name(code, language), countries.name(code, english)}:
            reg.add_name(1, text, key)
            _mention(reg, text, key)
        if note:
            for alias in (*note.aliases, *note.labels.values()):
                reg.add_name(2, alias, key)
                _mention(reg, alias, key)
    for key, actor in sorted(reg.actors.items()):
        if actor.kind == "country" or actor.entry is None:
            continue
        entry = actor.entry
        reg.add_name(0, entry.id, key)
        reg.add_name(1, entry.name, key)
        _mention(reg, entry.name, key)
        for alias in (*entry.aliases, *entry.labels.values()):
            reg.add_name(2, alias, key)
            _mention(reg, alias, key)
    for level_name, table in zip(("name", "alias"), reg.levels[1:], strict=True):
        for text, keys in sorted(table.items()):
            registered = sorted(k for k in keys if k[0] != "country")
            if len(registered) > 1:
                first = reg.actors[registered[0]].entry
                problems.append(
                    warning(
                        first.path if first else "content",
                        1,
                        f"the {level_name} `{text}` belongs to "
                        + ", ".join(reg.describe(k) for k in registered)
                        + "; references to it are ambiguous",
                        "keep each alias on one entry",
                    )
                )
    return reg, problems


_AMBIGUOUS: Key = ("tag", "\x00ambiguous")


def _mention(reg: Registry, text: str, key: Key) -> None:
    """Names that may link in a body: never codes, never all-lowercase words."""
    text = " ".join(text.split())
    if not text or not any(c.isupper() for c in text) or countries.normalize_code(text):
        return
    current = reg.mention_names.get(text)
    if current is None:
        reg.mention_names[text] = key
    elif current != key:
        # A registered actor wins over a built-in country name; two registered ones cancel out.
        if current[0] == "country" and key[0] != "country":
            reg.mention_names[text] = key
        elif key[0] == "country" and current[0] != "country":
            pass
        else:
            reg.mention_names[text] = _AMBIGUOUS


def mention_table(reg: Registry) -> dict[str, Key]:
    return {name: key for name, key in reg.mention_names.items() if key != _AMBIGUOUS}


def _country_by_name(text: str, language: str) -> str | None:
    folded = fold(text)
    for lang in (language, "en"):
        for code, name in countries.names(lang).items():
            if fold(name) == folded:
                return code
    return None


@dataclass
class Resolver:
    """Resolves front matter references; unknown actors get pages of their own."""

    registry: Registry
    extra: dict[Key, Actor] = field(default_factory=dict)
    spellings: dict[Key, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    near: dict[tuple[Kind, str], str | None] = field(default_factory=dict)
    # suggestions worked out before they were asked for, by several processes at once
    ahead: dict[tuple[Kind, str], str | None] = field(default_factory=dict)
    matchers: dict[Kind, Matcher] = field(default_factory=dict)
    # (field, text) -> the registered actor it names without a problem: 10,000 briefings
    # make some 80,000 references, most of them to a few hundred names.
    clean: dict[tuple[str, str], Key] = field(default_factory=dict)
    # (field, text) -> what resolving it found, when that has problems: (the key, the
    # problems' severity, message and hint, whether each use counts as a spelling)
    told: dict[tuple[str, str], tuple[Key | None, tuple[tuple[Severity, str, str], ...], bool]] = (
        field(default_factory=dict)
    )

    def actor(self, key: Key) -> Actor:
        """A registered actor, or one made from a name as written."""
        return self.registry.actors.get(key) or self.extra[key]

    def asks_near(self, field: str, text: str) -> Kind | None:
        """The kind whose registered names ``resolve`` looks through for a "did you mean"
        when a reference in ``field`` is written ``text``: an unknown person or
        organization's (unknown countries have hints of their own). None when it does not."""
        hits, others, kind = self._looked_up(field, text)
        return None if hits or len(others) == 1 or kind == "country" else kind

    def _looked_up(self, field: str, text: str) -> tuple[list[Key], list[Key], Kind]:
        """What ``text`` names among the kinds ``field`` takes; what it names among the
        other kinds (looked up only when the first is nothing); and the kind it is taken
        for when it names neither."""
        kinds = _kinds(field)
        hits, _ = self.registry.lookup(text, kinds)
        others: list[Key] = []
        if not hits:
            others, _ = self.registry.lookup(text, tuple(k for k in _ACTOR_KINDS if k not in kinds))
        return hits, others, kinds[0] if len(kinds) == 1 else "person"

    def resolve(self, path: str, ref: Ref) -> tuple[Key | None, list[Problem]]:
        """The actor a reference names (None if it names none), and its problems. A name
        that has problems is looked up once: thousands of references repeat a few hundred
        unknown names, and each is told again, where it is written."""
        told = self.told.get((ref.field, ref.text))
        if told is None:
            key, problems = self._resolve(path, ref)
            if problems:
                shapes = tuple((p.severity, p.message, p.hint) for p in problems)
                self.told[(ref.field, ref.text)] = (key, shapes, key in self.extra)
            return key, problems
        key, shapes, spelled = told
        if spelled and key is not None:
            counts = self.spellings[key]
            counts[ref.text] = counts.get(ref.text, 0) + 1
        return key, [
            (error if severity == "error" else warning)(path, ref.line, message, hint)
            for severity, message, hint in shapes
        ]

    def _resolve(self, path: str, ref: Ref) -> tuple[Key | None, list[Problem]]:
        reg = self.registry
        hits, others, kind = self._looked_up(ref.field, ref.text)
        if len(hits) > 1:
            return None, [
                error(
                    path,
                    ref.line,
                    f"`{ref.text}` is ambiguous: " + "; ".join(reg.describe(k) for k in hits),
                    "write the id (the registry file's name) instead",
                )
            ]
        if hits:
            self.clean[(ref.field, ref.text)] = hits[0]
            return hits[0], []
        if len(others) == 1:
            found = others[0]
            return found, [
                warning(
                    path,
                    ref.line,
                    f"`{ref.text}` in `{ref.field}` is {_ARTICLE[found[0]]} {found[0]} ({reg.describe(found)}); read as one",
                    f"move it to `{_KIND_FIELD[found[0]]}`",
                )
            ]
        if kind == "country":
            near = closest(
                ref.text,
                [*countries.names(reg.language).values(), *countries.names("en").values()],
                0.7,
            )
            return None, [
                error(
                    path,
                    ref.line,
                    f"unknown country `{ref.text}`",
                    f"did you mean `{near}`?"
                    if near
                    else "use an ISO 3166 code (JP, JPN) or the country's name",
                )
            ]
        slug = actor_slug(ref.text)
        key: Key = (kind, slug)
        while key in reg.actors and not self._same_unregistered(key, ref.text):
            slug += "-x"
            key = (kind, slug)
        if key not in self.extra:
            self.extra[key] = Actor(kind, slug, ref.text, False)
        counts = self.spellings[key]
        counts[ref.text] = counts.get(ref.text, 0) + 1
        near = self.suggestion(kind, ref.text)
        folder = FOLDERS[kind]
        return key, [
            warning(
                path,
                ref.line,
                f"unknown {kind} `{ref.text}`: not in the registry; it gets a page from the name as written",
                f"did you mean `{near}`? or add it as an alias"
                if near
                else f"add content/{folder}/{slug}.yaml with `name: {ref.text}`",
            )
        ]

    def suggestion(self, kind: Kind, text: str) -> str | None:
        """The closest registered name, computed once per spelling (unknown names recur),
        or worked out ahead (see ``resolve.suggest_ahead``)."""
        memo = (kind, text)
        if memo not in self.near:
            if memo in self.ahead:
                self.near[memo] = self.ahead[memo]
            else:
                self.near[memo] = self.matcher(kind).closest(text, NEAR_CUTOFF)
        return self.near[memo]

    def matcher(self, kind: Kind) -> Matcher:
        if kind not in self.matchers:
            self.matchers[kind] = Matcher(self.registry.all_names([kind]))
        return self.matchers[kind]

    def _same_unregistered(self, key: Key, text: str) -> bool:
        actor = self.registry.actors.get(key)
        return actor is None or (not actor.registered and fold(actor.name) == fold(text))


NEAR_CUTOFF = 0.8  # how close an unknown name must be to a registered one to suggest it

_FIELD_KIND: dict[str, Kind] = {
    "people": "person",
    "countries": "country",
    "organizations": "organization",
}
_ACTOR_KINDS: tuple[Kind, ...] = ("person", "organization", "country")


def _kinds(field: str) -> tuple[Kind, ...]:
    """The kinds of actor a reference in ``field`` may name."""
    return _ACTOR_KINDS if field == "actors" else (_FIELD_KIND[field],)


_ARTICLE = {"person": "a", "country": "a", "organization": "an", "tag": "a"}
_KIND_FIELD = {"person": "people", "country": "countries", "organization": "organizations"}


def chip_name(actor: Actor, lang: str | None, site_lang: str) -> tuple[str, str]:
    """The ref and text of an actor's name in a chip, named in ``lang`` when that is not
    the site's language."""
    name = actor.name
    ref = f"{actor.kind}:{actor.id}"
    if lang and primary(lang) != primary(site_lang):
        ref += f"@{lang}"
        if actor.kind == "country" and (actor.entry is None or not actor.entry.name):
            name = countries.name(actor.id.upper(), lang)
        elif actor.entry is not None:
            name = (
                actor.entry.labels.get(lang)
                or actor.entry.labels.get(primary(lang))
                or actor.entry.name
                or name
            )
    return ref, name
