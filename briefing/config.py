"""``briefing.yaml`` -> a frozen SiteConfig. Every key is optional."""

from __future__ import annotations

import json
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError

from briefing import yamlio
from briefing.problems import Problem, error, warning
from briefing.text import closest, digest

CONFIG_FILE = "briefing.yaml"

# What briefings use; abbr, attr_list, def_list and the like cost about a millisecond a
# briefing between them, so a site that wants them lists them in `markdown.extensions`.
DEFAULT_EXTENSIONS = (
    "fenced_code",
    "footnotes",
    "tables",
    "sane_lists",
    "codehilite",
    "toc",
)


@dataclass(frozen=True)
class MenuItem:
    title: str
    url: str


@dataclass(frozen=True)
class SiteConfig:
    title: str = "Briefings"
    description: str = ""
    language: str = "en"
    base_url: str = ""
    timezone: str = "UTC"
    author: str = ""
    menu: tuple[MenuItem, ...] = ()
    markdown_extensions: tuple[str, ...] = DEFAULT_EXTENSIONS
    markdown_configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    raw_html: str = "sanitize"
    params: dict[str, Any] = field(default_factory=dict)
    latest_count: int = 20

    def fingerprint(self) -> str:
        """Changes whenever any setting changes; part of every cache key."""
        return digest(json.dumps(self.to_json(), sort_keys=True, default=str))

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "language": self.language,
            "base_url": self.base_url,
            "timezone": self.timezone,
            "author": self.author,
            "menu": [[m.title, m.url] for m in self.menu],
            "markdown_extensions": list(self.markdown_extensions),
            "markdown_configs": self.markdown_configs,
            "raw_html": self.raw_html,
            "params": self.params,
            "latest_count": self.latest_count,
        }


KNOWN_KEYS = {
    "title",
    "description",
    "language",
    "base_url",
    "timezone",
    "author",
    "menu",
    "markdown",
    "raw_html",
    "params",
    "latest_count",
}


