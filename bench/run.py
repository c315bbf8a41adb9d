"""Benchmark `briefing build` on synthetic sites: ``python bench/run.py [--sizes 1000,10000]``.

For each size N, a corpus from ``bench/corpus.py`` is generated into
``bench/work/N/site`` (kept between runs, regenerated when missing, stale or
left half-edited) and these are measured, each the median of ``--repeat``
builds:

- cold: output and ``.briefing-cache`` moved out of the site first (deleted when
  the benchmark ends: see ``Aside``);
- no-change: a rebuild with nothing changed;
- body edit: a sentence appended to a middle briefing;
- front-matter edit: a registered person added to that briefing's ``people``;
- rename: the most cited registered person gets a new ``name`` (the old one
  kept as an alias, so every reference still resolves);
- peak RSS: the largest maximum resident set size of any build process
  (``os.wait4`` on the child; with ``--jobs`` it is the largest single process,
  not the sum of the workers).

Every edit is undone after its timed build and followed by an untimed rebuild,
so each timed run starts from the same warm state; each repeat makes a
different edit so that no run finds its result already cached.

The table and the machine it ran on go to ``bench/results/<date>-<commit>.md``
and ``bench/results/latest.md``. ``--targets`` checks the targets at N=10,000
and exits with status 1 if one fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from corpus import (
    CORPUS_VERSION,
    EN,
    ES,
    Plan,
    fold,
    generate,
    plan,
    split_front_matter,
    yaml_document,
)

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent

# (key, column title) of the timed measurements, in table order.
MEASUREMENTS = (
    ("cold", "cold"),
    ("no_change", "no-change"),
    ("body", "body edit"),
    ("front_matter", "front-matter edit"),
    ("rename", "rename"),
)
TARGET_N = 10_000
TARGET_SECONDS = {"cold": 25.0, "no_change": 1.5, "body": 2.5, "front_matter": 2.5, "rename": 2.5}
TARGET_RSS_MB = 1024.0  # 1 GB, in MB of 2**20 bytes like every RSS figure here
RENAME_SUFFIXES = ("Vidal", "Soler", "Marín", "Crespo", "Lozano", "Pastor", "Iglesias")


def compile_package(root: Path) -> None:
    """Byte-compile the package as installing it does: a checkout run with
    PYTHONDONTWRITEBYTECODE set (as on some CI machines) would otherwise compile its
    modules from source in every build, a tenth of a second measured as the build's."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(root / "briefing")],
        check=True,
        stdout=subprocess.DEVNULL,
    )


class BuildFailed(Exception):
    pass


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- builds


@dataclass
class Builder:
    """Runs ``<command> build --site SITE --quiet`` and keeps each build's time and peak RSS."""

    command: list[str]
    extra: list[str] = field(default_factory=list)
    peak_mb: float = 0.0
    cpu: float = 0.0  # the last build's processor seconds, its workers' included
    # with ``probing``, one round of ``probe`` after each build, in milliseconds
    probing: bool = False
    probes: list[float] = field(default_factory=list)

    def build(self, site: Path) -> float:
        args = [*self.command, "build", "--site", str(site), "--quiet", *self.extra]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            proc = subprocess.Popen(
                args, cwd=REPO, stdin=subprocess.DEVNULL, stdout=out, stderr=err
            )
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            except BaseException:  # Ctrl-C: no build left running
                proc.kill()
                proc.wait()
                raise
            elapsed = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                out.seek(0)
                err.seek(0)
                stdout = out.read().decode("utf-8", "replace")
                stderr = err.read().decode("utf-8", "replace")
                raise BuildFailed(
                    f"build failed with exit status {proc.returncode}: {shlex.join(args)}\n"
                    + (f"--- stdout ---\n{stdout}" if stdout.strip() else "")
                    + f"--- stderr ---\n{stderr}"
                )
        # Linux reports ru_maxrss in KiB, macOS in bytes.
        rss = usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)
        self.peak_mb = max(self.peak_mb, rss)
        self.cpu = usage.ru_utime + usage.ru_stime
        if self.probing and (found := probe()) is not None:
            self.probes.append(found)
        return elapsed


