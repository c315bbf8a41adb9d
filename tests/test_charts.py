"""Tests for briefing.charts: the build-time SVG charts."""

from __future__ import annotations

import html
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing import labels, slots
from briefing.charts import CHARTS_CSS, activity, network, ranking, timeline
from briefing.slots import Name

NS = "{http://www.w3.org/2000/svg}"
NASTY = '<script>&"'
MESES = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def month_label(key: str) -> str:
    year, month = key.split("-")
    return f"{MESES[int(month) - 1]} de {year}"


def month_name(month: int) -> str:
    return MESES[month - 1]


def month_href(year: int, month: int) -> str:
    return f"/timeline/#m-{year}-{month:02d}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def with_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{NS}{tag}") if cls in e.get("class", "").split()]


def titles(root: ET.Element, parent_tag: str, parent_cls: str) -> list[str]:
    out = []
    for parent in with_class(root, parent_tag, parent_cls):
        title = parent.find(f"{NS}title")
        assert title is not None
        out.append(title.text or "")
    return out


def view_box(root: ET.Element) -> tuple[float, float]:
    parts = [float(p) for p in root.get("viewBox", "").split()]
    assert len(parts) == 4 and parts[:2] == [0, 0]
    return parts[2], parts[3]


def assert_accessible(
    root: ET.Element, prefix: str, title: str, desc: str, *, links: bool = False
) -> None:
    # A chart with links is labelled and described, not one image (that would hide them).
    if links:
        assert root.get("role") is None
        assert root.get("aria-labelledby") == f"{prefix}-title"
        assert root.get("aria-describedby") == f"{prefix}-desc"
    else:
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == f"{prefix}-title {prefix}-desc"
    assert root.get("width") == "100%"
    view_box(root)
    title_el = root.find(f"{NS}title")
    desc_el = root.find(f"{NS}desc")
    assert title_el is not None and title_el.get("id") == f"{prefix}-title"
    assert desc_el is not None and desc_el.get("id") == f"{prefix}-desc"
    assert title_el.text == title
    assert desc_el.text == desc


def assert_theme_only_colours(svg: str) -> None:
    """No literal colour: only classes and currentColor (plus fill="none")."""
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b", svg)
    assert "style=" not in svg
    assert "<script" not in svg
    for attr, value in re.findall(r'\b(fill|stroke|color)="([^"]*)"', svg):
        assert value in ("currentColor", "none"), (attr, value)


# --------------------------------------------------------------------------
# activity


def make_activity(months: list[tuple[str, int]], **kw: str) -> str:
    args: dict[str, str] = {"title": "Briefings", "desc": "Per month", "id_prefix": "act"}
    args.update(kw)
    return activity(months, month_label=month_label, **args)


def test_activity_fills_gaps_with_zero_months() -> None:
    root = parse(make_activity([("2023-01", 2), ("2023-04", 3)]))
    bars = with_class(root, "rect", "bar")
    assert len(bars) == 4
    heights = [float(b.get("height", "nan")) for b in bars]
    assert heights[1] == heights[2] == 0
    assert heights[3] > heights[0] > 0
    assert titles(root, "g", "col") == [
        "enero de 2023: 2",
        "febrero de 2023: 0",
        "marzo de 2023: 0",
        "abril de 2023: 3",
    ]


def test_activity_sorts_and_sums_input_and_labels_years() -> None:
    svg = make_activity([("2024-02", 1), ("2023-11", 4), ("2024-02", 2)])
    root = parse(svg)
    assert titles(root, "g", "col") == [
        "noviembre de 2023: 4",
        "diciembre de 2023: 0",
        "enero de 2024: 0",
        "febrero de 2024: 3",
    ]
    ticks = [t.text for t in with_class(root, "text", "tick")]
    assert "2023" in ticks and "2024" in ticks


