"""Local preview: build, serve on 127.0.0.1, rebuild on change, reload open pages.

The live-reload script is added to HTML responses as they are served; it never
lands in the output folder. A failed rebuild keeps the last good site on
screen, with the problems shown over it and in the terminal.
"""

from __future__ import annotations

import html
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from briefing.build import Options, Result, build
from briefing.config import CONFIG_FILE
from briefing.problems import report

EVENTS = "/__briefing/events"
RELOAD_JS = """<script>
(function () {
  var source = new EventSource("%s");
  source.addEventListener("reload", function () { location.reload(); });
})();
</script>"""


@dataclass
class State:
    """What the server shows: a generation number that bumps on every rebuild, and problems."""

    generation: int = 0
    problems: str = ""
    failed: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, problems: str, failed: bool) -> None:
        with self.changed:
            self.generation += 1
            self.problems = problems
            self.failed = failed
            self.changed.notify_all()


def snapshot(site: Path) -> dict[str, tuple[int, int]]:
    """Sizes and modification times of what the site is made of (only to notice edits)."""
    found: dict[str, tuple[int, int]] = {}
    roots = [site / "content", site / "layouts"]
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                path = os.path.join(folder, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                found[path] = (st.st_size, st.st_mtime_ns)
    config = site / CONFIG_FILE
    if config.exists():
        st = config.stat()
        found[str(config)] = (st.st_size, st.st_mtime_ns)
    return found


def overlay(problems: str) -> str:
    return (
        '<div id="briefing-problems" role="alert" style="position:fixed;inset:auto 0 0 0;max-height:50vh;'
        "overflow:auto;margin:0;padding:1rem 1.25rem;background:#7f1d1d;color:#fff;z-index:99999;"
        'font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap">'
        "<strong>briefing: the last rebuild failed; showing the last good site.</strong>\n"
        f"{html.escape(problems)}</div>"
    )


class Handler(SimpleHTTPRequestHandler):
    state: State

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.split("?")[0] == EVENTS:
            self._events()
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            body = path.read_text("utf-8", errors="replace")
            extra = RELOAD_JS % EVENTS
            if self.state.failed:
                extra += overlay(self.state.problems)
            body = body.replace("</body>", extra + "</body>") if "</body>" in body else body + extra
            data = body.encode("utf-8")
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        state = self.state
        with state.changed:
            seen = state.generation
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while True:
                with state.changed:
                    state.changed.wait_for(partial(_moved, state, seen), timeout=15)
                    current = state.generation
                if current != seen:
                    seen = current
                    self.wfile.write(f"event: reload\ndata: {json.dumps(current)}\n\n".encode())
                else:
                    self.wfile.write(b": ping\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return


def _moved(state: State, seen: int) -> bool:
    return state.generation != seen


def rebuild(options: Options, state: State, say: Callable[[str], None]) -> Result | None:
    started = time.perf_counter()
    try:
        result = build(options)
    except Exception as exc:  # an output folder that is not ours, a lock: keep serving
        say(f"briefing: error: {exc}")
        state.publish(str(exc), True)
        return None
    text = report(result.problems)
    if text:
        say(text)
    if result.ok and result.report is not None:
        r = result.report
        say(
            f"rebuilt in {time.perf_counter() - started:.2f} s: {len(r.written)} written, {len(r.removed)} removed"
        )
        state.publish(text, False)
    else:
        say("briefing: the rebuild failed; still serving the last good site")
        state.publish(text, True)
    return result


def serve(
    options: Options,
    port: int,
    say: Callable[[str], None] = print,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Build, then serve and watch until interrupted."""
    out = options.output or options.site / "output"
    options = replace(options, output=out)
    state = State()
    # What the first build reads: an edit made while it runs, or right after, is seen.
    seen = snapshot(options.site)
    rebuild(options, state, say)
    out.mkdir(parents=True, exist_ok=True)
    handler = partial(Handler, directory=str(out))
    Handler.state = state
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    say(f"serving {out} at {url} (Ctrl-C to stop)")
    sys.stdout.flush()
    if ready:
        ready(url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        while True:
            time.sleep(0.2)
            now = snapshot(options.site)
            if now != seen:
                seen = now
                rebuild(options, state, say)
    except KeyboardInterrupt:
        say("stopped")
    finally:
        server.shutdown()
        server.server_close()
