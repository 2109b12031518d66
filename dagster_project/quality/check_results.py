"""Every check of a refresh, written into the warehouse so the report can show it."""

import datetime as dt

import dagster as dg
import duckdb
import polars as pl

from dagster_project.tables import replace_table, table


def check_results_of_run(context: dg.AssetExecutionContext) -> pl.DataFrame:
    """The asset-check evaluations (dbt tests, GX suites, ledger reconciliation) of this run."""
    return check_results(context.instance, context.run_id)


def check_results(instance: dg.DagsterInstance, run_id: str) -> pl.DataFrame:
    """The asset-check evaluations of a run, as recorded in the Dagster instance."""
    records = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=100_000
    ).records
    rows = []
    for record in records:
        ev = record.event_log_entry.dagster_event.asset_check_evaluation_data
        rows.append(
            {
                "run_id": run_id,
                "checked_at": dt.datetime.fromtimestamp(
                    record.event_log_entry.timestamp, dt.UTC
                ).replace(tzinfo=None),
                "asset": ev.asset_key.to_user_string(),
                "check_name": ev.check_name,
                "passed": bool(ev.passed),
                "severity": ev.severity.value if ev.severity else None,
                "blocking": bool(getattr(ev, "blocking", False)),
                "description": ev.description,
            }
        )
    return table("quality.check_results").frame(rows)


def record_check_results(con: duckdb.DuckDBPyConnection, results: pl.DataFrame) -> None:
    """Replace quality.check_results with the checks of the latest refresh."""
    replace_table(con, "quality.check_results", results)
