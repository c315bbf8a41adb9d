"""Build-time charts as inline SVG.

Every public function is pure: the same input gives the same string, byte for
byte, and nothing is read from or written to anywhere.  The SVG needs no
JavaScript and no external resource:

* every ``<svg>`` has ``role="img"``, a ``<title>`` and a ``<desc>`` referenced by
  ``aria-labelledby``; their ids are ``{id_prefix}-title`` and ``{id_prefix}-desc``,
  so a page holding several charts passes a distinct ``id_prefix`` to each;
* geometry lives in a fixed ``viewBox`` with ``width="100%"`` so a chart scales
  with its container (the default CSS caps the width so the 12-13 unit labels
  render at a readable size from a 360 px phone to a 1440 px desktop);
* colours come only from CSS classes and ``currentColor``: the root sets
  ``fill="currentColor"`` as a fallback and :data:`CHARTS_CSS` holds default
  styles built on CSS custom properties, so the site theme (and dark mode)
  controls every colour;
* all text (titles, labels, hrefs) is HTML-escaped;
* an empty input returns ``""``: nothing is drawn.

Text widths are estimated (see ``labels``); long labels are truncated with an
ellipsis and the full text is kept in the element's ``<title>`` tooltip.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

from briefing import slots
from briefing.labels import FORMS, LABEL_SIZE, esc, text_width, truncate
from briefing.slots import Name

__all__ = ["CHARTS_CSS", "activity", "network", "ranking", "timeline"]

_SVG_NS = "http://www.w3.org/2000/svg"

#: Width of every chart's viewBox, in user units.
_WIDTH = 480.0
#: Font size of ticks, in user units (labels: ``labels.LABEL_SIZE``).
_TICK_SIZE = 12.0

#: Activity charts switch to quarters above this many months, to years above
#: ``_QUARTERS_MAX_MONTHS``.
_MONTHS_MAX = 120
_QUARTERS_MAX_MONTHS = 360

#: The most neighbours a network chart draws.
_NETWORK_MAX = 12
_KINDS = ("person", "organization", "country")

#: Fallback opacities of the timeline's shade levels (CHARTS_CSS overrides them).
_LEVEL_OPACITY = ("0.06", "0.2", "0.4", "0.6", "0.8")

_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")


# --------------------------------------------------------------------------
# helpers


# The helpers below are kept by their arguments: a build draws two thousand charts, with
# the same coordinates, characters and labels over and over.


@lru_cache(maxsize=16384)
def _n(value: float) -> str:
    """Format a coordinate: at most two decimals, no trailing zeros, no ``-0``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _check_prefix(id_prefix: str) -> None:
    if not id_prefix or any(ch.isspace() for ch in id_prefix):
        raise ValueError(f"id_prefix must be non-empty and without spaces: {id_prefix!r}")


def _check_count(count: int) -> None:
    if count < 0:
        raise ValueError(f"counts must not be negative: {count}")


def _open(
    kind: str, height: float, *, id_prefix: str, title: str, desc: str, links: bool = False
) -> list[str]:
    """The opening ``<svg>`` tag with its accessible title and description.

    A picture without links is one image to assistive technology (``role="img"``); one
    with links keeps its links reachable, so it is labelled and described instead."""
    pid = esc(id_prefix)
    label = (
        f'aria-labelledby="{pid}-title" aria-describedby="{pid}-desc"'
        if links
        else f'role="img" aria-labelledby="{pid}-title {pid}-desc"'
    )
    return [
        f'<svg xmlns="{_SVG_NS}" class="chart chart-{kind}" '
        f'viewBox="0 0 {_n(_WIDTH)} {_n(height)}" width="100%" '
        f'{label} fill="currentColor">',
        f'<title id="{pid}-title">{esc(title)}</title>',
        f'<desc id="{pid}-desc">{esc(desc)}</desc>',
    ]


