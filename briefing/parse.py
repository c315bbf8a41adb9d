"""One content file's bytes -> a Briefing, a registry Entry or a Page, with its problems.

Pure and per file: the result depends only on the file and the site's
settings, so it is cached by content hash and run in parallel.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
import zoneinfo
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from babel import Locale, UnknownLocaleError

from briefing import yamlio
from briefing.config import SiteConfig
from briefing.model import FOLDERS, Body, Briefing, Entry, Kind, Page, Parsed, Ref, Source
from briefing.problems import Problem, error, warning
from briefing.text import CONTROL, closest, control_message, is_safe_slug, slugify
from briefing.urls import refused_link, refused_scheme

BRIEFING_KEYS = {
    "title",
    "date",
    "summary",
    "people",
    "countries",
    "organizations",
    "actors",
    "tags",
    "sources",
    "lang",
    "draft",
    "slug",
    "updated",
    "story",
    "redirect_from",
    "extra",
    "translation_key",
}
ENTRY_KEYS = {
    "name",
    "aliases",
    "labels",
    "role",
    "description",
    "country",
    "links",
    "members",
    "redirect_from",
    "slug",
}
PAGE_KEYS = {"title", "lang", "slug", "summary", "redirect_from"}
DATE_HINT = "dates are written YYYY-MM-DD, or as ISO 8601 with a time: 2023-01-31T18:30:00+01:00"
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


@dataclass(frozen=True)
class Settings:
    """The part of the site config that parsing depends on (and the cache key covers)."""

    language: str
    timezone: str
    extensions: tuple[str, ...]
    configs: dict[str, Any] = field(default_factory=dict)
    sanitize: bool = True

    @classmethod
    def of(cls, config: SiteConfig) -> Settings:
        return cls(
            config.language,
            config.timezone,
            config.markdown_extensions,
            config.markdown_configs,
            config.raw_html == "sanitize",
        )


def decode(path: str, data: bytes) -> tuple[str | None, list[Problem]]:
    """UTF-8 (a BOM is fine), CRLF or CR line endings are fine; anything else is reported."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            error(
                path,
                line,
                f"not valid UTF-8 (byte offset {exc.start}: {data[exc.start : exc.start + 1]!r})",
                "save the file as UTF-8",
                col=col,
            )
        ]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if data.translate(None, _SHOWN) or _C1.search(data):  # a few microseconds a file
        found = CONTROL.search(text)
        if found:
            line = text.count("\n", 0, found.start()) + 1
            col = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
            return None, [
                error(
                    path,
                    line,
                    control_message(found),
                    "delete it: text copied from a terminal or a PDF often brings one",
                    col=col,
                )
            ]
    return text, []


# The bytes of a UTF-8 text that are not control characters (see ``text.CONTROL``), and C1
# controls as UTF-8 (U+0080 to U+009F).
_SHOWN = bytes(range(0x20, 0x7F)) + b"\t\n\x0c\r" + bytes(range(0x80, 0x100))
_C1 = re.compile(b"\xc2[\x80-\x9f]")


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter or None, body, line number of the body's first line)."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None, text, 1
    for number in range(1, len(lines)):
        if lines[number].rstrip() in ("---", "..."):
            return "\n".join(lines[1:number]), "\n".join(lines[number + 1 :]), number + 2
    return "\n".join(lines[1:]), "", len(lines) + 1


