"""The process pool: per-item work spread over the cores, results in input order."""

from __future__ import annotations

import functools
import os
import pickle
import select
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows, where nothing is forked
    fcntl = None  # type: ignore[assignment]

_PIPE_SIZE = 2**20  # the most an unprivileged process may ask for, by default

PARALLEL_MIN = 64  # below this many items, a process pool costs more than it saves

T = TypeVar("T")
A = TypeVar("A")

# What forked workers inherit instead of receiving it pickled: set by ``map_jobs`` only
# for the life of one pool, whose workers are forked after it is set.
_SHARED: Any = None


def map_jobs(
    func: Callable[..., T],
    items: list[Any],
    jobs: int,
    tick: Callable[[int], None] | None = None,
    shared: Any = None,
    weight: int | None = None,
    each: Callable[[int, T], None] | None = None,
) -> list[T]:
    """``func(*item)`` for every item, in order; across processes when it pays off.

    With ``shared``, ``func(shared, *item)``: the workers inherit ``shared`` by forking,
    so large data (every page's context) is never pickled and closures may be in it.
    Where processes cannot be forked, such work runs in this process. ``weight``, when
    the items are not alike, is what they weigh together, in items of the usual kind:
    a pool starts from ``PARALLEL_MIN`` of those. ``each(n, result)`` is called here for
    every result, in order, as it comes in: this process can store results while the
    workers make the rest, rather than after."""
    results: list[T] = []
    step = max(1, len(items) // 50)
    has_shared = shared is not None
    can_fork = forks()
    heavy = len(items) if weight is None else weight
    if jobs <= 1 or len(items) < 2 or heavy < PARALLEL_MIN or (has_shared and not can_fork):
        for item in items:
            results.append(func(shared, *item) if has_shared else func(*item))
            if each:
                each(len(results) - 1, results[-1])
            if tick and len(results) % step == 0:
                tick(len(results))
        return results
    # Imported here: most rebuilds never start a pool, and these take a tenth of the
    # command's start-up.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _SHARED
    chunk = max(1, min(64, len(items) // (jobs * 8)))
    context = multiprocessing.get_context("fork") if has_shared else None
    _SHARED = shared
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            call = _star_shared if has_shared else _star
            for result in pool.map(call, [(func, item) for item in items], chunksize=chunk):
                results.append(result)
                if each:
                    each(len(results) - 1, result)
                if tick and len(results) % step == 0:
                    tick(len(results))
    finally:
        _SHARED = None
    return results


def forks() -> bool:
    """Whether processes can be forked here (what multiprocessing's "fork" needs, and
    ``in_background``)."""
    return hasattr(os, "fork") and sys.platform != "win32"


def _star(pair: tuple[Callable[..., T], tuple[Any, ...]]) -> T:
    func, args = pair
    return func(*args)


def _star_shared(pair: tuple[Callable[..., T], tuple[Any, ...]]) -> T:
    func, args = pair
    return func(_SHARED, *args)


@dataclass(frozen=True)
class Then(Generic[T]):
    """What background work returns to hand ``value`` over at once and do ``after`` once
    it is handed over (in a forked child, while the parent goes on with it): storing what
    it made, say. A parent that never asks for the value stops the child, ``after`` or
    not: what it does must be safe to stop (each cache write is whole or not made)."""

    value: T
    after: Callable[[], None]
    # What of ``after`` can be done before the value is handed over, while the parent
    # goes on without it: called with ``asked``, true once the parent asks for the value
    # or says it soon will (``Later.ask``); it stops soon after that. A cold build's
    # search index stored its 90 MB of cache rows after its pages were made, while the
    # build waited a second for it.
    meanwhile: Callable[[Callable[[], bool]], None] | None = None


class Later(Generic[T]):
    """The result of work started in the background: calling it waits for the result (or
    raises the work's exception); ``ready()`` says, without waiting, whether it is in.
    ``ask()`` says, without waiting, that it soon will be asked for: what the child does
    meanwhile (see ``Then``) stops, and so do its writes to a database the parent is
    about to write to (a write waits for another process's, sleeping)."""

    def __init__(
        self,
        result: Callable[[], T],
        ready: Callable[[], bool],
        ask: Callable[[], None] = lambda: None,
    ) -> None:
        self._result = result
        self.ready = ready
        self.ask = ask
        self._value: tuple[T] | None = None

    def __call__(self) -> T:
        if self._value is None:
            self._value = (self._result(),)
        return self._value[0]


@contextmanager
def in_background(func: Callable[[], T | Then[T]], enabled: bool = True) -> Iterator[Later[T]]:
    """``func()`` in a forked child started now, while this process goes on with other
    work. A child still running when the block ends otherwise is stopped, unless its
    result came: it is then doing what its ``Then`` left for after, and is waited for.

    Without fork, or when not ``enabled``, ``func`` runs here, when its result is asked
    for (and ``ready()`` is true from the start: there is nothing to wait for). The child
    must not use this process's database connections."""
    if not enabled or not forks():

        def here() -> T:
            found = func()
            if isinstance(found, Then):
                found.after()
                return found.value
            return found

        yield Later(here, lambda: True)
        return

    def run(_: None) -> T | Then[T]:
        return func()

    child: Waiting[None, T]
    with _forked(lambda: run) as child:
        yield child.start(None)


@contextmanager
def waiting(
    begin: Callable[[], Callable[[A], Any]], enabled: bool = True
) -> Iterator[Waiting[A, Any] | None]:
    """A child forked now that calls ``begin()`` (to get ready: it returns the job), then
    waits to be handed the job's argument (``start``): then it works as
    ``in_background``'s does. A child forked later shares every page of memory
    this process has made by then, and each page either process writes first is copied:
    beside a child that did nothing, forked once the briefings were resolved, a rename at
    10,000 briefings took three tenths of a second longer, most of it in this process. A
    child forked at the start shares the little this process had then. None without
    fork, or when not ``enabled``; a child never handed its argument is stopped when the
    block ends."""
    if not enabled or not forks():
        yield None
        return
    with _forked(begin) as child:
        yield child


class Waiting(Generic[A, T]):
    """A forked child waiting for its argument (see ``waiting``)."""

    def __init__(self, pid: int, send: int, read: int, ask: int) -> None:
        self.pid = pid
        self._send = send
        self._read = read
        self._ask = ask
        self.started = False
        self.waited = False
        self._closed = False

    def close(self) -> None:
        """Stop the child, unless its result came: then wait for it to end (it does what
        its ``Then`` left for after)."""
        if self._closed:
            return
        self._closed = True
        if not self.waited:
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with suppress(OSError):  # not already closed by ``result``
                os.close(self._read)
        if not self.started:
            os.close(self._send)
        os.close(self._ask)
        os.waitpid(self.pid, 0)

    def start(self, argument: A) -> Later[T]:
        """Hand the child its argument, pickled: its result comes later."""
        if self.started:
            raise RuntimeError("a waiting child is started once")
        self.started = True
        data = pickle.dumps(argument, protocol=pickle.HIGHEST_PROTOCOL)
        with suppress(OSError):  # a child gone: its result says so
            _write_all(self._send, len(data).to_bytes(8, "big"))
            _write_all(self._send, data)
        os.close(self._send)
        self._send = -1
        asked = False

        def tell() -> None:
            nonlocal asked
            if not asked:
                asked = True
                with suppress(OSError):  # a child gone already has nothing left to stop
                    os.write(self._ask, b"?")

        def result() -> T:
            tell()
            with os.fdopen(self._read, "rb") as pipe:
                data = pipe.read()
            self.waited = True  # the child ends once done with what its ``Then`` left
            if not data:
                raise RuntimeError("a background worker ended without a result")
            ok, value = pickle.loads(data)  # written by our own child
            if not ok:
                raise value
            return value  # type: ignore[no-any-return]

        def ready() -> bool:
            # The child writes its result in one go: readable means the result is in.
            return self.waited or bool(select.select([self._read], [], [], 0)[0])

        return Later(result, ready, tell)


@contextmanager
def _forked(begin: Callable[[], Callable[[A], Any]]) -> Iterator[Waiting[A, Any]]:
    """The child of ``in_background`` and ``waiting``: forked now, it gets its job ready
    (``begin``), reads the job's argument (its length, then its pickle) and hands over
    the job's result, or an exception of either."""
    read, write = os.pipe()  # the result
    asking, ask = os.pipe()  # a byte, when the parent asks for the result
    receive, send = os.pipe()  # the argument
    _larger_pipe(send)  # an argument of megabytes (its writes took half the time)
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            os.close(ask)
            os.close(send)
            try:
                job = begin()
            except BaseException as exc:  # handed over once the argument comes
                job = functools.partial(_raise, exc)
            data = _read_message(receive)
            if data is not None:
                _serve(lambda: job(pickle.loads(data)), asking, write)
        finally:
            os._exit(0)
    os.close(write)
    os.close(asking)
    os.close(receive)
    child: Waiting[A, Any] = Waiting(pid, send, read, ask)
    try:
        yield child
    finally:
        child.close()


def _larger_pipe(fd: int) -> None:
    """Let a pipe hold a megabyte, where the system allows it (Linux): megabytes sent
    through it go in fewer writes, each waking the reader."""
    if fcntl is not None and hasattr(fcntl, "F_SETPIPE_SZ"):
        with suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)


def _raise(exc: BaseException, _: Any) -> Any:
    raise exc


def _serve(func: Callable[[], Any], asking: int, write: int) -> None:
    """Run ``func`` in the child and write its result down ``write``; then what its
    ``Then`` left for after."""
    after: Callable[[], None] | None = None
    try:
        found: Any = func()
        if isinstance(found, Then):
            after = found.after
            if found.meanwhile is not None:
                found.meanwhile(lambda: bool(select.select([asking], [], [], 0)[0]))
            found = found.value
        payload = pickle.dumps((True, found))
    except BaseException as exc:  # handed to the parent, whatever it is
        try:
            payload = pickle.dumps((False, exc))
        except Exception:
            payload = pickle.dumps((False, RuntimeError(repr(exc))))
    with os.fdopen(write, "wb") as pipe:
        pipe.write(payload)
    if after is not None:
        after()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_message(fd: int) -> bytes | None:
    """Eight bytes of length, then that many; None when the pipe ends first (the parent
    never started the child)."""
    with os.fdopen(fd, "rb") as pipe:
        head = pipe.read(8)
        if len(head) < 8:
            return None
        size = int.from_bytes(head, "big")
        data = pipe.read(size)
    return data if len(data) == size else None