def test_activity_bars_are_ordered_left_to_right_inside_the_view_box() -> None:
    months = [(f"{y}-{m:02d}", (y * m) % 7) for y in range(2015, 2025) for m in range(1, 13)]
    root = parse(make_activity(months))
    width, height = view_box(root)
    bars = with_class(root, "rect", "bar")
    assert len(bars) == 120  # ten years: still one bar per month
    xs = [float(b.get("x", "nan")) for b in bars]
    assert xs == sorted(xs)
    for bar in bars:
        x, w = float(bar.get("x", "nan")), float(bar.get("width", "nan"))
        y, h = float(bar.get("y", "nan")), float(bar.get("height", "nan"))
        assert x >= 0 and y >= 0
        assert x + w <= width and y + h <= height


def test_activity_aggregates_long_spans_to_quarters() -> None:
    months = [("2000-02", 1), ("2000-03", 2), ("2014-12", 5)]  # 179 months
    root = parse(make_activity(months))
    bars = with_class(root, "rect", "bar")
    assert len(bars) == 15 * 4
    names = titles(root, "g", "col")
    assert names[0] == "enero de 2000 – marzo de 2000: 3"
    assert names[-1] == "octubre de 2014 – diciembre de 2014: 5"


def test_activity_aggregates_very_long_spans_to_years() -> None:
    months = [("1980-05", 1), ("1980-06", 1), ("2019-01", 4)]
    root = parse(make_activity(months))
    assert len(with_class(root, "rect", "bar")) == 40
    names = titles(root, "g", "col")
    assert names[0] == "1980: 2" and names[-1] == "2019: 4"


def test_activity_single_month() -> None:
    root = parse(make_activity([("2023-06", 0)]))
    assert titles(root, "g", "col") == ["junio de 2023: 0"]


def test_activity_accessibility_escaping_and_determinism() -> None:
    months = [("2023-01", 2), ("2023-04", 3)]
    svg = make_activity(months, title=NASTY, desc=f"desc {NASTY}", id_prefix="a-1")
    assert svg == make_activity(months, title=NASTY, desc=f"desc {NASTY}", id_prefix="a-1")
    assert "<script>" not in svg and "&lt;script&gt;&amp;&quot;" in svg
    root = parse(svg)
    assert_accessible(root, "a-1", NASTY, f"desc {NASTY}")
    assert_theme_only_colours(svg)


def test_activity_escapes_month_labels() -> None:
    svg = activity(
        [("2023-01", 1)], title="t", desc="d", id_prefix="x", month_label=lambda k: NASTY + k
    )
    assert titles(parse(svg), "g", "col") == [f"{NASTY}2023-01: 1"]


def test_activity_empty() -> None:
    assert make_activity([]) == ""


@pytest.mark.parametrize("key", ["2023-13", "2023-00", "2023-1", "23-01", "2023/01", " 2023-01"])
def test_activity_rejects_bad_months(key: str) -> None:
    with pytest.raises(ValueError):
        make_activity([(key, 1)])


def test_activity_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        make_activity([("2023-01", -1)])


# --------------------------------------------------------------------------
# network

NEIGHBOURS: list[tuple[str, str, int, str]] = [
    ("Unión Europea", "/organizations/ue/", 12, "organization"),
    ("Francia", "/countries/fr/", 7, "country"),
    ("Pedro Sánchez", "/people/pedro-sanchez/", 14, "person"),
]


def make_network(neighbours: list[tuple[str, str, int, str]], **kw: str) -> str:
    center = kw.pop("center", "Josep Borrell")
    args: dict[str, str] = {"title": "Network", "desc": "Who appears with", "id_prefix": "net"}
    args.update(kw)
    return network(center, neighbours, **args)


def test_network_nodes_links_and_kinds() -> None:
    root = parse(make_network(NEIGHBOURS))
    links = root.findall(f".//{NS}a")
    assert [a.get("href") for a in links] == [
        "/people/pedro-sanchez/",
        "/organizations/ue/",
        "/countries/fr/",
    ]
    kinds = []
    for link in links:
        (node,) = [e for e in link if "node" in e.get("class", "").split()]
        kinds.append(node.get("class"))
    assert kinds == ["node node-person", "node node-organization", "node node-country"]
    assert len(with_class(root, "circle", "node-center")) == 1
    assert len(with_class(root, "line", "edge")) == 3
    assert titles(root, "a", "neighbour") == [
        "Pedro Sánchez: 14",
        "Unión Europea: 12",
        "Francia: 7",
    ]
    labels = [t.text for t in with_class(root, "text", "label")]
    assert labels == ["Pedro Sánchez", "Unión Europea", "Francia", "Josep Borrell"]


