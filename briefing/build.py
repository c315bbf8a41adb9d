"""The pipeline: config -> load -> parse -> resolve -> link -> pages -> render -> write.

Nothing is written until every page has been computed without an error.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing import __version__, feeds
from briefing.cache import DEFAULT_DIR, Cache, code_digest
from briefing.check import lint
from briefing.config import SiteConfig, load_config
from briefing.link import link_site
from briefing.load import Asset, Inputs, read_site, theme_assets
from briefing.model import KINDS, Briefing, Entry, Page
from briefing.pages import Job, Views
from briefing.parse import Settings
from briefing.parsing import Bodies, parse_all
from briefing.problems import Problem, error, has_errors, strict, warning
from briefing.registry import build_registry
from briefing.render import Renderer, TemplateProblem
from briefing.resolve import Resolved, check_slugs, resolve
from briefing.searchindex import search_index
from briefing.text import digest
from briefing.theme import Theme, generated_css, load_theme
from briefing.urls import absolute
from briefing.workers import map_jobs
from briefing.write import (
    MANIFEST,
    OutputRefused,
    Report,
    Staged,
    check_output,
    foreign_conflicts,
    intact,
    locked,
    publish,
    stage,
    staging,
    uninterrupted,
)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Options:
    site: Path
    output: Path | None = None
    cache_dir: Path | None = None
    use_cache: bool = True
    base_url: str | None = None
    drafts: bool = False
    strict: bool = False
    jobs: int = 0
    write: bool = True
    lint: bool = False  # `briefing check`: curation lints too
    progress: Progress | None = None


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    report: Report | None = None
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


class Clock:
    """Seconds spent in each stage, for --verbose and the benchmark."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self.last
        self.last = now


def build(options: Options) -> Result:
    """Build the site; raises OutputRefused for an output folder that is not ours."""
    started = time.perf_counter()
    site = options.site
    out = options.output or site / "output"
    with _collector_paused():
        if options.write:
            manifest = check_output(out)
            with locked(out):
                result = _build(options, out, manifest)
        else:
            result = _build(options, out, {})
    result.seconds = time.perf_counter() - started
    return result


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A build makes millions of long-lived objects and hardly any reference cycles, so the
    cyclic collector would only scan them again and again: at 10,000 briefings that was a
    fifth of an edit rebuild. It is switched back on (as it was) when the build ends."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _build(options: Options, out: Path, manifest: dict[str, str]) -> Result:
    clock = Clock()
    site = options.site
    config, problems = load_config(site, options.base_url)
    theme, theme_problems = load_theme(site)
    inputs = read_site(site)
    problems += theme_problems + list(inputs.problems)
    cache = Cache((options.cache_dir or site / DEFAULT_DIR) if options.use_cache else None)
    try:
        whole = digest(
            code_digest(),
            config.fingerprint(),
            theme.digest,
            json.dumps([options.drafts, str(out.resolve())]),
            *(f"{f.path}\0{f.sha}" for f in inputs.files),
            *(f"{a.path}\0{a.sha}" for a in (*inputs.statics, *inputs.beside)),
        )
        if options.write and not has_errors(problems):
            last = _unchanged_since_last_build(cache, whole, out, manifest)
            if last is not None:
                before, counts = last
                before += problems
                before = strict(before) if options.strict else before
                return Result(before, Report(kept=len(manifest)), counts)
        clock.lap("load")
        model = _compute(options, config, theme, inputs, cache, clock)
        model.problems[:0] = problems
        if options.strict:
            model.problems = strict(model.problems)
        if has_errors(model.problems) or not options.write:
            return Result(model.problems, None, model.counts, timings=clock.laps)
        with staging(out):
            return _publish(options, model, inputs, cache, out, manifest, whole, clock)
    finally:
        cache.close()


@dataclass
class Computed:
    """Everything a build knows before it renders: the pages to make, and the problems."""

    config: SiteConfig
    theme: Theme
    views: Views
    jobs: list[Job]
    resolved: Resolved
    parse_keys: dict[str, str]
    bodies: Bodies
    counts: dict[str, int]
    problems: list[Problem]


