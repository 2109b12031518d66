"""Run dbt commands of the project against a given DuckDB file (tests, benchmarks, publishing)."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from importlib.metadata import version
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR, load_settings

# the dbt of this environment (the project's .venv), for Dagster and every command here
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
if not Path(DBT_EXECUTABLE).exists():
    DBT_EXECUTABLE = shutil.which("dbt") or DBT_EXECUTABLE


def vars_args(overrides: dict[str, str], extra: dict | None = None) -> list[str]:
    """``--vars`` for the KPI parameters the settings override (and ``extra``), or nothing."""
    merged = {**overrides, **(extra or {})}
    return ["--vars", json.dumps(merged, sort_keys=True, default=str)] if merged else []


def _dbt(warehouse: Path, *args: str, extra_vars: dict | None = None) -> None:
    """``dbt <args>`` in the project, with EMPATHY_WAREHOUSE pointing at ``warehouse`` and the
    KPI parameters the settings override."""
    env = {**os.environ, "EMPATHY_WAREHOUSE": str(warehouse)}
    overrides = vars_args(load_settings().dbt_vars, extra_vars)
    proc = subprocess.run(
        [DBT_EXECUTABLE, *args, *overrides, "--quiet", "--profiles-dir", ".", "--project-dir", "."],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{proc.stdout[-3000:]}")


def run_unit_tests(warehouse: Path, target: Path) -> list[dict]:
    """``dbt test --select test_type:unit`` against ``warehouse`` (whose tables give the
    unit tests' input columns); the results, one per unit test."""
    _dbt(warehouse, "test", "--select", "test_type:unit", "--target-path", str(target))
    results = json.loads((target / "run_results.json").read_text())["results"]
    return [r for r in results if r["unique_id"].startswith("unit_test.")]


def run_dbt_models(warehouse: Path, select: str, target: Path, dbt_vars: str = "{}") -> None:
    """``dbt run --select <select>`` against ``warehouse``; ``dbt_vars`` in YAML, as dbt's
    ``--vars`` takes them."""
    import yaml

    extra = yaml.safe_load(dbt_vars) or {}
    _dbt(warehouse, "run", "--target-path", str(target), "--select", select, extra_vars=extra)


def generate_docs(warehouse: Path, target: Path) -> Path:
    """``dbt docs generate --static`` against ``warehouse``: one self-contained HTML file with
    every model, column description, test and the lineage (opens offline, from file://)."""
    _dbt(warehouse, "docs", "generate", "--static", "--target-path", str(target))
    return target / "static_index.html"


def manifest_is_stale(dbt_dir: Path) -> bool:
    """No manifest yet (a fresh clone), or a dbt file changed after it was written."""
    manifest = dbt_dir / "target" / "manifest.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(f.stat().st_mtime > built for f in project_files(dbt_dir))


def ensure_manifest(dbt_dir: Path) -> bool:
    """``dbt parse`` when the manifest the Dagster assets are built from is missing or older
    than a dbt file (True when it parsed). Called before the definitions are imported, never
    by importing them."""
    if not manifest_is_stale(dbt_dir):
        return False
    subprocess.run(
        [
            DBT_EXECUTABLE,
            "parse",
            "--quiet",
            "--profiles-dir",
            str(dbt_dir),
            "--project-dir",
            str(dbt_dir),
        ],
        check=True,
    )
    return True


def project_files(dbt_dir: Path) -> list[Path]:
    """The files dbt reads to build its manifest (the project, its profile, models, macros,
    seeds, tests)."""
    files = [dbt_dir / "dbt_project.yml", dbt_dir / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        files += sorted(p for p in (dbt_dir / folder).rglob("*") if p.is_file())
    return [f for f in files if f.exists()]


# where files are: they do not show in the docs (only the database name, the file's stem, does)
PATH_SETTINGS = frozenset(
    {"EMPATHY_HOME", "EMPATHY_WAREHOUSE", "EMPATHY_ANALYTICS", "EMPATHY_SITE", "EMPATHY_LANDING"}
)


def docs_fingerprint(dbt_dir: Path, database: str = "warehouse") -> str:
    """What the dbt docs depend on: the project files, the settings dbt reads (EMPATHY_*
    variables such as the KPI parameters and the salt; not the paths), the database name and
    the dbt version. The catalog holds column names and types only (no row counts), so data
    alone does not change the docs."""
    h = hashlib.sha256(f"{version('dbt-core')}\0{database}\0".encode())
    for f in project_files(dbt_dir):
        h.update(str(f.relative_to(dbt_dir)).encode() + b"\0" + f.read_bytes() + b"\0")
    for key in sorted(k for k in os.environ if k.startswith("EMPATHY_")):
        if key not in PATH_SETTINGS:
            h.update(f"{key}={os.environ[key]}\0".encode())
    return h.hexdigest()[:20]


def cached_docs(warehouse: Path, cache: Path) -> Path:
    """The dbt docs page for the current project, generated once per project version and kept
    in ``cache`` (a daily refresh of the same project reuses it: ``dbt docs generate`` takes
    about 9 s)."""
    dbt_dir = DBT_PROJECT_DIR
    page = cache / f"dbt-docs-{docs_fingerprint(dbt_dir, warehouse.stem)}.html"
    if page.exists():
        return page
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / f".target-{uuid.uuid4().hex[:8]}"
    try:
        built = generate_docs(warehouse, target)
        tmp = page.with_suffix(".html.tmp")
        os.replace(built, tmp)
        os.replace(tmp, page)  # complete or absent, even if the refresh is killed
    finally:
        shutil.rmtree(target, ignore_errors=True)
    for old in cache.glob("dbt-docs-*.html"):
        if old != page:
            old.unlink(missing_ok=True)
    return page


# dagster-dbt's own name for an invocation's target folder, `<step>-<run id[:7]>-<random[:7]>`
# under dbt/target/: what versions before 2026-12-05 left there, about 10 MB per dbt step, three
# steps per refresh, never removed (each business now reuses one folder beside its warehouse)
LEGACY_TARGET = re.compile(
    r"(dbt_models|dbt_scored_models|dbt_churn_models)-[0-9a-f]{7}-[0-9a-f]{7}"
)


def prune_legacy_targets(dbt_dir: Path) -> int:
    """Remove the per-step target folders earlier versions left under ``dbt_dir/target``;
    returns how many. Nothing of this version writes there."""
    removed = 0
    try:
        entries = list(os.scandir(dbt_dir / "target"))
    except FileNotFoundError:
        return 0
    for entry in entries:
        if LEGACY_TARGET.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed += 1
    return removed