def test_network_edge_width_grows_with_count() -> None:
    root = parse(make_network(NEIGHBOURS))
    edges = with_class(root, "line", "edge")
    widths = {e.get("class"): float(e.get("stroke-width", "nan")) for e in edges}
    assert widths["edge edge-person"] > widths["edge edge-organization"]
    assert widths["edge edge-organization"] > widths["edge edge-country"]


def test_network_keeps_the_twelve_largest() -> None:
    many = [(f"Actor {i:02d}", f"/a/{i}/", i, "person") for i in range(1, 21)]
    root = parse(make_network(many))
    links = root.findall(f".//{NS}a")
    assert len(links) == 12
    assert {a.get("href") for a in links} == {f"/a/{i}/" for i in range(9, 21)}
    # the largest is at the top, straight above the centre
    center = with_class(root, "circle", "node-center")[0]
    top = links[0].find(f"{NS}circle")
    assert top is not None and top.get("cx") == center.get("cx")
    assert float(top.get("cy", "nan")) < float(center.get("cy", "nan"))


def test_network_truncates_long_labels_inside_the_view_box() -> None:
    long_name = "Organización de las Naciones Unidas para la Alimentación y la Agricultura"
    neighbours = [
        (f"{long_name} {i}", f"/o/{i}/", 12 - i, ("person", "organization", "country")[i % 3])
        for i in range(12)
    ]
    root = parse(make_network(neighbours, center=long_name))
    width, _ = view_box(root)
    by_href = {href: (label, count) for label, href, count, _ in neighbours}
    links = root.findall(f".//{NS}a")
    assert len(links) == 12
    for link in links:
        label, count = by_href[link.get("href", "")]
        text = link.find(f"{NS}text")
        title = link.find(f"{NS}title")
        assert text is not None and title is not None
        assert title.text == f"{label}: {count}"
        shown = text.text or ""
        assert shown.endswith("…") and label.startswith(shown[:-1])
        estimated = labels.text_width(shown, 13)
        x = float(text.get("x", "nan"))
        anchor = text.get("text-anchor", "start")
        lo = {"start": x, "middle": x - estimated / 2, "end": x - estimated}[anchor]
        assert lo >= 0 and lo + estimated <= width
    center_label = with_class(root, "text", "label-center")[0].text or ""
    assert center_label.endswith("…")


def test_network_accessibility_escaping_and_determinism() -> None:
    neighbours = [(NASTY, '/p/?a=1&b="2"', 3, "person"), *NEIGHBOURS]
    svg = make_network(neighbours, title=NASTY, desc=NASTY, id_prefix="n-9", center=NASTY)
    assert svg == make_network(neighbours, title=NASTY, desc=NASTY, id_prefix="n-9", center=NASTY)
    assert "<script>" not in svg
    assert 'href="/p/?a=1&amp;b=&quot;2&quot;"' in svg
    root = parse(svg)
    assert_accessible(root, "n-9", NASTY, NASTY, links=True)
    assert '/p/?a=1&b="2"' in [a.get("href") for a in root.findall(f".//{NS}a")]
    assert NASTY in [t.text for t in with_class(root, "text", "label")]
    assert_theme_only_colours(svg)


def test_network_orders_equal_counts_as_given_whatever_their_labels() -> None:
    tied = [
        ("Zoe", "/p/z/", 5, "person"),
        ("Abe", "/p/a/", 5, "person"),
        ("Mo", "/p/m/", 9, "person"),
    ]
    hrefs = [a.get("href") for a in parse(make_network(tied)).findall(f".//{NS}a")]
    assert hrefs == ["/p/m/", "/p/z/", "/p/a/"]
    renamed = [("Aaron", *t[1:]) if t[1] == "/p/z/" else t for t in tied]
    assert make_network(renamed).count('cx="') == make_network(tied).count('cx="')
    assert [a.get("href") for a in parse(make_network(renamed)).findall(f".//{NS}a")] == hrefs


