"""dbt models, seeds and tests as Dagster assets and asset checks (dagster-dbt)."""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from dagster_project import tenancy
from dagster_project.analysis.duckdb_functions import install_salt, salt_changed
from dagster_project.faults import pause_point
from dagster_project.resources import DuckDBWarehouse
from dagster_project.settings import Settings, load_settings
from dagster_project.transform.dbt_cli import prune_legacy_targets, vars_args

settings = load_settings()
tenancy.export_deployment_env(settings)

dbt_project = DbtProject(
    project_dir=settings.dbt_project_dir, profiles_dir=settings.dbt_project_dir
)


if not dbt_project.manifest_path.exists():  # never parsed here: importing stays cheap
    raise RuntimeError(
        f"{dbt_project.manifest_path} is missing: run `make manifest` (dbt parse) first; "
        "`make run`, `make dev` and `python -m dagster_project.run` do it for you."
    )

STAGE_OF_FOLDER = {"staging": "staging", "intermediate": "marts", "marts": "marts"}


class EmpathyTranslator(DagsterDbtTranslator):
    """Sources map to the ingestion assets (``raw/<table>``); models are keyed by their schema;
    groups follow the stage folders."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        schema = dbt_resource_props.get("config", {}).get("schema") or "main"
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "marts"
        folder = fqn[1] if len(fqn) > 2 else ""
        return STAGE_OF_FOLDER.get(folder, "marts")


translator = EmpathyTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True,
        # a source and its rejected-rows table are one ingestion asset
        enable_duplicate_source_asset_keys=True,
    )
)


def build_args(run_settings: Settings, full_refresh: bool | None = None) -> list[str]:
    """``dbt build``; with EMPATHY_FULL_REFRESH=1 the incremental models are rebuilt from all
    raw rows (after a change to their SQL). The unit tests of the KPI logic run on their
    hand-made inputs, not on the business's data: they run in ``make test``
    (tests/e2e/test_pipeline.py), not in every refresh."""
    full = run_settings.full_refresh if full_refresh is None else full_refresh
    return [
        "build",
        "--exclude-resource-type",
        "unit_test",
        *(["--full-refresh"] if full else []),
        *vars_args(run_settings.dbt_vars),
    ]


def target(run_settings: Settings) -> Path:
    """dbt's target folder for a business's refreshes, beside its warehouse: one folder reused by
    every invocation (dagster-dbt would otherwise make one per invocation under dbt/target/,
    about 10 MB each, three a day, never removed). dbt keeps its partial parse there, valid for
    this business's profile: with many businesses, each reuses its own instead of parsing the
    whole project again in every step."""
    return run_settings.warehouse.parent / ".dbt-target"


# Models downstream of the Python model fits and text scoring run in a second dbt invocation,
# after them; the models that read the churn model (which reads that second step's marts) in a
# third, after it.
AFTER_PYTHON_MODELS = "source:analysis+"
AFTER_CHURN_MODEL = "source:churn+"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=translator,
    exclude=f"{AFTER_PYTHON_MODELS} {AFTER_CHURN_MODEL}",
    name="dbt_models",
    partitions_def=tenancy.PARTITIONS,
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBWarehouse):
    """``dbt build`` of staging, intermediate and the marts that need no fitted model: models,
    seeds and their tests; a failing test fails the step and so stops everything downstream.

    The secret salt of the hashed keys is stored in the warehouse first; when it changed (a new
    EMPATHY_SALT, or the first refresh after upgrading from a version that compiled the salt
    into the SQL), the incremental models are rebuilt from every raw row, so that no mart mixes
    keys of two salts."""
    settings = warehouse.settings  # the tenant's, when there are tenants (dbt inherits it)
    with warehouse.connect() as con:
        changed = salt_changed(con, settings.salt)
        install_salt(con, settings.salt)
        for dropped in drop_orphans(con, dbt_project.manifest_path):
            context.log.info(f"dropped {dropped}: no model of the dbt project builds it any more")
    if pruned := prune_legacy_targets(dbt_project.project_dir):
        context.log.info(f"removed {pruned} target folders earlier versions left in dbt/target/")
    if changed and not settings.full_refresh:
        context.log.warning("the hashing salt changed: incremental models rebuilt in full")
    full = settings.full_refresh or changed
    invocation = dbt.cli(build_args(settings, full), context=context, target_path=target(settings))
    for n, event in enumerate(invocation.stream()):
        if n == 10:  # dbt is part-way through the build (crash tests only)
            pause_point("dbt")
        yield event


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=translator,
    select=AFTER_PYTHON_MODELS,
    exclude=AFTER_CHURN_MODEL,
    name="dbt_scored_models",
    partitions_def=tenancy.PARTITIONS,
)
def dbt_scored_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBWarehouse
):
    """``dbt build`` of the models that score customers and texts from the stored model fits."""
    settings = warehouse.settings
    yield from dbt.cli(build_args(settings), context=context, target_path=target(settings)).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=translator,
    select=AFTER_CHURN_MODEL,
    name="dbt_churn_models",
    partitions_def=tenancy.PARTITIONS,
)
def dbt_churn_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBWarehouse
):
    """``dbt build`` of the models that read the churn prediction (the at-risk list)."""
    settings = warehouse.settings
    yield from dbt.cli(build_args(settings), context=context, target_path=target(settings)).stream()


def drop_orphans(con: duckdb.DuckDBPyConnection, manifest_path: Path) -> list[str]:
    """Drop the tables and views of dbt's schemas (staging, intermediate, marts) that no model or
    seed of the project builds any more (a model renamed or removed), so neither the report nor
    the analyst copy reads a mart that stopped being refreshed. Returns what was dropped."""
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    built = {
        (n["schema"], n["alias"])
        for n in nodes
        if n["resource_type"] in ("model", "seed", "snapshot")
    }
    schemas = sorted({schema for schema, _ in built})
    if not schemas:
        return []
    present = con.execute(
        "SELECT schema_name, table_name, 'TABLE' FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name IN ? "
        "UNION ALL SELECT schema_name, view_name, 'VIEW' FROM duckdb_views() "
        "WHERE database_name = current_database() AND NOT internal AND schema_name IN ? "
        "ORDER BY 1, 2",
        [schemas, schemas],
    ).fetchall()
    dropped = []
    for schema, name, kind in present:
        if (schema, name) not in built:
            con.execute(f'DROP {kind} IF EXISTS "{schema}"."{name}"')
            dropped.append(f"{schema}.{name}")
    return dropped


def mart_keys() -> list[dg.AssetKey]:
    keys = [*dbt_models.keys, *dbt_scored_models.keys, *dbt_churn_models.keys]
    return [k for k in keys if k.path[0] == "marts"]
