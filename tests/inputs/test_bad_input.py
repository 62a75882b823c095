"""Bad input found in the trial (issue 10, part 6): one line on stderr, exit 2, no traceback.

Each case runs the CLI (in-process, and a few as a real ``python -m assetloc`` subprocess).
The messages must name the field, file, row or option; nothing may be fixed silently.
The last tests generate bad households and check that ``validate`` rejects exactly the
files that ``optimize`` or ``rebalance`` reject on input.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetloc import bonds
from assetloc.inputs.limits import MAX_DOLLARS, MAX_PRICE, MAX_SHARES, MAX_YIELD, MIN_YIELD

from support.cli_runner import run_cli
from support.files import write_file as write
from support.paths import EXAMPLES, ROOT

THREE = (EXAMPLES / "three_accounts.toml").read_text(encoding="utf-8")
REBALANCE = (EXAMPLES / "rebalance.toml").read_text(encoding="utf-8")
BOND = ["bond", "--coupon", "0.05", "--years", "10"]


def one_line(code: int, out: str, err: str) -> str:
    """The error message of a bad-input run: exit 2, nothing on stdout, one stderr line."""
    assert code == 2, (code, err)
    assert "Traceback" not in err and "Traceback" not in out
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    return lines[0][len("error: ") :]


def bad(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run the CLI in-process and return its one error line (asserting the contract)."""
    code, out, err = run_cli(capsys, *args)
    msg = one_line(code, "", err)
    assert out == "", out
    return msg


def subprocess_bad(*args: str) -> str:
    """Run ``python -m assetloc ARGS`` as a user would; return its one stderr line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    res = subprocess.run(
        [sys.executable, "-m", "assetloc", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return one_line(res.returncode, res.stdout, res.stderr)


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


# ------------------------------------------------------------------ TOML nested deeply


@pytest.mark.parametrize(
    "nested",
    [
        "a = " + "[" * 5000 + "]" * 5000,
        "a = " + "{b = " * 5000 + "1" + "}" * 5000,
    ],
    ids=["arrays", "inline-tables"],
)
@pytest.mark.parametrize("command", ["validate", "optimize", "rebalance", "report"])
def test_toml_nested_thousands_deep(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, nested: str, command: str
) -> None:
    path = write(tmp_path, nested + "\n" + THREE)
    msg = bad(capsys, command, path)
    assert msg.startswith(f"{path}: ") and "nested too deeply" in msg


def test_toml_nested_deeply_in_a_field(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Deep, but readable: the field that cannot hold it is named."""
    text = THREE.replace("risk_aversion = 3.74", "risk_aversion = " + "[" * 200 + "]" * 200)
    assert bad(capsys, "validate", write(tmp_path, text)).startswith("objective.risk_aversion: ")


def test_toml_nested_subprocess(tmp_path: Path) -> None:
    path = write(tmp_path, "a = " + "[" * 5000 + "]" * 5000 + "\n" + THREE)
    assert subprocess_bad("validate", path) == (
        f"{path}: cannot be parsed: arrays or tables nested too deeply"
    )


# ------------------------------------------------------------------ report destinations


def test_report_output_is_a_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    msg = bad(capsys, "report", str(EXAMPLES / "three_accounts.toml"), "-o", str(tmp_path))
    assert msg == f"--output: {tmp_path} is a directory: give a file, e.g. report.html"


def test_report_output_under_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    out = blocker / "report.html"
    msg = bad(capsys, "report", str(EXAMPLES / "three_accounts.toml"), "-o", str(out))
    assert msg == f"--output: {blocker} is a file, not a directory"


def test_report_output_in_proc(capsys: pytest.CaptureFixture[str]) -> None:
    if not Path("/proc/self").exists():
        pytest.skip("no /proc on this system")
    target = "/proc/assetloc-report.html"
    args = ("report", str(EXAMPLES / "three_accounts.toml"), "--points", "2", "-o", target)
    code, _, err = run_cli(capsys, *args)  # stdout: the solver's banner is another part
    msg = one_line(code, "", err)
    assert msg.startswith(f"--output: cannot write {target}: ")
    assert not Path(target).exists()


