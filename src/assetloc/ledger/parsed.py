"""What an import reads from a file before it touches the database: transactions with the
row each came from (for messages), and the file's name and SHA-256."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assetloc.errors import InputError
from assetloc.ledger.transactions import Action, Transaction


@dataclass(frozen=True, slots=True)
class Row:
    """One transaction and the file row it came from (the header is row 1)."""

    number: int
    transaction: Transaction


@dataclass(frozen=True)
class ParsedFile:
    """A file read and checked: ``transactions`` in file order, each with its final ``id``
    and ``seq``, and ``numbers`` the row each came from; ``kind`` is ledger, orders,
    fidelity, schwab or vanguard."""

    name: str
    sha256: str
    kind: str
    transactions: tuple[Transaction, ...]
    numbers: tuple[int, ...]

    @property
    def rows(self) -> tuple[Row, ...]:
        """(row number, transaction) pairs."""
        return tuple(Row(n, t) for n, t in zip(self.numbers, self.transactions, strict=True))

    def where(self, row: int) -> str:
        """The field name of a row, for messages."""
        return f"{self.name} row {row}"


def parsed_file(name: str, sha: str, kind: str, rows: Sequence[Row]) -> ParsedFile:
    """A :class:`ParsedFile` of ``rows``."""
    return ParsedFile(
        name, sha, kind, tuple(r.transaction for r in rows), tuple(r.number for r in rows)
    )


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


def r9(x: float) -> str:
    """``repr(round(x, 9))``, skipping the (slow) rounding when the shortest repr already
    has at most 9 decimals (then rounding to 9 places gives ``x`` back)."""
    r = repr(x)
    dot = r.find(".")
    if dot >= 0 and len(r) - dot <= 10 and "e" not in r and "n" not in r:
        return r
    return repr(round(x, 9))


class IdMaker:
    """Identities of a file's rows in order: a given id (a broker's) when not empty, else
    :func:`transaction_id` with the occurrence among identical rows earlier in the file.
    Two rows with one id: InputError naming both."""

    def __init__(self, name: str, track: bool = True) -> None:
        self.name = name
        self.track = track  # check ids for duplicates (a file with an id column)
        self.seen: dict[str, int] = {}
        self.rows: dict[str, int] = {}

    def make_id(
        self,
        day: str,
        account: str,
        symbol: str,
        action: str,
        shares: float,
        price: float,
        fees: float,
        lot: str,
        row: int,
        given: str = "",
    ) -> str:
        """The identity of a row given its normalized fields (``day`` ISO, ``symbol``
        upper-case, ``action`` its value): :func:`transaction_id` with its occurrence,
        or ``given``."""
        if given:
            tid = given
        else:
            # identity_key(t), inlined (the same string): this runs once a row
            key = f"{day}|{account}|{symbol}|{action}|{r9(shares)}|{r9(price)}|{r9(fees)}|{lot}"
            n = self.seen.get(key, 0)
            self.seen[key] = n + 1
            tid = hashlib.sha256(f"{key}#{n}".encode()).hexdigest()[:20]
        if not self.track:
            return tid  # only computed ids: distinct by construction (80 bits of SHA-256)
        first = self.rows.setdefault(tid, row)
        if first != row:
            raise InputError(
                f"{self.name} row {row}, column id", f"id {tid!r} is also the id of row {first}"
            )
        return tid

    def make(self, t: Transaction, row: int, given: str, seq: int) -> Transaction:
        """``t`` with its ``id`` and ``seq`` (its order in the file, from 1)."""
        tid = self.make_id(t.date.isoformat(), t.account, t.symbol.upper(), _VALUE[t.action],
                           t.shares, t.price, t.fees, t.lot, row, given)  # fmt: skip
        return Transaction(t.date, t.account, t.symbol, t.action, t.shares, t.price, t.fees,
                           t.lot, tid, seq)  # fmt: skip


def with_ids(
    name: str, rows: Sequence[Row], explicit: Sequence[str], seq_base: int = 0
) -> tuple[Row, ...]:
    """``rows`` with their identities (:class:`IdMaker`); ``seq`` = ``seq_base`` + the
    order in the file."""
    ids = IdMaker(name)
    return tuple(
        Row(r.number, ids.make(r.transaction, r.number, given, seq_base + k + 1))
        for k, (r, given) in enumerate(zip(rows, explicit, strict=True))
    )


_VALUE = {a: a.value for a in Action}
