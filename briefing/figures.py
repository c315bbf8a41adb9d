"""Pictures as data until the page is rendered.

A page's context holds a figure's *spec* (plain data: the counts, labels and
links it shows); the SVG is drawn when the page itself is rendered, in the
worker that renders it. Fingerprints stay small, and an unchanged page draws
nothing.
"""

from __future__ import annotations

from typing import Any

from briefing import charts, countries, slots, worldmap
from briefing.pages import Figure, Shared
from briefing.theme import month_label, month_name


def draw(spec: dict[str, Any]) -> str:
    kind = spec["figure"]
    lang = spec.get("lang", "en")
    if kind == "activity":
        return charts.activity(
            [(m, n) for m, n in spec["months"]],
            title=spec["title"],
            desc=spec["desc"],
            id_prefix=spec["id"],
            month_label=lambda ym: month_label(int(ym[:4]), int(ym[5:7]), lang),
        )
    if kind == "network":
        return charts.network(
            spec["center"],
            [(a, b, c, d) for a, b, c, d in spec["neighbours"]],
            title=spec["title"],
            desc=spec["desc"],
            id_prefix=spec["id"],
        )
    if kind == "ranking":
        return charts.ranking(
            [(a, b, c) for a, b, c in spec["items"]],
            title=spec["title"],
            desc=spec["desc"],
            id_prefix=spec["id"],
        )
    if kind == "timeline":
        return charts.timeline(
            [(year, [(m, n) for m, n in months]) for year, months in spec["rows"]],
            title=spec["title"],
            desc=spec["desc"],
            id_prefix=spec["id"],
            month_name=lambda m: month_name(m, lang),
            href=lambda y, m: f"{y}.html#m{m:02d}",
        )
    if kind == "choropleth":
        return worldmap.choropleth(
            dict(spec["counts"]),
            href=lambda code: f"{code.lower()}.html",
            name=lambda code: countries.name(code, lang),
            title=spec["title"],
        )
    if kind == "locator":
        return worldmap.locator(
            spec["code"], name=lambda code: countries.name(code, lang), title=spec["title"]
        )
    raise ValueError(f"unknown figure {kind!r}")


def materialize(value: Any) -> Any:
    """A copy of a context with every figure spec replaced by its SVG.

    Figures sit in mappings, never in lists, so lists (of cards, of chips: the bulk of
    a large page's context) are passed over, and never in the pieces many pages share
    (the words of a language, the site's settings), which are not copied either."""
    if isinstance(value, Shared):
        return value
    if isinstance(value, Figure):
        # drawn once for a recording and once otherwise: a network figure draws the names
        # of chips as placeholders while the page's names are recorded (see ``slots``)
        recording = slots.active()
        kept: tuple[bool, str] | None = getattr(value, "svg", None)
        if kept is None or kept[0] != recording:
            kept = value.svg = (recording, draw(value))
        return kept[1]
    if isinstance(value, dict):  # a mapping with a key `figure` in `extra` is the user's
        return {k: materialize(v) if isinstance(v, dict) else v for k, v in value.items()}
    return value
