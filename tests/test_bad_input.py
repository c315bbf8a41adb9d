"""Every way content can be wrong ends in a clear `path:line:col` message, never a
traceback, and never touches the published output. Each case is a row of the
README's "what you wrote → what you see" table (a test below keeps them in step)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefing.problems import Problem
from tests.sitekit import page, run, snapshot, write_site

REPO = Path(__file__).resolve().parent.parent

BASE = """
-- briefing.yaml --
title: Casos
language: es
base_url: https://example.org/
-- content/people/ana-garcia.yaml --
name: Ana García
aliases: [Ana]
-- content/people/ana-b.yaml --
name: Ana Beltrán
aliases: [Ana B]
-- content/briefings/ok.md --
---
title: Bien
date: 2023-01-01
people: [Ana García]
---
Un informe correcto.
"""


@dataclass(frozen=True)
class Case:
    label: str  # as in the README table
    path: str
    text: str | bytes
    code: int
    expect: tuple[str, ...]


CASES = [
    Case(
        "malformed YAML",
        "content/briefings/x.md",
        "---\ntitle: [Roto\ndate: 2023-01-01\n---\nx\n",
        1,
        ("content/briefings/x.md:2:8: error: invalid YAML",),
    ),
    Case(
        "front matter that is not a mapping",
        "content/briefings/x.md",
        "---\n- a\n- b\n---\nx\n",
        1,
        ("content/briefings/x.md:2:1: error: front matter must be a mapping",),
    ),
    Case(
        "missing `title`",
        "content/briefings/x.md",
        "---\ndate: 2023-01-01\n---\nx\n",
        1,
        ("content/briefings/x.md:1:1: error: `title` is required",),
    ),
    Case(
        "empty `date`",
        "content/briefings/x.md",
        "---\ntitle: T\ndate:\n---\nx\n",
        1,
        ("content/briefings/x.md:1:1: error: `date` is required", "YYYY-MM-DD"),
    ),
    Case(
        "impossible date",
        "content/briefings/x.md",
        "---\ntitle: T\ndate: 2023-02-30\n---\nx\n",
        1,
        (
            "content/briefings/x.md:3:1: error: `date`: `2023-02-30` is not a real date",
            "hint: dates are written YYYY-MM-DD",
        ),
    ),
    Case(
        "a string where a list is expected",
        "content/briefings/x.md",
        "---\ntitle: T\ndate: 2023-01-01\ntags: uno\n---\nx\n",
        0,
        ("content/briefings/x.md:4:1: warning: `tags` should be a list; read as one item",),
    ),
    Case(
        "a mapping where a list is expected",
        "content/briefings/x.md",
        "---\ntitle: T\ndate: 2023-01-01\npeople: {a: b}\n---\nx\n",
        1,
        ("content/briefings/x.md:4:1: error: `people` must be a list of names, not a mapping",),
    ),
    Case(
        "unknown key",
        "content/briefings/x.md",
        "---\ntitle: T\ndate: 2023-01-01\npeple: [Ana]\n---\nx\n",
        0,
        (
            "content/briefings/x.md:4:1: warning: unknown key `peple` (ignored)",
            "hint: did you mean `people`?",
        ),
    ),
    Case(
        "unknown actor",
        "content/briefings/x.md",
        "---\ntitle: T\ndate: 2023-01-01\npeople:\n  - Ana Garcís\n---\nx\n",
        0,
        (
            "content/briefings/x.md:5:1: warning: unknown person `Ana Garcís`",
            "hint: did you mean `Ana García`?",
        ),
    ),
    Case(
        "unknown country",
        "content/briefings/x.md",
        "---\ntitle: T\ndate: 2023-01-01\ncountries: [Japn]\n---\nx\n",
        1,
        ("content/briefings/x.md:4:1: error: unknown country `Japn`", "did you mean `Japón`?"),
    ),
    Case(
        "duplicate slugs",
        "content/briefings/sub/ok.md",
        "---\ntitle: Otro\ndate: 2023-01-02\n---\nx\n",
        1,
        ("error: duplicate slug `ok`", "content/briefings/ok.md", "content/briefings/sub/ok.md"),
    ),
    Case(
        "unsafe slug `../x`",
        "content/briefings/x.md",
        "---\ntitle: T\ndate: 2023-01-01\nslug: ../x\n---\nx\n",
        1,
        ("content/briefings/x.md:4:1: error: unsafe slug `../x`",),
    ),
    Case(
        "unsafe slug (absolute path)",
        "content/briefings/x.md",
        "---\ntitle: T\ndate: 2023-01-01\nslug: /etc/passwd\n---\nx\n",
        1,
        ("content/briefings/x.md:4:1: error: unsafe slug `/etc/passwd`",),
    ),
    Case(
        "non-UTF-8 file",
        "content/briefings/x.md",
        b"---\ntitle: Caf\xe9\ndate: 2023-01-01\n---\nx\n",
        1,
        ("content/briefings/x.md:2:11: error: not valid UTF-8 (byte offset 14",),
    ),
    Case(
        "empty file",
        "content/briefings/x.md",
        "",
        1,
        ("content/briefings/x.md:1:1: error: empty file",),
    ),
    Case(
        "no front matter",
        "content/briefings/x.md",
        "Solo texto.\n",
        1,
        ("content/briefings/x.md:1:1: error: no front matter",),
    ),
    Case(
        "`javascript:` source",
        "content/briefings/x.md",
        "---\ntitle: T\ndate: 2023-01-01\nsources:\n  - javascript:alert(1)\n---\nx\n",
        1,
        (
            "content/briefings/x.md:5:1: error: source `javascript:alert(1)`: javascript: URLs are not allowed",
        ),
    ),
    Case(
        "`draft` that is not true/false",
        "content/briefings/x.md",
        "---\ntitle: T\ndate: 2023-01-01\ndraft: yes\n---\nx\n",
        1,
        ("content/briefings/x.md:4:1: error: `draft` is `true` or `false`, not `yes`",),
    ),
    Case(
        "a date out of range",
        "content/briefings/x.md",
        "---\ntitle: T\ndate: 0001-01-01T00:00:00+01:00\n---\nx\n",
        1,
        ("content/briefings/x.md:3:1: error: `date`: `0001-01-01T00:00:00+01:00` is out of range",),
    ),
    Case(
        "`base_url` that is not a URL",
        "briefing.yaml",
        "title: Casos\nlanguage: es\nbase_url: 'https://[::1/'\n",
        1,
        ("briefing.yaml:3:1: error: `base_url` must be an http(s) URL",),
    ),
    Case(
        "Markdown settings of the wrong type",
        "briefing.yaml",
        "title: Casos\nlanguage: es\nmarkdown:\n  extension_configs:\n"
        "    footnotes: {BACKLINK_TEXT: [1]}\n",
        1,
        (
            "briefing.yaml:3:1: error: the Markdown settings fail on a sample text: TypeError",
            "check the values in `markdown.extension_configs`",
        ),
    ),
    Case(
        "a control character in a value",
        "content/briefings/x.md",
        '---\ntitle: "Ti\\x01tulo"\ndate: 2023-01-01\n---\nx\n',
        1,
        ("content/briefings/x.md:2:8: error: a control character (U+0001) that no page can show",),
    ),
    Case(
        "a control character in a body",
        "content/briefings/x.md",
        "---\ntitle: T\ndate: 2023-01-01\n---\nUna línea\r\ncon \x1b[31m color.\n",
        1,
        (
            "content/briefings/x.md:6:5: error: a control character (U+001B) that no page can show",
            "hint: delete it",
        ),
    ),
    Case(
        "a menu link that is not a site path or an http(s) or mailto URL",
        "briefing.yaml",
        "title: Casos\nlanguage: es\nmenu:\n  - {title: A, url: 'javascript:alert(1)'}\n"
        "  - {title: B, url: '\\\\otro.example/x'}\n  - {title: C, url: /about.html}\n",
        1,
        (
            "briefing.yaml:3:1: error: menu link `javascript:alert(1)`: only site paths, http(s)"
            " and mailto links are allowed",
            "briefing.yaml:3:1: error: menu link `\\\\otro.example/x`: a site path is written"
            " with `/`, as `/about.html`",
        ),
    ),
    Case(
        "a `javascript:` link in a body",
        "content/briefings/x.md",
        "---\ntitle: T\ndate: 2023-01-01\n---\nUn [enlace](javascript:alert(1)).\n",
        0,
        (
            "content/briefings/x.md:5:1: warning: `javascript:alert(1)`: javascript: URLs are"
            " not allowed; it is left out",
        ),
    ),
    Case(
        "broken link from the site's root",
        "content/briefings/x.md",
        "---\ntitle: T\ndate: 2023-01-01\n---\nVer [otro](/otros/nada.html).\n",
        1,
        (
            "content/briefings/x.md:5:1: error: broken link `/otros/nada.html`: the site has"
            " no otros/nada.html",
        ),
    ),
    Case(
        "broken relative link",
        "content/briefings/x.md",
        "---\ntitle: T\ndate: 2023-01-01\n---\nVer [otro](otro.md).\n",
        1,
        ("content/briefings/x.md:5:1: error: broken link `otro.md`",),
    ),
]


def _site(tmp_path: Path, case: Case) -> Path:
    site = write_site(tmp_path / "site", BASE)
    target = site / case.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(case.text, bytes):
        target.write_bytes(case.text)
    else:
        target.write_text(case.text, "utf-8")
    return site


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_case(tmp_path: Path, case: Case) -> None:
    site = _site(tmp_path, case)
    result = run("build", "--site", site)
    assert "Traceback" not in result.err
    for fragment in case.expect:
        assert fragment in result.err
    assert result.code == case.code, result.err
    if case.code == 1:
        assert not (site / "output").exists()


def test_ambiguous_reference_names_every_candidate(tmp_path: Path) -> None:
    site = write_site(tmp_path, BASE)
    (site / "content/people/ana-c.yaml").write_text("name: Ana Castro\naliases: [Ana]\n", "utf-8")
    (site / "content/briefings/x.md").write_text(
        "---\ntitle: T\ndate: 2023-01-01\npeople: [ana]\n---\nx\n", "utf-8"
    )
    result = run("build", "--site", site)
    assert result.code == 1
    assert (
        "content/briefings/x.md:4:1: error: `ana` is ambiguous: Ana Castro (content/people/ana-c.yaml); Ana García (content/people/ana-garcia.yaml)"
        in result.err
    )


def test_problems_are_collected_sorted_and_counted(tmp_path: Path) -> None:
    site = write_site(tmp_path, BASE)
    (site / "content/briefings/b.md").write_text(
        "---\ntitle: T\ndate: 2023-13-01\n---\nx\n", "utf-8"
    )
    (site / "content/briefings/a.md").write_text(
        "---\ndate: 2023-01-01\npeple: []\n---\nx\n", "utf-8"
    )
    result = run("build", "--site", site)
    lines = [
        line for line in result.err.splitlines() if ": error: " in line or ": warning: " in line
    ]
    assert lines == sorted(lines)
    assert [line.split(":")[0] for line in lines] == [
        "content/briefings/a.md",
        "content/briefings/a.md",
        "content/briefings/b.md",
    ]
    assert "2 errors and 1 warning." in result.err


def test_bom_and_crlf_are_valid(tmp_path: Path) -> None:
    site = write_site(tmp_path, BASE)
    (site / "content/briefings/x.md").write_bytes(
        "\ufeff---\r\ntitle: Con BOM\r\ndate: 2023-01-01\r\npeople: [Ana]\r\n---\r\nTexto de Ana García.\r\n".encode()
    )
    result = run("build", "--site", site, "--strict")
    assert result.code == 0, result.err
    html = (site / "output/briefings/x.html").read_text("utf-8")
    assert "Con BOM" in html and "\r" not in html


def test_symlink_leaving_the_site_is_refused(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", BASE)
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secreto\ndate: 2023-01-01\n---\nclave\n", "utf-8")
    os.symlink(secret, site / "content/briefings/link.md")
    result = run("build", "--site", site)
    assert result.code == 1
    assert (
        "content/briefings/link.md: error: symbolic link leads outside the site folder; refused"
        in result.err
    )


def test_walk_follows_links_inside_skips_hidden_and_backups_refuses_links_out(
    tmp_path: Path,
) -> None:
    from briefing.load import walk

    site = tmp_path / "site"
    root = site / "content/briefings"
    (root / "2024/b").mkdir(parents=True)
    (site / "elsewhere").mkdir()
    (tmp_path / "outside").mkdir()
    for rel in ("2024/b/z.md", "2024/a.md", "2024-x.md", "2024/.hidden.md", "2024/a.md~"):
        (root / rel).write_text("x", "utf-8")
    (root / ".git").mkdir()
    (root / ".git/HEAD.md").write_text("x", "utf-8")
    (site / "elsewhere/in.md").write_text("x", "utf-8")
    (tmp_path / "outside/out.md").write_text("x", "utf-8")
    os.symlink(site / "elsewhere", root / "inside")
    os.symlink(tmp_path / "outside", root / "out")
    os.symlink(tmp_path / "missing.md", root / "broken.md")
    problems: list[Problem] = []
    found = [p.relative_to(root).as_posix() for p in walk(root, site, problems)]
    assert found == ["2024/a.md", "2024/b/z.md", "2024-x.md", "inside/in.md"]
    assert sorted((p.path, p.message) for p in problems) == [
        ("content/briefings/broken.md", "symbolic link leads outside the site folder; refused"),
        ("content/briefings/out", "symbolic link leads outside the site folder; refused"),
    ]
    hidden = [p.name for p in walk(root / "2024", site, [], hidden=True)]
    assert hidden == [".hidden.md", "a.md", "z.md"]


def test_five_megabyte_briefing_builds(tmp_path: Path) -> None:
    site = write_site(tmp_path, BASE)
    paragraph = "Ana García habló largo y tendido sobre la seguridad regional. " * 20 + "\n\n"
    body = paragraph * (5_000_000 // len(paragraph))
    (site / "content/briefings/big.md").write_text(
        f"---\ntitle: Grande\ndate: 2023-01-02\n---\n{body}", "utf-8"
    )
    result = run("build", "--site", site, "--quiet")
    assert result.code == 0, result.err
    assert (site / "output/briefings/big.html").stat().st_size > 5_000_000


def test_a_line_of_many_brackets_builds_at_once(tmp_path: Path) -> None:
    """Python-Markdown alone took an hour on it (see ``markup._bracket_text``)."""
    import time

    site = write_site(tmp_path, BASE)
    (site / "content/briefings/brackets.md").write_text(
        "---\ntitle: Corchetes\ndate: 2023-01-02\n---\nUno " + "[" * 100_000 + " dos\n", "utf-8"
    )
    started = time.perf_counter()
    result = run("build", "--site", site, "--quiet", "--jobs", "1")
    assert time.perf_counter() - started < 20
    assert result.code == 0, result.err
    text = page(site / "output", "briefings/brackets.html").text
    assert "Uno " + "[" * 100_000 + " dos" in text


def test_deeply_nested_markdown_does_not_crash(tmp_path: Path) -> None:
    site = write_site(tmp_path, BASE)
    nested = "> " * 3000 + "hondo\n\n" + "".join("  " * i + "- x\n" for i in range(400))
    (site / "content/briefings/deep.md").write_text(
        f"---\ntitle: Hondo\ndate: 2023-01-02\n---\n{nested}", "utf-8"
    )
    result = run("build", "--site", site, "--quiet")
    assert "Traceback" not in result.err
    assert result.code in (0, 1)
    if result.code == 1:
        assert "content/briefings/deep.md:5:1: error:" in result.err


def test_broken_template_names_file_line_and_page(tmp_path: Path) -> None:
    site = write_site(tmp_path, BASE)
    (site / "layouts").mkdir()
    (site / "layouts/page.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n{{ nope.attr }}\n{% endblock %}\n", "utf-8"
    )
    (site / "content/pages").mkdir()
    (site / "content/pages/acerca.md").write_text("---\ntitle: Acerca\n---\nHola\n", "utf-8")
    result = run("build", "--site", site)
    assert result.code == 1
    assert "layouts/page.html:3:1: error: UndefinedError: 'nope' is undefined" in result.err
    assert "hint: while rendering acerca.html" in result.err
    (site / "layouts/page.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}\n{% if %}\n", "utf-8"
    )
    result = run("build", "--site", site)
    assert result.code == 1
    assert "layouts/page.html:3:1: error: template syntax error" in result.err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_template_that_is_not_utf8_is_reported_not_raised(tmp_path: Path, jobs: str) -> None:
    """With two jobs the common templates are compiled ahead in a second process: one that
    cannot even be read is still reported where it is rendered, as with one job."""
    site = write_site(tmp_path, BASE)
    (site / "layouts").mkdir()
    (site / "layouts/briefing.html").write_bytes(
        b"{% extends 'base.html' %}\xff\xfe{% block main %}x{% endblock %}"
    )
    result = run("build", "--site", site, "--jobs", jobs)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert "briefing.html: error: UnicodeDecodeError" in result.err
    assert "hint: while rendering briefings/" in result.err


# -- never lose the published site ------------------------------------------------


def test_failed_build_leaves_output_byte_for_byte(tmp_path: Path) -> None:
    site = write_site(tmp_path, BASE)
    assert run("build", "--site", site, "--quiet").code == 0
    before = snapshot(site / "output")
    (site / "content/briefings/ok.md").write_text(
        "---\ntitle: Cambiado\ndate: 2023-01-01\n---\nOtro texto.\n", "utf-8"
    )
    (site / "content/briefings/bad.md").write_text("---\ntitle: [roto\n---\n", "utf-8")
    result = run("build", "--site", site)
    assert result.code == 1
    assert "content/briefings/bad.md:2:8: error: invalid YAML" in result.err
    assert snapshot(site / "output") == before


def test_a_template_error_leaves_output_byte_for_byte_and_no_staged_page(
    tmp_path: Path,
) -> None:
    """Pages are staged while they render; a page that fails to render leaves neither the
    pages staged before it nor the staging folder behind."""
    site = write_site(tmp_path, BASE)
    assert run("build", "--site", site, "--quiet").code == 0
    before = snapshot(site / "output")
    (site / "layouts").mkdir()
    (site / "layouts/briefing.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}{{ nope.attr }}{% endblock %}\n", "utf-8"
    )
    (site / "content/briefings/ok.md").write_text(
        "---\ntitle: Cambiado\ndate: 2023-01-01\n---\nOtro texto.\n", "utf-8"
    )
    result = run("build", "--site", site)
    assert result.code == 1
    assert "layouts/briefing.html:2:1: error: UndefinedError" in result.err
    assert snapshot(site / "output") == before
    assert not (site / "output/.briefing-staging").exists()


def test_staging_left_by_a_killed_build_is_cleared(tmp_path: Path) -> None:
    site = write_site(tmp_path, BASE)
    staged = site / "output/.briefing-staging"
    staged.mkdir(parents=True)
    (staged / "17").write_bytes(b"<html>half a page")
    result = run("build", "--site", site, "--quiet")
    assert result.code == 0, result.err
    assert not staged.exists()
    assert (site / "output/index.html").exists()


def test_foreign_files_survive_and_stale_files_go(tmp_path: Path) -> None:
    site = write_site(tmp_path, BASE)
    (site / "content/briefings/extra.md").write_text(
        "---\ntitle: Extra\ndate: 2023-01-05\n---\nx\n", "utf-8"
    )
    assert run("build", "--site", site, "--quiet").code == 0
    out = site / "output"
    (out / "CNAME").write_text("example.org\n", "utf-8")
    (out / ".git").mkdir()
    (out / ".git/HEAD").write_text("ref: refs/heads/gh-pages\n", "utf-8")
    (site / "content/briefings/extra.md").unlink()
    result = run("build", "--site", site)
    assert result.code == 0, result.err
    assert not (out / "briefings/extra.html").exists()
    assert (out / "CNAME").read_text("utf-8") == "example.org\n"
    assert (out / ".git/HEAD").is_file()


def test_generated_file_never_overwrites_a_foreign_one(tmp_path: Path) -> None:
    site = write_site(tmp_path, BASE)
    assert run("build", "--site", site, "--quiet").code == 0
    (site / "output/CNAME").write_text("mine\n", "utf-8")
    (site / "content/static").mkdir()
    (site / "content/static/CNAME").write_text("theirs\n", "utf-8")
    result = run("build", "--site", site)
    assert result.code == 1
    assert "CNAME exists and was not generated by briefing; not overwriting it" in result.err
    assert (site / "output/CNAME").read_text("utf-8") == "mine\n"


@pytest.mark.parametrize(
    ("setting", "fragment"),
    [
        ("toc: {slugify: x}", "TypeError: 'str' object is not callable"),
        ("codehilite: {pygments_style: no_such_style}", "ClassNotFound"),
        ("toc: {permalink: true}", None),
    ],
)
def test_markdown_settings_are_tried_before_the_build(
    tmp_path: Path, setting: str, fragment: str | None
) -> None:
    """Settings that fail only on a text that uses them are found on a sample text, at
    the config's line, before any briefing is converted; good ones build."""
    site = write_site(tmp_path / "site", BASE)
    config = site / "briefing.yaml"
    config.write_text(
        config.read_text("utf-8") + f"markdown:\n  extension_configs:\n    {setting}\n", "utf-8"
    )
    result = run("build", "--site", site)
    assert "Traceback" not in result.err
    if fragment is None:
        assert result.code == 0, result.err
    else:
        assert result.code == 1
        assert (
            f"briefing.yaml:4:1: error: the Markdown settings fail on a sample text: {fragment}"
            in result.err
        )