@pytest.mark.parametrize(
    "names",
    [
        {
            "p:a": "Ana",
            "p:b": NASTY,
            "p:c": "Organización de las Naciones Unidas para la Agricultura",
        },
        {"p:a": "Ana María de la Torre Fernández-Villaverde y Ortega", "p:b": "Bo", "p:c": "'"},
    ],
)
def test_network_draws_chips_names_as_slots_that_fill_to_the_plain_figure(
    names: dict[str, str],
) -> None:
    """Labels that are chips' names are placeholders while a page's names are recorded;
    filled with any names (cut to fit, escaped), they are the figure drawn with those
    names as plain text. Outside a recording a name draws as its text."""

    def drawn(shown: dict[str, str], recording: bool) -> str:
        neighbours = [
            (
                Name(shown[ref], ref) if recording is not None else shown[ref],
                f"/{ref}/",
                n,
                "person",
            )
            for ref, n in (("p:a", 7), ("p:b", 7), ("p:c", 3))
        ]
        if not recording:
            return make_network(neighbours)
        with slots.recording() as session:
            svg = make_network(neighbours)
        assert not session.touched
        return svg

    recorded = drawn(names, True)
    assert names["p:a"] not in recorded and slots.MARK in recorded
    filled = slots.resolve(recorded, names, lambda text: "never a chip's escape")
    assert filled is not None
    data, where = filled
    assert data.decode() == drawn(names, False)
    assert {ref.partition("~")[0] for _, _, ref in where} == set(names)
    other = {ref: text[::-1] + " X" for ref, text in names.items()}
    patched = slots.patch(data, where, other, lambda text: "never a chip's escape")
    assert patched is not None and patched[0].decode() == drawn(other, False)
    plain = [(t, f"/{r}/", 1, "person") for r, t in names.items()]
    assert make_network(
        [(Name(t, r), *rest) for (t, *rest), r in zip(plain, names, strict=True)]
    ) == make_network(plain)


def test_network_empty() -> None:
    assert make_network([]) == ""


def test_network_rejects_unknown_kind_and_negative_counts() -> None:
    with pytest.raises(ValueError):
        make_network([("X", "/x/", 1, "event")])
    with pytest.raises(ValueError):
        make_network([("X", "/x/", -1, "person")])


# --------------------------------------------------------------------------
# ranking

ITEMS: list[tuple[str, str, int]] = [
    ("Francia", "/countries/fr/", 7),
    ("Pedro Sánchez", "/people/ps/", 14),
    ("Unión Europea", "/organizations/ue/", 12),
    ("Alemania", "/countries/de/", 7),
]


def make_ranking(items: list[tuple[str, str, int]], **kw: str) -> str:
    args: dict[str, str] = {"title": "Most active", "desc": "Latest period", "id_prefix": "rank"}
    args.update(kw)
    return ranking(items, **args)


def test_ranking_most_first_with_links_and_proportional_bars() -> None:
    root = parse(make_ranking(ITEMS))
    rows = with_class(root, "a", "row")
    assert [a.get("href") for a in rows] == [
        "/people/ps/",
        "/organizations/ue/",
        "/countries/de/",  # ties ordered by label
        "/countries/fr/",
    ]
    assert titles(root, "a", "row") == [
        "Pedro Sánchez: 14",
        "Unión Europea: 12",
        "Alemania: 7",
        "Francia: 7",
    ]
    widths = [float(b.get("width", "nan")) for b in with_class(root, "rect", "bar")]
    assert len(widths) == 4
    assert widths[0] > widths[1] > widths[2] == widths[3] > 0
    assert widths[1] / widths[0] == pytest.approx(12 / 14, abs=0.01)
    assert [t.text for t in with_class(root, "text", "value")] == ["14", "12", "7", "7"]
    width, height = view_box(root)
    for row in rows:
        for el in row:
            if el.tag == f"{NS}rect":
                assert float(el.get("x", "0")) + float(el.get("width", "0")) <= width
                assert float(el.get("y", "0")) + float(el.get("height", "0")) <= height


