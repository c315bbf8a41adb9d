"""Shared fixtures. One headless Chromium (Debian's, through playwright) serves every
browser test of a run: playwright's sync API allows one live instance per thread."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium")
    try:
        from playwright import sync_api
    except ImportError:
        pytest.skip("needs playwright")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()


REPO = Path(__file__).resolve().parent.parent


@dataclass
class Site:
    """Where a built site is, and the URL its pages are opened from (file:// or http)."""

    mode: str
    dir: Path
    root: str  # ends with "/"

    def url(self, rel: str) -> str:
        return self.root + rel

    def rel(self, url: str) -> str | None:
        """The site path of ``url`` (without query or fragment), or None if outside."""
        if not url.startswith(self.root):
            return None
        return unquote(urlsplit(url[len(self.root) :]).path)

    def outside_but_local(self, url: str) -> bool:
        """A link that leaves the site's folder yet stays on its host (a root-relative
        or too-many-``..`` link: it would break under a sub-path)."""
        if self.mode == "file":
            return url.startswith("file:") and not url.startswith(self.root)
        origin = self.root[: self.root.index("/", len("http://"))]
        return url.startswith(origin) and not url.startswith(self.root)


@pytest.fixture(scope="session")
def example_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's example site, built once per test session with --strict."""
    base = tmp_path_factory.mktemp("example-site")
    out, cache = base / "out", base / "cache"
    command = [sys.executable, "-m", "briefing", "build", "--site", str(REPO)]
    command += ["--output", str(out), "--strict", "--quiet", "--cache-dir", str(cache)]
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "index.html").is_file()
    return out


class SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves ``directory`` at ``prefix`` (like a GitHub project site) and 404s elsewhere."""

    prefix = "/"

    def _route(self) -> bool:
        if not self.path.startswith(self.prefix):
            self.send_error(404, "outside " + self.prefix)
            return False
        self.path = self.path[len(self.prefix) - 1 :]
        return True

    def do_GET(self) -> None:
        if self._route():
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._route():
            super().do_HEAD()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_under(folder: Path, prefix: str) -> Iterator[str]:
    """A local server (127.0.0.1, a free port) for ``folder`` under ``prefix``; yields its URL."""
    handler_class = type("Handler", (SubPathHandler,), {"prefix": prefix})
    handler = functools.partial(handler_class, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass
class Watch:
    """Console errors, page errors, failed requests and requests leaving the site, of one page."""

    site: Site
    problems: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("request", self._request)

    def _probe(self, url: str) -> bool:
        """The browser's own /favicon.ico request at the host's root, made (or not,
        depending on timing) when a page names no icon: the crawl checks that every
        page has <link rel=icon> instead, which is deterministic."""
        return url.endswith("/favicon.ico") and not url.startswith(self.site.root)

    def _request(self, req: Any) -> None:
        # The site must work offline: nothing but its own files may load.
        # (Listening is cheaper than routing every request through Playwright.)
        url = req.url
        if not url.startswith((self.site.root, "data:", "blob:", "about:")) and not self._probe(
            url
        ):
            self.problems.append(f"request outside the site: {url}")

    def _console(self, msg: Any) -> None:
        loc = msg.location or {}
        if msg.type == "error" and not self._probe(loc.get("url", "")):
            self.problems.append(f"console error: {msg.text} @ {loc.get('url', '')}")

    def _failed(self, req: Any) -> None:
        # ERR_ABORTED: a load cut short by the next navigation (the favicon often is);
        # a missing file is ERR_FILE_NOT_FOUND or an HTTP status.
        if req.failure != "net::ERR_ABORTED" and not self._probe(req.url):
            self.problems.append(f"request failed: {req.url} ({req.failure})")

    def _response(self, resp: Any) -> None:
        if resp.status >= 400 and not self._probe(resp.url):
            self.problems.append(f"HTTP {resp.status}: {resp.url}")

    def take(self) -> list[str]:
        out, self.problems = self.problems, []
        return out