def test_report_output_unwritable(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who may write anywhere (root)")
        target = locked / "report.html"
        args = ("report", str(EXAMPLES / "three_accounts.toml"), "--points", "2")
        code, _, err = run_cli(capsys, *args, "-o", str(target))
        msg = one_line(code, "", err)
        assert msg == f"--output: cannot write {target}: Permission denied"
    finally:
        locked.chmod(0o700)


def test_report_charts_naming_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    existing = tmp_path / "charts"
    existing.write_text("not a directory")
    out = tmp_path / "report.html"
    args = ("report", str(EXAMPLES / "three_accounts.toml"), "-o", str(out))
    msg = bad(capsys, *args, "--charts", str(existing))
    assert msg == f"--charts: {existing} is a file: give a directory for charts"
    assert not out.exists()  # rejected before any work


# ------------------------------------------------------------------ positions beyond limits

BIG_HOUSEHOLD = """
[investor]
ordinary_rate = 0.32
capital_gains_rate = 0.20

[objective]
kind = "fixed_mix"
mix = { us_equity_large_cap = 0.6, us_corp_bonds_core = 0.4 }

[[accounts]]
id = "ira"
type = "traditional"
cash = CASH

[[accounts.positions]]
symbol = "VTI"
shares = SHARES
price = PRICE

[[accounts]]
id = "roth"
type = "roth"
cash = 1000

[rebalance]
as_of = 2026-06-30
"""


def big(shares: float, price: float, cash: float = 0.0) -> str:
    return (
        BIG_HOUSEHOLD.replace("SHARES", repr(shares))
        .replace("PRICE", repr(price))
        .replace("CASH", repr(cash))
    )


@pytest.mark.parametrize(
    ("shares", "price", "cash", "field", "words"),
    [
        (1e9, 1e5, 0.0, "accounts[0].positions[0]", "exceeds the limit"),  # $1e14 position
        (100.0, 1e300, 0.0, "accounts[0].positions[0].price", "less than or equal to"),
        (100.0, 1e308, 0.0, "accounts[0].positions[0].price", "1e+308"),
        (1e12, 300.0, 0.0, "accounts[0].positions[0].shares", "less than or equal to"),
        (100.0, 1e-9, 0.0, "accounts[0].positions[0].price", "greater than or equal to"),
        (1e6, 9e6, 2e12, "accounts[0]", "cash + positions"),  # 9e12 + 2e12 > 1e13
        (100.0, 300.0, 1e300, "accounts[0].cash", "less than or equal to"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "optimize", "rebalance"])
def test_positions_above_the_limits(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    shares: float,
    price: float,
    cash: float,
    field: str,
    words: str,
    command: str,
) -> None:
    msg = bad(capsys, command, write(tmp_path, big(shares, price, cash)))
    assert msg.startswith(f"{field}: "), msg
    assert words in msg


def test_position_at_the_limit_validates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """$10^13 exactly is allowed; a cent a share more is not (the limit is not a clip)."""
    at = write(tmp_path, big(2e6, MAX_DOLLARS / 2e6), "at.toml")
    code, _, err = run_cli(capsys, "validate", at)
    assert code == 0, err
    over = write(tmp_path, big(2e6, MAX_DOLLARS / 2e6 + 0.01), "over.toml")
    msg = bad(capsys, "validate", over)
    assert msg.startswith("accounts[0].positions[0]: market value $10,000,000,020,000.00")
    assert MAX_PRICE == 1e7 and MAX_SHARES == 1e9  # the README's numbers


def test_lot_basis_per_share_limit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = REBALANCE.replace(
        "{ acquired = 2019-06-03, shares = 80, cost_basis = 11200.0 }",
        "{ acquired = 2019-06-03, shares = 80, cost_basis = 9e12 }",
    )
    msg = bad(capsys, "validate", write(tmp_path, text))
    assert msg.startswith("accounts[0].positions[0].lots[0]: cost basis")
    assert "a share, above the limit" in msg


# ------------------------------------------------------------------ CSV prices

CSV = """account,type,symbol,shares,price,acquired,cost_basis
ira,traditional,CASH,500,,,
ira,traditional,VTI,100,PRICE,,
roth,roth,BND,300,72.50,,
"""


@pytest.mark.parametrize(
    ("price", "words"),
    [
        ("1e308", "1e308 exceeds the limit of 10,000,000 dollars a share"),
        ("1e300", "exceeds the limit"),
        ("0.000001", "is below the limit of 0.0001 dollars a share"),
        ("inf", "not a finite number"),
    ],
)
def test_csv_price_beyond_limits(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, price: str, words: str
) -> None:
    csv = write(tmp_path, CSV.replace("PRICE", price), "holdings.csv")
    msg = bad(capsys, "import-holdings", csv)
    assert msg.startswith("holdings.csv row 3, column price: "), msg
    assert words in msg
    household = write(tmp_path, big(1.0, 1.0))
    msg2 = bad(capsys, "rebalance", household, "--holdings", csv)
    assert msg2 == msg
    assert bad(capsys, "validate", household, "--holdings", csv) == msg


def test_csv_position_value_limit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = CSV.replace("VTI,100,PRICE", "VTI,900000000,PRICE").replace("PRICE", "1000000")
    msg = bad(capsys, "import-holdings", write(tmp_path, text, "holdings.csv"))
    assert msg.startswith("holdings.csv row 3, column shares: VTI in ira is worth $")
    assert "above the limit of $10,000,000,000,000 a position" in msg


def test_csv_account_value_limit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = CSV.replace("CASH,500", "CASH,9e12").replace("VTI,100,PRICE", "VTI,1000000,2000000")
    msg = bad(capsys, "import-holdings", write(tmp_path, text, "holdings.csv"))
    assert msg.startswith("holdings.csv row 2: account ira holds $11,000,000,000,000.00")


def test_csv_price_subprocess(tmp_path: Path) -> None:
    csv = write(tmp_path, CSV.replace("PRICE", "1e308"), "holdings.csv")
    msg = subprocess_bad("import-holdings", csv)
    assert msg.startswith("holdings.csv row 3, column price: 1e308 exceeds the limit")


# ------------------------------------------------------------------ bonds


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        (["--yield", "1e6"], "yield", "outside the meaningful range [-10%, 100%] a year"),
        (["--yield=-1.5"], "yield", "outside the meaningful range"),
        (["--yield", "5"], "yield", "yields are decimals: 0.05 for 5%"),
        (["--price", "1e6"], "price", "prices are per 100 of face"),
        (["--price", "1.05"], "price", "implies a yield of"),
        (["--yield", "0.04", "--federal-rate", "24"], "federal_rate", "0.24 for 24%"),
        (["--yield", "0.04", "--shift-bp=-1e6"], "shift_bp", "to -9996%, outside"),
        (["--yield", "0.04", "--coupon", "5"], "coupon", "coupons are decimals: 0.05 for 5%"),
        (["--yield", "0.04", "--years", "1e15"], "years", "1e+15 years to maturity exceeds 100"),
    ],
)
def test_bond_outside_meaningful_range(
    capsys: pytest.CaptureFixture[str], extra: list[str], field: str, words: str
) -> None:
    msg = bad(capsys, *BOND, *extra)
    assert msg.startswith(f"{field}: ") and words in msg, msg


