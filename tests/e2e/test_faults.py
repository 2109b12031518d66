"""Faults: a refresh killed (SIGKILL, its whole process group, dbt included) while loading a
file, while dbt builds, while the report is written and while publishing; and an analyst
reading the published copy during a refresh.

One demo home goes through the points in order. Each killed refresh stops at a pause point
(dagster_project/faults.py) and is killed from here; the published site and analyst copy must
then be the complete previous version or the complete new one, and the warehouse must hold
every row once. The next refresh recovers: no file is lost or loaded twice, and every landing
row is in a raw or a rejected table as the ledger says.
"""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from reports.pages import PAGES as REPORT_PAGES
from tests.conftest import ROOT, SOURCES
from tests.pipeline_home import Home, mart_contents, published_copy, share_salt

PAGES = tuple(p.file for p in REPORT_PAGES)


@pytest.fixture(scope="module")
def home(published_home, tmp_path_factory):
    return published_copy(published_home, tmp_path_factory.mktemp("copy") / "home")


DAYS = {"ingest": 1, "dbt": 2, "report": 3, "publish": 4}  # the day of November each brings


def add_day_files(home: Home, tag: str) -> str:
    """One more day of exports, as a daily refresh receives them: POS payments (a known
    customer and a walk-in) with their item lines, a corrected item line of a transaction loaded
    long ago (it touches an old row of the incremental fact), and five NPS responses. Returns
    the NPS file's ledger name."""
    day = f"2026-11-0{DAYS[tag]}"
    tx_header = (
        "transaction_id,transaction_at,store_id,customer_id,event_type,payment_method,"
        "gross_sales,discounts,net_sales,tax,refund_of_transaction_id,staff_id"
    )
    tx = [
        f"KT-{tag}-1,{day} 09:00:00,downtown,C000001,payment,card,5.30,0.00,5.30,1.06,,",
        f"KT-{tag}-2,{day} 10:30:00,riverside,,payment,cash,2.40,0.00,2.40,0.48,,",
    ]
    first_lines = sorted((home.landing / "pos_line_items").glob("*.csv"))[0]
    header, old_line = first_lines.read_text().splitlines()[:2]
    fields = old_line.split(",")
    fields[5] = f"{1 + DAYS[tag]}.00"  # a corrected quantity for an old transaction
    lines = [
        f"KT-{tag}-1-1,KT-{tag}-1,PA01,Croissant,pastry,1.00,2.40,0.00,2.40,0.72",
        f"KT-{tag}-1-2,KT-{tag}-1,CA02,Brownie,cake,1.00,2.90,0.00,2.90,1.01",
        f"KT-{tag}-2-1,KT-{tag}-2,PA01,Croissant,pastry,1.00,2.40,0.00,2.40,0.72",
        ",".join(fields),
    ]
    (home.landing / "pos_transactions" / f"pos_transactions_{day}.csv").write_text(
        "\n".join([tx_header, *tx]) + "\n"
    )
    (home.landing / "pos_line_items" / f"pos_line_items_{day}.csv").write_text(
        "\n".join([header, *lines]) + "\n"
    )
    rows = [
        f"KILL-{tag}-{i},,{day} 1{i}:00:00,downtown,in_store,{5 + i},{tag} visit {i}"
        for i in range(5)
    ]
    path = home.landing / "nps_responses" / f"nps_responses_{day}.csv"
    path.write_text(
        "response_id,customer_id,responded_at,store_id,touchpoint,score,comment\n"
        + "\n".join(rows)
        + "\n"
    )
    return f"nps_responses/{path.name}"


