"""Importing a ledger CSV: every row read as written, atomic (a bad row or an oversell
leaves the database exactly as it was), idempotent (a re-import adds nothing; identical rows
of one file stay distinct), a broker's ``id`` column, ``seq`` order across imports.
Parametrized over SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from assetloc.errors import InputError
from assetloc.inputs.household import Household, load_household
from assetloc.ledger.api import import_file
from assetloc.ledger.source import household_key, ledger_inputs
from assetloc.ledger.store import SEQ_STRIDE, imports, open_store, transactions
from assetloc.ledger.transactions import Action, Transaction, transaction_id

from support.ledger_db import BACKENDS, database_url
from support.ledger_files import LEDGER, household, write

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


@pytest.fixture
def home(tmp_path: Path, db_url: str) -> tuple[Household, Path]:
    path = household(tmp_path, db_url)
    return load_household(path), path


def snapshot(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every row of both tables, in a fixed order."""
    engine = open_store(url)
    with engine.connect() as conn:
        t = conn.execute(select(transactions).order_by(transactions.c.id)).all()
        i = conn.execute(select(imports).order_by(imports.c.id)).all()
    engine.dispose()
    return [tuple(r) for r in t], [tuple(r) for r in i]


def test_a_ledger_csv_is_read_as_written(home: tuple[Household, Path]) -> None:
    h, path = home
    result = import_file(h, path, FIXTURES / "ledger_example.csv")
    assert (result.rows, result.added, result.skipped, result.format) == (6, 6, 0, "ledger")
    got = ledger_inputs(h, path, None).transactions
    want = [
        (dt.date(2024, 1, 10), "brokerage", "VTI", Action.BUY, 100.0, 200.0, 0.0, ""),
        (dt.date(2024, 2, 1), "brokerage", "VTI", Action.BUY, 50.0, 1210.5, 4.95, ""),
        (dt.date(2024, 6, 3), "brokerage", "VTI", Action.SELL, 40.0, 185.5, 0.0, "2024-01-10"),
        (dt.date(2024, 6, 20), "ira", "BND", Action.BUY, 10.0, 72.25, 0.0, ""),
        (dt.date(2024, 7, 1), "brokerage", "VTI", Action.SPLIT, 2.0, 0.0, 0.0, ""),
        (dt.date(2024, 8, 15), "roth", "FXAIX", Action.TRANSFER_IN, 5.0, 150.0, 0.0, "2023-05-01"),
    ]
    assert [(t.date, t.account, t.symbol, t.action, t.shares, t.price, t.fees, t.lot)
            for t in got] == want  # fmt: skip
    # identities are the documented hash of the normalized fields (occurrence 0)
    for t in got:
        bare = Transaction(t.date, t.account, t.symbol, t.action, t.shares, t.price, t.fees, t.lot)
        assert t.id == transaction_id(bare, 0)


def test_reimport_adds_nothing_and_says_so(
    home: tuple[Household, Path], tmp_path: Path, db_url: str
) -> None:
    h, path = home
    f = write(tmp_path, "ledger.csv", LEDGER)
    first = import_file(h, path, f)
    assert (first.added, first.skipped) == (4, 0)
    before = snapshot(db_url)[0]
    again = import_file(h, path, f)
    assert (again.rows, again.added, again.skipped) == (4, 0, 4)
    assert again.summary() == "imported ledger.csv: 0 transactions added, 4 already in the ledger"
    assert len(ledger_inputs(h, path, None).transactions) == 4
    after = snapshot(db_url)
    assert after[0] == before  # the rows themselves untouched (seq, imported_at)
    assert [r[5] for r in after[1]] == [4, 0]  # imports.added: one row per import


