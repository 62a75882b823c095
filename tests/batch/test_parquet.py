"""``assetloc batch`` with Parquet: INPUT gives the JSON Lines INPUT's output byte for byte;
OUTPUT's rows equal the JSON Lines rows and its headline columns equal the ``result``
JSON's fields (read back through pyarrow); a SIGKILL then ``--resume``; bad files; pyarrow
is never loaded by ``import assetloc`` or ``--help``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assetloc.batch import run_batch
from assetloc.errors import InputError

from support.batch_households import household_folder
from support.householdgen import random_household
from support.paths import EXAMPLES, ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
#: examples that need nothing beside the file; retired_couple has a year's income (tax-year)
SAMPLE = ("three_accounts", "four_accounts", "retired_couple", "rebalance")
BASE = ["id", "status", "error", "exit_code"]


def assetloc(*args: str) -> subprocess.CompletedProcess[str]:
    """``assetloc ARGS`` in a fresh interpreter (stdout, stderr, exit code)."""
    cmd = [sys.executable, "-m", "assetloc", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, check=False)


def jsonable(x: Any) -> Any:
    """TOML values as JSON would carry them (dates as ISO strings)."""
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [jsonable(v) for v in x]
    return x.isoformat() if hasattr(x, "isoformat") else x


def households() -> list[tuple[str, Any]]:
    """The sample examples, random households (other classes and accounts) and bad ones."""
    out: list[tuple[str, Any]] = [
        (name, jsonable(tomllib.loads((EXAMPLES / f"{name}.toml").read_text()))) for name in SAMPLE
    ]
    out += [(f"r{i}", random_household(i)) for i in range(4)]
    bad = jsonable(tomllib.loads((EXAMPLES / "three_accounts.toml").read_text()))
    bad["accounts"][1]["balance"] = -5
    out += [("bad_field", bad), ("not_an_object", [1, 2]), ("no_household", None)]
    return out


def write_jsonl(path: Path, rows: list[tuple[str, Any]]) -> Path:
    """Rows as JSON Lines ``{"id", "household"}`` (no ``household`` key when it is None)."""
    lines = [json.dumps({"id": i, **({} if h is None else {"household": h})}) for i, h in rows]
    path.write_text("".join(line + "\n" for line in lines))
    return path


def write_parquet(path: Path, rows: list[tuple[str, Any]], kind: str = "json") -> Path:
    """Rows as Parquet: ``household`` a JSON string column, or a struct column."""
    ids = [i for i, _ in rows]
    if kind == "json":
        col = pa.array([None if h is None else json.dumps(h) for _, h in rows], pa.string())
    else:
        col = pa.array([h for _, h in rows])
    pq.write_table(pa.table({"id": ids, "household": col}), path)
    return path


def jsonl_rows(path: Path) -> list[dict[str, Any]]:
    """The JSON rows of a JSON Lines output."""
    return [json.loads(line) for line in path.read_text().splitlines()]


def parquet_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a Parquet output, read back through pyarrow."""
    return pq.read_table(path).to_pylist()


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same households as JSON Lines and as Parquet (JSON strings)."""
    d = tmp_path_factory.mktemp("parquet_in")
    rows = households()
    return {
        "jsonl": write_jsonl(d / "in.jsonl", rows),
        "json": write_parquet(d / "in.parquet", rows),
    }


def test_parquet_input_gives_the_json_lines_inputs_output(
    sources: dict[str, Path], tmp_path: Path
) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    run_batch(sources["jsonl"], a, workers=2)
    run = assetloc("batch", str(sources["json"]), "--out", str(b), "--workers", "2")
    assert run.returncode == 5 and run.stdout == "", run.stderr
    assert b.read_bytes() == a.read_bytes()
    got = {r["id"]: r for r in jsonl_rows(b)}
    assert got["three_accounts"]["status"] == "ok" and got["bad_field"]["exit_code"] == 2
    assert "JSON object" in got["no_household"]["error"]


def test_a_struct_household_column_reads_as_the_json_strings(tmp_path: Path) -> None:
    rows = [r for r in households() if isinstance(r[1], dict)]
    src = write_parquet(tmp_path / "struct.parquet", rows, kind="struct")
    assert pa.types.is_struct(pq.read_schema(src).field("household").type)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    run_batch(write_jsonl(tmp_path / "in.jsonl", rows), a, workers=1)
    run_batch(src, b, workers=1)
    assert b.read_bytes() == a.read_bytes()


def expected_headline(task: str, doc: dict[str, Any]) -> dict[str, Any]:
    """The headline columns of one result, written out by hand from the README's list."""
    if task == "optimize":
        h = doc["household"]
        out = {"balance": h["balance"], "after_tax_wealth": h["after_tax_wealth"]}
        out |= {f"mix.{c}": v for c, v in h["mix"].items()}
        out |= {f"mix_pre_tax.{c}": v for c, v in h["mix_pre_tax"].items()}
        for a in doc["accounts"]:
            out |= {f"holdings.{a['id']}.{c}": v for c, v in a["holdings"].items()}
        out |= {f"metrics.{m}": v for m, v in doc["metrics"].items()}
        for base, d in doc["improvement_bp"].items():
            out |= {f"improvement_bp.{base}.{m}": v for m, v in d.items()}
        return out
    if task == "taxes":
        out = {f"rates.{k}": v for k, v in doc["rates"].items()}
        for c in doc["classes"]:
            out[f"effective_tax_rate.{c['id']}"] = c["effective_tax_rate"]
            out[f"tax_cost_ratio.{c['id']}"] = c["tax_cost_ratio"]
            out |= {f"after_tax_return.{c['id']}.{t}": v for t, v in c["after_tax_return"].items()}
        return out
    if task == "rebalance":
        out = {"action": doc["action"], "trades": len(doc["trades"])}
        for k in ("estimated_tax", "short_term_gain", "long_term_gain", "disallowed_loss"):
            out[f"tax.{k}"] = doc["tax"][k]
        out["trading_costs"] = doc["trading_costs"]
        cb = doc["cost_benefit"]
        for k in ("utility_gain_bp", "net_benefit", "break_even_years"):
            out[f"cost_benefit.{k}"] = cb[k]
        out["distance_from_target"] = cb["distance_from_target"]["dollars"]
        out |= {f"mix_after.{c['class']}": c["after"] for c in doc["allocation"]["household"]}
        for a in doc["allocation"]["accounts"]:
            out |= {f"holdings_after.{a['id']}.{c}": v for c, v in a["after"].items()}
        return out
    if task == "harvest":
        return {"as_of": doc["as_of"], "candidates": len(doc["candidates"])}
    if task == "simulate":
        out = {"paths": doc["paths"], "years": doc["years"]}
        for what in ("terminal_wealth", "spending", "lifetime_tax"):
            for strategy, d in doc["strategies"].items():
                out |= {f"{what}.{strategy}.{k}": v for k, v in d[what].items()}
        for strategy, d in doc["location_value_bp"].items():
            out |= {f"location_value_bp.{strategy}.{k}": v for k, v in d.items() if v is not None}
        return out
    fed = doc["federal"]
    out = {"year": doc["year"], "filing_status": doc["filing_status"]}
    out |= {f"federal.{k}": fed[k] for k in ("agi", "taxable_income", "niit", "total")}
    out |= {"state.tax": doc["state"]["tax"], "total_tax": doc["total_tax"]}
    out |= {"average_rate": doc["average_rate"]}
    return out | {f"marginal_rates.{k}": v for k, v in doc["marginal_rates"].items()}


