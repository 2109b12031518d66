"""Run selected dbt models of the project against a scratch DuckDB file."""

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def run_dbt_models(warehouse: Path, select: str, dbt_vars: str, target: Path) -> None:
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
        ],
        cwd=ROOT / "dbt",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
