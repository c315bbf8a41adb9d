"""Jobs -> bytes. Jinja2 with StrictUndefined; template mistakes name the template,
its line, and the page being rendered."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import marshal
import posixpath
import re
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from markupsafe import Markup, escape

from briefing import feeds, figures, slots
from briefing.pages import Job, Shared
from briefing.slots import Name, escape_text
from briefing.urls import relative, root_of


class TemplateProblem(Exception):
    def __init__(self, template: str, line: int, message: str) -> None:
        super().__init__(message)
        self.template = template
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Renderer:
    dirs: tuple[Path, ...]
    digest: str = ""  # of the templates as the build read them (``Theme.digest``)

    def render(self, job: Job) -> bytes:
        return self.render_page(job)[0]

    def render_page(self, job: Job) -> tuple[bytes, list[slots.Slot] | None]:
        """The page, and where its names went (see ``slots``); None when they cannot be
        patched: the template used a name otherwise than printing it."""
        if job.kind == "feed":
            return _feed(job.context), None
        env = environment(self.dirs, self.digest)
        if not job.names:
            return _render_html(env, self.dirs, job), None
        text: str | None = None
        with slots.recording() as session:
            try:
                text = _render_text(env, self.dirs, job)
            except (slots.Touched, TemplateProblem):  # a mistake is reported as rendered
                text = None
        if text is not None and not session.touched:
            done = slots.resolve(text, job.names, escape_text)
            if done is not None:
                return done
        plain = dataclasses.replace(job, context=slots.plain(job.context), names={})
        return _render_html(env, self.dirs, plain), None


def _escaped(value: Any) -> str:
    """What Jinja's autoescape writes for ``{{ value }}``: the same text as MarkupSafe's
    ``escape``, as a plain string. The compiled templates call it only for what they
    output, where the result is joined into the page and never asked whether it is
    markup; a briefing's page makes some 300 such calls, and making each result a
    ``Markup`` (in Python, since MarkupSafe 3) was a third of rendering it."""
    if type(value) is str:
        return escape_text(value)
    if type(value) is Name:
        return slots.printed(value) if slots.active() else escape_text(value.text)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    slots.probe(value)  # a list printed as it is prints its strings' reprs
    return escape_text(str(value))


class _Template(jinja2.Template):
    """A template whose output is escaped by ``_escaped``. A compiled template's functions
    look ``escape`` up in its module's namespace each time, and it is rebound there."""

    @classmethod
    def _from_namespace(
        cls,
        environment: jinja2.Environment,
        namespace: Any,
        globals: Any,
    ) -> Any:
        if namespace.get("escape") is escape:
            namespace["escape"] = _escaped
        return super()._from_namespace(environment, namespace, globals)


class _Environment(jinja2.Environment):
    """Jinja with two shortcuts. Output is escaped by ``_escaped`` (see ``_Template``).
    ``card.title`` on a plain mapping (every context is one) looks the key up first:
    Jinja tries the attribute first and reaches the key through a caught AttributeError,
    a fifth of a page's rendering. A name that is an attribute of the mapping (``items``,
    ``get``...) still gets Jinja's own lookup.

    And it watches what a template does with text a chip's name was printed into (see
    ``slots``): filters, tests, lookups, and (``_probe_reads``) comparisons, arithmetic,
    loops and calls probe their operands."""

    template_class = _Template

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["_probe"] = slots.probe
        self.filters["_probe_text"] = slots.probe_text
        for table in (self.filters, self.tests):
            for key, func in table.items():
                if key not in _PASSING:
                    table[key] = _probing(func)  # type: ignore[arg-type]
        # each macro's outputs by its arguments (see ``_each``), gone with the macro
        self.outputs: weakref.WeakKeyDictionary[Any, dict[Any, str]] = weakref.WeakKeyDictionary()

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) in _MAPPINGS and attribute not in _MAPPING_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        slots.probe_text(obj)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        slots.probe_text(obj)
        return super().getitem(obj, argument)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        _probe_reads(tree)
        return tree


