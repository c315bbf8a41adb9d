"""Build the example site into a temporary folder and screenshot each kind of page.

Full-page PNGs at 360, 800 and 1280 px wide go to ``screenshots/`` (git-ignored),
named ``<kind>-<width>.png``; their paths are printed. Uses Debian's Chromium.

    .venv/bin/python tools/screenshots.py [--out screenshots] [--widths 360,800,1280]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WIDTHS = (360, 800, 1280)

# kind -> candidate pages (the first that exists wins), or a folder to take the first page of.
PAGES: dict[str, tuple[str, ...]] = {
    "home": ("index.html",),
    "briefing": ("briefings/cumbre-otan-vilnius-2023.html", "briefings/"),
    "briefing-en": ("briefings/nato-vilnius-summit-2023.html",),
    "person": ("people/jens-stoltenberg.html", "people/"),
    "country": ("countries/jp.html", "countries/"),
    "countries-index": ("countries/index.html",),
    "people-index": ("people/index.html",),
    "organization": ("organizations/nato.html", "organizations/"),
    "tag": ("tags/seguridad.html", "tags/"),
    "timeline": ("timeline/index.html",),
    "timeline-year": ("timeline/2023.html", "timeline/"),
    "search": ("search.html?q=japon",),
    "about": ("about.html",),
}


def build(site: Path, out: Path, cache: Path) -> None:
    command = [sys.executable, "-m", "briefing", "build", "--site", str(site)]
    command += ["--output", str(out), "--strict", "--quiet", "--cache-dir", str(cache)]
    subprocess.run(command, cwd=REPO, check=True)


def pick(out: Path, candidates: tuple[str, ...]) -> str | None:
    for c in candidates:
        if c.endswith("/"):
            pages = sorted(p for p in (out / c).glob("*.html") if p.name != "index.html")
            pages = [p for p in pages if "http-equiv" not in p.read_text(encoding="utf-8")[:600]]
            if pages:
                return pages[0].relative_to(out).as_posix()
        elif (out / c.split("?", 1)[0]).is_file():
            return c
    return None


def shoot(out: Path, dest: Path, widths: tuple[int, ...], kinds: list[str]) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    root = out.as_uri() + "/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            for width in widths:
                context = browser.new_context(viewport={"width": width, "height": 900})
                # Offline, like a reader's copy of the site: nothing but file:// loads.
                context.route(lambda url: not url.startswith("file:"), lambda r: r.abort())
                page = context.new_page()
                page.on("console", lambda m: m.type == "error" and print("console:", m.text))
                page.on("pageerror", lambda e: print("page error:", e))
                for kind in kinds:
                    rel = pick(out, PAGES[kind])
                    if rel is None:
                        print(f"skipped {kind}: no page", file=sys.stderr)
                        continue
                    page.goto(root + rel, wait_until="load")
                    if kind == "search":
                        page.wait_for_function(
                            """() => { const r = document.getElementById('search-results');
                               return r && !r.hasAttribute('aria-busy') && r.textContent.trim(); }""",
                            timeout=10_000,
                        )
                    path = dest / f"{kind}-{width}.png"
                    page.screenshot(path=str(path), full_page=True)
                    saved.append(path)
                    print(path)
                context.close()
        finally:
            browser.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--site", type=Path, default=REPO, help="site folder (default: the repo)")
    parser.add_argument("--out", type=Path, default=REPO / "screenshots", help="where PNGs go")
    parser.add_argument(
        "--widths", default=",".join(map(str, WIDTHS)), help="comma-separated widths in px"
    )
    parser.add_argument("--kinds", default=",".join(PAGES), help="comma-separated page kinds")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    widths = tuple(int(w) for w in args.widths.split(","))
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = [k for k in kinds if k not in PAGES]
    if unknown:
        parser.error(f"unknown kinds {unknown}; known: {', '.join(PAGES)}")
    with tempfile.TemporaryDirectory(prefix="briefing-shots-") as tmp:
        out = Path(tmp) / "site"
        build(args.site.resolve(), out, Path(tmp) / "cache")
        shoot(out, args.out.resolve(), widths, kinds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
