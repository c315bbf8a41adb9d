"""The pipeline: config -> load -> parse -> resolve -> link -> pages -> render -> write.

Nothing is written until every page has been computed without an error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from briefing import __version__, charts, feeds, search, worldmap
from briefing.cache import DEFAULT_DIR, Cache, code_digest
from briefing.check import lint
from briefing.config import SiteConfig, load_config
from briefing.link import link_site
from briefing.load import Asset, Inputs, read_site, theme_assets
from briefing.model import KINDS, Briefing, Entry, Page, Parsed, parsed_from_json, parsed_to_json
from briefing.pages import Job, Views
from briefing.parse import Settings, parse_file
from briefing.problems import Problem, error, has_errors, strict, warning
from briefing.registry import build_registry
from briefing.render import Renderer, TemplateProblem
from briefing.resolve import Resolved, check_slugs, resolve
from briefing.text import digest
from briefing.theme import Theme, load_theme
from briefing.urls import absolute
from briefing.write import (
    MANIFEST,
    OutputRefused,
    Report,
    check_output,
    foreign_conflicts,
    locked,
    publish,
    uninterrupted,
)
from briefing.write import sha as sha256

PARALLEL_MIN = 64  # below this many files, a process pool costs more than it saves

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
    if options.write:
        manifest = check_output(out)
        with locked(out):
            result = _build(options, out, manifest)
    else:
        result = _build(options, out, {})
    result.seconds = time.perf_counter() - started
    return result


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
    parsed, parse_keys, bodies = _parse_all(inputs, settings, salt, cache, jobs, note)
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
    """render -> search -> check the plan against the output -> write -> remember."""
    jobs = options.jobs or os.cpu_count() or 1
    problems = model.problems
    page_salt = model.theme.digest + code_digest()
    fingerprints = {j.path: j.fingerprint(page_salt) for j in model.jobs}
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
    )
    problems += render_problems
    clock.lap("render")
    assets = _assets(inputs, model.resolved.assets, options.site)
    outputs.update(_extras(model.views, model.config.base_url, model.jobs))
    search_files, search_kept, search_record = _search_index(
        model.views, model.bodies, model.parse_keys, cache, manifest, jobs, out
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
    stats = {
        k: (v[1], v[2])
        for k, v in cache.all("pages").items()
        if isinstance(v, list) and len(v) == 3
    }
    with uninterrupted():
        report, _manifest, new_stats = publish(out, outputs, assets, kept, manifest, stats)
    clock.lap("write")
    cache.replace_all(
        "pages", ((p, [fingerprints.get(p, ""), *new_stats[p]]) for p in sorted(new_stats))
    )
    record = {
        "inputs": whole,
        "problems": [p.to_json() for p in sorted(set(problems))],
        "counts": model.counts,
    }
    cache.put_many("meta", [("last_build", record), ("search", search_record)])
    clock.lap("cache")
    return Result(problems, report, model.counts, timings=clock.laps)


def _silent(stage: str, done: int, total: int) -> None:
    pass


T = TypeVar("T")


def _unchanged_since_last_build(
    cache: Cache, whole: str, out: Path, manifest: dict[str, str]
) -> tuple[list[Problem], dict[str, int]] | None:
    """The last build's problems when its inputs are these very inputs and every file it
    wrote is still as it left it; else None. A no-change rebuild then costs a walk and a stat."""
    last = cache.get_many("meta", ["last_build"]).get("last_build")
    if not isinstance(last, dict) or last.get("inputs") != whole or not manifest:
        return None
    stats = cache.all("pages")
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


def _intact(out: Path, rel: str, recorded: Any) -> bool:
    """The file is still as the last build left it (its size and modification time)."""
    if not isinstance(recorded, list) or len(recorded) != 3:
        return False
    try:
        st = (out / rel).stat()
    except OSError:
        return False
    return recorded[1:] == [st.st_size, st.st_mtime_ns]


def _map(
    func: Callable[..., T], items: list[Any], jobs: int, tick: Callable[[int], None] | None = None
) -> list[T]:
    """``func(*item)`` for every item, in order; across processes when it pays off."""
    results: list[T] = []
    step = max(1, len(items) // 50)
    if jobs <= 1 or len(items) < PARALLEL_MIN:
        for item in items:
            results.append(func(*item))
            if tick and len(results) % step == 0:
                tick(len(results))
        return results
    chunk = max(1, min(64, len(items) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(_star, [(func, item) for item in items], chunksize=chunk):
            results.append(result)
            if tick and len(results) % step == 0:
                tick(len(results))
    return results


def _star(pair: tuple[Callable[..., T], tuple[Any, ...]]) -> T:
    func, args = pair
    return func(*args)


class Bodies:
    """Rendered Markdown and plain text, kept apart from the parse records: most rebuilds
    need them for a handful of files, and 10,000 of them are a lot to read for nothing."""

    def __init__(self, cache: Cache, keys: dict[str, str]) -> None:
        self.cache = cache
        self.keys = keys
        self.fresh: dict[str, tuple[str, str]] = {}

    def _get(self, paths: Iterable[str]) -> dict[str, tuple[str, str]]:
        wanted = [p for p in paths if p in self.keys]
        found = {p: self.fresh[p] for p in wanted if p in self.fresh}
        rest = {self.keys[p]: p for p in wanted if p not in found}
        for key, value in self.cache.get_many("bodies", rest).items():
            if isinstance(value, list) and len(value) == 2:
                found[rest[key]] = (str(value[0]), str(value[1]))
        return found

    def html(self, paths: list[str]) -> dict[str, str]:
        return {p: v[0] for p, v in self._get(paths).items()}

    def text(self, paths: list[str]) -> dict[str, str]:
        return {p: v[1] for p, v in self._get(paths).items()}


def _slim(parsed: Parsed) -> tuple[Parsed, tuple[str, str] | None]:
    """The parse record without the body's HTML and text, and those two."""
    for name in ("briefing", "entry", "page"):
        value = getattr(parsed, name)
        body = getattr(value, "body", None) if value is not None else None
        if body is not None:
            slim_body = dataclasses.replace(body, html="", text="")
            slim_value = dataclasses.replace(value, body=slim_body)
            return dataclasses.replace(parsed, **{name: slim_value}), (body.html, body.text)
    return parsed, None


