"""Alert settings come from the environment; an unconfigured product sends nothing; the SMTP
password never shows."""

from dagster_project import alerts


def test_alert_settings_from_the_environment():
    cfg = alerts.alert_settings(
        {
            "EMPATHY_ALERT_EMAIL_TO": " a@example.org, ,b@example.org ",
            "EMPATHY_ALERT_SMTP_HOST": "mail.example.org",
            "EMPATHY_ALERT_SMTP_PORT": "587",
            "EMPATHY_ALERT_SMTP_STARTTLS": "yes",
            "EMPATHY_ALERT_SMTP_PASSWORD": "s3cret-pw",
        }
    )
    assert cfg.email_to == ("a@example.org", "b@example.org")
    assert (cfg.smtp_port, cfg.smtp_starttls, cfg.configured) == (587, True, True)
    assert "s3cret-pw" not in repr(cfg)
    assert not alerts.alert_settings({}).configured
    # e-mail needs a server to go through
    assert not alerts.alert_settings({"EMPATHY_ALERT_EMAIL_TO": "a@example.org"}).configured


def test_nothing_is_sent_for_a_clean_refresh_or_without_a_channel(monkeypatch):
    sent = []
    monkeypatch.setattr(alerts, "send", lambda alert, cfg: sent.append(alert) or [])
    monkeypatch.setenv("EMPATHY_ALERT_WEBHOOK", "http://127.0.0.1:9/")
    assert alerts.notify(alerts.Outcome("success", "r1"), "Shop") == []
    assert sent == []
    warned = alerts.Outcome("warning", "r2", ("raw/x arriving_on_time: x is late",))
    alerts.notify(warned, "Shop")
    assert len(sent) == 1 and sent[0]["status"] == "warning"
    assert sent[0]["subject"] == "[Shop] Refresh published WITH 1 WARNING"
    monkeypatch.delenv("EMPATHY_ALERT_WEBHOOK")
    alerts.notify(warned, "Shop")
    assert len(sent) == 1  # no channel configured: nothing to send


def test_a_failed_check_that_did_not_block_publishing_is_counted_as_a_warning():
    outcome = alerts.Outcome("warning", "r3", errors=("raw/x gx_contract_suite: 2 rows",))
    assert outcome.summary() == "Refresh published WITH 1 WARNING"
    assert alerts.problem("raw/x", "arriving_on_time", None) == "raw/x arriving_on_time: failed"
