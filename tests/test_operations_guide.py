"""The commands of OPERATIONS.md, run as written on a published demo."""

import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.pipeline_home import Home

GUIDE = (ROOT / "OPERATIONS.md").read_text()
SH = re.findall(r"```sh\n(.*?)```", GUIDE, re.S)
SQL = re.findall(r"```sql\n(.*?)```", GUIDE, re.S)
UNITS = re.findall(r"```ini\n(.*?)```", GUIDE, re.S)


def block(containing: str) -> str:
    (found,) = [b for b in SH if containing in b]
    return found


def bash(script: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_the_ledger_query_answers_on_the_warehouse(published_home):
    (ledger,) = [q for q in SQL if "ingest_ledger" in q]
    rows = published_home.query(ledger)
    assert len(rows) == 20 and {r[1] for r in rows} <= {"loaded", "duplicate", "rejected"}


def test_backup_then_restore_then_refresh_loads_nothing_again(published_home, tmp_path):
    """Back up with the guide's command; restore into a new home holding the same landing files;
    the documented refresh command loads no file again and publishes the report."""
    backup = bash(block("backups/"), published_home.root, published_home.env)
    assert backup.returncode == 0, backup.stderr
    (copy,) = (published_home.root / "backups").glob("warehouse-*.duckdb")

    restored = Home(tmp_path / "restored")
    shutil.copytree(published_home.landing, restored.landing)
    restored.warehouse.parent.mkdir(parents=True)
    shutil.copyfile(copy, restored.warehouse)
    (salt,) = (published_home.root / "backups").glob("salt-*")
    shutil.copyfile(salt, restored.warehouse.parent / ".salt")
    os.symlink(ROOT / ".venv", restored.root / ".venv")  # the guide runs from the install folder
    (refresh,) = re.findall(r"^DAGSTER_HOME=.*dagster_project\.run$", GUIDE, re.M)
    before = restored.query("SELECT count(*), max(batch_id) FROM raw.ingest_ledger")
    proc = bash(refresh, restored.root, restored.env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert restored.query("SELECT count(*), max(batch_id) FROM raw.ingest_ledger") == before
    assert (restored.site / "index.html").exists() and restored.analytics.exists()
    assert restored.mart_fingerprints() == published_home.mart_fingerprints()


def exec_start(program: str) -> list[str]:
    (line,) = [m for u in UNITS for m in re.findall(r"^ExecStart=(.*)$", u, re.M) if program in m]
    argv = line.replace("/opt/empathy/", f"{ROOT}/").split()
    assert Path(argv[0]).exists(), argv[0]
    return argv


def start_service(argv: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def stop_service(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out


def test_the_two_service_units_start_the_daemon_and_serve_the_ui(tmp_path):
    """Each unit's ExecStart, run as written (on an empty home, so that the landing sensor
    finds nothing to refresh): the daemon keeps running; the webserver answers."""
    env = Home(tmp_path / "service").env
    daemon = start_service(exec_start("dagster-daemon"), env)
    web = start_service(exec_start("dagster-webserver"), env)
    argv = exec_start("dagster-webserver")
    port = argv[argv.index("-p") + 1]
    try:
        deadline, answer = time.monotonic() + 120, None
        while time.monotonic() < deadline and answer is None:
            time.sleep(2)
            assert web.poll() is None, stop_service(web)[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as r:
                    answer = r.read().decode()
            except OSError:
                continue
        assert answer and "dagster_webserver_version" in answer
        assert daemon.poll() is None, stop_service(daemon)[-3000:]
    finally:
        stop_service(web)
        log = stop_service(daemon)
    assert "SchedulerDaemon" in log and "SensorDaemon" in log, log[-3000:]


@pytest.mark.parametrize("setting", ["EMPATHY_SALT", "EMPATHY_WAREHOUSE", "EMPATHY_LANDING"])
def test_the_settings_the_guide_names_exist(setting):
    assert setting in (ROOT / "dagster_project" / "settings.py").read_text()
