"""Run benchmarks/lower_bound.sql against a landing folder into a new DuckDB file, with the
DuckDB threads and memory limit of the settings.

    python -m benchmarks.lower_bound LANDING OUT.duckdb
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb

from dagster_project.settings import load_settings

SQL = Path(__file__).with_name("lower_bound.sql")


def main(landing: Path, out: Path) -> None:
    s = load_settings()
    con = duckdb.connect(
        str(out), config={"threads": s.duckdb_threads, "memory_limit": s.duckdb_memory_limit}
    )
    start = time.monotonic()
    try:
        con.execute(SQL.read_text().replace("{landing}", str(landing)))
    finally:
        con.close()
    print(f"lower bound: {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
