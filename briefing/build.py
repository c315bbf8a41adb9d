"""The pipeline: config -> load -> parse -> resolve -> link -> pages -> render -> write.

Nothing is written until every page has been computed without an error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import json
import os
import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from briefing import __version__, depends, feeds, slots
from briefing.ahead import MOST_RENAMED, Request, Worker
from briefing.cache import DEFAULT_DIR, Cache, CacheLost, code_digest, encode
from briefing.check import lint
from briefing.config import SiteConfig, load_config
from briefing.depends import Depends
from briefing.link import Item, link_site, newest_first
from briefing.load import Asset, Inputs, read_site, theme_assets
from briefing.mentions import Root
from briefing.model import KINDS, Briefing, Entry, FinishedBody, Page
from briefing.pages import PER_PAGE, Job, Views, names_digest
from briefing.parse import Settings
from briefing.parsing import Bodies, parse_all, shape_row
from briefing.problems import Problem, error, has_errors, ordered, strict, warning
from briefing.registry import Actor, Key, Registry, build_registry
from briefing.render import Renderer, TemplateProblem, adopt, precompile
from briefing.resolve import Redirect, Resolved, check_slugs, resolve
from briefing.searchindex import Catalog, Listed, listed, search_index
from briefing.slots import Slot, escape_text
from briefing.text import digest
from briefing.theme import Theme, generated_css, load_theme
from briefing.urls import absolute
from briefing.workers import Later, Then, Waiting, forks, in_background, map_jobs, waiting
from briefing.write import (
    MANIFEST,
    Held,
    OutputRefused,
    Report,
    Staged,
    check_output,
    foreign_conflicts,
    intact,
    locked,
    publish,
    recorded_stats,
    sha,
    stage,
    staging,
    uninterrupted,
)

try:
    import resource  # processor time of waited-for workers (Unix)
except ImportError:  # pragma: no cover - not on this platform
    resource = None  # type: ignore[assignment]

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
    # Hand what the build made to the Result instead of taking it apart on return: a
    # command line about to exit need not free a million objects one by one.
    hold: bool = False


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    report: Report | None = None
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    clock: Clock | None = None  # each stage's time, for --verbose
    held: object = field(default=None, repr=False, compare=False)  # see Options.hold

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


class Clock:
    """Seconds spent in each stage, wall-clock and processor, for --verbose and the
    benchmark. Processor seconds include the worker processes a stage waited for: two
    workers can take as long as one process would have, and more."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.processor: dict[str, float] = {}
        self.last = time.perf_counter()
        self.last_processor = processor_seconds()

    def lap(self, name: str) -> None:
        now, used = time.perf_counter(), processor_seconds()
        self.laps[name] = self.laps.get(name, 0.0) + now - self.last
        self.processor[name] = self.processor.get(name, 0.0) + used - self.last_processor
        self.last, self.last_processor = now, used


def processor_seconds() -> float:
    """This process's processor time and that of its children it has waited for."""
    if resource is None:  # not on this platform: this process alone
        return time.process_time()
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def build(options: Options) -> Result:
    """Build the site; raises OutputRefused for an output folder that is not ours."""
    started = time.perf_counter()
    site = options.site
    out = options.output or site / "output"
    with _collector_paused(restore=not options.hold):
        if options.write:
            manifest = check_output(out)
            with locked(out):
                result = _build(options, out, manifest)
        else:
            result = _build(options, out, {})
    result.seconds = time.perf_counter() - started
    return result