@pytest.mark.parametrize("task", ["optimize", "taxes", "tax-year"])
def test_parquet_output_equals_the_json_lines_rows(
    sources: dict[str, Path], tmp_path: Path, task: str
) -> None:
    ref, out = tmp_path / "ref.jsonl", tmp_path / "out.parquet"
    run_batch(sources["jsonl"], ref, task=task, workers=1)
    summary = run_batch(sources["jsonl"], out, task=task, workers=1)
    assert summary.ok > 0 and summary.failed
    want = jsonl_rows(ref)
    got = parquet_rows(out)
    as_rows = [
        {**{k: r[k] for k in BASE}, "result": r["result"] and json.loads(r["result"])} for r in got
    ]
    assert as_rows == want
    headline = [expected_headline(task, w["result"]) if w["result"] else {} for w in want]
    union = {name for h in headline for name in h}
    names = pq.read_schema(out).names
    assert names[:4] == BASE and names[-1] == "result" and set(names[4:-1]) == union
    assert len(names) == len(set(names))
    for r, h in zip(got, headline, strict=True):
        assert {n: r[n] for n in names[4:-1]} == {n: h.get(n) for n in names[4:-1]}, r["id"]
    # different households, different columns: nulls where a household has no such account
    if task == "optimize":
        assert got[0]["holdings.brokerage.us_equity_large_cap"] is not None
        assert any(
            r["status"] == "ok" and r["holdings.brokerage.us_equity_large_cap"] is None for r in got
        )
    assert not list(tmp_path.glob("*.partial"))