def test_ranking_zero_counts_and_long_labels() -> None:
    long_label = "Organización del Tratado del Atlántico Norte " * 4
    root = parse(make_ranking([(long_label, "/o/", 0), ("B", "/b/", 0)]))
    labels = [t.text or "" for t in with_class(root, "text", "label")]
    assert labels[0] == "B"  # equal counts: by label
    assert labels[1].endswith("…") and long_label.startswith(labels[1][:-1])
    assert [float(b.get("width", "nan")) for b in with_class(root, "rect", "bar")] == [0, 0]


def test_ranking_accessibility_escaping_and_determinism() -> None:
    items = [(NASTY, "/x/?a&b", 3), *ITEMS]
    svg = make_ranking(items, title=NASTY, desc=NASTY, id_prefix="r")
    assert svg == make_ranking(items, title=NASTY, desc=NASTY, id_prefix="r")
    assert "<script>" not in svg and 'href="/x/?a&amp;b"' in svg
    root = parse(svg)
    assert_accessible(root, "r", NASTY, NASTY, links=True)
    assert NASTY in [t.text for t in with_class(root, "text", "label")]
    assert_theme_only_colours(svg)


def test_ranking_empty() -> None:
    assert make_ranking([]) == ""


# --------------------------------------------------------------------------
# timeline

YEARS: list[tuple[int, list[tuple[int, int]]]] = [
    (2024, [(1, 3), (2, 1)]),
    (2023, [(4, 8), (12, 2), (4, 1)]),
]


def make_timeline(
    years: list[tuple[int, list[tuple[int, int]]]],
    *,
    name: Callable[[int], str] = month_name,
    **kw: str,
) -> str:
    args: dict[str, str] = {"title": "Timeline", "desc": "By month", "id_prefix": "tl"}
    args.update(kw)
    return timeline(years, month_name=name, href=month_href, **args)


def test_timeline_grid_cells_links_and_titles() -> None:
    root = parse(make_timeline(YEARS))
    cells = with_class(root, "rect", "cell")
    assert len(cells) == 2 * 12
    links = with_class(root, "a", "month")
    assert [a.get("href") for a in links] == [
        "/timeline/#m-2024-01",
        "/timeline/#m-2024-02",
        "/timeline/#m-2023-04",
        "/timeline/#m-2023-12",
    ]
    assert titles(root, "a", "month") == [
        "enero 2024: 3",
        "febrero 2024: 1",
        "abril 2023: 9",
        "diciembre 2023: 2",
    ]
    assert "marzo 2024: 0" in titles(root, "g", "empty")
    assert len(titles(root, "g", "empty")) == 20
    years = [t.text for t in with_class(root, "text", "year")]
    assert years == ["2024", "2023"]  # the given order
    header = [t.text for t in with_class(root, "text", "tick")]
    assert header == [name[:3] for name in MESES]


def test_timeline_levels_encode_counts() -> None:
    root = parse(make_timeline(YEARS))
    levels = {
        (a.find(f"{NS}title").text or "").split(":")[0]: (a.find(f"{NS}rect").get("class") or "")  # type: ignore[union-attr]
        for a in with_class(root, "a", "month")
    }
    assert levels == {
        "enero 2024": "cell l2",
        "febrero 2024": "cell l1",
        "abril 2023": "cell l4",
        "diciembre 2023": "cell l1",
    }
    values = [t.text for t in with_class(root, "text", "cell-value")]
    assert values == ["3", "1", "9", "2"]
    empties = [g.find(f"{NS}rect") for g in with_class(root, "g", "empty")]
    assert all(r is not None and r.get("class") == "cell l0" for r in empties)


def test_timeline_month_abbreviations_stay_distinct() -> None:
    french = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    root = parse(make_timeline(YEARS, name=lambda m: french[m - 1]))
    header = [t.text for t in with_class(root, "text", "tick")]
    assert header[5:7] == ["juin", "juil"]
    assert len(set(header)) == 12