@contextmanager
def _collector_paused(restore: bool = True) -> Iterator[None]:
    """A build makes millions of long-lived objects and hardly any reference cycles, so the
    cyclic collector would only scan them again and again: at 10,000 briefings that was a
    fifth of an edit rebuild. It is switched back on (as it was) when the build ends,
    unless the build's objects are held until the process exits (``Options.hold``): the
    first collection then would scan them all once more, for nothing."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on and restore:
            gc.enable()


def _build(options: Options, out: Path, manifest: dict[str, str]) -> Result:
    clock = Clock()
    site = options.site
    config, problems = load_config(site, options.base_url)
    theme, theme_problems = load_theme(site)
    jobs = options.jobs or os.cpu_count() or 1
    cache = Cache((options.cache_dir or site / DEFAULT_DIR) if options.use_cache else None)
    outer = ExitStack()  # what lives as long as the build: the search index's process
    try:
        # The site is read and hashed, and the last build's files looked at, in a second
        # process while this one decodes what the cache holds: the two took a second of
        # an edit rebuild at 10,000 briefings, one after the other.
        forked = jobs > 1
        # Bytes are kept for `briefing check`'s lints, or when read here anyway.
        keep = options.lint or not forked
        records = _page_records(cache)
        last_build = cache.get_record("last_build") or {}
        # Templates are compiled ahead by the second process for a build that renders.
        ahead = forked and options.write
        stamps = functools.partial(_stamps, cache, forked)
        seen = Seen(options, config, theme, out, last_build.get("inputs"), ahead, stamps)
        look = functools.partial(_look, site, keep, manifest, records, seen)
        setup = _SearchSetup(
            options, config, theme, cache, out, manifest, records, forked and forks()
        )
        with in_background(look, forked) as reading:
            # The search index's process, forked now that this one is small (see
            # ``waiting``); it is handed the resolved briefings when the build publishes.
            helper: Waiting[_SearchJob, SearchResult] | None = outer.enter_context(
                waiting(
                    functools.partial(_search_ready, setup),
                    forked and options.write and cache.enabled,
                )
            )

            def settled() -> bool:
                """The site is read and is what the last build read: nothing to decode."""
                return reading.ready() and reading()[2] == last_build.get("inputs")

            cache.preload("parsed", _PRELOADED, settled, shape_row)
            inputs, touched, whole, compiled, stamp_rows, search_keys = reading()
        if stamp_rows:
            cache.put_encoded("meta", stamp_rows)
        adopt(theme.dirs, theme.digest, compiled)
        last_problems = last_build.get("problems")
        before = Before(
            records,
            frozenset(manifest).difference(touched),
            last_problems if isinstance(last_problems, str) else None,
        )
        problems += theme_problems + list(inputs.problems)
        if options.write and not has_errors(problems):
            last = _unchanged_since_last_build(cache, last_build, whole, manifest, before)
            if last is not None:
                found, counts = last
                found += problems
                found = strict(found) if options.strict else found
                return Result(found, Report(kept=len(manifest)), counts)
            if last_build.get("inputs") == whole:  # its problems did not serve: store them anew
                before = dataclasses.replace(before, problems=None)
        clock.lap("load")
        with ExitStack() as stack:
            stage_in = _staging_once(stack, out)
            early = _ahead(stack, stage_in, options, config, inputs, cache)
            known = _compute(options, config, inputs, cache, clock, early)
            known.problems[:0] = problems
            begin = functools.partial(
                _begin_search, stack, stage_in, setup, helper, search_keys, touched
            )
            # The search index is begun as soon as the briefings are resolved, in a
            # process of its own, when the build is sure to publish (linking adds no
            # errors): an edit rebuild waited for it after its pages.
            later = begin(known) if _publishing(options, config, known.problems) else None
            model = _link(options, config, theme, inputs, known, clock)
            if options.strict:
                model.problems = strict(model.problems)
            if has_errors(model.problems) or not options.write:
                return Result(model.problems, None, model.counts, clock=clock)
            if later is None:  # not begun above: a build that publishes needs it all the same
                later = begin(known)
            result = _publish(
                options, model, inputs, cache, out, manifest, before, whole, clock, later
            )
        if options.hold:
            result.held = (model, inputs)
        return result
    finally:
        try:
            outer.close()
        finally:
            cache.close()


@dataclass
class Known:
    """What a build knows once the briefings are resolved: the site is then linked and
    its pages made, while the search index is made from this."""

    registry: Registry
    resolved: Resolved
    parse_keys: dict[str, str]
    bodies: Bodies
    problems: list[Problem]
    # the briefings newest first, and their times (``link.newest_first``): worked out
    # once, for the site and the search index
    order: tuple[list[Item], list[float]]
    ahead: Worker | None = None  # patching pages ahead, if asked to


@dataclass
class Computed:
    """Everything a build knows before it renders: the pages to make, and the problems."""

    config: SiteConfig
    theme: Theme
    views: Views
    specs: list[Spec]  # the pages to make, as calls on ``views``
    resolved: Resolved
    parse_keys: dict[str, str]
    bodies: Bodies
    counts: dict[str, int]
    problems: list[Problem]
    ahead: Worker | None = None  # see Known


def _compute(
    options: Options,
    config: SiteConfig,
    inputs: Inputs,
    cache: Cache,
    clock: Clock,
    ahead: Callable[[Registry], Worker | None] | None = None,
) -> Known:
    """parse -> registry -> resolve; once the registry is built, pages patched ``ahead``
    begin beside."""
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
    patched = ahead(registry) if ahead is not None and not has_errors(problems) else None
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
    order = newest_first(resolved.items)
    return Known(registry, resolved, parse_keys, bodies, problems, order, patched)


def _link(
    options: Options,
    config: SiteConfig,
    theme: Theme,
    inputs: Inputs,
    known: Known,
    clock: Clock,
) -> Computed:
    """link -> pages (and lints, for `briefing check`)."""
    resolved, problems = known.resolved, known.problems
    site_model = link_site(
        resolved.items, resolved.actors, resolved.pages, resolved.facts.country_of, known.order
    )
    clock.lap("link")
    problems += _linking_problems(options, config)
    if options.lint:
        texts = {
            f.path: f.data.decode("utf-8-sig", "replace").replace("\r\n", "\n").replace("\r", "\n")
            for f in inputs.files
            if f.kind == "briefing"
        }
        body_texts = known.bodies.text([item.briefing.path for item in site_model.items])
        problems += lint(
            site_model.items,
            resolved.actors,
            known.registry,
            resolved.tag_spellings,
            texts,
            config.language,
            body_texts,
        )
    views = Views(site_model, config, theme, __version__, resolved.facts)
    specs = _specs(views)
    counts = {"files": len(inputs.files), "briefings": len(site_model.items)}
    if not options.write:  # a build that publishes makes its pages in workers, in _publish
        jobs_list = [job for spec in specs for job in _call(views, spec)]
        paths = {j.path for j in jobs_list}
        problems += redirect_clashes(resolved.redirects, paths)
        jobs_list += _redirects(views, resolved.redirects, paths)
        problems += _same_paths([j.path for j in jobs_list], problems)
        made = {j.path for j in jobs_list} | set(_assets(inputs, resolved.assets, options.site))
        made |= set(_extras(config.base_url, []))
        problems += broken_roots(resolved.roots, made, search_files=True)
        counts["pages"] = sum(1 for j in jobs_list if j.kind == "html")
    clock.lap("pages")
    return Computed(
        config,
        theme,
        views,
        specs,
        resolved,
        known.parse_keys,
        known.bodies,
        counts,
        problems,
        known.ahead,
    )


def broken_roots(
    roots: list[tuple[str, Root]], paths: set[str], *, search_files: bool = False
) -> list[Problem]:
    """The links from the site's root (``/img/x.png``) to a path the site does not have:
    errors, as a relative link to a missing file is. ``search_files``: take any path under
    ``search/`` as there (``briefing check`` makes no index)."""
    problems = []
    for source, root in roots:
        target = root.target
        found = target in paths or urllib.parse.unquote(target) in paths
        if found or (search_files and target.startswith("search/")):
            continue
        if f"{target}/index.html" in paths:
            hint = f"`/{target}` is a folder: write `/{target}/`, which works from disk too"
        else:
            hint = (
                "a path from `/` is one of the built site's: a page, or a file of"
                " content/static/ (`/img/x.png` is content/static/img/x.png); a file beside"
                " the Markdown is linked by its relative path"
            )
        problems.append(
            error(
                source,
                root.line,
                f"broken {root.kind} `{root.url}`: the site has no {target}",
                hint,
            )
        )
    return problems


def _linking_problems(options: Options, config: SiteConfig) -> list[Problem]:
    if config.base_url or options.lint:
        return []
    return [
        warning(
            "briefing.yaml",
            0,
            "no `base_url`: the sitemap, canonical links and absolute links in feeds are left out",
            "set `base_url:` in briefing.yaml or pass --base-url",
        )
    ]


def _publishing(options: Options, config: SiteConfig, problems: list[Problem]) -> bool:
    """Whether a build that found ``problems`` up to its links will publish."""
    found = problems + _linking_problems(options, config)
    return options.write and not has_errors(strict(found) if options.strict else found)


SearchResult = tuple[dict[str, Staged], dict[str, str], list[tuple[str, str]]]
SearchLater = Later[SearchResult]


@dataclass(frozen=True)
class _SearchSetup:
    """What the search index's process knows from the start of the build."""

    options: Options
    config: SiteConfig
    theme: Theme
    cache: Cache
    out: Path
    manifest: dict[str, str]
    records: dict[str, Any]  # the last build's output files (``Before.records``)
    forked: bool  # made in a process of its own


@dataclass(frozen=True)
class _SearchJob:
    """What it is handed once the briefings are resolved: the briefings as the index
    knows them (``Listed``'s fields, in plain tuples, which pickle in half the time), the
    actors, the parse keys, the bodies parsed by this build, the last build's files that
    are no longer as it left them, and the digests ``search_index`` compares."""

    items: list[tuple[Any, ...]]
    actors: dict[Key, Actor]
    parse_keys: dict[str, str]
    fresh: dict[str, tuple[str, str]]
    touched: frozenset[str]
    context: str
    order: str
    resolutions: str


# Up to this many bodies parsed by this build, the search index's process forked at the
# start is handed them, pickled (an edit rebuild parses one); past it (a first build
# parses them all), the index is made in a process forked when it is begun, which
# shares them.
SENT_BODIES = 256


