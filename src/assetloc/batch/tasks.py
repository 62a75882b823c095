"""One household → one output row, by the same code path as ``assetloc TASK FILE --json``.

A row is ``{"id", "status", "error", "exit_code", "result"}``: ``result`` is the parsed
JSON the command prints; a failure gives ``status = "error"``, the command's one-line
message (without its ``error: `` prefix) and its exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetloc.batch.inputs import Item
from assetloc.errors import AssetlocError, InputError
from assetloc.steps import Steps, lockstep, run

if TYPE_CHECKING:
    from assetloc.ledger.context import WithLedger

#: the tasks the batch runs (every one of issue 15)
TASKS = ("optimize", "rebalance", "taxes", "tax-year", "harvest", "simulate")
#: exit code of a household that failed outside the CLI's documented errors (a bug)
INTERNAL = 1
#: a top-level key of each task's document that no other task's document has
SIGNATURE = {
    "optimize": "tie_break",
    "rebalance": "trades",
    "taxes": "muni_break_even",
    "tax-year": "federal",
    "harvest": "candidates",
    "simulate": "wealth_fan",
}


def task_of(result: object) -> str | None:
    """The task whose document ``result`` is (by :data:`SIGNATURE`), or None."""
    if not isinstance(result, dict):
        return None
    return next((t for t, key in SIGNATURE.items() if key in result), None)


def another_task(task: str, other: str, out: Path) -> InputError:
    """The error of ``--resume`` with ``--task task`` onto an OUTPUT of ``other``'s rows."""
    return InputError(
        "--task",
        f"{task!r}, but --out {out} holds {other!r} rows: --resume goes on with the task it "
        "was started with (give that --task, or another --out)",
    )


def _load(item: Item, history: bool) -> WithLedger:
    """The household of ``item`` as ``cli.loading.load`` reads a file (no holdings CSV, no
    ``--db``, no ``--as-of``); ``history``: the ledger's recent trades too."""
    from assetloc.inputs.household import parse_toml, read_toml

    if item.from_toml:
        raw = read_toml(item.path) if item.text is None else parse_toml(item.text, item.path)
    else:
        raw = item.fields()
    return load_raw(raw, item.path, history=history)


def load_raw(
    raw: object, path: str | Path, *, history: bool = False, db: str | None = None
) -> WithLedger:
    """A household from its parsed fields (the TOML file's tables, e.g. a JSON object),
    checked as ``cli.loading.load`` checks a file: fields, the ledger (relative SQLite
    paths against ``path``'s folder; ``db`` overrides ``[ledger] url``), then the checks
    that span the accounts. Not a dict: :class:`InputError`."""
    from assetloc.inputs.household import check_household, parse_fields
    from assetloc.ledger.context import apply_ledger

    if not isinstance(raw, dict):
        raise InputError("household", "must be a JSON object (the TOML file's tables)")
    out = apply_ledger(parse_fields(raw), path, db=db, history=history)
    check_household(out.household)
    return out


def row(item: Item, task: str) -> str:
    """The output row of one household as one JSON line (never raises for a bad household).

    Written as text around the document's own line (:func:`jsonout.line`), so the document
    is encoded once; keys in the order ``id, status, error, exit_code, result``."""
    return run(row_steps(item, task))


def row_steps(item: Item, task: str) -> Steps[str]:
    """:func:`row` in stages (:mod:`assetloc.steps`): load, the document's own stages,
    encode. Catches every household's error, so a chunk's rows run in lockstep."""
    from assetloc.present import jsonout
    from assetloc.present.documents import HISTORY_TASKS, document_steps

    try:
        loaded = _load(item, history=task in HISTORY_TASKS)
        yield
        doc = yield from document_steps(task, loaded)
        yield
        body = jsonout.line(doc)
    except AssetlocError as err:
        return _error(item.id, str(err), err.exit_code)
    except Exception as err:  # a bug in one household must not stop the batch
        return _error(item.id, f"internal error: {err.__class__.__name__}: {err}", INTERNAL)
    hid = json.dumps(item.id, ensure_ascii=False)
    return f'{{"id":{hid},"status":"ok","error":null,"exit_code":0,"result":{body}}}'


def _error(hid: str, message: str, code: int) -> str:
    """An error row: the one-line message and its exit code (a lone surrogate in it, which
    UTF-8 cannot hold, as ``\\ud800``: what the CLI's stderr shows)."""
    text = " ".join(message.splitlines())
    if not text.isascii():
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    r = {"id": hid, "status": "error", "error": text, "exit_code": code, "result": None}
    return json.dumps(r, ensure_ascii=False, separators=(",", ":"))


def error_rows(items: list[Item], message: str, code: int) -> list[str]:
    """Error rows (JSON lines) for households that could not be run at all."""
    return [_error(i.id, message, code) for i in items]


def failure(line: str) -> dict[str, Any] | None:
    """``None`` for an ok row, else the parsed error row (reads only the id of an ok row)."""
    _, end = _DECODER.raw_decode(line, 6)  # the id string after '{"id":'
    if line.startswith(',"status":"ok"', end):
        return None
    parsed: dict[str, Any] = json.loads(line)
    return parsed


def run_chunk(items: list[Item], task: str) -> list[str]:
    """A chunk's rows as JSON lines (no newline), in the chunk's order: the households run
    in lockstep (:func:`assetloc.steps.lockstep`), each row what :func:`row` gives alone."""
    return lockstep([row_steps(i, task) for i in items])


_DECODER = json.JSONDecoder()
