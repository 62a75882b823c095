"""The ledger a household file points at, read for the engine: its transactions, its
accounts (taxable or not, owner, lot method) and the wash-sale groups of its symbols.

The database is ``--db URL`` when given, else the household file's ``[ledger] url``; a
relative SQLite path is relative to the household file's folder. Transactions belong to a
household: its key is the file's ``name`` when set, else the household file's stem
(``smith.toml`` → ``smith``), so one database can hold several households.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from assetloc.errors import InputError
from assetloc.inputs.household import Household
from assetloc.inputs.securities import normalize, security_table
from assetloc.ledger.records import AccountInfo
from assetloc.ledger.store import FIELD, database_error, load_transactions, open_store, resolve_url
from assetloc.ledger.transactions import Transaction

NO_LEDGER = "no ledger: give [ledger] url in the household file or --db URL"


@dataclass(frozen=True)
class LedgerInputs:
    """What :func:`assetloc.ledger.engine.derive` needs of a household's ledger.

    ``url`` is the database's URL as resolved (password hidden), ``household`` the key its
    transactions are stored under."""

    url: str
    transactions: list[Transaction]
    accounts: dict[str, AccountInfo]
    groups: dict[str, str]
    include_spouse: bool
    household: str = ""


def household_key(h: Household, household_path: Path | None) -> str:
    """The key the household's transactions are stored under: its name, else the file's
    stem, else ``household``."""
    if h.name and h.name.strip():
        return h.name.strip()
    if household_path is not None:
        return Path(household_path).stem
    return "household"


def ledger_url(h: Household, household_path: Path | None, db: str | None) -> str:
    """The database URL: ``db``, else ``[ledger] url``, resolved against the household
    file's folder. Neither: InputError on ``ledger.url``."""
    url = db if db else (h.ledger.url if h.ledger is not None else None)
    if not url:
        raise InputError(FIELD, NO_LEDGER)
    base = Path(household_path).resolve().parent if household_path is not None else None
    return resolve_url(url, base)


def account_infos(h: Household) -> dict[str, AccountInfo]:
    """Each account's tax status, owner and lot method (its own, else the ledger's)."""
    default = h.ledger.lot_method if h.ledger is not None else "fifo"
    return {
        a.id: AccountInfo(a.id, a.type.value == "taxable", a.owner, a.lot_method or default)
        for a in h.accounts
    }


def wash_groups(h: Household) -> dict[str, str]:
    """Symbol → wash-sale group (substantially identical securities share one), for every
    symbol of the securities table (bundled and the household's)."""
    table = security_table(h.securities)
    return {s: normalize(table.entries[s].security.identical_group) for s in table}


def open_ledger(h: Household, household_path: Path | None, db: str | None) -> Engine:
    """An engine on the household's ledger database (migrated to the newest schema)."""
    return open_store(ledger_url(h, household_path, db))


def ledger_inputs(h: Household, household_path: Path | None, db: str | None) -> LedgerInputs:
    """The household's ledger read from its database (see the module doc)."""
    url = ledger_url(h, household_path, db)
    key = household_key(h, household_path)
    engine = open_store(url, create=False)
    try:
        with engine.connect() as conn:
            txns = load_transactions(conn, key)
    except SQLAlchemyError as err:
        raise database_error(url, err) from None
    finally:
        engine.dispose()
    spouse = h.ledger.include_spouse if h.ledger is not None else True
    shown = make_url(url).render_as_string(hide_password=True)
    if not txns:
        raise InputError(
            FIELD,
            f"{shown} holds no transactions of household {key!r} (import them with "
            "`assetloc ledger import`; a household is filed under its name, else its "
            "file's stem)",
        )
    return LedgerInputs(shown, txns, account_infos(h), wash_groups(h), spouse, key)