def group_commands(pgid: int) -> list[str]:
    """Command lines of the live processes in a process group (from /proc; zombies, dead but
    not yet reaped by their new parent, do not count)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                out.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue
    return out


def kill_at(home: Home, point: str, tmp_path: Path) -> list[str]:
    """Start a refresh that pauses at ``point``, SIGKILL its process group there; return the
    command lines that were running when it was killed."""
    marker = tmp_path / f"paused-{point}"
    env = {**home.env, "EMPATHY_PAUSE_AT": point, "EMPATHY_PAUSE_FILE": str(marker)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dagster_project.run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: dbt and any other child die with it
    )
    try:
        deadline = time.monotonic() + 600
        while not marker.exists():
            assert proc.poll() is None, proc.stdout.read().decode()[-4000:]
            assert time.monotonic() < deadline, f"never reached {point}"
            time.sleep(0.2)
        running = group_commands(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.5)
    assert not group_commands(proc.pid)  # nothing of the refresh survives
    return running


def published(home: Home) -> tuple[str, str]:
    """The published pair (site build, analyst-copy hash), after checking each is complete."""
    build = os.readlink(home.site)
    for page in PAGES:
        html = (home.site / page).read_text()
        assert html.rstrip().endswith("</html>"), page
    con = duckdb.connect(str(home.analytics), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM marts.kpi_company_monthly").fetchall()[0][0] > 0
    finally:
        con.close()
    return build, hashlib.sha256(home.analytics.read_bytes()).hexdigest()


def assert_every_row_once(home: Home) -> None:
    """The ledger and the raw tables agree batch by batch; no row is in raw twice; no file is
    in the ledger twice."""
    ledger = home.query(
        "SELECT batch_id, source, file_name, rows_read, rows_loaded, rows_rejected "
        "FROM raw.ingest_ledger"
    )
    names = [f for _, _, f, *_ in ledger]
    assert len(names) == len(set(names))
    for source in SOURCES:
        loaded = dict(home.query(f"SELECT _batch_id, count(*) FROM raw.{source} GROUP BY 1"))
        rejected = dict(
            home.query(f"SELECT _batch_id, count(*) FROM raw.{source}__rejected GROUP BY 1")
        )
        batches = {b: (lo, rj) for b, s, _, _, lo, rj in ledger if s == source}
        assert set(loaded) <= set(batches) and set(rejected) <= set(batches), source
        for batch, (lo, rj) in batches.items():
            assert (loaded.get(batch, 0), rejected.get(batch, 0)) == (lo, rj), (source, batch)
        assert home.query(
            f"SELECT count(*) FROM (SELECT _source_file, _row_number FROM raw.{source} "
            "GROUP BY ALL HAVING count(*) > 1)"
        ) == [(0,)]
    assert all(rd == lo + rj for *_, rd, lo, rj in ledger)


POINTS = ["ingest", "dbt", "report", "publish"]


@pytest.fixture(scope="module")
def story(home):
    """What the tests of this module share, in order: the publication before the first kill and
    the export each kill was given."""
    return {"first": published(home), "files": {}}


@pytest.mark.parametrize("point", POINTS)
def test_a_refresh_killed_at_each_point_leaves_a_complete_publication(home, story, point, tmp_path):
    """Each killed refresh is also the recovery of the one killed before it: it loads what that
    one did not commit, and then dies at its own point."""
    before = published(home)
    new_file = story["files"][point] = add_day_files(home, point)
    running = kill_at(home, point, tmp_path)
    if point == "dbt":
        assert any("dbt" in cmd for cmd in running), running  # killed with dbt mid-build
    after_kill = published(home)
    if point == "publish":  # killed between the analyst copy and the site
        assert after_kill[0] == before[0] and after_kill[1] != before[1]
    else:
        assert after_kill == before == story["first"]
    assert_every_row_once(home)
    status = dict(home.query("SELECT file_name, status FROM raw.ingest_ledger"))
    # the load killed mid-transaction left nothing; each later run loaded every pending file
    assert new_file not in status if point == "ingest" else status[new_file] == "loaded"
    for earlier in POINTS[: POINTS.index(point)]:
        assert status[story["files"][earlier]] == "loaded"


def test_the_next_refresh_recovers_while_an_analyst_reads_the_published_copy(home, story):
    """The refresh after the last kill completes with an analyst connected to the analyst copy
    (neither blocks nor breaks it); every file is loaded once, every row accounted for, the
    killed runs are closed, the leftovers removed, and a new complete version is published."""
    before = published(home)
    reader = duckdb.connect(str(home.analytics), read_only=True)
    try:
        seen = reader.execute("SELECT count(*) FROM raw.ingest_ledger").fetchall()
        proc = home.refresh()
        # the reader still sees its consistent (previous) version
        assert reader.execute("SELECT count(*) FROM raw.ingest_ledger").fetchall() == seen
    finally:
        reader.close()
    assert "marked failed" in proc.stderr  # the last killed run is closed in the run history
    assert_every_row_once(home)
    for point, new_file in story["files"].items():
        assert home.query(
            f"SELECT status, rows_loaded FROM raw.ingest_ledger WHERE file_name = '{new_file}'"
        ) == [("loaded", 5)]
        assert home.query(
            f"SELECT count(*) FROM staging.stg_nps__responses WHERE response_id LIKE 'KILL-{point}-%'"
        ) == [(5,)]
    assert home.query(
        "SELECT count(*) FROM staging.stg_nps__responses WHERE response_id LIKE 'KILL-%'",
        home.analytics,
    ) == [(20,)]
    after = published(home)
    assert after[0] != before[0] and after[1] != before[1]
    assert not list(home.analytics.parent.glob(".*.tmp"))  # no temporary copy left behind
    assert not list((home.root / ".site-builds").glob(".*.partial"))
    assert len(list((home.root / ".site-builds").iterdir())) <= 2  # older builds pruned


def test_the_daily_refreshes_built_the_same_marts_as_one_full_refresh(home, tmp_path):
    """The home above was refreshed day by day (its incremental models only read new batches,
    killed runs included); a new warehouse loading the same files in one refresh must hold
    identical marts."""
    # the old item line corrected every day (last to 5 units) reached the incremental fact
    first_lines = sorted((home.landing / "pos_line_items").glob("*.csv"))[0]
    line_id, tx_id = first_lines.read_text().splitlines()[1].split(",")[:2]
    assert home.query(
        f"SELECT quantity FROM staging.stg_pos__line_items WHERE line_item_id = '{line_id}'"
    ) == [(5,)]
    assert home.query(
        f"SELECT item_units FROM marts.fct_pos_transactions WHERE transaction_id = '{tx_id}'"
    ) == home.query(
        f"SELECT sum(quantity) FROM staging.stg_pos__line_items WHERE transaction_id = '{tx_id}'"
    )
    full = Home(tmp_path / "full")
    shutil.copytree(home.landing, full.landing)
    share_salt(home, full)  # the same keys, or no mart could be equal
    full.refresh()
    incremental, rebuilt = mart_contents(home), mart_contents(full)
    assert len(rebuilt) >= 30
    assert incremental == rebuilt, [t for t in rebuilt if incremental.get(t) != rebuilt[t]]
