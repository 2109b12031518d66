"""The warehouse's source tables as Parquet, for the dbt project on Spark (``--target spark``).

dbt's sources are the tables the Python steps write (``raw``, ``analysis``, ``profile``,
``quality`` and the salt in ``private``). ``export(warehouse, folder)`` writes each as ``folder/<schema>/<table>``
(a Parquet file in a folder, as Spark tables are laid out); the dbt macro
``register_parquet_sources`` (``dbt run-operation``, target spark) declares them to Spark.
The folder holds the hashing salt: keep it private to the service user, like the warehouse.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb

# what dbt builds (never exported: Spark builds it again)
BUILT = ("main", "staging", "intermediate", "marts")
# of the private schema, only what the models read: the salt (not the text-score cache)
PRIVATE_TABLES = ("hash_salt",)


def export(warehouse: Path, folder: Path, seeds: tuple[str, ...] = ()) -> dict[str, int]:
    """Write every table of the source schemas, and the dbt seeds (``marts.<seed>``, as the
    owner edited them; TIME columns as text: Spark has no TIME type), to ``folder``; returns
    rows per table."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, mode=0o700)
    out: dict[str, int] = {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND schema_name NOT IN ? ORDER BY 1, 2",
            [list(BUILT)],
        ).fetchall()
        tables += [("marts", seed) for seed in seeds]
        for schema, table in tables:
            if schema == "private" and table not in PRIVATE_TABLES:
                continue
            target = folder / schema / table
            target.mkdir(parents=True)
            columns = ", ".join(
                f'CAST("{name}" AS VARCHAR) AS "{name}"' if kind == "TIME" else f'"{name}"'
                for name, kind in con.execute(
                    "SELECT column_name, data_type FROM duckdb_columns() "
                    "WHERE database_name = current_database() AND schema_name = ? "
                    "AND table_name = ? ORDER BY column_index",
                    [schema, table],
                ).fetchall()
            )
            parquet = target / "part-0.parquet"
            # COPY answers with the number of rows it wrote
            out[f"{schema}.{table}"] = con.execute(
                f'COPY (SELECT {columns} FROM "{schema}"."{table}") TO \'{parquet}\' (FORMAT parquet)'
            ).fetchone()[0]
    finally:
        con.close()
    return out


SPARK_DIR_SETTING = re.compile(r"\{\{\s*env_var\('EMPATHY_SPARK_DIR'[^}]*\}\}")


def spark_dir_settings(spark_dir: Path, dbt_dir: Path) -> dict[str, str]:
    """The Spark session's settings of the ``spark`` target in dbt/profiles.yml, read from it
    (same metastore and tables folder), for reading what dbt built there."""
    import yaml

    profile = yaml.safe_load((dbt_dir / "profiles.yml").read_text())
    params = profile["empathy_warehouse"]["outputs"]["spark"]["server_side_parameters"]
    return {k: SPARK_DIR_SETTING.sub(str(spark_dir), str(v)) for k, v in params.items()}


def build_on_spark(warehouse: Path, spark_dir: Path, dbt_dir: Path) -> dict[str, str]:
    """Export ``warehouse``'s sources, declare them to Spark and ``dbt run --target spark``
    every model; returns each model's status (success, error, skipped) from dbt's results
    (ephemeral models have none: they are compiled into the models that read them)."""
    import json
    import os
    import subprocess
    import sys

    manifest = json.loads((dbt_dir / "target" / "manifest.json").read_text())
    seeds = tuple(n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "seed")
    # the seeds as the warehouse holds them (dbt seed's column types are DuckDB's)
    export(warehouse, spark_dir / "sources", seeds)
    env = {**os.environ, "EMPATHY_SPARK_DIR": str(spark_dir), "TZ": "UTC"}
    dbt = str(Path(sys.executable).parent / "dbt")
    common = ["--target", "spark", "--profiles-dir", ".", "--project-dir", "."]
    target = spark_dir / "target"
    for args in (
        ["run-operation", "register_parquet_sources"],
        ["run"],
    ):
        proc = subprocess.run(
            [dbt, *args, *common, "--target-path", str(target)],
            cwd=dbt_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if args[0] != "run" and proc.returncode:
            raise RuntimeError(f"dbt {args[0]} on Spark failed:\n{proc.stdout[-3000:]}")
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {
        r["unique_id"].rsplit(".", 1)[1]: r["status"]
        for r in results
        if r["unique_id"].startswith("model.")  # not the on-run-start hook
    }