def _begin_search(
    stack: ExitStack,
    stage_in: Callable[[], Path],
    setup: _SearchSetup,
    helper: Waiting[_SearchJob, SearchResult] | None,
    keys: tuple[str, str],
    touched: frozenset[str],
    known: Known,
) -> SearchLater:
    """The search index, begun in a process of its own (when there are cores to spare)
    that stages its files in ``staging(out)``, entered here (``stage_in``) unless it was:
    its result, when asked for. That process is the ``helper`` forked at the start of
    the build, when there is one and this build parsed few bodies; else one forked now."""
    stage_in()
    resolved = known.resolved

    def job() -> _SearchJob:
        context, order = keys
        return _SearchJob(
            listed(known.order[0]),
            resolved.actors,
            known.parse_keys,
            known.bodies.fresh,
            touched,
            context,
            order,
            resolved.resolutions,
        )

    if helper is not None and len(known.bodies.fresh) <= SENT_BODIES:
        later = helper.start(job())
        stack.callback(helper.close)  # stopped, if still at work, before the staging goes
        return later
    return stack.enter_context(
        in_background(lambda: _search_job(setup, _search_cache(setup), job()), setup.forked)
    )


def _search_ready(setup: _SearchSetup) -> Callable[[_SearchJob], Then[SearchResult]]:
    """In the search index's process forked at the start of the build, what it does
    while the building process resolves the briefings: it opens its connection and
    decodes the last build's index record (a twentieth of a second of a rename at 10,000
    briefings). Then it waits for its job."""
    reading = _search_cache(setup)
    reading.read_ahead(["search"])
    return functools.partial(_search_job, setup, reading)


def _search_cache(setup: _SearchSetup) -> Cache:
    """The cache as the search index reads it: in a process of its own, through a
    connection of its own (see in_background), its writes held back."""
    if not setup.forked:
        return setup.cache
    reading = setup.cache.reopened()
    reading.defer()
    return reading


def _search_job(setup: _SearchSetup, reading: Cache, job: _SearchJob) -> Then[SearchResult]:
    """The search index, its files staged, read and stored through ``reading``. What the
    index stores in the cache is held back, when in a process of its own, and stored
    while the building process makes its pages, and the rest once the result is handed
    over. What comes back is the files and the record's rows."""
    forked = setup.forked
    # Beside the page workers, which keep every core busy, the child analyses the bodies
    # itself: a pool of its own only put more processes on the same cores, and sent the
    # documents and their analyses through pipes. Where no child can be forked, the index
    # is made in this process after the pages, with the cores to itself: a pool pays.
    options = setup.options
    analysing = 1 if forked else (options.jobs or os.cpu_count() or 1)
    language = setup.config.language
    catalog = Catalog(
        [Listed._make(row) for row in job.items],
        job.actors,
        language,
        setup.theme.words(language),
    )
    bodies = Bodies(reading, job.parse_keys, job.fresh)
    manifest = setup.manifest
    try:
        # While the names written resolve as then, a briefing whose file is the same names
        # the same actors, whatever registry file changed (see ``search_index``).
        files, kept, record = search_index(
            catalog,
            bodies,
            job.parse_keys,
            reading,
            manifest,
            frozenset(manifest).difference(job.touched),
            analysing,
            job.context,
            job.resolutions,
            job.order,
        )
        held = Held(setup.out)
        stats = recorded_stats(setup.records)
        try:
            staged = {
                rel: stage(data, setup.out, rel, manifest, stats, held)
                for rel, data in files.items()
            }
        finally:
            held.close()
    except BaseException:
        if forked:
            reading.close()
        raise

    def stored() -> None:
        if forked:
            reading.flush()
            reading.close()

    rows = reading.record_rows("search", record)
    # what is held back (when forked) is stored while the building process does not
    # ask for the result yet
    return Then((staged, kept, rows), stored, lambda asked: reading.flush(until=asked))


def _staging_once(stack: ExitStack, out: Path) -> Callable[[], Path]:
    """What enters ``staging(out)`` into ``stack`` when first called, and gives ``out``: a
    build that fails before it makes any file leaves no output folder."""
    folder: list[Path] = []

    def enter() -> Path:
        if not folder:
            folder.append(stack.enter_context(staging(out)))
        return out

    return enter


def _ahead(
    stack: ExitStack,
    stage_in: Callable[[], Path],
    options: Options,
    config: SiteConfig,
    inputs: Inputs,
    cache: Cache,
) -> Callable[[Registry], Worker | None] | None:
    """What asks for pages patched ahead (see ``ahead``) once the registry is built, of a
    worker started now: when a registry file changed since the last build, there are
    cores to spare, and the last build left its chips (the ``chips`` record, a small
    part of its plan)."""
    jobs = options.jobs or os.cpu_count() or 1
    folder = cache.folder if cache.enabled else None
    if not (options.write and jobs > 1 and folder is not None):
        return None
    last = cache.get_record("chips") or {}
    chips = last.get("digests")
    if not isinstance(chips, dict) or last.get("registry") == depends.registry(inputs):
        return None
    out = stage_in()  # before the worker, which stages there: it stops first
    worker = Worker()
    stack.callback(worker.stop)

    def begin(registry: Registry) -> Worker | None:
        renamed = depends.renamed_chips(registry.actors, chips)
        if not renamed or len(renamed) > MOST_RENAMED:
            worker.stop()
            return None
        actors = {k: a for k, a in registry.actors.items() if f"{k[0]}:{k[1]}" in renamed}
        request = Request(str(out), str(folder), config.language, renamed, actors)
        return worker if worker.ask(request) else None

    return begin


