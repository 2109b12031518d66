"""The Dagster code location: landing files -> raw -> dbt staging and marts -> checks -> report."""

import datetime as dt
import json
import os

import dagster as dg

from dagster_project import alerts, refresh_state, tenancy
from dagster_project.analysis.assets import churn_model, clv_model_runs, engagement_correlations
from dagster_project.contracts import load_contracts
from dagster_project.ingest.assets import (
    build_ingest_asset,
    build_ledger_asset,
    build_profile_asset,
    build_unrecognised_asset,
)
from dagster_project.ingest.formats import load_formats
from dagster_project.ingest.landing_assets import landing_specs, landing_states, new_observations
from dagster_project.publish.assets import build_publish_asset
from dagster_project.quality.checks import build_gx_check, build_ledger_check
from dagster_project.resources import DbtCli, DuckDBWarehouse
from dagster_project.settings import load_settings
from dagster_project.text.assets import text_analysis
from dagster_project.transform.dbt_assets import (
    dbt_churn_models,
    dbt_models,
    dbt_project,
    dbt_scored_models,
    mart_keys,
)
from dagster_project.transform.dbt_cli import DBT_EXECUTABLE

settings = load_settings()
tenancy.export_deployment_env(settings)
contracts = load_contracts(settings.contracts_dir)
vendor_formats = load_formats(settings.contracts_dir)  # a broken format file fails here, loudly

landing_assets = landing_specs(contracts)
ingest_assets = [build_ingest_asset(c) for c in contracts.values()]
gx_checks = [build_gx_check(c) for c in contracts.values()]
unrecognised_asset = build_unrecognised_asset()
ledger_asset = build_ledger_asset(contracts)
ledger_check = build_ledger_check(contracts)
profile_asset = build_profile_asset()
publish_asset = build_publish_asset(mart_keys())
# many businesses on one deployment: every asset is partitioned by tenant (tenancy.py)
TENANTS = tenancy.tenants_dir()

refresh_job = dg.define_asset_job(
    "daily_refresh",
    selection=dg.AssetSelection.all(),
    description="Load new landing files, build and test the marts, publish the report.",
)


SCHEDULE_CRON = os.environ.get("EMPATHY_SCHEDULE_CRON", "0 6 * * *")


@dg.schedule(
    job=refresh_job,
    # with tenants, a tick a minute: each business is refreshed when the schedule's time comes
    # in its own time zone (tenancy.due)
    cron_schedule=SCHEDULE_CRON if TENANTS is None else "* * * * *",
    execution_timezone=settings.timezone if TENANTS is None else "UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    name="daily_refresh_schedule",
)
def daily_schedule(context: dg.ScheduleEvaluationContext):
    """The daily refresh; with tenants, one run for each tenant whose local time it is (the run
    queue spreads them)."""
    if TENANTS is None:
        return dg.RunRequest()
    at = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
    names = context.instance.get_dynamic_partitions(tenancy.PARTITION_SET)
    due, problems = tenancy.due_tenants(names, SCHEDULE_CRON, at)
    for problem in problems:
        context.log.warning(problem)
    return [
        dg.RunRequest(partition_key=name, run_key=f"{name}-daily-{fire}") for name, fire in due
    ] or dg.SkipReason(f"no tenant's local time matches {SCHEDULE_CRON!r} at {at}")


@dg.sensor(
    job=refresh_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a refresh when anything a refresh reads changed since the last publish: "
    "a landing file, the configuration or a setting (dagster_project/refresh_state.py), and "
    "records an observation of each landing folder whose files changed.",
)
def landing_sensor(context: dg.SensorEvaluationContext):
    if TENANTS is not None:
        return tenant_requests(context)
    current = refresh_state.fingerprint(settings)
    if refresh_state.unchanged_since(
        settings, current, refresh_state.read_state(settings.warehouse)
    ):
        return dg.SkipReason("nothing new since the last published refresh")
    if context.cursor == current.digest:
        return dg.SkipReason("a refresh was already requested for these files and settings")
    context.update_cursor(current.digest)
    states = landing_states(settings.landing, contracts, settings.contracts_dir)
    # outside a Dagster instance (tests) every folder counts as changed
    instance = context.instance if context.instance_ref is not None else None
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"landing-{current.digest[:16]}",
                tags={refresh_state.FINGERPRINT_TAG: current.digest},
            )
        ],
        asset_events=new_observations(states, instance),
    )