def _is_site_url(url: str) -> bool:
    """An http(s) URL with a host and no spaces, quotes, query or fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 host, `https://[::1/`
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and not any(c.isspace() or c in "\"'<>" for c in url)
        and not parts.query
        and not parts.fragment
    )


def load_config(site: Path, base_url: str | None = None) -> tuple[SiteConfig, list[Problem]]:
    """Read the site's config; problems are returned, never raised."""
    path = site / CONFIG_FILE
    problems: list[Problem] = []
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    if path.is_file():
        try:
            source = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError as exc:
            return SiteConfig(), [error(CONFIG_FILE, 1, f"not valid UTF-8 (byte {exc.start})")]
        try:
            doc = yamlio.load(source)
        except yamlio.YamlError as exc:
            return SiteConfig(), [error(CONFIG_FILE, exc.line, exc.message, col=exc.col)]
        if doc.data is None:
            doc.data = {}
        if not isinstance(doc.data, dict):
            return SiteConfig(), [error(CONFIG_FILE, 1, "the config must be a mapping of settings")]
        data, lines = doc.data, doc.key_lines

    def bad(key: str, message: str, hint: str = "") -> None:
        problems.append(error(CONFIG_FILE, lines.get(key, 1), message, hint))

    for key in sorted(data):
        if key not in KNOWN_KEYS:
            near = closest(str(key), KNOWN_KEYS)
            problems.append(
                warning(
                    CONFIG_FILE,
                    lines.get(key, 1),
                    f"unknown setting `{key}`",
                    f"did you mean `{near}`?"
                    if near
                    else "known: " + ", ".join(sorted(KNOWN_KEYS)),
                )
            )

    def text(key: str, default: str) -> str:
        value = data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            bad(key, f"`{key}` must be text")
            return default
        return str(value).strip()

    kwargs: dict[str, Any] = {}
    kwargs["title"] = text("title", SiteConfig.title)
    kwargs["description"] = text("description", "")
    kwargs["author"] = text("author", "")
    language = text("language", "en").replace("-", "_")
    try:
        Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        bad("language", f"unknown language `{language}`", "use a BCP 47 code such as `es` or `en`")
        language = "en"
    kwargs["language"] = language.replace("_", "-")
    url = base_url if base_url is not None else text("base_url", "")
    if url and not _is_site_url(url):
        bad(
            "base_url",
            f"`base_url` must be an http(s) URL with a host and no spaces, query or fragment, not `{url}`",
            "e.g. https://user.github.io/repo/",
        )
        url = ""
    kwargs["base_url"] = (url.rstrip("/") + "/") if url else ""
    tz = text("timezone", "UTC")
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        bad("timezone", f"unknown time zone `{tz}`", "use an IANA name such as `Europe/Madrid`")
        tz = "UTC"
    kwargs["timezone"] = tz
    menu = data.get("menu") or []
    items: list[MenuItem] = []
    if not isinstance(menu, list):
        bad("menu", "`menu` must be a list of {title, url}")
    else:
        for item in menu:
            if (
                isinstance(item, dict)
                and isinstance(item.get("title"), str)
                and isinstance(item.get("url"), str)
            ):
                url = item["url"].strip()
                scheme = url.split(":", 1)[0].lower() if ":" in url.split("/", 1)[0] else ""
                if scheme and scheme not in ("http", "https", "mailto"):
                    bad(
                        "menu",
                        f"menu link `{url}`: only site paths, http(s) and mailto links are allowed",
                    )
                    continue
                if "\\" in url:
                    # a browser reads `\\host` as `//host`: on some pages another site
                    bad(
                        "menu",
                        f"menu link `{url}`: a site path is written with `/`, as `/about.html`",
                    )
                    continue
                items.append(MenuItem(item["title"], url))
            else:
                bad("menu", "each `menu` item needs a `title` and a `url`")
    kwargs["menu"] = tuple(items)
    md = data.get("markdown") or {}
    if not isinstance(md, dict):
        bad("markdown", "`markdown` must be a mapping with `extensions` and `extension_configs`")
    else:
        exts = md.get("extensions", list(DEFAULT_EXTENSIONS))
        if not isinstance(exts, list) or not all(isinstance(e, str) for e in exts):
            bad("markdown", "`markdown.extensions` must be a list of extension names")
        else:
            kwargs["markdown_extensions"] = tuple(exts)
        configs = md.get("extension_configs", {})
        if not isinstance(configs, dict) or not all(isinstance(v, dict) for v in configs.values()):
            bad("markdown", "`markdown.extension_configs` must map extension names to settings")
        else:
            kwargs["markdown_configs"] = configs
        _check_markdown(kwargs, bad)
    raw = text("raw_html", "sanitize")
    if raw not in ("sanitize", "trust"):
        bad("raw_html", f"`raw_html` is `sanitize` or `trust`, not `{raw}`")
        raw = "sanitize"
    kwargs["raw_html"] = raw
    params = data.get("params") or {}
    if not isinstance(params, dict):
        bad("params", "`params` must be a mapping")
        params = {}
    kwargs["params"] = params
    latest = data.get("latest_count", 20)
    if not isinstance(latest, int) or isinstance(latest, bool) or latest < 1:
        bad("latest_count", "`latest_count` must be a positive whole number")
        latest = 20
    kwargs["latest_count"] = latest
    return SiteConfig(**kwargs), problems


def _check_markdown(kwargs: dict[str, Any], bad: Callable[..., None]) -> None:
    """A site's own Markdown settings are tried: the extensions must load and configure,
    and then convert a sample text; what fails is reported, and left out. The built-in
    settings convert (the tests say so), and are not tried: Python-Markdown is loaded only
    by a build that renders Markdown (see ``parse``)."""
    extensions = kwargs.get("markdown_extensions", DEFAULT_EXTENSIONS)
    configs = kwargs.get("markdown_configs", {})
    if tuple(extensions) == DEFAULT_EXTENSIONS and not configs:
        return
    from briefing import markup

    try:
        markup.converter(extensions, configs)
    except markup.MarkdownError as exc:
        bad("markdown", str(exc), "check the names in `markdown.extensions`")
        kwargs.pop("markdown_extensions", None)
        kwargs.pop("markdown_configs", None)
    failed = kwargs.get("markdown_configs") and markup.settings_problem(
        kwargs.get("markdown_extensions", DEFAULT_EXTENSIONS), kwargs["markdown_configs"]
    )
    if failed:
        bad(
            "markdown",
            f"the Markdown settings fail on a sample text: {failed}",
            "check the values in `markdown.extension_configs`",
        )
        kwargs.pop("markdown_configs", None)
