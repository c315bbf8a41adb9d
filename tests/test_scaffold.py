"""`briefing init` and `briefing new`, and the GitHub Pages workflow they share with the README."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from briefing.scaffold import PAGES_BUILD, workflow
from tests.fixture_site import SITE
from tests.sitekit import run, write_site

REPO = Path(__file__).resolve().parent.parent


def test_init_makes_a_site_that_builds_at_once(tmp_path: Path) -> None:
    site = tmp_path / "new"
    result = run("init", site, "--language", "es")
    assert result.code == 0, result.err
    for rel in (
        "briefing.yaml",
        ".gitignore",
        ".github/workflows/pages.yml",
        "content/people/ada-example.yaml",
    ):
        assert (site / rel).is_file(), rel
    built = run("build", "--site", site)
    assert built.code == 0, built.err
    # Without base_url the build says what it leaves out, and still builds.
    assert "no `base_url`" in built.err
    assert (site / "output/index.html").is_file()
    assert not (site / "output/sitemap.xml").exists()
    strict = run("build", "--site", site, "--strict", "--base-url", "https://user.github.io/repo/")
    assert strict.code == 0, strict.err
    assert "https://user.github.io/repo/people/ada-example.html" in (
        site / "output/sitemap.xml"
    ).read_text("utf-8")


def test_init_site_passes_its_own_pull_request_check(tmp_path: Path) -> None:
    for language in ("en", "es", "fr"):
        site = tmp_path / language
        assert run("init", site, "--language", language).code == 0
        result = run("check", "--site", site, "--strict")
        assert result.code == 0, result.err
        assert result.err == ""


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x", "utf-8")
    result = run("init", tmp_path)
    assert result.code == 2
    assert "exists and is not empty" in result.err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def _steps(text: str) -> dict[str, list[dict[str, object]]]:
    data = yaml.safe_load(text)
    return {name: job["steps"] for name, job in data["jobs"].items()}


def test_workflow_parses_and_runs_the_readme_build_command(tmp_path: Path) -> None:
    run("init", tmp_path / "s", "--install", "git+https://github.com/example/briefing")
    text = (tmp_path / "s/.github/workflows/pages.yml").read_text("utf-8")
    steps = _steps(text)
    runs = [s.get("run") for s in steps["build"]]
    assert PAGES_BUILD in runs
    uses = [str(s.get("uses", "")) for s in steps["build"] + steps["deploy"]]
    assert any(u.startswith("actions/configure-pages@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert any(u.startswith("actions/cache@") for u in uses)
    upload = next(
        s
        for s in steps["build"]
        if str(s.get("uses", "")).startswith("actions/upload-pages-artifact@")
    )
    assert upload["with"] == {"path": "output", "include-hidden-files": True}
    assert "briefing check --strict" in [s.get("run") for s in steps["check"]]
    assert yaml.safe_load(text)["env"]["BRIEFING"] == "git+https://github.com/example/briefing"
    readme = (REPO / "README.md").read_text("utf-8")
    commands = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    assert PAGES_BUILD in commands
    # This repository publishes its own example site with the same workflow.
    assert (REPO / ".github/workflows/pages.yml").read_text("utf-8") == workflow(".")


def test_new_writes_resolved_names_and_builds_strict(tmp_path: Path) -> None:
    site = write_site(tmp_path, SITE)
    result = run(
        "new",
        "--site",
        site,
        "Sato y García: ¿nueva etapa?",
        "--people",
        "garcía,佐藤健二",
        "--countries",
        "japon,NOR",
        "--organizations",
        "otan",
        "--tags",
        "Asia, diplomacia",
    )
    assert result.code == 0, result.err
    path = Path(result.out.strip())
    year = dt.date.today().year
    assert path == site / f"content/briefings/{year}/sato-y-garcia-nueva-etapa.md"
    text = path.read_text("utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] == "Sato y García: ¿nueva etapa?"
    assert front["people"] == ["Ana García", "Kenji Sato"]
    assert front["countries"] == ["JP", "NO"]
    assert front["organizations"] == ["NATO"]
    assert front["tags"] == ["Asia", "diplomacia"]
    assert "## " in text
    strict = run("build", "--site", site, "--strict")
    # The fixture has one unregistered person on purpose; nothing else may fail.
    assert [
        line
        for line in strict.err.splitlines()
        if ": error: " in line and "Persona Desconocida" not in line
    ] == []
    again = run("new", "--site", site, "Sato y García: ¿nueva etapa?")
    assert again.code == 2
    assert "exists already; not overwriting it" in again.err