def _publish(
    options: Options,
    model: Computed,
    inputs: Inputs,
    cache: Cache,
    out: Path,
    manifest: dict[str, str],
    before: Before,
    whole: str,
    clock: Clock,
    search_result: SearchLater,
) -> Result:
    """pages (made, fingerprinted and the changed ones rendered, in the workers) -> search
    (begun already, see ``_begin_search``) -> check the plan against the output -> write
    -> remember.

    Runs inside ``staging(out)``: the pages are staged there as they are rendered."""
    jobs = options.jobs or os.cpu_count() or 1
    problems = model.problems
    previous = before.records
    stats = recorded_stats(before.records)
    items = model.views.site.items
    work = _PageWork(
        model.views,
        Renderer(model.theme.dirs, model.theme.digest),
        model.theme.digest + code_digest(),
        previous,
        before.intact,
        manifest,
        stats,
        out,
        model.resolved.fresh_html,
        cache,
        os.getpid(),
        Depends(
            model.views,
            depends.world(_settings(options, model.config, model.theme, out), inputs, items),
            depends.registry(inputs),
            {f.path: f.sha for f in inputs.files},
            model.resolved.resolutions,
        ),
        Held(out, HELD_IN_MEMORY),
    )
    keyed = _keyed(work, model.specs, cache.get_record("plan"), model.ahead)
    try:
        groups, moved = _make_all(
            work,
            model.specs,
            keyed,
            model.resolved.redirects,
            jobs,
            options.progress or _silent,
            search_beside=jobs > 1 and forks(),  # see _begin_search
        )
    finally:
        work.held.close()
    # The search index's process stops storing what it made (see ``_begin_search``): the
    # rows below are stored without waiting for its writes.
    search_result.ask()
    clock.lap("pages")
    made = [m for group in groups for m in group.made] + moved
    problems += redirect_clashes(
        model.resolved.redirects, {m.path for group in groups for m in group.made}
    )
    problems += _same_paths([m.path for m in made], problems)
    model.counts["pages"] = sum(1 for m in made if m.kind == "html")
    fingerprints = {m.path: m.fingerprint for m in made}
    outputs: dict[str, bytes | Staged] = {}
    kept: dict[str, str] = {}
    for m in made:
        if m.outcome is None:
            kept[m.path] = manifest[m.path]
        elif isinstance(m.outcome, Staged):
            outputs[m.path] = m.outcome
        else:
            template, line, message = m.outcome
            problems.append(error(template, line, message, f"while rendering {m.path}"))
    assets = _assets(inputs, model.resolved.assets, options.site)
    base_url = model.config.base_url
    extras_key = _extras_key(base_url, made)
    extras = _extras_kept(cache.get_record("extras"), extras_key, manifest, before.intact)
    if extras is None:
        made_now = _extras(base_url, made)
        outputs.update(made_now)
        hashes = {path: sha(data) for path, data in made_now.items()}
        cache.put_record("extras", {"key": extras_key, "files": hashes})
    else:
        kept.update(extras)
    # Stored while the search index's process may still be at work. Should this build
    # publish nothing, the next one trusts none of it: a page is kept or patched only as
    # the last published build left it (its fingerprint in the "pages" record, below).
    cache.put_encoded("page_slots", [(m.path, m.slot_row) for m in made if m.slot_row is not None])
    cache.put_record("plan", _plan_record(work, keyed, model.specs, groups))
    dep = work.depends
    cache.put_record("chips", {"registry": dep.registry, "digests": dep.chip_digests})
    _store_co(cache, keyed, model.specs, groups, model.views.site.actors)
    search_files, search_kept, search_rows = search_result()
    outputs.update(search_files)
    kept.update(search_kept)
    clock.lap("search")
    problems += broken_roots(model.resolved.roots, {*outputs, *kept, *assets})
    if ".nojekyll" in assets:  # the site brought its own
        outputs.pop(".nojekyll", None)
        kept.pop(".nojekyll", None)
    # a page kept from the last build is one the site generates as much as a page made now
    for path in sorted((set(outputs) | set(kept)) & set(assets)):
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
        return Result(problems, None, model.counts, clock=clock)
    with uninterrupted():
        report, _manifest, new_stats = publish(out, outputs, assets, kept, manifest, stats)
    clock.lap("write")
    pages = {p: [fingerprints.get(p, ""), *new_stats[p]] for p in sorted(new_stats)}
    # The problems are written only when they changed (7,000 warnings took 70 ms to store);
    # the last build's record names the ones it found by their digest.
    found = _problems_digest(problems)
    if found != before.problems:
        cache.put_record(
            "last_problems", {"id": found, "problems": [p.to_json() for p in ordered(problems)]}
        )
    cache.put_record("last_build", {"inputs": whole, "counts": model.counts, "problems": found})
    # The search index's process may still be storing the rows this record names (see
    # ``_begin_search``): should it not finish, a row the record names is missing, and the
    # next build makes the index in full rather than patch it.
    cache.put_encoded("meta", search_rows)
    cache.put_record("pages", {"files": pages})
    gone = sorted(previous.keys() - pages.keys())
    if gone:
        cache.delete_many("page_slots", gone)
    clock.lap("cache")
    return Result(problems, report, model.counts, clock=clock)


def _search_keys(options: Options, config: SiteConfig, inputs: Inputs) -> tuple[str, str]:
    """Digests of all a briefing's search document depends on besides its own file, the
    actors it names and their names (the code, the config); and of what orders the
    briefings' documents besides those (their front matter, the drafts option): see
    search_index."""
    skip = {"briefing", "page", *depends.REGISTRY_KINDS}
    context = digest(
        code_digest(),
        config.fingerprint(),
        *(f"{f.path}\0{f.sha}" for f in inputs.files if f.kind not in skip),
    )
    order = digest(
        json.dumps(options.drafts),
        *(f"{f.path}\0{f.head or f.sha}" for f in inputs.files if f.kind == "briefing"),
    )
    return context, order


def _silent(stage: str, done: int, total: int) -> None:
    pass


def _whole(options: Options, config: SiteConfig, theme: Theme, out: Path, inputs: Inputs) -> str:
    """A digest of all a build reads: equal digests, equal sites."""
    return digest(
        *_settings(options, config, theme, out),
        *(f"{f.path}\0{f.sha}" for f in inputs.files),
        *(f"{a.path}\0{a.sha}" for a in (*inputs.statics, *inputs.beside)),
    )


def _unchanged_since_last_build(
    cache: Cache, last: dict[str, Any], whole: str, manifest: dict[str, str], before: Before
) -> tuple[list[Problem], dict[str, int]] | None:
    """The last build's problems when its inputs (``last``, its record) are these very
    inputs and every file it wrote is still as it left it; else None. A no-change rebuild
    then costs a walk and a stat."""
    if last.get("inputs") != whole or not manifest:
        return None
    if not before.intact.issuperset(manifest):
        return None
    found = cache.get_record("last_problems")  # written first: its id is the build's digest
    named = last.get("problems")
    if not isinstance(found, dict) or not isinstance(named, str) or found.get("id") != named:
        return None
    try:
        counts = {str(k): int(v) for k, v in last["counts"].items()}
        return [Problem.from_json(p) for p in found["problems"]], counts
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


# The bytes of changed pages the building process keeps in memory when it makes pages
# itself (a rename at 10,000 briefings changes 100 MB of them), rather than in a file
# (see ``Held``)
HELD_IN_MEMORY = 192 * 2**20


# Records an edit rebuild reads, decoded while the site is read (see Cache.preload). The
# search index's record is not among them: the search index's process decodes it, beside
# this one, which decodes the cache for longer than the site takes to read.
_PRELOADED = ("finishing", "names", "plan")


@dataclass(frozen=True)
class Before:
    """The last build's output: per file [fingerprint, size, mtime_ns] as it recorded
    them, and the files still as it left them when this build began."""

    records: dict[str, Any]
    intact: frozenset[str]
    problems: str | None = None  # the digest of the last build's problems


def _problems_digest(problems: list[Problem]) -> str:
    return depends.short(
        repr([(p.path, p.line, p.col, p.severity, p.message, p.hint) for p in problems])
    )


def _page_records(cache: Cache) -> dict[str, Any]:
    """Per output file: [fingerprint, size, mtime_ns] after the last build. One value, not a
    row per file: 25,000 rows cost more to read than one document of the same size."""
    value = (cache.get_record("pages") or {}).get("files")
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Seen:
    """What ``_look`` needs to tell whether the site is the one the last build read."""

    options: Options
    config: SiteConfig
    theme: Theme
    out: Path
    last: str | None  # the digest of all the last build read
    compile_ahead: bool  # compile the common templates (when working in a second process)
    # the content files' stamps the last read kept (see ``read_site``), when asked for,
    # and the cache they were read through
    stamps: Callable[[], tuple[dict[str, Any] | None, Cache]]