class Aside:
    """Where a cold build's predecessors go: the output and cache are moved here, out of
    the site, and deleted only when the benchmark is over (``clear``).

    Deleting them just before the timed build would time the file system as well: on
    ext4 without a journal, a new file skips the inode numbers freed in
    the last minute or so, checking each one, so the 14,000 files of a cold build at
    10,000 briefings cost seconds more of kernel time right after 14,000 were deleted
    than on a checkout that deleted nothing (bench/README.md). ``delete`` keeps the old
    way, for comparison."""

    def __init__(self, root: Path, delete: bool = False) -> None:
        self.root = root
        self.delete = delete
        self.moved = 0

    def clear_out(self, folder: Path) -> None:
        if not folder.exists():
            return
        if self.delete:
            shutil.rmtree(folder)
            return
        self.root.mkdir(parents=True, exist_ok=True)
        folder.rename(self.root / f"{self.moved}-{folder.name.lstrip('.')}")
        self.moved += 1

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


# --------------------------------------------------------------------------- corpus


@dataclass
class Corpus:
    n: int
    seed: int
    site: Path
    marker: Path  # exists while a file of the site is edited
    generated_in: float | None = None  # seconds, when generated by this run

    @property
    def plan(self) -> Plan:
        return plan(self.n, self.seed)


def prepare(work: Path, n: int, seed: int, regenerate: bool) -> Corpus:
    """The corpus (n, seed) in ``work/N``: reused when whole and current, else generated."""
    folder = work / str(n)
    stamp = folder / "corpus.json"
    wanted = {"version": CORPUS_VERSION, "n": n, "seed": seed}
    corpus = Corpus(n, seed, folder / "site", folder / "editing")
    try:
        current = json.loads(stamp.read_text()) == wanted and not corpus.marker.exists()
    except (OSError, ValueError):
        current = False
    if current and not regenerate:
        return corpus
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    log(f"N={n:,}: generating the corpus into {corpus.site}")
    start = time.perf_counter()
    generate(corpus.site, n, seed)
    corpus.generated_in = time.perf_counter() - start
    stamp.write_text(json.dumps(wanted) + "\n")
    return corpus


def briefing_files(site: Path) -> list[Path]:
    return sorted((site / "content" / "briefings").rglob("*.md"))


# --------------------------------------------------------------------------- edits


def append_sentence(k: int, text: str) -> str:
    """The body with one more sentence in its last paragraph (different for each repeat)."""
    front, _ = split_front_matter(text)
    lang = EN if yaml.safe_load(front).get("lang") == "en" else ES
    return text.rstrip("\n") + " " + lang.update.format(k=k + 1) + "\n"


def add_person(text: str, name: str) -> str:
    """The briefing with ``name`` appended to its front matter's ``people``."""
    front, rest = split_front_matter(text)
    data = yaml.safe_load(front)  # the corpus quotes every value YAML 1.1 would misread
    data["people"] = [*data["people"], name]
    return f"---\n{yaml_document(data)}---\n{rest}"


def rename_person(text: str, new_name: str) -> str:
    """The registry file with a new ``name`` and the old one first among the aliases."""
    data = yaml.safe_load(text)
    renamed: dict[str, object] = {
        "name": new_name,
        "aliases": [data["name"], *data.get("aliases", [])],
    }
    renamed.update((k, v) for k, v in data.items() if k not in renamed)
    return yaml_document(renamed)


def new_names(corpus_plan: Plan, old: str) -> Iterator[str]:
    """Names for the renamed person that no registered or unregistered name folds to."""
    taken = {fold(t) for p in corpus_plan.people for t in (p.id, p.name, *p.aliases)}
    k = 0
    while True:
        suffix = RENAME_SUFFIXES[k % len(RENAME_SUFFIXES)]
        name = f"{old} {suffix}" if k < len(RENAME_SUFFIXES) else f"{old} {suffix} {k}"
        k += 1
        if fold(name) not in taken:
            yield name