def _probe_reads(tree: nodes.Template) -> None:
    """Pass through ``slots.probe`` every value the template compares, computes with,
    loops over, unpacks, hands to a function or names a template by: text a name was
    printed into (a macro's output, a captured block) must only be printed for the page
    to be patched later. Filters and tests are probed where they are registered,
    attribute and item lookups in ``getattr`` and ``getitem``."""

    def probed(node: Any) -> nodes.Expr:
        return nodes.Filter(node, "_probe", [], [], None, None, lineno=node.lineno)

    found = list(
        tree.find_all(
            (
                nodes.Compare,
                nodes.BinExpr,
                nodes.Neg,
                nodes.Pos,
                nodes.For,
                nodes.Call,
                nodes.Getitem,
                nodes.Assign,
                nodes.Include,
                nodes.Import,
                nodes.FromImport,
                nodes.Extends,
            )
        )
    )
    for node in found:
        if isinstance(node, nodes.Compare):
            node.expr = probed(node.expr)
            for op in node.ops:
                op.expr = probed(op.expr)
        elif isinstance(node, nodes.And | nodes.Or):
            continue  # truth only, and the operand itself
        elif isinstance(node, nodes.BinExpr):
            node.left, node.right = probed(node.left), probed(node.right)
        elif isinstance(node, nodes.Neg | nodes.Pos):
            node.node = probed(node.node)
        elif isinstance(node, nodes.For):
            if isinstance(node.target, nodes.Tuple):  # unpacking each item looks into it
                node.iter = probed(node.iter)
            else:  # each item is looked at where it is used
                node.iter = nodes.Filter(node.iter, "_probe_text", [], [], None, None)
        elif isinstance(node, nodes.Call):
            node.args = [probed(a) for a in node.args]
            for keyword in node.kwargs:
                keyword.value = probed(keyword.value)
            if node.dyn_args is not None:
                node.dyn_args = probed(node.dyn_args)
            if node.dyn_kwargs is not None:
                node.dyn_kwargs = probed(node.dyn_kwargs)
        elif isinstance(node, nodes.Getitem):
            if isinstance(node.arg, nodes.Slice):  # compiled as Python's, not getitem
                node.node = probed(node.node)
        elif isinstance(node, nodes.Assign):
            if isinstance(node.target, nodes.Tuple):  # unpacking iterates
                node.node = probed(node.node)
        elif isinstance(node, nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends):
            node.template = probed(node.template)


# Filters that hand their value on as it is: text a name was printed into may pass.
_PASSING = frozenset({"safe", "safe_html", "_probe", "_probe_text"})


