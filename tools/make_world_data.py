#!/usr/bin/env python3
"""Regenerate ``briefing/data/world.json`` (and its licence note) from Natural Earth.

Developer tool, not shipped.  Usage::

    python tools/make_world_data.py                 # npm-installs world-atlas@2 into a temp dir
    python tools/make_world_data.py --atlas DIR     # use an existing node_modules/world-atlas

The npm package ``world-atlas`` (ISC, Mike Bostock) redistributes Natural Earth's
public-domain country boundaries as TopoJSON.  This script

* decodes the quantized, delta-encoded TopoJSON arcs itself (no extra dependency),
* projects them with the Natural Earth I projection into a ``0 0 1000 H`` viewBox,
* simplifies every *arc* (Douglas-Peucker), so shared borders stay shared, and rounds
  to 0.1 units,
* maps ISO 3166-1 numeric ids to alpha-2 with Babel's ``territory_aliases``
  (Kosovo, which has no numeric code, becomes ``XK``; Somaliland and Northern Cyprus
  are dissolved into Somalia and Cyprus; Crimea is moved to Ukraine, see ``REASSIGN``),
* cuts the few rings that cross the antimeridian (Russia, Fiji),
* writes one SVG path ``d`` per country from the 1:110m set, and for countries only
  present in the 1:50m set (Singapore, Malta, Bahrain, ...) a dot at the projected
  centroid of their largest polygon.  Antarctica is dropped.

Output schema (``briefing/data/world.json``)::

    {"viewBox": "0 0 1000 H", "source": "...", "land": "<d of all land, for locators>",
     "countries": {"JP": {"d": "M..."}, "LU": {"d": "M...", "c": [x, y]}, "SG": {"dot": [x, y]}}}

``c`` is present for countries whose outline is tiny at this scale (the centre at which
a marker ring is drawn).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from babel.core import get_global

REPO = Path(__file__).resolve().parent.parent
OUT_JSON = REPO / "briefing" / "data" / "world.json"
OUT_LICENSE = REPO / "briefing" / "data" / "WORLD-LICENSE.md"

Point = tuple[float, float]
IPoint = tuple[int, int]  # tenths of a viewBox unit

WIDTH = 1000.0
PAD = 6.0  # viewBox units of sea around the land
TOLERANCE = 0.3  # Douglas-Peucker tolerance, viewBox units
MIN_RING_AREA = 0.6  # drop islands smaller than this (square viewBox units) ...
TINY = 6.0  # ... and mark countries whose bbox is smaller than this with a centre "c"

# Features without an ISO numeric id, keyed by their Natural Earth name.
NAMELESS = {"Kosovo": "XK", "Somaliland": "SO", "N. Cyprus": "CY"}
DROP = {"AQ"}
# Editorial overrides of Natural Earth's "de facto" boundaries: (from, to, a lon/lat point
# inside the polygon to move).  Natural Earth draws Crimea as part of Russia; the UN
# (General Assembly resolution 68/262) and most states recognise it as Ukrainian.
REASSIGN: list[tuple[str, str, Point]] = [("RU", "UA", (34.1, 45.3))]


# --------------------------------------------------------------------- projection


def natural_earth(lon: float, lat: float) -> Point:
    """Natural Earth I projection (Šavrič et al. 2011), radians in, unit sphere out."""
    lam, phi = math.radians(lon), math.radians(lat)
    phi2 = phi * phi
    phi4 = phi2 * phi2
    x = lam * (
        0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4))
    )
    y = phi * (
        1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4))
    )
    return x, y


SCALE = WIDTH / 2 / natural_earth(180.0, 0.0)[0]


def project(lon: float, lat: float) -> Point:
    """Project to viewBox units, x in [0, WIDTH], y downwards with 0 at the equator."""
    x, y = natural_earth(lon, lat)
    return WIDTH / 2 + x * SCALE, -y * SCALE


# ---------------------------------------------------------------------- topojson


def decode_arcs(topo: dict[str, Any]) -> list[list[Point]]:
    """Undo TopoJSON delta encoding and quantization: arcs as (lon, lat) lists."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs: list[list[Point]] = []
    for arc in topo["arcs"]:
        x = y = 0
        points: list[Point] = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def polygons_of(geometry: dict[str, Any]) -> list[list[list[int]]]:
    """The polygons (each a list of rings of signed arc indexes) of a geometry."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return [[list(r) for r in geometry["arcs"]]]
    if kind == "MultiPolygon":
        return [[list(r) for r in poly] for poly in geometry["arcs"]]
    return []


def rings_of(geometry: dict[str, Any]) -> list[list[int]]:
    """All rings of a Polygon/MultiPolygon, flattened."""
    return [ring for poly in polygons_of(geometry) for ring in poly]


# -------------------------------------------------------------------- geometry ops


def simplify(points: Sequence[Point], tol: float) -> list[int]:
    """Douglas-Peucker (iterative): indexes of the points kept, both ends included."""
    if len(points) < 3:
        return list(range(len(points)))
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        (x1, y1), (x2, y2) = points[i], points[j]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        best, index = -1.0, -1
        for k in range(i + 1, j):
            px, py = points[k]
            if norm == 0:
                d = math.hypot(px - x1, py - y1)
            else:
                d = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            if d > best:
                best, index = d, k
        if index >= 0 and best > tol:
            keep[index] = True
            stack.extend([(i, index), (index, j)])
    return [i for i, k in enumerate(keep) if k]


def cut_antimeridian(ring: Sequence[Point]) -> list[list[Point]]:
    """Split a (lon, lat) ring that crosses the antimeridian into a part on each side.

    The ring is unwrapped so it is continuous in longitude, then clipped against the
    180° (or -180°) meridian (Sutherland-Hodgman); the part beyond is shifted by 360°.
    """
    pts = list(ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring)
    unwrapped: list[Point] = []
    for lon, lat in pts:
        if unwrapped:
            prev = unwrapped[-1][0]
            while lon - prev > 180:
                lon -= 360
            while lon - prev < -180:
                lon += 360
        unwrapped.append((lon, lat))
    lons = [lon for lon, _ in unwrapped]
    if min(lons) >= -180 and max(lons) <= 180:
        return [pts]
    edge = 180.0 if max(lons) > 180 else -180.0
    shift = -360.0 if edge > 0 else 360.0
    west = _clip(unwrapped, edge, lambda lon: lon <= edge)
    east = _clip(unwrapped, edge, lambda lon: lon >= edge)
    near, far = (west, east) if edge > 0 else (east, west)
    return [p for p in (near, [(lon + shift, lat) for lon, lat in far]) if len(p) >= 3]


def _clip(ring: Sequence[Point], edge: float, inside: Callable[[float], bool]) -> list[Point]:
    out: list[Point] = []
    for i, (lon, lat) in enumerate(ring):
        plon, plat = ring[i - 1]
        if inside(lon) != inside(plon):
            t = (edge - plon) / (lon - plon)
            out.append((edge, plat + t * (lat - plat)))
        if inside(lon):
            out.append((lon, lat))
    return out


def contains(ring: Sequence[Point], x: float, y: float) -> bool:
    """Even-odd point-in-polygon test."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def area(ring: Sequence[tuple[float, float]]) -> float:
    """Signed shoelace area of a ring given in tenths, in square viewBox units."""
    s = 0.0
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        s += x1 * y2 - x2 * y1
    return s / 200.0


