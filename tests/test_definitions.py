"""The Dagster code location: one lineage graph from landing files to the report."""

import dagster as dg

from dagster_project import refresh_state
from dagster_project.definitions import defs, landing_sensor


def test_assets_are_grouped_by_stage_and_form_one_lineage_graph():
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    groups = {graph.get(k).group_name for k in keys}
    assert groups == {"landing", "ingest", "staging", "marts", "analysis", "text", "reports"}
    # the graph starts at the landing folders, one per contract, read but never written
    landing = graph.get(dg.AssetKey(["landing", "nps_responses"]))
    assert not landing.is_materializable
    raw = graph.get(dg.AssetKey(["raw", "nps_responses"]))
    assert raw.parent_keys == {dg.AssetKey(["landing", "nps_responses"])}
    stg = graph.get(dg.AssetKey(["staging", "stg_nps__responses"]))
    assert stg.parent_keys == {dg.AssetKey(["raw", "nps_responses"])}  # dbt source -> ingest asset
    runs = graph.get(dg.AssetKey(["analysis", "clv_model_runs"]))  # Python fit between dbt steps
    assert dg.AssetKey(["intermediate", "int_clv_summary_full"]) in runs.parent_keys
    scored = graph.get(dg.AssetKey(["marts", "fct_customer_clv"]))
    assert dg.AssetKey(["analysis", "clv_model_runs"]) in scored.parent_keys
    site = graph.get(dg.AssetKey(["reports", "owner_site"]))
    assert dg.AssetKey(["marts", "kpi_company_monthly"]) in site.parent_keys
    external = {k for k in keys if not graph.get(k).is_materializable}
    assert {k.path[0] for k in external} == {"landing"}  # no other dangling external asset
    checks = {c.name for c in graph.asset_check_keys}
    assert {
        "gx_contract_suite",
        "every_landing_row_accounted_for",
        "no_file_rejected_whole",
        "arriving_on_time",
    } <= checks
    warn_only = [
        c
        for c in graph.asset_check_keys
        if c.name in ("no_file_rejected_whole", "arriving_on_time")
        and graph.get_check_spec(c).blocking
    ]
    assert warn_only == []  # a warning never stops publishing
    assert any(name.startswith("unique_") for name in checks)  # dbt tests as asset checks


def test_daily_schedule_and_landing_sensor(monkeypatch):
    schedule = defs.resolve_schedule_def("daily_refresh_schedule")
    assert schedule.cron_schedule == "0 6 * * *"
    # nothing published yet: a refresh is requested, tagged with what it was launched for
    monkeypatch.setattr(refresh_state, "read_state", lambda warehouse: None)
    context = dg.build_sensor_context(cursor=None)
    result = landing_sensor(context)
    assert isinstance(result, dg.SensorResult)
    (request,) = result.run_requests
    assert request.tags[refresh_state.FINGERPRINT_TAG] == context.cursor
    # with it, an observation of each landing folder: files, bytes, newest time, data version
    observed = {e.asset_key.path[1]: e for e in result.asset_events}
    assert set(observed) == {c for c in defs_contract_names()}
    for event in observed.values():
        assert isinstance(event, dg.AssetObservation)
        assert len(event.metadata["landing_version"].value) == 16
        assert {"files", "bytes"} <= set(event.metadata)
    assert len(context.cursor) == 64
    # the same files and settings again: not requested twice
    again = landing_sensor(dg.build_sensor_context(cursor=context.cursor))
    assert isinstance(again, dg.SkipReason) and "already requested" in again.skip_message
    # published since, nothing new: skipped whatever the cursor
    monkeypatch.setattr(refresh_state, "unchanged_since", lambda *args: True)
    skipped = landing_sensor(dg.build_sensor_context(cursor=None))
    assert isinstance(skipped, dg.SkipReason) and "nothing new" in skipped.skip_message


def defs_contract_names() -> set[str]:
    from dagster_project.definitions import contracts

    return set(contracts)


def test_run_status_sensors_alert_and_the_ui_asks_nothing():
    names = {s.name for s in defs.sensors}
    assert {"landing_sensor", "refresh_failed_alert", "refresh_outcome_alert"} <= names
    import yaml

    from tests.conftest import ROOT

    instance = yaml.safe_load((ROOT / "dagster_home" / "dagster.yaml").read_text())
    assert instance["telemetry"] == {"enabled": False}
    assert instance["nux"] == {"enabled": False}


def test_only_landing_folders_that_changed_are_observed_again(tmp_path):
    """make run and the sensor record an observation of a landing folder only when its files
    changed since the last one recorded."""
    from dagster_project.ingest.landing_assets import LandingState, new_observations

    instance = dg.DagsterInstance.ephemeral()
    states = {
        "nps_responses": LandingState(2, 10, 1.0, "aaaa"),
        "hr_absences": LandingState(0, 0, None, "bbbb"),
    }
    first = new_observations(states, instance)
    assert [e.asset_key.path[1] for e in first] == ["nps_responses", "hr_absences"]
    for event in first:
        instance.report_runless_asset_event(event)
    assert new_observations(states, instance) == []
    states["nps_responses"] = LandingState(3, 15, 2.0, "cccc")  # a file landed
    (again,) = new_observations(states, instance)
    assert again.asset_key.path[1] == "nps_responses" and again.metadata["files"].value == 3
