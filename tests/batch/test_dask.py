"""``assetloc batch --scheduler``: a real Dask scheduler and two workers on loopback
(``dask scheduler``, ``dask worker`` subprocesses); output byte-equal to the local pool's,
``--resume``, dying workers, an unreachable scheduler, no Dask installed."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assetloc.batch import run_batch
from assetloc.batch.inputs import Item, read_items
from assetloc.batch.pool import DIED_TWICE, WORKER_DIED
from assetloc.batch.tasks import run_chunk

from support import batch_runners
from support.householdgen import random_household
from support.paths import EXAMPLES, ROOT

#: one cluster for the module: its tests stay on one pytest-xdist worker (make test: loadgroup)
pytestmark = pytest.mark.xdist_group("dask")

pytest.importorskip("distributed")

#: workers import assetloc (and the test runners in ``support``) from this checkout
PYTHONPATH = os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")])
ENV = {**os.environ, "PYTHONPATH": PYTHONPATH}
#: the scheduler: no re-run of a task whose worker died (so assetloc's one retry is the
#: only one), one task at a time per worker thread (a death hits only the chunk running)
SCHEDULER_ENV = {
    **ENV,
    "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0",
    "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0",
}
SAMPLE = ("three_accounts", "four_accounts", "retired_couple", "rebalance")
#: bad household files the CLI rejects, one per kind (as in test_batch_cli.py)
BAD = {
    "bad_toml": "x = \n",
    "bad_field": (EXAMPLES / "three_accounts.toml")
    .read_text()
    .replace("balance = 150000", "balance = -5", 1),
    "bad_type": '[investor]\nordinary_rate = "high"\n',
    "no_accounts": "[investor]\nordinary_rate = 0.2\ncapital_gains_rate = 0.15\n",
}


def dask_cli(*args: str, log: Path) -> subprocess.Popen[bytes]:
    """``dask ARGS`` started in the background, output to ``log``."""
    with log.open("wb") as f:
        return subprocess.Popen(
            [sys.executable, "-m", "dask", *args],
            env=SCHEDULER_ENV,
            stdout=f,
            stderr=subprocess.STDOUT,
            cwd=log.parent,
            start_new_session=True,  # its own process group: the nanny's worker goes with it
        )


def wait_for_cluster(scheduler_file: Path, workers: int) -> str:
    """The scheduler's address once ``workers`` workers have joined (a hang guard only)."""
    from distributed import Client

    deadline = time.monotonic() + 60
    while not scheduler_file.exists() or not scheduler_file.read_text().strip():
        assert time.monotonic() < deadline, "the scheduler did not start"
        time.sleep(0.05)
    address: str = json.loads(scheduler_file.read_text())["address"]
    with Client(address, timeout=30, set_as_default=False) as client:
        client.wait_for_workers(workers, timeout=60)
    return address


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scheduler and two one-thread workers (each under a nanny that restarts it), the
    first started as the README says (``--preload assetloc.batch.dask_worker``), the other
    plain: every equality test below runs on both kinds."""
    d = tmp_path_factory.mktemp("dask")
    sfile = d / "scheduler.json"
    procs = [
        dask_cli(
            "scheduler",
            *("--host", "127.0.0.1", "--port", "0", "--no-dashboard"),
            *("--scheduler-file", str(sfile)),
            log=d / "scheduler.log",
        )
    ]
    try:
        while not sfile.exists():
            assert procs[0].poll() is None, (d / "scheduler.log").read_text()
            time.sleep(0.05)
        for k in range(2):
            procs.append(
                dask_cli(
                    "worker",
                    *("--scheduler-file", str(sfile), "--host", "127.0.0.1"),
                    *("--nworkers", "1", "--nthreads", "1", "--no-dashboard"),
                    *("--local-directory", str(d / f"w{k}")),
                    *(("--preload", "assetloc.batch.dask_worker") if k == 0 else ()),
                    log=d / f"worker{k}.log",
                )
            )
        yield wait_for_cluster(sfile, 2)
    finally:  # SIGKILL: nothing to save, and a graceful close takes seconds
        for p in procs:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def assetloc(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``assetloc ARGS`` in a fresh interpreter (stdout, stderr, exit code)."""
    cmd = [sys.executable, "-m", "assetloc", *args]
    return subprocess.run(
        cmd, capture_output=True, text=True, env=env or ENV, check=False, timeout=300
    )


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


