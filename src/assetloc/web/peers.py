"""How many connections each worker of ``assetloc serve --workers N`` holds, shared through
a small file that every worker maps into memory (:class:`Peers`).

``assetloc serve`` creates the file; each worker takes a slot in it (its pid, under a file
lock: a slot of a process that has died is taken again) and writes its own count and the
time (``time.monotonic``, one clock for every process on the machine) into it; it reads the
others' to decide whether it holds more than its share
(:class:`~assetloc.web.keepalive.KeepAliveLimit`). A slot not written for :data:`FRESH`
seconds is read as no worker's. Needs ``fcntl`` (not on Windows: :data:`SUPPORTED`).
"""

from __future__ import annotations

import mmap
import os
import struct
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no table; each worker keeps only the age rule
    SUPPORTED = False
else:
    SUPPORTED = True

#: slots in the file: workers at most
SLOTS = 64
#: a slot not written for longer than this (seconds) is no live worker's
FRESH = 2.0
#: one slot: pid, connections, time written (monotonic seconds)
_SLOT = struct.Struct("<qqd")


def create(path: str | Path) -> None:
    """An empty table at ``path`` (every slot free)."""
    Path(path).write_bytes(bytes(_SLOT.size * SLOTS))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


class Peers:
    """This worker's slot in the table at ``path`` and a view of the others'. ``pid``:
    this worker's (default: the process's)."""

    def __init__(self, path: str | Path, pid: int | None = None) -> None:
        self.pid = os.getpid() if pid is None else pid
        with open(path, "r+b") as f:
            self._map = mmap.mmap(f.fileno(), _SLOT.size * SLOTS)
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                self.slot = self._claim()
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def _claim(self) -> int:
        """The first slot that is free or held by a process that has died; taken."""
        for i in range(SLOTS):
            pid, _, _ = _SLOT.unpack_from(self._map, i * _SLOT.size)
            if pid in (0, self.pid) or not _alive(pid):
                _SLOT.pack_into(self._map, i * _SLOT.size, self.pid, 0, 0.0)
                return i
        raise OSError(f"the worker table holds {SLOTS} workers at most")

    def publish(self, connections: int, now: float) -> None:
        """Write this worker's count of connections at time ``now``."""
        _SLOT.pack_into(self._map, self.slot * _SLOT.size, self.pid, connections, now)

    def fewest_elsewhere(self, now: float) -> int | None:
        """The fewest connections any other live worker holds (None: no other has written
        within :data:`FRESH` seconds)."""
        best: int | None = None
        for i in range(SLOTS):
            if i == self.slot:
                continue
            pid, count, stamp = _SLOT.unpack_from(self._map, i * _SLOT.size)
            if pid and now - stamp <= FRESH and (best is None or count < best):
                best = count
        return best
