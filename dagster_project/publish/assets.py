"""The publish step: runs only when every upstream asset and blocking check succeeded."""

import dagster as dg

from dagster_project import tenancy
from dagster_project.contracts import load_contracts
from dagster_project.publish.publisher import publish
from dagster_project.quality.check_results import check_results_of_run, record_check_results
from dagster_project.refresh_state import FINGERPRINT_TAG, forget_state, record_published
from dagster_project.resources import DuckDBWarehouse
from dagster_project.transform.dbt_cli import cached_docs

ANALYTICS_KEY = dg.AssetKey(["reports", "analytics_db"])
SITE_KEY = dg.AssetKey(["reports", "owner_site"])


def build_publish_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                ANALYTICS_KEY,
                deps=upstream,
                group_name="reports",
                kinds={"duckdb"},
                description="Read-only analyst copy of the warehouse "
                "(analytics.duckdb beside the warehouse), swapped in atomically.",
            ),
            dg.AssetSpec(
                SITE_KEY,
                deps=upstream,
                group_name="reports",
                kinds={"html"},
                description="The owner's static report site, built from the marts and "
                "swapped in atomically.",
            ),
        ],
        can_subset=False,
        partitions_def=tenancy.PARTITIONS,
    )
    def publish_reports(context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse):
        settings = warehouse.settings
        results = check_results_of_run(context)
        with warehouse.connect() as con:
            record_check_results(con, results)
        context.log.info(
            f"{len(results)} check results of this run recorded in quality.check_results"
        )
        forget_state(settings.warehouse)  # whoever launched it, the next refresh looks again
        docs = cached_docs(settings.warehouse, settings.warehouse.parent / ".dbt-docs")
        done = publish(
            warehouse=settings.warehouse,
            analytics=settings.analytics,
            site=settings.site,
            builds=settings.site_builds,
            keep=settings.site_builds_kept,
            currency=settings.currency,
            business=settings.profile.name,
            docs_html=docs,
            storage_version=settings.analytics_storage_version,
            personal_columns={
                c.name: c.personal_columns for c in load_contracts(settings.contracts_dir).values()
            },
            include_personal=settings.analytics_personal_data,
            share_group=settings.share_group,
        )
        context.log.info(
            "analyst copy: "
            + (
                "written whole"
                if done.copy is None
                else "previous copy updated, "
                + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in done.copy.items())
            )
        )
        context.log.info(f"report: {done.site}/index.html; analyst database: {done.analytics}")
        if digest := context.run.tags.get(FINGERPRINT_TAG):
            record_published(settings.warehouse, digest)  # the next refresh may skip
        yield dg.MaterializeResult(
            asset_key=ANALYTICS_KEY,
            metadata={"path": dg.MetadataValue.path(str(done.analytics))},
        )
        yield dg.MaterializeResult(
            asset_key=SITE_KEY,
            metadata={
                "path": dg.MetadataValue.path(str(done.site / "index.html")),
                "build": done.build_dir.name,
                "chart_points": done.summary.charts,
            },
        )

    return publish_reports
