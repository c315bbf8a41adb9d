"""Tests for briefing.worldmap (inline SVG world maps)."""

from __future__ import annotations

import itertools
import json
import xml.etree.ElementTree as ET
from importlib.resources import files

import pytest

from briefing import worldmap

SVG = "{http://www.w3.org/2000/svg}"

NAMES = {"JP": "Japan", "SG": "Singapore", "NO": "Norway", "FR": "France", "MT": "Malta"}


def name(code: str) -> str:
    return NAMES.get(code, code)


def href(code: str) -> str:
    return f"/countries/{code.lower()}/?a=1&b=2"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def links(root: ET.Element) -> dict[str, ET.Element]:
    """href -> <a> element."""
    return {a.attrib["href"]: a for a in root.iter(f"{SVG}a")}


def classes(element: ET.Element) -> set[str]:
    return set(element.attrib.get("class", "").split())


# ---------------------------------------------------------------------------- data


def test_data_loads_and_is_compact() -> None:
    resource = files("briefing") / "data" / "world.json"
    raw = resource.read_bytes()
    assert len(raw) < 150_000
    data = json.loads(raw)
    assert set(data) >= {"viewBox", "source", "countries", "land"}
    assert "Natural Earth" in data["source"]
    assert data["viewBox"].startswith("0 0 1000 ")


def test_country_coverage() -> None:
    data = json.loads((files("briefing") / "data" / "world.json").read_text(encoding="utf-8"))
    countries = data["countries"]
    assert len(countries) >= 170
    assert worldmap.country_codes() == frozenset(countries)
    for code in ("JP", "FR", "US", "BR", "UA", "RU", "SO", "CY", "XK"):
        assert countries[code]["d"].startswith("M"), code
    for code in ("SG", "MT", "BH", "AD", "LI", "MC"):
        x, y = countries[code]["dot"]
        assert 0 <= x <= 1000 and y >= 0, code
    assert "AQ" not in countries  # Antarctica is dropped
    assert all(len(code) == 2 and code.isupper() for code in countries)
    assert all(("d" in entry) != ("dot" in entry) for entry in countries.values())


def test_license_file_present() -> None:
    text = (files("briefing") / "data" / "WORLD-LICENSE.md").read_text(encoding="utf-8")
    assert "public domain" in text
    assert "world-atlas" in text and "ISC" in text
    assert "tools/make_world_data.py" in text


# ------------------------------------------------------------------------- buckets


def test_buckets_small_counts_map_to_their_value() -> None:
    ranges = worldmap.bucket_ranges({"JP": 3, "SG": 1, "NO": 5})
    assert ranges == [(1, 1, 1), (2, 2, 2), (3, 3, 3), (4, 4, 4), (5, 5, 5)]
    assert worldmap.bucket_of(3, ranges) == 3


def test_buckets_spread_and_cover() -> None:
    assert worldmap.bucket_ranges({}) == []
    assert worldmap.bucket_ranges({"JP": 0}) == []
    assert worldmap.bucket_ranges({"JP": 1}) == [(1, 1, 5)]
    assert [b for *_, b in worldmap.bucket_ranges({"JP": 1, "FR": 2})] == [1, 5]
    for top in (6, 7, 10, 37, 100, 999, 12345):
        ranges = worldmap.bucket_ranges({"A": top, "B": 1})
        assert len(ranges) == worldmap.BUCKETS
        assert ranges[0][0] == 1 and ranges[-1][1] == top
        for (_, high, _), (low, _, _) in itertools.pairwise(ranges):
            assert low == high + 1
        assert all(low <= high for low, high, _ in ranges)
        assert [b for *_, b in ranges] == [1, 2, 3, 4, 5]
        assert all(1 <= worldmap.bucket_of(n, ranges) <= 5 for n in range(1, top + 1, 7))


# ---------------------------------------------------------------------- choropleth


def test_choropleth_links_buckets_and_titles() -> None:
    svg = worldmap.choropleth(
        {"JP": 3, "SG": 1, "NO": 5}, href=href, name=name, title="Stories by country"
    )
    root = parse(svg)
    # Its countries are links: labelled and described, not one image that would hide them.
    assert "role" not in root.attrib
    assert root.attrib["aria-describedby"].endswith("-d")
    assert root.attrib["viewBox"].startswith("0 0 1000 ")
    found = links(root)
    assert set(found) == {href("JP"), href("SG"), href("NO")}
    # raw "&" must be escaped in the markup; the parser gives it back unescaped
    assert "?a=1&amp;b=2" in svg

    jp, sg, no = found[href("JP")], found[href("SG")], found[href("NO")]
    assert classes(jp.find(f"{SVG}path")) == {"map-land", "map-b3"}  # type: ignore[arg-type]
    assert classes(no.find(f"{SVG}path")) == {"map-land", "map-b5"}  # type: ignore[arg-type]
    assert sg.find(f"{SVG}path") is None
    assert classes(sg.find(f"{SVG}circle")) == {"map-dot", "map-b1"}  # type: ignore[arg-type]
    assert jp.findtext(f"{SVG}title") == "Japan: 3"
    assert sg.findtext(f"{SVG}title") == "Singapore: 1"
    assert no.findtext(f"{SVG}title") == "Norway: 5"


