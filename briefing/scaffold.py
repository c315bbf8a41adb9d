"""`briefing init` (a new site that builds at once) and `briefing new` (a new briefing)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from briefing import countries
from briefing.config import load_config
from briefing.load import read_site
from briefing.model import Entry, Ref
from briefing.parse import Settings, parse_file
from briefing.problems import Problem, warning
from briefing.registry import Resolver, build_registry
from briefing.text import slugify

# The one build command of the GitHub Pages workflow; the README quotes it.
PAGES_BUILD = 'briefing build --strict --base-url "${{ steps.pages.outputs.base_url }}/"'
CHECK_COMMAND = "briefing check --strict"

WORKFLOW = """\
# Builds the site on every push to main and publishes it with GitHub Pages.
# Settings → Pages → Build and deployment → Source: GitHub Actions.
# Pull requests get `briefing check`, with each problem shown on its line.
name: Publish the briefings

on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages-${{ github.ref }}
  cancel-in-progress: false

env:
  # How to install briefing: a version from a package index, or a Git URL.
  BRIEFING: "%(install)s"

jobs:
  check:
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install "$BRIEFING"
      - run: %(check)s

  build:
    if: github.event_name != 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install "$BRIEFING"
      - id: pages
        uses: actions/configure-pages@v5
      - uses: actions/cache@v4
        with:
          path: .briefing-cache
          key: briefing-${{ hashFiles('briefing.yaml', 'content/**', 'layouts/**') }}
          restore-keys: briefing-
      - run: %(build)s
      - uses: actions/upload-pages-artifact@v5
        with:
          path: output
          include-hidden-files: true

  deploy:
    if: github.event_name != 'pull_request'
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def workflow(install: str) -> str:
    return WORKFLOW % {"install": install, "build": PAGES_BUILD, "check": CHECK_COMMAND}


STRINGS = {
    "es": {
        "title": "Mis informes",
        "description": "Informes breves sobre asuntos internacionales.",
        "briefing_title": "Primer informe",
        "briefing_body": "Un primer informe, escrito con nuestras propias palabras, sobre el trabajo de "
        "Ada Example en {country}, que cita sus fuentes.",
        "person_role": "Persona de ejemplo: edite o borre este archivo",
        "about": "Acerca de",
        "about_body": "Este sitio reúne informes breves. Cada informe cita sus fuentes.",
        "key_points": "Claves",
        "summary_hint": "Qué ha pasado y por qué importa, en dos o tres frases: este primer párrafo es el resumen.",
    },
    "fr": {
        "title": "Mes notes",
        "description": "Notes brèves sur les affaires internationales.",
        "briefing_title": "Première note",
        "briefing_body": "Une première note, écrite avec nos propres mots, sur le travail d'Ada Example "
        "au {country}, qui cite ses sources.",
        "person_role": "Une personne d'exemple : modifiez ou supprimez ce fichier",
        "about": "À propos",
        "about_body": "Ce site rassemble des notes brèves. Chaque note cite ses sources.",
        "key_points": "Points clés",
        "summary_hint": "Ce qui s'est passé et pourquoi c'est important, en deux ou trois phrases : ce premier paragraphe est le résumé.",
    },
    "en": {
        "title": "My briefings",
        "description": "Short briefings on world affairs.",
        "briefing_title": "First briefing",
        "briefing_body": "A first briefing, written in our own words, on the work of Ada Example "
        "in the {country}, citing its sources.",
        "person_role": "An example person: edit or delete this file",
        "about": "About",
        "about_body": "This site collects short briefings. Each briefing cites its sources.",
        "key_points": "Key points",
        "summary_hint": "What happened and why it matters, in two or three sentences: this first paragraph is the summary.",
    },
}


class ScaffoldError(Exception):
    """A usage error: exit status 2."""


