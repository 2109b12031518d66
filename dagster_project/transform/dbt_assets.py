"""dbt models, seeds and tests as Dagster assets and asset checks (dagster-dbt)."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from dagster_project.settings import load_settings

settings = load_settings()
settings.export_env()

dbt_project = DbtProject(
    project_dir=settings.dbt_project_dir, profiles_dir=settings.dbt_project_dir
)
if not dbt_project.manifest_path.exists():  # a fresh clone: parse once to get the manifest
    dbt_project.preparer.prepare(dbt_project)

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


translator = EmpathyTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=translator)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """``dbt build``: models, seeds and their tests; a failing test fails the step and so
    stops the publish step downstream."""
    yield from dbt.cli(["build"], context=context).stream()


def mart_keys() -> list[dg.AssetKey]:
    return [k for k in dbt_models.keys if k.path[0] == "marts"]
