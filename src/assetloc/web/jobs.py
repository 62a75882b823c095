"""Long runs as jobs: ``POST /api/jobs/{task}`` starts one in a worker thread and answers
its id at once; ``GET /api/jobs/{id}`` reports its progress (``done`` of ``total``
``unit``) and, once finished, its document (exactly the CLI's ``--json``) or its error
(the API's 422 shape). Jobs live in memory: a restart forgets them; a finished job is kept
for :data:`KEEP_S` seconds, at most :data:`MAX_JOBS` at a time."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

#: seconds a finished job's result is kept
KEEP_S = 900.0
#: jobs kept at once (running or finished); a new one beyond it evicts the oldest finished
MAX_JOBS = 64

#: a job's work: given a progress callback ``(done, total, what)``, the document
Work = Callable[[Callable[[int, int, str], None]], dict[str, Any]]
#: maps an exception to (HTTP status, error body); ``None``: not an input error (a bug)
Classify = Callable[[BaseException], "tuple[int, dict[str, Any]] | None"]


@dataclass
class Job:
    """One run: its task, state (``running``, ``done``, ``error``), progress and outcome."""

    id: str
    task: str
    status: str = "running"
    done: int = 0
    total: int = 0
    unit: str = ""
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    http_status: int | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def view(self) -> dict[str, Any]:
        """What ``GET /api/jobs/{id}`` answers (seconds for ``elapsed_s``)."""
        end = self.finished if self.finished is not None else time.monotonic()
        return {
            "id": self.id,
            "task": self.task,
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "unit": self.unit,
            "elapsed_s": round(end - self.started, 3),
            "result": self.result,
            "error": self.error,
        }


class Jobs:
    """The server's jobs, run ``workers`` at a time."""

    def __init__(self, classify: Classify, workers: int = 2) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="assetloc-job")
        self._classify = classify

    def start(self, task: str, work: Work) -> Job:
        """Queue ``work`` and return its job (status ``running``)."""
        job = Job(uuid.uuid4().hex, task)
        with self._lock:
            self._evict()
            self._jobs[job.id] = job
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        """The job with this id, or ``None`` (never started, or forgotten)."""
        with self._lock:
            return self._jobs.get(job_id)

    def _run(self, job: Job, work: Work) -> None:
        def progress(done: int, total: int, what: str) -> None:
            job.done, job.total, job.unit = done, total, what

        try:
            job.result = work(progress)
            job.status = "done"
        except Exception as err:  # reported to the page, never raised in the pool
            known = self._classify(err)
            if known is None:
                job.http_status = 500
                job.error = {"error": f"internal error: {err.__class__.__name__}: {err}"}
            else:
                job.http_status, job.error = known
            job.status = "error"
        finally:
            job.finished = time.monotonic()

    def _evict(self) -> None:
        now = time.monotonic()
        for jid, j in list(self._jobs.items()):
            if j.finished is not None and now - j.finished > KEEP_S:
                del self._jobs[jid]
        done = sorted(
            (j for j in self._jobs.values() if j.finished is not None),
            key=lambda j: j.finished or 0.0,
        )
        while len(self._jobs) >= MAX_JOBS and done:
            del self._jobs[done.pop(0).id]

    def shutdown(self) -> None:
        """Stop taking jobs; running ones finish."""
        self._pool.shutdown(wait=False, cancel_futures=True)