class _Reader:
    """Reads typed values out of one front matter mapping, collecting problems."""

    def __init__(self, path: str, doc: yamlio.Document) -> None:
        self.path = path
        self.data: dict[str, Any] = doc.data
        self.lines = doc.key_lines
        self.items = doc.item_lines
        self.problems: list[Problem] = []

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def err(self, key: str, message: str, hint: str = "") -> None:
        self.problems.append(error(self.path, self.line(key), message, hint))

    def warn(self, key: str, message: str, hint: str = "") -> None:
        self.problems.append(warning(self.path, self.line(key), message, hint))

    def unknown(self, known: set[str]) -> None:
        for key in self.data:
            if str(key) not in known:
                near = closest(str(key), known, cutoff=0.6)
                self.warn(
                    str(key),
                    f"unknown key `{key}` (ignored)",
                    f"did you mean `{near}`?"
                    if near
                    else "known keys: " + ", ".join(sorted(known)),
                )

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                if key in self.data:
                    self.err(key, f"`{key}` is empty")
                else:
                    self.problems.append(
                        error(
                            self.path,
                            1,
                            f"`{key}` is required",
                            f"add a line `{key}: ...` to the front matter",
                        )
                    )
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.err(key, f"`{key}` must be text, not {_kind(value)}")
            return None
        return str(value).strip()

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.err(key, f"`{key}` is `true` or `false`, not `{value}`")
            return False
        return value

    def strings(self, key: str) -> tuple[Ref, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        line = self.line(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            self.warn(
                key, f"`{key}` should be a list; read as one item", f"write `{key}: [{value}]`"
            )
            value = [value]
        if not isinstance(value, list):
            self.err(key, f"`{key}` must be a list of names, not {_kind(value)}")
            return ()
        lines = self.items.get(key, [])
        refs: list[Ref] = []
        for index, item in enumerate(value):
            item_line = lines[index] if index < len(lines) else line
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.problems.append(
                    error(self.path, item_line, f"`{key}` items must be text, not {_kind(item)}")
                )
                continue
            text = " ".join(str(item).split())
            if not text:
                self.problems.append(
                    warning(self.path, item_line, f"empty item in `{key}` (ignored)")
                )
                continue
            refs.append(Ref(text, key, item_line))
        return tuple(refs)

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.err(key, f"`{key}` must be a mapping (key: value lines), not {_kind(value)}")
            return {}
        return {str(k): _plain(v) for k, v in value.items()}

    def slug(self, key: str, default: str) -> str:
        value = self.text(key)
        raw = self.data.get(key)
        if key in self.data and (raw is None or (isinstance(raw, str) and not raw.strip())):
            self.err(key, f"`{key}` is empty", "remove the line to use the file's name")
            return default
        slug = value if value is not None else default
        if not is_safe_slug(slug):
            self.problems.append(
                error(
                    self.path,
                    self.line(key) if value is not None else 1,
                    f"unsafe slug `{slug}`",
                    "a slug is letters, digits, `-`, `_` and `.`, with no `/` or `..`",
                )
            )
        return slug

    def slugs(self, key: str, folder: str) -> tuple[str, ...]:
        """Old slugs, each made a redirect in ``folder`` (``""``: the site's root). An old
        address in that folder is taken as its slug; one in another folder is too, with a
        warning, since the redirect is not made where it says."""
        out = []
        for ref in self.strings(key):
            old = ref.text.strip().strip("/")
            old = old.removesuffix(".html")
            if "/" in old:
                parent, old = old.rsplit("/", 1)
                if parent != folder and is_safe_slug(old):
                    where = f"{folder}/{old}.html" if folder else f"{old}.html"
                    self.problems.append(
                        warning(
                            self.path,
                            ref.line,
                            f"`{key}: {ref.text}` is read as the old slug `{old}`: "
                            f"the redirect is made at {where}",
                            f"write the slug alone; redirects of this file are made"
                            f" {f'in {folder}/' if folder else 'at the site root'}",
                        )
                    )
            if not is_safe_slug(old):
                self.problems.append(
                    error(self.path, ref.line, f"unsafe slug `{ref.text}` in `{key}`")
                )
                continue
            out.append(old)
        return tuple(out)

    def when(self, key: str, tz: str, *, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problems.append(error(self.path, 1, f"`{key}` is required", DATE_HINT))
            return None
        if not isinstance(value, str) or isinstance(value, bool):
            self.err(key, f"`{key}` must be a date, not {_kind(value)}", DATE_HINT)
            return None
        try:
            return normalize_date(value.strip(), tz)
        except ValueError as exc:
            self.err(key, f"`{key}`: {exc}", DATE_HINT)
            return None


def normalize_date(text: str, tz: str) -> str:
    """``YYYY-MM-DD`` stays a date; a datetime gets the site's offset when it has none."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"`{text}` is not a real date") from None
        _in_range(dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(tz)), text)
        return day.isoformat()
    if not re.match(r"\d{4}-\d{2}-\d{2}[T ]\d", text):
        raise ValueError(f"`{text}` is not a date")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"`{text}` is not a valid date and time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(tz))
    _in_range(moment, text)
    return moment.isoformat()


FIRST_YEAR, LAST_YEAR = 1000, 9998  # room on both sides for the day a feed or a list adds


def _in_range(moment: dt.datetime, text: str) -> None:
    """A briefing's moment is compared, shifted and written in UTC: a date at the edge of
    what Python's datetime holds (0001-01-01 an hour east of UTC) cannot be."""
    try:
        year = moment.astimezone(dt.UTC).year
    except OverflowError:
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"`{text}` is out of range: years {FIRST_YEAR} to {LAST_YEAR}")


def _plain(value: Any) -> Any:
    """Mapping keys as text at every depth (YAML allows `1:` or `null:` as keys): the parse
    is cached as JSON, which would turn them into text, so a cached parse and a fresh one
    would differ (`extra` reaches templates as it is)."""
    root: list[Any] = [value]
    stack: list[tuple[list[Any] | dict[str, Any], Any]] = [(root, 0)]
    while stack:  # not recursive: YAML nests up to 1,000 deep
        parent, slot = stack.pop()
        item = parent[slot]
        copy: Any
        if isinstance(item, dict):
            copy = {str(k): v for k, v in item.items()}  # as in JSON, the last one wins
            slots: Any = list(copy)
        elif isinstance(item, list):
            copy = list(item)
            slots = range(len(copy))
        else:
            continue
        parent[slot] = copy
        stack.extend((copy, k) for k in slots)
    return root[0]


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value is None:
        return "empty"
    return f"`{value}`"


def _check_lang(reader: _Reader, key: str) -> str | None:
    lang = reader.text(key)
    if lang is None:
        return None
    try:
        Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        reader.warn(
            key, f"unknown language `{lang}`", "use a BCP 47 code such as `es`, `en` or `ar`"
        )
    return lang.replace("_", "-")  # BCP 47, as `<html lang>` wants it: es_ES -> es-ES


def check_url(url: str) -> tuple[str, str] | None:
    """(severity, message) when a URL from front matter is refused or doubtful."""
    scheme = refused_scheme(url)
    if scheme:
        return "error", f"`{url}`: {scheme}: URLs are not allowed"
    match = _SCHEME.match(url)
    if not match:
        return "warning", f"`{url}` is not a full URL (http, https or mailto)"
    scheme = match.group(1).lower()
    if scheme not in ("http", "https", "mailto"):
        return (
            "warning",
            f"`{url}` uses `{match.group(1)}:`; only http, https and mailto links are made",
        )
    if scheme != "mailto":
        try:
            host = urllib.parse.urlsplit(url).hostname
        except ValueError:  # ``https://[::1/``: a bracket not closed, a port not a number
            host = None
        if not host:
            return "warning", f"`{url}` is not a full URL: it names no host"
    return None


def _sources(reader: _Reader, tz: str) -> tuple[Source, ...]:
    value = reader.data.get("sources")
    if value is None:
        return ()
    if isinstance(value, str | dict):
        reader.warn(
            "sources", "`sources` should be a list; read as one item", "write `- ` before it"
        )
        value = [value]
    if not isinstance(value, list):
        reader.err("sources", f"`sources` must be a list, not {_kind(value)}")
        return ()
    lines = reader.items.get("sources", [])
    out: list[Source] = []
    for index, item in enumerate(value):
        line = lines[index] if index < len(lines) else reader.line("sources")
        url: str | None
        title: Any
        publisher: Any
        date: Any
        if isinstance(item, str):
            title, url, publisher, date = item, item, None, None
        elif isinstance(item, dict):
            url = item.get("url")
            title = item.get("title") or url
            publisher = item.get("publisher")
            date = item.get("date")
            unknown = set(map(str, item)) - {"title", "url", "publisher", "date"}
            for key in sorted(unknown):
                near = closest(key, {"title", "url", "publisher", "date"}, cutoff=0.6)
                reader.problems.append(
                    warning(
                        reader.path,
                        line,
                        f"unknown source key `{key}` (ignored)",
                        f"did you mean `{near}`?" if near else "",
                    )
                )
            if isinstance(title, int | float) and not isinstance(title, bool):
                title = str(title)
            if not isinstance(title, str) or not title.strip():
                reader.problems.append(
                    error(reader.path, line, "a source needs a `title` or a `url`")
                )
                continue
            if url is not None and not isinstance(url, str):
                reader.problems.append(error(reader.path, line, "a source's `url` must be text"))
                continue
            publisher = str(publisher) if publisher is not None else None
            if date is not None:
                try:
                    date = normalize_date(str(date), tz)
                except ValueError as exc:
                    reader.problems.append(
                        warning(reader.path, line, f"source date: {exc}", DATE_HINT)
                    )
                    date = None
        else:
            reader.problems.append(
                error(reader.path, line, f"a source is a URL or a mapping, not {_kind(item)}")
            )
            continue
        if url is not None:
            url = url.strip()
            verdict = check_url(url)
            if verdict:
                severity, message = verdict
                make = error if severity == "error" else warning
                reader.problems.append(make(reader.path, line, f"source {message}"))
                if severity == "error":
                    continue
                url = None  # the source is listed, without a link
        out.append(Source(str(title).strip(), url, publisher, date))
    return tuple(out)


def _body(
    path: str, text: str, first_line: int, settings: Settings, problems: list[Problem]
) -> Body:
    # Python-Markdown is loaded by the first body rendered: a build that finds every body
    # in its cache (a rename, a front-matter edit) does without (0.04 s of starting up).
    from briefing import markup

    try:
        body = markup.render(
            text,
            first_line,
            extensions=settings.extensions,
            configs=settings.configs,
            sanitize=settings.sanitize,
        )
        problems.extend(refused_link(path, link.url, link.line) for link in body.refused)
        return body
    except markup.MarkdownError as exc:
        problems.append(error(path, first_line, str(exc)))
        return Body("", "", "", "", ())


def parse_file(path: str, kind: str, data: bytes, settings: Settings) -> Parsed:
    text, problems = decode(path, data)
    if text is None:
        return Parsed(path, problems=tuple(problems))
    if not text.strip():
        return Parsed(
            path,
            problems=(
                error(path, 1, "empty file", "write front matter and a body, or delete the file"),
            ),
        )
    stem = PurePosixPath(path).stem
    fm_text: str | None
    if kind in ("person", "organization", "country") and PurePosixPath(path).suffix in (
        ".yaml",
        ".yml",
    ):
        fm_text, body_text, body_line, fm_line = text, "", 0, 1
    else:
        fm_text, body_text, body_line = split_front_matter(text)
        fm_line = 2
        if fm_text is None:
            if kind == "briefing":
                return Parsed(
                    path,
                    problems=(
                        error(
                            path,
                            1,
                            "no front matter",
                            "start the file with a `---` line, then `title:` and `date:`, then `---`",
                        ),
                    ),
                )
            fm_text = ""
    try:
        doc = yamlio.load(fm_text, fm_line)
    except yamlio.YamlError as exc:
        return Parsed(path, problems=(error(path, exc.line, exc.message, col=exc.col),))
    if doc.data is None:
        doc.data = {}
    if not isinstance(doc.data, dict):
        return Parsed(
            path,
            problems=(
                error(
                    path,
                    fm_line,
                    f"front matter must be a mapping of `key: value` lines, not {_kind(doc.data)}",
                ),
            ),
        )
    reader = _Reader(path, doc)
    if kind == "briefing":
        briefing = _briefing(reader, stem, body_text, body_line, settings)
        return Parsed(path, briefing=briefing, problems=tuple(reader.problems))
    if kind == "page":
        reader.unknown(PAGE_KEYS)
        body = _body(path, body_text, body_line, settings, reader.problems)
        title = reader.text("title") or stem.replace("-", " ").capitalize()
        page = Page(
            path,
            reader.slug("slug", stem),
            title,
            _check_lang(reader, "lang"),
            body,
            dict(reader.lines),
            reader.slugs("redirect_from", ""),
        )
        return Parsed(path, page=page, problems=tuple(reader.problems))
    entry = _entry(reader, kind, stem, body_text, body_line, settings)
    return Parsed(path, entry=entry, problems=tuple(reader.problems))


def _briefing(
    reader: _Reader, stem: str, body_text: str, body_line: int, settings: Settings
) -> Briefing:
    reader.unknown(BRIEFING_KEYS)
    title = reader.text("title", required=True)
    date = reader.when("date", settings.timezone, required=True)
    refs: list[Ref] = []
    for key in ("people", "countries", "organizations", "actors"):
        refs.extend(reader.strings(key))
    body = _body(reader.path, body_text, body_line, settings, reader.problems)
    if not body_text.strip():
        reader.problems.append(warning(reader.path, body_line, "the briefing has no body"))
    return Briefing(
        path=reader.path,
        slug=reader.slug("slug", stem),
        title=title or stem,
        date=date or "1970-01-01",
        updated=reader.when("updated", settings.timezone),
        summary=reader.text("summary"),
        refs=tuple(refs),
        tags=reader.strings("tags"),
        sources=_sources(reader, settings.timezone),
        lang=_check_lang(reader, "lang"),
        draft=reader.flag("draft"),
        story=reader.text("story"),
        redirect_from=reader.slugs("redirect_from", "briefings"),
        translation_key=reader.text("translation_key"),
        extra=reader.mapping("extra"),
        body=body,
        lines=dict(reader.lines),
    )


def _entry(
    reader: _Reader, kind: str, stem: str, body_text: str, body_line: int, settings: Settings
) -> Entry:
    reader.unknown(ENTRY_KEYS)
    entry_kind: Kind = (
        "person" if kind == "person" else "organization" if kind == "organization" else "country"
    )
    name = reader.text("name", required=entry_kind != "country")
    labels: dict[str, str] = {}
    for lang, label in reader.mapping("labels").items():
        if (
            isinstance(label, str | int | float)
            and not isinstance(label, bool)
            and str(label).strip()
        ):
            labels[lang.replace("_", "-")] = str(label).strip()
        else:
            reader.err("labels", f"the label for `{lang}` must be text")
    links: dict[str, str] = {}
    for key, url in reader.mapping("links").items():
        if not isinstance(url, str):
            reader.err("links", f"the link `{key}` must be a URL")
            continue
        verdict = check_url(url.strip())
        if verdict:
            severity, message = verdict
            reader.problems.append(
                (error if severity == "error" else warning)(
                    reader.path, reader.line("links"), f"link {message}"
                )
            )
            continue
        links[key] = url.strip()
    body = (
        _body(reader.path, body_text, body_line, settings, reader.problems)
        if body_text.strip()
        else None
    )
    role = reader.text("role") or reader.text("description")
    return Entry(
        path=reader.path,
        kind=entry_kind,
        id=reader.slug("slug", slugify(stem) if entry_kind != "country" else stem),
        name=name or "",
        aliases=tuple(r.text for r in reader.strings("aliases")),
        labels=labels,
        role=role,
        country=reader.text("country"),
        links=links,
        members=reader.strings("members"),
        redirect_from=reader.slugs("redirect_from", FOLDERS[entry_kind]),
        body=body,
        lines=dict(reader.lines),
    )