def _stamps(cache: Cache, forked: bool) -> tuple[dict[str, Any] | None, Cache]:
    """The content files' stamps as the last build kept them, and the cache they were
    read through (it encodes the next ones: see ``_look``); read in the second process
    (``forked``) through a connection of its own, while this one decodes the rest."""
    reading = cache.reopened() if forked else cache
    try:
        value = (reading.get_record("stamps") or {}).get("files")
    finally:
        if forked:
            reading.close()
    return (value if isinstance(value, dict) else None), reading


def _look(
    site: Path, keep: bool, manifest: dict[str, str], records: dict[str, Any], seen: Seen
) -> tuple[
    Inputs,
    frozenset[str],
    str,
    dict[tuple[str, str], bytes],
    list[tuple[str, str]],
    tuple[str, str],
]:
    """The site read and hashed (see read_site), the files of the last build's output
    that are no longer as ``records`` say it left them (every file is looked at once,
    here, usually in a second process), and the digest of all the build reads. A site
    that changed since the last build will have pages to render, and that process,
    done before the one decoding the cache, compiles the common templates for it (see
    render.precompile). The content files' new stamps come as the cache rows that
    changed, encoded here (an edit changes one of 23 pieces, 2.9 MB at 10,000 files);
    then the digests the search index compares (``_search_keys``)."""
    known, stamps_cache = seen.stamps()
    inputs = read_site(site, keep, known)
    rows = []
    if inputs.stamps is not None:
        rows = stamps_cache.record_rows("stamps", {"files": inputs.stamps})
        inputs = dataclasses.replace(inputs, stamps=None)
    out, theme = seen.out, seen.theme
    touched = frozenset(p for p in manifest if not intact(out, p, records.get(p)))
    whole = _whole(seen.options, seen.config, theme, out, inputs)
    ahead = seen.compile_ahead and whole != seen.last
    compiled = precompile(theme.dirs, theme.digest) if ahead else {}
    search_keys = _search_keys(seen.options, seen.config, inputs)
    return inputs, touched, whole, compiled, rows, search_keys


Spec = tuple[str, tuple[Any, ...]]


def _specs(views: Views) -> list[Spec]:
    """Every page (but redirects) as a call on ``views``, in the order they are listed."""
    site = views.site
    out: list[Spec] = [("home", ()), ("search_page", ()), ("not_found", ()), ("site_feed", ())]
    out += [("briefing", (i,)) for i in range(len(site.items))]
    out += [("index", (kind,)) for kind in KINDS]
    out += [("entity", (key,)) for key in sorted(site.actors)]
    out += [("timeline", ()), ("pages", ())]
    return out


def _call(views: Views, spec: Spec) -> list[Job]:
    return views.make(*spec)


def _redirects(views: Views, redirects: list[Redirect], taken: set[str]) -> list[Job]:
    """Pages left at old addresses, where no page of the site is now (``redirect_clashes``
    tells of the others)."""
    out: list[Job] = []
    taken = set(taken)
    for r in redirects:
        if r.old not in taken:
            out.append(views.redirect(r.old, r.new, r.title))
            taken.add(r.old)
    return out


def redirect_clashes(redirects: list[Redirect], pages: set[str]) -> list[Problem]:
    """An error for each old address where a page of the site is now (an actor's page, a
    page of a list, a briefing's...): its redirect cannot be made. An old address that is
    the page's own address asks for nothing."""
    return [
        error(
            r.source,
            r.line,
            f"`redirect_from: {r.slug}`: {r.old} is a page of the site",
            "an old address can only redirect where no page is now",
        )
        for r in redirects
        if r.old in pages and r.old != r.new
    ]


def _same_paths(paths: list[str], problems: list[Problem]) -> list[Problem]:
    """Duplicate slugs are reported on their files already; this catches the rest."""
    out: list[Problem] = []
    seen: set[str] = set()
    for path in paths:
        if path in seen and not has_errors(problems) and not out:
            out.append(
                error(path, 0, f"two pages would be written to `{path}`", "rename one of the slugs")
            )
        seen.add(path)
    return out


@dataclass(frozen=True)
class _PageWork:
    """What every page worker needs, inherited rather than sent page by page."""

    views: Views
    renderer: Renderer
    salt: str  # the theme and the code: part of every page's fingerprint
    previous: dict[str, Any]  # the last build's [fingerprint, size, mtime_ns] per file
    intact: frozenset[str]  # the last build's files still as it left them
    manifest: dict[str, str]
    stats: dict[str, tuple[int, int]]
    out: Path
    fresh_html: dict[str, str]  # finished bodies made by this build
    cache: Cache
    parent: int  # the building process; a forked worker opens the cache anew
    depends: Depends  # the pages' keys
    held: Held  # where this process keeps changed pages, to be written over old files
    opened: dict[int, Cache] = field(default_factory=dict)
    # where the names went in the pages a rename may patch, as stored, read in one go
    # (see ``_keyed``); and what each name fills a slot with (see ``slots.patch``)
    slot_rows: dict[str, str] = field(default_factory=dict)
    values: dict[tuple[str, str], bytes | None] = field(default_factory=dict)
    # pages patched ahead, when taken (see ``_keyed``): by path, the last build's
    # fingerprint, the page staged, and where its names went
    ahead: dict[str, tuple[str, Staged, str]] = field(default_factory=dict)

    def here(self) -> Cache:
        """The cache through this process's own connection (see ``Cache.reopened``)."""
        pid = os.getpid()
        if pid == self.parent:
            return self.cache
        if pid not in self.opened:
            self.opened[pid] = self.cache.reopened()
        return self.opened[pid]

    def finished_html(self, keys: set[str]) -> dict[str, str]:
        found = {k: self.fresh_html[k] for k in keys if k in self.fresh_html}
        rest = keys - found.keys()
        if rest:
            cache = self.here()
            found.update({k: str(v) for k, v in cache.get_many("finished_html", rest).items()})
        missing = keys - found.keys()
        if missing:
            raise CacheLost(f"{len(missing)} rendered bodies left the build cache during the build")
        return found


class Made(NamedTuple):
    """One output page after the page pass: kept as it is, staged anew, or not rendered.
    A tuple: an edit rebuild makes one for each of the 14,000 pages it keeps."""

    path: str
    kind: str
    fingerprint: str
    sitemap: tuple[str, str | None] | None  # (path, date) for the sitemap, if listed there
    outcome: Staged | tuple[str, int, str] | None  # None: unchanged; a tuple: template error
    # when written now: [fingerprint, where its names went] as the cache stores it, made
    # here in the worker (see ``slots``); None for a page whose names cannot be patched
    slot_row: str | None = None


def _make_all(
    work: _PageWork,
    specs: list[Spec],
    keyed: _Keyed,
    redirects: list[Redirect],
    jobs: int,
    note: Progress,
    search_beside: bool = False,
) -> tuple[list[_Group], list[Made]]:
    """Make every page's context, fingerprint it, and render and stage the pages whose
    fingerprint changed, all in the workers (or, for light work, here: see ``_pool_jobs``):
    the contexts never come back to this process.
    The pages of the specs ``keyed`` kept are not made at all, and the keys it worked out
    are not worked out again (see ``_keyed``).

    Returns the pages of each spec, in order, and the redirects."""
    kept = keyed.kept
    todo = [n for n in range(len(specs)) if n not in kept]
    note("pages", 0, len(todo))
    weight = _weight(work, specs, todo, keyed)
    made = map_jobs(
        _make_pages,
        [(n,) for n in todo],
        _pool_jobs(jobs, weight, search_beside, keyed.names_only),
        lambda n: note("pages", n, len(todo)),
        shared=(work, specs, keyed.keys, keyed.inputs, keyed.undecided, keyed.shaped),
        weight=weight,
    )
    groups = [_Group(kept.get(n, [])) for n in range(len(specs))]
    for n, group in zip(todo, made, strict=True):
        groups[n] = group
    taken = {m.path for group in groups for m in group.made}
    moved = [_make_page(work, job) for job in _redirects(work.views, redirects, taken)]
    note("pages", len(todo), len(todo))
    return groups, moved