def init(folder: Path, language: str = "en", install: str = "briefing") -> list[Path]:
    """A new site in ``folder``: config, a briefing, a person, a page, the workflow, .gitignore."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ScaffoldError(f"{folder} exists and is not empty; choose a new folder")
    words = STRINGS.get(language.split("-")[0], STRINGS["en"])
    files = {
        "briefing.yaml": (
            f"title: {_yaml(words['title'])}\n"
            f"description: {json.dumps(words['description'], ensure_ascii=False)}\n"
            f"language: {language}\n"
            "timezone: UTC\n"
            "# base_url: https://USER.github.io/REPO/   (the Pages workflow passes it for you)\n"
            "menu:\n"
            f"  - {{title: {words['about']}, url: /about.html}}\n"
        ),
        "content/people/ada-example.yaml": (
            f"name: Ada Example\naliases: [Ada]\nrole: {json.dumps(words['person_role'], ensure_ascii=False)}\ncountry: GB\n"
        ),
        "content/briefings/welcome.md": (
            "---\n"
            f"title: {words['briefing_title']}\n"
            "date: 2024-01-15\n"
            "people: [Ada Example]\n"
            "countries: [GB]\n"
            "tags: [example]\n"
            "sources:\n"
            '  - {title: Example source, url: "https://example.org/", publisher: Example}\n'
            "---\n" + words["briefing_body"].format(country=countries.name("GB", language)) + "\n"
        ),
        "content/pages/about.md": f"---\ntitle: {words['about']}\n---\n{words['about_body']}\n",
        "content/static/.gitkeep": "",
        ".github/workflows/pages.yml": workflow(install),
        ".gitignore": "output/\n.briefing-cache/\n",
    }
    written = []
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        written.append(path)
    return written


@dataclass(frozen=True)
class NewBriefing:
    path: Path
    problems: list[Problem]


def new(
    site: Path,
    title: str,
    *,
    people: list[str],
    countries: list[str],
    organizations: list[str],
    tags: list[str],
    lang: str | None,
    today: dt.date,
) -> NewBriefing:
    """Write ``content/briefings/<year>/<slug>.md`` with resolved actor names; never overwrite."""
    if not title.strip():
        raise ScaffoldError("the title is empty")
    config, _ = load_config(site)
    slug = slugify(title)
    path = site / "content" / "briefings" / str(today.year) / f"{slug}.md"
    if path.exists():
        raise ScaffoldError(f"{path} exists already; not overwriting it")
    inputs = read_site(site)
    settings = Settings.of(config)
    entries: list[Entry] = []
    for f in inputs.files:
        if f.kind in ("person", "organization", "country"):
            parsed = parse_file(f.path, f.kind, f.data, settings)
            if parsed.entry:
                entries.append(parsed.entry)
    registry, _ = build_registry(entries, config.language)
    resolver = Resolver(registry)
    problems: list[Problem] = []
    fields: dict[str, list[str]] = {}
    where = path.relative_to(site).as_posix()
    for field, names in (
        ("people", people),
        ("countries", countries),
        ("organizations", organizations),
    ):
        out = []
        for name in names:
            key, found = resolver.resolve(where, Ref(name, field, 0))
            actor = registry.actors.get(key) if key else None
            if actor is None:
                problems.extend(warning(where, 0, p.message, p.hint) for p in found)
                out.append(name)
            elif field == "countries":
                out.append(key[1].upper() if key else name)
            else:
                out.append(actor.entry.name if actor.entry else actor.name)
        fields[field] = out
    words = STRINGS.get((lang or config.language).split("-")[0], STRINGS["en"])
    lines = ["---", f"title: {_yaml(title)}", f"date: {today.isoformat()}"]
    if lang:
        lines.append(f"lang: {lang}")
    for field in ("people", "countries", "organizations"):
        if fields[field]:
            lines.append(f"{field}: [{', '.join(_yaml(v) for v in fields[field])}]")
    if tags:
        lines.append(f"tags: [{', '.join(_yaml(t) for t in tags)}]")
    lines += [
        "sources: []  # one {title, url, publisher, date} per source; a report may have no url",
        "---",
        "",
        f"{words['summary_hint']}",
        "",
        f"## {words['key_points']}",
        "",
        "- ",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    return NewBriefing(path, problems)


def _yaml(value: str) -> str:
    """A YAML scalar that reads back as the same string: plain when safe, else JSON-quoted."""
    plain = " ".join(value.split())
    if _PLAIN.fullmatch(plain) and plain.lower() not in _YAML11_WORDS and not plain[0].isdigit():
        return plain
    return json.dumps(plain, ensure_ascii=False)


# Quoted even though our YAML 1.2 reading keeps them strings, so other YAML tools agree.
_YAML11_WORDS = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"}
_PLAIN = re.compile(r"[^\W\d_][\w .’-]*")
