"""``assetloc batch``: rows equal the single-household CLI's ``--json``, bad households,
workers, a SIGKILL then ``--resume``, dead workers."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from assetloc.batch import run_batch
from assetloc.batch.engine import chunk_size
from assetloc.batch.pool import WORKER_DIED
from assetloc.errors import BatchStopped

from support import batch_runners
from support.householdgen import random_household
from support.paths import EXAMPLES, ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
#: examples whose optimize needs nothing beside the file (no ledger database)
SAMPLE = ("three_accounts", "four_accounts", "retired_couple", "rebalance")
#: bad household files the CLI rejects, one per kind: TOML, a field, the accounts' checks
BAD = {
    "bad_toml": "x = \n",
    "bad_field": (EXAMPLES / "three_accounts.toml")
    .read_text()
    .replace("balance = 150000", "balance = -5", 1),
    "bad_type": '[investor]\nordinary_rate = "high"\n',
    "no_accounts": "[investor]\nordinary_rate = 0.2\ncapital_gains_rate = 0.15\n",
}


def assetloc(*args: str) -> subprocess.CompletedProcess[str]:
    """``assetloc ARGS`` in a fresh interpreter (stdout, stderr, exit code)."""
    cmd = [sys.executable, "-m", "assetloc", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, check=False)


def rows(path: Path) -> list[dict[str, Any]]:
    """The JSON rows of a batch output."""
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of the sample examples and the bad households."""
    d = tmp_path_factory.mktemp("households")
    for name in SAMPLE:
        (d / f"{name}.toml").write_text((EXAMPLES / f"{name}.toml").read_text())
    for name, text in BAD.items():
        (d / f"{name}.toml").write_text(text)
    return d


@pytest.mark.parametrize("task", ["optimize", "taxes", "tax-year"])
def test_rows_equal_the_single_household_cli(folder: Path, tmp_path: Path, task: str) -> None:
    out = tmp_path / "out.jsonl"
    run = assetloc("batch", str(folder), "--out", str(out), "--task", task, "--workers", "2")
    assert run.returncode == 5 and run.stdout == ""
    got = {r["id"]: r for r in rows(out)}
    assert [r["id"] for r in rows(out)] == sorted(got)  # input order: file names sorted
    failed = 0
    for f in sorted(folder.glob("*.toml")):
        one = assetloc(task, str(f), "--json")
        r = got[f.stem]
        failed += one.returncode != 0
        if one.returncode == 0:
            assert r["status"] == "ok" and r["exit_code"] == 0 and r["error"] is None
            assert r["result"] == json.loads(one.stdout)
        else:
            assert r["status"] == "error" and r["result"] is None
            assert r["exit_code"] == one.returncode
            assert one.stderr == f"error: {r['error']}\n"
    assert len(BAD) <= failed < len(got)
    assert run.stderr.startswith("batch: ") and f"{failed} failed" in run.stderr


def jsonable(x: Any) -> Any:
    """TOML values as JSON would carry them (dates as ISO strings)."""
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [jsonable(v) for v in x]
    return x.isoformat() if hasattr(x, "isoformat") else x


def test_json_lines_input_equals_the_folder(folder: Path, tmp_path: Path) -> None:
    lines = []
    for f in sorted(folder.glob("*.toml")):
        try:
            household = jsonable(tomllib.loads(f.read_text()))
        except tomllib.TOMLDecodeError:
            continue
        lines.append(json.dumps({"id": f.stem, "household": household}))
    lines.append(json.dumps({"id": "not_an_object", "household": [1, 2]}))
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n")
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    run_batch(folder, a, workers=1)
    summary = run_batch(src, b, workers=1)
    by_id = {r["id"]: r for r in rows(a)}
    got = rows(b)
    assert got[-1]["id"] == "not_an_object" and got[-1]["exit_code"] == 2
    for r in got[:-1]:
        assert r == by_id[r["id"]]
    assert summary.failed[2] == len(BAD)  # bad_toml left out, not_an_object added


def random_jsonl(path: Path, n: int) -> Path:
    """``n`` random feasible households as JSON Lines."""
    path.write_text(
        "".join(
            json.dumps({"id": f"h{i:04d}", "household": random_household(i)}) + "\n"
            for i in range(n)
        )
    )
    return path


