"""An attacker's or a careless operator's landing folder, through the real pipeline: links out of
landing/ are not followed, the salt is in nothing published, the analyst copy holds no clear
personal data, published files are the service user's alone, and two refreshes started at any
moment give one refresh and one clean refusal."""

import hashlib
import os
import random
import re
import stat
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT
from tests.pipeline_home import copy_of

SECRET = "s3cr3t-marker-7d41"
E_MAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"
FOLLOW_UP_LISTS = {"rpt_customers_at_risk", "rpt_follow_up"}


@pytest.fixture(scope="module")
def attacked(published_home, tmp_path_factory):
    home = copy_of(published_home, tmp_path_factory.mktemp("attacked"))
    outside = tmp_path_factory.mktemp("outside")
    (outside / "creds.csv").write_text(f"api_key,password\nAKIA{SECRET},{SECRET}\n")
    (outside / "folder").mkdir()
    (outside / "folder" / "nps.csv").write_text(
        "response_id,customer_id,responded_at,store_id,touchpoint,score,comment\n"
        f"X1,,2026-10-01 10:00:00,downtown,in_store,9,{SECRET}\n"
    )
    os.symlink(outside / "creds.csv", home.landing / "x.csv")
    os.symlink("/etc/passwd", home.landing / "passwd.csv")
    os.symlink(outside / "folder", home.landing / "linked_folder")
    os.symlink(outside / "folder" / "nps.csv", home.landing / "nps_responses" / "zz.csv")
    os.mkfifo(home.landing / "nps_responses" / "pipe.csv")
    run = home.refresh()
    return home, run


def published_bytes(home) -> dict[str, bytes]:
    """Every file a refresh leaves for others to read or that logs it: the site (dbt docs
    included), the analyst copy, the run's output and Dagster's storage (event logs)."""
    files = [home.analytics, *home.root.glob("*.log")]
    files += [p for p in (home.root / ".site-builds").rglob("*") if p.is_file()]
    files += [p for p in (home.root / "dagster_home").rglob("*") if p.is_file()]
    return {str(p): p.read_bytes() for p in files}


def test_links_and_fifos_in_landing_are_refused_and_nothing_of_their_targets_is_kept(attacked):
    home, run = attacked
    refused = home.query(
        "SELECT file_name, status, rows_read, message FROM raw.ingest_ledger "
        "WHERE status = 'refused' ORDER BY 1"
    )
    assert [(f, s, n) for f, s, n, _ in refused] == [
        ("linked_folder", "refused", 0),
        ("nps_responses/pipe.csv", "refused", 0),
        ("nps_responses/zz.csv", "refused", 0),
        ("passwd.csv", "refused", 0),
        ("x.csv", "refused", 0),
    ]
    assert "not read: a symbolic link" in refused[0][3]
    passwd_line = open("/etc/passwd").readline().strip()
    for db in (home.warehouse, home.analytics):
        for schema, table, column in home.query(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR'",
            db,
        ):
            hits = home.query(
                f'SELECT count(*) FROM {schema}."{table}" WHERE contains("{column}", ?) '
                f'OR contains("{column}", ?)'.replace("?", "'{}'").format(SECRET, passwd_line),
                db,
            )
            assert hits == [(0,)], (db.name, table, column)
    for name, data in published_bytes(home).items():
        assert SECRET.encode() not in data and passwd_line.encode() not in data, name
    # the owner sees which entries were refused, by name
    assert "passwd.csv" in (home.site / "quality.html").read_text()