def test_choropleth_accessible_name_and_description() -> None:
    svg = worldmap.choropleth({"JP": 3, "SG": 1, "NO": 5}, href=href, name=name, title="Map")
    root = parse(svg)
    title_id, desc_id = root.attrib["aria-labelledby"], root.attrib["aria-describedby"]
    by_id = {e.attrib["id"]: e for e in root.iter() if "id" in e.attrib}
    assert by_id[title_id].tag == f"{SVG}title" and by_id[title_id].text == "Map"
    assert by_id[desc_id].tag == f"{SVG}desc"
    assert by_id[desc_id].text == "Norway: 5; Japan: 3; Singapore: 1"  # highest first


def test_choropleth_escapes_text() -> None:
    def evil(code: str) -> str:
        return f'<b>&"{code}"'

    svg = worldmap.choropleth(
        {"JP": 2, "MT": 1}, href=lambda c: f'/x?c={c}&"><script>', name=evil, title="A < B & C"
    )
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;b&gt;&amp;&quot;JP&quot;: 2" in svg
    root = parse(svg)
    assert root.findtext(f"{SVG}title") == "A < B & C"
    titles = {a.findtext(f"{SVG}title") for a in root.iter(f"{SVG}a")}
    assert titles == {'<b>&"JP": 2', '<b>&"MT": 1'}
    assert '/x?c=JP&"><script>' in links(root)


def test_choropleth_ignores_unknown_and_non_positive() -> None:
    svg = worldmap.choropleth(
        {"jp": 2, "ZZ": 9, "EU": 4, "FR": 0, "NO": -3}, href=href, name=name, title="t"
    )
    root = parse(svg)
    assert set(links(root)) == {href("JP")}
    assert "map-b5" in classes(root.find(f".//{SVG}a/{SVG}path"))  # type: ignore[arg-type]


def test_choropleth_legend_optional() -> None:
    counts = {"JP": 40, "FR": 7, "SG": 1}
    with_legend = parse(worldmap.choropleth(counts, href=href, name=name, title="t"))
    legend = with_legend.find(f"{SVG}g[@class='map-legend']")
    assert legend is not None
    labels = [t.text for t in legend.iter(f"{SVG}text")]
    assert labels[0].endswith("40") and labels[-1].startswith("1")  # type: ignore[union-attr]
    assert len(legend.findall(f"{SVG}rect")) == worldmap.BUCKETS
    without = parse(worldmap.choropleth(counts, href=href, name=name, title="t", legend=False))
    assert without.find(f"{SVG}g[@class='map-legend']") is None


def test_choropleth_empty_counts_is_plain_map() -> None:
    root = parse(worldmap.choropleth({}, href=href, name=name, title="Nothing yet"))
    assert links(root) == {}
    assert root.find(f"{SVG}path[@class='map-land']") is not None


def test_choropleth_deterministic() -> None:
    a = worldmap.choropleth({"NO": 5, "JP": 3, "SG": 1}, href=href, name=name, title="t")
    b = worldmap.choropleth({"SG": 1, "JP": 3, "NO": 5}, href=href, name=name, title="t")
    assert a == b


def test_choropleth_all_countries_well_formed() -> None:
    counts = {code: i + 1 for i, code in enumerate(sorted(worldmap.country_codes()))}
    root = parse(worldmap.choropleth(counts, href=href, name=name, title="everything"))
    assert len(links(root)) == len(counts)


# ------------------------------------------------------------------------- locator


def test_locator_highlights_country() -> None:
    svg = worldmap.locator("FR", name=name, title="Where is France?")
    root = parse(svg)
    assert root.attrib["role"] == "img"
    here = [e for e in root.iter() if "map-here" in classes(e)]
    assert len(here) == 1 and here[0].tag == f"{SVG}path"
    data = json.loads((files("briefing") / "data" / "world.json").read_text(encoding="utf-8"))
    assert here[0].attrib["d"] == data["countries"]["FR"]["d"]
    assert root.findtext(f"{SVG}desc") == "France"
    assert root.findtext(f"{SVG}title") == "Where is France?"
    assert root.find(f"{SVG}circle[@class='map-ring']") is None  # big enough


def test_locator_small_countries_get_a_ring() -> None:
    root = parse(worldmap.locator("sg", name=name, title="SG"))
    here = [e for e in root.iter() if "map-here" in classes(e)]
    assert len(here) == 1 and here[0].tag == f"{SVG}circle"
    assert root.find(f"{SVG}circle[@class='map-ring']") is not None
    # tiny outline (Luxembourg): highlighted path plus a ring
    root = parse(worldmap.locator("LU", name=name, title="LU"))
    assert [e.tag for e in root.iter() if "map-here" in classes(e)] == [f"{SVG}path"]
    assert root.find(f"{SVG}circle[@class='map-ring']") is not None


@pytest.mark.parametrize("code", ["", "ZZ", "EU", "AQ", "Japan"])
def test_locator_unknown_code_is_empty(code: str) -> None:
    assert worldmap.locator(code, name=name, title="t") == ""


def test_locator_escapes_text() -> None:
    svg = worldmap.locator("JP", name=lambda c: "<&>", title='"<T>"')
    assert "<&>" not in svg
    root = parse(svg)
    assert root.findtext(f"{SVG}desc") == "<&>"
    assert root.findtext(f"{SVG}title") == '"<T>"'


# ----------------------------------------------------------------------------- css


def test_css_styles_every_class() -> None:
    css = worldmap.MAP_CSS
    for cls in ("map-land", "map-dot", "map-here", "map-ring", "map-legend"):
        assert f".{cls}" in css
    for i in range(1, worldmap.BUCKETS + 1):
        assert f".map-b{i}" in css
    assert "@media (prefers-color-scheme: dark)" in css
    assert css.count("{") == css.count("}")