@contextmanager
def editing(corpus: Corpus, path: Path) -> Iterator[bytes]:
    """Yields the file's bytes and puts them back afterwards, even on an error or Ctrl-C."""
    original = path.read_bytes()
    corpus.marker.write_text(str(path.relative_to(corpus.site)) + "\n")
    try:
        yield original
    finally:
        path.write_bytes(original)
        corpus.marker.unlink(missing_ok=True)


def timed_edits(
    builder: Builder,
    corpus: Corpus,
    path: Path,
    edit: Callable[[int, str], str],
    repeat: int,
    label: str,
) -> list[tuple[float, float]]:
    """Each edit's build: its wall-clock and its processor seconds."""
    timings = []
    with editing(corpus, path) as original:
        text = original.decode("utf-8")
        for k in range(repeat):
            path.write_bytes(edit(k, text).encode("utf-8"))
            timings.append((builder.build(corpus.site), builder.cpu))
            log(f"  {label} {k + 1}/{repeat}: {timings[-1][0]:.2f} s")
            path.write_bytes(original)
            builder.build(corpus.site)  # back to the warm state, untimed
    return timings


# --------------------------------------------------------------------------- one size


@dataclass
class Result:
    n: int
    runs: dict[str, list[float]]
    peak_mb: float
    generated_in: float | None
    notes: list[str]
    calibration: tuple[float | None, float | None] = (None, None)  # ms, before and after
    together: tuple[int, float | None] = (1, None)  # processes, ms (see calibrate_together)
    probes: list[float] = field(default_factory=list)  # ms, one after each build (``probe``)
    # each run's processor seconds, its workers' included: on a busy host they grow less
    # than the wall-clock time, so runs made at different times compare better by them
    processor: dict[str, list[float]] = field(default_factory=dict)

    def seconds(self, key: str) -> float:
        return median(self.runs[key])