def mixed_jsonl(path: Path, n: int) -> Path:
    """``n`` random feasible households, a bad one every 7th (a negative balance, a
    household that is not an object), as JSON Lines."""
    lines = []
    for i in range(n):
        household: Any = random_household(i)
        if i % 7 == 3:
            household["accounts"][0]["balance"] = -5
        if i % 7 == 5:
            household = [1, 2]
        lines.append(json.dumps({"id": f"h{i:04d}", "household": household}) + "\n")
    path.write_text("".join(lines))
    return path


def test_cli_over_dask_equals_the_local_pool(scheduler: str, folder: Path, tmp_path: Path) -> None:
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    run_batch(folder, local, workers=1)
    run = assetloc("batch", str(folder), "--out", str(remote), "--scheduler", scheduler)
    assert run.returncode == 5 and run.stdout == "", run.stderr
    assert run.stderr.startswith("batch: ") and f"{len(BAD)} failed" in run.stderr
    assert remote.read_bytes() == local.read_bytes()
    assert {r["id"] for r in rows(remote) if r["status"] == "error"} == set(BAD)
    again = tmp_path / "again.jsonl"
    run_batch(folder, again, scheduler=scheduler, runner=batch_runners.text_only)
    assert again.read_bytes() == local.read_bytes()  # the files were sent as their text


def test_json_lines_over_dask_equals_the_local_pool(scheduler: str, tmp_path: Path) -> None:
    src = mixed_jsonl(tmp_path / "in.jsonl", 40)
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    run_batch(src, local, workers=2)
    summary = run_batch(src, remote, scheduler=scheduler)
    assert remote.read_bytes() == local.read_bytes()
    assert [r["id"] for r in rows(remote)] == [f"h{i:04d}" for i in range(40)]
    assert summary.failed[2] == sum(1 for i in range(40) if i % 7 in (3, 5))


def test_the_preload_settles_its_worker_and_only_it(scheduler: str) -> None:
    """``--preload assetloc.batch.dask_worker`` ran the local pool's worker start in that
    worker's process (the hot path loaded, the heap settled); the plain worker has not."""
    from distributed import Client

    with Client(scheduler, timeout=30, set_as_default=False) as client:
        settled = client.run(batch_runners.settled)
    assert sorted(settled.values()) == [False, True], settled


def test_workers_get_the_toml_text_not_the_path(scheduler: str, folder: Path) -> None:
    """Items whose file no worker can read, carrying its text: the same rows (and the same
    message naming the file for bad TOML) as the local run on the real files."""
    from distributed import Client

    real = read_items(folder)
    moved = [
        Item(i.id, i.path, text=Path(i.path).read_text(), raw=None, from_toml=True) for i in real
    ]
    for i in moved:
        Path(i.path).rename(i.path + ".away")
    try:
        with Client(scheduler, set_as_default=False) as client:
            got = client.submit(run_chunk, moved, "optimize", pure=False).result()
    finally:
        for i in moved:
            Path(i.path + ".away").rename(i.path)
    assert got == run_chunk(real, "optimize")
    bad_toml = json.loads(got[[i.id for i in real].index("bad_toml")])
    assert bad_toml["error"].startswith(f"{folder / 'bad_toml.toml'}: is not valid TOML")


def test_resume_over_dask(scheduler: str, tmp_path: Path) -> None:
    src = mixed_jsonl(tmp_path / "in.jsonl", 30)
    full, cut = tmp_path / "full.jsonl", tmp_path / "cut.jsonl"
    run_batch(src, full, workers=1)
    lines = full.read_bytes().splitlines(keepends=True)
    cut.write_bytes(b"".join(lines[:11]) + lines[11][:15])  # a killed run, a torn line
    run = assetloc("batch", str(src), "--out", str(cut), "--scheduler", scheduler, "--resume")
    assert run.returncode == 5 and "11 skipped" in run.stderr, run.stderr
    assert cut.read_bytes() == full.read_bytes()


def test_a_worker_that_dies_once_loses_no_rows(scheduler: str, tmp_path: Path) -> None:
    src = mixed_jsonl(tmp_path / "in.jsonl", 12)
    src.write_text(src.read_text().replace('"h0006"', '"die6"'))
    ref, out = tmp_path / "ref.jsonl", tmp_path / "out.jsonl"
    run_batch(src, ref, workers=1)
    summary = run_batch(src, out, scheduler=scheduler, runner=batch_runners.dies_once)
    assert (tmp_path / "died-once").exists()
    assert out.read_bytes() == ref.read_bytes() and summary.ok == 12 - 3


