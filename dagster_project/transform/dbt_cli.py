"""Run selected dbt models of the project against a given DuckDB file (tests, benchmarks)."""

import os
import subprocess
import sys
from pathlib import Path

from dagster_project.settings import PROJECT_ROOT


def run_dbt_models(warehouse: Path, select: str, target: Path, dbt_vars: str = "{}") -> None:
    """``dbt run --select <select>`` with EMPATHY_WAREHOUSE pointing at ``warehouse``."""
    env = {**os.environ, "EMPATHY_WAREHOUSE": str(warehouse)}
    dbt = Path(sys.executable).parent / "dbt"
    proc = subprocess.run(
        [
            str(dbt),
            "run",
            "--profiles-dir",
            ".",
            "--project-dir",
            ".",
            "--target-path",
            str(target),
            "--select",
            select,
            "--vars",
            dbt_vars,
            "--quiet",
        ],
        cwd=PROJECT_ROOT / "dbt",
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode:
        raise RuntimeError(f"dbt run --select {select} failed:\n{proc.stdout[-3000:]}")


def generate_docs(warehouse: Path, target: Path) -> Path:
    """``dbt docs generate --static`` against ``warehouse``: one self-contained HTML file with
    every model, column description, test and the lineage (opens offline, from file://)."""
    env = {**os.environ, "EMPATHY_WAREHOUSE": str(warehouse)}
    dbt = Path(sys.executable).parent / "dbt"
    proc = subprocess.run(
        [
            str(dbt),
            "docs",
            "generate",
            "--static",
            "--quiet",
            "--profiles-dir",
            ".",
            "--project-dir",
            ".",
            "--target-path",
            str(target),
        ],
        cwd=PROJECT_ROOT / "dbt",
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode:
        raise RuntimeError(f"dbt docs generate failed:\n{proc.stdout[-3000:]}")
    return target / "static_index.html"
