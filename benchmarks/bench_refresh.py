"""Refresh benchmark (``make bench TIER=S|M|L``, never in CI).

At a scale tier of the demo generator it measures, in one run:

1. **full refresh**: a new warehouse loads every landing file but the last day's, builds every
   model and publishes (``python -m dagster_project.run``, as ``make run`` does);
2. **one-day incremental refresh**: the last day's files (every time-based source) are dropped
   into ``landing/`` and the refresh runs again;
   **no-change refresh**: the refresh runs once more with nothing new;
3. **report build**: the site alone, built from the published analyst copy;
4. **lower bound**: ``benchmarks/lower_bound.sql``, one hand-written DuckDB script that computes
   the heavy marts straight from the same landing files (all days) with nothing else around it.

Each is a separate process; wall time and peak memory (the largest sum of the resident memory
of the process and all its children, sampled every 0.1 s) are measured from outside. DuckDB
threads and memory limit come from the settings (``EMPATHY_DUCKDB_THREADS``,
``EMPATHY_DUCKDB_MEMORY_LIMIT``), for the pipeline and the lower bound alike.

    python -m benchmarks.bench_refresh --tier M [--workdir bench-work/M] [--keep-landing]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
LAST_DAY = "2026-10-31"
# time-based sources and the column whose date puts a row in a day
DAY_COLUMNS = {
    "pos_transactions": "transaction_at",
    "support_tickets": "created_at",
    "nps_responses": "responded_at",
    "hr_absences": "absence_date",
}


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parts = stat.read_text().rsplit(")", 1)[1].split()
            p = int(stat.parent.name)
            children.setdefault(int(parts[1]), []).append(p)
            rss[p] = int(parts[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def measure(argv: list[str], env: dict, log: Path) -> dict:
    """Run a command; wall seconds and peak memory of its process tree."""
    start = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.1)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({proc.returncode}); see {log}")
    return {"seconds": round(wall, 1), "peak_mb": round(peak / 2**20)}


def hold_back_last_day(landing: Path, held: Path) -> dict[str, int]:
    """Move the last day's rows of every time-based source out of the month files into one file
    per source (and the line items of the held-back transactions), kept aside in ``held``."""
    held.mkdir(parents=True, exist_ok=True)
    counts = {}
    month = LAST_DAY[:7]
    tx_ids: pl.Series | None = None
    for source, column in DAY_COLUMNS.items():
        path = landing / source / f"{source}_{month}.csv"
        df = pl.read_csv(path, infer_schema=False)
        day = df.filter(pl.col(column).str.starts_with(LAST_DAY))
        df.filter(~pl.col(column).str.starts_with(LAST_DAY)).write_csv(path)
        day.write_csv(held / f"{source}_{LAST_DAY}.csv")
        counts[source] = day.height
        if source == "pos_transactions":
            tx_ids = day["transaction_id"]
    path = landing / "pos_line_items" / f"pos_line_items_{month}.csv"
    lines = pl.read_csv(path, infer_schema=False)
    mask = pl.col("transaction_id").is_in(tx_ids.implode())
    lines.filter(~mask).write_csv(path)
    lines.filter(mask).write_csv(held / f"pos_line_items_{LAST_DAY}.csv")
    counts["pos_line_items"] = lines.filter(mask).height
    return counts


def landing_rows(landing: Path) -> dict[str, int]:
    return {
        d.name: sum(
            pl.scan_csv(f, infer_schema=False).select(pl.len()).collect().item()
            for f in d.glob("*.csv")
        )
        for d in sorted(landing.iterdir())
        if d.is_dir()
    }


def step_seconds(dagster_home: Path) -> dict[str, float]:
    """Seconds per step of the latest run, from the Dagster instance of the work folder."""
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    import dagster as dg

    instance = dg.DagsterInstance.get()
    [record] = instance.get_run_records(limit=1)
    stats = instance.get_run_step_stats(record.dagster_run.run_id)
    return {s.step_key: round((s.end_time or 0) - (s.start_time or 0), 1) for s in stats}


def fixed_costs(dagster_home: Path, wall: float, steps: dict[str, float]) -> dict[str, float]:
    """Where a refresh's time goes outside the work itself: the process start-up before the
    Dagster run starts (imports, definitions, instance) and after it ends (the summary), and
    per dbt step the time outside dbt's own build (dbt start-up and parsing, dagster-dbt's
    event handling), from dbt's run_results.json of that run."""
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    import dagster as dg

    instance = dg.DagsterInstance.get()
    [record] = instance.get_run_records(limit=1)
    run_seconds = (record.end_time or 0) - (record.start_time or 0)
    out = {"outside_the_dagster_run": round(wall - run_seconds, 1)}
    for step in ("dbt_models", "dbt_scored_models", "dbt_churn_models"):
        folders = sorted(
            (ROOT / "dbt" / "target").glob(f"{step}-{record.dagster_run.run_id[:7]}-*"),
            key=lambda p: p.stat().st_mtime,
        )
        results = folders[-1] / "run_results.json" if folders else None
        if step in steps and results and results.exists():
            dbt_build = json.loads(results.read_text())["elapsed_time"]
            out[f"{step}_outside_the_dbt_build"] = round(steps[step] - dbt_build, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tier", default=os.environ.get("TIER", "S"))
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep-landing", action="store_true", help="reuse generated files")
    args = parser.parse_args()
    tier = args.tier.upper()
    work = (args.workdir or ROOT / "bench-work" / tier).resolve()
    landing, held = work / "landing", work / "held-back-day"
    env = {
        **os.environ,
        "EMPATHY_HOME": str(work),
        "EMPATHY_DEMO_TIER": tier,
        "DAGSTER_HOME": str(work / "dagster_home"),
        "EMPATHY_WAREHOUSE": "",
        "EMPATHY_SITE": "",
        "EMPATHY_LANDING": "",
        "EMPATHY_ANALYTICS": "",
        "EMPATHY_DEMO_CUSTOMERS": "",
        "TQDM_DISABLE": "1",
    }
    py = sys.executable
    results: dict = {"tier": tier}
    if not (args.keep_landing and (work / "landing.done").exists()):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        results["generate"] = measure(
            [py, "-m", "dagster_project.demo.generator"], env, work / "generate.log"
        )
        results["held_back_rows"] = hold_back_last_day(landing, held)
        (work / "landing.done").write_text("ok")
    for leftover in ("warehouse", "site", ".site-builds", "dagster_home", "lower_bound"):
        path = work / leftover
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.exists():
            shutil.rmtree(path)
    for day_file in held.glob("*.csv"):  # a previous run's incremental day
        (landing / day_file.name.rsplit("_", 1)[0] / day_file.name).unlink(missing_ok=True)
    (work / "dagster_home").mkdir()
    shutil.copyfile(ROOT / "dagster_home" / "dagster.yaml", work / "dagster_home" / "dagster.yaml")
    results["landing_rows"] = landing_rows(landing)
    results["landing_mb"] = round(sum(f.stat().st_size for f in landing.glob("*/*.csv")) / 2**20)

    print(f"tier {tier}: {results['landing_rows']} rows in {results['landing_mb']} MB", flush=True)
    results["full"] = measure([py, "-m", "dagster_project.run"], env, work / "full.log")
    results["full_steps"] = step_seconds(work / "dagster_home")
    results["full_fixed"] = fixed_costs(
        work / "dagster_home", results["full"]["seconds"], results["full_steps"]
    )
    print("full refresh", results["full"], flush=True)

    for day_file in held.glob("*.csv"):
        source = day_file.name.rsplit("_", 1)[0]
        shutil.copyfile(day_file, landing / source / day_file.name)
    results["incremental"] = measure([py, "-m", "dagster_project.run"], env, work / "incr.log")
    results["incremental_steps"] = step_seconds(work / "dagster_home")
    results["incremental_fixed"] = fixed_costs(
        work / "dagster_home", results["incremental"]["seconds"], results["incremental_steps"]
    )
    print("one-day incremental", results["incremental"], flush=True)

    # nothing new since: the refresh finds no new file, setting or configuration
    results["no_change"] = measure([py, "-m", "dagster_project.run"], env, work / "same.log")
    if "Nothing new since the refresh" not in (work / "same.log").read_text():
        sys.exit(f"the no-change refresh ran a refresh; see {work / 'same.log'}")
    print("no-change refresh", results["no_change"], flush=True)

    results["report"] = measure(
        [
            py,
            "-m",
            "benchmarks.build_report_only",
            str(work / "warehouse" / "analytics.duckdb"),
            str(work / "bench-site"),
        ],
        env,
        work / "report.log",
    )
    shutil.rmtree(work / "bench-site", ignore_errors=True)
    print("report build", results["report"], flush=True)

    (work / "lower_bound").mkdir()
    results["lower_bound"] = measure(
        [py, "-m", "benchmarks.lower_bound", str(landing), str(work / "lower_bound" / "lb.duckdb")],
        env,
        work / "lower_bound.log",
    )
    print("lower bound", results["lower_bound"], flush=True)

    full, incr, lb = (results[k]["seconds"] for k in ("full", "incremental", "lower_bound"))
    results["ratios"] = {
        "full_over_lower_bound": round(full / lb, 2),
        "incremental_over_full": round(incr / full, 3),
        "no_change_over_full": round(results["no_change"]["seconds"] / full, 3),
    }
    out = ROOT / "benchmarks" / "results" / f"refresh_{tier}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print()
    print(table(results))
    print(f"\n(results written to {out.relative_to(ROOT)})")


def table(r: dict) -> str:
    rows = [
        ("full refresh", r["full"]),
        ("one-day incremental refresh", r["incremental"]),
        ("no-change refresh", r["no_change"]),
        ("report build (site only)", r["report"]),
        ("lower bound (DuckDB SQL from the files)", r["lower_bound"]),
    ]
    lines = [
        f"Tier {r['tier']}: {sum(r['landing_rows'].values()):,} landing rows "
        f"({r['landing_rows'].get('pos_line_items', 0):,} POS lines), {r['landing_mb']} MB",
        "",
        f"| {'step':<42} | {'wall s':>8} | {'peak MB':>8} |",
        f"|{'-' * 44}|{'-' * 10}|{'-' * 10}|",
    ]
    lines += [f"| {n:<42} | {m['seconds']:>8} | {m['peak_mb']:>8} |" for n, m in rows]
    lines += [
        "",
        f"full / lower bound         = {r['ratios']['full_over_lower_bound']} (target <= 2)",
        f"incremental / full refresh = {r['ratios']['incremental_over_full']} (target <= 0.10)",
        f"no-change / full refresh   = {r['ratios']['no_change_over_full']} (target <= 0.05)",
        "",
        "fixed costs of the full refresh (s): "
        + ", ".join(f"{k} {v}" for k, v in r["full_fixed"].items()),
        "fixed costs of the incremental (s): "
        + ", ".join(f"{k} {v}" for k, v in r["incremental_fixed"].items()),
        "slowest steps of the full refresh: "
        + ", ".join(
            f"{k} {v}s" for k, v in sorted(r["full_steps"].items(), key=lambda kv: -kv[1])[:6]
        ),
        "slowest steps of the incremental: "
        + ", ".join(
            f"{k} {v}s"
            for k, v in sorted(r["incremental_steps"].items(), key=lambda kv: -kv[1])[:6]
        ),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