def _probing(func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter or test that first probes its arguments (see ``_probe_reads``)."""

    @functools.wraps(func)
    def probing(*args: Any, **kwargs: Any) -> Any:
        for value in args:
            slots.probe(value)
        for value in kwargs.values():
            slots.probe(value)
        return func(*args, **kwargs)

    return probing


class _Compiled(jinja2.BytecodeCache):
    """Templates compiled in this process, or by another process of the same build (see
    ``precompile``), by name, file and source checksum. Held in memory only: the build
    cache keeps data, never code."""

    def __init__(self) -> None:
        self.codes: dict[tuple[str, str], Any] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        bucket.code = self.codes.get((bucket.key, bucket.checksum))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[(bucket.key, bucket.checksum)] = bucket.code


# The templates most builds render: compiling them takes a few hundredths of a second, done
# by ``precompile`` in the process that reads the site, which has time to spare.
COMMON_TEMPLATES = ("base.html", "_macros.html", "briefing.html", "entity.html")


def precompile(
    dirs: tuple[Path, ...], digest: str, names: tuple[str, ...] = COMMON_TEMPLATES
) -> dict[tuple[str, str], bytes]:
    """``names`` compiled here, as bytes another process of this build hands to ``adopt``
    (what this process held already, its parent holds too). A template that cannot be
    loaded or compiled (a syntax error, bytes that are not UTF-8...) is left out:
    rendering reports it, with its file and line, as it does without this."""
    env = environment(dirs, digest)
    compiled = env.bytecode_cache
    assert isinstance(compiled, _Compiled)
    held = set(compiled.codes)
    for name in names:
        try:
            env.get_template(name)
        except Exception:  # any failure is reported where the template is rendered
            continue
    return {k: marshal.dumps(code) for k, code in compiled.codes.items() if k not in held}


def adopt(dirs: tuple[Path, ...], digest: str, codes: dict[tuple[str, str], bytes]) -> None:
    """Take templates compiled by ``precompile`` in a child of this process (the same
    Python, so its code objects load here). A template whose source changed since has
    another checksum, and is compiled again when asked for."""
    compiled = environment(dirs, digest).bytecode_cache
    assert isinstance(compiled, _Compiled)
    for key, data in codes.items():
        if key not in compiled.codes:
            compiled.codes[key] = marshal.loads(data)


_MAPPINGS = (dict, Shared)
_MAPPING_ATTRIBUTES = frozenset(dir(dict)) | frozenset(dir(Shared))


@lru_cache(maxsize=4)
def environment(dirs: tuple[Path, ...], digest: str = "") -> jinja2.Environment:
    """One environment per version of the templates: it never looks at a template file's
    time again (a stat of every template a page uses, a fiftieth of its rendering), so
    ``briefing serve`` gets a new one when a template changes."""
    env = _Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        auto_reload=False,
        bytecode_cache=_Compiled(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["url"] = _url
    env.globals["asset"] = _url
    env.globals["each"] = _each
    env.filters["safe_html"] = Markup
    return env


@jinja2.pass_context
def _url(context: jinja2.runtime.Context, target: str) -> str:
    """A site path (``people/x.html``) as a link relative to the page being rendered."""
    page = context["path"]
    if page == "404.html":
        return _site_path(context) + target
    if "#" in target:
        path, frag = target.split("#", 1)
        return (relative(page, path) if path else "") + "#" + frag
    return relative(page, target)


# Outputs one macro keeps: past this many, it starts again (``briefing serve`` renders
# edit after edit with the same templates).
EACH_KEPT = 100_000


@jinja2.pass_environment
def _each(env: _Environment, macro: Callable[..., Any], items: Any, *args: Any) -> Markup:
    """``each(card, items, ...)``: ``card(item, ...)`` for every item, joined, each output
    made once for equal arguments. For a macro whose output depends on its arguments
    alone, as one imported without context does: an actor's page lists two hundred cards,
    and every briefing's card is on a dozen pages. A macro imported with context is made
    anew for each page, and so are its outputs; an argument that is not plain data (or a
    card) is never taken as equal to another."""
    try:
        rest = _plain(args)
        memo = env.outputs.setdefault(macro, {})
    except TypeError:  # arguments that are not plain data, or nothing to keep outputs by
        return Markup("".join(str(macro(item, *args)) for item in items))
    if len(memo) > EACH_KEPT:
        memo.clear()
    out: list[str] = []
    for item in items:
        try:
            key = (_plain(item), rest)
        except TypeError:
            out.append(str(macro(item, *args)))
            continue
        found = memo.get(key)
        if found is None:
            found = memo[key] = str(macro(item, *args))
        out.append(found)
    return Markup("".join(out))


def _plain(value: Any) -> Any:
    """A hashable stand-in for plain data, equal for equal data; TypeError for anything
    else. A card (``Shared``) is its digest."""
    kind = type(value)
    if kind is str or kind is bool or kind is int or kind is float or value is None:
        return (kind, value)
    if kind is Shared:
        if type(value.get("name")) is Name:
            raise TypeError(kind)  # a chip: its repr says where its name is, not what
        return repr(value)
    if kind is dict:
        return tuple((k, _plain(v)) for k, v in value.items())
    if kind is list or kind is tuple:
        return (kind, tuple(_plain(v) for v in value))
    raise TypeError(kind)


def _site_path(ctx: Any) -> str:
    """The site's own path ("/repo/"): GitHub Pages serves 404.html at any depth."""
    base = ctx["site"]["base_url"]
    return "/" + base.split("://", 1)[-1].split("/", 1)[-1] if base else "/"


def choose_template(env: jinja2.Environment, name: str) -> jinja2.Template:
    """``person.html`` falls back to ``entity.html``: one generic template, per-kind overrides."""
    candidates = [name]
    if name in ("person.html", "country.html", "organization.html", "tag.html"):
        candidates.append("entity.html")
    return env.select_template(candidates)


def _render_html(env: jinja2.Environment, dirs: tuple[Path, ...], job: Job) -> bytes:
    text = _render_text(env, dirs, job)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate
        raise TemplateProblem(job.template, 0, f"{type(exc).__name__}: {exc}") from None


def _render_text(env: jinja2.Environment, dirs: tuple[Path, ...], job: Job) -> str:
    try:
        template = choose_template(env, job.template)
        ctx: dict[str, Any] = figures.materialize(job.context)
        ctx["root"] = root_of(job.path) if job.path != "404.html" else _site_path(ctx)
        return template.render(ctx)
    except slots.Touched:
        raise
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(
            _shown(exc.filename or exc.name or job.template, dirs),
            exc.lineno,
            f"template syntax error: {exc.message}",
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(job.template, 0, f"template not found: {exc.message}") from None
    except Exception as exc:  # a template's own mistake, e.g. an undefined variable
        template_name, line = _template_frame(exc, dirs)
        raise TemplateProblem(
            template_name or job.template, line, f"{type(exc).__name__}: {exc}"
        ) from None


def _template_frame(exc: BaseException, dirs: tuple[Path, ...]) -> tuple[str | None, int]:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".html"):
            return _shown(frame.filename, dirs), frame.lineno or 0
    return None, 0


def _shown(filename: str, dirs: tuple[Path, ...] = ()) -> str:
    """A template's path as a site author knows it: ``layouts/page.html``."""
    path = Path(filename).resolve()
    for folder in dirs:
        try:
            return f"{folder.name}/{path.relative_to(folder.resolve()).as_posix()}"
        except ValueError:
            continue
    return filename


def _feed(ctx: dict[str, Any]) -> bytes:
    entries = [
        feeds.FeedEntry(
            id=e["id"],
            title=e["title"],
            url=e["url"],
            published=dt.datetime.fromisoformat(_aware(e["published"])),
            updated=dt.datetime.fromisoformat(_aware(e["updated"])),
            summary=e["summary"],
            content_html=_absolutize(
                e["content_html"], ctx["base_url"], e["path"], ctx["feed_path"]
            )
            if e["content_html"] is not None
            else None,
            authors=(),
            categories=tuple(e["categories"]),
            lang=e["lang"],
        )
        for e in ctx["entries"]
    ]
    return feeds.atom_feed(
        title=ctx["title"],
        subtitle=ctx["subtitle"],
        feed_url=ctx["feed_url"],
        site_url=ctx["site_url"],
        feed_id=ctx["feed_id"],
        lang=ctx["lang"],
        author=ctx["author"],
        entries=entries,
        generator_version=ctx["version"],
    )


def _aware(text: str) -> str:
    return text if "T" in text else text + "T00:00:00+00:00"


def _absolutize(body: str, base_url: str, page: str, feed: str) -> str:
    """Links in a feed entry, made to work from the feed: absolute under ``base_url``, or
    relative to the feed's own file when the site has no base URL."""
    folder = posixpath.dirname(page)

    def fix(match: re.Match[str]) -> str:
        attr, url = match.group(1), match.group(2)
        if url.startswith(("http:", "https:", "mailto:", "//")):
            return match.group(0)
        target = (
            page + url if url.startswith("#") else posixpath.normpath(posixpath.join(folder, url))
        )
        if base_url:
            return f'{attr}="{base_url}{target}"'
        return f'{attr}="{relative(feed, target)}"'

    return re.sub(r'\b(href|src)="([^"]*)"', fix, body)