def measure(
    corpus: Corpus, command: list[str], extra: list[str], repeat: int, aside: Aside
) -> Result:
    site = corpus.site
    builder = Builder(command, extra, probing=True)
    runs: dict[str, list[float]] = {key: [] for key, _ in MEASUREMENTS}
    processor: dict[str, list[float]] = {key: [] for key, _ in MEASUREMENTS}
    corpus_plan = corpus.plan
    notes = []

    def keep(key: str, timings: list[tuple[float, float]]) -> None:
        runs[key] += [seconds for seconds, _ in timings]
        processor[key] += [used for _, used in timings]

    for k in range(repeat):
        for folder in (site / "output", site / ".briefing-cache"):
            aside.clear_out(folder)
        keep("cold", [(builder.build(site), builder.cpu)])
        log(f"  cold {k + 1}/{repeat}: {runs['cold'][-1]:.2f} s")
    for k in range(repeat):
        keep("no_change", [(builder.build(site), builder.cpu)])
        log(f"  no-change {k + 1}/{repeat}: {runs['no_change'][-1]:.2f} s")

    files = briefing_files(site)
    middle = files[len(files) // 2]
    rel = middle.relative_to(site).as_posix()
    notes.append(f"body and front-matter edits: `{rel}`")
    keep("body", timed_edits(builder, corpus, middle, append_sentence, repeat, "body edit"))

    front, _ = split_front_matter(middle.read_text(encoding="utf-8"))
    present = {fold(ref) for ref in yaml.safe_load(front)["people"]}
    candidates = [
        p.name
        for p in corpus_plan.registered
        if not present & {fold(t) for t in (p.id, p.name, *p.aliases)}
    ]
    notes.append(f"people added to it: {', '.join(candidates[:repeat])}")
    keep(
        "front_matter",
        timed_edits(
            builder,
            corpus,
            middle,
            lambda k, text: add_person(text, candidates[k % len(candidates)]),
            repeat,
            "front-matter edit",
        ),
    )

    person = corpus_plan.registered[0]  # the most cited registered person
    registry_file = site / "content" / "people" / f"{person.id}.yaml"
    names = new_names(corpus_plan, person.name)
    renames = [next(names) for _ in range(repeat)]
    notes.append(f"renamed: `{registry_file.relative_to(site).as_posix()}` ({person.name})")
    keep(
        "rename",
        timed_edits(
            builder,
            corpus,
            registry_file,
            lambda k, text: rename_person(text, renames[k]),
            repeat,
            "rename",
        ),
    )
    return Result(
        corpus.n,
        runs,
        builder.peak_mb,
        corpus.generated_in,
        notes,
        processor=processor,
        probes=builder.probes,
    )


# --------------------------------------------------------------------------- report


def git_commit() -> tuple[str, bool]:
    """(short commit, whether tracked files differ from it)."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.CalledProcessError):
        return "unknown", False
    return commit, dirty


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GB"
    except (OSError, ValueError):
        pass
    return "unknown"


def machine(command: list[str], extra: list[str], commit: str, dirty: bool) -> list[str]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cpus = f"{os.cpu_count()}" + (f" ({usable} usable)" if usable is not None else "")
    return [
        f"- commit: `{commit}`" + (" with uncommitted changes" if dirty else ""),
        f"- Python: {platform.python_version()} ({platform.python_implementation()})",
        f"- platform: {platform.platform()}",
        f"- CPU: {cpu_model()}, {cpus} CPUs",
        f"- memory: {memory_total()}",
        f"- command: `{shlex.join([*command, 'build', '--site', 'SITE', '--quiet', *extra])}`",
        f"- corpus: `bench/corpus.py` version {CORPUS_VERSION}",
    ] + (
        [
            "- the package byte-compiled first (`python -m compileall briefing`), as installing"
            " it does; PYTHONDONTWRITEBYTECODE is "
            + ("set" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "not set")
        ]
        if command[1:] == ["-m", "briefing"]
        else []
    )


def table(results: Sequence[Result]) -> list[str]:
    head = ["N", *(title for _, title in MEASUREMENTS), "peak RSS MB"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for r in results:
        cells = [f"{r.n:,}", *(f"{r.seconds(key):.2f} s" for key, _ in MEASUREMENTS)]
        cells.append(f"{r.peak_mb:.0f}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def targets(results: Sequence[Result]) -> tuple[list[str], bool]:
    result = next((r for r in results if r.n == TARGET_N), None)
    if result is None:
        return [f"- no run at N={TARGET_N:,}: targets not checked"], False
    lines, ok = [], True
    for key, title in MEASUREMENTS:
        value, limit = result.seconds(key), TARGET_SECONDS[key]
        passed = value <= limit
        ok &= passed
        lines.append(
            f"- {'PASS' if passed else 'FAIL'} {title}: {value:.2f} s (target ≤ {limit:g} s)"
        )
    passed = result.peak_mb <= TARGET_RSS_MB
    ok &= passed
    lines.append(
        f"- {'PASS' if passed else 'FAIL'} peak RSS: {result.peak_mb:.0f} MB"
        f" (target ≤ {TARGET_RSS_MB:.0f} MB)"
    )
    return lines, ok


def details(results: Sequence[Result]) -> list[str]:
    lines = []
    for r in results:
        lines.append(f"- N={r.n:,}:")
        for key, title in MEASUREMENTS:
            runs = ", ".join(f"{t:.2f}" for t in r.runs[key])
            used = ", ".join(f"{t:.2f}" for t in r.processor.get(key, []))
            lines.append(f"  - {title}: {runs} s" + (f" (processor: {used} s)" if used else ""))
        lines.extend(f"  - {note}" for note in r.notes)
        if r.generated_in is not None:
            lines.append(f"  - corpus generated in {r.generated_in:.1f} s")
        before, after = r.calibration
        if before is not None and after is not None:
            lines.append(
                f"  - calibration: {before:.2f} ms before the builds, {after:.2f} ms after"
                " (see `calibrate`)"
            )
            processes, together = r.together
            if together is not None:
                lines.append(
                    f"  - calibration in {processes} processes at once: {together:.2f} ms"
                    f" ({together / before:.2f} times one alone; see `calibrate_together`)"
                )
        if r.probes:
            lines.append(
                f"  - calibration between the builds: median {median(r.probes):.2f} ms,"
                f" {min(r.probes):.2f} to {max(r.probes):.2f} ms over {len(r.probes)} rounds,"
                " one after each build (see `probe`)"
            )
    return lines


CALIBRATION_TEXT = "\n\n".join(
    [
        "## Calibration",
        *(
            f"Paragraph {n} of a fixed text, with *emphasis*, `code`, a [link](https://example.org/{n})"
            " and plain words enough to make a briefing's worth of Markdown: the ministers met"
            " again on Tuesday and agreed on little beyond a date for the next round of talks."
            for n in range(12)
        ),
        "- a list item\n- another, with **strong** text\n- a third",
        "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |",
        "```\ncode block\n```",
    ]
)


def calibrate() -> float | None:
    """Milliseconds Python-Markdown takes, here and now, for a fixed text of some 500 words
    (the fastest of five rounds of 40): the machine's speed beside the builds' times. A
    shared machine can be a third slower one hour than the next; two runs compare only
    as far as their calibrations agree. None where Markdown cannot be imported."""
    md = _converter()
    if md is None:
        return None
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(40):
            md.reset()
            md.convert(CALIBRATION_TEXT)
        best = min(best, (time.perf_counter() - start) / 40)
    return best * 1000


# Conversions in a round of ``probe``: some 25 ms, taken after each of the benchmark's builds
PROBE_ROUND = 10


def probe() -> float | None:
    """Milliseconds per conversion of ``calibrate``'s text over one round of
    ``PROBE_ROUND``, taken as it comes rather than the fastest of several: the machine's
    speed just after a build. ``calibrate`` gives its best; on a host whose other guests
    slow it down for minutes at a time, the builds see these, and their spread tells a
    build made slower by the host from a slower build. None without Markdown."""
    md = _converter()
    if md is None:
        return None
    start = time.perf_counter()
    for _ in range(PROBE_ROUND):
        md.reset()
        md.convert(CALIBRATION_TEXT)
    return (time.perf_counter() - start) / PROBE_ROUND * 1000


@lru_cache(maxsize=1)
def _converter() -> Any:
    """The Markdown converter ``calibrate`` and ``probe`` time, made once; None where
    Markdown cannot be imported."""
    try:
        import markdown
    except ImportError:
        return None
    md = markdown.Markdown(extensions=["tables", "fenced_code", "footnotes", "toc"])
    md.convert(CALIBRATION_TEXT)  # imports and warms what the extensions use
    return md


def calibrate_together(processes: int = 2) -> float | None:
    """``calibrate`` in ``processes`` processes at once, the slowest one's time: what each
    core gives when all are busy, as in a parallel build. Virtual cores that share a
    physical one (or a host with other guests) each give less than one alone, and a cold
    build's speed-up from its workers is bounded by that, not by the number of cores.
    None where it cannot be measured (no Markdown, no processes)."""
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    try:
        ready = context.Barrier(processes, timeout=120)
        with context.Pool(processes, initializer=_join, initargs=(ready,)) as pool:
            found = pool.map(_calibrate_after, range(processes), chunksize=1)
    except (OSError, ValueError, threading.BrokenBarrierError):
        return None
    return None if None in found else max(t for t in found if t is not None)


_TOGETHER: list[Any] = []  # in a process of calibrate_together: the barrier its peers wait at


def _join(barrier: Any) -> None:
    _TOGETHER[:] = [barrier]


def _calibrate_after(_: int) -> float | None:
    """``calibrate`` once every process of calibrate_together is ready: each imports and
    warms up Markdown first, so that the timed conversions all run at the same time."""
    if calibrate() is None:
        return None
    _TOGETHER[0].wait()
    return calibrate()


# --------------------------------------------------------------------------- main


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of sizes: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"not a list of sizes: {text!r}")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark `briefing build` on synthetic corpora (see bench/README.md)."
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[1000, 10_000],
        help="comma-separated corpus sizes (default: 1000,10000)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="builds per measurement, the median is reported (default: 3; 1 for N >= 100000)",
    )
    parser.add_argument(
        "--targets",
        action="store_true",
        help=f"check the targets at N={TARGET_N:,} (added to --sizes if missing); exit 1 on a FAIL",
    )
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default: 1)")
    parser.add_argument("--jobs", type=int, default=None, help="pass --jobs N to the builds")
    parser.add_argument(
        "--command",
        default=None,
        help="the generator command to run instead of `python -m briefing` (it gets "
        "`build --site DIR --quiet` appended); for testing this script",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=BENCH / "work",
        help="where the corpora are kept between runs (default: bench/work)",
    )
    parser.add_argument(
        "--tmp", action="store_true", help="generate the corpora in a temporary folder instead"
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="generate the corpora even if they exist"
    )
    parser.add_argument(
        "--cold-delete",
        action="store_true",
        help="delete the output and cache right before each cold build, rather than move "
        "them aside until the end (see bench/README.md)",
    )
    parser.add_argument(
        "--results-dir",
        type=Path,
        default=BENCH / "results",
        help="where the results are written (default: bench/results)",
    )
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")

    sizes: list[int] = list(dict.fromkeys(args.sizes))
    if args.targets and TARGET_N not in sizes:
        sizes.append(TARGET_N)
    command = shlex.split(args.command) if args.command else [sys.executable, "-m", "briefing"]
    extra = ["--jobs", str(args.jobs)] if args.jobs is not None else []
    processes = args.jobs or os.cpu_count() or 1  # as many as the builds use

    if not args.command:
        compile_package(REPO)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as tmp:
        work = Path(tmp) if args.tmp else args.work_dir.resolve()
        aside = Aside(work / "aside", delete=args.cold_delete)
        try:
            for n in sizes:
                repeat = args.repeat or (1 if n >= 100_000 else 3)
                corpus = prepare(work, n, args.seed, args.regenerate)
                log(f"N={n:,}: measuring ({repeat} build(s) each)")
                try:
                    before = calibrate()
                    together = calibrate_together(processes) if processes > 1 else None
                    result = measure(corpus, command, extra, repeat, aside)
                    result.calibration = (before, calibrate())
                    result.together = (processes, together)
                except BuildFailed as exc:
                    log(str(exc))
                    return 1
                except KeyboardInterrupt:
                    log("interrupted (any edited file was put back)")
                    return 130
                results.append(result)
                log("\n".join(table([result])))
        finally:
            aside.clear()

    commit, dirty = git_commit()
    now = datetime.now(UTC)
    report = [
        f"# briefing benchmark, {now:%Y-%m-%d %H:%M} UTC",
        "",
        "Median build time in seconds; peak RSS is the largest of any build, in MB (2^20 bytes).",
        "",
        *table(results),
        "",
    ]
    ok = True
    if args.targets:
        lines, ok = targets(results)
        report += [f"## Targets at N={TARGET_N:,}", "", *lines, ""]
    report += ["## Machine", "", *machine(command, extra, commit, dirty), ""]
    report += ["## Runs", "", *details(results), ""]
    text = "\n".join(report)

    print(text)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    name = f"{now:%Y-%m-%d}-{commit}.md"
    for path in (args.results_dir / name, args.results_dir / "latest.md"):
        path.write_text(text, encoding="utf-8")
    log(f"written: {args.results_dir / name} and latest.md")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
