"""Run dbt commands of the project against a given DuckDB file (tests, benchmarks, publishing)."""

import os
import subprocess
import sys
from pathlib import Path

from dagster_project.settings import PROJECT_ROOT


def _dbt(warehouse: Path, *args: str) -> None:
    """``dbt <args>`` in the project, with EMPATHY_WAREHOUSE pointing at ``warehouse``."""
    env = {**os.environ, "EMPATHY_WAREHOUSE": str(warehouse)}
    dbt = Path(sys.executable).parent / "dbt"
    proc = subprocess.run(
        [str(dbt), *args, "--quiet", "--profiles-dir", ".", "--project-dir", "."],
        cwd=PROJECT_ROOT / "dbt",
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{proc.stdout[-3000:]}")


def run_dbt_models(warehouse: Path, select: str, target: Path, dbt_vars: str = "{}") -> None:
    """``dbt run --select <select>`` against ``warehouse``."""
    _dbt(warehouse, "run", "--target-path", str(target), "--select", select, "--vars", dbt_vars)


def generate_docs(warehouse: Path, target: Path) -> Path:
    """``dbt docs generate --static`` against ``warehouse``: one self-contained HTML file with
    every model, column description, test and the lineage (opens offline, from file://)."""
    _dbt(warehouse, "docs", "generate", "--static", "--target-path", str(target))
    return target / "static_index.html"