def _weight(work: _PageWork, specs: list[Spec], todo: list[int], keyed: _Keyed) -> int:
    """What making the specs ``todo`` costs, in parse items (see ``map_jobs``): a process
    pool, whose workers each start by working out what the pages share, pays off only
    past some hundred briefings' pages, and a briefing's page costs half a parse.

    An actor's page lists two hundred briefings' cards and costs about as much as fifteen
    briefings' pages: an actor named in 3,000 briefings weighs 225 of those. An actor the
    last build made pages for has the contexts of all its pages made, but most come out
    as they were and are not rendered: a fifth of that (a front-matter edit at 10,000
    briefings makes 16 specs, those of three large actors among them, in 0.17 s). After
    a change of names alone, the specs left undecided are kept or patched, a page for a
    sixteenth of rendering it (a rename at 10,000 briefings patches 5,700 pages in a
    second of one process)."""
    named = work.views.site.named
    sixteenths = 0
    for n in todo:
        name, args = specs[n]
        parts = len(named.get(args[0], ())) // PER_PAGE if name == "entity" else 0
        if keyed.names_only and n in keyed.undecided:
            sixteenths += 1 + parts
        elif name != "entity":
            sixteenths += 16
        else:
            sixteenths += 16 * (1 + parts * (3 if n in keyed.before else 15))
    return sixteenths // 32


# A pool of two workers beside the search index's process puts three busy processes on
# two cores, and each worker pays to start (its share of the building process's memory
# copied as it touches it, what the pages share worked out again): for light work that
# costs more than the second worker gains. Up to these weights, the pages are made in the
# building process (see ``_pool_jobs``): pages mostly to be patched, and pages to render
# (a front-matter edit at 10,000 briefings weighs 73: 1.66 s here, 1.79 s in a pool).
BESIDE_SEARCH = 512
BESIDE_SEARCH_RENDERING = 128


def _pool_jobs(jobs: int, weight: int, search_beside: bool, patching: bool) -> int:
    """The processes to make the pages in: with two cores, one of them busy with the
    search index, one (this one) when the pages are mostly to be patched (after a change
    of names alone) and weigh no more than ``BESIDE_SEARCH``, or weigh no more than
    ``BESIDE_SEARCH_RENDERING``. A first build of a few hundred briefings keeps the pool."""
    limit = BESIDE_SEARCH if patching else BESIDE_SEARCH_RENDERING
    if search_beside and jobs == 2 and weight <= limit:
        return 1
    return jobs


def _settings(options: Options, config: SiteConfig, theme: Theme, out: Path) -> list[str]:
    """What a build depends on besides the content: the code, the config, the theme, the
    options that change pages, the output folder."""
    return [
        code_digest(),
        config.fingerprint(),
        theme.digest,
        json.dumps([options.drafts, str(out.resolve())]),
    ]


@dataclass
class _Keyed:
    """The page keys of a build (see ``briefing.depends``): the specs kept from the last
    build, each spec's key, and each briefing's related inputs, as far as known before the
    pages are made; the workers fill in the rest."""

    kept: dict[int, list[Made]]
    keys: list[str | None]
    lists: dict[str, str]
    inputs: list[str | None]
    ids: list[str]  # each spec's ``depends.spec_id``
    before: set[int] = field(default_factory=set)  # the specs the last build made
    # the last build's key and pages of the briefings and actors whose keys may have
    # changed: the workers key them, and keep them, patch them (when only the names of
    # their chips changed) or make them
    undecided: dict[int, tuple[str, list[Made]]] = field(default_factory=dict)
    # briefings (by index) whose key before the dot is the last build's (``depends.Look``)
    shaped: frozenset[int] = frozenset()
    co: Any = None  # the last build's co-mentions, when read (see ``depends.carry_co``)
    names_only: bool = False  # only chips' names changed since the last build


# Past this many actors' pages to key, their co-mentions are carried from the last build
_CO_CARRIED = 64


def _keyed(work: _PageWork, specs: list[Spec], record: Any, ahead: Worker | None = None) -> _Keyed:
    """Keep the specs whose key is the last build's and whose files are as it left them,
    without making them; when the world changed, none. Only the specs whose keys may have
    changed are keyed again (see ``depends.to_look_at``). After a change of names alone,
    the pages patched ``ahead`` are taken when the chips it took as renamed are those;
    otherwise the worker is stopped at once, not left to patch pages none will take."""
    try:
        return _keyed_with(work, specs, record, ahead)
    finally:
        if ahead is not None:
            ahead.stop()


def _keyed_with(work: _PageWork, specs: list[Spec], record: Any, ahead: Worker | None) -> _Keyed:
    site = work.views.site
    n = len(site.items)
    dep = work.depends
    lists = depends.list_digests(site)
    ids = [depends.spec_id(spec) for spec in specs]
    keyed = _Keyed({}, [None] * len(specs), lists, [None] * n, ids)
    last = _last_plan(record, dep.world, n)
    if last is None:
        return keyed
    dep.reuse(last)
    entry = None if dep.same_actors(last) else dep.entry
    inputs, edited = depends.carry(site, last, lists, dep.own, entry)
    keyed.inputs = list(inputs)
    look, keyed.shaped, keyed.names_only, renamed = depends.to_look_at(
        dep, last, lists, inputs, edited
    )
    if look is None or sum(1 for sid in look if sid.startswith("entity:")) > _CO_CARRIED:
        keyed.co = work.cache.get_record("co")
        site.co.carry(depends.carry_co(site, keyed.co, lists, last["lists"], edited))
    groups, start = {}, 0
    for sid, key, size in zip(last["specs"], last["keys"], last["sizes"], strict=True):
        groups[sid] = (key, last["made"][start : start + size])
        start += size
    for number, (spec, sid) in enumerate(zip(specs, keyed.ids, strict=True)):
        found = groups.get(sid)
        if found is None:
            continue
        keyed.before.add(number)
        if spec[0] in ("briefing", "entity") and (look is None or sid in look):
            # keyed in the workers: after a registry edit, 0.6 s of one process at 10,000
            keyed.undecided[number] = (str(found[0]), _last_made(found[1]))
            continue
        if spec[0] not in ("briefing", "entity"):
            key = keyed.keys[number] = dep.key(spec)
            if key is None or found[0] != key:
                continue
        else:
            keyed.keys[number] = found[0]
        made = _last_made(found[1])
        if all(_still(work, m.path, m.fingerprint) for m in made):
            keyed.kept[number] = made
    if keyed.names_only:  # the pages left undecided are mostly to be patched
        patched = _taken_ahead(ahead, renamed)
        if patched is not None:
            work.ahead.update(patched)
        wanted = [
            m.path
            for _, made in keyed.undecided.values()
            for m in made
            if m.kind == "html" and m.path not in work.ahead
        ]
        with contextlib.suppress(sqlite3.Error):
            work.slot_rows.update(work.cache.get_raw("page_slots", wanted))
    return keyed


