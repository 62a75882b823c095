"""The batch run: read INPUT, skip done ids (``--resume``), run the chunks, append rows."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import FileIO
from pathlib import Path

from assetloc.batch.inputs import Item, read_items
from assetloc.batch.output import append_chunk, check_out, cut_torn_line, done_ids, open_output
from assetloc.batch.parquet_out import finish, is_parquet, journal, journal_path
from assetloc.batch.pool import Chunk, run_chunk, run_chunks, start_server
from assetloc.batch.reasons import reason, reason_lines
from assetloc.batch.tasks import TASKS, failure
from assetloc.errors import BatchStopped, InputError
from assetloc.units import number

#: a callback told (households done so far, households to do) after each chunk
Progress = Callable[[int, int], None]


@dataclass
class Summary:
    """What a run did: households run, skipped (``--resume``), failed by exit code and by
    reason (:func:`~assetloc.batch.reasons.reason`), seconds."""

    total: int = 0
    skipped: int = 0
    #: of the skipped households, those whose row in OUTPUT is an error (an earlier run's)
    skipped_failed: int = 0
    ok: int = 0
    failed: Counter[int] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def any_failed(self) -> bool:
        """Whether a household of OUTPUT failed, in this run or (``--resume``) an earlier one."""
        return bool(self.failed) or self.skipped_failed > 0

    @property
    def per_second(self) -> float:
        """Households run per second of wall time."""
        return (self.ok + sum(self.failed.values())) / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        """The one summary line printed on stderr at the end."""
        bad = sum(self.failed.values())
        why = ", ".join(f"exit {c}: {n}" for c, n in sorted(self.failed.items()))
        earlier = f"; {self.skipped_failed} of them failed" if self.skipped_failed else ""
        return (
            f"batch: {self.ok} ok, {bad} failed{f' ({why})' if why else ''}, "
            f"{self.skipped} skipped (already in output{earlier}), {self.seconds:.1f} s, "
            f"{self.per_second:.1f} households/s"
        )

    def lines(self) -> list[str]:
        """The summary printed on stderr: :meth:`line`, then the top failure reasons."""
        return [self.line(), *reason_lines(self.reasons)]


#: households per chunk at most: on the local pool (a chunk's rows in one pickle), and on
#: Dask, whose scheduler and client pay a few milliseconds a task (256: a quarter of the
#: tasks; measured on 100,000 households, 2 workers)
MOST_LOCAL, MOST_DASK = 64, 256


def chunk_size(n: int, workers: int, most: int = MOST_LOCAL) -> int:
    """Households per chunk: about 8 chunks per worker, 1 to ``most`` households each."""
    return max(1, min(most, -(-n // (8 * workers))))


#: runs chunks of one task: ``(chunks, task)`` → ``(index, rows)`` in index order
Engine = Callable[[list[Chunk], str], Generator[tuple[int, list[str]], None, None]]


@contextmanager
def _engine(
    scheduler: str | None, workers: int, runner: Callable[[Chunk, str], list[str]]
) -> Iterator[tuple[int, int, Engine]]:
    """``(workers to size chunks for, households per chunk at most, engine)``: the local
    process pool, or the Dask cluster at ``scheduler`` (:mod:`assetloc.batch.dask_pool`,
    connected on entry)."""
    if scheduler is None:
        yield workers, MOST_LOCAL, lambda chunks, task: run_chunks(chunks, task, workers, runner)
        return
    from assetloc.batch.dask_pool import connect

    with connect(scheduler) as pool:
        yield pool.threads, MOST_DASK, lambda chunks, task: pool.run_chunks(chunks, task, runner)


def _not_the_input(source: Path, out: Path, items: list[Item]) -> None:
    """OUTPUT must not be INPUT, nor one of a folder's household files, by any name (a
    link, a hard link): writing rows there would overwrite households."""
    try:
        target = out.stat()
    except OSError:
        return  # not there yet: nothing to overwrite
    files = [Path(i.path) for i in items] if source.is_dir() else [source]
    for f in files:
        try:
            same = os.path.samestat(target, f.stat())
        except OSError:
            continue
        if same:
            what = "the INPUT file itself" if f == source else f"the household file {f}"
            raise InputError(
                "--out", f"{out} is {what}: the rows would overwrite households; give another path"
            )


def _same_input(done: dict[str, int], items: list[Item], out: Path) -> None:
    """``--resume`` goes on with the INPUT it was started with: ids in OUTPUT that INPUT
    does not have are one :class:`InputError` (their rows would stay, unasked for)."""
    if not done:
        return
    foreign = done.keys() - {i.id for i in items}
    if foreign:
        first = next(k for k in done if k in foreign)
        raise InputError(
            "--resume",
            f"{out} holds {len(foreign)} id(s) that INPUT has not (first: {first!r}): "
            "removed from INPUT since, or written from another INPUT; --resume goes on with "
            "the INPUT its rows came from (give that INPUT, or another --out)",
        )


def _run(
    rows_at: Path,
    out: Path,
    items: list[Item],
    summary: Summary,
    task: str,
    resume: bool,
    progress: Progress | None,
    scheduler: str | None,
    n_workers: int,
    runner: Callable[[Chunk, str], list[str]],
) -> None:
    """The run itself, into ``summary``: the ids to skip, then the chunks appended to
    ``rows_at``. Every :class:`InputError` comes before OUTPUT is touched."""
    skip = done_ids(rows_at, task, shown=out) if resume else {}
    _same_input(skip, items, out)
    todo: list[Item] = [i for i in items if i.id not in skip]
    summary.skipped = len(items) - len(todo)
    summary.skipped_failed = sum(1 for code in skip.values() if code)
    done = 0
    # connected before OUTPUT is opened: an unreachable scheduler leaves OUTPUT as it was
    with _engine(scheduler, n_workers, runner) as (threads, most, run):
        if resume:
            cut_torn_line(rows_at)
        with open_output(rows_at, resume=resume, shown=out) as f:
            size = chunk_size(len(todo), threads, most)
            chunks = [todo[k : k + size] for k in range(0, len(todo), size)]
            if progress:
                progress(0, len(todo))
            try:
                for lines in _rows(run(chunks, task), f, out):
                    for line in lines:
                        bad = failure(line)
                        if bad is None:
                            summary.ok += 1
                        else:
                            summary.failed[bad["exit_code"]] += 1
                            summary.reasons[reason(bad["error"])] += 1
                    done += len(lines)
                    if progress:
                        progress(done, len(todo))
            except BatchStopped as err:
                raise BatchStopped(
                    err.field,
                    f"{err.problem}; the rows written so far are kept ({number(done)} of "
                    f"this run's {number(len(todo))} households, at the last whole chunk): "
                    "--resume goes on",
                ) from None


def _rows(
    results: Generator[tuple[int, list[str]], None, None], f: FileIO, out: Path
) -> Iterator[list[str]]:
    """Each chunk's rows of ``results``, once appended to ``f``; a write that fails (a full
    disk) stops the batch (:class:`BatchStopped`)."""
    try:
        for _, lines in results:
            try:
                append_chunk(f, lines)
            except OSError as err:
                raise BatchStopped(
                    "--out", f"{out} could not be written on ({err.strerror})"
                ) from None
            yield lines
    finally:  # closed now, not when the exception is let go: the pool stops at once
        results.close()


def run_batch(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    task: str = "optimize",
    workers: int | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    runner: Callable[[Chunk, str], list[str]] = run_chunk,
    scheduler: str | None = None,
) -> Summary:
    """Run ``task`` on every household of ``source`` into ``out`` (input order): JSON Lines,
    or Parquet when ``out`` ends in ``.parquet``.

    ``workers``: processes (default: all cores); ``scheduler``: a Dask scheduler's address
    (``tcp://HOST:PORT``) whose workers run the chunks instead (then ``workers`` must be
    ``None``). Bad INPUT, OUTPUT, task or an unreachable scheduler is one
    :class:`InputError` raised before anything runs; a batch that cannot go on (OUTPUT no
    longer written, the scheduler lost) raises :class:`BatchStopped`, the rows written so
    far kept for ``resume``."""
    if task not in TASKS:
        raise InputError("--task", f"{task!r} is not a batch task (one of: {', '.join(TASKS)})")
    if scheduler is not None and workers is not None:
        raise InputError("--workers", "not with --scheduler: the cluster's workers run the chunks")
    n_workers = (os.cpu_count() or 1) if workers is None else workers
    if n_workers < 1:
        raise InputError("--workers", "must be at least 1")
    source, out = Path(source), Path(out)
    start = time.perf_counter()
    if scheduler is None:  # the workers' server loads the hot path while INPUT is read
        start_server(runner)
    items = read_items(source)
    _not_the_input(source, out, items)
    check_out(out)
    # a Parquet OUTPUT's journal rebuilt now, for --resume, goes again if the run is refused
    rebuilt = resume and is_parquet(out) and not journal_path(out).exists()
    rows_at = journal(out, resume=resume, task=task)  # ``out``, or a Parquet OUTPUT's journal
    summary = Summary(total=len(items))
    try:
        _run(rows_at, out, items, summary, task, resume, progress, scheduler, n_workers, runner)
    except InputError:  # refused before anything ran: OUTPUT as it was, no journal left
        if rebuilt:
            rows_at.unlink(missing_ok=True)
        raise
    if rows_at != out:
        finish(rows_at, out, task)
    summary.seconds = time.perf_counter() - start
    return summary
