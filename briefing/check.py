"""Curation lints for `briefing check`: the generator knows who is who, so it can point
at what a curator most likely meant. Each finding is a warning with a hint (an
error under --strict)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

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


@lru_cache(maxsize=1 << 14)
def _whole_word(name: str) -> re.Pattern[str]:
    """A name as a whole word: made once for the thousands of briefings that mention it."""
    return re.compile(r"(?<![\w])" + re.escape(name) + r"(?![\w])")


def _find(lines: list[str], names: list[str], start: int) -> tuple[int, int]:
    """The 1-based line and column of the first whole-word occurrence of any name."""
    patterns = [(n, _whole_word(n)) for n in names]
    for number in range(start, len(lines)):
        line = lines[number]
        for name, pattern in patterns:
            match = pattern.search(line) if name in line else None  # most lines lack it
            if match:
                return number + 1, match.start() + 1
    return start + 1, 1


def distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance when it is at most ``limit``, else ``limit + 1``. Only the cells
    within ``limit`` of the diagonal are worked out: no path through the others costs so
    little (a fifth of the cells of two names of some fifteen letters)."""
    la, lb = len(a), len(b)
    big = limit + 1
    if abs(la - lb) > limit:
        return big
    width = 2 * limit + 1
    # cell k of a row i is column j = i - limit + k
    previous = [j if 0 <= j <= lb else big for j in range(-limit, limit + 1)]
    for i in range(1, la + 1):
        ca = a[i - 1]
        current = [big] * width
        for k in range(width):
            j = i - limit + k
            if j < 0 or j > lb:
                continue
            if j == 0:
                current[k] = min(i, big)
                continue
            best = previous[k] + (ca != b[j - 1])
            if k + 1 < width and previous[k + 1] + 1 < best:
                best = previous[k + 1] + 1
            if k > 0 and current[k - 1] + 1 < best:
                best = current[k - 1] + 1
            current[k] = min(best, big)
        if min(current) >= big:
            return big
        previous = current
    return previous[lb - la + limit]


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
    sizes = list(dict.fromkeys(len(name.split()) for name, _ in registered))
    # by number of words and first letter: a name's fold and length, the name and its actor
    buckets: dict[tuple[int, str], list[tuple[str, int, str, Actor]]] = {}
    for name, actor in registered:
        folded = fold(name)
        buckets.setdefault((len(name.split()), name[0].lower()), []).append(
            (folded, len(folded), name, actor)
        )
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    nearest: dict[str, tuple[str, Actor, int] | None] = {}
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
            capitals = [i for i, word in enumerate(words) if word[0].isupper()]
            if not capitals:
                continue
            run: dict[int, int] = {}  # how many capitalized words follow from each one
            after = -1
            for index in reversed(capitals):
                run[index] = run[after] + 1 if after == index + 1 else 1
                after = index
            for size in sizes:
                for index in capitals:
                    if run[index] >= size:
                        candidates.append((" ".join(words[index : index + size]), number + 1))
        for text, line in candidates:
            if text not in nearest:  # names recur in thousands of briefings: each looked at once
                nearest[text] = _nearest(text, buckets, exact)
            near = nearest[text]
            if near is not None and (b.path, text) not in seen:
                seen.add((b.path, text))
                name, actor, d = near
                problems.append(
                    warning(
                        b.path,
                        line,
                        f"`{text}` is {d} edit{'s' if d > 1 else ''} from `{name}` ({actor.entry.path if actor.entry else actor.name})",
                        f"did you mean `{name}`? If it is another spelling, add it to `aliases`",
                    )
                )
    return problems


def _nearest(
    text: str, buckets: dict[tuple[int, str], list[tuple[str, int, str, Actor]]], exact: set[str]
) -> tuple[str, Actor, int] | None:
    """The first registered name of as many words, with the same first letter, one or two
    edits from ``text``, and how many."""
    if len(text) < 6:
        return None
    folded = fold(text)
    if folded in exact:
        return None
    size = len(folded)
    for other, length, name, actor in buckets.get((len(text.split()), text[0].lower()), ()):
        if abs(length - size) > 2:
            continue
        d = distance(folded, other)
        if 0 < d <= 2:
            return name, actor, d
    return None


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