def test_identical_rows_of_one_file_stay_distinct(
    home: tuple[Household, Path], tmp_path: Path
) -> None:
    h, path = home
    row = "2024-03-01,brokerage,VTI,buy,10,100,0,\n"
    f = write(tmp_path, "twice.csv", "date,account,symbol,action,shares,price,fees,lot\n" + row * 3)
    assert import_file(h, path, f).added == 3
    assert import_file(h, path, f).added == 0
    # a later file with the same row once more: occurrence 0 again, so already there
    g = write(tmp_path, "once.csv", "date,account,symbol,action,shares,price,fees,lot\n" + row)
    assert import_file(h, path, g).added == 0
    assert len(ledger_inputs(h, path, None).transactions) == 3


def test_a_brokers_id_column_is_the_identity(home: tuple[Household, Path], tmp_path: Path) -> None:
    h, path = home
    text = ("id,date,account,symbol,action,shares,price\n"
            "T-1,2024-03-01,brokerage,VTI,buy,10,100\n"
            "T-2,2024-03-01,brokerage,VTI,buy,10,100\n")  # fmt: skip
    f = write(tmp_path, "ids.csv", text)
    assert import_file(h, path, f).added == 2
    # the broker corrected the price of T-1: same id, so not a second purchase
    g = write(
        tmp_path,
        "ids2.csv",
        text.replace(
            "T-1,2024-03-01,brokerage,VTI,buy,10,100", "T-1,2024-03-01,brokerage,VTI,buy,10,101"
        ),
    )
    assert import_file(h, path, g).added == 0
    assert sorted(t.id for t in ledger_inputs(h, path, None).transactions) == ["T-1", "T-2"]
    dup = write(tmp_path, "dup.csv", text.replace("T-2", "T-1"))
    with pytest.raises(
        InputError, match=r"dup.csv row 3, column id: id 'T-1' is also the id of row 2"
    ):
        import_file(h, path, dup)


@pytest.mark.parametrize(
    ("row", "where", "says"),
    [
        ("2024-07-01,brokerage,VTI,sell,5,abc,0,", "row 6, column price", "not a number ('abc')"),
        (
            "2024-07-01,brkg,VTI,sell,5,10,0,",
            "row 6, column account",
            "unknown account 'brkg' (the household's: brokerage, ira, roth)",
        ),
        ("2024-13-01,brokerage,VTI,buy,5,10,0,", "row 6, column date", "not a valid date"),
        ("2024-07-01,brokerage,VTI,hold,5,10,0,", "row 6, column action", "must be one of buy"),
        ("2024-07-01,brokerage,VTI,buy,-5,10,0,", "row 6, column shares", "must be > 0"),
        ("2024-07-01,brokerage,VTI,buy,5,,0,", "row 6, column price", "is required for a buy"),
        ("2024-07-01,brokerage,VTI,buy,5,10,-1,", "row 6, column fees", "must be >= 0"),
        ("2024-07-01,brokerage,VTI,buy,5,10,0,2024-01-01", "row 6, column lot", "only a sell"),
        ("2024-07-01,brokerage,VTI,sell,5,10,0,2024-01-10:0", "row 6, column lot", "must be > 0"),
        ("2024-07-01,brokerage,,buy,5,10,0,", "row 6, column symbol", "is required"),
        ("2024-07-01,brokerage,VTI,buy,5,10,0,,extra", "row 6", "cells but the header has 8"),
        (  # an oversell (found by the engine): which holding, what is held
            "2024-07-01,brokerage,VTI,sell,500,10,0,",
            "row 6",
            "sell of VTI in brokerage: 500 shares asked",
        ),
    ],
)
def test_a_bad_row_is_one_line_naming_row_and_column_and_changes_nothing(
    home: tuple[Household, Path], tmp_path: Path, db_url: str, row: str, where: str, says: str
) -> None:
    h, path = home
    import_file(h, path, write(tmp_path, "first.csv", "date,account,symbol,action,shares,price\n"
                               "2023-12-01,ira,BND,buy,1,70\n"))  # fmt: skip
    before = snapshot(db_url)
    bad = write(tmp_path, "ledger.csv", LEDGER + row + "\n")
    with pytest.raises(InputError) as err:
        import_file(h, path, bad)
    message = str(err.value)
    assert message.startswith(f"ledger.csv {where}"), message
    assert says in message
    assert "\n" not in message
    assert snapshot(db_url) == before