def test_the_salt_is_secret_and_in_nothing_published(attacked):
    home, _ = attacked
    salt_file = home.warehouse.parent / ".salt"
    salt = salt_file.read_text().strip()
    assert len(salt) == 64 and stat.S_IMODE(salt_file.stat().st_mode) == 0o600
    assert salt != "empathy-demo-salt-change-me"
    # the scan looks for the salt the keys were really made with
    ((customer_id,),) = home.query("SELECT min(customer_id) FROM raw.crm_customers")
    key = hashlib.sha256(f"{salt}|{customer_id}".encode()).hexdigest()[:20]
    assert home.query(
        f"SELECT count(*) FROM marts.dim_customers WHERE customer_key = '{key}'", home.analytics
    ) == [(1,)]
    found = [name for name, data in published_bytes(home).items() if salt.encode() in data]
    assert not found
    assert home.query(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'private'", home.analytics
    ) == [(0,)]


def test_the_analyst_copy_holds_no_clear_personal_data(attacked, contracts):
    home, _ = attacked
    personal = {(c.name, col) for c in contracts.values() for col in c.personal_columns}
    assert ("crm_customers", "email") in personal
    cols = home.query(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns "
        "WHERE data_type = 'VARCHAR'",
        home.analytics,
    )
    scanned = 0
    for schema, table, column in cols:
        if table in FOLLOW_UP_LISTS:
            continue  # the documented exception: the owner's call lists
        if schema == "raw" and ((table, column) in personal or column == "_raw_record"):
            assert home.query(f'SELECT count("{column}") FROM raw."{table}"', home.analytics) == [
                (0,)
            ], (table, column)
        (n,) = home.query(
            f'SELECT count(*) FROM {schema}."{table}" WHERE regexp_matches("{column}", \'{E_MAIL}\')',
            home.analytics,
        )[0]
        assert n == 0, (schema, table, column)
        scanned += 1
    assert scanned > 150
    # the run's logs and Dagster's event storage carry no row content either
    for name, data in published_bytes(home).items():
        if name.endswith(".log") or "dagster_home" in name:
            assert not re.search(E_MAIL.encode(), data), name
    # the writer's warehouse still has them (the scan can see), and so do the call lists
    assert home.query("SELECT count(email) > 0 FROM raw.crm_customers") == [(True,)]
    assert home.query("SELECT count(email) > 0 FROM marts.rpt_follow_up", home.analytics) == [
        (True,)
    ]


def test_published_files_are_the_service_user_s_alone(attacked):
    home, _ = attacked
    assert stat.S_IMODE(home.analytics.stat().st_mode) == 0o400
    assert stat.S_IMODE(home.warehouse.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.warehouse.parent.stat().st_mode) == 0o700
    live = home.site.resolve()
    for p in [live, *live.rglob("*")]:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))


def start_refresh(home) -> subprocess.Popen:
    """A whole refresh (--force: with nothing new a refresh would take a second)."""
    return subprocess.Popen(
        [sys.executable, "-m", "dagster_project.run", "--force"],
        env=home.env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_refreshes_started_at_any_moment_give_one_refresh_and_one_refusal(attacked):
    """Two refreshes started at the same instant (either may win the lock), then more started
    at random moments of the winner's refresh (while it imports, while it loads, while dbt
    builds): exactly one refreshes, every other one is refused cleanly. One whole refresh
    carries every moment (each would otherwise cost a refresh of its own)."""
    home, _ = attacked
    rng = random.Random(16)
    started = time.monotonic()
    procs = [start_refresh(home), start_refresh(home)]
    for at in (rng.uniform(0.5, 3.0), rng.uniform(3.0, 8.0), rng.uniform(15.0, 30.0)):
        time.sleep(max(0.0, started + at - time.monotonic()))
        procs.append(start_refresh(home))
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=900)
        outcomes.append((proc.returncode, out, err))
    codes = [code for code, _, _ in outcomes]
    assert sorted(codes) == [0, 2, 2, 2, 2], [(c, e[-1500:]) for c, _, e in outcomes]
    # the winner was still refreshing when the last one started (it was refused, not queued)
    winner = codes.index(0)
    assert "Owner's report:" in outcomes[winner][1]
    for code, _, refusal in outcomes:
        if code == 2:
            assert re.search(
                r"Refresh not started: another refresh is running \(process \d+", refusal
            )
            assert "Traceback" not in refusal
