"""Publish a refresh atomically: the owner and the analyst see the previous complete build or
the new complete one, never a mix or a half-written file.

1. The warehouse (closed, checkpointed) is copied, in a storage format older DuckDB clients
   read, to a temporary file beside the analyst copy.
2. The site is built from that copy into a new folder under ``.site-builds/``.
3. ``os.replace`` swaps the analyst copy in, then a new ``site`` symlink replaces the old one
   (``rename(2)`` is atomic on POSIX). Older builds are pruned, the live one never.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.faults import pause_point
from reports.build import SiteSummary, build_site


@dataclass
class Published:
    analytics: Path
    site: Path
    build_dir: Path
    summary: SiteSummary


def checkpoint(warehouse: Path) -> None:
    """Fold the write-ahead log into the file so that a file copy is complete."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = warehouse.with_name(warehouse.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise RuntimeError(f"{wal} still has content after CHECKPOINT; is another process writing?")


def write_analyst_copy(warehouse: Path, target: Path, storage_version: str) -> None:
    """Copy every schema, table and view into a new file in an older storage format, so DuckDB
    clients of the last year (1.1 and later for 'v1.1.0') can open the analyst copy."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{warehouse}' AS source_db (READ_ONLY)")
        con.execute(f"ATTACH '{target}' AS analyst_db (STORAGE_VERSION '{storage_version}')")
        con.execute("COPY FROM DATABASE source_db TO analyst_db")
    finally:
        con.close()


def swap_symlink(link: Path, target: Path) -> None:
    """Point ``link`` at ``target`` atomically (a real folder at ``link`` is moved aside once)."""
    if link.exists() and not link.is_symlink():
        link.rename(link.with_name(f"{link.name}.pre-publish-{uuid.uuid4().hex[:6]}"))
    tmp = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}.link")
    os.symlink(os.path.relpath(target, link.parent), tmp)
    os.replace(tmp, link)


def prune_builds(builds: Path, live: Path, keep: int) -> None:
    done = sorted(
        (p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )
    for old in done[:-keep] if keep > 0 else done:
        if old.resolve() != live.resolve():
            shutil.rmtree(old, ignore_errors=True)
    for partial in builds.glob(".*.partial"):
        shutil.rmtree(partial, ignore_errors=True)


def publish(
    warehouse: Path,
    analytics: Path,
    site: Path,
    builds: Path,
    keep: int = 2,
    currency: str = "£",
    docs_html: Path | None = None,
    storage_version: str = "v1.1.0",
) -> Published:
    build_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    analytics.parent.mkdir(parents=True, exist_ok=True)
    builds.mkdir(parents=True, exist_ok=True)
    checkpoint(warehouse)
    for stale in analytics.parent.glob(f".{analytics.name}.*.tmp"):  # left by a killed refresh
        stale.unlink(missing_ok=True)
    tmp_db = analytics.with_name(f".{analytics.name}.{build_id}.tmp")
    partial = builds / f".{build_id}.partial"
    try:
        write_analyst_copy(warehouse, tmp_db, storage_version)
        summary = build_site(tmp_db, partial, currency=currency, published_name=analytics.name)
        if docs_html is not None:  # the dbt docs: data dictionary and lineage, under docs/
            (partial / "docs").mkdir()
            shutil.copyfile(docs_html, partial / "docs" / "index.html")
        final = builds / build_id
        partial.rename(final)
        tmp_db.chmod(0o444)
        os.replace(tmp_db, analytics)
        pause_point("publish")  # new analyst copy, previous site (crash tests only)
        swap_symlink(site, final)
    finally:
        tmp_db.unlink(missing_ok=True)
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    prune_builds(builds, final, keep)
    return Published(analytics=analytics, site=site, build_dir=final, summary=summary)