def _parse_all(
    inputs: Inputs, settings: Settings, salt: str, cache: Cache, jobs: int, note: Progress
) -> tuple[list[Parsed], dict[str, str], Bodies]:
    keys = {f.path: digest(salt, f.path, f.sha) for f in inputs.files}
    bodies = Bodies(cache, keys)
    cached = cache.get_many("parsed", keys.values())
    parsed: dict[str, Parsed] = {}
    for f in inputs.files:
        value = cached.get(keys[f.path])
        if value is not None:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                parsed[f.path] = parsed_from_json(value)
    missing = [f for f in inputs.files if f.path not in parsed]
    done = len(parsed)
    note("parse", done, len(inputs.files))
    fresh = _map(
        parse_file,
        [(f.path, f.kind, f.data, settings) for f in missing],
        jobs,
        lambda n: note("parse", done + n, len(inputs.files)),
    )
    new_bodies = []
    for f, result in zip(missing, fresh, strict=True):
        slim, body = _slim(result)
        parsed[f.path] = slim
        if body is not None:
            bodies.fresh[f.path] = body
            new_bodies.append((keys[f.path], list(body)))
    note("parse", len(inputs.files), len(inputs.files))
    cache.put_many("parsed", ((keys[f.path], parsed_to_json(parsed[f.path])) for f in missing))
    cache.put_many("bodies", new_bodies)
    cache.keep_only("parsed", keys.values())
    cache.keep_only("bodies", keys.values())
    return [parsed[f.path] for f in inputs.files], keys, bodies


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
) -> tuple[dict[str, bytes], dict[str, str], list[Problem]]:
    previous = cache.all("pages")
    todo: list[Job] = []
    kept: dict[str, str] = {}
    for job in jobs_list:
        before = previous.get(job.path)
        if (
            isinstance(before, list)
            and before
            and before[0] == fingerprints[job.path]
            and job.path in manifest
            and _intact(out, job.path, before)
        ):
            kept[job.path] = manifest[job.path]
        else:
            todo.append(job)
    note("render", 0, len(todo))
    todo = _fill_html(todo, cache, fresh_html)
    renderer = Renderer(theme.dirs)
    results = _map(
        _render_one, [(renderer, job) for job in todo], jobs, lambda n: note("render", n, len(todo))
    )
    outputs: dict[str, bytes] = {}
    problems: list[Problem] = []
    for job, result in zip(todo, results, strict=True):
        if isinstance(result, bytes):
            outputs[job.path] = result
        else:
            template, line, message = result
            problems.append(error(template, line, message, f"while rendering {job.path}"))
    note("render", len(todo), len(todo))
    return outputs, kept, problems


