"""briefing.workers.map_jobs: the same results, in order, serially and across processes."""

from __future__ import annotations

from briefing.workers import PARALLEL_MIN, map_jobs


def _square(x: int) -> int:
    return x * x


def _scaled(shared: dict[str, object], x: int) -> object:
    factor = shared["factor"]
    offset = shared["offset"]
    assert callable(offset)
    return x * int(str(factor)) + offset(x)


def test_results_in_order_serially_and_in_processes() -> None:
    items = [(i,) for i in range(PARALLEL_MIN * 3)]
    assert map_jobs(_square, items, 2) == map_jobs(_square, items, 1) == [i * i for i in range(192)]


def test_shared_data_reaches_forked_workers_even_a_closure() -> None:
    base = 7
    shared = {"factor": 3, "offset": lambda x: x + base}  # a lambda cannot be pickled
    items = [(i,) for i in range(PARALLEL_MIN * 2)]
    ticks: list[int] = []
    parallel = map_jobs(_scaled, items, 2, ticks.append, shared=shared)
    assert parallel == map_jobs(_scaled, items, 1, shared=shared)
    assert parallel == [i * 3 + i + 7 for i in range(128)]
    assert ticks and ticks[-1] == 128
