"""Problems are reported once each, in the order of their fields."""

from __future__ import annotations

import random

from briefing.problems import Problem, ordered, report


def test_ordered_is_the_dataclass_order_without_repeats() -> None:
    rng = random.Random(1)
    problems = [
        Problem(
            rng.choice(["a.md", "b.md", "a/b.md"]),
            rng.randint(0, 3),
            rng.randint(0, 2),
            rng.choice(["error", "warning"]),
            rng.choice(["m", "n"]),
            rng.choice(["", "h"]),
        )
        for _ in range(2000)
    ]
    assert ordered(problems) == sorted(set(problems))
    text = report(problems)
    unique = set(problems)
    errors = sum(p.severity == "error" for p in unique)
    assert text.splitlines()[-1] == f"{errors} errors and {len(unique) - errors} warnings."
    assert text.splitlines()[0] == ordered(problems)[0].format().splitlines()[0]