def centroid(ring: Sequence[tuple[float, float]]) -> Point:
    """Area centroid of a ring given in tenths, in viewBox units."""
    s = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        f = x1 * y2 - x2 * y1
        s += f
        cx += (x1 + x2) * f
        cy += (y1 + y2) * f
    if s == 0:
        xs, ys = zip(*ring, strict=True)
        return sum(xs) / len(xs) / 10, sum(ys) / len(ys) / 10
    return cx / (3 * s) / 10, cy / (3 * s) / 10


def fmt(tenths: int) -> str:
    """Number in tenths to the shortest SVG number: 15 -> '1.5', -5 -> '-.5', 30 -> '3'."""
    sign = "-" if tenths < 0 else ""
    whole, frac = divmod(abs(tenths), 10)
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{frac}"


def join_numbers(numbers: Iterable[int]) -> str:
    out: list[str] = []
    for n in numbers:
        s = fmt(n)
        if out and not s.startswith("-"):
            out.append(" ")
        out.append(s)
    return "".join(out)


def path_d(rings: Sequence[Sequence[IPoint]]) -> str:
    """Absolute moveto, then relative linetos (compact), closed with z."""
    parts: list[str] = []
    for ring in rings:
        (x0, y0), rest = ring[0], ring[1:]
        deltas: list[int] = []
        px, py = x0, y0
        for x, y in rest:
            deltas += [x - px, y - py]
            px, py = x, y
        parts.append(f"M{join_numbers([x0, y0])}l{join_numbers(deltas)}z")
    return "".join(parts)


