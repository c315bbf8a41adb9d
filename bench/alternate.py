"""Builds of another revision and of the working tree, alternated on one corpus:
``python bench/alternate.py REV [--n 10000] [--pairs 3] [--scenario body]``.

On a shared machine, runs taken minutes apart drift by more than many changes are
worth; builds alternated pair by pair compare like with like. REV is checked out into a
temporary git worktree. Each side builds into an output and a cache folder of its own,
so neither reuses the other's work. The scenarios are ``make bench``'s: ``cold`` (both
folders moved aside first, as ``run.Aside`` does), ``body`` (a sentence appended to the middle briefing),
``front-matter`` (a registered person added to it) and ``rename`` (the most cited
registered person renamed); an edit is undone after each pair and both sides rebuild,
untimed. Prints every pair (wall-clock and processor seconds, the build's workers
included), then new/old over all pairs: processor time is steadier than wall-clock
time on a busy machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml
from corpus import fold, split_front_matter
from run import (
    REPO,
    Aside,
    Builder,
    BuildFailed,
    Corpus,
    add_person,
    append_sentence,
    briefing_files,
    compile_package,
    editing,
    log,
    new_names,
    prepare,
    rename_person,
)

SCENARIOS = ("cold", "body", "front-matter", "rename")


def _old_command(tree: Path) -> list[str]:
    """``briefing`` as the checked-out revision has it (its package ahead of ours), run
    as ``python -m briefing`` runs it: through ``cli.run``, which ends the process without
    freeing what the build made, where the revision has it. Through ``main`` and
    ``sys.exit``, the old side paid that teardown and the new one did not: the same
    revision on both sides came out 0.91 at 10,000 briefings."""
    code = (
        f"import sys; sys.path.insert(0, {str(tree)!r}); import briefing.cli as cli\n"
        "if hasattr(cli, 'run'): cli.run()\n"
        "sys.exit(cli.main())"
    )
    return [sys.executable, "-c", code]


def _edit_for(corpus: Corpus, scenario: str) -> tuple[Path, Callable[[int, str], str]]:
    """The file a scenario edits, and its edit of the k-th pair."""
    if scenario == "rename":
        person = corpus.plan.registered[0]  # the most cited, as in make bench
        names = new_names(corpus.plan, person.name)
        renames = [next(names) for _ in range(64)]
        path = corpus.site / "content" / "people" / f"{person.id}.yaml"
        return path, lambda k, text: rename_person(text, renames[k % len(renames)])
    files = briefing_files(corpus.site)
    middle = files[len(files) // 2]
    if scenario == "body":
        return middle, append_sentence
    front, _ = split_front_matter(middle.read_text(encoding="utf-8"))
    present = {fold(ref) for ref in yaml.safe_load(front)["people"]}
    names = [
        p.name
        for p in corpus.plan.registered
        if not present & {fold(t) for t in (p.id, p.name, *p.aliases)}
    ]
    return middle, lambda k, text: add_person(text, names[k % len(names)])


def alternate(corpus: Corpus, rev: str, scenario: str, pairs: int, scratch: Path) -> float:
    """Alternate ``pairs`` timed builds of each side; returns new/old over all of them."""
    tree = scratch / "tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", "--quiet", str(tree), rev], cwd=REPO, check=True
    )
    try:
        for root in (tree, REPO):
            compile_package(root)
        sides = {
            "old": (_old_command(tree), scratch / "old"),
            "new": ([sys.executable, "-m", "briefing"], scratch / "new"),
        }
        builders = {
            name: Builder(command, ["--output", str(f / "output"), "--cache-dir", str(f / "cache")])
            for name, (command, f) in sides.items()
        }
        totals = {"old": 0.0, "new": 0.0}
        cpu = {"old": 0.0, "new": 0.0}
        aside = Aside(scratch / "aside")  # deleted with the scratch folder, after the pairs
        middle, edit = _edit_for(corpus, scenario) if scenario != "cold" else (None, None)
        if edit is not None:
            for builder in builders.values():
                builder.build(corpus.site)  # warm, untimed
        for k in range(pairs):
            order = ["old", "new"] if k % 2 == 0 else ["new", "old"]
            times: dict[str, float] = {}
            used: dict[str, float] = {}
            if edit is None or middle is None:
                for name in order:
                    aside.clear_out(sides[name][1])
                    times[name] = builders[name].build(corpus.site)
                    used[name] = builders[name].cpu
            else:
                with editing(corpus, middle) as original:
                    middle.write_bytes(edit(k, original.decode("utf-8")).encode("utf-8"))
                    for name in order:
                        times[name] = builders[name].build(corpus.site)
                        used[name] = builders[name].cpu
                for builder in builders.values():
                    builder.build(corpus.site)  # back to the warm state, untimed
            for name, seconds in times.items():
                totals[name] += seconds
                cpu[name] += used[name]
            log(
                f"  {scenario} pair {k + 1}/{pairs}: old {times['old']:.2f} s, new {times['new']:.2f} s"
                f" (processor: old {used['old']:.2f} s, new {used['new']:.2f} s)"
            )
        log(f"processor time, new/old = {cpu['new'] / cpu['old']:.2f}")
        return totals["new"] / totals["old"]
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, check=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Alternate builds of revision REV and of the working tree on one corpus."
    )
    parser.add_argument("rev", help="the revision to compare with, e.g. HEAD~3 or a commit")
    parser.add_argument("--n", type=int, default=10_000, help="briefings in the corpus")
    parser.add_argument("--pairs", type=int, default=3, help="timed builds of each side")
    parser.add_argument("--scenario", choices=SCENARIOS, default="body")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work-dir", type=Path, default=REPO / "bench" / "work", help="where corpora are kept"
    )
    args = parser.parse_args(argv)
    corpus = prepare(args.work_dir, args.n, args.seed, regenerate=False)
    with tempfile.TemporaryDirectory(prefix="briefing-alternate-") as scratch:
        try:
            ratio = alternate(corpus, args.rev, args.scenario, args.pairs, Path(scratch))
        except (BuildFailed, subprocess.CalledProcessError) as exc:
            print(f"alternate: {exc}", file=sys.stderr)
            return 1
    print(f"{args.scenario}, N={args.n:,}, {args.pairs} pairs: new/old = {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