@given(y=st.floats(-0.5, 3.0))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_bond_yield_accepted_iff_in_range(capsys: pytest.CaptureFixture[str], y: float) -> None:
    """--yield y and --price P(y) are accepted exactly when y is in [MIN_YIELD, MAX_YIELD];
    the clean price of every accepted yield is positive."""
    if min(abs(y - MIN_YIELD), abs(y - MAX_YIELD)) < 1e-6:
        return  # the implied yield of a price is exact only to ~1e-12
    inside = MIN_YIELD <= y <= MAX_YIELD
    clean = bonds.price_from_yield(bonds.make_bond(0.05, 2, years=10.0), y).clean
    for extra in (["--yield", repr(y)], ["--price", repr(clean)]):
        code, out, err = run_cli(capsys, *BOND, *extra, "--json")
        if inside:
            assert code == 0, err
            assert '"price_clean": ' in out and clean > 0
        else:
            one_line(code, out, err)


def test_bond_invalid_settle_date(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["bond", "--coupon", "0.05", "--yield", "0.04"]
    msg = bad(capsys, *args, "--settle", "2026-02-30", "--maturity", "2031-06-15")
    assert msg == "settle: not a valid date: '2026-02-30' (day is out of range for month)"
    msg = bad(capsys, *args, "--settle", "2026-01-15", "--maturity", "2031-13-15")
    assert msg.startswith("maturity: not a valid date: '2031-13-15'")
    msg = bad(capsys, *args, "--settle", "2026-01-15", "--maturity", "9999-12-31")
    assert msg.startswith("maturity: 9999-12-31 is ") and msg.endswith(
        "years after settlement 2026-01-15: more than 100"
    )


def test_bond_subprocess() -> None:
    assert subprocess_bad(*BOND, "--yield", "1e6").startswith("yield: 1e+06 (1e+08%) is outside")


@pytest.mark.parametrize("command", ["rebalance", "validate"])
def test_as_of_invalid_date(capsys: pytest.CaptureFixture[str], command: str) -> None:
    msg = bad(capsys, command, str(EXAMPLES / "rebalance.toml"), "--as-of", "2026-02-30")
    assert msg.startswith("--as-of: not a valid date: '2026-02-30'")


# ------------------------------------------------------------------ where a file is wrong


def test_a_file_that_is_not_utf8_says_where(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A Latin-1 file (a Windows editor's "ANSI"): the byte, its line and column."""
    path = tmp_path / "latin1.toml"
    path.write_bytes(THREE.encode("utf-8") + b'name = "M\xfcller"\n')
    line = THREE.count("\n") + 1
    msg = bad(capsys, "validate", str(path))
    assert msg == (
        f"{path}: is not UTF-8 text: byte 0xfc at line {line}, byte 10 of the line "
        "(save the file as UTF-8)"
    )


def test_a_byte_order_mark_does_not_shift_the_place(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The decoder drops a leading byte-order mark and counts from after it: the message
    names the same byte and place with or without one."""
    body = b'name = "x"\n# caf\xe9\n'
    plain, marked = tmp_path / "plain.toml", tmp_path / "marked.toml"
    plain.write_bytes(body)
    marked.write_bytes(b"\xef\xbb\xbf" + body)
    where = "byte 0xe9 at line 2, byte 6 of the line"
    assert where in bad(capsys, "validate", str(plain))
    assert where in bad(capsys, "validate", str(marked))


def test_a_toml_error_quotes_its_own_line_past_a_line_separator(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """U+2028 in a comment is no line break for TOML: the quoted line is the one named."""
    text = (
        "# a\u2028b\n"
        + THREE
        + '\n[[planned_purchases]]\naccount = "roth"\nsymbol = "VTI"\ndate = 2026-02-30\n'
    )
    msg = bad(capsys, "validate", write(tmp_path, text))
    assert msg.endswith(": `date = 2026-02-30`"), msg


def test_a_toml_error_quotes_its_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An impossible date is refused by the TOML reader itself: the message quotes the
    line, so that the field (``acquired``) is named."""
    text = THREE + '\n[[planned_purchases]]\naccount = "roth"\nsymbol = "VTI"\ndate = 2026-02-30\n'
    msg = bad(capsys, "validate", write(tmp_path, text))
    assert "is not valid TOML: " in msg and "(at line " in msg
    assert msg.endswith(": `date = 2026-02-30`"), msg


# ------------------------------------------------------------------ byte-order marks


def test_toml_with_bom_is_accepted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + THREE.encode("utf-8"))
    plain = write(tmp_path, THREE, "plain.toml")
    code, out, err = run_cli(capsys, "optimize", str(path), "--json")
    assert code == 0, err
    code2, out2, _ = run_cli(capsys, "optimize", plain, "--json")
    assert code2 == 0 and out == out2  # the mark changes nothing


def test_csv_with_bom_is_accepted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = CSV.replace("PRICE", "250")
    path = tmp_path / "holdings.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    code, out, err = run_cli(capsys, "import-holdings", str(path), "--json")
    assert code == 0, err
    code2, out2, _ = run_cli(capsys, "import-holdings", write(tmp_path, text, "h2.csv"), "--json")
    assert code2 == 0 and out == out2.replace("h2.csv", "holdings.csv")


# ------------------------------------------------------------------ unknown keys


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("[[accounts]]", "[[acounts]]", "acounts: unknown field (did you mean 'accounts'?)"),
        ("[investor]", "[invester]", "invester: unknown field (did you mean 'investor'?)"),
        (
            "balance = 150000",
            "balanse = 150000",
            "accounts[1].balanse: unknown field (did you mean 'balance'?)",
        ),
        (
            "hsa_treatment",
            "hsa_treatmnt",
            "options.hsa_treatmnt: unknown field (did you mean 'hsa_treatment'?)",
        ),
    ],
)
def test_unknown_key_named_with_hint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = THREE.replace(old, new)  # every occurrence: [[acounts]] renames all three
    assert bad(capsys, "validate", write(tmp_path, text)) == message


def test_unknown_key_without_a_close_match_lists_the_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = THREE.replace("[options]", "[options]\nzzz = 1")
    msg = bad(capsys, "validate", write(tmp_path, text))
    assert msg.startswith("options.zzz: unknown field (allowed here: context, ")


# ------------------------------------------------------------------ rates as percentages


@pytest.mark.parametrize(
    ("field", "old", "value", "hint"),
    [
        ("ordinary_rate", "ordinary_rate = 0.24", "24", "0.24 for 24%"),
        ("capital_gains_rate", "capital_gains_rate = 0.15", "15", "0.15 for 15%"),
        ("retirement_rate", "retirement_rate = 0.24", "22.5", "0.225 for 22.5%"),
        ("state_rate", "[investor]", "5", "0.05 for 5%"),
    ],
)
def test_rate_as_percentage_rejected_with_hint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, field: str, old: str, value: str, hint: str
) -> None:
    new = f"{field} = {value}" if old != "[investor]" else f"[investor]\nstate_rate = {value}"
    msg = bad(capsys, "validate", write(tmp_path, THREE.replace(old, new)))
    assert msg.startswith(f"investor.{field}: input should be less than 1 (got {value})")
    assert msg.endswith(f"; rates are decimals: {hint}")