def _compute(
    options: Options, config: SiteConfig, theme: Theme, inputs: Inputs, cache: Cache, clock: Clock
) -> Computed:
    """parse -> registry -> resolve -> link -> pages (and lints, for `briefing check`)."""
    jobs = options.jobs or os.cpu_count() or 1
    note = options.progress or _silent
    problems: list[Problem] = []
    settings = Settings.of(config)
    salt = digest(code_digest(), json.dumps(settings.__dict__, sort_keys=True, default=str))
    parsed, parse_keys, bodies = parse_all(inputs, settings, salt, cache, jobs, note)
    clock.lap("parse")
    briefings: list[Briefing] = []
    entries: list[Entry] = []
    pages: list[Page] = []
    for item in parsed:
        problems.extend(item.problems)
        if item.briefing and (options.drafts or not item.briefing.draft):
            briefings.append(item.briefing)
        if item.entry:
            entries.append(item.entry)
        if item.page:
            pages.append(item.page)
    problems += check_slugs(briefings, pages)
    registry, reg_problems = build_registry(entries, config.language)
    problems += reg_problems
    clock.lap("registry")
    resolved = resolve(
        config,
        registry,
        briefings,
        entries,
        pages,
        inputs,
        cache,
        digest(salt, "finish"),
        parse_keys,
        bodies.html,
        jobs,
    )
    problems += resolved.problems
    clock.lap("resolve")
    site_model = link_site(
        resolved.items, resolved.actors, resolved.pages, resolved.facts.country_of
    )
    clock.lap("link")
    if not config.base_url and not options.lint:
        problems.append(
            warning(
                "briefing.yaml",
                0,
                "no `base_url`: the sitemap, canonical links and absolute links in feeds are left out",
                "set `base_url:` in briefing.yaml or pass --base-url",
            )
        )
    if options.lint:
        texts = {
            f.path: f.data.decode("utf-8-sig", "replace").replace("\r\n", "\n").replace("\r", "\n")
            for f in inputs.files
            if f.kind == "briefing"
        }
        body_texts = bodies.text([item.briefing.path for item in site_model.items])
        problems += lint(
            site_model.items,
            resolved.actors,
            registry,
            resolved.tag_spellings,
            texts,
            config.language,
            body_texts,
        )
    views = Views(site_model, config, theme, __version__, resolved.facts)
    jobs_list = _jobs(views, resolved.redirects)
    seen: set[str] = set()
    for job in jobs_list:
        # Duplicate slugs are reported on their files already; this catches the rest.
        if job.path in seen and not has_errors(problems):
            problems.append(
                error(
                    job.path,
                    0,
                    f"two pages would be written to `{job.path}`",
                    "rename one of the slugs",
                )
            )
        seen.add(job.path)
    clock.lap("pages")
    counts = {
        "files": len(inputs.files),
        "briefings": len(site_model.items),
        "pages": sum(1 for j in jobs_list if j.kind == "html"),
    }
    return Computed(config, theme, views, jobs_list, resolved, parse_keys, bodies, counts, problems)


