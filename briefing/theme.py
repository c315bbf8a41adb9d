"""The theme: templates, UI strings and assets, the site's layouts/ over the default.

Reading it is part of loading; its digest is part of every page fingerprint,
so editing a template re-renders the pages and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, get_month_names

from briefing import charts, countries, worldmap, yamlio
from briefing.load import theme_dirs
from briefing.problems import Problem, error
from briefing.text import digest, primary

RTL_FALLBACK = {"ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"}


@dataclass(frozen=True)
class Theme:
    dirs: tuple[Path, ...]
    strings: dict[str, dict[str, str]]  # language -> key -> text
    digest: str

    def has_language(self, lang: str | None) -> bool:
        return bool(lang) and primary(lang or "") in self.strings

    def words(self, lang: str) -> dict[str, str]:
        base = dict(self.strings.get("en", {}))
        base.update(self.strings.get(primary(lang), {}))
        return base


def load_theme(site: Path) -> tuple[Theme, list[Problem]]:
    problems: list[Problem] = []
    dirs = tuple(theme_dirs(site))
    strings: dict[str, dict[str, str]] = {}
    parts: list[str | bytes] = []
    for folder in reversed(dirs):
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or any(p.startswith(".") for p in path.relative_to(folder).parts):
                continue
            rel = path.relative_to(folder).as_posix()
            data = path.read_bytes()
            parts.extend((rel, data))
            if rel.startswith("i18n/") and path.suffix in (".yaml", ".yml"):
                shown = _shown(path, site)
                try:
                    doc = yamlio.load(data.decode("utf-8-sig"))
                except (UnicodeDecodeError, yamlio.YamlError) as exc:
                    line = getattr(exc, "line", 1)
                    problems.append(error(shown, line, f"cannot read UI strings: {exc}"))
                    continue
                if not isinstance(doc.data, dict):
                    problems.append(error(shown, 1, "UI strings must be a mapping of key: text"))
                    continue
                lang = primary(path.stem)
                table = strings.setdefault(lang, {})
                table.update({str(k): str(v) for k, v in doc.data.items()})
    return Theme(dirs, strings, digest(*parts)), problems


def _shown(path: Path, site: Path) -> str:
    try:
        return path.relative_to(site).as_posix()
    except ValueError:
        return "(default theme) " + path.name


@cache
def _locale(lang: str) -> Locale:
    return countries.locale(lang)


@cache
def is_rtl(lang: str) -> bool:
    """Asked of every card a page lists: Babel's locale data costs microseconds a time."""
    try:
        return _locale(lang).character_order == "right-to-left"
    except (UnknownLocaleError, ValueError):
        return primary(lang) in RTL_FALLBACK


@lru_cache(maxsize=8192)
def long_date(value: dt.date, lang: str) -> str:
    """ "31 de enero de 2023", "January 31, 2023" (Babel takes ~30 µs, and a big site shows
    the same few thousand dates on many pages)."""
    try:
        return str(format_date(value, format="long", locale=_locale(lang)))
    except (UnknownLocaleError, ValueError):
        return value.isoformat()


@lru_cache(maxsize=1024)
def month_name(month: int, lang: str) -> str:
    names: Any = get_month_names("wide", context="stand-alone", locale=_locale(lang))
    return str(names[month])


@lru_cache(maxsize=8192)
def month_label(year: int, month: int, lang: str) -> str:
    """Asked for each bar of every actor's activity chart: a few hundred distinct."""
    name = month_name(month, lang)
    if primary(lang) == "es":
        return f"{name} de {year}"
    return f"{name} {year}"


def language_name(code: str, in_lang: str) -> str:
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(_locale(in_lang))
    except (UnknownLocaleError, ValueError):
        return code
    return str(name) if name else code


def generated_css() -> dict[str, bytes]:
    """Stylesheets made from code: Pygments' token colours, and the pictures' styles."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="friendly").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    dark = HtmlFormatter(style="monokai").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    pygments_css = f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    figures = charts.CHARTS_CSS + "\n" + worldmap.MAP_CSS
    return {"assets/pygments.css": pygments_css.encode(), "assets/figures.css": figures.encode()}