def test_timeline_accessibility_escaping_and_determinism() -> None:
    def nasty_name(m: int) -> str:
        return f"{NASTY}{m}"

    svg = make_timeline(YEARS, name=nasty_name, title=NASTY, desc=NASTY, id_prefix="t")
    assert svg == make_timeline(YEARS, name=nasty_name, title=NASTY, desc=NASTY, id_prefix="t")
    assert "<script>" not in svg
    root = parse(svg)
    assert_accessible(root, "t", NASTY, NASTY, links=True)
    assert f"{NASTY}1 2024: 3" in titles(root, "a", "month")
    assert_theme_only_colours(svg)


def test_timeline_empty_and_errors() -> None:
    assert make_timeline([]) == ""
    with pytest.raises(ValueError):
        make_timeline([(2023, [(13, 1)])])
    with pytest.raises(ValueError):
        make_timeline([(2023, [(1, 1)]), (2023, [(2, 1)])])
    with pytest.raises(ValueError):
        make_timeline([(2023, [(1, -1)])])


def test_timeline_year_without_entries_is_a_row_of_empty_cells() -> None:
    root = parse(make_timeline([(2022, [])]))
    assert len(with_class(root, "rect", "cell")) == 12
    assert with_class(root, "a", "month") == []


# --------------------------------------------------------------------------
# shared behaviour


def all_charts(prefix: str) -> list[str]:
    return [
        make_activity([("2023-01", 1)], id_prefix=prefix),
        make_network(NEIGHBOURS, id_prefix=prefix),
        make_ranking(ITEMS, id_prefix=prefix),
        make_timeline(YEARS, id_prefix=prefix),
    ]


def test_ids_come_from_the_prefix() -> None:
    for one, two in zip(all_charts("first"), all_charts("second"), strict=True):
        ids_one = set(re.findall(r'\bid="([^"]*)"', one))
        ids_two = set(re.findall(r'\bid="([^"]*)"', two))
        assert ids_one == {"first-title", "first-desc"}
        assert ids_two == {"second-title", "second-desc"}


@pytest.mark.parametrize("prefix", ["", "two words", "tab\there"])
def test_bad_id_prefix_is_rejected(prefix: str) -> None:
    with pytest.raises(ValueError):
        make_ranking(ITEMS, id_prefix=prefix)


def test_control_characters_are_dropped() -> None:
    svg = make_ranking([("bell\x07 label\x00", "/b/", 1)])
    root = parse(svg)
    assert [t.text for t in with_class(root, "text", "label")] == ["bell label"]


def test_charts_css() -> None:
    assert "var(--accent, #2563eb)" in CHARTS_CSS
    assert "@media (prefers-color-scheme: dark)" in CHARTS_CSS
    assert "@media print" in CHARTS_CSS
    assert CHARTS_CSS.count("{") == CHARTS_CSS.count("}")
    used: set[str] = set()
    for svg in all_charts("css"):
        for classes in re.findall(r'class="([^"]*)"', svg):
            used.update(classes.split())
    structural = {"gridlines", "bars", "years", "edges", "nodes", "months", "year-row"}
    structural |= {"center", "empty", "row", "hit"}
    for cls in used - structural:
        assert re.search(rf"\.{re.escape(cls)}\b", CHARTS_CSS) or cls.startswith(
            ("chart-", "edge-")
        ), cls


label_text = st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=40)


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(
        st.tuples(label_text, label_text, st.integers(min_value=0, max_value=10_000)),
        min_size=1,
        max_size=15,
    )
)
def test_ranking_and_network_are_well_formed_for_any_text(
    items: list[tuple[str, str, int]],
) -> None:
    root = parse(make_ranking(items))
    assert len(with_class(root, "a", "row")) == len(items)
    neighbours = [(label, href, count, "person") for label, href, count in items]
    root = parse(make_network(neighbours))
    assert len(with_class(root, "a", "neighbour")) == min(len(items), 12)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.integers(1900, 2100), st.integers(1, 12)),
        st.integers(0, 500),
        min_size=1,
        max_size=30,
    )
)
def test_activity_bar_count_matches_the_span(data: dict[tuple[int, int], int]) -> None:
    months = [(f"{y:04d}-{m:02d}", c) for (y, m), c in data.items()]
    indexes = [y * 12 + m - 1 for y, m in data]
    span = max(indexes) - min(indexes) + 1
    root = parse(make_activity(months))
    bars = with_class(root, "rect", "bar")
    heights = [float(b.get("height", "nan")) for b in bars]
    if span <= 120:
        assert len(bars) == span
    else:
        size = 3 if span <= 360 else 12
        first, last = min(indexes), max(indexes)
        assert len(bars) == (last - last % size - (first - first % size)) // size + 1
    assert all(h >= 0 for h in heights)
    assert sum(int(t.rsplit(": ", 1)[1]) for t in titles(root, "g", "col")) == sum(data.values())


