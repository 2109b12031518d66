"""The quality gate as Dagster asset checks: the Great Expectations suite of each contract on
the rows each refresh loads, and the reconciliation of landing/ with the ingest ledger (every
landing row loaded or rejected, once). ``ingest/`` reads, validates and loads; this module
decides whether what was loaded may be published."""

import time
from pathlib import Path

import dagster as dg

from dagster_project.contracts import UNRECOGNISED, Contract
from dagster_project.ingest.assets import LEDGER_KEY, raw_key
from dagster_project.ingest.loader import file_hash, landing_plan, refused_digest
from dagster_project.resources import DuckDBWarehouse
from dagster_project.tables import ensure_table

GX_CHUNK_ROWS = 2_000_000  # rows validated at once by the pandas route (bounds its memory)


def unvalidated_batches(con, contract: Contract) -> list[tuple[int, int]]:
    """(batch id, rows) of the raw rows no passing suite has validated yet."""
    return con.execute(
        f"""
        SELECT _batch_id, count(*) FROM raw."{contract.name}"
        WHERE _batch_id NOT IN (
            SELECT batch_id FROM quality.gx_validated_batches WHERE source = ?)
        GROUP BY 1 ORDER BY 1
        """,
        [contract.name],
    ).fetchall()


def build_gx_check(contract: Contract) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_key(contract),
        name="gx_contract_suite",
        blocking=True,
        description=f"Great Expectations suite generated from {contract.path.name} holds for "
        f"every row of raw.{contract.name}. Each refresh validates the rows of the batches not "
        "validated before (recorded in quality.gx_validated_batches once they pass).",
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: DuckDBWarehouse
    ) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            ensure_table(con, "quality.gx_validated_batches")
            batches = unvalidated_batches(con, contract)
        outcome = None
        if batches:  # Great Expectations takes seconds to import: only when needed
            from dagster_project.quality.gx_suite import batch_query, validate_batches

            def read_pandas(group: list[int]):
                with warehouse.connect(read_only=True) as con:
                    return con.sql(batch_query(contract, group)).pl().to_pandas()

            started = time.monotonic()
            # the suite reads the file itself (read-only): no connection of ours is open
            outcome = validate_batches(
                contract,
                Path(warehouse.file),
                batches,
                read_pandas,
                GX_CHUNK_ROWS,
                config={"threads": warehouse.threads, "memory_limit": warehouse.memory_limit},
                warn=context.log.warning,
            )
            seconds = time.monotonic() - started
            context.log.info(
                f"{contract.name}: GX suite ({outcome.route} route) on {outcome.rows:,} new rows "
                f"of {len(batches)} batch(es) in {seconds:.1f} s "
                f"({outcome.rows / max(seconds, 1e-9):,.0f} rows/s)"
            )
            if not outcome.failed:
                with warehouse.connect() as con:
                    con.executemany(
                        "INSERT INTO quality.gx_validated_batches VALUES (?, ?, ?, now())",
                        [[contract.name, b, n] for b, n in batches],
                    )
        failed = outcome.failed if outcome else []
        rows = outcome.rows if outcome else 0
        return dg.AssetCheckResult(
            passed=not failed,
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(failed)
            or (f"all expectations met on {rows:,} new rows" if rows else "no new rows"),
            metadata={
                "rows_validated": rows,
                "batches_validated": len(batches),
                "expectations": outcome.evaluated if outcome else 0,
                "failed": len(failed),
                "route": outcome.route if outcome else "none",
            },
        )

    return _check


def build_ledger_check(contracts: dict[str, Contract]) -> dg.AssetChecksDefinition:
    """Every landing file is in the ledger and every row of it is in the raw or rejected table."""

    @dg.asset_check(
        asset=LEDGER_KEY,
        name="every_landing_row_accounted_for",
        blocking=True,
        description="Every landing file is in the ledger (once for each source it feeds, or "
        "as unrecognised), and for each file rows read = rows loaded + rows rejected, and the "
        "raw and rejected tables hold exactly those rows.",
    )
    def accounted(warehouse: DuckDBWarehouse) -> dg.AssetCheckResult:
        problems = []
        settings = warehouse.settings
        plan = landing_plan(settings.landing, settings.contracts_dir)
        with warehouse.connect(read_only=True) as con:
            known = set(
                con.execute(
                    "SELECT source, file_name, content_hash FROM raw.ingest_ledger"
                ).fetchall()
            )
            expected = [(s, f.path, f.rel) for f in plan.files for s in f.contracts]
            expected += [(UNRECOGNISED, path, rel) for path, rel, _ in plan.unrecognised]
            hashes: dict = {
                path: refused_digest(rel, message) for path, rel, message in plan.refused
            }
            expected += [(UNRECOGNISED, path, rel) for path, rel, _ in plan.refused]
            for source, path, rel in expected:
                digest = (
                    hashes[path] if path in hashes else hashes.setdefault(path, file_hash(path))
                )
                if (source, rel, digest) not in known:
                    problems.append(f"{rel} (current content) is not in the ledger for {source}")
            tables = [c.name for c in contracts.values()] + [UNRECOGNISED]
            for name in tables:
                raw_rows = (
                    f'(SELECT _batch_id, count(*) n FROM raw."{name}" GROUP BY 1)'
                    if name != UNRECOGNISED
                    else "(SELECT NULL::BIGINT _batch_id, 0 n WHERE false)"
                )
                mismatch = con.execute(
                    f"""
                    SELECT l.file_name, l.rows_loaded, coalesce(r.n, 0),
                           l.rows_rejected, coalesce(j.n, 0)
                    FROM raw.ingest_ledger l
                    LEFT JOIN {raw_rows} r
                           ON r._batch_id = l.batch_id
                    LEFT JOIN (SELECT _batch_id, count(*) n
                               FROM raw."{name}__rejected" GROUP BY 1) j
                           ON j._batch_id = l.batch_id
                    WHERE l.source = ?
                      AND (l.rows_loaded <> coalesce(r.n, 0) OR l.rows_rejected <> coalesce(j.n, 0)
                           OR l.rows_read <> l.rows_loaded + l.rows_rejected)
                    """,
                    [name],
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

    return accounted
