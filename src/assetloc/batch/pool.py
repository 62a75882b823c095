"""Chunks over a process pool, results handed back in input order.

A worker that dies breaks the pool: the chunks that had started are run again, each alone
in a fresh one-worker pool (so one bad chunk cannot take the others down twice), and the
chunks that had not started go on in a fresh pool; a chunk that kills its worker again is
reported as error rows (exit code :data:`WORKER_DIED`)."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import pickle
import sys
import tempfile
import threading
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from pathlib import Path

from assetloc.batch.inputs import Item
from assetloc.batch.tasks import error_rows, run_chunk

#: exit code in a row whose worker process died twice on its chunk
WORKER_DIED = 1
#: the error message of those rows
DIED_TWICE = "worker process died on this chunk twice"

Chunk = list[Item]


def _context() -> mp.context.BaseContext:
    """``forkserver`` where there is one (no fork of a threaded parent), else ``spawn``."""
    methods = mp.get_all_start_methods()
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


#: the modules of a household's path (numpy, the solver, the household model and the
#: document's encoder come with them), loaded in a worker before its heap settles
HOT_PATH = (
    "assetloc.analysis.optimize",
    "assetloc.batch.tasks",
    "assetloc.present.documents",
    "assetloc.present.jsonout",
    "assetloc.solve",
    "scipy.linalg.lapack",  # the unique-optimum test's rank (imported where it is used)
)


def start_server(runner: Callable[[Chunk, str], list[str]] = run_chunk) -> None:
    """Start the forkserver now, with :data:`HOT_PATH` loaded in it (``forkserver`` only):
    it imports while the batch reads INPUT, and every worker forked from it starts with the
    hot path loaded, a fresh pool after a worker's death too. The caller's main module is
    hidden from it as from the workers (:func:`main_left_out`). A forkserver already running
    (an earlier batch in this process) is kept as it is."""
    ctx = _context()
    if not isinstance(ctx, mp.context.ForkServerContext):
        return
    from multiprocessing import forkserver

    ctx.set_forkserver_preload(["__main__", *HOT_PATH])  # "__main__": the default's
    with main_left_out(runner):
        forkserver.ensure_running()


def start_worker(lifeline: Connection | None = None) -> None:
    """A pool process's start: with ``lifeline`` (the read end of the batch's
    :func:`lifeline`), end this process when the batch ends; then load :data:`HOT_PATH`
    and settle the heap (:func:`assetloc.heap.settle`: the imports out of the collector's
    walks)."""
    from assetloc.heap import settle

    if lifeline is not None:  # first: a batch that dies during the imports is seen too
        threading.Thread(
            target=_exit_with, args=(lifeline,), name="assetloc-batch-watch", daemon=True
        ).start()
    settle(HOT_PATH)


def _exit_with(lifeline: Connection) -> None:
    """Wait for the batch to end, then end this process at once. A pool's processes are
    the forkserver's children, not the batch's: a batch killed by SIGKILL would leave them
    idle for good (the forkserver too, while they live). Nothing is ever written to the
    lifeline: it turns readable (end of file) when its write end closes, which the kernel
    does as the batch's process exits, however it exits (a zombie not yet reaped holds no
    file), and never while the batch lives: no process ids, so no reused id."""
    with contextlib.suppress(OSError):  # Windows: a broken pipe, not an end of file
        lifeline.poll(None)
    os._exit(1)


#: this process's lifeline, made by the first pool: its write end is held (never written,
#: never handed to a child) for as long as this process lives
_LIFELINE: tuple[Connection, Connection] | None = None


def lifeline() -> Connection:
    """The read end of this process's lifeline, for a worker to watch (:func:`_exit_with`);
    made on first use, kept for the life of the process (one pair of descriptors)."""
    global _LIFELINE
    with _LIFELINE_MADE:
        if _LIFELINE is None:
            _LIFELINE = mp.Pipe(duplex=False)  # (read end, write end), not inheritable
        return _LIFELINE[0]


#: held while the lifeline is made (two threads starting their first pools make one)
_LIFELINE_MADE = threading.Lock()


def _drop_lifeline() -> None:
    """In a child forked from this process (``os.fork``): close its copies of the lifeline
    (a copy of the write end would keep this process's workers alive after it ended, for
    as long as the child lives); the child's own batches make a lifeline of their own."""
    global _LIFELINE
    if _LIFELINE is not None:
        for end in _LIFELINE:
            end.close()
        _LIFELINE = None


