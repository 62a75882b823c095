"""Parquet OUTPUT, built at the end from a JSON Lines journal (``OUT.jsonl.partial``).

While the batch runs its rows are appended to the journal exactly as to a JSON Lines
OUTPUT (whole chunks, ``fsync``), so ``--resume`` reads the done ids from it. At the end the
journal is read twice (the union of the headline columns, then the rows in blocks of
:data:`BLOCK`), written to ``OUT.partial`` and moved over ``OUT`` by ``os.replace``; then the
journal is removed. ``OUT`` is never half written. ``--resume`` after a finished run (no
journal left) first rebuilds the journal from ``OUT``'s columns, so rows can be added.

pyarrow is imported inside the functions (never by ``import assetloc`` or ``--help``)."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetloc.batch.columns import COLUMNS, Kind, flatten
from assetloc.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa

#: the row's own columns, first, in this order; ``result`` (the JSON document) comes last
BASE = ("id", "status", "error", "exit_code")
#: rows per record batch (one Parquet row group each)
BLOCK = 4096


def is_parquet(out: Path) -> bool:
    """Whether ``out`` asks for Parquet (its name ends in ``.parquet``)."""
    return out.suffix.lower() == ".parquet"


def journal(out: Path, *, resume: bool) -> Path:
    """Where the batch appends its JSON lines: ``out`` itself unless it is Parquet."""
    if not is_parquet(out):
        return out
    if out.is_dir():
        raise InputError("--out", f"{out} is a directory: give a file, e.g. plans.parquet")
    path = out.with_name(out.name + ".jsonl.partial")
    if resume and not path.exists() and out.exists():
        _rebuild_journal(out, path)
    return path


def _rebuild_journal(out: Path, path: Path) -> None:
    """The journal's lines again, from a finished Parquet ``out`` (written whole, then moved)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(out, columns=[*BASE, "result"])
    except (pa.ArrowException, OSError):
        raise InputError(f"--out {out}", "is not a batch's Parquet output: cannot resume") from None
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for r in table.to_pylist():
            result = None if r["result"] is None else json.loads(r["result"])
            f.write(json.dumps({**{k: r[k] for k in BASE}, "result": result}) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def finish(path: Path, out: Path, task: str) -> None:
    """Write the journal ``path`` as the Parquet file ``out`` (atomically), then remove it.

    A file system error (disk full, ...) is one :class:`InputError` naming ``--out``; the
    journal is kept, so ``--resume`` can finish the file later."""
    import pyarrow.parquet as pq

    schema = _schema(_union(path, task), task)
    part = out.with_name(out.name + ".partial")
    try:
        with pq.ParquetWriter(part, schema) as writer:
            for lines in _blocks(path):
                writer.write_batch(_batch(lines, schema, task))
        with part.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(part, out)
        _sync_folder(out.parent)
    except OSError as err:
        raise InputError("--out", f"{out} cannot be written ({err.strerror or err})") from None
    path.unlink()


def _sync_folder(folder: Path) -> None:
    """``fsync`` a folder, so a rename in it survives a power cut (where the OS allows)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _blocks(path: Path) -> Iterator[list[str]]:
    """The journal's lines, :data:`BLOCK` at a time."""
    block: list[str] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            block.append(line)
            if len(block) == BLOCK:
                yield block
                block = []
    if block:
        yield block


def _union(path: Path, task: str) -> dict[str, Kind]:
    """Every headline column of the journal's rows: by family, then first appearance."""
    families: list[dict[str, None]] = [{} for _ in COLUMNS[task]]
    for lines in _blocks(path):
        for line in lines:
            for k, name, _ in flatten(task, json.loads(line)["result"]):
                families[k][name] = None
    cols = zip(COLUMNS[task], families, strict=True)
    return {name: col.kind for col, names in cols for name in names}


def _schema(headline: dict[str, Kind], task: str) -> pa.Schema:
    """The file's schema: :data:`BASE`, the headline columns, ``result``."""
    import pyarrow as pa

    types = {"float": pa.float64(), "int": pa.int64(), "str": pa.string()}
    fields = [
        pa.field("id", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("error", pa.string()),
        pa.field("exit_code", pa.int64(), nullable=False),
        *(pa.field(name, types[kind]) for name, kind in headline.items()),
        pa.field("result", pa.string()),
    ]
    return pa.schema(fields, metadata={"assetloc.task": task})


def _batch(lines: list[str], schema: pa.Schema, task: str) -> pa.RecordBatch:
    """One record batch of ``schema`` from journal lines (nulls where a row has no value)."""
    import pyarrow as pa

    rows = [json.loads(line) for line in lines]
    cols: dict[str, list[Any]] = {name: [None] * len(rows) for name in schema.names}
    for i, r in enumerate(rows):
        for k in BASE:
            cols[k][i] = r[k]
        for _, name, value in flatten(task, r["result"]):
            cols[name][i] = value
        cols["result"][i] = None if r["result"] is None else json.dumps(r["result"])
    arrays = [pa.array(cols[f.name], type=f.type) for f in schema]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
