"""Dagster assets of the ingest stage: one per contract, plus the ledger reconciliation."""

import dagster as dg

from dagster_project import tenancy
from dagster_project.business_profile import VOCABULARIES, install_profile
from dagster_project.contracts import UNRECOGNISED, Contract, rejected_table_ddl
from dagster_project.ingest.landing_assets import landing_key
from dagster_project.ingest.loader import (
    ensure_tables,
    ingest_source,
    ingest_unrecognised,
)
from dagster_project.journey import journey_frame, load_journey
from dagster_project.quality import freshness
from dagster_project.resources import DuckDBWarehouse
from dagster_project.tables import replace_table

LEDGER_KEY = dg.AssetKey(["raw", "ingest_ledger"])


def raw_key(contract: Contract) -> dg.AssetKey:
    return dg.AssetKey(["raw", contract.name])


PROFILE_KEYS = [
    dg.AssetKey(["profile", name]) for name in ("business", *VOCABULARIES, "journey_map")
]


def build_profile_asset() -> dg.AssetsDefinition:
    """The business profile (config/business.yaml) and the customer journey
    (config/journey.yaml) as the warehouse's ``profile`` tables."""

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                key,
                group_name="ingest",
                kinds={"duckdb"},
                description=f"The business profile's {key.path[1]} (config/business.yaml)."
                if key.path[1] != "journey_map"
                else "The customer journey's stages and their feedback (config/journey.yaml).",
            )
            for key in PROFILE_KEYS
        ],
        name="business_profile",
        partitions_def=tenancy.PARTITIONS,
    )
    def _profile(context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse):
        settings = warehouse.settings
        profile = settings.profile
        stages = load_journey(settings.journey_file)
        with warehouse.connect() as con:
            install_profile(con, profile)
            replace_table(con, "profile.journey_map", journey_frame(stages))
        context.log.info(
            f"business profile {profile.path or '(none: defaults)'}: "
            + ", ".join(f"{len(getattr(profile, k))} {k}" for k in VOCABULARIES)
            + f"; journey {settings.journey_file}: {len(stages)} stages"
        )
        for key in PROFILE_KEYS:
            yield dg.MaterializeResult(
                asset_key=key, metadata={"profile": str(profile.path or "defaults")}
            )

    return _profile


WHOLE_FILE_CHECK = "no_file_rejected_whole"
ARRIVAL_CHECK = freshness.ARRIVAL_CHECK


def ingest_checks(
    contract: Contract, results: list, arrival: freshness.Arrival
) -> list[dg.AssetCheckResult]:
    """The two warnings of a source: a file of this refresh was rejected whole (nothing of it
    loaded), and the source stopped arriving (its contract's cadence)."""
    whole = [r for r in results if r.status == "rejected"]
    return [
        dg.AssetCheckResult(
            check_name=WHOLE_FILE_CHECK,
            passed=not whole,
            severity=dg.AssetCheckSeverity.WARN,
            description="; ".join(r.message for r in whole)[:2000]
            or f"no file of {contract.name} was rejected whole",
            metadata={"files_rejected_whole": [r.file_name for r in whole]},
        ),
        dg.AssetCheckResult(
            check_name=ARRIVAL_CHECK,
            passed=not arrival.is_late,
            severity=dg.AssetCheckSeverity.WARN,
            description=arrival.message,
            metadata={
                "days_since_last_file": arrival.days_since_last_file,
                "late_after_days": arrival.late_after_days,
                "files_loaded": arrival.files_loaded,
            },
        ),
    ]