def _publish(
    options: Options,
    model: Computed,
    inputs: Inputs,
    cache: Cache,
    out: Path,
    manifest: dict[str, str],
    whole: str,
    clock: Clock,
) -> Result:
    """render -> search -> check the plan against the output -> write -> remember.

    Runs inside ``staging(out)``: the pages are staged there as they are rendered."""
    jobs = options.jobs or os.cpu_count() or 1
    problems = model.problems
    page_salt = model.theme.digest + code_digest()
    fingerprints = {j.path: j.fingerprint(page_salt) for j in model.jobs}
    previous = _page_records(cache)
    stats = {k: (v[1], v[2]) for k, v in previous.items() if isinstance(v, list) and len(v) == 3}
    outputs: dict[str, bytes | Staged]
    outputs, kept, render_problems = _render_all(
        model.jobs,
        model.theme,
        cache,
        manifest,
        jobs,
        options.progress or _silent,
        model.resolved.fresh_html,
        fingerprints,
        out,
        previous,
        stats,
    )
    problems += render_problems
    clock.lap("render")
    assets = _assets(inputs, model.resolved.assets, options.site)
    outputs.update(_extras(model.views, model.config.base_url, model.jobs))
    search_files, search_kept, search_record = search_index(
        model.views, model.bodies, model.parse_keys, cache, manifest, previous, jobs, out
    )
    outputs.update(search_files)
    kept.update(search_kept)
    clock.lap("search")
    if ".nojekyll" in assets:  # the site brought its own
        outputs.pop(".nojekyll", None)
    for path in sorted(set(outputs) & set(assets)):
        problems.append(
            error(
                assets[path].path,
                0,
                f"`{path}` is also a page the site generates",
                "rename or move the file",
            )
        )
    for path in foreign_conflicts(out, sorted({*outputs, *assets, *kept}), manifest):
        problems.append(
            error(
                path,
                0,
                f"{out / path} exists and was not generated by briefing; not overwriting it",
                "move it away, or remove the file that would replace it",
            )
        )
    if has_errors(problems):
        return Result(problems, None, model.counts, timings=clock.laps)
    with uninterrupted():
        report, _manifest, new_stats = publish(out, outputs, assets, kept, manifest, stats)
    clock.lap("write")
    pages = {p: [fingerprints.get(p, ""), *new_stats[p]] for p in sorted(new_stats)}
    record = {
        "inputs": whole,
        "problems": [p.to_json() for p in sorted(set(problems))],
        "counts": model.counts,
    }
    cache.put_many("meta", [("last_build", record), ("search", search_record), ("pages", pages)])
    clock.lap("cache")
    return Result(problems, report, model.counts, timings=clock.laps)


def _silent(stage: str, done: int, total: int) -> None:
    pass


def _unchanged_since_last_build(
    cache: Cache, whole: str, out: Path, manifest: dict[str, str]
) -> tuple[list[Problem], dict[str, int]] | None:
    """The last build's problems when its inputs are these very inputs and every file it
    wrote is still as it left it; else None. A no-change rebuild then costs a walk and a stat."""
    last = cache.get_many("meta", ["last_build"]).get("last_build")
    if not isinstance(last, dict) or last.get("inputs") != whole or not manifest:
        return None
    stats = _page_records(cache)
    for rel in manifest:
        recorded = stats.get(rel)
        try:
            st = (out / rel).stat()
        except OSError:
            return None
        if not isinstance(recorded, list) or recorded[1:] != [st.st_size, st.st_mtime_ns]:
            return None
    try:
        counts = {str(k): int(v) for k, v in last["counts"].items()}
        return [Problem.from_json(p) for p in last["problems"]], counts
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _page_records(cache: Cache) -> dict[str, Any]:
    """Per output file: [fingerprint, size, mtime_ns] after the last build. One value, not a
    row per file: 25,000 rows cost more to read than one document of the same size."""
    value = cache.get_many("meta", ["pages"]).get("pages")
    return value if isinstance(value, dict) else {}