# --------------------------------------------------------------------------
# the real renderer: no label leaves its chart, no two labels overlap

CHROMIUM = Path("/usr/bin/chromium")

MEASURE_JS = """
const report = [];
for (const svg of document.querySelectorAll("svg.chart")) {
  const [, , w, h] = svg.getAttribute("viewBox").split(" ").map(Number);
  const boxes = [...svg.querySelectorAll("text")].map((t) => {
    const b = t.getBBox();
    return {text: t.textContent, x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height};
  });
  for (const b of boxes) {
    if (b.x0 < -0.5 || b.y0 < -0.5 || b.x1 > w + 0.5 || b.y1 > h + 0.5) {
      report.push(`${svg.id}: "${b.text}" leaves the viewBox`);
    }
  }
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
    const dx = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
    const dy = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
    if (dx > 0.5 && dy > 0.5) report.push(`${svg.id}: "${a.text}" overlaps "${b.text}"`);
  }));
}
document.getElementById("report").textContent =
  "REPORT" + JSON.stringify({charts: document.querySelectorAll("svg.chart").length, report});
"""


def stress_charts() -> list[str]:
    long_name = "Organización de las Naciones Unidas para la Alimentación y la Agricultura"
    kinds = ("person", "organization", "country")
    twelve = [(f"{long_name} {i}", f"/o/{i}/", 40 - i, kinds[i % 3]) for i in range(12)]
    wide = [("WMW " * 20, f"/w/{i}/", i + 1, kinds[i % 3]) for i in range(12)]
    short = [("OTAN", "/o/otan/", 3, "organization"), ("Ana", "/p/ana/", 1, "person")]
    months = [(f"{y}-{m:02d}", (y + m) % 9) for y in range(2015, 2025) for m in range(1, 13)]
    french = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    return [
        make_activity(months, id_prefix="a1"),
        make_activity([("2023-11", 2), ("2024-02", 1)], id_prefix="a2"),
        make_activity([("2001-01", 3), ("2014-12", 999)], id_prefix="a3"),
        make_activity([("1950-01", 3), ("2024-12", 1)], id_prefix="a4"),
        make_network(twelve, center=long_name, id_prefix="n1"),
        make_network(wide, center="WMW " * 20, id_prefix="n2"),
        make_network(short, id_prefix="n3"),
        make_ranking([(long_name * 2, "/o/", 123_456), ("B", "/b/", 1)], id_prefix="r1"),
        make_timeline(
            [(2024, [(m, m * 1000) for m in range(1, 13)]), (1999, [(1, 1)])],
            name=lambda m: french.split()[m - 1],
            id_prefix="t1",
        ),
        make_timeline(YEARS, name=lambda m: "septiembre" * 3, id_prefix="t2"),
    ]


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_labels_stay_inside_and_apart_in_a_real_browser(tmp_path: Path) -> None:
    svgs = stress_charts()
    page = tmp_path / "charts.html"
    body = "".join(svg.replace("<svg ", f'<svg id="c{i}" ', 1) for i, svg in enumerate(svgs))
    page.write_text(
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<style>body{{font-family:sans-serif}}{CHARTS_CSS}</style></head>"
        f'<body>{body}<pre id="report"></pre><script>{MEASURE_JS}</script></body></html>',
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    match = re.search(r"REPORT(\{.*\})", html.unescape(result.stdout))
    assert match is not None, result.stderr[-2000:]
    outcome = json.loads(match.group(1))
    assert outcome["charts"] == len(svgs)
    assert outcome["report"] == []