def _taken_ahead(
    ahead: Worker | None, renamed: Mapping[str, str]
) -> dict[str, tuple[str, Staged, str]] | None:
    """The pages patched ahead, if they were patched for the chips renamed as they are."""
    found = ahead.result() if ahead is not None else None
    if found is None or found.renamed != renamed:
        return None
    return found.pages


def _last_made(record: list[Any]) -> list[Made]:
    """A spec's pages as the last build's plan holds them."""
    return [
        Made(str(p), str(k), str(f), (str(m[0]), m[1]) if m else None, None)
        for p, k, f, m in record
    ]


_PER_SPEC = ("specs", "keys", "sizes")
_PER_ITEM = ("source", "own", "card", "entry", "inputs", "related")


def _last_plan(record: Any, world: str, items: int) -> dict[str, Any] | None:
    """The last build's plan, if it was made in this world and is whole."""
    if not isinstance(record, dict) or record.get("world") != world:
        return None
    try:
        per_spec = [record[k] for k in _PER_SPEC]
        per_item = [record[k] for k in _PER_ITEM]
        made, sizes = record["made"], record["sizes"]
        if not all(isinstance(v, list) for v in (*per_spec, *per_item, made, *record["related"])):
            return None
        if not isinstance(record["lists"], dict):
            return None
        if not (isinstance(record["chips"], str) and isinstance(record["structure"], str)):
            return None
        if {len(v) for v in per_spec} != {len(sizes)} or sum(sizes) != len(made):
            return None
        if {len(v) for v in per_item} != {items}:
            return None
    except (KeyError, TypeError):
        return None
    return record


def _still(work: _PageWork, path: str, fingerprint: str) -> bool:
    """The last build wrote this very page there, and the file is as it left it."""
    before = work.previous.get(path)
    return (
        isinstance(before, list)
        and bool(before)
        and before[0] == fingerprint
        and path in work.intact
    )


def _plan_record(
    work: _PageWork, keyed: _Keyed, specs: list[Spec], groups: list[_Group]
) -> dict[str, Any]:
    """The pages each spec made, and what the next build keys them by (stored in pieces:
    see Cache.put_record)."""
    dep = work.depends
    site = work.views.site
    n = len(site.items)
    keys, inputs = list(keyed.keys), list(keyed.inputs)
    made_related: dict[int, list[int]] = {}
    for number, group in enumerate(groups):
        if group.key is not None:
            keys[number] = group.key
        if group.index is not None:
            inputs[group.index] = group.inputs
            made_related[group.index] = group.related
    return {
        "world": dep.world,
        "registry": dep.registry,
        "resolutions": dep.resolutions,
        "specs": keyed.ids,
        "keys": keys,
        "sizes": [len(g.made) for g in groups],
        "made": [
            [m.path, m.kind, m.fingerprint, list(m.sitemap) if m.sitemap else None]
            for g in groups
            for m in g.made
        ],
        "lists": keyed.lists,
        "own": dep.own,
        "source": dep.source,
        "card": dep.card,
        "entry": dep.entry,
        "chips": dep.all_chips,
        "chip_digests": dep.chip_digests,
        "structure": dep.structure,
        "inputs": inputs,
        # the workers' lists, else those kept from the last build or worked out here
        "related": [made_related[i] if i in made_related else site.related[i] for i in range(n)],
    }


def _store_co(
    cache: Cache, keyed: _Keyed, specs: list[Spec], groups: list[_Group], actors: dict[Key, Actor]
) -> None:
    """The actors' co-mentions the workers worked out, with the last build's of the others
    (see ``depends.carry_co``); when none were worked out, the record is as it was."""
    found = {specs[n][1][0]: g.co for n, g in enumerate(groups) if g.co is not None}
    if not found:
        return
    last = keyed.co if keyed.co is not None else cache.get_record("co")
    record = dict(last) if isinstance(last, dict) else {}
    record.update(depends.co_record(found))
    wanted = {f"{k[0]}:{k[1]}" for k in actors}
    cache.put_record("co", {k: v for k, v in sorted(record.items()) if k in wanted})


@dataclass(frozen=True)
class _Group:
    """A spec's pages, and, when the worker made them, its key and a briefing's related
    list with its inputs' digest, for the next build."""

    made: list[Made]
    key: str | None = None
    index: int | None = None
    inputs: str | None = None
    related: list[int] = field(default_factory=list)
    co: list[tuple[Key, int]] | None = None  # an actor's co-mentions, if worked out


_Shared = tuple[
    _PageWork,
    list[Spec],
    list[str | None],
    list[str | None],
    dict[int, tuple[str, list[Made]]],
    frozenset[int],
]


def _make_pages(shared: _Shared, n: int) -> _Group:
    """Spec ``n``'s pages, and its key: the one ``_keyed`` worked out, if it did, else
    worked out here; and for a briefing, what its related list is made from, as
    ``_keyed`` knew it (``depends.carry``) or worked out. A spec ``_keyed`` left
    undecided is kept when its key is the last build's, and patched when only its chips'
    names changed; of a briefing ``shaped``, only what follows the dot is worked out."""
    work, specs, keys, inputs, undecided, shaped = shared
    spec = specs[n]
    key = keys[n]
    made: list[Made] | None = None
    if n in undecided:
        was, before = undecided[n]
        shape, dot, _ = was.partition(".")
        if dot and spec[0] == "briefing" and spec[1][0] in shaped:
            key = f"{shape}.{work.depends.names_key(spec[1][0])}"
        else:
            key = work.depends.key(spec)
        if key == was and all(_still(work, m.path, m.fingerprint) for m in before):
            made = before
        elif depends.only_names(was, key):
            made = _renamed_pages(work, spec, before)
    if made is None:
        made = [_make_page(work, job) for job in _call(work.views, spec)]
    if key is None:
        key = work.depends.key(spec)
    if spec[0] == "entity":
        return _Group(made, key, co=work.views.site.co.found(spec[1][0]))
    if spec[0] != "briefing":
        return _Group(made, key)
    index = spec[1][0]
    related = work.views.site.related
    known = inputs[index]
    found = known if known is not None else depends.short(related.inputs(index))
    return _Group(made, key, index, found, related[index])


def _make_page(work: _PageWork, job: Job) -> Made:
    """The page unchanged (same fingerprint, its file as the last build left it), or
    rendered and staged."""
    fingerprint = job.fingerprint(work.salt)
    sitemap = None
    if job.kind == "html" and job.template not in ("404.html", "redirect.html"):
        sitemap = (job.path, job.context.get("briefing", {}).get("date", "")[:10] or None)
    page = Made(job.path, job.kind, fingerprint, sitemap, None)
    if _still(work, job.path, fingerprint):
        return page
    early = _patched_ahead(work, job.path, fingerprint)
    if early is not None:
        return page._replace(outcome=early[0], slot_row=early[1])
    made: tuple[bytes, list[Slot] | None] | None = _patched(work, job.path, job.names, fingerprint)
    if made is None:
        try:
            made = work.renderer.render_page(_with_html(job, work))
        except TemplateProblem as exc:
            return page._replace(outcome=(exc.template, exc.line, exc.message))
    return _staged(work, page, *made)


