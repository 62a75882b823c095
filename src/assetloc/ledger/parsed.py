"""What an import reads from a file before it touches the database: transactions with the
row each came from (for messages), and the file's name and SHA-256."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from assetloc.errors import InputError
from assetloc.ledger.transactions import Transaction, identity_key, transaction_id


@dataclass(frozen=True, slots=True)
class Row:
    """One transaction and the file row it came from (the header is row 1)."""

    number: int
    transaction: Transaction


@dataclass(frozen=True)
class ParsedFile:
    """A file read and checked: ``rows`` in file order, each with its final ``id``;
    ``kind`` is ledger, orders, fidelity, schwab or vanguard."""

    name: str
    sha256: str
    kind: str
    rows: tuple[Row, ...]

    def where(self, row: int) -> str:
        """The field name of a row, for messages."""
        return f"{self.name} row {row}"


def read_bytes(path: str | Path) -> tuple[bytes, str]:
    """The file's bytes and its text (UTF-8, a byte-order mark accepted); InputError when
    it cannot be read."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(str(p), "file not found") from None
    except IsADirectoryError:
        raise InputError(str(p), "is a directory, not a CSV file") from None
    except OSError as err:
        raise InputError(
            str(p), f"cannot be read ({err.strerror or err.__class__.__name__})"
        ) from None
    try:
        return data, data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(str(p), "is not UTF-8 text") from None


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def with_ids(name: str, rows: Sequence[Row], explicit: Sequence[str]) -> tuple[Row, ...]:
    """``rows`` with their identities: ``explicit[i]`` (a broker's id) when not empty, else
    :func:`transaction_id` with the occurrence among identical rows earlier in the file;
    ``seq`` the row's order in the file. Two rows with one explicit id: InputError."""
    seen: Counter[str] = Counter()
    ids: dict[str, int] = {}
    out = []
    for k, (row, given) in enumerate(zip(rows, explicit, strict=True)):
        t = row.transaction
        if given:
            tid = given
        else:
            key = identity_key(t)
            tid = transaction_id(t, seen[key])
            seen[key] += 1
        first = ids.setdefault(tid, row.number)
        if first != row.number:
            raise InputError(
                f"{name} row {row.number}, column id",
                f"id {tid!r} is also the id of row {first}",
            )
        out.append(Row(row.number, replace(t, id=tid, seq=k + 1)))
    return tuple(out)
