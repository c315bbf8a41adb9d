"""The benchmark's synthetic corpus (bench/corpus.py) and its runner (bench/run.py), at small sizes."""

from __future__ import annotations

import importlib.util
import os
import re
import statistics
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from types import ModuleType

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
N = 50


def _load_corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_corpus", BENCH / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus()


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "site"
    corpus.generate(root, N)
    return root


def briefings(root: Path) -> list[tuple[Path, dict[str, object], str]]:
    out = []
    for path in sorted((root / "content" / "briefings").rglob("*.md")):
        front, rest = corpus.split_front_matter(path.read_text(encoding="utf-8"))
        out.append((path, yaml.safe_load(front), rest))
    return out


def registry(root: Path) -> dict[str, str]:
    """Folded id, name, alias and label -> "kind/id", asserting that no two actors share one."""
    keys: dict[str, str] = {}
    for kind in ("people", "organizations"):
        for path in sorted((root / "content" / kind).glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            owner = f"{kind}/{path.stem}"
            texts = [path.stem, data["name"], *data.get("aliases", [])]
            texts += list(data.get("labels", {}).values())
            for text in texts:
                key = corpus.fold(text)
                assert keys.get(key, owner) == owner, f"{text!r}: {owner} and {keys[key]}"
                keys[key] = owner
    return keys


def test_same_n_and_seed_give_byte_identical_files(site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    corpus.generate(again, N)
    assert tree(again) == tree(site)


def test_files_do_not_depend_on_the_hash_seed(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "other"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, str(BENCH / "corpus.py"), str(out), str(N)], env=env, check=True
    )
    assert tree(out) == tree(site)


def test_another_seed_gives_another_corpus(site: Path, tmp_path: Path) -> None:
    other = tmp_path / "seed2"
    corpus.generate(other, N, seed=2)
    assert tree(other) != tree(site)


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("mine")
    with pytest.raises(FileExistsError):
        corpus.generate(tmp_path, N)
    assert [p.name for p in tmp_path.iterdir()] == ["x"]


def test_file_counts_and_site_config(site: Path) -> None:
    plan = corpus.plan(N)
    assert len(briefings(site)) == N
    people = list((site / "content" / "people").glob("*.yaml"))
    assert len(people) == len(plan.registered) == round(0.8 * len(plan.people))
    organizations = list((site / "content" / "organizations").glob("*.yaml"))
    assert len(organizations) == len(corpus.ORGANIZATIONS) >= 30
    config = yaml.safe_load((site / "briefing.yaml").read_text(encoding="utf-8"))
    assert config["language"] == "es"
    assert config["base_url"] == "https://example.org/"
    assert config["title"]


def test_front_matter_follows_the_content_contract(site: Path) -> None:
    days = set()
    summaries = 0
    for path, data, rest in briefings(site):
        assert set(data) <= {
            "title", "date", "summary", "lang", "people", "countries", "organizations", "tags",
            "sources",
        }  # fmt: skip
        assert isinstance(data["title"], str) and data["title"]
        when = data["date"]
        assert isinstance(when, date)
        day = when.date() if isinstance(when, datetime) else when
        assert date(2026, 6, 26) <= day <= date(2026, 6, 30)  # ~N/10 days
        assert path.parent.name == str(day.year)
        days.add(day)
        summaries += "summary" in data
        assert data.get("lang", "en") == "en"
        assert 2 <= len(data["people"]) <= 8
        assert 1 <= len(data["countries"]) <= 6
        assert 0 <= len(data.get("organizations", [])) <= 3
        assert 1 <= len(data["tags"]) <= 5
        assert 1 <= len(data["sources"]) <= 3
        for source in data["sources"]:
            assert set(source) == {"title", "url", "publisher"}
            assert source["url"].startswith("https://")
        assert all(isinstance(v, str) for k in ("people", "countries", "tags") for v in data[k])
        body = rest.lstrip("\n")
        assert 400 <= len(body.split()) <= 900, path
        assert "\n## " in body
        assert "\n- " in body
    assert len(days) == 5
    assert N // 4 <= summaries <= 3 * N // 4


def test_bodies_have_tables_and_code_now_and_then(tmp_path: Path) -> None:
    corpus.generate(tmp_path, 300)
    texts = [p.read_text(encoding="utf-8") for p in (tmp_path / "content").rglob("*.md")]
    assert len(texts) == 300
    tables = sum("\n|---" in text for text in texts)
    code = sum("\n```" in text for text in texts)
    english = sum("\nlang: en\n" in text for text in texts)
    assert 15 <= tables <= 50  # ~10 %
    assert 5 <= code <= 30  # ~5 %
    assert 45 <= english <= 110  # ~25 %


def test_bodies_name_their_actors(site: Path) -> None:
    keys = registry(site)
    names_by_owner: dict[str, set[str]] = {}
    for path in (site / "content" / "people").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        names_by_owner[f"people/{path.stem}"] = {data["name"], *data.get("aliases", [])}
    mentioning = 0
    for _, data, rest in briefings(site):
        names: set[str] = set()
        for ref in data["people"]:
            owner = keys.get(corpus.fold(ref))
            names |= names_by_owner[owner] if owner else {ref}
        mentioning += any(name in rest for name in names)
    assert mentioning >= 0.9 * N


def resolve_people(root: Path) -> Counter[str]:
    """How many briefings cite each person: registered ones by id, others by name."""
    keys = registry(root)
    unregistered = {corpus.fold(p.name) for p in corpus.plan(N).people if not p.registered}
    counts: Counter[str] = Counter()
    for path, data, _ in briefings(root):
        owners = []
        for ref in data["people"]:
            key = corpus.fold(ref)
            owner = keys.get(key)
            if owner is None:
                assert key in unregistered, f"{path}: {ref!r} resolves to nobody"
                owner = f"unregistered/{key}"
            assert owner.startswith(("people/", "unregistered/")), (ref, owner)
            owners.append(owner)
        assert len(set(owners)) == len(owners), f"{path}: a person cited twice"
        counts.update(owners)
    return counts


def test_people_are_skewed(site: Path) -> None:
    counts = resolve_people(site)
    top = counts.most_common(1)[0][1]
    assert top >= 3 * statistics.median(counts.values())
    assert top >= N / 3


def test_eighty_percent_of_the_pool_is_registered(site: Path) -> None:
    plan = corpus.plan(N)
    assert len(plan.people) == 20  # max(20, N / 10)
    assert len(plan.registered) / len(plan.people) == pytest.approx(0.8, abs=0.01)
    assert all(p.registered for p in plan.people[:10])  # the most cited are registered
    cited = resolve_people(site)
    assert any(owner.startswith("unregistered/") for owner in cited)
    assert len(plan.people) == len({corpus.fold(p.name) for p in plan.people})
    assert sum(1 for p in plan.registered if p.aliases) >= 2


def test_no_two_registered_names_collide(site: Path) -> None:
    keys = registry(site)  # asserts that no two actors share a folded key
    for code, es, en in corpus.COUNTRIES:
        for text in (code, es, en):
            assert corpus.fold(text) not in keys, text
    # Unregistered names collide neither with registered ones nor with each other.
    plan = corpus.plan(N)
    for p in plan.people:
        if not p.registered:
            assert corpus.fold(p.name) not in keys
    # A larger pool too, where collisions are likelier.
    big = corpus.plan(20_000)
    seen: dict[str, int] = {}
    for p in big.people:
        for text in (p.id, p.name, *p.aliases):
            key = corpus.fold(text)
            assert seen.setdefault(key, p.rank) == p.rank, text


def test_countries_and_organizations_agree_with_cldr() -> None:
    babel = pytest.importorskip("babel")
    from babel.core import get_global

    es, en = babel.Locale("es").territories, babel.Locale("en").territories
    for code, name_es, name_en in corpus.COUNTRIES:
        assert (es[code], en[code]) == (name_es, name_en), code
    taken = {corpus.fold(str(t)) for t in (*es, *es.values(), *en.values())}
    taken |= {corpus.fold(str(alias)) for alias in get_global("territory_aliases")}
    for org in corpus.ORGANIZATIONS:
        for text in (org.name, *org.labels.values(), *org.aliases):
            assert corpus.fold(text) not in taken, text


def test_yaml_round_trips(site: Path) -> None:
    """Re-emitting what was read gives the same bytes: run.py's edits change only what they mean to."""
    for path, data, _ in briefings(site):
        front, _ = corpus.split_front_matter(path.read_text(encoding="utf-8"))
        assert corpus.yaml_document(data) == front
    for path in (site / "content").glob("*/*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert corpus.yaml_document(yaml.safe_load(text)) == text


@pytest.mark.parametrize(
    "value",
    ["NO", "yes", "On", "null", "~", "2026-06-30", "1.5", "12", "a: b", "x #y", "[a]", "- a",
     "a, b", "Japón", "L. Ferrándiz", "Türkiye", "golpe de Estado", "'q'", '"q"', "@x", "ok:"],
)  # fmt: skip
def test_yaml_scalars_read_back_as_written(value: str) -> None:
    assert yaml.safe_load(f"k: {corpus.yaml_scalar(value)}") == {"k": value}
    assert yaml.safe_load(f"k: [{corpus.yaml_scalar(value, flow=True)}]") == {"k": [value]}


FAKE_GENERATOR = """
import pathlib, sys
args = sys.argv[1:]
assert args[:1] == ["build"] and "--quiet" in args, args
site = pathlib.Path(args[args.index("--site") + 1])
if (site / "FAIL").exists():
    print("content/x.md:1: error: made up", file=sys.stderr)
    sys.exit(1)
with open(site.parent / "builds.log", "a") as log:  # what each build found
    aside = site.parent.parent / "aside"
    moved = len(list(aside.iterdir())) if aside.exists() else 0
    log.write(f"{(site / 'output').exists()} {(site / '.briefing-cache').exists()} {moved}\\n")
(site / "output").mkdir(exist_ok=True)
(site / ".briefing-cache").mkdir(exist_ok=True)
count = sum(1 for _ in (site / "content").rglob("*.md"))
(site / "output" / "index.html").write_text(str(count))
"""


def test_runner_measures_and_restores_the_corpus(tmp_path: Path) -> None:
    fake = tmp_path / "fake.py"
    fake.write_text(FAKE_GENERATOR)
    work, results = tmp_path / "work", tmp_path / "results"
    command = [
        sys.executable,
        str(BENCH / "run.py"),
        "--sizes",
        "60",
        "--repeat",
        "2",
        "--jobs",
        "2",
        "--command",
        f"{sys.executable} {fake}",
        "--work-dir",
        str(work),
        "--results-dir",
        str(results),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    header = "| N | cold | no-change | body edit | front-matter edit | rename | peak RSS MB |"
    assert header in done.stdout
    latest = (results / "latest.md").read_text(encoding="utf-8")
    assert header in latest and "| 60 |" in latest and "CPU" in latest
    # every run's wall-clock seconds, then its processor seconds, as many of each
    titles = ("cold", "no-change", "body edit", "front-matter edit", "rename")
    listed = [
        line for line in latest.splitlines() if line.startswith(tuple(f"  - {t}:" for t in titles))
    ]
    assert len(listed) == len(titles), listed
    for line in listed:
        wall, used = line.split(": ", 1)[1].removesuffix(" s)").split(" s (processor: ")
        assert len(wall.split(", ")) == len(used.split(", ")) == 2, line
        assert all(float(x) >= 0 for x in (*wall.split(", "), *used.split(", "))), line
    calibrations = [line for line in latest.splitlines() if "calibration:" in line]
    assert len(calibrations) == 1 and calibrations[0].count(" ms ") == 2, calibrations
    # a round of conversions after every build, timed and untimed (5 kinds, 2 each, and the
    # edits' 6 builds back): its median within its range
    probes = [line for line in latest.splitlines() if "calibration between the builds:" in line]
    assert len(probes) == 1 and " over 16 rounds, one after each build" in probes[0], probes
    middle, low, high = map(float, re.findall(r"(\d+\.\d+) ms", probes[0].replace(" to ", " ms ")))
    assert 0 < low <= middle <= high, probes
    # the same conversions in as many processes at once as the builds' --jobs
    together = [line for line in latest.splitlines() if "processes at once:" in line]
    assert len(together) == 1 and "calibration in 2 processes at once: " in together[0]
    ratio = float(together[0].split("(")[1].split(" times")[0])
    assert 0.5 < ratio < 10, together
    assert len(list(results.glob("*.md"))) == 2

    fresh = tmp_path / "fresh"
    corpus.generate(fresh, 60)
    site = work / "60" / "site"
    assert tree(site / "content") == tree(fresh / "content")
    assert not (work / "60" / "editing").exists()
    # each cold build found neither output nor cache, those of the cold build before it
    # having been moved aside, not deleted; the next build found both; the folders moved
    # aside are gone once the benchmark is over
    found = (work / "60" / "builds.log").read_text().splitlines()
    assert found[:3] == ["False False 0", "False False 2", "True True 2"], found
    assert not (work / "aside").exists()

    (site / "FAIL").write_text("")  # reused corpus, failing generator
    failed = subprocess.run(command, capture_output=True, text=True)
    assert failed.returncode == 1
    assert "made up" in failed.stderr


@pytest.mark.parametrize("has_run", [True, False])
def test_the_old_side_runs_as_the_command_does(tmp_path: Path, has_run: bool) -> None:
    """The revision alternated with is run through its ``cli.run`` (as ``python -m
    briefing`` runs the new side), and through ``cli.main`` only where it has no ``run``."""
    sys.path.insert(0, str(BENCH))
    try:
        from alternate import _old_command
    finally:
        sys.path.remove(str(BENCH))
    package = tmp_path / "briefing"
    package.mkdir()
    (package / "__init__.py").write_text("", "utf-8")
    run = "def run():\n    print('run')\n    raise SystemExit(3)\n" if has_run else ""
    (package / "cli.py").write_text(f"{run}def main():\n    print('main')\n    return 4\n", "utf-8")
    done = subprocess.run(_old_command(tmp_path), capture_output=True, text=True)
    assert (done.stdout.strip(), done.returncode) == (("run", 3) if has_run else ("main", 4))


@pytest.mark.parametrize("scenario", ["cold", "body", "front-matter", "rename"])
def test_alternating_runner_builds_both_sides_and_restores_the_corpus(
    tmp_path: Path, scenario: str
) -> None:
    """bench/alternate.py against HEAD: both sides build into folders of their own (the
    corpus's own output and cache are never made), every pair is printed, the edited
    briefing is put back, and no worktree is left behind."""
    work = tmp_path / "work"
    command = [
        sys.executable,
        str(BENCH / "alternate.py"),
        "HEAD",
        "--n",
        "30",
        "--pairs",
        "2",
        "--scenario",
        scenario,
        "--work-dir",
        str(work),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=BENCH.parent)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count(f"{scenario} pair ") == 2
    assert done.stderr.count("(processor: old ") == 2
    assert 0.2 < float(done.stderr.rsplit("processor time, new/old = ", 1)[1].split()[0]) < 5
    ratio = float(done.stdout.rsplit("new/old = ", 1)[1])
    assert 0.2 < ratio < 5
    site = work / "30" / "site"
    fresh = tmp_path / "fresh"
    corpus.generate(fresh, 30)
    assert tree(site / "content") == tree(fresh / "content")
    assert not (site / "output").exists() and not (site / ".briefing-cache").exists()
    worktrees = subprocess.run(
        ["git", "worktree", "list"], capture_output=True, text=True, cwd=BENCH.parent
    )
    assert "briefing-alternate-" not in worktrees.stdout