# --------------------------------------------------------------------------- build


class Topology:
    def __init__(self, topo: dict[str, Any], y0: float = 0.0) -> None:
        self.raw = topo
        self.lonlat = lonlat = decode_arcs(topo)
        self.projected = [[project(lon, lat) for lon, lat in arc] for arc in lonlat]
        self.min_lat = [min(lat for _, lat in arc) for arc in lonlat]
        self.max_lat = [max(lat for _, lat in arc) for arc in lonlat]
        self.ends = [(arc[0], arc[-1]) for arc in lonlat]
        self.y0 = y0
        self.cache: dict[tuple[int, float], list[Point]] = {}

    def _ends(self, a: int) -> tuple[Point, Point]:
        start, end = self.ends[a if a >= 0 else ~a]
        return (start, end) if a >= 0 else (end, start)

    def dissolve(self, rings: list[list[int]]) -> list[list[int]]:
        """Drop the arcs shared inside a group of rings (the border between merged
        features) and stitch what is left back into rings, like topojson.merge."""
        used = Counter(a if a >= 0 else ~a for ring in rings for a in ring)
        if all(n == 1 for n in used.values()):
            return rings
        pieces = [a for ring in rings for a in ring if used[a if a >= 0 else ~a] == 1]
        by_start: dict[Point, list[int]] = {}
        for a in pieces:
            by_start.setdefault(self._ends(a)[0], []).append(a)
        out: list[list[int]] = []
        remaining = set(pieces)
        for first in pieces:
            if first not in remaining:
                continue
            ring = [first]
            remaining.discard(first)
            start, end = self._ends(first)
            while end != start:
                nxt = next(a for a in by_start[end] if a in remaining)
                remaining.discard(nxt)
                ring.append(nxt)
                end = self._ends(nxt)[1]
            out.append(ring)
        return out

    def arc(self, index: int, tol: float) -> list[Point]:
        """The (lon, lat) points of an arc kept by simplification in projected space."""
        key = (index, tol)
        if key not in self.cache:
            arc = self.lonlat[index]
            self.cache[key] = [arc[i] for i in simplify(self.projected[index], tol)]
        return self.cache[key]

    def lonlat_ring(self, arcs: Sequence[int], tol: float = 0.0) -> list[Point]:
        """A ring as (lon, lat) points, closed (first point repeated at the end)."""
        lonlat: list[Point] = []
        for a in arcs:
            pts = self.arc(a, tol) if a >= 0 else self.arc(~a, tol)[::-1]
            lonlat.extend(pts[1:] if lonlat else pts)
        return lonlat

    def projected_ring(self, arcs: Sequence[int], tol: float) -> list[list[Point]]:
        """A ring in viewBox units: usually one, two if it crosses the antimeridian."""
        lonlat = self.lonlat_ring(arcs, tol)
        return [
            [(x, y - self.y0) for x, y in (project(lon, lat) for lon, lat in part)]
            for part in cut_antimeridian(lonlat)
        ]

    def ring(self, arcs: Sequence[int], tol: float) -> list[list[IPoint]]:
        """:meth:`projected_ring` in tenths of a unit, without repeated points."""
        out: list[list[IPoint]] = []
        for part in self.projected_ring(arcs, tol):
            rounded: list[IPoint] = []
            for x, y in part:
                p = (round(x * 10), round(y * 10))
                if not rounded or rounded[-1] != p:
                    rounded.append(p)
            while len(rounded) > 1 and rounded[0] == rounded[-1]:
                rounded.pop()
            if len(rounded) >= 3:
                out.append(rounded)
        return out

    def shapes(self, rings: list[list[int]], tol: float) -> list[list[IPoint]]:
        """Rounded rings, without slivers and specks (but always the biggest ring)."""
        all_rings = [r for arcs in rings for r in self.ring(arcs, tol)]
        if not all_rings:
            return []
        biggest = max(all_rings, key=lambda r: abs(area(r)))
        return [r for r in all_rings if r is biggest or abs(area(r)) >= MIN_RING_AREA]


