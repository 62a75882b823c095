"""Long runs as jobs: ``POST /api/jobs/{task}`` starts one in a worker thread of the
process that took it and answers its id at once; ``GET /api/jobs/{id}``, answered by any
of the server's processes, reports its progress (``done`` of ``total`` ``unit``) and,
once finished, its document (exactly the CLI's ``--json``) or its error (the API's 422
shape). The jobs are kept in a :class:`~assetloc.web.job_store.JobStore`: the server's
database (so a finished job outlives a restart), else this process's memory. A finished
job is kept for :data:`~assetloc.web.job.KEEP_S` seconds, at most
:data:`~assetloc.web.job.MAX_JOBS` at a time; a running job's progress is written at most
every :data:`PROGRESS_S` seconds and its heartbeat every :data:`HEARTBEAT_S`; one whose
process stopped reads as an error at once when the server shuts down cleanly
(:meth:`Jobs.shutdown`), else after :data:`~assetloc.web.job.STALE_S`."""

from __future__ import annotations

import copy
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from assetloc.web.job import KEEP_S, MAX_JOBS, Job
from assetloc.web.job_store import JobStore, MemoryJobs

#: seconds between two progress writes of one job (the final write is always made)
PROGRESS_S = 0.2
#: seconds between two heartbeats of this process's running jobs
HEARTBEAT_S = 10.0

#: a job's work: given a progress callback ``(done, total, what)``, the document
Work = Callable[[Callable[[int, int, str], None]], dict[str, Any]]
#: maps an exception to (HTTP status, error body); ``None``: not an input error (a bug)
Classify = Callable[[BaseException], "tuple[int, dict[str, Any]] | None"]

_log = logging.getLogger("assetloc.web")


class _Stopped(Exception):
    """Raised in a job's work at its progress report once the server is stopping."""


def process_name() -> str:
    """This process, as a job's ``owner``: ``host:pid:random`` (a reused pid differs)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Jobs:
    """This process's runner of jobs, ``workers`` at a time, kept in ``store``."""

    def __init__(self, classify: Classify, store: JobStore | None = None, workers: int = 2) -> None:
        self.store: JobStore = store if store is not None else MemoryJobs()
        self.owner = process_name()
        self._workers = workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="assetloc-job")
        self._classify = classify
        self._running: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._heart: threading.Thread | None = None

    def start(self, task: str, work: Work) -> Job:
        """Keep a new job (status ``running``), queue ``work`` and return the job."""
        job = Job(uuid.uuid4().hex, task, owner=self.owner)
        with self._lock:
            self._running[job.id] = job
            if self._heart is None:
                self._heart = threading.Thread(
                    target=self._beat, name="assetloc-job-heartbeat", daemon=True
                )
                self._heart.start()
        try:
            self.store.add(job)
        except BaseException:
            self._done(job)
            raise
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        """The job with this id, from any process, or ``None`` (never started, or evicted)."""
        return self.store.get(job_id)

    def _run(self, job: Job, work: Work) -> None:
        written = time.monotonic()

        def progress(done: int, total: int, what: str) -> None:
            nonlocal written
            if self._stop.is_set():  # the server is stopping: end the work here
                raise _Stopped
            job.done, job.total, job.unit = done, total, what
            if time.monotonic() - written >= PROGRESS_S:
                written = time.monotonic()
                job.updated = time.time()
                self._save(job)

        try:
            try:
                job.result = work(progress)
                job.status = "done"
            except _Stopped:  # marked stopped by shutdown: nothing more to write
                return
            except Exception as err:  # reported to the page, never raised in the pool
                known = self._classify(err)
                if known is None:
                    job.http_status = 500
                    job.error = {"error": f"internal error: {err.__class__.__name__}: {err}"}
                else:
                    job.http_status, job.error = known
                job.status = "error"
            job.finished = job.updated = time.time()
            self._save(job)
        finally:
            self._done(job)

    def _save(self, job: Job) -> None:
        """Write the job; a failure is logged (the job then reads as stopped, in time).
        The store writes a row only while it is running, so a write that comes after the
        stop mark (or after the outcome) changes nothing."""
        try:
            self.store.save(job)
        except Exception as err:
            _log.warning("job %s: cannot write its progress: %s", job.id, err)

    def _done(self, job: Job) -> None:
        with self._lock:
            self._running.pop(job.id, None)

    def _beat(self) -> None:
        """Every HEARTBEAT_S: this process's running jobs are alive."""
        while not self._stop.wait(HEARTBEAT_S):
            with self._lock:
                ids = list(self._running)
            try:
                self.store.beat(ids, time.time())
            except Exception as err:
                _log.warning("jobs: cannot write their heartbeat: %s", err)

    def resume(self) -> None:
        """Take jobs again after :meth:`shutdown` (an app whose lifespan starts anew)."""
        with self._lock:
            if not self._stop.is_set():
                return
            self._stop = threading.Event()
            self._pool = ThreadPoolExecutor(
                max_workers=self._workers, thread_name_prefix="assetloc-job"
            )
            self._heart = None

    def shutdown(self) -> None:
        """The server is stopping: stop the heartbeat and drop queued work, mark this
        process's running jobs stopped at once (a poll reads the error now, not after
        :data:`~assetloc.web.job.STALE_S`), then close the store. A running job ends at
        its next progress report (the work raises there) and writes nothing more; one
        whose outcome was written first keeps it (the store writes running rows only)."""
        self._stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            running = list(self._running.values())
        for job in running:
            if job.status == "running":
                stopped = copy.copy(job)
                stopped.updated = time.time()
                stopped.stopped()
                try:
                    self.store.save(stopped)
                except Exception as err:
                    _log.warning("job %s: cannot mark it stopped: %s", job.id, err)
        self.store.close()


__all__ = ["HEARTBEAT_S", "KEEP_S", "MAX_JOBS", "PROGRESS_S", "Classify", "Jobs", "Work"]