def _text(
    x: float,
    y: float,
    text: str,
    *,
    cls: str,
    anchor: str = "start",
    size: float = LABEL_SIZE,
    escaped: bool = False,
) -> str:
    anchor_attr = "" if anchor == "start" else f' text-anchor="{anchor}"'
    return (
        f'<text class="{cls}" x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"{anchor_attr}>'
        f"{text if escaped else esc(text)}</text>"
    )


def _line(
    cls: str,
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    *,
    opacity: float,
    width: float = 1.0,
) -> str:
    """A line; its stroke attributes are fallbacks for a page without CHARTS_CSS."""
    return (
        f'<line class="{cls}" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
        f'stroke="currentColor" stroke-opacity="{_n(opacity)}" stroke-width="{_n(width)}"/>'
    )


def _nice_ticks(maximum: int, max_ticks: int = 4) -> list[int]:
    """Gridline values from 0 to a round number at or above ``maximum``."""
    if maximum <= 0:
        return [0, 1]
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(maximum / step) <= max_ticks:
                top = math.ceil(maximum / step) * step
                return list(range(0, top + 1, step))
        magnitude *= 10


def _month_index(key: str) -> int:
    """``"YYYY-MM"`` to a running month number (``year * 12 + month - 1``)."""
    match = _MONTH_RE.fullmatch(key)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"expected a 'YYYY-MM' month, got {key!r}")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def _month_key(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# --------------------------------------------------------------------------
# activity: briefings per month


def activity(
    months: Sequence[tuple[str, int]],
    *,
    title: str,
    desc: str,
    id_prefix: str,
    month_label: Callable[[str], str],
) -> str:
    """Bar chart of the number of briefings per month.

    ``months`` holds ``("YYYY-MM", count)`` pairs in any order (a month given twice
    is summed).  Every month between the first and the last is drawn, the
    missing ones as zero, so the time axis is linear.  Years are labelled under
    the axis.  Each bar has a tooltip ``"{month_label(key)}: {count}"``, e.g.
    ``"enero de 2023: 3"``.

    Long spans are aggregated so bars stay wider than about a unit:

    * up to 120 months (10 years): one bar per month;
    * up to 360 months (30 years): one bar per calendar quarter, titled
      ``"{month_label(first)} – {month_label(last)}: {count}"``;
    * longer: one bar per calendar year, titled ``"{year}: {count}"``.

    Raises :class:`ValueError` on a malformed month or a negative count.
    """
    if not months:
        return ""
    _check_prefix(id_prefix)
    totals: dict[int, int] = {}
    for key, count in months:
        _check_count(count)
        index = _month_index(key)
        totals[index] = totals.get(index, 0) + count
    first, last = min(totals), max(totals)
    span = last - first + 1
    size = 1 if span <= _MONTHS_MAX else 3 if span <= _QUARTERS_MAX_MONTHS else 12
    start = first - first % size
    end = last - last % size + size  # exclusive
    buckets: list[tuple[int, int, str]] = []
    for begin in range(start, end, size):
        count = sum(totals.get(i, 0) for i in range(begin, begin + size))
        if size == 1:
            label = month_label(_month_key(begin))
        elif size == 3:
            label = f"{month_label(_month_key(begin))} – {month_label(_month_key(begin + 2))}"
        else:
            label = str(begin // 12)
        buckets.append((begin, count, f"{label}: {count}"))

    height = 178.0
    top, baseline = 10.0, height - 27.0
    plot_h = baseline - top
    ticks = _nice_ticks(max(count for _, count, _ in buckets))
    top_value = ticks[-1]
    left = max(text_width(str(t), _TICK_SIZE) for t in ticks) + 8.0
    right = _WIDTH - 1.0
    slot = (right - left) / len(buckets)
    gap = slot * 0.2 if slot >= 5 else slot * 0.12
    bar_w = min(slot - gap, 28.0)

    out = _open("activity", height, id_prefix=id_prefix, title=title, desc=desc)

    out.append('<g class="gridlines">')
    for value in ticks:
        y = baseline - value / top_value * plot_h
        cls = "axis" if value == 0 else "grid"
        out.append(_line(cls, left, y, right, y, opacity=0.5 if value == 0 else 0.15))
        out.append(_text(left - 6, y + 4, str(value), cls="tick", anchor="end", size=_TICK_SIZE))
    out.append("</g>")

    out.append('<g class="bars">')
    for i, (_, count, bar_title) in enumerate(buckets):
        x = left + i * slot
        bar_h = count / top_value * plot_h
        out.append(
            f'<g class="col"><title>{esc(bar_title)}</title>'
            f'<rect class="hit" x="{_n(x)}" y="{_n(top)}" width="{_n(slot)}" '
            f'height="{_n(plot_h)}" fill="none" pointer-events="all"/>'
            f'<rect class="bar" x="{_n(x + (slot - bar_w) / 2)}" y="{_n(baseline - bar_h)}" '
            f'width="{_n(bar_w)}" height="{_n(bar_h)}"/></g>'
        )
    out.append("</g>")

    out.extend(_year_axis(start, end, size, left, slot, baseline))
    out.append("</svg>")
    return "".join(out)


def _year_axis(
    start: int, end: int, size: int, left: float, slot: float, baseline: float
) -> list[str]:
    """Year labels (and tick marks at year boundaries) under an activity chart."""
    label_w = text_width("0000", _TICK_SIZE)
    year_w = 12 / size * slot
    label_y = baseline + 19
    out = ['<g class="years">']
    first_year, last_year = start // 12, (end - 1) // 12

    def x_of(index: int) -> float:
        return left + (index - start) / size * slot

    if year_w >= label_w + 12:
        # Room for every year: tick marks at the boundaries, labels centred
        # under each year's bars (a partial year only when its bars leave room).
        for year in range(first_year, last_year + 1):
            x0, x1 = x_of(max(start, year * 12)), x_of(min(end, year * 12 + 12))
            if year * 12 > start:
                out.append(_line("tick-mark", x0, baseline, x0, baseline + 6, opacity=0.5))
            if x1 - x0 >= label_w + 4:
                out.append(
                    _text(
                        (x0 + x1) / 2,
                        label_y,
                        str(year),
                        cls="tick",
                        anchor="middle",
                        size=_TICK_SIZE,
                    )
                )
    else:
        # Dense: label every k-th year at its start (at the bar's centre for
        # yearly bars), skipping labels that would leave the viewBox.
        step = next(
            k for k in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000) if k * year_w >= label_w + 12
        )
        offset = slot / 2 if size == 12 else 0.0
        for year in range(first_year, last_year + 1):
            if year % step or year * 12 < start:
                continue
            x = x_of(year * 12) + offset
            if x - label_w / 2 < 0 or x + label_w / 2 > _WIDTH:
                continue
            out.append(_line("tick-mark", x, baseline, x, baseline + 5, opacity=0.5))
            out.append(_text(x, label_y, str(year), cls="tick", anchor="middle", size=_TICK_SIZE))
    out.append("</g>")
    return out


# --------------------------------------------------------------------------
# network: a person and the actors they appear with


def _node_shape(kind: str, x: float, y: float, r: float, cls: str) -> str:
    """Circle for a person, rounded square for an organization, diamond for a country."""
    if kind == "organization":
        s = r * 0.9
        return (
            f'<rect class="{cls}" x="{_n(x - s)}" y="{_n(y - s)}" width="{_n(2 * s)}" '
            f'height="{_n(2 * s)}" rx="{_n(s * 0.3)}"/>'
        )
    if kind == "country":
        d = r * 1.2
        return (
            f'<path class="{cls}" d="M{_n(x)} {_n(y - d)}L{_n(x + d)} {_n(y)}'
            f'L{_n(x)} {_n(y + d)}L{_n(x - d)} {_n(y)}Z"/>'
        )
    return f'<circle class="{cls}" cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}"/>'


def _label(label: str | Name, form: str, argument: str = "") -> str:
    """A label escaped (``svg``) or cut to fit (``fit``); a ``Name`` as its slot."""
    if isinstance(label, Name):
        return slots.shown(label, form, argument)
    return FORMS[form](label, argument)


def network(
    center: str,
    neighbours: Sequence[tuple[str | Name, str, int, str]],
    *,
    title: str,
    desc: str,
    id_prefix: str,
) -> str:
    """A small radial network: ``center`` in the middle, its neighbours around it.

    ``neighbours`` holds ``(label, href, count, kind)`` with ``kind`` one of
    ``"person"``, ``"organization"``, ``"country"``.  At most 12 are drawn: the
    highest counts (ties in the order given, so that the figure's layout never depends
    on a name: a label may be a chip's ``Name``, drawn as its slot).  The largest sits at the top, the others
    alternate right and left around the circle by decreasing count (two
    neighbours sit right and left of the centre).  Edge
    thickness and node size grow with the count; the node's shape and class
    follow the kind (circle ``node-person``, rounded square
    ``node-organization``, diamond ``node-country``).  Each neighbour is a link
    (``<a href>``) whose ``<title>`` is ``"{label}: {count}"``; labels too long to
    fit inside the viewBox are shortened with an ellipsis.

    Raises :class:`ValueError` on an unknown kind or a negative count.
    """
    if not neighbours:
        return ""
    _check_prefix(id_prefix)
    for _, _, count, kind in neighbours:
        _check_count(count)
        if kind not in _KINDS:
            raise ValueError(f"unknown kind {kind!r}; expected one of {_KINDS}")
    chosen = sorted(neighbours, key=lambda n: -n[2])
    chosen = chosen[:_NETWORK_MAX]
    count_max = max(max(n[2] for n in chosen), 1)
    total = len(chosen)

    cx = _WIDTH / 2
    rx, ry = 94.0, 112.0
    center_r = 11.0
    center_label_dy = center_r + 17

    # Slots clockwise from the top; the largest count gets the top slot, the
    # next ones alternate right / left of it.  Two neighbours sit right and
    # left, so that no edge runs through the centre's label.
    first_angle = 0.0 if total == 2 else -math.pi / 2
    order = sorted(range(total), key=lambda k: (min(k, total - k), k))

    # Lay out relative to the centre (dy), then size the viewBox to fit.
    layout: list[
        tuple[tuple[str | Name, str, int, str], float, float, float, str, float, float, str]
    ] = []
    top_edge, bottom_edge = -center_r, center_label_dy + 4
    for item, slot_index in zip(chosen, order, strict=True):
        label, _, count, _ = item
        angle = first_angle + 2 * math.pi * slot_index / total
        cos, sin = math.cos(angle), math.sin(angle)
        x, dy = cx + rx * cos, ry * sin
        if abs(dy) < 1e-9:
            dy = 0.0
        r = 5 + 4 * math.sqrt(count / count_max)
        gap = r + 7
        if cos > 0.3:
            anchor, lx, ldy = "start", x + gap, dy + 4.5
            room = _WIDTH - 2 - lx
        elif cos < -0.3:
            anchor, lx, ldy = "end", x - gap, dy + 4.5
            room = lx - 2
        else:
            anchor, lx = "middle", x
            ldy = dy - gap - 2 if sin < 0 else dy + gap + 11
            room = min(2 * min(lx, _WIDTH - lx) - 4, 180.0)
        top_edge = min(top_edge, dy - r * 1.2, ldy - LABEL_SIZE)
        bottom_edge = max(bottom_edge, dy + r * 1.2, ldy + 4)
        shown = _label(label, "fit", repr(room))
        layout.append((item, x, dy, r, anchor, lx, ldy, shown))

    pad = 4.0
    cy = pad - top_edge
    height = bottom_edge - top_edge + 2 * pad

    out = _open("network", height, id_prefix=id_prefix, title=title, desc=desc, links=True)
    out.append('<g class="edges">')
    for (_, _, count, kind), x, dy, *_ in layout:
        width = 1 + 5 * count / count_max
        out.append(_line(f"edge edge-{kind}", cx, cy, x, cy + dy, opacity=0.25, width=width))
    out.append("</g>")

    out.append('<g class="nodes">')
    for (label, href, count, kind), x, dy, r, anchor, lx, ldy, shown in layout:
        out.append(
            f'<a class="neighbour" href="{esc(href)}">'
            f"<title>{_label(label, 'svg')}{esc(f': {count}')}</title>"
            + _node_shape(kind, x, cy + dy, r, f"node node-{kind}")
            + _text(lx, cy + ldy, shown, cls="label", anchor=anchor, escaped=True)
            + "</a>"
        )
    center_label = truncate(center, 200.0, LABEL_SIZE, bold=True)
    out.append(
        f'<g class="center"><title>{esc(center)}</title>'
        f'<circle class="node node-center" cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(center_r)}"/>'
        + _text(
            cx,
            cy + center_label_dy,
            center_label,
            cls="label label-center halo",
            anchor="middle",
        )
        + "</g>"
    )
    out.append("</g></svg>")
    return "".join(out)


# --------------------------------------------------------------------------
# ranking: horizontal bars, most first


def ranking(
    items: Sequence[tuple[str, str, int]],
    *,
    title: str,
    desc: str,
    id_prefix: str,
) -> str:
    """Horizontal bar chart of ``(label, href, count)``, the largest count first.

    Ties are ordered by label.  Each row is a link to ``href`` holding the label
    (above its bar, shortened with an ellipsis when wider than the chart), the
    bar and the count; its ``<title>`` is ``"{label}: {count}"``.  The chart grows
    36 units taller per item.  Raises :class:`ValueError` on a negative count.
    """
    if not items:
        return ""
    _check_prefix(id_prefix)
    for _, _, count in items:
        _check_count(count)
    rows = sorted(items, key=lambda i: (-i[2], i[0].casefold(), i[0], i[1]))
    count_max = max(max(i[2] for i in rows), 1)
    value_w = max(text_width(str(i[2]), _TICK_SIZE) for i in rows)
    bar_room = _WIDTH - value_w - 8
    row_h = 38.0
    height = row_h * len(rows) - 6

    out = _open("ranking", height, id_prefix=id_prefix, title=title, desc=desc, links=True)
    for i, (label, href, count) in enumerate(rows):
        y0 = i * row_h
        bar_w = count / count_max * bar_room
        if count:
            bar_w = max(bar_w, 2.0)
        shown = truncate(label, _WIDTH - 2, LABEL_SIZE)
        out.append(
            f'<a class="row" href="{esc(href)}"><title>{esc(f"{label}: {count}")}</title>'
            + _text(0, y0 + 13, shown, cls="label")
            + f'<rect class="bar" x="0" y="{_n(y0 + 19)}" width="{_n(bar_w)}" height="12"/>'
            + _text(bar_w + 5, y0 + 29.5, str(count), cls="value", size=_TICK_SIZE)
            + "</a>"
        )
    out.append("</svg>")
    return "".join(out)


# --------------------------------------------------------------------------
# timeline: a year-by-month grid


def _month_abbreviations(month_name: Callable[[int], str]) -> list[str]:
    """Shortest prefixes of at least three characters that tell the months apart."""
    names = [unicodedata.normalize("NFC", month_name(m)) for m in range(1, 13)]
    lengths = [3] * 12
    for _ in range(max(len(n) for n in names)):
        prefixes = [n[:k] for n, k in zip(names, lengths, strict=True)]
        clash = False
        for i, prefix in enumerate(prefixes):
            if prefixes.count(prefix) > 1 and lengths[i] < len(names[i]):
                lengths[i] += 1
                clash = True
        if not clash:
            break
    return [n[:k].rstrip(". ") for n, k in zip(names, lengths, strict=True)]


def timeline(
    years: Sequence[tuple[int, Sequence[tuple[int, int]]]],
    *,
    title: str,
    desc: str,
    id_prefix: str,
    month_name: Callable[[int], str],
    href: Callable[[int, int], str],
) -> str:
    """The timeline as a grid: one row per year (in the given order), 12 month cells.

    ``years`` holds ``(year, [(month, count), ...])`` with months 1-12; a month
    given twice is summed, a missing month counts 0.  A cell's shade (classes
    ``l0`` to ``l4``) encodes its count relative to the busiest month:
    ``l0`` is zero, then ``ceil(4 * count / max)``.  Non-empty cells show their
    count and link to ``href(year, month)``; every cell has a ``<title>``
    ``"{month_name(m)} {year}: {count}"``.  The header row shows the shortest
    prefix (at least three characters) of ``month_name(m)`` that tells the
    months apart.

    Raises :class:`ValueError` on a month outside 1-12, a year given twice or a
    negative count.
    """
    if not years:
        return ""
    _check_prefix(id_prefix)
    grid: list[tuple[int, list[int]]] = []
    seen: set[int] = set()
    for year, months in years:
        if year in seen:
            raise ValueError(f"year {year} given twice")
        seen.add(year)
        counts = [0] * 12
        for month, count in months:
            if not 1 <= month <= 12:
                raise ValueError(f"month must be 1-12, got {month}")
            _check_count(count)
            counts[month - 1] += count
        grid.append((year, counts))
    count_max = max(max(max(c) for _, c in grid), 1)
    names = [month_name(m) for m in range(1, 13)]
    year_col = max(text_width(str(y), LABEL_SIZE, bold=True) for y, _ in grid) + 10
    slot = (_WIDTH - year_col) / 12
    cell_w, cell_h = slot - 3, 26.0
    header_h, row_h = 22.0, 30.0
    height = header_h + row_h * len(grid) - 4

    out = _open("timeline", height, id_prefix=id_prefix, title=title, desc=desc, links=True)
    out.append('<g class="months">')
    for m, abbreviation in enumerate(_month_abbreviations(month_name)):
        shown = truncate(abbreviation, slot - 2, _TICK_SIZE)
        x = year_col + m * slot + cell_w / 2
        out.append(_text(x, 13, shown, cls="tick", anchor="middle", size=_TICK_SIZE))
    out.append("</g>")

    for row, (year, counts) in enumerate(grid):
        y0 = header_h + row * row_h
        out.append(f'<g class="year-row">{_text(0, y0 + cell_h / 2 + 4.5, str(year), cls="year")}')
        for m, count in enumerate(counts):
            x = year_col + m * slot
            level = 0 if count == 0 else min(4, math.ceil(4 * count / count_max))
            tip = f"<title>{esc(f'{names[m]} {year}: {count}')}</title>"
            cell = (
                f'<rect class="cell l{level}" fill-opacity="{_LEVEL_OPACITY[level]}" '
                f'x="{_n(x)}" y="{_n(y0)}" '
                f'width="{_n(cell_w)}" height="{_n(cell_h)}" rx="3"/>'
            )
            if count == 0:
                out.append(f'<g class="empty">{tip}{cell}</g>')
                continue
            value = ""
            if text_width(str(count), _TICK_SIZE) <= cell_w - 4:
                value = _text(
                    x + cell_w / 2,
                    y0 + cell_h / 2 + 4.2,
                    str(count),
                    cls=f"cell-value l{level}",
                    anchor="middle",
                    size=_TICK_SIZE,
                )
            out.append(f'<a class="month" href="{esc(href(year, m + 1))}">{tip}{cell}{value}</a>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


# --------------------------------------------------------------------------
# default styles

CHARTS_CSS: str = """\
/* briefing charts: default styles. Colours come from custom properties the
   theme may set: --chart-accent (falls back to --accent), --chart-person,
   --chart-organization, --chart-country, --chart-on-accent, --chart-bg (falls
   back to --bg); --chart-max-width caps the rendered width. */
.chart {
  display: block;
  width: 100%;
  height: auto;
  max-width: var(--chart-max-width, 36rem);
  overflow: visible;
  font-family: inherit;
  font-variant-numeric: tabular-nums;
}
.chart text { fill: currentColor; }
.chart .tick, .chart .value { fill-opacity: 0.72; }
.chart .year { font-weight: 600; }
.chart .grid { stroke: currentColor; stroke-opacity: 0.13; stroke-width: 1; shape-rendering: crispEdges; }
.chart .axis, .chart .tick-mark { stroke: currentColor; stroke-opacity: 0.5; stroke-width: 1; shape-rendering: crispEdges; }
.chart .bar { fill: var(--chart-accent, var(--accent, #2563eb)); }
.chart .col:hover .bar, .chart a:hover .bar, .chart a:focus-visible .bar { fill-opacity: 0.75; }
.chart a { cursor: pointer; }
.chart a:hover .label, .chart a:focus-visible .label { text-decoration: underline; }
.chart a:focus-visible { outline: 2px solid var(--chart-accent, var(--accent, #2563eb)); outline-offset: 2px; }
.chart .edge { stroke: currentColor; stroke-opacity: 0.2; stroke-linecap: round; }
.chart .neighbour:hover .node, .chart .neighbour:focus-visible .node { stroke: currentColor; stroke-width: 2; }
.chart .node-center { fill: currentColor; }
.chart .node-person { fill: var(--chart-person, var(--chart-accent, var(--accent, #2563eb))); }
.chart .node-organization { fill: var(--chart-organization, #c2410c); }
.chart .node-country { fill: var(--chart-country, #047857); }
.chart .label-center { font-weight: 600; }
.chart .halo { paint-order: stroke; stroke: var(--chart-bg, var(--bg, Canvas)); stroke-width: 4px; stroke-linejoin: round; }
.chart .cell { fill: var(--chart-accent, var(--accent, #2563eb)); }
.chart .cell.l0 { fill: currentColor; fill-opacity: 0.06; }
.chart .cell.l1 { fill-opacity: 0.22; }
.chart .cell.l2 { fill-opacity: 0.45; }
.chart .cell.l3 { fill-opacity: 0.72; }
.chart .cell.l4 { fill-opacity: 1; }
.chart .cell-value.l3, .chart .cell-value.l4 { fill: var(--chart-on-accent, #fff); }
.chart .month:hover .cell, .chart .month:focus-visible .cell { stroke: currentColor; stroke-width: 1.5; }
@media (prefers-color-scheme: dark) {
  .chart .bar, .chart .cell { fill: var(--chart-accent, var(--accent, #60a5fa)); }
  .chart .cell.l0 { fill: currentColor; fill-opacity: 0.1; }
  .chart .grid { stroke-opacity: 0.2; }
  .chart .edge { stroke-opacity: 0.28; }
  .chart .node-person { fill: var(--chart-person, var(--chart-accent, var(--accent, #60a5fa))); }
  .chart .node-organization { fill: var(--chart-organization, #fb923c); }
  .chart .node-country { fill: var(--chart-country, #34d399); }
  .chart .cell-value.l3, .chart .cell-value.l4 { fill: var(--chart-on-accent, #0b1220); }
  .chart a:focus-visible { outline-color: var(--chart-accent, var(--accent, #60a5fa)); }
}
@media print {
  .chart { max-width: 100%; break-inside: avoid; page-break-inside: avoid; }
  .chart .grid { stroke-opacity: 0.3; }
  .chart .edge { stroke-opacity: 0.4; }
  .chart a .label { text-decoration: none; }
}
@media (forced-colors: active) {
  .chart .bar, .chart .cell, .chart .node { fill: CanvasText; }
  .chart a .node, .chart a .cell, .chart a .bar { fill: LinkText; }
  .chart .cell-value.l3, .chart .cell-value.l4 { fill: Canvas; }
}
"""