def _render_one(renderer: Renderer, job: Job) -> bytes | tuple[str, int, str]:
    try:
        return renderer.render(job)
    except TemplateProblem as exc:
        return (exc.template, exc.line, exc.message)


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
        out["sitemap.xml"] = feeds.sitemap(pages)
    out["robots.txt"] = feeds.robots_txt(absolute(base_url, "sitemap.xml") if base_url else None)
    return out


def generated_css() -> dict[str, bytes]:
    """Stylesheets made from code: Pygments' token colours, and the pictures' styles."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="friendly").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    dark = HtmlFormatter(style="monokai").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    pygments_css = f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    figures = charts.CHARTS_CSS + "\n" + worldmap.MAP_CSS
    return {"assets/pygments.css": pygments_css.encode(), "assets/figures.css": figures.encode()}


def _search_index(
    views: Views,
    bodies: Bodies,
    parse_keys: dict[str, str],
    cache: Cache,
    manifest: dict[str, str],
    jobs: int,
    out: Path,
) -> tuple[dict[str, bytes], dict[str, str], dict[str, Any]]:
    """The search index: (files to write, files kept as they are, the record to cache).

    Documents are digested without reading a single body (a briefing's parse key stands for
    its text). When no document changed, the index is left as it is; else only the changed
    documents are analysed again, and the index is assembled from the cached analyses.
    """
    docs = _search_docs(views)
    keys = []
    for doc in docs:
        text_key = parse_keys.get(doc.body, "") if doc.kind == "briefing" else ""
        fields = (
            doc.kind,
            doc.title,
            doc.url,
            doc.date,
            doc.date_label,
            doc.summary,
            doc.names,
            doc.tags,
        )
        keys.append(digest(code_digest(), repr(fields), text_key))
    wanted = digest(*keys)
    last = cache.get_many("meta", ["search"]).get("search")
    if isinstance(last, dict) and last.get("digest") == wanted:
        files = last.get("files")
        stats = cache.all("pages")
        if isinstance(files, dict) and all(
            manifest.get(p) == sha and _intact(out, p, stats.get(p)) for p, sha in files.items()
        ):
            return {}, {str(p): str(sha) for p, sha in files.items()}, last
    analyses: dict[str, search.Analysis] = {}
    for key, value in cache.get_many("search_docs", keys).items():
        with contextlib.suppress(ValueError, TypeError):
            analyses[key] = search.Analysis.from_json(value)
    missing = [i for i, key in enumerate(keys) if key not in analyses]
    if missing:
        texts = bodies.text([docs[i].body for i in missing if docs[i].kind == "briefing"])
        todo = [
            dataclasses.replace(docs[i], body=texts.get(docs[i].body, ""))
            if docs[i].kind == "briefing"
            else docs[i]
            for i in missing
        ]
        done = _map(search.analyze, [(doc,) for doc in todo], jobs)
        for i, analysis in zip(missing, done, strict=True):
            analyses[keys[i]] = analysis
        cache.put_many("search_docs", ((keys[i], analyses[keys[i]].to_json()) for i in missing))
        cache.keep_only("search_docs", keys)
    built = search.build_index(docs, [analyses[key] for key in keys])
    record = {"digest": wanted, "files": {p: sha256(data) for p, data in sorted(built.items())}}
    return built, {}, record


def _search_docs(views: Views) -> list[search.SearchDoc]:
    """What search knows of each briefing and actor. A briefing's ``body`` here is the
    path of its file, which stands for its text until the text is needed (``_search_index``
    digests the documents without reading any body)."""
    site = views.site
    docs = []
    for index, item in enumerate(site.items):
        card = views.card(index)
        b = item.briefing
        docs.append(
            search.SearchDoc(
                kind="briefing",
                title=b.title,
                url=item.url,
                date=card["date"],
                date_label=card["date_label"],
                summary=item.summary,
                body=b.path,
                names=tuple(site.actors[k].name for k in item.actors),
                tags=tuple(site.actors[k].name for k in item.tags),
            )
        )
    for key, actor in sorted(site.actors.items()):
        names = [actor.name]
        if actor.entry:
            names += [*actor.entry.aliases, *actor.entry.labels.values()]
        count = len(site.named.get(key, []))
        docs.append(
            search.SearchDoc(
                kind=actor.kind,
                title=actor.name,
                url=actor.url,
                date="",
                date_label=views.count_label(count),
                summary=(actor.entry.role or "") if actor.entry else "",
                body="",
                names=tuple(dict.fromkeys(names)),
                tags=(),
            )
        )
    return docs


__all__ = ["Options", "OutputRefused", "Result", "build"]