def test_types_of_the_parquet_columns(sources: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    run_batch(sources["jsonl"], out, task="tax-year", workers=1)
    schema = pq.read_schema(out)
    assert schema.field("exit_code").type == pa.int64() and schema.field("year").type == pa.int64()
    assert schema.field("filing_status").type == pa.string()
    assert schema.field("total_tax").type == pa.float64()
    assert schema.metadata == {b"assetloc.task": b"tax-year"}


def test_no_households_are_bad_input_and_write_nothing(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [])
    out = tmp_path / "out.parquet"
    with pytest.raises(InputError, match="holds no households"):
        run_batch(src, out, workers=1)
    assert not out.exists()


def random_rows(n: int) -> list[tuple[str, Any]]:
    """``n`` random feasible households."""
    return [(f"h{i:04d}", random_household(i)) for i in range(n)]


def test_sigkill_halfway_then_resume_gives_each_id_once(tmp_path: Path) -> None:
    n = 300
    src = write_parquet(tmp_path / "in.parquet", random_rows(n))
    full, cut = tmp_path / "full.parquet", tmp_path / "cut.parquet"
    journal = tmp_path / "cut.parquet.jsonl.partial"
    run_batch(src, full, workers=2)
    cmd = [sys.executable, "-m", "assetloc", "batch", str(src), "--out", str(cut), "--workers", "2"]
    proc = subprocess.Popen(cmd, env=ENV, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120  # a guard against a hang, not a timing check
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_bytes().count(b"\n") >= 20:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the batch finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not cut.exists()  # no half Parquet file: only the journal
    done = journal.read_bytes().count(b"\n")
    assert 0 < done < n
    run = assetloc("batch", str(src), "--out", str(cut), "--workers", "2", "--resume")
    assert run.returncode == 0, run.stderr
    assert f"{done} skipped" in run.stderr
    ids = [r["id"] for r in parquet_rows(cut)]
    assert ids == [f"h{i:04d}" for i in range(n)]  # each once, in input order
    assert pq.read_table(cut).equals(pq.read_table(full))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cut.parquet",
        "full.parquet",
        "in.parquet",
    ]


def test_resume_after_a_finished_run_adds_only_the_new_rows(tmp_path: Path) -> None:
    rows = random_rows(8)
    first, both = tmp_path / "first.jsonl", tmp_path / "both.jsonl"
    write_jsonl(first, rows[:5])
    write_jsonl(both, rows)
    out, ref = tmp_path / "out.parquet", tmp_path / "ref.parquet"
    run_batch(first, out, workers=1)
    summary = run_batch(both, out, workers=1, resume=True)
    assert summary.skipped == 5 and summary.ok == 3
    run_batch(both, ref, workers=1)
    assert pq.read_table(out).equals(pq.read_table(ref))
    again = run_batch(both, out, workers=1, resume=True)  # nothing left to do
    assert again.skipped == 8 and pq.read_table(out).equals(pq.read_table(ref))


def bad_file(path: Path, case: str) -> str:
    """Write the bad INPUT ``case`` to ``path``; the message expected on stderr."""
    good = json.dumps(random_household(0))
    tables = {
        "no_id": (pa.table({"name": ["a"], "household": [good]}), "needs a 'id' column"),
        "no_household": (pa.table({"id": ["a"]}), "needs a 'household' column"),
        "twice": (pa.table({"id": ["a", "b", "a"], "household": [good] * 3}), ": row 2: id 'a'"),
        "null_id": (pa.table({"id": ["a", None], "household": [good] * 2}), ": row 1: id must"),
        "int_id": (pa.table({"id": [1], "household": [good]}), ": id: must be a string column"),
        "bad_json": (pa.table({"id": ["a", "b"], "household": [good, "{x"]}), ": row 1: household"),
        "int_household": (pa.table({"id": ["a"], "household": [1]}), "string column of JSON"),
        "too_deep": (
            pa.table({"id": ["a", "b"], "household": [good, "[" * 990 + "]" * 990]}),
            ": row 1: household: is nested 990 levels deep: at most 100",
        ),
    }
    if case == "not_parquet":
        path.write_text('{"id": "a"}\n')
        return "is not a readable Parquet file"
    table, message = tables[case]
    pq.write_table(table, path)
    return message


CASES = (
    "not_parquet",
    "no_id",
    "no_household",
    "twice",
    "null_id",
    "int_id",
    "bad_json",
    "int_household",
    "too_deep",
)


@pytest.mark.parametrize("case", CASES)
def test_bad_parquet_input_is_one_line_naming_the_file_exit_2(tmp_path: Path, case: str) -> None:
    src = tmp_path / "in.parquet"
    message = bad_file(src, case)
    out = tmp_path / "o.jsonl"
    run = assetloc("batch", str(src), "--out", str(out))
    assert run.returncode == 2 and run.stdout == "", run.stderr
    assert run.stderr.startswith(f"error: {src}") and message in run.stderr, run.stderr
    assert len(run.stderr.splitlines()) == 1 and "Traceback" not in run.stderr
    assert not out.exists()


def test_resume_onto_a_parquet_file_that_is_not_a_batch_output(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", random_rows(2))
    out = tmp_path / "out.parquet"
    pq.write_table(pa.table({"x": [1]}), out)
    run = assetloc("batch", str(src), "--out", str(out), "--resume")
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1
    assert "is not a batch's Parquet output: cannot resume" in run.stderr


@pytest.mark.parametrize(
    "code",
    [
        "import assetloc",
        "import assetloc.batch",
        "import sys; sys.argv = ['assetloc', '--help']; from assetloc.cli.app import main; main()",
    ],
)
def test_pyarrow_is_imported_only_when_a_parquet_file_is_read_or_written(code: str) -> None:
    cmd = [sys.executable, "-X", "importtime", "-c", code]
    run = subprocess.run(cmd, capture_output=True, text=True, env=ENV, check=False)
    assert run.returncode == 0, run.stderr
    imported = {line.split("|")[-1].strip() for line in run.stderr.splitlines() if "|" in line}
    assert "assetloc" in imported and "pyarrow" not in imported


def test_out_is_a_directory_or_under_a_missing_folder_is_one_line_exit_2(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", random_rows(1))
    (tmp_path / "dir.parquet").mkdir()
    for out, message in [
        (tmp_path / "dir.parquet", "is a directory"),
        (tmp_path / "missing" / "o.parquet", "cannot be written"),
    ]:
        run = assetloc("batch", str(src), "--out", str(out))
        assert run.returncode == 2 and run.stderr.startswith("error: --out: "), run.stderr
        assert message in run.stderr and len(run.stderr.splitlines()) == 1


def test_a_failed_final_write_keeps_the_journal_for_resume(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", random_rows(3))
    out, ref = tmp_path / "out.parquet", tmp_path / "ref.parquet"
    (tmp_path / "out.parquet.partial").mkdir()  # the final write cannot create its file
    run = assetloc("batch", str(src), "--out", str(out), "--workers", "1")
    assert run.returncode == 6 and run.stderr.startswith("error: --out: "), run.stderr
    assert "its rows are kept, in out.parquet.jsonl.partial: --resume writes it" in run.stderr
    assert len(run.stderr.splitlines()) == 1 and not out.exists()
    assert (tmp_path / "out.parquet.jsonl.partial").read_text().count("\n") == 3
    (tmp_path / "out.parquet.partial").rmdir()
    summary = run_batch(src, out, workers=1, resume=True)
    assert summary.skipped == 3
    run_batch(src, ref, workers=1)
    assert pq.read_table(out).equals(pq.read_table(ref))


def test_many_blocks_give_the_same_file_as_one(
    sources: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assetloc.batch import parquet_out

    one, many = tmp_path / "one.parquet", tmp_path / "many.parquet"
    run_batch(sources["jsonl"], one, workers=1)
    monkeypatch.setattr(parquet_out, "BLOCK", 2)  # classes and accounts differ by block
    run_batch(sources["jsonl"], many, workers=1)
    assert pq.ParquetFile(many).metadata.num_row_groups == -(-len(households()) // 2)
    assert pq.read_table(many).equals(pq.read_table(one))
    assert pq.read_schema(many).equals(pq.read_schema(one), check_metadata=True)
    # the result column holds the row's JSON text exactly as the JSON Lines row has it
    ref = tmp_path / "ref.jsonl"
    run_batch(sources["jsonl"], ref, workers=1)
    texts = pq.read_table(many)["result"].to_pylist()
    lines = ref.read_text().splitlines()
    assert len(texts) == len(lines)
    for text, line in zip(texts, lines, strict=True):
        assert line.endswith(f'"result":{text or "null"}}}')
        assert (text and json.loads(text)) == json.loads(line)["result"]


def test_the_journal_rebuilt_from_a_finished_file_is_the_json_lines_output(
    sources: dict[str, Path], tmp_path: Path
) -> None:
    from assetloc.batch.parquet_out import journal

    ref, out = tmp_path / "ref.jsonl", tmp_path / "out.parquet"
    run_batch(sources["jsonl"], ref, workers=1)
    run_batch(sources["jsonl"], out, workers=1)
    assert not (tmp_path / "out.parquet.jsonl.partial").exists()
    rebuilt = journal(out, resume=True)
    assert rebuilt == tmp_path / "out.parquet.jsonl.partial"
    assert rebuilt.read_bytes() == ref.read_bytes()


def test_parquet_in_and_out_rows_equal_the_single_household_cli(tmp_path: Path) -> None:
    rows = [
        (name, jsonable(tomllib.loads((EXAMPLES / f"{name}.toml").read_text()))) for name in SAMPLE
    ]
    src, out = write_parquet(tmp_path / "in.parquet", rows), tmp_path / "out.parquet"
    run = assetloc("batch", str(src), "--out", str(out), "--workers", "2")
    assert run.returncode == 0 and run.stdout == "", run.stderr
    got = {r["id"]: r for r in parquet_rows(out)}
    for name in SAMPLE:
        one = assetloc("optimize", str(EXAMPLES / f"{name}.toml"), "--json")
        doc = json.loads(one.stdout)
        assert json.loads(got[name]["result"]) == doc
        first = doc["accounts"][0]
        for cls, dollars in first["holdings"].items():
            assert got[name][f"holdings.{first['id']}.{cls}"] == dollars
        assert got[name]["metrics.utility"] == doc["metrics"]["utility"]


def test_flattening_keeps_only_values_of_the_columns_kind() -> None:
    from assetloc.batch.columns import Col, flatten

    doc = {"a": {"x": 1.5, "y": 2, "z": "s", "w": True, "v": {"deep": 1.0}, "u": None}}
    assert Col("a.{}", "a.*").values(doc) == [("a.x", 1.5), ("a.y", 2)]
    assert Col("a.{}", "a.*", "str").values(doc) == [("a.z", "s")]
    items = {"l": [{"id": "p", "q": 1.0}, {"id": "r"}, {"q": 3.0}, 7]}
    assert Col("q.{}", "l.[id].q").values(items) == [("q.p", 1.0)]
    assert Col("m", "missing.path").values(doc) == [] and flatten("optimize", None) == []


#: the run's wall time, different on every run: (path of keys) per task
TIMING = {"rebalance": ("solver", "seconds"), "simulate": ("elapsed_s",)}


def untimed(task: str, doc: Any) -> Any:
    """``doc`` without its wall-time field (a result of ``task``, or None)."""
    if doc is None or task not in TIMING:
        return doc
    *outer, last = TIMING[task]
    inner = doc
    for key in outer:
        inner = inner[key]
    assert isinstance(inner.pop(last), float)
    return doc


@pytest.mark.parametrize("task", ["rebalance", "harvest", "simulate"])
def test_the_other_tasks_headline_columns_equal_their_results(tmp_path: Path, task: str) -> None:
    folder = household_folder(task, tmp_path / "in", ENV)
    (folder / "no_plan.toml").unlink(missing_ok=True)  # 1,000 paths: too long for the suite
    ref, out = tmp_path / "ref.jsonl", tmp_path / "out.parquet"
    run_batch(folder, ref, task=task, workers=2)
    summary = run_batch(folder, out, task=task, workers=2)
    assert summary.ok >= 2 and summary.failed
    got = parquet_rows(out)
    results = [r["result"] and json.loads(r["result"]) for r in got]
    want = jsonl_rows(ref)
    assert [
        {**{k: r[k] for k in BASE}, "result": untimed(task, d)}
        for r, d in zip(got, results, strict=True)
    ] == [{**w, "result": untimed(task, w["result"])} for w in want]
    headline = [expected_headline(task, d) if d else {} for d in results]
    names = pq.read_schema(out).names
    assert set(names[4:-1]) == {n for h in headline for n in h}
    for r, h in zip(got, headline, strict=True):
        assert {n: r[n] for n in names[4:-1]} == {n: h.get(n) for n in names[4:-1]}, r["id"]


def test_every_batch_task_has_headline_columns() -> None:
    from assetloc.batch.columns import COLUMNS
    from assetloc.batch.tasks import TASKS

    assert set(COLUMNS) == set(TASKS)