def test_a_worker_that_dies_twice_reports_its_chunk_as_errors(
    scheduler: str, tmp_path: Path
) -> None:
    src = mixed_jsonl(tmp_path / "in.jsonl", 40)
    src.write_text(src.read_text().replace('"h0006"', '"die6"'))
    ref, out = tmp_path / "ref.jsonl", tmp_path / "out.jsonl"
    run_batch(src, ref, workers=1)
    summary = run_batch(src, out, scheduler=scheduler, runner=batch_runners.dies_always)
    got, want = rows(out), rows(ref)
    assert [r["id"] for r in got] == [r["id"] for r in want]
    died = [r for r in got if r["error"] == DIED_TWICE]
    assert "die6" in {r["id"] for r in died} and 0 < len(died) < 10
    assert all(r["exit_code"] == WORKER_DIED and r["result"] is None for r in died)
    for r, w in zip(got, want, strict=True):
        assert r == w or r in died  # every household of another chunk is done
    assert summary.failed[WORKER_DIED] == len(died)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_an_unreachable_scheduler_is_one_line_exit_2(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("kept\n")
    address = f"tcp://127.0.0.1:{closed_port()}"
    env = {**ENV, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"}  # instead of 10 s
    run = assetloc("batch", str(folder), "--out", str(out), "--scheduler", address, env=env)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith(f"error: --scheduler: cannot reach a Dask scheduler at {address}")
    assert len(run.stderr.splitlines()) == 1 and out.read_text() == "kept\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scheduler", "127.0.0.1:8786"], "error: --scheduler: expected tcp://HOST:PORT"),
        (["--scheduler", "tcp://127.0.0.1"], "error: --scheduler: expected tcp://HOST:PORT"),
        (["--scheduler", "tcp://127.0.0.1:99999"], "error: --scheduler: port 99999 in"),
        (["--scheduler", "tcp://127.0.0.1:1", "--workers", "2"], "error: --workers: not with"),
    ],
)
def test_bad_scheduler_options_are_one_line_exit_2(
    folder: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    run = assetloc("batch", str(folder), "--out", str(tmp_path / "o.jsonl"), *args)
    assert run.returncode == 2 and run.stdout == "" and run.stderr.startswith(message)
    assert len(run.stderr.splitlines()) == 1, run.stderr


#: the CLI in a fresh interpreter where ``import distributed`` fails
WITHOUT_DASK = (
    "import sys; sys.modules['distributed'] = None; from assetloc.cli.app import main; main()"
)


def test_without_dask_the_local_pool_works_and_scheduler_names_the_extra(
    folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "o.jsonl"
    base = [sys.executable, "-c", WITHOUT_DASK, "batch", str(folder), "--out", str(out)]
    local = subprocess.run(base, capture_output=True, text=True, env=ENV, check=False)
    assert local.returncode == 5 and len(rows(out)) == len(SAMPLE) + len(BAD), local.stderr
    remote = subprocess.run(
        [*base, "--scheduler", "tcp://127.0.0.1:8786"],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    assert remote.returncode == 2 and len(remote.stderr.splitlines()) == 1
    assert "pip install 'assetloc[dask]'" in remote.stderr and "--scheduler" in remote.stderr


def test_parquet_output_over_dask_equals_the_local_pool(scheduler: str, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    src = mixed_jsonl(tmp_path / "in.jsonl", 20)
    local, remote = tmp_path / "local.parquet", tmp_path / "dask.parquet"
    run_batch(src, local, workers=1)
    run_batch(src, remote, scheduler=scheduler)
    assert pq.read_table(remote).equals(pq.read_table(local))
    assert pq.read_table(remote).num_rows == 20


@contextlib.contextmanager
def other_service(greeting: bytes | None) -> Iterator[str]:
    """A loopback TCP service that is no Dask scheduler: it sends ``greeting`` (an SSH-like
    banner) on every connection, or, for None, accepts and never answers (a dashboard's
    HTTP port waits for a request)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)
            if greeting is not None:
                with contextlib.suppress(OSError):
                    conn.sendall(greeting * 8)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        for c in held:
            c.close()
        server.close()


@pytest.mark.parametrize(
    ("greeting", "says"),
    [
        (b"SSH-2.0-OpenSSH_9.2p1 Debian\r\n", "the service there does not speak Dask's protocol"),
        (None, "no answer within 7 s: is it the scheduler's own port"),
    ],
)
def test_a_service_that_is_no_scheduler_is_one_line_exit_2(
    folder: Path, tmp_path: Path, greeting: bytes | None, says: str
) -> None:
    """A banner used to give a numpy MemoryError traceback; a silent port hung for good."""
    out = tmp_path / "out.jsonl"
    env = {**ENV, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}  # + 5 s of handshake
    with other_service(greeting) as address:
        began = time.monotonic()
        run = assetloc("batch", str(folder), "--out", str(out), "--scheduler", address, env=env)
        took = time.monotonic() - began
    assert run.returncode == 2 and run.stdout == "", run.stderr
    assert run.stderr.splitlines() == [
        f"error: --scheduler: cannot reach a Dask scheduler at {address} ({says}"
        + run.stderr.split(says, 1)[1].rstrip("\n")
    ]
    assert "Traceback" not in run.stderr and took < 60 and not out.exists()


def test_a_scheduler_with_no_worker_is_one_line_exit_2(folder: Path, tmp_path: Path) -> None:
    """It waited for good; now it waits the connect timeout for one worker, then says so."""
    sfile = tmp_path / "scheduler.json"
    proc = dask_cli(
        "scheduler",
        *("--host", "127.0.0.1", "--port", "0", "--no-dashboard"),
        *("--scheduler-file", str(sfile)),
        log=tmp_path / "scheduler.log",
    )
    try:
        deadline = time.monotonic() + 60
        while not sfile.exists() or not sfile.read_text().strip():
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        address = json.loads(sfile.read_text())["address"]
        env = {**ENV, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
        run = assetloc(
            "batch",
            str(folder),
            "--out",
            str(tmp_path / "o.jsonl"),
            "--scheduler",
            address,
            env=env,
        )
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines() == [
        f"error: --scheduler: the Dask scheduler at {address} has no worker (waited 2 s): "
        f"start one with `dask worker {address}`"
    ]


def test_a_failed_connect_leaves_no_thread_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    """From a notebook or a long-lived process: a port that accepts and never answers is
    given up on and closed, with no thread (the probe's, an event loop's) left running."""
    import dask.config

    from assetloc.batch.dask_pool import connect
    from assetloc.errors import InputError

    before = {t.ident for t in threading.enumerate()}
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), other_service(None) as a:
        for _ in range(2):
            with pytest.raises(InputError, match="no answer within 6 s"):
                with connect(a):
                    pass
    time.sleep(0.5)
    left = [t.name for t in threading.enumerate() if t.ident not in before]
    assert left == [], left


def test_a_lost_scheduler_stops_the_batch_and_resume_goes_on(tmp_path: Path) -> None:
    """The scheduler killed part way: one line naming --scheduler, exit 6, only ok rows in
    OUTPUT (its chunks used to read as workers that died twice: rows --resume never runs
    again); --resume (here on the local pool) then gives an uninterrupted run's file."""
    sfile = tmp_path / "scheduler.json"
    procs = [
        dask_cli(
            "scheduler",
            *("--host", "127.0.0.1", "--port", "0", "--no-dashboard"),
            *("--scheduler-file", str(sfile)),
            log=tmp_path / "scheduler.log",
        )
    ]
    src = tmp_path / "in.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": f"h{i:04d}", "household": random_household(i)}) + "\n"
            for i in range(3000)
        )
    )
    out, ref = tmp_path / "out.jsonl", tmp_path / "ref.jsonl"
    try:
        while not sfile.exists():
            assert procs[0].poll() is None, (tmp_path / "scheduler.log").read_text()
            time.sleep(0.05)
        procs.append(
            dask_cli(
                "worker",
                *("--scheduler-file", str(sfile), "--host", "127.0.0.1"),
                *("--nworkers", "1", "--nthreads", "1", "--no-dashboard"),
                *("--local-directory", str(tmp_path / "w")),
                log=tmp_path / "worker.log",
            )
        )
        address = wait_for_cluster(sfile, 1)
        cmd = [sys.executable, "-m", "assetloc", "batch", str(src), "--out", str(out)]
        batch = subprocess.Popen(
            [*cmd, "--scheduler", address], env=ENV, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 120  # a guard against a hang, not a timing check
        while time.monotonic() < deadline and batch.poll() is None:
            if out.exists() and out.read_bytes().count(b"\n") >= 64:
                break
            time.sleep(0.01)
        os.killpg(procs[0].pid, signal.SIGKILL)
        _, err = batch.communicate(timeout=120)
    finally:
        for p in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    lines = err.splitlines()
    assert batch.returncode == 6, err
    assert len(lines) == 1 and lines[0].startswith(
        f"error: --scheduler: lost the Dask scheduler at {address}; the rows written so far "
        "are kept ("
    ), err
    written = rows(out)
    assert 64 <= len(written) < 3000 and {r["status"] for r in written} == {"ok"}
    run_batch(src, out, workers=2, resume=True)
    run_batch(src, ref, workers=2)
    assert out.read_bytes() == ref.read_bytes()
