"""Chunks on a Dask distributed cluster (``--scheduler tcp://HOST:PORT``), handed back in
input order like :func:`assetloc.batch.pool.run_chunks`.

Each chunk goes to ``client.submit(runner, chunk, task, pure=False)``: its households'
JSON Lines rows as their text, Parquet rows parsed, or a folder's TOML files as their text
(read here, so workers need not see INPUT). A chunk whose worker dies (``KilledWorker``,
raised once the scheduler's own ``distributed.scheduler.allowed-failures`` re-runs are
spent) or that is cancelled is submitted once more; if that fails too, its households are
error rows with the local pool's message and exit code. A lost scheduler (the client no
longer connected) stops the batch instead (:class:`~assetloc.errors.BatchStopped`): its
chunks would otherwise all read as dead workers, rows that ``--resume`` never runs again.
``distributed`` is imported only when a run asks for it."""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import CancelledError
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

from assetloc.batch.inputs import Item
from assetloc.batch.pool import DIED_TWICE, WORKER_DIED, Chunk
from assetloc.batch.tasks import error_rows
from assetloc.errors import BatchStopped, InputError

#: seconds to wait for the scheduler (less if Dask's ``distributed.comm.timeouts.connect``
#: is set lower)
CONNECT_TIMEOUT_S = 10.0
#: how to get the optional dependency
INSTALL = "pip install 'assetloc[dask]'"

Runner = Callable[[Chunk, str], list[str]]


def _distributed() -> Any:
    """The ``distributed`` module, or one :class:`InputError` naming the extra to install."""
    try:
        import distributed
    except ImportError:
        raise InputError("--scheduler", f"needs Dask distributed: {INSTALL}") from None
    return distributed


def _timeout() -> float:
    """Seconds to wait for the scheduler: :data:`CONNECT_TIMEOUT_S` or Dask's own, if less."""
    import dask.config
    from dask.utils import parse_timedelta

    dask_s = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), "s")
    return min(CONNECT_TIMEOUT_S, float(dask_s))


def _check_address(address: str) -> None:
    """One :class:`InputError` unless ``address`` is ``PROTOCOL://HOST:PORT`` (checked
    before connecting: a half-made client on a bad address hangs on exit)."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        _, port = parse_host_port(parse_address(address, strict=True)[1])
    except ValueError:
        raise InputError("--scheduler", f"expected tcp://HOST:PORT, got {address!r}") from None
    if not 0 < int(port) < 65536:
        raise InputError("--scheduler", f"port {port} in {address!r} is not 1 to 65535")


def with_text(item: Item) -> Item:
    """``item`` carrying its TOML file's text; unchanged if it has none or the file cannot
    be read (the worker then reads it and reports the error as the local pool does)."""
    if not item.from_toml or item.text is not None:
        return item
    try:
        return replace(item, text=Path(item.path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return item


class DaskPool:
    """A connected client: :meth:`run_chunks` runs chunks on the cluster's workers."""

    def __init__(self, client: Any, distributed: Any, address: str) -> None:
        self._client = client
        self._dist = distributed
        self._address = address

    @property
    def threads(self) -> int:
        """Worker threads the scheduler knows of now (at least 1), to size chunks."""
        nthreads: dict[str, int] = self._client.nthreads()
        return max(1, sum(nthreads.values()))

    def run_chunks(
        self, chunks: list[Chunk], task: str, runner: Runner
    ) -> Generator[tuple[int, list[str]], None, None]:
        """``(index, rows)`` for every chunk, in index order, as soon as each is in order."""
        client, dist = self._client, self._dist
        lost = (dist.KilledWorker, CancelledError)
        sent = [[with_text(i) for i in c] for c in chunks]
        tries: dict[Any, tuple[int, int]] = {}
        for i, c in enumerate(sent):
            tries[client.submit(runner, c, task, pure=False)] = (i, 1)
        results: dict[int, list[str]] = {}
        nxt = 0
        done = dist.as_completed(list(tries), loop=client.loop)
        for fut in done:
            i, n = tries.pop(fut)
            try:
                results[i] = fut.result()
            except lost:
                if self._client.status != "running":  # the scheduler is gone, not a worker
                    raise BatchStopped(
                        "--scheduler", f"lost the Dask scheduler at {self._address}"
                    ) from None
                if n == 1:
                    again = client.submit(runner, sent[i], task, pure=False)
                    tries[again] = (i, 2)
                    done.add(again)
                else:
                    results[i] = error_rows(chunks[i], DIED_TWICE, WORKER_DIED)
            fut.release()
            while nxt in results:
                yield nxt, results.pop(nxt)
                nxt += 1


