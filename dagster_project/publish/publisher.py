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


PRIVATE_SCHEMAS = ("private",)  # the hashing salt and operational caches: never published


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def write_analyst_copy(
    warehouse: Path,
    target: Path,
    storage_version: str,
    personal_columns: dict[str, list[str]] | None = None,
    include_personal: bool = False,
) -> None:
    """Copy the warehouse into a new file in an older storage format, so DuckDB clients of the
    last year (1.1 and later for 'v1.1.0') can open the analyst copy.

    Left out: the ``private`` schema (the hashing salt). Unless ``include_personal``: the raw
    personal columns (``personal_columns``: raw table -> columns, from the contracts) and the
    rejected rows' raw records are null (their data is never written into the file, so no
    deleted page holds it). Views that read the salt (the staging models' key hashes) become
    tables holding their rows; the owner-facing follow-up marts keep their contact details,
    the documented exception."""
    personal = personal_columns or {}
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{warehouse}' AS source_db (READ_ONLY)")
        con.execute(f"ATTACH '{target}' AS analyst_db (STORAGE_VERSION '{storage_version}')")
        con.execute("COPY FROM DATABASE source_db TO analyst_db (SCHEMA)")
        for schema in PRIVATE_SCHEMAS:
            con.execute(f"DROP SCHEMA IF EXISTS analyst_db.{_q(schema)} CASCADE")
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = 'source_db' ORDER BY ALL"
        ).fetchall()
        for schema, table in tables:
            if schema in PRIVATE_SCHEMAS:
                continue
            columns = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE database_name = 'source_db' "
                    "AND schema_name = ? AND table_name = ? ORDER BY column_index",
                    [schema, table],
                ).fetchall()
            ]
            masked = set()
            if schema == "raw" and not include_personal:
                masked = set(personal.get(table, []))
                if table.endswith("__rejected"):
                    masked |= {"_raw_record"} | set(personal.get(table[: -len("__rejected")], []))
            select = ", ".join(f"NULL AS {_q(c)}" if c in masked else _q(c) for c in columns)
            con.execute(
                f"INSERT INTO analyst_db.{_q(schema)}.{_q(table)} "
                f"SELECT {select} FROM source_db.{_q(schema)}.{_q(table)}"
            )
        views = con.execute(
            "SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = 'source_db' "
            "AND NOT internal AND (" + " OR ".join(["sql ILIKE ?"] * len(PRIVATE_SCHEMAS)) + ")",
            [f"%{s}.%" for s in PRIVATE_SCHEMAS],
        ).fetchall()
        for schema, view in views:
            con.execute(f"DROP VIEW analyst_db.{_q(schema)}.{_q(view)}")
            con.execute(
                f"CREATE TABLE analyst_db.{_q(schema)}.{_q(view)} AS "
                f"SELECT * FROM source_db.{_q(schema)}.{_q(view)}"
            )
    finally:
        con.close()


def share(path: Path, group: str | None, mode: int, group_mode: int) -> None:
    """Owner-only ``mode``; with ``group``, that group owns it and ``group_mode`` applies."""
    if group:
        shutil.chown(path, group=group)
        path.chmod(group_mode)
    else:
        path.chmod(mode)


def share_tree(root: Path, group: str | None) -> None:
    """A published site: folders 0700 / files 0600, or 0750 / 0640 for ``group``."""
    for dirpath, _dirnames, filenames in os.walk(root):
        share(Path(dirpath), group, 0o700, 0o750)
        for name in filenames:
            share(Path(dirpath) / name, group, 0o600, 0o640)


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
    personal_columns: dict[str, list[str]] | None = None,
    include_personal: bool = False,
    share_group: str | None = None,
) -> Published:
    build_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    analytics.parent.mkdir(parents=True, exist_ok=True)
    builds.mkdir(parents=True, exist_ok=True)
    # the folders the refresh owns (not a folder the operator pointed EMPATHY_ANALYTICS into)
    for folder in {warehouse.parent, builds}:
        share(folder, share_group, 0o700, 0o750)
    checkpoint(warehouse)
    for stale in analytics.parent.glob(f".{analytics.name}.*.tmp"):  # left by a killed refresh
        stale.unlink(missing_ok=True)
    tmp_db = analytics.with_name(f".{analytics.name}.{build_id}.tmp")
    partial = builds / f".{build_id}.partial"
    try:
        write_analyst_copy(warehouse, tmp_db, storage_version, personal_columns, include_personal)
        summary = build_site(tmp_db, partial, currency=currency, published_name=analytics.name)
        if docs_html is not None:  # the dbt docs: data dictionary and lineage, under docs/
            (partial / "docs").mkdir()
            shutil.copyfile(docs_html, partial / "docs" / "index.html")
        share_tree(partial, share_group)
        final = builds / build_id
        partial.rename(final)
        share(tmp_db, share_group, 0o400, 0o440)
        os.replace(tmp_db, analytics)
        pause_point("publish")  # new analyst copy, previous site (crash tests only)
        swap_symlink(site, final)
    finally:
        tmp_db.unlink(missing_ok=True)
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    prune_builds(builds, final, keep)
    return Published(analytics=analytics, site=site, build_dir=final, summary=summary)


def rebuild_site(
    analytics: Path,
    site: Path,
    builds: Path,
    keep: int = 2,
    currency: str = "£",
    share_group: str | None = None,
) -> Published:
    """Build the pages again from the published analyst copy (nothing else changes: a later
    day with no new data), keep the live site's dbt docs, and swap the new build in."""
    build_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    partial = builds / f".{build_id}.partial"
    docs = site / "docs" / "index.html"
    try:
        summary = build_site(analytics, partial, currency=currency)
        if docs.is_file():
            (partial / "docs").mkdir()
            shutil.copyfile(docs, partial / "docs" / "index.html")
        share_tree(partial, share_group)
        final = builds / build_id
        partial.rename(final)
        swap_symlink(site, final)
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    prune_builds(builds, final, keep)
    return Published(analytics=analytics, site=site, build_dir=final, summary=summary)
