"""Where the server's jobs are kept: :class:`SqlJobs`, rows of the server's database
(table ``jobs``, schema revision ``0003``), so that every worker process of ``assetloc
serve`` answers for every job and a finished job outlives a restart; :class:`MemoryJobs`,
this process's memory (an app without a database). Both evict as :mod:`.job` says: a
finished job older than ``KEEP_S``, then the oldest finished beyond ``MAX_JOBS``; the
database also reports a running job whose process stopped (no heartbeat for ``STALE_S``)
as an error."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Collection
from dataclasses import fields
from typing import Any, Protocol

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine, Row

from assetloc.ledger.store import jobs as table
from assetloc.ledger.store import open_store
from assetloc.web.job import KEEP_S, MAX_JOBS, STALE_S, STOPPED, STOPPED_STATUS, Job


class JobStore(Protocol):
    """Keeps jobs: the runner (:class:`assetloc.web.jobs.Jobs`) writes, any process reads."""

    def add(self, job: Job) -> None:
        """Keep a new job, evicting old finished ones first."""

    def save(self, job: Job) -> None:
        """Write the job's progress or outcome (and its heartbeat, ``job.updated``) while
        its kept row is still running: a row leaves ``running`` once (an outcome or the
        stop mark, whichever is first), and later writes leave it as it is."""

    def get(self, job_id: str) -> Job | None:
        """The job, or None (never started, or evicted); a stale one as stopped."""

    def beat(self, ids: Collection[str], now: float) -> None:
        """The heartbeat of these running jobs: alive at ``now`` (Unix seconds)."""

    def close(self) -> None:
        """Release what the store holds (a database's connections)."""


class MemoryJobs:
    """Jobs in this process's memory: the runner's own :class:`Job` objects."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def add(self, job: Job) -> None:
        """Keep ``job`` after evicting old finished jobs."""
        with self._lock:
            now = time.time()
            for jid, j in list(self._jobs.items()):
                if j.finished is not None and now - j.finished > KEEP_S:
                    del self._jobs[jid]
            done = sorted(
                (j for j in self._jobs.values() if j.finished is not None),
                key=lambda j: j.finished or 0.0,
            )
            while len(self._jobs) >= MAX_JOBS and done:
                del self._jobs[done.pop(0).id]
            self._jobs[job.id] = job

    def save(self, job: Job) -> None:
        """Nothing to write: the kept object is the runner's."""

    def get(self, job_id: str) -> Job | None:
        """The job with this id, or None."""
        with self._lock:
            return self._jobs.get(job_id)

    def beat(self, ids: Collection[str], now: float) -> None:
        """Nothing to do: a job in memory dies with its process."""

    def close(self) -> None:
        """Nothing to release."""


def _text(doc: dict[str, Any] | None) -> str | None:
    return None if doc is None else json.dumps(doc, ensure_ascii=False)


def _doc(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    doc: dict[str, Any] = json.loads(text)
    return doc


def _values(job: Job) -> dict[str, Any]:
    """The row of ``job`` (every column but its id: the columns are the record's fields)."""
    row = {f.name: getattr(job, f.name) for f in fields(Job) if f.name != "id"}
    row["result"], row["error"] = _text(job.result), _text(job.error)
    return row


def _job(row: Row[Any]) -> Job:
    """The record of a ``jobs`` row."""
    job = Job(**row._mapping)
    job.result, job.error = _doc(row.result), _doc(row.error)
    return job


class SqlJobs:
    """Jobs as rows of the ``jobs`` table of ``engine`` (the server's database, at schema
    ``0003`` or later). Every write is one short transaction that starts by writing (SQLite
    takes its write lock first, then waits out another process's instead of failing)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._t = table  # the jobs table (schema revision 0003)

    @classmethod
    def open(cls, url: str) -> SqlJobs:
        """The jobs of the database at ``url`` (opened and migrated; a SQLite file is put in
        write-ahead-log mode, so that the workers' polls never wait for a job's write)."""
        engine = open_store(url, create=True)
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        return cls(engine)

    def add(self, job: Job) -> None:
        """Insert ``job``'s row after marking stale jobs stopped and evicting old ones."""
        c = self._t.c
        now = time.time()
        with self._engine.begin() as conn:
            self._stop_stale(conn, now)
            conn.execute(delete(self._t).where(c.finished.is_not(None), c.finished < now - KEEP_S))
            kept = conn.execute(select(func.count()).select_from(self._t)).scalar_one()
            excess = int(kept) - MAX_JOBS + 1
            if excess > 0:
                oldest = conn.execute(
                    select(c.id).where(c.finished.is_not(None)).order_by(c.finished).limit(excess)
                ).scalars()
                conn.execute(delete(self._t).where(c.id.in_(list(oldest))))
            conn.execute(insert(self._t).values(id=job.id, **_values(job)))

    def save(self, job: Job) -> None:
        """Write ``job``'s progress or outcome to its row, if that is still running."""
        c = self._t.c
        with self._engine.begin() as conn:
            conn.execute(
                update(self._t).where(c.id == job.id, c.status == "running").values(**_values(job))
            )

    def get(self, job_id: str) -> Job | None:
        """The job's row, or None; a stale running one is marked stopped (and so reported)."""
        with self._engine.connect() as conn:
            row = conn.execute(select(self._t).where(self._t.c.id == job_id)).first()
        if row is None:
            return None
        job = _job(row)
        if job.stale(time.time()):
            job.stopped()
            with self._engine.begin() as conn:
                self._stop_stale(conn, time.time(), job_id)
        return job

    def beat(self, ids: Collection[str], now: float) -> None:
        """Set ``updated`` of these jobs' rows to ``now`` while they run."""
        if not ids:
            return
        c = self._t.c
        with self._engine.begin() as conn:
            conn.execute(
                update(self._t)
                .where(c.id.in_(list(ids)), c.status == "running")
                .values(updated=now)
            )

    def close(self) -> None:
        """Close the engine's connections."""
        self._engine.dispose()

    def _stop_stale(self, conn: Connection, now: float, job_id: str | None = None) -> None:
        """Mark running jobs without a heartbeat for :data:`STALE_S` as stopped."""
        c = self._t.c
        query = update(self._t).where(c.status == "running", c.updated < now - STALE_S)
        if job_id is not None:
            query = query.where(c.id == job_id)
        conn.execute(
            query.values(
                status="error",
                error=_text({"error": STOPPED}),
                http_status=STOPPED_STATUS,
                finished=c.updated,
            )
        )


__all__ = ["JobStore", "MemoryJobs", "SqlJobs"]
