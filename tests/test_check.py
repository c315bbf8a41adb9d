"""`briefing check`: every build problem plus curation lints, each with its line and a hint."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from briefing.check import distance
from tests.sitekit import run, write_site

REPO = Path(__file__).resolve().parent.parent

SITE = """
-- briefing.yaml --
title: Lints
language: es
base_url: https://example.org/
-- content/people/yoon-suk-yeol.yaml --
name: Yoon Suk-yeol
aliases: [Yoon]
-- content/people/jens-stoltenberg.yaml --
name: Jens Stoltenberg
aliases: [Stoltenberg]
-- content/organizations/nato.yaml --
name: NATO
labels: {es: OTAN}
aliases: [OTAN]
-- content/briefings/uno.md --
---
title: Uno
date: 2023-01-01
people: [Jens Stoltenberg]
organizations: [OTAN]
tags: [seguridad]
sources: ["https://example.com/a"]
---
Stoltenberg habló en nombre de la OTAN.

Después se reunió con Yoon Suk-yeol en Seúl.
-- content/briefings/dos.md --
---
title: Dos
date: 2023-01-02
people: [Jens Stoltenberg, Yoon Suk-you]
tags: [Seguridad]
---
Stoltenberg y Yoon Suk-you hablaron.
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path, SITE)


def check(site: Path, *extra: str) -> tuple[int, str]:
    result = run("check", "--site", site, *extra)
    assert "Traceback" not in result.err
    return result.code, result.err


def test_mentioned_but_not_in_front_matter_points_at_the_mention(site: Path) -> None:
    code, err = check(site)
    assert code == 0
    assert code == 0
    assert (
        "content/briefings/uno.md:11:23: warning: the text mentions Yoon Suk-yeol (person), who is not in the front matter"
        in err
    )


def test_in_front_matter_but_never_mentioned(site: Path) -> None:
    (site / "content/briefings/tres.md").write_text(
        '---\ntitle: Tres\ndate: 2023-01-03\npeople: [Stoltenberg]\ncountries:\n  - JP\nsources: ["https://e.org"]\n---\nStoltenberg viajó.\n',
        "utf-8",
    )
    code, err = check(site)
    assert code == 0
    assert (
        "content/briefings/tres.md:6:1: warning: Japón is in the front matter but the text never mentions them"
        in err
    )


def test_near_miss_of_a_registered_name(site: Path) -> None:
    code, err = check(site)
    assert code == 0
    # In the front matter (an unknown person) and in the text alike.
    assert (
        "content/briefings/dos.md:4:1: warning: `Yoon Suk-you` is 2 edits from `Yoon Suk-yeol`"
        in err
    )
    assert (
        "content/briefings/dos.md:7:1: warning: `Yoon Suk-you` is 2 edits from `Yoon Suk-yeol`"
        not in err
    )  # once per file
    assert (
        "hint: did you mean `Yoon Suk-yeol`? If it is another spelling, add it to `aliases`" in err
    )
    assert distance("yoon suk-you", "yoon suk-yeol") == 2
    assert distance("abc", "abcdef") == 3


def test_tag_spelled_differently(site: Path) -> None:
    _, err = check(site)
    assert (
        "content/briefings/dos.md:5:1: warning: the tag `Seguridad` is written `seguridad`" in err
        or (
            "content/briefings/uno.md:6:1: warning: the tag `seguridad` is written `Seguridad`"
            in err
        )
    )


def test_briefing_without_sources(site: Path) -> None:
    _, err = check(site)
    assert "content/briefings/dos.md:2:1: warning: the briefing cites no sources" in err
    assert "content/briefings/uno.md:2:1: warning: the briefing cites no sources" not in err


def test_source_with_non_http_url(site: Path) -> None:
    (site / "content/briefings/tres.md").write_text(
        '---\ntitle: Tres\ndate: 2023-01-03\npeople: [Stoltenberg]\nsources:\n  - {title: Archivo, url: "ftp://example.org/x"}\n---\nStoltenberg.\n',
        "utf-8",
    )
    _, err = check(site)
    assert "content/briefings/tres.md:6:1: warning: source `ftp://example.org/x` uses `ftp:`" in err


def test_broken_link_between_briefings_is_an_error(site: Path) -> None:
    (site / "content/briefings/tres.md").write_text(
        "---\ntitle: Tres\ndate: 2023-01-03\n---\nVer [[uno]] y [[no-existe]], y [cuatro](cuatro.md).\n",
        "utf-8",
    )
    code, err = check(site)
    assert code == 1
    assert "content/briefings/tres.md:5:1: error: broken link [[no-existe]]" in err
    assert "content/briefings/tres.md:5:1: error: broken link `cuatro.md`" in err


def test_strict_turns_lints_into_errors_and_nothing_is_written(site: Path) -> None:
    code, err = check(site, "--strict")
    assert code == 1
    assert ": error: the briefing cites no sources" in err
    assert not (site / "output").exists()


def test_github_annotations_and_json(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run("check", "--site", site)
    assert (
        "::warning file=content/briefings/dos.md,line=2,col=1::the briefing cites no sources (add `sources:`"
        in result.out
    )
    monkeypatch.delenv("GITHUB_ACTIONS")
    result = run("check", "--site", site, "--format", "json")
    found = json.loads(result.out)
    assert {
        "path": "content/briefings/dos.md",
        "line": 2,
        "col": 1,
        "severity": "warning",
        "message": "the briefing cites no sources",
        "hint": "add `sources:` with what it was written from",
    } in found


def test_example_site_deleting_a_person_points_at_the_mention(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "briefing.yaml", site / "briefing.yaml")
    path = site / "content/briefings/2023/otan-japon-stoltenberg.md"
    text = path.read_text("utf-8")
    assert "  - Fumio Kishida\n" in text or "Fumio Kishida, " in text
    text = text.replace("  - Fumio Kishida\n", "").replace("Fumio Kishida, ", "")
    path.write_text(text, "utf-8")
    lines = text.split("\n")
    body = lines.index("---", 1) + 1
    mention = next(i for i in range(body, len(lines)) if "Kishida" in lines[i]) + 1
    code, err = check(site)
    assert code == 0
    assert code == 0
    assert f"content/briefings/2023/otan-japon-stoltenberg.md:{mention}:" in err
    assert "the text mentions Fumio Kishida (person), who is not in the front matter" in err


def test_check_needs_no_output_folder(site: Path) -> None:
    os.chmod(site, 0o555)
    try:
        code, _ = check(site)
    finally:
        os.chmod(site, 0o755)
    assert code == 0


def test_distance_within_the_band_is_the_whole_levenshtein_distance() -> None:
    """Only cells near the diagonal are worked out: the same answer as the whole table,
    up to the limit, for edits of every kind."""
    import random

    def whole(a: str, b: str) -> int:
        previous = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            current = [i]
            for j, cb in enumerate(b, 1):
                current.append(
                    min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
                )
            previous = current
        return previous[-1]

    rnd = random.Random(3)
    for _ in range(3000):
        a = "".join(rnd.choice("abcd ") for _ in range(rnd.randint(0, 12)))
        b = list(a)
        for _ in range(rnd.randint(0, 4)):  # insertions, deletions and substitutions
            at = rnd.randint(0, len(b))
            kind = rnd.choice("ids") if at < len(b) else "i"
            if kind == "i":
                b.insert(at, rnd.choice("abce"))
            elif kind == "d":
                del b[at]
            else:
                b[at] = rnd.choice("abce")
        edited = "".join(b)
        for limit in (1, 2, 3):
            assert distance(a, edited, limit) == min(whole(a, edited), limit + 1), (a, edited)