def _fill_html(todo: list[Job], cache: Cache, fresh: dict[str, str]) -> list[Job]:
    """Put the finished bodies into the contexts of the pages about to be rendered.

    A finished body is a mapping ``{"finished": key}`` in another mapping, or in the
    entries of a feed; lists of cards and chips are passed over."""

    def lazies(value: Any) -> Iterator[str]:
        for v in value.values():
            if isinstance(v, dict):
                key = v.get("finished")
                if isinstance(key, str) and len(v) == 1:
                    yield key
                else:
                    yield from lazies(v)
        for entry in value.get("entries", ()) if value.get("entries") else ():
            if isinstance(entry, dict):
                yield from lazies(entry)

    wanted = {key for job in todo for key in lazies(job.context)}
    found = {k: fresh[k] for k in wanted if k in fresh}
    found.update(
        {k: str(v) for k, v in cache.get_many("finished_html", wanted - found.keys()).items()}
    )
    missing = wanted - found.keys()
    if missing:
        raise RuntimeError(f"finished bodies missing from the cache: {len(missing)}")

    def fill(value: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in value.items():
            if isinstance(v, dict):
                key = v.get("finished")
                out[k] = found[key] if isinstance(key, str) and len(v) == 1 else fill(v)
            elif k == "entries" and isinstance(v, list):
                out[k] = [fill(e) if isinstance(e, dict) else e for e in v]
            else:
                out[k] = v
        return out

    return [dataclasses.replace(job, context=fill(job.context)) if wanted else job for job in todo]


def _jobs(views: Views, redirects: list[tuple[str, str, str]]) -> list[Job]:
    site = views.site
    out: list[Job] = [views.home(), views.search_page(), views.not_found(), views.site_feed()]
    out += [views.briefing(i) for i in range(len(site.items))]
    for kind in KINDS:
        out.append(views.index(kind))
    for key in sorted(site.actors):
        out += views.entity(key)
    out += views.timeline()
    out += views.pages()
    taken = {j.path for j in out}
    for old, new, title in redirects:
        if old not in taken:
            out.append(views.redirect(old, new, title))
            taken.add(old)
    return out


def _render_all(
    jobs_list: list[Job],
    theme: Any,
    cache: Cache,
    manifest: dict[str, str],
    jobs: int,
    note: Progress,
    fresh_html: dict[str, str],
    fingerprints: dict[str, str],
    out: Path,
    previous: dict[str, Any],
    stats: dict[str, tuple[int, int]],
) -> tuple[dict[str, bytes | Staged], dict[str, str], list[Problem]]:
    """Render the pages whose fingerprint changed, each staged by the worker that made it."""
    todo: list[Job] = []
    kept: dict[str, str] = {}
    for job in jobs_list:
        before = previous.get(job.path)
        if (
            isinstance(before, list)
            and before
            and before[0] == fingerprints[job.path]
            and job.path in manifest
            and intact(out, job.path, before)
        ):
            kept[job.path] = manifest[job.path]
        else:
            todo.append(job)
    note("render", 0, len(todo))
    todo = _fill_html(todo, cache, fresh_html)
    renderer = Renderer(theme.dirs)
    results = map_jobs(
        _render_one,
        [(n,) for n in range(len(todo))],
        jobs,
        lambda n: note("render", n, len(todo)),
        shared=_RenderWork(renderer, todo, out, manifest, stats),
    )
    outputs: dict[str, bytes | Staged] = {}
    problems: list[Problem] = []
    for job, result in zip(todo, results, strict=True):
        if isinstance(result, Staged):
            outputs[job.path] = result
        else:
            template, line, message = result
            problems.append(error(template, line, message, f"while rendering {job.path}"))
    note("render", len(todo), len(todo))
    return outputs, kept, problems


@dataclass(frozen=True)
class _RenderWork:
    """What every render worker needs, inherited rather than sent page by page."""

    renderer: Renderer
    todo: list[Job]
    out: Path
    manifest: dict[str, str]
    stats: dict[str, tuple[int, int]]


def _render_one(work: _RenderWork, n: int) -> Staged | tuple[str, int, str]:
    """Render page ``n`` of the work and stage it (as file ``n``); or the template's error."""
    job = work.todo[n]
    try:
        data = work.renderer.render(job)
    except TemplateProblem as exc:
        return (exc.template, exc.line, exc.message)
    return stage(data, work.out, job.path, str(n), work.manifest, work.stats)


def _assets(inputs: Inputs, used: Iterable[str], site: Path) -> dict[str, Asset]:
    found: dict[str, Asset] = {a.out: a for a in theme_assets(site)}
    for asset in inputs.statics:
        found[asset.out] = asset
    wanted = set(used)
    for asset in inputs.beside:
        if asset.path in wanted:
            found[asset.out] = asset
    found.pop(MANIFEST, None)
    return found


def _extras(views: Views, base_url: str, jobs_list: list[Job]) -> dict[str, bytes]:
    out = {".nojekyll": b"", **generated_css()}
    if base_url:
        pages = sorted(
            (absolute(base_url, j.path), j.context.get("briefing", {}).get("date", "")[:10] or None)
            for j in jobs_list
            if j.kind == "html" and j.template not in ("404.html", "redirect.html")
        )
        out.update(feeds.sitemap_files(pages, base_url))
    out["robots.txt"] = feeds.robots_txt(absolute(base_url, "sitemap.xml") if base_url else None)
    return out


__all__ = ["Options", "OutputRefused", "Result", "build"]