def _renamed_pages(work: _PageWork, spec: Spec, last: list[Made]) -> list[Made] | None:
    """A briefing's or an actor's pages when only the names of their chips changed
    (``depends.only_names``): the last build's files with today's names written in, without
    making the pages' contexts. An actor's feed shows no chip, and is kept as it was.
    None when a page cannot be patched (see ``_patched``): the spec is made as usual."""
    if spec[0] == "briefing" and len(last) == 1:
        names = work.views.briefing_names(spec[1][0])
    elif spec[0] == "entity":
        names = work.views.entity_names(spec[1][0])
    else:
        return None
    if not names:
        return None
    digest = names_digest(names)
    out: list[tuple[Made, tuple[bytes, list[Slot]] | None]] = []
    for page in last:  # all patched before any is staged: a page that cannot be, and
        if page.kind != "html":  # the spec is made as usual
            if page.kind != "feed" or not _still(work, page.path, page.fingerprint):
                return None
            out.append((page, None))
            continue
        fingerprint = f"{page.fingerprint.partition('.')[0]}.{digest}"
        if _still(work, page.path, fingerprint):
            out.append((page._replace(fingerprint=fingerprint), None))
            continue
        early = _patched_ahead(work, page.path, fingerprint)
        if early is not None:
            staged, row = early
            out.append((page._replace(fingerprint=fingerprint, outcome=staged, slot_row=row), None))
            continue
        patched = _patched(work, page.path, names, fingerprint)
        if patched is None:
            return None
        out.append((page._replace(fingerprint=fingerprint), patched))
    return [page if patched is None else _staged(work, page, *patched) for page, patched in out]


def _staged(work: _PageWork, page: Made, data: bytes, where: list[Slot] | None) -> Made:
    """The page staged, with where its names went (None: they cannot be patched)."""
    outcome = stage(data, work.out, page.path, work.manifest, work.stats, work.held)
    row = None if where is None else encode([page.fingerprint, where])
    return page._replace(outcome=outcome, slot_row=row)


def _patchable(work: _PageWork, path: str, fingerprint: str) -> str | None:
    """The last build's fingerprint of a page whose file is as it left it, when only the
    names of its chips changed since (its fingerprint before the dot is the same)."""
    before = work.previous.get(path)
    shape, dot, _ = fingerprint.partition(".")
    if not (dot and isinstance(before, list) and before and isinstance(before[0], str)):
        return None
    if before[0].partition(".")[0] != shape or path not in work.intact:
        return None
    return before[0]


def _patched_ahead(work: _PageWork, path: str, fingerprint: str) -> tuple[Staged, str] | None:
    """The page as patched ahead, staged, and its slot row, when only the names of its
    chips changed since the last build (see ``_patched``)."""
    found = work.ahead.get(path)
    if found is None:
        return None
    last, staged, where = found
    if _patchable(work, path, fingerprint) != last:
        return None  # patched from another record of the page (another build's)
    if staged.path is not None:
        return None  # staged at its own path: the worker patches files of ours alone
    if staged.held is None and staged.data is None and work.manifest.get(path) != staged.sha:
        return None  # taken for the file the output has, by another manifest
    return staged, f'["{fingerprint}",{where}]'


def _patched(
    work: _PageWork, path: str, names: dict[str, str], fingerprint: str
) -> tuple[bytes, list[Slot]] | None:
    """The page as the last build wrote it with today's names written in, when only the
    names of its chips changed since (its fingerprint before the dot is the same), and
    the last build recorded where they went in the file, which is as it left it."""
    last = _patchable(work, path, fingerprint)
    if last is None:
        return None
    raw = work.slot_rows.get(path)
    if raw is None:
        row = work.here().get_many("page_slots", [path]).get(path)
    else:
        try:
            row = json.loads(raw)
        except ValueError:
            return None
    if not (isinstance(row, list) and len(row) == 2 and row[0] == last):
        return None
    try:
        with open(os.path.join(work.out, path), "rb") as file:
            data = file.read()
    except OSError:
        return None
    return slots.patch(data, row[1], names, escape_text, work.values)


def _with_html(job: Job, work: _PageWork) -> Job:
    """The job with the finished bodies in its context, in place of their keys.

    A finished body (``FinishedBody``) is a value of a plain mapping, or of an entry of a
    feed. Lists of cards and chips are passed over, and so are the pieces many pages
    share (``Shared``: cards, the words of a language, the site's settings) and figures,
    which hold none: each page walked and copied its language's hundred words."""

    def lazies(value: dict[str, Any]) -> Iterator[str]:
        for v in value.values():
            if type(v) is FinishedBody:
                yield v.key
            elif type(v) is dict:
                yield from lazies(v)
        for entry in value.get("entries", ()) if value.get("entries") else ():
            if type(entry) is dict:
                yield from lazies(entry)

    wanted = set(lazies(job.context))
    if not wanted:
        return job
    found = work.finished_html(wanted)

    def fill(value: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in value.items():
            if type(v) is FinishedBody:
                out[k] = found[v.key]
            elif type(v) is dict:
                out[k] = fill(v)
            elif k == "entries" and isinstance(v, list):
                out[k] = [fill(e) if type(e) is dict else e for e in v]
            else:
                out[k] = v
        return out

    return dataclasses.replace(job, context=fill(job.context))


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


def _extras_key(base_url: str, made: list[Made]) -> str:
    """What the files ``_extras`` makes are made from: the code and the pages listed."""
    return digest(code_digest(), base_url, repr([m.sitemap for m in made if m.sitemap]))


def _extras_kept(
    record: Any, key: str, manifest: dict[str, str], intact: frozenset[str]
) -> dict[str, str] | None:
    """The files ``_extras`` makes, by their hashes, when the last build made them from
    the same pages (``key``: the ``extras`` record) and the output holds them as it left
    them: making the sitemap of 11,000 pages and the stylesheets again took 0.04 s of
    every rebuild. None otherwise."""
    if not isinstance(record, dict) or record.get("key") != key:
        return None
    files = record.get("files")
    if not isinstance(files, dict) or not files:
        return None
    for path, hashed in files.items():
        if not (isinstance(hashed, str) and manifest.get(path) == hashed and path in intact):
            return None
    return dict(files)


def _extras(base_url: str, made: list[Made]) -> dict[str, bytes]:
    out = {".nojekyll": b"", **generated_css()}
    if base_url:
        pages = sorted((absolute(base_url, m.sitemap[0]), m.sitemap[1]) for m in made if m.sitemap)
        out.update(feeds.sitemap_files(pages, base_url))
    out["robots.txt"] = feeds.robots_txt(absolute(base_url, "sitemap.xml") if base_url else None)
    return out


__all__ = ["Options", "OutputRefused", "Result", "build"]
