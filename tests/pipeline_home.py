"""A project home in a temporary folder, refreshed through Dagster as `make run` does."""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.conftest import ROOT


class Home:
    def __init__(self, root: Path):
        self.root = root
        self.landing = root / "landing"
        self.warehouse = root / "warehouse" / "warehouse.duckdb"
        self.analytics = root / "warehouse" / "analytics.duckdb"
        self.site = root / "site"
        (root / "dagster_home").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "dagster_home/dagster.yaml", root / "dagster_home/dagster.yaml")
        self.env = {
            **os.environ,
            "EMPATHY_HOME": str(root),
            "EMPATHY_DEMO_CUSTOMERS": "300",
            "DAGSTER_HOME": str(root / "dagster_home"),
            "EMPATHY_WAREHOUSE": "",
            "EMPATHY_SITE": "",
            "EMPATHY_LANDING": "",
            "EMPATHY_ANALYTICS": "",
            "EMPATHY_SALT": "",  # each home generates its own secret salt (warehouse/.salt)
        }

    def run(self, module: str, *args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [sys.executable, "-m", module, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        (self.root / f"{module.rsplit('.', 1)[-1]}.log").write_text(proc.stdout + proc.stderr)
        return proc

    def refresh(self, expect: int = 0, force: bool = False) -> subprocess.CompletedProcess:
        proc = self.run("dagster_project.run", *(["--force"] if force else []))
        assert proc.returncode == expect, proc.stdout[-4000:] + proc.stderr[-4000:]
        return proc

    def query(self, sql: str, db: Path | None = None) -> list[tuple]:
        con = duckdb.connect(str(db or self.warehouse), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def mart_fingerprints(self) -> dict[str, str]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            tables = [
                t
                for (t,) in con.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' "
                    "ORDER BY 1"
                ).fetchall()
            ]
            out = {}
            for t in tables:
                rows = con.execute(f"SELECT * FROM marts.{t} ORDER BY ALL").fetchall()
                out[t] = hashlib.sha256(repr(rows).encode()).hexdigest()
            return out
        finally:
            con.close()


def demo_home(root: Path) -> Home:
    """Generate a small demo business in ``root`` and refresh it once."""
    h = Home(root)
    gen = h.run("dagster_project.demo.generator")
    assert gen.returncode == 0, gen.stderr
    first = h.refresh()
    assert "Owner's report:" in first.stdout and str(h.site / "index.html") in first.stdout
    assert str(h.analytics) in first.stdout
    return h


# Lineage and run bookkeeping differ between two warehouses that loaded the same files in a
# different number of refreshes (batch numbers, model-run ids, load times); everything else in
# the marts must be identical.
BOOKKEEPING_MARTS = {"fct_ingested_files", "kpi_data_quality"}
BOOKKEEPING_COLUMNS = {
    "batch_id",
    "lines_batch_id",
    "transaction_batch_id",
    "bgnbd_run_id",
    "gamma_gamma_run_id",
    "latest_file_loaded_at",  # when a file arrived (kpi_source_freshness)
    "fitted_at",  # when the churn model ran (kpi_churn_model_evaluation)
}


def mart_contents(home: Home, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """A digest of each mart's rows (bookkeeping marts and columns, and ``skip``, left out)."""
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        cols: dict[str, list[str]] = {}
        for table, column in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'marts' ORDER BY table_name, ordinal_position"
        ).fetchall():
            if table not in {*BOOKKEEPING_MARTS, *skip} and column not in BOOKKEEPING_COLUMNS:
                cols.setdefault(table, []).append(f'"{column}"')
        return {
            t: hashlib.sha256(
                repr(
                    con.execute(f"SELECT {', '.join(c)} FROM marts.{t} ORDER BY ALL").fetchall()
                ).encode()
            ).hexdigest()
            for t, c in cols.items()
        }
    finally:
        con.close()


def share_salt(source: Home, target: Home) -> None:
    """Give ``target`` the secret salt of ``source``: warehouses whose hashed keys are compared
    must be made with the same salt (each home otherwise generates its own)."""
    target.warehouse.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source.warehouse.parent / ".salt", target.warehouse.parent / ".salt")


def copy_of(published: Home, root: Path) -> Home:
    """A new home holding a published home's landing files, warehouse and dbt docs page."""
    home = Home(root)
    shutil.copytree(published.landing, home.landing)
    home.warehouse.parent.mkdir(parents=True)
    shutil.copyfile(published.warehouse, home.warehouse)
    share_salt(published, home)
    shutil.copytree(published.warehouse.parent / ".dbt-docs", home.warehouse.parent / ".dbt-docs")
    return home


def published_copy(published: Home, root: Path) -> Home:
    """A copy of a whole published home, as it stands after its refresh: landing files,
    warehouse, analyst copy, site builds, the refresh state and the Dagster instance. For tests
    that go on from one published refresh without paying for another."""
    shutil.copytree(published.root, root, symlinks=True, ignore=shutil.ignore_patterns("*.log"))
    home = Home(root)
    home.env.update(
        {k: v for k, v in published.env.items() if k not in ("EMPATHY_HOME", "DAGSTER_HOME")}
    )
    return home


def vendor_and_canonical_homes(published: Home, root: Path) -> tuple[Home, Home, object]:
    """Two copies of the published demo refreshed once more: one with a file of every vendor
    export format dropped into landing/ as exported, one with the same facts as canonical
    files. Returns (vendor home, canonical home, the vendor refresh)."""
    fixtures = ROOT / "tests" / "fixtures" / "vendors"
    vendor = copy_of(published, root / "vendor")
    # the canonical fixtures give the vendors' times in UTC: both homes keep UTC as local time
    # (the demo's business profile says Europe/London)
    vendor.env["EMPATHY_TIMEZONE"] = "UTC"
    for f in (fixtures / "landing").iterdir():
        shutil.copyfile(f, vendor.landing / f.name)
    canonical = copy_of(published, root / "canonical")
    canonical.env["EMPATHY_TIMEZONE"] = "UTC"
    for f in (fixtures / "canonical").glob("*/*.csv"):
        shutil.copyfile(f, canonical.landing / f.parent.name / "vendor_equivalent.csv")
    vendor_run = vendor.refresh()
    canonical.refresh()
    return vendor, canonical, vendor_run
