"""The command line: parses arguments, runs a command, prints problems, sets the exit status.

Exit status: 0 fine, 1 content errors, 2 usage errors (including an output
folder that is not ours).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import NoReturn, TextIO

from briefing import __version__
from briefing.build import Options, build
from briefing.cache import DEFAULT_DIR, CacheLost
from briefing.load import SourceChanged
from briefing.problems import ordered, report
from briefing.write import OutputRefused, PublishFailed

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class Progress:
    """On a terminal, a build that takes more than a second says how far it is."""

    def __init__(self, stream: TextIO, delay: float = 1.0) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.delay = delay
        self.shown = False
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.start < self.delay or (now - self.last < 0.1 and done < total):
            return
        self.last = now
        if stage == "parse":
            self.stream.write(f"\r\x1b[Kparsed {done}/{total} files")
        else:  # pages are made in groups (an actor's pages together): a share, not a count
            self.stream.write(f"\r\x1b[K{stage} {100 * done // max(total, 1)}%")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _site_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the site folder (default: the current folder)",
    )


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="briefing",
        description="A static site generator for curated briefings on world affairs.",
        epilog="Exit status: 0 fine, 1 content errors, 2 usage errors. Problems go to stderr as path:line:col.",
    )
    main.add_argument("--version", action="version", version=f"briefing {__version__}")
    commands = main.add_subparsers(dest="command", metavar="COMMAND", required=True)

    b = commands.add_parser(
        "build",
        help="build the site into output/",
        description="Build the site. Every page is computed first; only if nothing failed are the "
        "changed files written, stale generated files removed, and the manifest written last. "
        "A failed build leaves the previous output untouched.",
    )
    _site_arg(b)
    _build_options(b)
    b.add_argument(
        "--output",
        type=Path,
        metavar="DIR",
        help="where to write the site (default: output/ in the site)",
    )
    b.add_argument(
        "--base-url",
        metavar="URL",
        help="absolute URL the site is served at (overrides base_url in briefing.yaml)",
    )
    b.add_argument("--drafts", action="store_true", help="include briefings marked `draft: true`")

    c = commands.add_parser(
        "check",
        help="report every content problem without writing anything",
        description="Read and resolve the whole site and report every problem; nothing is written.",
    )
    _site_arg(c)
    _build_options(c)
    c.add_argument("--drafts", action="store_true", help="check drafts too")
    c.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default) or a JSON list, for other tools",
    )

    sv = commands.add_parser(
        "serve",
        help="preview on 127.0.0.1, rebuilding and reloading on every change",
        description="Build the site, serve it on 127.0.0.1 and watch content/, layouts/ and briefing.yaml: "
        "each change rebuilds incrementally and reloads the open pages. A content error shows in the "
        "terminal and over the page, while the last good site keeps being served. The reload script is "
        "added only to served pages, never to the output files.",
    )
    _site_arg(sv)
    _build_options(sv)
    sv.add_argument(
        "--port",
        "-p",
        type=int,
        default=8000,
        help="port on 127.0.0.1 (default: 8000; 0 picks a free one)",
    )
    sv.add_argument(
        "--output",
        type=Path,
        metavar="DIR",
        help="where to write the site (default: output/ in the site)",
    )
    sv.add_argument("--drafts", action="store_true", help="include drafts")

    nw = commands.add_parser(
        "new",
        help="write a new briefing file with front matter and a body skeleton",
        description="Write content/briefings/<year>/<slug>.md with today's date, the actors resolved to "
        "their registered names, and a body skeleton. Never overwrites; prints the new file's path.",
    )
    _site_arg(nw)
    nw.add_argument("title", help="the briefing's title")
    for name in ("people", "countries", "organizations", "tags"):
        nw.add_argument(f"--{name}", default="", metavar="A,B", help=f"comma-separated {name}")
    nw.add_argument("--lang", help="the briefing's language, when not the site's (BCP 47)")

    it = commands.add_parser(
        "init",
        help="start a new site, with a GitHub Pages workflow",
        description="Create a new site in DIR (which must be new or empty): briefing.yaml, an example "
        "briefing, a person, an about page, .gitignore and .github/workflows/pages.yml. It builds at once.",
    )
    it.add_argument("dir", type=Path, help="the new site's folder")
    it.add_argument("--language", default="en", help="the site's language (default: en)")
    it.add_argument(
        "--install",
        default="briefing",
        metavar="SPEC",
        help="what the workflow pip-installs to get briefing (default: briefing; e.g. a git+https URL)",
    )

    cl = commands.add_parser(
        "clean",
        help="delete the build cache",
        description=f"Delete the build cache ({DEFAULT_DIR}/ in the site, or --cache-dir).",
    )
    _site_arg(cl)
    cl.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help=f"the cache folder (default: {DEFAULT_DIR}/ in the site)",
    )
    return main


def _build_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--strict", action="store_true", help="treat warnings (e.g. unknown actors) as errors"
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=0,
        metavar="N",
        help="worker processes (default: all cores)",
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help=f"the build cache (default: {DEFAULT_DIR}/ in the site)",
    )
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the build cache")
    noise = p.add_mutually_exclusive_group()
    noise.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    noise.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="also list every file written or removed and the time each stage took, "
        "wall-clock and processor (workers included)",
    )


def run() -> NoReturn:
    """The `briefing` command. A build leaves hundreds of megabytes of objects behind;
    the process ends without freeing them one by one (a tenth of an edit rebuild), once
    everything it printed is out."""
    held: list[object] = []
    code = main(held=held)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None, held: list[object] | None = None) -> int:
    """The command line; with ``held``, what a build made is put there rather than freed."""
    args = parser().parse_args(argv)
    if args.command == "init":
        return _init(args)
    site: Path = args.site.expanduser()
    for name in ("output", "cache_dir"):
        if getattr(args, name, None) is not None:
            setattr(args, name, getattr(args, name).expanduser())
    if not site.is_dir():
        print(f"briefing: error: the site folder {site} does not exist", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "clean":
        folder = args.cache_dir or site / DEFAULT_DIR
        if folder.is_dir():
            shutil.rmtree(folder)
            print(f"removed {folder}")
        return EXIT_OK
    if args.command == "new":
        return _new(args)
    if not 0 <= getattr(args, "port", 0) <= 65535:
        print("briefing: error: --port is a number from 0 to 65535", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "jobs", 0) < 0:
        print("briefing: error: --jobs must be 0 (all cores) or more", file=sys.stderr)
        return EXIT_USAGE
    writing = args.command in ("build", "serve")
    progress = Progress(sys.stderr) if not args.quiet and sys.stderr.isatty() else None
    options = Options(
        site=site,
        output=args.output if writing else None,
        cache_dir=args.cache_dir,
        use_cache=not args.no_cache,
        base_url=getattr(args, "base_url", None),
        drafts=args.drafts,
        strict=args.strict,
        jobs=args.jobs,
        write=writing,
        lint=args.command == "check",
        progress=progress,
        hold=held is not None and args.command != "serve",
    )
    if args.command == "serve":
        from briefing.serve import serve

        try:
            serve(
                replace(options, progress=None), args.port, say=lambda text: print(text, flush=True)
            )
        except OSError as exc:
            print(
                f"briefing: error: cannot serve on 127.0.0.1:{args.port}: {exc.strerror or exc}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        return EXIT_OK
    try:
        result = build(options)
        if held is not None:
            held.append(result)
    except OutputRefused as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PublishFailed as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    except SourceChanged as exc:
        print(f"briefing: error: {exc}; the output was not touched: build again", file=sys.stderr)
        return EXIT_CONTENT
    except CacheLost as exc:
        print(
            f"briefing: error: {exc} (another build or `briefing clean` at the same time?);"
            " the output was not touched: build again",
            file=sys.stderr,
        )
        return EXIT_CONTENT
    except KeyboardInterrupt:
        print("\nbriefing: interrupted; the output was not touched", file=sys.stderr)
        return 130
    finally:
        if progress:
            progress.clear()
    if args.command == "check" and args.format == "json":
        import json

        print(
            json.dumps(
                [p.to_json() for p in ordered(result.problems)], ensure_ascii=False, indent=1
            )
        )
        return EXIT_OK if result.ok else EXIT_CONTENT
    text = report(result.problems)
    if text:
        print(text, file=sys.stderr)
    if args.command == "check" and os.environ.get("GITHUB_ACTIONS") == "true" and result.problems:
        from briefing.check import github_annotations

        print(github_annotations(result.problems))
    if not result.ok:
        if writing:
            print(
                "briefing: nothing was written; the previous output is untouched", file=sys.stderr
            )
        return EXIT_CONTENT
    if args.verbose and result.report is not None:
        for rel in result.report.written:
            print(f"  wrote   {rel}")
        for rel in result.report.removed:
            print(f"  removed {rel}")
        if result.clock is not None:
            for label, seconds, note in (
                ("time", result.clock.laps, ""),
                ("processor", result.clock.processor, " (workers included)"),
            ):
                stages = ", ".join(f"{k} {v:.2f} s" for k, v in seconds.items())
                print(f"  {label}: {stages}{note}")
    if not args.quiet:
        counts = result.counts
        if result.report is not None:
            r = result.report
            out = args.output or site / "output"
            print(
                f"built {counts.get('briefings', 0)} briefings, {counts.get('pages', 0)} pages into "
                f"{os.path.relpath(out)}: {len(r.written)} written, {len(r.removed)} removed, "
                f"{r.unchanged + r.kept} unchanged in {result.seconds:.2f} s"
            )
        else:
            print(f"checked {counts.get('files', 0)} files: no errors ({result.seconds:.2f} s)")
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    from briefing.scaffold import ScaffoldError, init

    folder: Path = args.dir.expanduser()
    try:
        written = init(folder, language=args.language, install=args.install)
    except ScaffoldError as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for path in written:
        print(path)
    print(f"\nnext: cd {folder} && briefing build  (then open output/index.html)")
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    import datetime as dt

    from briefing.scaffold import ScaffoldError, new

    def split(text: str) -> list[str]:
        return [part.strip() for part in text.split(",") if part.strip()]

    try:
        made = new(
            args.site,
            args.title,
            people=split(args.people),
            countries=split(args.countries),
            organizations=split(args.organizations),
            tags=split(args.tags),
            lang=args.lang,
            today=dt.date.today(),
        )
    except ScaffoldError as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    text = report(made.problems)
    if text:
        print(text, file=sys.stderr)
    print(made.path)
    return EXIT_OK
