"""The batch's OUTPUT: JSON Lines appended whole chunks at a time.

A chunk's rows go out in one ``write`` then ``flush`` + ``fsync``, so a killed run leaves
only whole chunks; a torn last line (power loss mid-write) is cut off on ``--resume``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import BinaryIO

from assetloc.errors import InputError


def done_ids(out: Path) -> set[str]:
    """Ids already in ``out`` (for ``--resume``), after cutting a torn last line."""
    if not out.exists():
        return set()
    data = out.read_bytes()
    whole = data[: data.rfind(b"\n") + 1]
    if len(whole) != len(data):
        with out.open("r+b") as f:
            f.truncate(len(whole))
    ids: set[str] = set()
    for n, line in enumerate(whole.splitlines(), start=1):
        try:
            ids.add(json.loads(line)["id"])
        except (ValueError, KeyError, TypeError):
            raise InputError(f"--out {out}:{n}", "is not a batch row: cannot resume") from None
    return ids


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
