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
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, SOURCES
from tests.pipeline_home import Home, demo_home

PAGES = ("index.html", "customers.html", "voice.html", "support.html", "team.html", "quality.html")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return demo_home(tmp_path_factory)


def add_nps_file(home: Home, tag: str) -> str:
    """A new export with five responses: something new to load, build and publish."""
    rows = [
        f"KILL-{tag}-{i},,2026-10-2{i} 10:00:00,downtown,in_store,{5 + i},{tag} visit {i}"
        for i in range(5)
    ]
    path = home.landing / "nps_responses" / f"nps_responses_zz-{tag}.csv"
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
    new_file = story["files"][point] = add_nps_file(home, point)
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