def alpha2(numeric: str | None, name: str) -> str | None:
    if numeric is None:
        return NAMELESS.get(name)
    codes: list[str] | None = get_global("territory_aliases").get(numeric)
    if not codes or len(codes) != 1:
        return None
    return codes[0]


def grouped(topo: Topology) -> dict[str, list[list[int]]]:
    """alpha-2 code -> rings, from the ``countries`` object (unmapped ids are reported)."""
    out: dict[str, list[list[int]]] = {}
    for g in topo.raw["objects"]["countries"]["geometries"]:
        name = g.get("properties", {}).get("name", "?")
        code = alpha2(g.get("id"), name)
        if code is None:
            print(f"  skipped: id={g.get('id')} {name}", file=sys.stderr)
            continue
        if code in DROP:
            continue
        for polygon in polygons_of(g):
            owner = code
            for source, target, (lon, lat) in REASSIGN:
                if code == source and contains(topo.lonlat_ring(polygon[0]), lon, lat):
                    owner = target
            out.setdefault(owner, []).extend(polygon)
    return out


def build(atlas: Path) -> dict[str, Any]:
    """The world.json document, from an installed world-atlas package directory."""
    t110 = json.loads((atlas / "countries-110m.json").read_text())
    t50 = json.loads((atlas / "countries-50m.json").read_text())
    version = json.loads((atlas / "package.json").read_text())["version"]

    # viewBox height: from the northernmost to the southernmost non-Antarctic point
    top110 = Topology(t110)
    g110 = grouped(top110)
    g50 = grouped(Topology(t50))
    ys: list[float] = []
    for rings in g110.values():
        for ring in rings:
            for a in ring:
                ys.extend(y for _, y in top110.projected[a if a >= 0 else ~a])
    y_top, y_bottom = min(ys) - PAD, max(ys) + PAD
    height = round(y_bottom - y_top)

    top110 = Topology(t110, y_top)
    top50 = Topology(t50, y_top)

    countries: dict[str, dict[str, Any]] = {}
    for code in sorted(g110):
        shapes = top110.shapes(top110.dissolve(g110[code]), TOLERANCE)
        entry: dict[str, Any] = {"d": path_d(shapes)}
        xs = [x for r in shapes for x, _ in r]
        ys_ = [y for r in shapes for _, y in r]
        if max(max(xs) - min(xs), max(ys_) - min(ys_)) < TINY * 10:
            biggest = max(shapes, key=lambda r: abs(area(r)))
            entry["c"] = [round(v, 1) for v in centroid(biggest)]
        countries[code] = entry

    for code in sorted(set(g50) - set(g110)):
        parts = [part for arcs in g50[code] for part in top50.projected_ring(arcs, 0.0)]
        tenths = [[(x * 10, y * 10) for x, y in part] for part in parts]
        cx, cy = centroid(max(tenths, key=lambda r: abs(area(r))))
        countries[code] = {"dot": [round(cx, 1), round(cy, 1)]}

    # Land outline (for the faint background of locator maps): the ``land`` object
    # shares its arcs with ``countries``, so coasts coincide exactly.
    land_rings = [
        r
        for r in rings_of(t110["objects"]["land"]["geometries"][0])
        if max(top110.max_lat[a if a >= 0 else ~a] for a in r) > -60
    ]
    land = path_d(top110.shapes(land_rings, TOLERANCE))

    return {
        "viewBox": f"0 0 {round(WIDTH)} {height}",
        "source": (
            f"Natural Earth 1:110m and 1:50m admin-0 countries (public domain), "
            f"via world-atlas@{version} (ISC); Natural Earth I projection; "
            f"generated by tools/make_world_data.py"
        ),
        "land": land,
        "countries": countries,
    }


