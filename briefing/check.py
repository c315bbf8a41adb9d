"""Curation lints for `briefing check`: the generator knows who is who, so it can point
at what a curator most likely meant. Each finding is a warning with a hint (an
error under --strict)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from briefing import countries
from briefing.link import Item
from briefing.problems import Problem, ordered, visible, warning
from briefing.registry import Actor, Key, Registry
from briefing.text import fold

_WORD = re.compile(r"[^\W\d_][\w-]*")


def lint(
    items: list[Item],
    actors: dict[Key, Actor],
    registry: Registry,
    tag_spellings: dict[str, dict[str, int]],
    sources: dict[str, str],
    language: str,
    body_texts: dict[str, str],
) -> list[Problem]:
    """``sources`` maps a briefing's path to its file's text (for the lines of mentions),
    ``body_texts`` to the plain text of its rendered body."""
    problems: list[Problem] = []
    names = _names(actors, registry, language)
    for item in items:
        b = item.briefing
        text = sources.get(b.path, "")
        lines = text.split("\n")
        body_start = _body_start(lines)
        own = set(item.actors)
        for key in item.mentioned:
            if key in own or key not in actors or key[0] == "tag":
                continue
            actor = actors[key]
            line, col = _find(lines, names.get(key, [actor.name]), body_start)
            problems.append(
                warning(
                    b.path,
                    line,
                    f"the text mentions {actor.name} ({actor.kind}), who is not in the front matter",
                    f"add it to `{_FIELD[actor.kind]}`, or leave it as a mention only",
                    col=col,
                )
            )
        folded_body = " " + " ".join(_WORD.findall(fold(body_texts.get(b.path, "")))) + " "
        for key in item.actors:
            named = actors.get(key)
            if named is None:
                continue
            actor = named
            candidates = names.get(key, [actor.name])
            if not any(f" {' '.join(_WORD.findall(fold(n)))} " in folded_body for n in candidates):
                problems.append(
                    warning(
                        b.path,
                        item.ref_lines.get(key, 1),
                        f"{actor.name} is in the front matter but the text never mentions them",
                        "name them in the text, or remove them from the front matter",
                    )
                )
        if not b.sources:
            problems.append(
                warning(
                    b.path,
                    b.lines.get("title", 1),
                    "the briefing cites no sources",
                    "add `sources:` with what it was written from",
                )
            )
        for source in b.sources:
            if source.url and not source.url.lower().startswith(("http://", "https://")):
                problems.append(
                    warning(
                        b.path,
                        b.lines.get("sources", 1),
                        f"the source `{source.title}` is cited with a non-http URL",
                        "cite an http(s) address",
                    )
                )
        for key in item.tags:
            slug = key[1]
            spellings = tag_spellings.get(slug, {})
            if len(spellings) < 2:
                continue
            shown = actors[key].name
            written = [
                ref.text for ref in b.tags if ref.text != shown and _slug_of(ref.text) == slug
            ]
            for spelling in written:
                problems.append(
                    warning(
                        b.path,
                        item.ref_lines.get(key, 1),
                        f"the tag `{spelling}` is written `{shown}` elsewhere ({_count(spellings.get(shown, 0))})",
                        f"write `{shown}`",
                    )
                )
    problems += _near_names(items, actors, registry, sources)
    return problems


def _count(n: int) -> str:
    return "1 briefing" if n == 1 else f"{n} briefings"


_FIELD = {
    "person": "people",
    "country": "countries",
    "organization": "organizations",
    "tag": "tags",
}


def _slug_of(text: str) -> str:
    from briefing.text import actor_slug

    return actor_slug(text)


def _body_start(lines: list[str]) -> int:
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() in ("---", "..."):
                return index + 1
    return 0


def _names(actors: dict[Key, Actor], registry: Registry, language: str) -> dict[Key, list[str]]:
    out: dict[Key, list[str]] = {}
    for key, actor in actors.items():
        found = [actor.name]
        if actor.entry:
            found += [actor.entry.name, *actor.entry.aliases, *actor.entry.labels.values()]
        if key[0] == "country":
            code = key[1].upper()
            found += [countries.name(code, language), countries.name(code, "en")]
        out[key] = sorted({n for n in found if n}, key=lambda n: (-len(n), n))
    return out


def _find(lines: list[str], names: list[str], start: int) -> tuple[int, int]:
    """The 1-based line and column of the first whole-word occurrence of any name."""
    patterns = [re.compile(r"(?<![\w])" + re.escape(n) + r"(?![\w])") for n in names]
    for number in range(start, len(lines)):
        for pattern in patterns:
            match = pattern.search(lines[number])
            if match:
                return number + 1, match.start() + 1
    return start + 1, 1


def distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance, giving up (limit + 1) once it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _near_names(
    items: list[Item], actors: dict[Key, Actor], registry: Registry, sources: dict[str, str]
) -> list[Problem]:
    """Names one or two edits from a registered name or alias: a misspelling, or a missing alias."""
    registered: list[tuple[str, Actor]] = []
    for actor in registry.actors.values():
        if actor.entry is None or actor.kind == "country":
            continue
        for name in (actor.entry.name, *actor.entry.aliases, *actor.entry.labels.values()):
            if len(name) >= 6:
                registered.append((name, actor))
    exact = {fold(name) for name, _ in registered}
    by_words: dict[int, list[tuple[str, Actor]]] = {}
    for name, actor in registered:
        by_words.setdefault(len(name.split()), []).append((name, actor))
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for item in items:
        b = item.briefing
        candidates: list[tuple[str, int]] = []
        for key in item.actors:
            found = actors.get(key)
            if found is not None and not found.registered:
                candidates.append((found.name, item.ref_lines.get(key, 1)))
        lines = sources.get(b.path, "").split("\n")
        start = _body_start(lines)
        for number in range(start, len(lines)):
            words = _WORD.findall(lines[number])
            for size in by_words:
                for index in range(len(words) - size + 1):
                    chunk = words[index : index + size]
                    if all(w[0].isupper() for w in chunk):
                        candidates.append((" ".join(chunk), number + 1))
        for text, line in candidates:
            if len(text) < 6 or fold(text) in exact:
                continue
            for name, actor in by_words.get(len(text.split()), []):
                if name[0].lower() != text[0].lower():
                    continue
                d = distance(fold(text), fold(name))
                if 0 < d <= 2 and (b.path, text) not in seen:
                    seen.add((b.path, text))
                    problems.append(
                        warning(
                            b.path,
                            line,
                            f"`{text}` is {d} edit{'s' if d > 1 else ''} from `{name}` ({actor.entry.path if actor.entry else actor.name})",
                            f"did you mean `{name}`? If it is another spelling, add it to `aliases`",
                        )
                    )
                    break
    return problems


def github_annotations(problems: Iterable[Problem]) -> str:
    """GitHub Actions workflow commands, so a pull request shows each problem on its line."""
    out = []
    for p in ordered(problems):
        message = visible(p.message) + (f" ({visible(p.hint)})" if p.hint else "")
        message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        where = f"file={p.path}"
        if p.line:
            where += f",line={p.line},col={p.col or 1}"
        out.append(f"::{p.severity} {where}::{message}")
    return "\n".join(out)
