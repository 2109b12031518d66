"""One refresh at a time, and a killed refresh leaves no stale lock."""

import os
import signal
import subprocess
import sys
import time

from dagster_project import refresh_lock
from tests.conftest import ROOT

HOLD = "import sys,time; from pathlib import Path; from dagster_project import refresh_lock as r; "


def held_elsewhere(warehouse) -> bool:
    """What another process sees."""
    probe = subprocess.run(
        [sys.executable, "-c", HOLD + f"print(r.is_running(Path({str(warehouse)!r})))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return probe.stdout.strip() == "True"


def test_the_lock_is_exclusive_and_names_its_holder(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    handle = refresh_lock.acquire(warehouse)
    try:
        assert held_elsewhere(warehouse)
        other = subprocess.run(
            [sys.executable, "-c", HOLD + f"r.acquire(Path({str(warehouse)!r}))"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert f"another refresh is running (process {os.getpid()}" in other.stderr
        # in its own process the lock is re-entrant (the refresh holds it from its first line,
        # and the run it executes in-process takes it again) and held until the last release
        again = refresh_lock.acquire(warehouse)
        assert again is handle
        refresh_lock.release(again)
        assert held_elsewhere(warehouse)
    finally:
        refresh_lock.release(handle)
    assert not refresh_lock.is_running(warehouse)


def test_a_killed_holder_leaves_the_lock_free(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HOLD + f"h = r.acquire(Path({str(warehouse)!r})); print('held', flush=True); "
            "time.sleep(600)",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    assert refresh_lock.is_running(warehouse)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    time.sleep(0.2)
    assert not refresh_lock.is_running(warehouse)


def test_a_second_refresh_is_refused_while_one_runs(tmp_path):
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    handle = refresh_lock.acquire(warehouse)
    try:
        env = {**os.environ, "EMPATHY_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path)}
        (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        proc = subprocess.run(
            [sys.executable, "-m", "dagster_project.run"],
            cwd=ROOT,
            env={k: v for k, v in env.items() if k != "EMPATHY_WAREHOUSE"},
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        refresh_lock.release(handle)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "another refresh is running" in proc.stderr.lower()