@pytest.mark.parametrize("when", ["first build", "rebuild"])
def test_a_static_file_never_replaces_a_generated_page(tmp_path: Path, when: str) -> None:
    """Whether the page is made now or kept from the last build (unchanged, not even
    rendered again), a static file at its path is an error and the page stays."""
    site = write_site(tmp_path, BASE)
    if when == "rebuild":
        assert run("build", "--site", site, "--quiet").code == 0
    page = site / "output/briefings/ok.html"
    before = page.read_bytes() if when == "rebuild" else None
    (site / "content/static/briefings").mkdir(parents=True)
    (site / "content/static/briefings/ok.html").write_text("y", "utf-8")
    result = run("build", "--site", site)
    assert result.code == 1
    assert "`briefings/ok.html` is also a page the site generates" in result.err
    assert "Traceback" not in result.err
    if before is not None:
        assert page.read_bytes() == before
    else:
        assert not page.exists()


def test_foreign_non_empty_output_is_refused(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", BASE)
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("precious\n", "utf-8")
    result = run("build", "--site", site, "--output", home)
    assert result.code == 2
    assert "is not empty and was not made by briefing" in result.err
    assert sorted(p.name for p in home.iterdir()) == ["notes.txt"]


def test_output_home_deletes_nothing(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", BASE)
    home = tmp_path / "home"
    (home / "docs").mkdir(parents=True)
    (home / "docs/a.txt").write_text("a", "utf-8")
    env = {**os.environ, "HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-m", "briefing", "build", "--site", str(site), "--output", "~"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert sorted(p.relative_to(home).as_posix() for p in home.rglob("*")) == ["docs", "docs/a.txt"]


def test_two_builds_cannot_interleave(tmp_path: Path) -> None:
    from briefing.write import OutputRefused, locked

    out = tmp_path / "out"
    entered = threading.Event()
    release = threading.Event()
    errors: list[str] = []

    def hold() -> None:
        with locked(out):
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    entered.wait(5)
    try:
        with locked(out):
            errors.append("second build got the lock")
    except OutputRefused as exc:
        assert "another build is writing to" in str(exc)
    finally:
        release.set()
        thread.join()
    assert errors == []


def test_readme_lists_every_case() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    labels = [c.label for c in CASES] + [
        "ambiguous alias",
        "UTF-8 BOM, CRLF line endings",
        "symbolic link leaving the site",
        "a 5 MB briefing",
        "deeply nested Markdown",
        "a line of 100,000 `[`",
        "broken template in `layouts/`",
        "output folder not made by briefing",
        "a file in `output/` briefing did not make",
        "two builds at once",
        "one old slug in two files' `redirect_from`",
        "`redirect_from` with folders",
    ]
    missing = [label for label in labels if f"| {label} |" not in readme]
    assert missing == []


def test_suggestions_follow_the_registry_across_cached_builds(tmp_path: Path) -> None:
    """ "Did you mean" answers are kept between builds, but only while the names are the same."""
    site = write_site(tmp_path, BASE)
    (site / "content/briefings/x.md").write_text(
        "---\ntitle: T\ndate: 2023-01-02\npeople: [Ana Garcís]\n---\nx\n", "utf-8"
    )
    first = run("build", "--site", site)
    assert first.code == 0
    assert "hint: did you mean `Ana García`?" in first.err
    ana = site / "content/people/ana-garcia.yaml"
    ana.write_text("name: Ana Garcés\naliases: [Ana]\n", "utf-8")
    second = run("build", "--site", site)
    assert second.code == 0
    assert "hint: did you mean `Ana Garcés`?" in second.err
    assert "Ana García`?" not in second.err
    # a name as close, added beside it, wins the tie (the greater of the two folded)
    (site / "content/people/ana-garciz.yaml").write_text("name: Ana Garcíz\n", "utf-8")
    third = run("build", "--site", site)
    assert third.code == 0
    assert "hint: did you mean `Ana Garcíz`?" in third.err
    fresh = run("build", "--site", site, "--no-cache", "--output", tmp_path / "fresh")
    assert [line for line in fresh.err.splitlines() if "did you mean" in line] == [
        line for line in third.err.splitlines() if "did you mean" in line
    ]


REDIRECTS = """
-- briefing.yaml --
title: Casos
language: es
-- content/people/ana-garcia.yaml --
name: Ana García
redirect_from: [ana-b, ana-vieja]
-- content/people/ana-b.yaml --
name: Ana Beltrán
-- content/pages/about.md --
---
title: Acerca de
redirect_from: [metodo, acerca]
---
Quiénes somos.
-- content/pages/metodo.md --
---
title: Método
---
Cómo trabajamos.
-- content/briefings/uno.md --
---
title: Uno
date: 2023-01-01
redirect_from: [viejo]
---
Texto.
-- content/briefings/dos.md --
---
title: Dos
date: 2023-01-02
redirect_from: [nuevo, viejo]
---
Texto.
"""


def test_redirects_that_cannot_be_made_are_errors_naming_their_files(tmp_path: Path) -> None:
    """An old address two files redirect, or where a page of the site is (another
    actor's, a page's, an index of a folder): each an error at its file's
    `redirect_from`, and nothing written. Each was dropped without a word. The pages'
    addresses are known once the pages are made: `briefing check` tells all at once, a
    build once the content has no other error, as it does of a template's."""
    text = REDIRECTS.replace("[ana-b, ana-vieja]", "[ana-b, index, ana-vieja]")
    site = write_site(tmp_path / "site", text)
    duplicate = (
        "content/briefings/uno.md:4:1: error: `redirect_from: viejo`: content/briefings/dos.md"
        " redirects briefings/viejo.html too"
    )
    clashes = [
        "content/pages/about.md:3:1: error: `redirect_from: metodo`: metodo.html is a page of"
        " the site",
        "content/people/ana-garcia.yaml:2:1: error: `redirect_from: ana-b`: people/ana-b.html"
        " is a page of the site",
        "content/people/ana-garcia.yaml:2:1: error: `redirect_from: index`: people/index.html"
        " is a page of the site",
    ]

    def errors(*argv: str | Path) -> list[str]:
        result = run(*argv, "--site", site)
        assert result.code == 1 and "Traceback" not in result.err
        return [line for line in result.err.splitlines() if ": error: " in line]

    assert errors("check") == [duplicate, *clashes]
    assert errors("build") == [duplicate]
    _edit_file(site / "content/briefings/uno.md", "[viejo]", "[otro-viejo]")
    assert errors("build") == clashes
    assert not (site / "output").exists()


def _edit_file(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_redirects_of_pages_and_of_old_addresses_with_folders(tmp_path: Path) -> None:
    """A free page's old slugs redirect from the site's root; an old address written with
    folders is read as its slug, with a warning that says where the redirect is made."""
    text = (
        REDIRECTS.replace("redirect_from: [ana-b, ana-vieja]", "redirect_from: [ana-vieja]")
        .replace("redirect_from: [metodo, acerca]", "redirect_from: [acerca, /viejo/quienes.html]")
        .replace("redirect_from: [viejo]", "redirect_from: [/2019/05/antiguo.html]")
    )
    site = write_site(tmp_path / "site", text)
    result = run("build", "--site", site)
    assert result.code == 0, result.err
    assert (
        "content/briefings/uno.md:4:1: warning: `redirect_from: /2019/05/antiguo.html` is read"
        " as the old slug `antiguo`: the redirect is made at briefings/antiguo.html"
    ) in result.err
    assert "the redirect is made at quienes.html" in result.err
    out = site / "output"
    for old, new in [
        ("acerca.html", "about.html"),
        ("quienes.html", "about.html"),
        ("briefings/antiguo.html", "uno.html"),
        ("briefings/viejo.html", "dos.html"),
        ("people/ana-vieja.html", "ana-garcia.html"),
    ]:
        refresh = page(out, old).find("meta", **{"http-equiv": "refresh"})
        assert refresh.attrs["content"] == f"0; url={new}", old
    assert not (out / "2019").exists()


ROOTS = """
-- briefing.yaml --
title: Raíces
language: es
base_url: https://example.org/
-- content/people/ana-garcia.yaml --
name: Ana García
-- content/static/img/mi foto.png --
png
-- content/pages/about.md --
---
title: Acerca
---
Ver [la cronología](/timeline/index.html) y [la búsqueda](/search.html?q=ana#arriba).
-- content/briefings/uno.md --
---
title: Uno
date: 2023-01-01
people: [Ana García]
---
A [Ana](/people/ana-garcia.html), [las personas](/people/), [el inicio](/),
[el feed](/feed.xml), ![foto](/img/mi%20foto.png), [el índice](/search/index.js)
y [dos](/briefings/dos.html).
-- content/briefings/dos.md --
---
title: Dos
date: 2023-01-02
---
Texto.
"""


def test_links_from_the_root_to_what_the_site_has_build(tmp_path: Path) -> None:
    """Pages, folders, feeds, static files (a name with a space, percent-encoded), the
    search index, with a query or a fragment: all of them the built site has."""
    site = write_site(tmp_path / "site", ROOTS)
    result = run("build", "--site", site)
    assert result.code == 0, result.err
    assert "broken" not in result.err
    links = [a.attrs["href"] for a in page(site / "output", "briefings/uno.html").find_all("a")]
    assert "../people/index.html" in links and "dos.html" in links
    assert run("check", "--site", site).code == 0


def test_a_root_link_to_a_page_gone_is_an_error_in_every_later_build(tmp_path: Path) -> None:
    """The link's body is finished once and cached; its root links are checked again by
    every build, against the paths the site has then (and by `briefing check`)."""
    site = write_site(tmp_path / "site", ROOTS)
    assert run("build", "--site", site).code == 0
    before = snapshot(site / "output")
    (site / "content/briefings/dos.md").unlink()
    for _ in range(2):
        result = run("build", "--site", site)
        assert result.code == 1
        assert (
            "content/briefings/uno.md:8:1: error: broken link `/briefings/dos.html`: the site"
            " has no briefings/dos.html"
        ) in result.err
        assert snapshot(site / "output") == before
    checked = run("check", "--site", site)
    assert "content/briefings/uno.md:8:1: error: broken link `/briefings/dos.html`" in checked.err


def test_a_root_link_to_a_folder_or_a_missing_image_says_what_to_write(tmp_path: Path) -> None:
    text = ROOTS.replace("y [dos](/briefings/dos.html).", "y [gente](/people) ![mapa](/mapa.png).")
    site = write_site(tmp_path / "site", text)
    result = run("build", "--site", site)
    assert result.code == 1
    assert (
        "content/briefings/uno.md:8:1: error: broken link `/people`: the site has no people\n"
        "  hint: `/people` is a folder: write `/people/`, which works from disk too"
    ) in result.err
    assert (
        "content/briefings/uno.md:8:1: error: broken image `/mapa.png`: the site has no mapa.png"
    ) in result.err
