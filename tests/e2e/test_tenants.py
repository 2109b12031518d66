"""Many businesses on one deployment: three tenants refresh at once through the Dagster daemon
(PostgreSQL storage, queued run coordinator, two runs at a time, one per tenant) and none of
them holds a row, a key or a figure of another; a fourth tenant whose warehouse is corrupt fails
alone."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from dagster_project import local_postgres
from tests.conftest import ROOT

SEEDS = {"east": 13, "north": 7, "south": 11}  # three businesses from different demo seeds
# its warehouse file is not a database: its refresh fails. Its name sorts first, so the queue
# starts it beside the first tenant and the third good one waits for a free slot
BROKEN = "broken"
NAMES = {t: f"{t.title()} Street Bakery" for t in [*SEEDS, BROKEN]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    # PostgreSQL's own user must reach the cluster's folder: not under pytest's private tmp
    root = Path(tempfile.mkdtemp(prefix="empathy-pg-"))
    root.chmod(0o711)
    try:
        yield local_postgres.start(root / "cluster", _free_port())
    finally:
        local_postgres.stop(root / "cluster")
        shutil.rmtree(root, ignore_errors=True)


def _base_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("EMPATHY_") and k not in ("DAGSTER_HOME",)
    }
    return {**env, "EMPATHY_DEMO_CUSTOMERS": "300", **extra}


def _make_tenants(tenants: Path) -> dict[str, Path]:
    """Three demo businesses (generated at once) and the broken one; returns the three."""
    homes = {}
    for name in [*SEEDS, BROKEN]:
        home = homes[name] = tenants / name
        home.mkdir(parents=True)
        profile = yaml.safe_load((ROOT / "config" / "business.yaml").read_text())
        profile["name"] = NAMES[name]
        (home / "business.yaml").write_text(yaml.safe_dump(profile, sort_keys=False))
    generators = [
        subprocess.Popen(
            [sys.executable, "-m", "dagster_project.demo.generator"],
            env=_base_env(EMPATHY_HOME=str(homes[name]), EMPATHY_DEMO_SEED=str(seed)),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, seed in SEEDS.items()
    ]
    for gen in generators:
        _, err = gen.communicate(timeout=300)
        assert gen.returncode == 0, err
    shutil.copytree(homes["north"] / "landing", homes[BROKEN] / "landing")
    (homes[BROKEN] / "warehouse").mkdir()
    (homes[BROKEN] / "warehouse" / "warehouse.duckdb").write_bytes(b"not a database\n" * 100)
    return {name: homes[name] for name in SEEDS}


def _file_hashes(folder: Path) -> set[str]:
    return {
        hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


def _query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _wait_for_runs(instance: dg.DagsterInstance, n: int, daemon, log: Path, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records = instance.get_run_records()
        done = [r for r in records if r.dagster_run.is_finished]
        if len(records) >= n and len(done) == len(records):
            return records
        assert daemon.poll() is None, log.read_text()[-4000:]
        time.sleep(3)
    raise AssertionError(
        f"runs not finished after {timeout} s: "
        + ", ".join(
            f"{r.dagster_run.tags.get('dagster/partition')}={r.dagster_run.status}"
            for r in instance.get_run_records()
        )
        + "\n"
        + log.read_text()[-4000:]
    )


def test_three_tenants_refresh_at_once_and_none_sees_another(
    tmp_path, postgres_url, monkeypatch, output_dir
):
    tenants = tmp_path / "tenants"
    homes = _make_tenants(tenants)
    (tenants / "Not A Tenant").mkdir()  # ignored: not a tenant's name
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    shutil.copyfile(ROOT / "deploy/tenants/dagster.yaml", dagster_home / "dagster.yaml")
    # the deployment's own business folder: no tenant's run may read or write it (a step that
    # used the deployment's warehouse instead of its tenant's would fail here, nothing exists)
    deployment = tmp_path / "deployment"
    deployment.mkdir()
    env = _base_env(
        DAGSTER_HOME=str(dagster_home),
        EMPATHY_HOME=str(deployment),
        EMPATHY_TENANTS_DIR=str(tenants),
        # the landing sensor alone starts the runs: the daily schedule (a tick a minute with
        # tenants) is set to a time that does not come during the test
        EMPATHY_SCHEDULE_CRON="0 3 29 2 *",
        EMPATHY_PG_URL=postgres_url,
    )
    log = tmp_path / "daemon.log"
    # the daemon runs the sensors (the landing sensor asks for one refresh per tenant) and the
    # run queue; each run is a process of its own, launched by Dagster's default run launcher
    with log.open("w") as out:
        daemon = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "dagster-daemon"),
                "run",
                "-m",
                "dagster_project.definitions",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        monkeypatch.setenv("EMPATHY_PG_URL", postgres_url)
        instance = dg.DagsterInstance.from_config(str(dagster_home))
        records = _wait_for_runs(instance, 4, daemon, log, timeout=1200)
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)
    assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    # what docs/scaling.md extrapolates from: each run's time and its events in run storage
    (output_dir / "tenants.json").write_text(
        json.dumps(
            {
                r.dagster_run.tags["dagster/partition"]: {
                    "status": r.dagster_run.status.value,
                    "start": r.start_time,
                    "seconds": round(r.end_time - r.start_time, 1),
                    "events": len(
                        instance.get_records_for_run(r.dagster_run.run_id, limit=100_000).records
                    ),
                }
                for r in records
            },
            indent=1,
        )
    )
    runs = {r.dagster_run.tags["dagster/partition"]: r for r in records}
    assert sorted(runs) == sorted([*SEEDS, BROKEN]) and len(records) == 4
    status = {t: r.dagster_run.status for t, r in runs.items()}
    # the corrupt tenant failed; the other three published
    assert status == {
        **dict.fromkeys(SEEDS, dg.DagsterRunStatus.SUCCESS),
        BROKEN: dg.DagsterRunStatus.FAILURE,
    }, log.read_text()[-3000:]

    # the queue ran two at a time: some runs overlapped, never three at once
    spans = sorted((r.start_time, r.end_time) for r in records)
    overlaps = [
        (a, b) for i, a in enumerate(spans) for b in spans[i + 1 :] if b[0] < a[1] and a[0] < b[1]
    ]
    assert overlaps, spans
    for start, _ in spans:
        assert sum(s <= start < e for s, e in spans) <= 2, spans

    keys, salts = {}, {}
    for name, home in homes.items():
        warehouse = home / "warehouse" / "warehouse.duckdb"
        analytics = home / "warehouse" / "analytics.duckdb"
        salts[name] = (home / "warehouse" / ".salt").read_text()
        # every file the warehouse loaded is one of this tenant's landing files, and all of them
        loaded = {h for (h,) in _query(warehouse, "SELECT content_hash FROM raw.ingest_ledger")}
        assert loaded == _file_hashes(home / "landing"), name
        # the analyst copy and the warehouse hold the same customers; no other tenant's
        query = "SELECT customer_key FROM marts.dim_customers"
        keys[name] = {k for (k,) in _query(warehouse, query)}
        assert {k for (k,) in _query(analytics, query)} == keys[name]
        assert len(keys[name]) > 100
        # figures: the analyst copy's revenue is the sum of the sales this tenant's own files
        # loaded (payments less refunds)
        mart = _query(analytics, "SELECT sum(net_revenue) FROM marts.kpi_company_monthly")
        raw = _query(warehouse, "SELECT sum(net_sales) FROM raw.pos_transactions")
        assert mart == raw and mart[0][0] > 0, name
        page = (home / "site" / "index.html").read_text()
        assert NAMES[name] in page
        assert not [n for t, n in NAMES.items() if t != name and n in page]
    names = sorted(homes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not keys[a] & keys[b], (a, b)
            assert salts[a] != salts[b]
    revenues = {
        name: _query(
            home / "warehouse" / "analytics.duckdb",
            "SELECT sum(net_revenue) FROM marts.kpi_company_monthly",
        )[0][0]
        for name, home in homes.items()
    }
    assert len(set(revenues.values())) == 3, revenues  # three businesses, three sets of figures
    # the sensor recorded each tenant's landing folders as that tenant's partitions: the last
    # observation of each folder is of the files that tenant's warehouse loaded
    from dagster_project.contracts import load_contracts
    from dagster_project.ingest.landing_assets import VERSION_KEY, landing_key, landing_states

    contracts = load_contracts(ROOT / "data_contracts")
    for name, home in homes.items():
        states = landing_states(home / "landing", contracts, ROOT / "data_contracts")
        for folder, state in states.items():
            where = dg.AssetRecordsFilter(landing_key(folder), asset_partitions=[name])
            (record,) = instance.fetch_observations(where, limit=1).records
            seen = record.asset_observation.metadata
            assert seen[VERSION_KEY].value == state.version, (name, folder)
            assert seen["files"].value == state.files, (name, folder)
    # the broken tenant published nothing, and the ignored folder got no run
    assert not (tenants / BROKEN / "site").exists()
    assert not list(deployment.iterdir()), list(deployment.rglob("*"))
    assert "ignored 'Not A Tenant'" in log.read_text()
