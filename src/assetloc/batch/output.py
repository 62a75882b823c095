"""The batch's OUTPUT: JSON Lines appended whole chunks at a time.

A chunk's rows go out in one ``write`` then ``flush`` + ``fsync``, so a killed run leaves
whole rows but for a torn last line (a kill or a power loss inside a large write, which
Linux may stop part way), cut off on ``--resume``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import BinaryIO

from assetloc.batch.tasks import another_task, task_of
from assetloc.errors import InputError


def done_ids(out: Path, task: str | None = None, shown: Path | None = None) -> dict[str, int]:
    """Ids already in ``out`` (for ``--resume``) with their rows' exit codes (0: ok), read
    from its whole lines (a torn last line is not read; :func:`cut_torn_line` cuts it once
    the run may go on); with
    ``task``, an ok row of another task's document is an :class:`InputError` (resuming
    with another ``--task`` would mix two tasks' rows in one OUTPUT); ``shown``: the OUTPUT
    the user named, when ``out`` is its journal. A line that is no batch row (an id, and a
    status ``ok`` or ``error``) is an :class:`InputError`."""
    if not out.exists():
        return {}
    data = out.read_bytes()
    whole = data[: data.rfind(b"\n") + 1]
    ids: dict[str, int] = {}
    for n, line in enumerate(whole.splitlines(), start=1):
        try:
            row = json.loads(line)
            status = row["status"]
            if status not in ("ok", "error") or not isinstance(row["id"], str):
                raise ValueError(status)
            ids[row["id"]] = 0 if status == "ok" else int(row.get("exit_code") or 1)
        except (ValueError, KeyError, TypeError):
            raise InputError(f"--out {out}:{n}", "is not a batch row: cannot resume") from None
        if task is not None and status == "ok":
            other = task_of(row.get("result"))
            if other is not None and other != task:
                raise another_task(task, other, shown or out)
    return ids


def cut_torn_line(out: Path) -> None:
    """Cut a torn last line off ``out`` (a kill inside a write), before appending to it."""
    if not out.exists():
        return
    with out.open("r+b") as f:
        size = f.seek(0, os.SEEK_END)
        keep = size
        while keep > 0:  # back to the last newline, a block at a time
            step = min(keep, 1 << 16)
            f.seek(keep - step)
            block = f.read(step)
            at = block.rfind(b"\n")
            if at >= 0:
                keep = keep - step + at + 1
                break
            keep -= step
        if keep != size:
            f.truncate(keep)


def open_output(out: Path, *, resume: bool) -> BinaryIO:
    """``out`` opened to append (``resume``) or emptied; a bad path is one line."""
    try:
        return out.open("ab" if resume else "wb")
    except OSError as err:
        raise InputError("--out", f"{out} cannot be written ({err.strerror})") from None


def append_chunk(f: BinaryIO, lines: list[str]) -> None:
    """Append ``lines`` as whole lines in one write, flushed to disk."""
    if not lines:
        return
    f.write("".join(line + "\n" for line in lines).encode())
    f.flush()
    os.fsync(f.fileno())
