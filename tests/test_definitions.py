"""The Dagster code location: one lineage graph from landing files to the report."""

import dagster as dg

from dagster_project import refresh_state
from dagster_project.definitions import defs, landing_sensor


def test_assets_are_grouped_by_stage_and_form_one_lineage_graph():
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    groups = {graph.get(k).group_name for k in keys}
    assert groups == {"ingest", "staging", "marts", "kpis", "reports"}
    stg = graph.get(dg.AssetKey(["staging", "stg_nps__responses"]))
    assert stg.parent_keys == {dg.AssetKey(["raw", "nps_responses"])}  # dbt source -> ingest asset
    runs = graph.get(dg.AssetKey(["models", "clv_model_runs"]))  # Python fit between dbt steps
    assert dg.AssetKey(["intermediate", "int_clv_summary_full"]) in runs.parent_keys
    scored = graph.get(dg.AssetKey(["marts", "fct_customer_clv"]))
    assert dg.AssetKey(["models", "clv_model_runs"]) in scored.parent_keys
    site = graph.get(dg.AssetKey(["reports", "owner_site"]))
    assert dg.AssetKey(["marts", "kpi_company_monthly"]) in site.parent_keys
    assert all(graph.get(k).is_materializable for k in keys)  # no dangling external assets
    checks = {c.name for c in graph.asset_check_keys}
    assert {"gx_contract_suite", "every_landing_row_accounted_for"} <= checks
    assert any(name.startswith("unique_") for name in checks)  # dbt tests as asset checks


def test_daily_schedule_and_landing_sensor(monkeypatch):
    schedule = defs.resolve_schedule_def("daily_refresh_schedule")
    assert schedule.cron_schedule == "0 6 * * *"
    # nothing published yet: a refresh is requested, tagged with what it was launched for
    monkeypatch.setattr(refresh_state, "read_state", lambda warehouse: None)
    context = dg.build_sensor_context(cursor=None)
    request = landing_sensor(context)
    assert isinstance(request, dg.RunRequest)
    assert request.tags[refresh_state.FINGERPRINT_TAG] == context.cursor
    assert len(context.cursor) == 64
    # the same files and settings again: not requested twice
    again = landing_sensor(dg.build_sensor_context(cursor=context.cursor))
    assert isinstance(again, dg.SkipReason) and "already requested" in again.skip_message
    # published since, nothing new: skipped whatever the cursor
    monkeypatch.setattr(refresh_state, "unchanged_since", lambda *args: True)
    skipped = landing_sensor(dg.build_sensor_context(cursor=None))
    assert isinstance(skipped, dg.SkipReason) and "nothing new" in skipped.skip_message