#: seconds beyond the connect timeout a handshake may take before the address is taken for
#: something that is not a Dask scheduler (a dashboard's HTTP port answers, then waits)
HANDSHAKE_GRACE_S = 5.0


def _why(err: Exception) -> str:
    """``Kind: first line`` of a failed connection's exception."""
    text = str(err).splitlines()[0] if str(err) else ""
    return f"{err.__class__.__name__}: {text}".rstrip(": ")


def _probe(dist: Any, address: str, timeout: float) -> str | None:
    """Why ``address`` is no Dask endpoint, or None: a Dask handshake with it, given up after
    ``timeout`` + :data:`HANDSHAKE_GRACE_S` seconds (a port that accepts and never answers,
    such as a dashboard's) and closed either way, in a thread of its own with its own event
    loop (a notebook's running loop is not touched; nothing is left behind)."""
    box: dict[str, str] = {}

    async def handshake() -> None:
        comm = await asyncio.wait_for(
            dist.comm.connect(address, timeout=timeout), timeout + HANDSHAKE_GRACE_S
        )
        await comm.close()

    def run() -> None:
        try:
            asyncio.run(handshake())
        except TimeoutError:
            box["why"] = (
                f"no answer within {timeout + HANDSHAKE_GRACE_S:g} s: is it the scheduler's "
                "own port (8786 by default), not its dashboard's?"
            )
        except MemoryError:  # a service's greeting read as the length of a Dask frame
            box["why"] = "the service there does not speak Dask's protocol"
        except Exception as err:
            box["why"] = _why(err)

    thread = threading.Thread(target=run, name="assetloc-dask-probe", daemon=True)
    thread.start()
    thread.join(timeout + 2 * HANDSHAKE_GRACE_S)  # wait_for ends it before this
    if thread.is_alive():
        return f"no answer within {timeout + 2 * HANDSHAKE_GRACE_S:g} s"
    return box.get("why")


def _client(dist: Any, address: str, timeout: float) -> Any:
    """``dist.Client(address)`` once :func:`_probe` found a Dask endpoint there; anything
    else is one :class:`InputError` naming ``--scheduler``."""
    why = _probe(dist, address, timeout)
    if why is None:
        try:
            return dist.Client(address, timeout=timeout, set_as_default=False)
        except Exception as err:
            why = _why(err)
        with _quiet_half_made_clients():
            gc.collect()  # the half-made client's __del__ runs now, quietly
    raise InputError("--scheduler", f"cannot reach a Dask scheduler at {address} ({why})")


@contextmanager
def _quiet_half_made_clients() -> Iterator[None]:
    """No "Exception ignored in: Client.__del__" traceback from a client whose connection
    failed (collected by the one ``gc.collect`` run under this); any other unraisable is
    shown."""
    before = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        where = getattr(unraisable.object, "__qualname__", "")
        if not where.startswith("Client."):
            before(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = before


@contextmanager
def connect(address: str) -> Iterator[DaskPool]:
    """A :class:`DaskPool` on the scheduler at ``address``; unreachable, not a scheduler,
    or a scheduler with no worker within the timeout → one :class:`InputError` naming
    ``--scheduler``."""
    dist = _distributed()
    _check_address(address)
    timeout = _timeout()
    client = _client(dist, address, timeout)
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:  # asyncio's and distributed's are this one on Python 3.11+
            raise InputError(
                "--scheduler",
                f"the Dask scheduler at {address} has no worker (waited {timeout:g} s): "
                "start one with `dask worker " + address + "`",
            ) from None
        yield DaskPool(client, dist, address)
    finally:
        # the scheduler lost: closing cancels the reconnect, which Dask logs at length
        lost = client.status != "running"
        with _muted("distributed.client") if lost else nullcontext():
            client.close()


@contextmanager
def _muted(name: str) -> Iterator[None]:
    """The logger ``name`` silent while this lasts."""
    import logging

    log = logging.getLogger(name)
    before = log.disabled
    log.disabled = True
    try:
        yield
    finally:
        log.disabled = before


__all__ = ["CONNECT_TIMEOUT_S", "INSTALL", "DaskPool", "connect", "with_text"]
