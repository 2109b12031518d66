"""Dagster assets of the ingest stage: one per contract, plus the ledger reconciliation."""

import dagster as dg

from dagster_project.contracts import Contract
from dagster_project.ingest.loader import ensure_tables, file_hash, ingest_source, landing_files
from dagster_project.quality.gx_suite import validate_dataframe
from dagster_project.resources import DuckDBWarehouse
from dagster_project.settings import Settings

LEDGER_KEY = dg.AssetKey(["raw", "ingest_ledger"])


def raw_key(contract: Contract) -> dg.AssetKey:
    return dg.AssetKey(["raw", contract.name])


def build_ingest_asset(contract: Contract, settings: Settings) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_key(contract),
        group_name="ingest",
        kinds={"polars", "duckdb"},
        description=(
            f"{contract.title}: new files in landing/{contract.name}/ validated against "
            f"data_contracts/{contract.path.name} and appended to raw.{contract.name}; "
            f"bad rows go to raw.{contract.name}__rejected."
        ),
        metadata={"contract": contract.path.name, "contract_version": contract.version},
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse
    ) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            results = ingest_source(con, contract, settings.landing, settings.read_options)
            total = con.execute(f'SELECT count(*) FROM raw."{contract.name}"').fetchall()[0][0]
            rejected_total = con.execute(
                f'SELECT count(*) FROM raw."{contract.name}__rejected"'
            ).fetchall()[0][0]
        for r in results:
            (
                context.log.info
                if r.status in ("loaded", "duplicate", "empty")
                else context.log.warning
            )(r.message)
        if not results:
            context.log.info(f"no new files in landing/{contract.name}/")
        return dg.MaterializeResult(
            metadata={
                "new_files": len(results),
                "rows_read": sum(r.rows_read for r in results),
                "rows_loaded": sum(r.rows_loaded for r in results),
                "rows_rejected": sum(r.rows_rejected for r in results),
                "files_rejected_whole": [r.file_name for r in results if r.status == "rejected"],
                "raw_rows_total": total,
                "rejected_rows_total": rejected_total,
            }
        )

    return _ingest


def build_gx_check(contract: Contract) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_key(contract),
        name="gx_contract_suite",
        blocking=True,
        description=f"Great Expectations suite generated from {contract.path.name} holds for "
        f"every row of raw.{contract.name}.",
    )
    def _check(warehouse: DuckDBWarehouse) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            df = con.sql(f'SELECT * FROM raw."{contract.name}"').pl().to_pandas()
        outcome = validate_dataframe(contract, df)
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(outcome.failed) or "all expectations met",
            metadata={
                "rows": outcome.rows,
                "expectations": outcome.evaluated,
                "failed": len(outcome.failed),
            },
        )

    return _check


def build_ledger_asset(contracts: dict[str, Contract], settings: Settings) -> list:
    """The ledger as an asset: reconciles landing/ with what ingestion recorded."""

    @dg.asset(
        key=LEDGER_KEY,
        group_name="ingest",
        kinds={"duckdb"},
        deps=[raw_key(c) for c in contracts.values()],
        description="raw.ingest_ledger: one row per landing file processed, with rows read, "
        "loaded and rejected. Materializing it reconciles landing/ with the ledger.",
    )
    def ingest_ledger(warehouse: DuckDBWarehouse) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            for c in contracts.values():
                ensure_tables(con, c)
            rows = con.execute(
                "SELECT status, count(*), sum(rows_read), sum(rows_loaded), sum(rows_rejected) "
                "FROM raw.ingest_ledger GROUP BY status ORDER BY status"
            ).fetchall()
        return dg.MaterializeResult(
            metadata={f"{status}_files": n for status, n, *_ in rows}
            | {
                "rows_read": sum(r[2] for r in rows),
                "rows_loaded": sum(r[3] for r in rows),
                "rows_rejected": sum(r[4] for r in rows),
            }
        )

    @dg.asset_check(
        asset=LEDGER_KEY,
        name="every_landing_row_accounted_for",
        blocking=True,
        description="Every landing file is in the ledger, and for each file rows read = rows "
        "loaded + rows rejected, and the raw and rejected tables hold exactly those rows.",
    )
    def accounted(warehouse: DuckDBWarehouse) -> dg.AssetCheckResult:
        problems = []
        with warehouse.connect(read_only=True) as con:
            known = set(
                con.execute("SELECT file_name, content_hash FROM raw.ingest_ledger").fetchall()
            )
            for c in contracts.values():
                for path in landing_files(settings.landing, c):
                    rel = str(path.relative_to(settings.landing))
                    if (rel, file_hash(path)) not in known:
                        problems.append(f"{rel} (current content) is not in the ledger")
                mismatch = con.execute(
                    f"""
                    SELECT l.file_name, l.rows_loaded, coalesce(r.n, 0),
                           l.rows_rejected, coalesce(j.n, 0)
                    FROM raw.ingest_ledger l
                    LEFT JOIN (SELECT _batch_id, count(*) n FROM raw."{c.name}" GROUP BY 1) r
                           ON r._batch_id = l.batch_id
                    LEFT JOIN (SELECT _batch_id, count(*) n
                               FROM raw."{c.name}__rejected" GROUP BY 1) j
                           ON j._batch_id = l.batch_id
                    WHERE l.source = ?
                      AND (l.rows_loaded <> coalesce(r.n, 0) OR l.rows_rejected <> coalesce(j.n, 0)
                           OR l.rows_read <> l.rows_loaded + l.rows_rejected)
                    """,
                    [c.name],
                ).fetchall()
                problems += [
                    f"{f}: ledger says {lo} loaded/{rj} rejected, tables hold {rn}/{jn}"
                    for f, lo, rn, rj, jn in mismatch
                ]
        return dg.AssetCheckResult(
            passed=not problems,
            description="; ".join(problems[:20]) or "every landing row is loaded or rejected",
            metadata={"problems": len(problems)},
        )

    return [ingest_ledger, accounted]