def test_one_and_two_workers_give_the_same_output(tmp_path: Path) -> None:
    src = random_jsonl(tmp_path / "in.jsonl", 40)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    run_batch(src, one, workers=1)
    run_batch(src, two, workers=2)
    assert one.read_bytes() == two.read_bytes()
    assert [r["id"] for r in rows(one)] == [f"h{i:04d}" for i in range(40)]


def test_sigkill_halfway_then_resume_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    n = 300
    src = random_jsonl(tmp_path / "in.jsonl", n)
    full, cut = tmp_path / "full.jsonl", tmp_path / "cut.jsonl"
    run_batch(src, full, workers=2)
    cmd = [sys.executable, "-m", "assetloc", "batch", str(src), "--out", str(cut), "--workers", "2"]
    proc = subprocess.Popen(cmd, env=ENV, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120  # a guard against a hang, not a timing check
    while time.monotonic() < deadline and proc.poll() is None:
        if cut.exists() and cut.read_bytes().count(b"\n") >= 20:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the batch finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    # a kill in the middle of a chunk's write can leave a torn last line: --resume cuts it
    data = cut.read_bytes()
    partial = [json.loads(line) for line in data[: data.rfind(b"\n") + 1].splitlines()]
    assert 0 < len(partial) < n
    run = assetloc("batch", str(src), "--out", str(cut), "--workers", "2", "--resume")
    assert run.returncode == 0, run.stderr
    assert f"{len(partial)} skipped" in run.stderr
    assert cut.read_bytes() == full.read_bytes()


def _descendants(pid: int) -> set[int]:
    """Every living process under ``pid`` (from /proc: its children, theirs, ...)."""
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            parent[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        found.update(kids)
        todo.extend(kids)
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (not gone, not a zombie waiting to be reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("reaped", [True, False], ids=["reaped", "not reaped"])
def test_a_batch_killed_alone_leaves_no_worker_behind(tmp_path: Path, reaped: bool) -> None:
    """SIGKILL to the batch process only (not its group, as a supervisor or the OOM killer
    does): its pool's workers, the forkserver and the resource tracker end too, also while
    the killed batch waits to be reaped by the program that started it (a zombie)."""
    src = random_jsonl(tmp_path / "in.jsonl", 300)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "assetloc", "batch", str(src), "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(cmd, env=ENV, start_new_session=True, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120  # a guard against a hang, not a timing check
        while time.monotonic() < deadline and proc.poll() is None:
            if out.exists() and out.read_bytes().count(b"\n") >= 10:
                break
            time.sleep(0.01)
        helpers = _descendants(proc.pid)
        assert proc.poll() is None and len(helpers) >= 3, "killed before the pool was up"
        proc.kill()
        if reaped:
            proc.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(map(_alive, helpers)):
            time.sleep(0.05)
        assert not [p for p in helpers if _alive(p)]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


#: ``python -c LIMITED SIZE ARGS...``: ``python ARGS...`` with files of at most SIZE bytes,
#: a write past it failing with EFBIG as on a full disk (SIGXFSZ ignored, not fatal; set
#: before an exec, not in a preexec_fn of this threaded process)
LIMITED = (
    "import os, resource, signal, sys; size = int(sys.argv[1]); "
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
    "resource.setrlimit(resource.RLIMIT_FSIZE, (size, size)); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[2:]])"
)


def test_an_output_that_cannot_be_written_on_stops_the_batch(tmp_path: Path) -> None:
    """A write that fails part way (a full disk; here a file-size limit): one line naming
    --out, exit 6, the rows of the chunks written before it whole and counted, a torn last
    line; --resume then gives an uninterrupted run's file (it was a traceback, and its
    buffered chunk failed again on closing)."""
    src = random_jsonl(tmp_path / "in.jsonl", 120)
    out, ref = tmp_path / "out.jsonl", tmp_path / "ref.jsonl"
    cmd = [sys.executable, "-c", LIMITED, "150000", "-m", "assetloc", "batch", str(src)]
    run = subprocess.run(
        [*cmd, "--out", str(out), "--workers", "2"],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
        timeout=300,
    )
    assert run.returncode == 6, run.stderr
    kept = out.read_bytes()
    assert len(kept) == 150_000
    whole = kept[: kept.rfind(b"\n") + 1].count(b"\n")
    size = chunk_size(120, 2)
    written = whole // size * size  # the rows of whole chunks: the torn chunk's not counted
    assert 0 < written < 120
    assert run.stderr.splitlines() == [
        f"error: --out: {out} could not be written on (File too large); the rows written so "
        f"far are kept ({written} of this run's 120 households, at the last whole chunk): "
        "--resume goes on"
    ]
    run_batch(src, out, workers=2, resume=True)
    run_batch(src, ref, workers=2)
    assert out.read_bytes() == ref.read_bytes()


def test_a_batch_stopped_by_its_output_begins_no_more_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool's chunks not begun when a write fails are cancelled, not all run before the
    error is told (the pool's shutdown waited for every one of them)."""
    from assetloc.batch import engine

    src = random_jsonl(tmp_path / "in.jsonl", 400)
    writes = 0

    def fails_second(f: Any, lines: list[str]) -> None:
        nonlocal writes
        writes += 1
        if writes == 2:
            raise OSError(28, "No space left on device")
        output_append(f, lines)

    output_append = engine.append_chunk
    monkeypatch.setattr(engine, "append_chunk", fails_second)
    with pytest.raises(BatchStopped, match="No space left on device") as stopped:
        run_batch(src, tmp_path / "out.jsonl", workers=2, runner=batch_runners.slow_logging_chunks)
    size = engine.chunk_size(400, 2)
    assert f"kept ({size} of this run's 400 households, at the last whole chunk)" in str(
        stopped.value
    )
    time.sleep(2.0)  # what a pool still going begins meanwhile: 4 chunks or more
    started = (tmp_path / "started").read_text().split()
    assert len(started) <= -(-400 // size) // 2, len(started)


def test_resume_cuts_a_torn_last_line(tmp_path: Path) -> None:
    src = random_jsonl(tmp_path / "in.jsonl", 6)
    full, cut = tmp_path / "full.jsonl", tmp_path / "cut.jsonl"
    run_batch(src, full, workers=1)
    data = full.read_bytes()
    lines = data.splitlines(keepends=True)
    cut.write_bytes(b"".join(lines[:2]) + lines[2][:10])
    run_batch(src, cut, workers=1, resume=True)
    assert cut.read_bytes() == data


def test_a_worker_that_dies_once_loses_no_rows(tmp_path: Path) -> None:
    src = random_jsonl(tmp_path / "in.jsonl", 12)
    text = src.read_text().replace('"h0005"', '"die5"')
    src.write_text(text)
    ref, out = tmp_path / "ref.jsonl", tmp_path / "out.jsonl"
    run_batch(src, ref, workers=2)
    summary = run_batch(src, out, workers=2, runner=batch_runners.dies_once)
    assert (tmp_path / "died-once").exists()
    assert out.read_bytes() == ref.read_bytes() and summary.ok == 12


def test_a_worker_that_dies_twice_reports_its_chunk_as_errors(tmp_path: Path) -> None:
    src = random_jsonl(tmp_path / "in.jsonl", 40)
    src.write_text(src.read_text().replace('"h0005"', '"die5"'))
    out = tmp_path / "out.jsonl"
    summary = run_batch(src, out, workers=2, runner=batch_runners.dies_always)
    got = rows(out)
    assert len(got) == 40 and len({r["id"] for r in got}) == 40
    bad = [r for r in got if r["status"] == "error"]
    assert "die5" in {r["id"] for r in bad} and 0 < len(bad) < 40
    assert all(r["exit_code"] == WORKER_DIED and "died" in r["error"] for r in bad)
    assert summary.failed[WORKER_DIED] == len(bad)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--task", "frontier"], "error: --task: 'frontier' is not a batch task (one of: "),
        (["--workers", "0"], "error: --workers: must be at least 1"),
    ],
)
def test_bad_options_are_one_line_exit_2(
    folder: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    run = assetloc("batch", str(folder), "--out", str(tmp_path / "o.jsonl"), *args)
    assert run.returncode == 2 and run.stdout == "" and run.stderr.startswith(message)
    assert len(run.stderr.splitlines()) == 1


def test_bad_input_files_are_one_line_exit_2(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    for text, message in [
        ("{not json\n", "is not valid JSON"),
        ('{"household": {}}\n', 'needs {"id"'),
        ('{"id": "a"}\n{"id": "a"}\n', "id 'a' appears twice"),
        ("\n\n", "holds no households: nothing to run"),
    ]:
        src.write_text(text)
        run = assetloc("batch", str(src), "--out", str(tmp_path / "o.jsonl"))
        assert run.returncode == 2 and message in run.stderr, run.stderr
        assert len(run.stderr.splitlines()) == 1 and "Traceback" not in run.stderr
    run = assetloc("batch", str(tmp_path / "missing"), "--out", str(tmp_path / "o.jsonl"))
    assert run.returncode == 2 and "not found" in run.stderr
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not a household")
    run = assetloc("batch", str(tmp_path / "empty"), "--out", str(tmp_path / "o.jsonl"))
    assert run.returncode == 2 and "holds no .toml files: nothing to run" in run.stderr
    assert not (tmp_path / "o.jsonl").exists()  # nothing written before the check


def test_a_line_separator_inside_a_json_string_is_no_line_break(tmp_path: Path) -> None:
    """JSON allows U+2028, U+2029 and U+0085 unescaped inside a string (json.dumps with
    ensure_ascii=False, orjson): a JSON Lines row ends at a newline only."""
    good = random_household(3)
    text = "".join(
        json.dumps(
            {"id": hid, "household": {**good, "name": f"A\u2028B\u2029C\x85D {hid}"}},
            ensure_ascii=False,
        )
        + "\r\n"
        for hid in ("a", "b")
    )
    src = tmp_path / "in.jsonl"
    src.write_text(text, encoding="utf-8", newline="")
    out = tmp_path / "o.jsonl"
    summary = run_batch(str(src), str(out), workers=1)  # str paths, as a script may pass
    assert summary.ok == 2
    assert [r["id"] for r in rows(out)] == ["a", "b"]


def test_every_toml_entry_of_a_folder_gets_a_row(tmp_path: Path) -> None:
    """A file named *.TOML runs like *.toml; a broken link named *.toml gets the CLI's error
    row (file not found), not silence; folders and other files are not households."""
    d = tmp_path / "book"
    d.mkdir()
    (d / "UPPER.TOML").write_text((EXAMPLES / "three_accounts.toml").read_text())
    (d / "broken.toml").symlink_to(d / "nowhere.toml")
    (d / "sub.toml").mkdir()
    (d / "notes.txt").write_text("not a household")
    out = tmp_path / "o.jsonl"
    run_batch(d, out, workers=1)
    got = {r["id"]: r for r in rows(out)}
    assert set(got) == {"UPPER", "broken"}
    assert got["UPPER"]["status"] == "ok"
    assert got["broken"]["status"] == "error" and "file not found" in got["broken"]["error"]
    single = assetloc("optimize", str(d / "broken.toml"))
    assert single.stderr.strip() == f"error: {got['broken']['error']}"


def test_out_may_not_be_the_input(tmp_path: Path) -> None:
    """--out naming INPUT (or a household file of an INPUT folder) is refused before
    anything is written: the households stay as they were, with --resume too."""
    src = random_jsonl(tmp_path / "in.jsonl", 3)
    before = src.read_bytes()
    for extra in ([], ["--resume"]):
        run = assetloc("batch", str(src), "--out", str(src), *extra)
        assert run.returncode == 2 and "is the INPUT file itself" in run.stderr, run.stderr
        assert len(run.stderr.splitlines()) == 1
    assert src.read_bytes() == before
    d = tmp_path / "book"
    d.mkdir()
    (d / "a.toml").write_text((EXAMPLES / "three_accounts.toml").read_text())
    run = assetloc("batch", str(d), "--out", str(d / "a.toml"))
    assert run.returncode == 2 and f"is the household file {d / 'a.toml'}" in run.stderr
    assert (d / "a.toml").read_text() == (EXAMPLES / "three_accounts.toml").read_text()


def test_run_batch_at_the_top_level_of_a_script(tmp_path: Path) -> None:
    """A script that calls run_batch at its top level, no ``if __name__ == "__main__":``
    (as the README's snippet reads when saved to a file): the workers do not run the script
    again (they would run the batch, and what follows it, once more each, truncating
    OUTPUT), so the script runs once and every row is there."""
    src = random_jsonl(tmp_path / "in.jsonl", 12)
    script = tmp_path / "script.py"
    script.write_text(
        "from pathlib import Path\n"
        "from assetloc.batch import run_batch\n"
        f"with open({str(tmp_path / 'ran.txt')!r}, 'a') as f:\n"
        "    f.write('ran\\n')\n"
        f"s = run_batch({str(src)!r}, {str(tmp_path / 'out.jsonl')!r}, workers=2)\n"
        "print(s.ok, sum(s.failed.values()))\n"
    )
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=ENV, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["12", "0"] and run.stderr == ""
    assert (tmp_path / "ran.txt").read_text() == "ran\n"  # once: not again in a worker
    assert [r["status"] for r in rows(tmp_path / "out.jsonl")] == ["ok"] * 12


def test_the_main_module_is_left_as_it_was() -> None:
    from assetloc.batch.pool import main_left_out
    from assetloc.batch.tasks import run_chunk

    main = sys.modules["__main__"]
    before = (getattr(main, "__file__", None), main.__spec__)
    with main_left_out(run_chunk):
        assert getattr(main, "__file__", None) is None and main.__spec__ is None
    assert (getattr(main, "__file__", None), main.__spec__) == before


@pytest.mark.parametrize(
    ("suffix", "errors_only"), [(".jsonl", False), (".parquet", False), (".parquet", True)]
)
def test_resume_with_another_task_is_refused(
    tmp_path: Path, suffix: str, errors_only: bool
) -> None:
    """--resume on an OUTPUT made by another --task: one line naming both tasks, exit 2,
    OUTPUT unchanged (it would hold two tasks' rows under one task's name); a Parquet
    OUTPUT of error rows only, whose rows cannot say their task, by its metadata."""
    src = random_jsonl(tmp_path / "in.jsonl", 3)
    if errors_only:
        src.write_text('{"id": "a", "household": [1]}\n')
    out = tmp_path / f"o{suffix}"
    first = assetloc("batch", str(src), "--out", str(out))
    assert first.returncode == (5 if errors_only else 0), first.stderr
    before = out.read_bytes()
    run = assetloc("batch", str(src), "--out", str(out), "--task", "taxes", "--resume")
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1, run.stderr
    assert f"--task: 'taxes', but --out {out} holds 'optimize' rows" in run.stderr
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in.jsonl", out.name])
    same = assetloc("batch", str(src), "--out", str(out), "--resume")
    n = 1 if errors_only else 3
    assert same.returncode == first.returncode and f"{n} skipped" in same.stderr


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_resume_counts_the_failures_already_in_output(tmp_path: Path, suffix: str) -> None:
    """Exit 0 means every household of OUTPUT is ok: a resumed run whose new households
    all pass still exits 5 when an earlier run's row is an error, and says how many."""
    src = random_jsonl(tmp_path / "in.jsonl", 4)
    lines = src.read_text().splitlines(keepends=True)
    bad = json.loads(lines[1])
    bad["household"]["accounts"][0]["balance"] = -5
    src.write_text(lines[0] + json.dumps(bad) + "\n")
    out = tmp_path / f"o{suffix}"
    first = assetloc("batch", str(src), "--out", str(out))
    assert first.returncode == 5, first.stderr
    src.write_text(lines[0] + json.dumps(bad) + "\n" + "".join(lines[2:]))
    again = assetloc("batch", str(src), "--out", str(out), "--resume")
    assert again.returncode == 5, again.stderr
    assert "batch: 2 ok, 0 failed, 2 skipped (already in output; 1 of them failed)" in again.stderr
    done = assetloc("batch", str(src), "--out", str(out), "--resume")
    assert done.returncode == 5 and "4 skipped (already in output; 1 of them failed)" in done.stderr


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_resume_onto_another_inputs_output_is_refused(tmp_path: Path, suffix: str) -> None:
    """--resume with an OUTPUT holding ids that INPUT has not: one line, exit 2, OUTPUT
    unchanged (the rows of the other INPUT would stay in this one's output)."""
    big = random_jsonl(tmp_path / "big.jsonl", 5)
    small = tmp_path / "small.jsonl"
    small.write_text("".join(big.read_text().splitlines(keepends=True)[:2]))
    out = tmp_path / f"o{suffix}"
    assert assetloc("batch", str(big), "--out", str(out)).returncode == 0
    if suffix == ".jsonl":  # a killed run's torn last line stays too: nothing is cut
        out.write_bytes(out.read_bytes() + b'{"id":"h0005","sta')
    before = out.read_bytes()
    run = assetloc("batch", str(small), "--out", str(out), "--resume")
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1, run.stderr
    assert f"error: --resume: {out} holds 3 id(s) that INPUT has not (first: 'h0002')" in run.stderr
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["big.jsonl", "small.jsonl", out.name]
    )


def test_resume_onto_a_file_of_households_is_refused(tmp_path: Path) -> None:
    """--resume onto a copy of INPUT (rows with an id but no batch status): not a batch's
    OUTPUT, exit 2, the file unchanged (it used to count every line as a failed row)."""
    src = random_jsonl(tmp_path / "in.jsonl", 3)
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(src.read_bytes()[:-1])  # its last line without a newline, too
    before = copy.read_bytes()
    run = assetloc("batch", str(src), "--out", str(copy), "--resume")
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1, run.stderr
    assert f"--out {copy}:1: is not a batch row: cannot resume" in run.stderr
    assert copy.read_bytes() == before


def test_a_refused_parquet_resume_leaves_no_journal_when_the_scheduler_is_away(
    tmp_path: Path,
) -> None:
    """The journal a Parquet --resume rebuilds goes again when the run is refused after it
    (here: no scheduler at the address), so the folder is as it was."""
    pytest.importorskip("distributed")
    src = random_jsonl(tmp_path / "in.jsonl", 2)
    out = tmp_path / "o.parquet"
    assert assetloc("batch", str(src), "--out", str(out)).returncode == 0
    before = out.read_bytes()
    env = {**ENV, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"}
    cmd = [sys.executable, "-m", "assetloc", "batch", str(src), "--out", str(out), "--resume"]
    cmd += ["--scheduler", "tcp://127.0.0.1:1"]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=120)
    assert run.returncode == 2 and "--scheduler" in run.stderr, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "o.parquet"]
    assert out.read_bytes() == before


#: a watcher: a worker's watch (pool._exit_with) on the lifeline read end given as argv[1]
WATCH = (
    "import sys; from multiprocessing.connection import Connection; "
    "from assetloc.batch import pool; "
    "pool._exit_with(Connection(int(sys.argv[1]), writable=False))"
)


@pytest.mark.parametrize("reaped", [True, False], ids=["reaped", "not reaped"])
def test_a_worker_ends_soon_after_the_process_holding_its_lifeline(reaped: bool) -> None:
    """The workers' watch (pool._exit_with) on a lifeline whose write end another process
    holds: the watcher lives while that process lives, and ends once it has ended, also
    when it was killed but not reaped by whoever started it (a zombie holds no file)."""
    read, write = os.pipe()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(300)"], pass_fds=[write]
    )
    os.close(write)
    watcher = subprocess.Popen([sys.executable, "-c", WATCH, str(read)], env=ENV, pass_fds=[read])
    os.close(read)
    try:
        time.sleep(1.0)
        assert watcher.poll() is None, "the watcher ended while the holder lives"
        holder.kill()
        if reaped:
            holder.wait()
        assert watcher.wait(timeout=30) == 1
    finally:
        holder.kill()
        watcher.kill()
        holder.wait()
        watcher.wait()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="forks; reads /proc (Linux)")
def test_a_child_forked_from_the_batch_does_not_keep_its_workers(tmp_path: Path) -> None:
    """A process that made its lifeline, then forked a child that lives on: once that
    process is killed its watcher ends, the child notwithstanding (the child closes its copy
    of the write end at the fork; with it, the watcher would wait for the child too)."""
    script = tmp_path / "batch.py"
    script.write_text(
        "import os, subprocess, sys, time\n"
        "from assetloc.batch import pool\n"
        "fd = pool.lifeline().fileno()\n"
        f"watcher = subprocess.Popen([sys.executable, '-c', {WATCH!r}, str(fd)], pass_fds=[fd])\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    time.sleep(300)\n"
        "    os._exit(0)\n"
        "print(watcher.pid, child, flush=True)\n"
        "time.sleep(300)\n"
    )
    batch = subprocess.Popen([sys.executable, str(script)], env=ENV, stdout=subprocess.PIPE)
    assert batch.stdout is not None
    watcher, child = map(int, batch.stdout.readline().split())
    try:
        time.sleep(1.0)
        assert _alive(watcher), "the watcher ended while the batch lives"
        batch.kill()
        batch.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _alive(watcher):
            time.sleep(0.05)
        assert not _alive(watcher) and _alive(child)
    finally:
        for pid in (watcher, child):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        batch.kill()


def test_after_a_death_the_chunks_not_started_go_on_in_a_fresh_pool(tmp_path: Path) -> None:
    """One death early in a run: the chunks that had started are retried alone, the rest
    run in a fresh pool of the same size, so a handful of processes do the whole batch
    (each retried chunk used to get a process of its own, one after the other)."""
    src = random_jsonl(tmp_path / "in.jsonl", 80)  # 27 chunks of 3 on 2 workers
    src.write_text(src.read_text().replace('"h0004"', '"die4"'))
    ref, out = tmp_path / "ref.jsonl", tmp_path / "out.jsonl"
    run_batch(src, ref, workers=2)
    summary = run_batch(src, out, workers=2, runner=batch_runners.dies_once_logging_pids)
    assert out.read_bytes() == ref.read_bytes() and summary.ok == 80
    pids = set((tmp_path / "pids").read_text().split())
    assert len(pids) <= 2 + 2 + 2, len(pids)  # first pool, the suspects alone, a fresh pool


def test_a_folder_with_a_pipe_two_names_for_one_id_or_a_linked_out(tmp_path: Path) -> None:
    """A named pipe called *.toml is no household (a worker would block on it for good);
    a.toml beside a.TOML is one id twice (refused, as in JSON Lines); an --out that is a
    link to a household file is refused before that file is touched."""
    text = (EXAMPLES / "three_accounts.toml").read_text()
    d = tmp_path / "book"
    d.mkdir()
    (d / "a.toml").write_text(text)
    os.mkfifo(d / "pipe.toml")
    out = tmp_path / "o.jsonl"
    run_batch(d, out, workers=1)
    assert [r["id"] for r in rows(out)] == ["a"]
    (d / "pipe.toml").unlink()
    (d / "a.TOML").write_text(text)
    twice = assetloc("batch", str(d), "--out", str(tmp_path / "t.jsonl"))
    assert twice.returncode == 2 and "id 'a' appears twice: a.TOML and a.toml" in twice.stderr
    (d / "a.TOML").unlink()
    link = tmp_path / "elsewhere" / "out.jsonl"
    link.parent.mkdir()
    link.symlink_to(d / "a.toml")
    run = assetloc("batch", str(d), "--out", str(link))
    assert run.returncode == 2 and "is the household file" in run.stderr, run.stderr
    assert (d / "a.toml").read_text() == text


def test_a_runner_wrapping_a_function_of_the_script_keeps_the_main_module(
    tmp_path: Path,
) -> None:
    """A functools.partial of a function defined in the script: its pickle names __main__,
    so the workers must load the script (behind its guard) to unpickle it."""
    src = random_jsonl(tmp_path / "in.jsonl", 6)
    script = tmp_path / "script.py"
    script.write_text(
        "import functools\n"
        "from assetloc.batch import run_batch\n"
        "from assetloc.batch.tasks import run_chunk\n"
        "def mine(items, task, tag):\n"
        "    return run_chunk(items, task)\n"
        "if __name__ == '__main__':\n"
        f"    s = run_batch({str(src)!r}, {str(tmp_path / 'out.jsonl')!r}, workers=2,\n"
        "                  runner=functools.partial(mine, tag='x'))\n"
        "    print(s.ok, sum(s.failed.values()))\n"
    )
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=ENV, cwd=tmp_path
    )
    assert run.returncode == 0 and run.stdout.split() == ["6", "0"], run.stderr


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("/dev/null", "/dev/null is not a regular file (a device, a pipe or a socket)"),
        ("{tmp}/missing/o.jsonl", "{tmp}/missing/o.jsonl cannot be written: no folder"),
        ("{tmp}/missing/o.parquet", "{tmp}/missing/o.parquet cannot be written: no folder"),
        ("{tmp}", "{tmp} is a directory: give a file"),
    ],
    ids=["device", "no folder", "no folder, Parquet", "a folder"],
)
def test_an_output_that_is_no_file_is_one_line_exit_2(
    tmp_path: Path, out: str, message: str
) -> None:
    """Refused before anything runs, naming the path given (a Parquet OUTPUT's journal,
    out.parquet.jsonl.partial, is the batch's own: never named); /dev/null was a
    traceback from fsync after the first chunk."""
    src = random_jsonl(tmp_path / "in.jsonl", 2)
    run = assetloc("batch", str(src), "--out", out.format(tmp=tmp_path))
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1, run.stderr
    assert run.stderr.startswith(f"error: --out: {message.format(tmp=tmp_path)}"), run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]