def test_header_is_case_insensitive_in_any_order_and_checked(
    home: tuple[Household, Path], tmp_path: Path
) -> None:
    h, path = home
    f = write(
        tmp_path,
        "l.csv",
        "PRICE,Shares,symbol,ACTION,account,Date\n72.5,3,bnd,Buy,ira,2024-01-02\n",
    )
    assert import_file(h, path, f).added == 1
    (t,) = ledger_inputs(h, path, None).transactions
    assert (t.symbol, t.action, t.shares, t.price, t.fees, t.lot) == (
        "BND",
        Action.BUY,
        3,
        72.5,
        0,
        "",
    )
    for text, says in (
        ("date,account,symbol,action,shares\n", "ledger.csv row 1: missing column 'price'"),
        (
            "date,account,symbol,action,shares,price,colour\n",
            "row 1, column 7: unknown column 'colour'",
        ),
        (
            "date,account,symbol,action,shares,price,date\n",
            "row 1, column 7: column 'date' appears twice",
        ),
        ("", "the file is empty"),
    ):
        with pytest.raises(InputError, match=says):
            import_file(h, path, write(tmp_path, "ledger.csv", text), fmt="ledger")


def test_seq_keeps_file_order_within_a_date_across_imports(
    home: tuple[Household, Path], tmp_path: Path
) -> None:
    """A same-day buy then sell stays a buy then sell, in one file and across two."""
    h, path = home
    head = "date,account,symbol,action,shares,price\n"
    import_file(
        h,
        path,
        write(
            tmp_path,
            "a.csv",
            head + "2024-05-01,brokerage,VTI,buy,10,100\n2024-05-01,brokerage,VTI,sell,10,101\n",
        ),
    )
    b = head + "2024-05-01,brokerage,VTI,buy,5,102\n2024-04-30,brokerage,VTI,buy,1,99\n"
    import_file(h, path, write(tmp_path, "b.csv", b))
    got = ledger_inputs(h, path, None).transactions
    assert [(t.date.day, t.action.value, t.price) for t in got] == [
        (30, "buy", 99.0), (1, "buy", 100.0), (1, "sell", 101.0), (1, "buy", 102.0),
    ]  # fmt: skip
    seqs = [t.seq for t in got]
    assert len(set(seqs)) == 4
    assert {s // SEQ_STRIDE for s in seqs} == {1, 2}  # import number * 1e7 + row


def test_no_ledger_url_anywhere_is_one_line(tmp_path: Path) -> None:
    path = household(tmp_path, "x").with_name("plain.toml")
    path.write_text(household(tmp_path, "x").read_text().replace('[ledger]\nurl = "x"\n', ""))
    h = load_household(path)
    assert h.ledger is None
    with pytest.raises(InputError) as err:
        import_file(h, path, write(tmp_path, "l.csv", LEDGER))
    assert (
        str(err.value)
        == "ledger.url: no ledger: give [ledger] url in the household file or --db URL"
    )
    # --db supplies it, relative to the household file's folder
    r = import_file(h, path, write(tmp_path, "l.csv", LEDGER), db="sqlite:///via-db.db")
    assert r.added == 4 and (tmp_path / "via-db.db").is_file()


def test_household_key_is_the_name_else_the_file_stem(tmp_path: Path, db_url: str) -> None:
    path = household(tmp_path, db_url, name="Smith family")
    h = load_household(path)
    assert household_key(h, path) == "Smith family"
    nameless = h.model_copy(update={"name": None})
    assert household_key(nameless, tmp_path / "jones.toml") == "jones"
    import_file(h, path, write(tmp_path, "l.csv", LEDGER))
    with pytest.raises(InputError, match="holds no transactions of household 'jones'"):
        ledger_inputs(nameless, tmp_path / "jones.toml", db_url)  # another household's ledger
    assert len(ledger_inputs(h, path, None).transactions) == 4


def test_reading_a_ledger_never_creates_one(tmp_path: Path) -> None:
    """A mistyped path is an error, not a new empty ledger read as "no history"."""
    path = household(tmp_path, "sqlite:///typo.db")
    with pytest.raises(InputError, match="no ledger database there"):
        ledger_inputs(load_household(path), path, None)
    assert not (tmp_path / "typo.db").exists()


def test_read_back_does_not_depend_on_file_order(
    home: tuple[Household, Path], tmp_path: Path, db_url: str
) -> None:
    h, path = home
    lines = LEDGER.strip().splitlines()
    shuffled = "\n".join([lines[0], lines[3], lines[1], lines[4], lines[2]]) + "\n"
    import_file(h, path, write(tmp_path, "s.csv", shuffled))
    got = ledger_inputs(h, path, None).transactions
    assert [t.date for t in got] == sorted(t.date for t in got)
    with open_store(db_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(transactions)).scalar_one() == 4


rows_strategy = st.lists(
    st.tuples(
        st.dates(dt.date(2020, 1, 1), dt.date(2025, 12, 31)),
        st.sampled_from(["brokerage", "ira", "roth"]),
        st.sampled_from(["VTI", "BND", "VXUS"]),
        st.integers(1, 500),
        st.integers(100, 50_000),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows_strategy, cut=st.integers(0, 25))
def test_importing_in_two_files_or_one_gives_the_same_ledger(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[dt.date, str, str, int, int]],
    cut: int,
) -> None:
    """Buys only (no history can fail): the ledger after importing a prefix then the whole
    file equals the ledger after importing the whole file once, and a re-import adds 0."""
    folder = tmp_path_factory.mktemp("two")
    lines = [f"{d},{a},{s},buy,{n},{c / 100}" for d, a, s, n, c in rows]
    head = "date,account,symbol,action,shares,price\n"
    whole = write(folder, "whole.csv", head + "\n".join(lines) + "\n")
    part = write(folder, "part.csv", head + "\n".join(lines[:cut]) + "\n")
    found = []
    for steps, db in (([part, whole], "two.db"), ([whole, whole], "one.db")):
        path = household(folder, f"sqlite:///{db}")
        h = load_household(path)
        added = [import_file(h, path, f).added for f in steps]
        assert sum(added) == len(rows)
        got = ledger_inputs(h, path, None).transactions
        found.append(sorted((t.id, t.date, t.account, t.symbol, t.shares, t.price) for t in got))
    assert found[0] == found[1]


@settings(max_examples=400)
@given(
    st.floats(min_value=0, max_value=1e10, allow_nan=False),
    st.floats(min_value=0, max_value=1e7, allow_nan=False),
    st.floats(min_value=0, max_value=1e4, allow_nan=False),
    st.integers(0, 3),
)
def test_the_inlined_identity_is_transaction_id(
    shares: float, price: float, fees: float, n: int
) -> None:
    """The import's fast identity (no Transaction built, rounding skipped when it cannot
    change the number) is exactly :func:`transaction_id` with the occurrence."""
    from assetloc.ledger.parsed import IdMaker, r9

    for x in (shares, price, fees):
        assert r9(x) == repr(round(x, 9))
    t = Transaction(
        dt.date(2024, 2, 29), "ira", "VTI", Action.SELL, shares, price, fees, "2024-01-02:5"
    )
    ids = IdMaker("f.csv", track=False)
    got = [ids.make_id("2024-02-29", "ira", "VTI", "sell", shares, price, fees, "2024-01-02:5", 2)
           for _ in range(n + 1)]  # fmt: skip
    assert got == [transaction_id(t, k) for k in range(n + 1)]


def test_a_bad_first_import_creates_no_database(tmp_path: Path) -> None:
    path = household(tmp_path, "sqlite:///fresh.db")
    bad = write(tmp_path, "bad.csv", LEDGER + "2024-07-01,brokerage,VTI,buy,x,1,0,\n")
    with pytest.raises(InputError, match="row 6, column shares"):
        import_file(load_household(path), path, bad)
    assert not (tmp_path / "fresh.db").exists()