LICENSE_TEMPLATE = """\
# World map data: source and licence

`world.json` (the country outlines used by `briefing/worldmap.py`) is derived from
[Natural Earth](https://www.naturalearthdata.com/) 1:110m and 1:50m Admin 0 – Countries
(Natural Earth version 4.1.0), as redistributed in TopoJSON form by the npm package
[`world-atlas`](https://github.com/topojson/world-atlas) version {version}.

The geometry was projected (Natural Earth I projection), simplified and rounded, ISO
3166-1 numeric ids were converted to alpha-2 codes (Kosovo: `XK`), Antarctica was
dropped, and countries only present at 1:50m are stored as a single point.

Deliberate changes to the boundaries: Somaliland is shown as part of Somalia and
Northern Cyprus as part of Cyprus, and the Crimean peninsula is shown as part of
Ukraine (Natural Earth's "de facto" data assigns it to Russia; UN General Assembly
resolution 68/262).  See `NAMELESS` and `REASSIGN` in `tools/make_world_data.py`.

## Natural Earth

Natural Earth data is in the **public domain** (see
<https://www.naturalearthdata.com/about/terms-of-use/>): it may be used, modified and
redistributed for any purpose without permission, and credit is not required.  We credit
it anyway: made with Natural Earth, free vector and raster map data @ naturalearthdata.com.

Apart from the changes listed above, boundaries are Natural Earth's and do not imply any
position on disputed territories.

## world-atlas (ISC licence)

```
{license}
```

## Regenerating

```
python tools/make_world_data.py                # installs world-atlas@2 with npm into a temp dir
python tools/make_world_data.py --atlas PATH   # or use an existing node_modules/world-atlas
```
"""


def install_atlas(tmp: Path) -> Path:
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(tmp), "world-atlas@2"],
        check=True,
    )
    return tmp / "node_modules" / "world-atlas"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--atlas", type=Path, help="directory of the world-atlas npm package")
    parser.add_argument("--out", type=Path, default=OUT_JSON)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        atlas: Path = args.atlas or install_atlas(Path(tmp))
        data = build(atlas)
        version = json.loads((atlas / "package.json").read_text())["version"]
        licence = (atlas / "LICENSE").read_text().strip()

    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    out.write_text(text + "\n", encoding="utf-8")
    (out.parent / OUT_LICENSE.name).write_text(
        LICENSE_TEMPLATE.format(version=version, license=licence), encoding="utf-8"
    )
    n_paths = sum("d" in c for c in data["countries"].values())
    n_dots = sum("dot" in c for c in data["countries"].values())
    print(
        f"{out}: {len(text) // 1024} KB, {n_paths} outlines, {n_dots} dots, viewBox {data['viewBox']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
