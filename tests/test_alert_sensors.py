"""The run-status sensors the daemon runs: a refresh it launched that failed, or that ended with a
warning check, is tagged with its outcome and alerted once; a run `make run` alerted itself is
left alone."""

import dagster as dg
import pytest

from dagster_project import alerts
from dagster_project.definitions import refresh_failed_alert, refresh_outcome_alert


@dg.asset(
    check_specs=[dg.AssetCheckSpec("arriving_on_time", asset="shop")],
)
def shop():
    return dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(
                check_name="arriving_on_time",
                passed=False,
                severity=dg.AssetCheckSeverity.WARN,
                description="pos_transactions is late: its last file arrived 9 days ago",
            )
        ]
    )


@dg.asset
def broken():
    raise RuntimeError("the warehouse disk is full")


@pytest.fixture
def sent(monkeypatch):
    out: list[dict] = []
    monkeypatch.setattr(alerts, "send", lambda alert, cfg: out.append(alert) or [])
    monkeypatch.setenv("EMPATHY_ALERT_WEBHOOK", "http://127.0.0.1:9/hook")
    return out


def status_context(instance, result, event_type, name):
    run = instance.get_run_by_id(result.run_id)
    (event,) = [e for e in result.all_events if e.event_type == event_type]
    return dg.build_run_status_sensor_context(
        sensor_name=name, dagster_event=event, dagster_instance=instance, dagster_run=run
    )


def test_a_refresh_the_daemon_ran_with_a_warning_is_tagged_and_alerted(sent):
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([shop], instance=instance)
    context = status_context(
        instance, result, dg.DagsterEventType.RUN_SUCCESS, "refresh_outcome_alert"
    )
    refresh_outcome_alert(context)
    (alert,) = sent
    assert alert["status"] == "warning" and alert["run_id"] == result.run_id
    assert alert["problems"] == [
        "shop arriving_on_time: pos_transactions is late: its last file arrived 9 days ago"
    ]
    tags = instance.get_run_by_id(result.run_id).tags
    assert tags[alerts.OUTCOME_TAG] == "warning" and tags[alerts.WARNINGS_TAG] == "1"

    # a run make run already alerted is not alerted twice
    alerted = dg.materialize([shop], instance=instance, tags={alerts.ALERTED_TAG: "1"})
    skipped = refresh_outcome_alert(
        status_context(instance, alerted, dg.DagsterEventType.RUN_SUCCESS, "x")
    )
    assert isinstance(skipped, dg.SkipReason) and len(sent) == 1


def test_a_refresh_the_daemon_ran_that_failed_is_alerted(sent):
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([broken], instance=instance, raise_on_error=False)
    context = status_context(
        instance, result, dg.DagsterEventType.RUN_FAILURE, "refresh_failed_alert"
    ).for_run_failure()
    refresh_failed_alert(context)
    (alert,) = sent
    assert alert["status"] == "failed" and "FAILED" in alert["subject"]
    assert any(p.startswith("Failure: ") for p in alert["problems"])
    assert instance.get_run_by_id(result.run_id).tags[alerts.OUTCOME_TAG] == "failed"