def tenant_requests(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    """One refresh per tenant whose landing files, configuration or settings changed since its
    last publish, with an observation of each of its landing folders that changed; the
    partition set follows the tenant folders. A tenant whose settings cannot
    be read is named in the log and skipped; the others go on."""
    names, ignored = tenancy.list_tenants(TENANTS)
    for why in ignored:
        context.log.warning(f"tenants folder {TENANTS}: ignored {why}")
    known = set(context.instance.get_dynamic_partitions(tenancy.PARTITION_SET))
    cursor = json.loads(context.cursor) if context.cursor else {}
    requests, observations = [], []
    for name in names:
        try:
            env = tenancy.tenant_env(name)
            tenant = load_settings(env)
            current = refresh_state.fingerprint(tenant, env)
            state = refresh_state.read_state(tenant.warehouse)
        except Exception as exc:  # one tenant's broken profile never stops the others
            context.log.warning(f"tenant {name}: not refreshed: {type(exc).__name__}: {exc}")
            continue
        if refresh_state.unchanged_since(tenant, current, state):
            continue
        if cursor.get(name) == current.digest:
            continue  # already requested for these files and settings
        cursor[name] = current.digest
        # the tenant's landing folders that changed, as observations of its partitions
        states = landing_states(tenant.landing, contracts, settings.contracts_dir)
        observations += new_observations(states, context.instance, partition=name)
        requests.append(
            dg.RunRequest(
                partition_key=name,
                run_key=f"{name}-landing-{current.digest[:16]}",
                tags={refresh_state.FINGERPRINT_TAG: current.digest},
            )
        )
    context.update_cursor(json.dumps({n: d for n, d in cursor.items() if n in names}))
    added = sorted(set(names) - known)
    removed = sorted(known - set(names))
    return dg.SensorResult(
        run_requests=requests,
        asset_events=observations,
        dynamic_partitions_requests=[
            *([tenancy.PARTITIONS.build_add_request(added)] if added else []),
            *([tenancy.PARTITIONS.build_delete_request(removed)] if removed else []),
        ],
    )


def _business_name(run: dg.DagsterRun) -> str:
    tenant = tenancy.run_tenant(run)
    return tenancy.tenant_settings(tenant).profile.name if tenant else settings.profile.name


def _tag_and_alert(
    context: dg.RunStatusSensorContext, success: bool, details: list[str] | None = None
):
    """The outcome of a run the daemon launched, as run tags and an alert (make run's own runs
    carry the alerted tag: it did both itself)."""
    run = context.dagster_run
    if run.tags.get(alerts.ALERTED_TAG):
        return dg.SkipReason("make run tagged and alerted this run itself")
    outcome = alerts.run_outcome(context.instance, run.run_id, success=success)
    alerts.tag_run(context.instance, outcome)
    for problem in alerts.notify(outcome, _business_name(run), details):
        context.log.warning(problem)
    return None


@dg.run_failure_sensor(
    monitored_jobs=[refresh_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Alerts (EMPATHY_ALERT_*: command, webhook, e-mail) when a refresh launched by "
    "the schedule, the landing sensor or the UI fails.",
)
def refresh_failed_alert(context: dg.RunFailureSensorContext):
    why = context.failure_event.message or "see the run in the Dagster UI"
    return _tag_and_alert(context, success=False, details=[f"Failure: {why}"])


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[refresh_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Tags each finished refresh with its outcome (empathy/outcome: success or "
    "warning) and alerts when it warned: a file rejected whole, a late source, a check that "
    "warned.",
)
def refresh_outcome_alert(context: dg.RunStatusSensorContext):
    return _tag_and_alert(context, success=True)


defs = dg.Definitions(
    assets=[
        *landing_assets,
        profile_asset,
        *ingest_assets,
        unrecognised_asset,
        ledger_asset,
        dbt_models,
        clv_model_runs,
        text_analysis,
        engagement_correlations,
        dbt_scored_models,
        churn_model,
        dbt_churn_models,
        publish_asset,
    ],
    asset_checks=[*gx_checks, ledger_check],
    jobs=[refresh_job],
    schedules=[daily_schedule],
    sensors=[landing_sensor, refresh_failed_alert, refresh_outcome_alert],
    resources={
        "warehouse": DuckDBWarehouse(
            path=str(settings.warehouse),
            threads=settings.duckdb_threads,
            memory_limit=settings.duckdb_memory_limit,
        ),
        "dbt": DbtCli(
            project_dir=dbt_project,
            dbt_executable=DBT_EXECUTABLE,
        ),
    },
    executor=dg.in_process_executor,
)