def build_ingest_asset(contract: Contract) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_key(contract),
        deps=[landing_key(contract.name)],
        check_specs=[
            dg.AssetCheckSpec(
                WHOLE_FILE_CHECK,
                asset=raw_key(contract),
                description="Warns when a landing file of this source was rejected whole "
                "(a required column missing, an unreadable file): nothing of it was loaded.",
            ),
            dg.AssetCheckSpec(
                ARRIVAL_CHECK,
                asset=raw_key(contract),
                description="Warns when no new file of this source arrived within the cadence "
                f"of {contract.path.name} (slaProperties frequency + latency).",
            ),
        ],
        group_name="ingest",
        kinds={"polars", "duckdb"},
        description=(
            f"{contract.title}: new files in landing/{contract.name}/, and vendor exports "
            f"anywhere in landing/ whose format (data_contracts/vendors/) feeds it, validated "
            f"against data_contracts/{contract.path.name} and appended to raw.{contract.name}; "
            f"bad rows go to raw.{contract.name}__rejected."
        ),
        metadata={"contract": contract.path.name, "contract_version": contract.version},
        partitions_def=tenancy.PARTITIONS,
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse
    ) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            settings = warehouse.settings
            results = ingest_source(con, contract, settings.landing, settings.read_options)
            total = con.execute(f'SELECT count(*) FROM raw."{contract.name}"').fetchall()[0][0]
            rejected_total = con.execute(
                f'SELECT count(*) FROM raw."{contract.name}__rejected"'
            ).fetchall()[0][0]
            arrival = freshness.arrivals(con, {contract.name: contract})[contract.name]
        for r in results:
            speed = f" [{r.seconds:.1f} s, {r.rows_per_second:,.0f} rows/s]" if r.rows_read else ""
            (
                context.log.info
                if r.status in ("loaded", "duplicate", "empty")
                else context.log.warning
            )(r.message + speed)
        if not results:
            context.log.info(f"no new files for {contract.name} in landing/")
        if arrival.is_late:
            context.log.warning(arrival.message)
        return dg.MaterializeResult(
            check_results=ingest_checks(contract, results, arrival),
            metadata={
                "new_files": len(results),
                "rows_read": sum(r.rows_read for r in results),
                "rows_loaded": sum(r.rows_loaded for r in results),
                "rows_rejected": sum(r.rows_rejected for r in results),
                "files_rejected_whole": [r.file_name for r in results if r.status == "rejected"],
                "raw_rows_total": total,
                "rejected_rows_total": rejected_total,
            },
        )

    return _ingest


UNRECOGNISED_KEY = dg.AssetKey(["raw", UNRECOGNISED])


def build_unrecognised_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=UNRECOGNISED_KEY,
        group_name="ingest",
        kinds={"duckdb"},
        description="Landing files whose header matches no known export format (no vendor "
        "format in data_contracts/vendors/, no contract): each gets a ledger row naming the "
        "closest known formats and the headers they expect; its rows are kept in "
        f"raw.{UNRECOGNISED}__rejected. The other files load as usual.",
        partitions_def=tenancy.PARTITIONS,
    )
    def unrecognised_files(
        context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse
    ) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            settings = warehouse.settings
            results = ingest_unrecognised(con, settings.landing, settings.contracts_dir)
        for r in results:
            context.log.warning(r.message)
        return dg.MaterializeResult(
            metadata={
                "new_unrecognised_files": len(results),
                "files": [r.file_name for r in results],
                "rows_kept": sum(r.rows_rejected for r in results),
            }
        )

    return unrecognised_files


def build_ledger_asset(contracts: dict[str, Contract]) -> dg.AssetsDefinition:
    """The ledger as an asset: reconciles landing/ with what ingestion recorded."""

    @dg.asset(
        key=LEDGER_KEY,
        group_name="ingest",
        kinds={"duckdb"},
        deps=[*(raw_key(c) for c in contracts.values()), UNRECOGNISED_KEY],
        description="raw.ingest_ledger: one row per landing file processed, with rows read, "
        "loaded and rejected. Materializing it reconciles landing/ with the ledger and records "
        "each source's last arrival against its cadence in raw.source_arrivals.",
        partitions_def=tenancy.PARTITIONS,
    )
    def ingest_ledger(warehouse: DuckDBWarehouse) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            for c in contracts.values():
                ensure_tables(con, c)
            con.execute(rejected_table_ddl(UNRECOGNISED))
            now = freshness.utc_now()
            freshness.record(con, freshness.arrivals(con, contracts, now), now)
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

    return ingest_ledger