def test_share_as_percentage_hint(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = THREE + "\n[bounds]\nus_corp_bonds_core = { max = 60 }\n"
    msg = bad(capsys, "validate", write(tmp_path, text))
    assert msg.startswith("bounds.us_corp_bonds_core.max: ")
    assert msg.endswith("; shares are decimals: 0.6 for 60%")


@pytest.mark.parametrize(
    ("line", "field", "bound"),
    [
        ("social_security_age = 80", "plan.social_security_age", "70"),
        ("bootstrap_block = 80", "plan.bootstrap_block", None),
    ],
)
def test_no_decimal_hint_on_an_age_or_a_count_of_years(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, line: str, field: str, bound: str | None
) -> None:
    """An age or a block length above its bound is no percentage: the message names the
    bound and the value, and never says "shares are decimals" (0.8 for 80% of an age)."""
    msg = bad(capsys, "validate", write(tmp_path, THREE + f"\n[plan]\n{line}\n"))
    assert msg.startswith(f"{field}: input should be less than or equal to "), msg
    assert "(got 80)" in msg and "decimals" not in msg, msg


def test_rate_subprocess(tmp_path: Path) -> None:
    path = write(tmp_path, THREE.replace("ordinary_rate = 0.24", "ordinary_rate = 24"))
    assert subprocess_bad("optimize", path) == (
        "investor.ordinary_rate: input should be less than 1 (got 24); "
        "rates are decimals: 0.24 for 24%"
    )


# ------------------------------------------------------------------ validate = every check
# Mutations of examples/rebalance.toml (trade date 2026-11-20). Each either breaks an input
# check of optimize, of rebalance only, or of neither (a different but valid file).

MUTATIONS: dict[str, tuple[str, str]] = {
    # rejected by rebalance only
    "lot after trade date": ("2026-06-15", "2026-12-15"),
    "trade after trade date": ("date = 2026-11-10", "date = 2026-12-01"),
    "trade unknown account": (
        'account = "brokerage"\nsymbol = "IEMG"',
        'account = "brokrage"\nsymbol = "IEMG"',
    ),
    "trade unknown symbol": ('symbol = "IEMG"\nside', 'symbol = "NOPEX"\nside'),
    "unknown position symbol": ('symbol = "VB"', 'symbol = "ZZZZQ"'),
    "position twice": ('symbol = "VWO"', 'symbol = "VB"'),
    "taxable without lots": (
        "lots = [{ acquired = 2022-03-01, shares = 100, cost_basis = 7900.0 }]",
        "",
    ),
    "security class unknown": ('asset_class = "tips"', 'asset_class = "gold"'),
    "withdrawal too large": (
        'id = "roth"\ntype = "roth"',
        'id = "roth"\ntype = "roth"\nwithdrawal = 40000',
    ),
    # rejected by every command
    "rate as percent": ("ordinary_rate = 0.32", "ordinary_rate = 32"),
    "mix sum": ("tips = 0.05 }", "tips = 0.15 }"),
    "unknown table": ("[rebalance]", "[rebalanse]"),
    "price too large": ("price = 300.0", "price = 1e300"),
    "menu unknown class": ('"tips"]', '"gold"]'),
    "lots do not add up": ("shares = 80, cost_basis", "shares = 81, cost_basis"),
    "bad mode": ('mode = "full"', 'mode = "fast"'),
    # valid
    "more contribution": ("contribution = 6000", "contribution = 16000"),
    "small withdrawal": (
        'id = "roth"\ntype = "roth"',
        'id = "roth"\ntype = "roth"\nwithdrawal = 5000',
    ),
    "new price": ("price = 68.0", "price = 71.5"),
    "sold at a gain": ("realized_gain = -850.0", "realized_gain = 850.0"),
}


VALID = {"more contribution", "small withdrawal", "new price", "sold at a gain"}
COMBINABLE = sorted(n for n in MUTATIONS if "withdrawal" not in n)  # one withdrawal key


def codes(capsys: pytest.CaptureFixture[str], path: str) -> tuple[int, int | None, int]:
    """(optimize, rebalance or None when optimize already rejects, validate) exit codes;
    every exit 2 is one line without a traceback."""
    results = []
    for command in ("optimize", "rebalance", "validate"):
        if command == "rebalance" and results[0] == 2:
            results.append(None)
            continue
        code, _, err = run_cli(capsys, command, path)
        if code == 2:
            one_line(code, "", err)
        results.append(code)
    o, r, v = results
    assert o is not None and v is not None
    return o, r, v


def check_validate_agrees(capsys: pytest.CaptureFixture[str], path: str) -> int:
    o, r, v = codes(capsys, path)
    rejected = o == 2 or r == 2
    assert (v == 2) == rejected, (o, r, v)
    if not rejected:
        assert v == 0
    return v


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_validate_rejects_what_optimize_or_rebalance_reject(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    old, new = MUTATIONS[name]
    v = check_validate_agrees(capsys, write(tmp_path, replace_once(REBALANCE, old, new)))
    assert (v == 0) == (name in VALID)


@given(
    names=st.lists(st.sampled_from(COMBINABLE), min_size=1, max_size=3, unique=True),
    withdrawal=st.floats(0.0, 60000.0),
    price=st.sampled_from([1e-5, 0.01, 300.0, 9.9e6, 1e7, 1.1e7, 1e300]),
)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_validate_agrees_on_generated_households(
    capsys: pytest.CaptureFixture[str],
    tmp_path_factory: pytest.TempPathFactory,
    names: list[str],
    withdrawal: float,
    price: float,
) -> None:
    """Random combinations of mutations, a withdrawal around the Roth's $30,000 and a price
    around its limits: validate exits 2 exactly when optimize or rebalance does."""
    text = REBALANCE
    for name in names:
        old, new = MUTATIONS[name]
        if old in text:
            text = text.replace(old, new, 1)
    text = text.replace(
        'id = "roth"\ntype = "roth"', f'id = "roth"\ntype = "roth"\nwithdrawal = {withdrawal!r}', 1
    )
    text = text.replace("price = 240.0", f"price = {price!r}", 1)
    path = write(tmp_path_factory.mktemp("gen"), text)
    check_validate_agrees(capsys, path)


def roth_as_balance(extra: str = "") -> str:
    """examples/rebalance.toml with the Roth as a balance of $30,000 (no holdings), then
    ``extra`` lines in that account: a file for optimize that rebalance cannot take."""
    text = REBALANCE.replace(
        'id = "roth"\ntype = "roth"\ncash = 1200\n\n[[accounts.positions]]\nsymbol = "VB"\n'
        'shares = 60\nprice = 240.0\n\n[[accounts.positions]]\nsymbol = "VWO"\n'
        "shares = 300\nprice = 48.0\n",
        'id = "roth"\ntype = "roth"\nbalance = 30000\n' + extra,
    )
    assert "balance = 30000" in text
    return text


def test_an_unpriced_fund_is_a_note_in_a_file_for_optimize(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A plan's fund list of bundled symbols needs no price for optimize; only rebalance
    would buy them. In a file that is not yet one for rebalance (an account gives only a
    balance) the missing price is part of validate's note, exit 0; with holdings in every
    account it stays an error, as rebalance would say."""
    text = roth_as_balance('funds = ["FXAIX", "IXUS"]\n')
    assert 'funds = ["FXAIX", "IXUS"]' in text
    path = write(tmp_path, text)
    code, out, err = run_cli(capsys, "validate", path)
    assert code == 0, err
    assert "rebalance needs today's holdings" in out and "IXUS is neither held anywhere" in out
    assert run_cli(capsys, "optimize", path)[0] == 0
    whole = REBALANCE.replace(
        'id = "roth"\ntype = "roth"\n', 'id = "roth"\ntype = "roth"\nfunds = ["IXUS"]\n', 1
    )
    assert 'funds = ["IXUS"]' in whole
    msg = bad(capsys, "validate", write(tmp_path, whole, "whole.toml"))
    assert msg.startswith("accounts[2].funds[0]: IXUS is neither held anywhere"), msg


def test_mixed_balance_and_holdings_validates_with_a_note(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A file that optimize accepts but rebalance cannot take: validate says why, exit 0."""
    text = roth_as_balance()
    assert "balance = 30000" in text
    path = write(tmp_path, text)
    code, out, err = run_cli(capsys, "validate", path)
    assert code == 0, err
    assert "note: accounts[2].balance: rebalance needs today's holdings" in out
    assert run_cli(capsys, "optimize", path)[0] == 0
    assert bad(capsys, "rebalance", path).startswith("accounts[2].balance: ")
    # the other rebalance checks still run on such a file
    late = write(tmp_path, text.replace("2026-06-15", "2026-12-15"), "late.toml")
    assert bad(capsys, "validate", late).startswith("accounts[0].positions[0].lots[2].acquired: ")
