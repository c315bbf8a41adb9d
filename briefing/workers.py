"""The process pool: per-item work spread over the cores, results in input order."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

PARALLEL_MIN = 64  # below this many items, a process pool costs more than it saves

T = TypeVar("T")


def map_jobs(
    func: Callable[..., T], items: list[Any], jobs: int, tick: Callable[[int], None] | None = None
) -> list[T]:
    """``func(*item)`` for every item, in order; across processes when it pays off."""
    results: list[T] = []
    step = max(1, len(items) // 50)
    if jobs <= 1 or len(items) < PARALLEL_MIN:
        for item in items:
            results.append(func(*item))
            if tick and len(results) % step == 0:
                tick(len(results))
        return results
    chunk = max(1, min(64, len(items) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(_star, [(func, item) for item in items], chunksize=chunk):
            results.append(result)
            if tick and len(results) % step == 0:
                tick(len(results))
    return results


def _star(pair: tuple[Callable[..., T], tuple[Any, ...]]) -> T:
    func, args = pair
    return func(*args)
