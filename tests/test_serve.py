"""`briefing serve`: builds, serves on 127.0.0.1, rebuilds on change, reloads pages."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixture_site import SITE
from tests.sitekit import write_site

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    site = write_site(tmp_path / "site", SITE)
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "briefing", "serve", "--site", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    url = ""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if "serving" in line:
            url = line.split(" at ")[1].split()[0]
            break
    assert url, "serve did not start"
    try:
        yield site, url
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def wait_for(url: str, text: str, present: bool = True, seconds: float = 10) -> str:
    deadline = time.monotonic() + seconds
    body = ""
    while time.monotonic() < deadline:
        body = fetch(url)
        if (text in body) == present:
            return body
        time.sleep(0.1)
    raise AssertionError(f"{text!r} {'never appeared' if present else 'never went away'} in {url}")


def test_serve_rebuilds_and_keeps_last_good_site(served: tuple[Path, str]) -> None:
    site, url = served
    page = fetch(url + "briefings/uno.html")
    assert "EventSource" in page
    # The reload script is added while serving only, never written to the output.
    assert "EventSource" not in (site / "output/briefings/uno.html").read_text("utf-8")
    uno = site / "content/briefings/a/uno.md"
    uno.write_text(
        uno.read_text("utf-8").replace(
            "Uno — García viaja a Tokio", "Uno — García vuelve de Tokio"
        ),
        "utf-8",
    )
    wait_for(url + "briefings/uno.html", "García vuelve de Tokio")
    # A content error: shown over the page and the last good site stays.
    (site / "content/briefings/a/roto.md").write_text("---\ntitle: [roto\n---\n", "utf-8")
    body = wait_for(url + "briefings/uno.html", "briefing-problems")
    assert "content/briefings/a/roto.md:2:8: error: invalid YAML" in body
    assert "García vuelve de Tokio" in body
    (site / "content/briefings/a/roto.md").unlink()
    wait_for(url + "briefings/uno.html", "briefing-problems", present=False)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_open_page_reloads_within_a_second(served: tuple[Path, str], browser: Any) -> None:
    site, url = served
    page = browser.new_page()
    try:
        page.goto(url + "briefings/uno.html")
        page.wait_for_timeout(300)  # let the event stream connect
        uno = site / "content/briefings/a/uno.md"
        started = time.monotonic()
        uno.write_text(
            uno.read_text("utf-8").replace("Uno — García viaja a Tokio", "Uno — recargado"),
            "utf-8",
        )
        page.wait_for_function(
            "document.querySelector('h1').textContent.includes('recargado')", timeout=5000
        )
        elapsed = time.monotonic() - started
    finally:
        page.close()
    assert elapsed < 2.0, elapsed