if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    os.register_at_fork(after_in_child=_drop_lifeline)


def _pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, each watching this process's :func:`lifeline`."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_context(),
        initializer=start_worker,
        initargs=(lifeline(),),
    )


def _needs_main(runner: object) -> bool:
    """Whether unpickling ``runner`` in a worker needs the main module: it, or anything it
    wraps (a ``functools.partial``, a bound method), is defined there; a runner that cannot
    be pickled here keeps the main module too (the worker reports the error)."""
    try:
        return b"__main__" in pickle.dumps(runner)
    except Exception:
        return True


@contextlib.contextmanager
def main_left_out(runner: Callable[[Chunk, str], list[str]]) -> Iterator[None]:
    """While worker processes start: the caller's main module hidden from multiprocessing,
    so that a worker does not run it again (``spawn`` and ``forkserver`` workers import the
    main script: a script that calls ``run_batch`` at its top level would run the batch, and
    what follows it, once more in every worker). The workers need only assetloc's code;
    a ``runner`` that needs the main module keeps it (:func:`_needs_main`)."""
    main = sys.modules.get("__main__")
    if main is None or _needs_main(runner):
        yield
        return
    saved: dict[str, object] = {
        k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__
    }
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def _started(
    marks: str, index: int, runner: Callable[[Chunk, str], list[str]], chunk: Chunk, task: str
) -> list[str]:
    """``runner(chunk, task)`` in a worker, after marking that chunk ``index`` started (an
    empty file named by the index in the folder ``marks``)."""
    Path(marks, str(index)).touch()
    return runner(chunk, task)


def run_chunks(
    chunks: list[Chunk], task: str, workers: int, runner: Callable[[Chunk, str], list[str]]
) -> Generator[tuple[int, list[str]], None, None]:
    """``(index, rows)`` for every chunk, in index order, as soon as each is in order.

    When a worker dies the pool breaks and every chunk not back fails with it. Only the
    chunks that had started are suspects: each is retried once, alone (:func:`_alone`);
    the others had not begun and go to a fresh pool of ``workers`` processes, so a death
    costs a few chunks' time, not the rest of the batch run one chunk at a time."""
    results: dict[int, list[str]] = {}
    nxt = 0
    todo = list(range(len(chunks)))
    with tempfile.TemporaryDirectory(prefix="assetloc-batch-") as marks:
        while todo:
            broken: list[int] = []
            with _pool(workers) as pool:
                with main_left_out(runner):  # the workers start as the chunks are submitted
                    pending: dict[Future[list[str]], int] = {
                        pool.submit(_started, marks, i, runner, chunks[i], task): i for i in todo
                    }
                try:
                    # as_completed waits on each future once (``wait`` in a loop would hang
                    # a waiter on every pending future at every turn: quadratic in chunks)
                    for fut in as_completed(pending):
                        i = pending.pop(fut)
                        try:
                            results[i] = fut.result()
                        except BrokenProcessPool:
                            broken.append(i)
                        while nxt in results:
                            yield nxt, results.pop(nxt)
                            nxt += 1
                except BaseException:  # the caller stopped (a full disk, Ctrl-C): the
                    for fut in pending:  # chunks not begun never will; leaving the pool
                        fut.cancel()  # waits for those running (a shutdown here would be
                    raise  # undone by the pool's own at its exit, in Python 3.11)
            started = {int(p.name) for p in Path(marks).iterdir()}
            suspects = sorted(i for i in broken if i in started)
            todo = sorted(i for i in broken if i not in started)
            if broken and not suspects:  # died before any chunk began (start-up): all alone
                suspects, todo = sorted(broken), []
            for i in suspects:
                results[i] = _alone(chunks[i], task, runner)
                while nxt in results:
                    yield nxt, results.pop(nxt)
                    nxt += 1


def _alone(chunk: Chunk, task: str, runner: Callable[[Chunk, str], list[str]]) -> list[str]:
    """``chunk`` retried once in its own process; error rows if that process dies too."""
    with _pool(1) as pool:
        try:
            with main_left_out(runner):
                future = pool.submit(runner, chunk, task)
            return future.result()
        except BrokenProcessPool:
            return error_rows(chunk, DIED_TWICE, WORKER_DIED)


__all__ = ["DIED_TWICE", "WORKER_DIED", "run_chunk", "run_chunks"]
