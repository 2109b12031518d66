"""Run the daily refresh once through Dagster (recorded in DAGSTER_HOME, visible in the UI),
then say where the report and the analyst database are.

``python -m dagster_project.run`` is what ``make run`` calls after generating the demo.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TYPE_CHECKING

from dagster_project import alerts, refresh_lock, refresh_state, tenancy
from dagster_project.settings import PROJECT_ROOT, Settings, load_settings

PROJECT_BIN = PROJECT_ROOT / ".venv" / "bin"  # make setup installs the DuckDB CLI there

if TYPE_CHECKING:
    import dagster as dg


def where(settings: Settings) -> str:
    index = settings.site / "index.html"
    import duckdb

    lines = ["", "Empathy Warehouse refreshed."]
    if settings.analytics.exists():
        con = duckdb.connect(str(settings.analytics), read_only=True)
        try:
            # a vendor export that feeds two sources has a ledger row for each
            files, read, loaded, rejected = con.execute(
                "SELECT count(DISTINCT file_name), sum(rows_read), sum(rows_loaded), "
                "sum(rows_rejected) FROM marts.fct_ingested_files"
            ).fetchall()[0]
        finally:
            con.close()
        lines.append(
            f"  Landing files processed so far: {files} (rows read, per source: {read:,} = "
            f"{loaded:,} loaded + {rejected:,} rejected; see marts.fct_ingested_files)"
        )
    lines += [
        "",
        f"  Owner's report:    {index}",
        f"    open it:         file://{index}",
        f"    or serve it:     python3 -m http.server --directory {settings.site} 8000",
        f"  Analyst database:  {settings.analytics}  (read-only copy, schemas raw, staging, marts)",
        f"    DuckDB CLI:      make sql   (or {PROJECT_BIN / 'duckdb'} -readonly {settings.analytics})",
        f"    or in Python:    duckdb.connect('{settings.analytics}', read_only=True)",
        "  Pipeline UI:       make dev   (Dagster: lineage, runs, checks, schedule and sensor)",
        "",
    ]
    return "\n".join(lines)


def fail_dead_runs(instance: dg.DagsterInstance, job_name: str) -> list[str]:
    """Runs of the refresh still marked as started while this process holds the refresh lock
    died with their process (killed, power cut): mark them failed so that the run history
    (and the run queue of the daemon) does not wait for them forever."""
    import dagster as dg

    stale = instance.get_run_records(
        dg.RunsFilter(
            job_name=job_name,
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING],
        )
    )
    for record in stale:
        instance.report_run_failed(
            record.dagster_run,
            "The refresh process ended without finishing (killed or crashed); "
            "the next refresh recovered from it.",
        )
    return [r.dagster_run.run_id for r in stale]


def nothing_new(settings: Settings, state: refresh_state.LastRefresh, files: int) -> str:
    """Say what a refresh with nothing new did (and that it loaded and rebuilt nothing)."""
    when = state.refreshed_at.replace("T", " ")[:16]
    return (
        f"\nNothing new since the refresh of {when} UTC: the {files} landing file(s), the "
        "configuration and the settings are unchanged, so nothing was loaded or rebuilt.\n"
        f"  Owner's report:    {settings.site / 'index.html'}\n"
        f"  Analyst database:  {settings.analytics}\n"
        "  (A refresh that must run anyway: python -m dagster_project.run --force)"
    )


def late_sources(settings: Settings) -> list[str]:
    """The sources that stopped arriving (their contracts' cadence), from the warehouse."""
    import duckdb

    from dagster_project.contracts import load_contracts
    from dagster_project.quality import freshness

    if not settings.warehouse.exists():
        return []
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        found = freshness.arrivals(con, load_contracts(settings.contracts_dir))
    finally:
        con.close()
    return [
        alerts.problem(f"raw/{a.source}", freshness.ARRIVAL_CHECK, a.message)
        for a in found.values()
        if a.is_late
    ]


def outcome_lines(outcome: alerts.Outcome) -> str:
    """The last lines of the console: what the refresh ended as, and every warning."""
    lines = ["", outcome.summary() + (":" if outcome.warnings or outcome.errors else ".")]
    lines += [f"  ! {w}" for w in (*outcome.errors, *outcome.warnings)]
    if outcome.status != "success":
        lines.append(
            "  (The Data quality page of the report and `make dev` (Runs, Asset checks) show them; "
            "alerts go where EMPATHY_ALERT_* say, see OPERATIONS.md.)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Refresh the warehouse and publish the report.")
    parser.add_argument(
        "--force",
        action="store_true",
        help="refresh even when no landing file, configuration or setting changed",
    )
    parser.add_argument(
        "--tenant",
        help="with EMPATHY_TENANTS_DIR (many businesses): the business to refresh",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    if tenancy.tenants_dir() is not None:
        names, _ = tenancy.list_tenants(tenancy.tenants_dir())
        if args.tenant not in names:
            print(
                f"{tenancy.TENANTS_DIR_VAR} is set: name the business to refresh with --tenant "
                f"(one of: {', '.join(names) or 'none yet'})",
                file=sys.stderr,
            )
            return 2
        os.environ.update(tenancy.tenant_env(args.tenant))
    elif args.tenant:
        print(f"--tenant needs {tenancy.TENANTS_DIR_VAR} (the tenants folder)", file=sys.stderr)
        return 2
    settings = load_settings()
    # The lock first, before anything slow (importing Dagster and the definitions takes
    # seconds): a second refresh started at any moment of this one is refused cleanly.
    try:
        lock = refresh_lock.acquire(settings.warehouse)
    except refresh_lock.RefreshRunning as exc:
        print(f"Refresh not started: {exc}", file=sys.stderr)
        return 2
    try:
        current = refresh_state.fingerprint(settings)
        state = refresh_state.read_state(settings.warehouse)
        today = refresh_state.today().isoformat()
        if not args.force and refresh_state.unchanged_since(settings, current, state):
            assert state is not None
            if state.built_on != today:  # the pages speak of today: build them again
                from dagster_project.publish.publisher import rebuild_site

                settings.export_env()
                done = rebuild_site(
                    settings.analytics,
                    settings.site,
                    settings.site_builds,
                    keep=settings.site_builds_kept,
                    currency=settings.currency,
                    business=settings.profile.name,
                    share_group=settings.share_group,
                )
                refresh_state.write_state(
                    settings.warehouse,
                    refresh_state.LastRefresh(
                        state.digest, state.refreshed_at, today, state.warehouse
                    ),
                )
                print(nothing_new(settings, state, current.landing_files))
                print(
                    f"The report's pages were built again for today ({today}) from the "
                    f"published analyst database: build {done.build_dir.name}."
                )
            else:
                print(nothing_new(settings, state, current.landing_files))
                print("Nothing was published again.")
            late = late_sources(settings)
            if late:
                outcome = alerts.Outcome("warning", None, tuple(late))
                print(outcome_lines(outcome), file=sys.stderr)
                for problem in alerts.notify(outcome, settings.profile.name):
                    print(problem, file=sys.stderr)
            print(f"({time.monotonic() - started:.1f} s)")
            return 0
        refresh_state.forget_state(settings.warehouse)
        try:
            return _refresh(current.digest, args.tenant)  # its publish step records the state
        except Exception as exc:  # the definitions did not load: no run to speak of
            outcome = alerts.Outcome("failed", None, errors=(f"{type(exc).__name__}: {exc}",))
            for problem in alerts.notify(outcome, settings.profile.name):
                print(problem, file=sys.stderr)
            raise
    finally:
        refresh_lock.release(lock)


def _refresh(fingerprint: str, tenant: str | None = None) -> int:
    from dagster_project.transform.dbt_cli import ensure_manifest

    started = time.monotonic()
    current = load_settings()
    current.export_env()  # dbt's profile reads the warehouse path from the environment
    if ensure_manifest(current.dbt_project_dir):  # the assets are built from it
        print(f"dbt project parsed ({time.monotonic() - started:.1f} s)", file=sys.stderr)
    import dagster as dg

    from dagster_project.definitions import contracts, defs, refresh_job, settings
    from dagster_project.ingest.landing_assets import landing_states, new_observations

    instance = dg.DagsterInstance.get()
    for run_id in fail_dead_runs(instance, refresh_job.name):
        print(f"Run {run_id} had died unfinished; marked failed.", file=sys.stderr)
    if tenant and not instance.has_dynamic_partition(tenancy.PARTITIONS.name, tenant):
        instance.add_dynamic_partitions(tenancy.PARTITIONS.name, [tenant])
    # the landing folders that changed, as this refresh found them (the graph's first nodes)
    states = landing_states(settings.landing, contracts, settings.contracts_dir)
    for event in new_observations(states, instance, partition=tenant):
        instance.report_runless_asset_event(event)
    result = defs.resolve_job_def(refresh_job.name).execute_in_process(
        instance=instance,
        partition_key=tenant,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        # this process tags and alerts the run itself (the daemon's sensors leave it alone)
        tags={refresh_state.FINGERPRINT_TAG: fingerprint, alerts.ALERTED_TAG: "1"},
        raise_on_error=False,
    )
    published = any(
        e.is_step_success and e.step_key == "publish_reports" for e in result.all_events
    )
    outcome = alerts.run_outcome(instance, result.run_id, success=result.success and published)
    alerts.tag_run(instance, outcome)
    failed = [e.step_key for e in result.all_events if e.is_step_failure]
    details = [f"Failed steps: {', '.join(failed)}"] if failed else []
    problems = alerts.notify(outcome, settings.profile.name, details)
    if outcome.status == "failed":
        lines = [
            f"\nRefresh FAILED (run {result.run_id}); nothing was published.",
            "The previously published report and analyst database were left untouched.",
        ]
        if outcome.errors:
            lines.append("Blocking checks that failed:")
            lines += [f"  - {c}" for c in outcome.errors]
        if outcome.warnings:
            lines.append("Warnings:")
            lines += [f"  ! {c}" for c in outcome.warnings]
        if failed:
            lines.append(f"Failed steps: {', '.join(failed)} (details above, or in `make dev`).")
        print("\n".join([*lines, *problems]), file=sys.stderr)
        return 1
    print(where(settings))
    print(outcome_lines(outcome))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
