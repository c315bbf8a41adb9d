"""briefing.workers: map_jobs gives the same results, in order, serially and across processes;
in_background runs work in a forked child beside this process."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

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


def test_each_result_is_handed_over_in_order_as_it_comes_in() -> None:
    """``each`` sees every result with its index, in order, serially and from a pool."""
    items = [(i,) for i in range(PARALLEL_MIN * 3)]
    for jobs in (1, 2):
        seen: list[tuple[int, int]] = []
        results = map_jobs(_square, items, jobs, each=_noting(seen))
        assert seen == list(enumerate(results)) == [(i, i * i) for i in range(len(items))]


def _noting(seen: list[tuple[int, int]]) -> Callable[[int, int], None]:
    return lambda n, result: seen.append((n, result))


def test_shared_data_reaches_forked_workers_even_a_closure() -> None:
    base = 7
    shared = {"factor": 3, "offset": lambda x: x + base}  # a lambda cannot be pickled
    items = [(i,) for i in range(PARALLEL_MIN * 2)]
    ticks: list[int] = []
    parallel = map_jobs(_scaled, items, 2, ticks.append, shared=shared)
    assert parallel == map_jobs(_scaled, items, 1, shared=shared)
    assert parallel == [i * 3 + i + 7 for i in range(128)]
    assert ticks and ticks[-1] == 128


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


def test_a_few_heavy_items_go_to_a_pool_and_a_few_light_ones_stay_here() -> None:
    """Three actors' pages weigh as much as many briefings' pages: ``weight`` says so."""
    items = [(1,), (2,), (3,)]
    light = map_jobs(_pid_and, items, 2)
    heavy = map_jobs(_pid_and, items, 2, weight=PARALLEL_MIN)
    assert [v for _, v in light] == [v for _, v in heavy] == [2, 4, 6]
    assert {pid for pid, _ in light} == {os.getpid()}
    assert os.getpid() not in {pid for pid, _ in heavy}
    assert {pid for pid, _ in map_jobs(_pid_and, items, 1, weight=1000)} == {os.getpid()}


def test_in_background_runs_in_a_child_and_gives_its_result() -> None:
    from briefing.workers import in_background

    with in_background(lambda: _pid_and(21)) as result:
        pid, value = result()
    assert value == 42 and pid != os.getpid()
    with in_background(lambda: _pid_and(21), enabled=False) as result:
        assert result() == (os.getpid(), 42)


def test_in_background_raises_the_childs_exception() -> None:
    from briefing.workers import in_background

    def fails() -> None:
        raise ValueError("bad input in the child")

    with in_background(fails) as result, pytest.raises(ValueError, match="bad input"):
        result()


def test_a_child_not_waited_for_is_stopped() -> None:
    import time

    from briefing.workers import in_background

    started = time.perf_counter()
    with pytest.raises(KeyError), in_background(lambda: time.sleep(30)):
        raise KeyError("the parent failed first")
    assert time.perf_counter() - started < 10


def test_ready_says_whether_the_child_is_done_and_the_result_is_kept() -> None:
    import time

    from briefing.workers import in_background

    with in_background(lambda: (time.sleep(0.5), _pid_and(4))[1]) as later:
        assert not later.ready()
        deadline = time.perf_counter() + 20
        while not later.ready() and time.perf_counter() < deadline:
            time.sleep(0.02)
        assert later.ready()
        first = later()
        assert later() == first and first[1] == 8 and later.ready()
    with in_background(lambda: _pid_and(4), enabled=False) as here:
        assert here.ready()  # nothing to wait for: the work runs when asked
        assert here() == (os.getpid(), 8)


@pytest.mark.parametrize("enabled", [True, False])
def test_a_result_is_handed_over_before_what_is_left_for_after(
    tmp_path: Path, enabled: bool
) -> None:
    """A child returning ``Then`` hands its value over at once, does what it left for after
    while the parent goes on, and is waited for, not stopped, when the block ends."""
    import time

    from briefing.workers import Then, in_background

    done = tmp_path / "stored"

    def after() -> None:
        time.sleep(0.4)
        done.write_text(str(os.getpid()))

    with in_background(lambda: Then(_pid_and(5), after), enabled) as later:
        pid, value = later()
        assert value == 10 and done.exists() is not enabled  # here, after ran at once
    assert done.read_text() == str(pid)


def _stepping(steps: Path) -> Callable[[Callable[[], bool]], None]:
    """A ``Then.meanwhile`` that adds a dot to ``steps`` every hundredth of a second
    until it is asked to stop (or 20 s have passed)."""
    import time

    def meanwhile(asked: Callable[[], bool]) -> None:
        deadline = time.perf_counter() + 20
        while not asked() and time.perf_counter() < deadline:
            with steps.open("a") as file:
                file.write(".")
            time.sleep(0.01)

    return meanwhile


def test_a_child_works_meanwhile_until_its_parent_asks_for_the_result(tmp_path: Path) -> None:
    """What a ``Then`` can do before handing its value over (``meanwhile``) runs while the
    parent goes on without the value, and stops once the parent asks for it: the value
    comes then, and ``after`` does the rest."""
    import time

    from briefing.workers import Then, in_background

    steps = tmp_path / "steps"
    done = tmp_path / "after"

    meanwhile = _stepping(steps)

    def work() -> Then[tuple[int, int]]:
        return Then(_pid_and(6), lambda: done.write_text("stored"), meanwhile)

    with in_background(work) as later:
        deadline = time.perf_counter() + 20
        while not steps.exists() and time.perf_counter() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)
        assert not later.ready()  # still working meanwhile: the parent has not asked
        before = len(steps.read_text())
        started = time.perf_counter()
        pid, value = later()
        assert value == 12 and pid != os.getpid()
        assert time.perf_counter() - started < 5  # handed over once asked, not at the end
        assert before >= 1
    assert done.read_text() == "stored"
    assert len(steps.read_text()) < 1000  # it stopped when asked


def test_asking_ahead_stops_what_the_child_does_meanwhile_without_waiting(
    tmp_path: Path,
) -> None:
    """``ask()`` tells the child its result is wanted soon: what it does meanwhile stops,
    and the value is handed over, while the parent goes on (to write to the cache the
    child was writing to, say)."""
    import time

    from briefing.workers import Then, in_background

    steps = tmp_path / "steps"

    meanwhile = _stepping(steps)

    with in_background(lambda: Then(_pid_and(7), lambda: None, meanwhile)) as later:
        deadline = time.perf_counter() + 20
        while not steps.exists() and time.perf_counter() < deadline:
            time.sleep(0.01)
        later.ask()
        later.ask()  # once is enough
        while not later.ready() and time.perf_counter() < deadline:
            time.sleep(0.01)
        assert later.ready()  # handed over without being waited for
        stopped = len(steps.read_text())
        time.sleep(0.1)
        assert len(steps.read_text()) == stopped
        assert later()[1] == 14
    with in_background(lambda: Then(_pid_and(7), lambda: None, meanwhile), False) as here:
        here.ask()  # nothing to stop: the work runs when asked for
        assert here() == (os.getpid(), 14)


def test_a_waiting_child_gets_ready_at_once_and_works_on_what_it_is_handed_later(
    tmp_path: Path,
) -> None:
    """Forked at the start, the child has this process's memory as it was then; it gets
    ready meanwhile, and is handed its argument (larger than a pipe holds) when it is known."""
    from briefing.workers import waiting

    state = ["as forked"]
    ready = tmp_path / "ready"

    def begin() -> Callable[[bytes], tuple[int, str, int, bool]]:
        ready.write_text(str(os.getpid()))
        return lambda data: (os.getpid(), state[0], len(data), ready.exists())

    with waiting(begin) as child:
        assert child is not None
        state[0] = "changed since"
        pid, seen, size, was_ready = child.start(b"x" * 3_000_000)()
    assert pid != os.getpid() and pid == int(ready.read_text())
    assert (seen, size, was_ready) == ("as forked", 3_000_000, True)


def test_a_waiting_child_never_handed_its_argument_is_stopped() -> None:
    import time

    from briefing.workers import waiting

    def begin() -> Callable[[int], int]:
        time.sleep(30)  # still getting ready when the block ends
        return lambda n: n

    started = time.perf_counter()
    with waiting(begin) as child:
        assert child is not None
        pid = child.pid
    assert time.perf_counter() - started < 10
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopped and waited for
    with waiting(lambda: lambda n: n) as idle:  # ready, then never asked
        assert idle is not None
    with waiting(lambda: lambda n: n, enabled=False) as none:
        assert none is None


def test_a_waiting_child_that_fails_to_get_ready_raises_when_its_result_is_asked() -> None:
    from briefing.workers import waiting

    def begin() -> Callable[[int], int]:
        raise ValueError("no connection to open")

    with waiting(begin) as child:
        assert child is not None
        later = child.start(1)
        with pytest.raises(ValueError, match="no connection"):
            later()
        child.close()
        child.close()  # closing twice (the build closes it early, then its block) is fine
