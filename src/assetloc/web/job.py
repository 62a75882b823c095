"""One job's record (:class:`Job`) and the rules every job store keeps: how long a finished
job is kept, how many are kept, and when a running job counts as stopped."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

#: seconds a finished job's result is kept
KEEP_S = 900.0
#: jobs kept at once (running or finished); a new one beyond it evicts the oldest finished
MAX_JOBS = 64
#: seconds without a heartbeat after which a running job counts as stopped (its process
#: died: a live one writes its running jobs' heartbeat every ``jobs.HEARTBEAT_S``)
STALE_S = 60.0
#: the error of a job whose process stopped before it finished
STOPPED = "the server stopped before this job finished"
#: its HTTP status (not the caller's fault)
STOPPED_STATUS = 500


@dataclass
class Job:
    """One run: its task, state (``running``, ``done``, ``error``), progress and outcome.
    Times are Unix seconds (``time.time()``), comparable across the server's processes;
    ``updated`` is the last heartbeat, ``owner`` the process running it."""

    id: str
    task: str
    status: str = "running"
    done: int = 0
    total: int = 0
    unit: str = ""
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    http_status: int | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None
    updated: float = field(default_factory=time.time)
    owner: str = ""

    def view(self) -> dict[str, Any]:
        """What ``GET /api/jobs/{id}`` answers (seconds for ``elapsed_s``)."""
        end = self.finished if self.finished is not None else time.time()
        return {
            "id": self.id,
            "task": self.task,
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "unit": self.unit,
            "elapsed_s": round(max(end - self.started, 0.0), 3),
            "result": self.result,
            "error": self.error,
        }

    def stale(self, now: float) -> bool:
        """Whether it is running with no heartbeat for over :data:`STALE_S` seconds."""
        return self.status == "running" and now - self.updated > STALE_S

    def stopped(self) -> None:
        """Mark it as stopped with its process: an error, finished at its last heartbeat."""
        self.status = "error"
        self.error = {"error": STOPPED}
        self.http_status = STOPPED_STATUS
        self.finished = self.updated
