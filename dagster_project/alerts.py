"""Tell the operator when a refresh failed or ended with warnings (a file rejected whole, a
source that stopped arriving, any check that warned).

What a run ended as is read from the Dagster instance (its status and its asset-check
evaluations), so the console summary of ``make run``, the run's tags in the UI and the alert
say the same thing. An alert goes to every channel configured in the environment:

- ``EMPATHY_ALERT_COMMAND``: a command (split like a shell would, run without a shell) that
  gets the alert as JSON on its standard input;
- ``EMPATHY_ALERT_WEBHOOK``: a URL that gets the same JSON in a POST;
- ``EMPATHY_ALERT_EMAIL_TO`` (comma-separated) through ``EMPATHY_ALERT_SMTP_HOST`` and
  ``_PORT`` (25), ``_USER`` and ``_PASSWORD`` (optional), ``_STARTTLS`` (1 to upgrade the
  connection), ``EMPATHY_ALERT_EMAIL_FROM``.

A channel that fails is reported in the log and does not stop the others or the refresh. The
password is never printed. Alerts are sent by ``make run`` for its own runs and by Dagster's
run-status sensors for runs the daemon launched (schedule, sensor, UI); a run that ``make run``
already alerted carries the tag ``empathy/alerted`` and the sensors leave it alone.
"""

from __future__ import annotations

import json
import os
import shlex
import smtplib
import socket
import subprocess
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importing Dagster takes seconds: run.py takes its lock first
    import dagster as dg

OUTCOME_TAG = "empathy/outcome"  # success, warning or failed
WARNINGS_TAG = "empathy/warnings"  # how many failed checks (of a published run: warnings)
ALERTED_TAG = "empathy/alerted"  # "1": the alert of this run was sent by make run
TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class AlertSettings:
    command: str | None = None
    webhook: str | None = None
    email_to: tuple[str, ...] = ()
    email_from: str = "empathy-warehouse@localhost"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_starttls: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.command or self.webhook or (self.email_to and self.smtp_host))


def alert_settings(env: dict[str, str] | None = None) -> AlertSettings:
    env = dict(os.environ if env is None else env)
    return AlertSettings(
        command=env.get("EMPATHY_ALERT_COMMAND") or None,
        webhook=env.get("EMPATHY_ALERT_WEBHOOK") or None,
        email_to=tuple(
            a.strip() for a in env.get("EMPATHY_ALERT_EMAIL_TO", "").split(",") if a.strip()
        ),
        email_from=env.get("EMPATHY_ALERT_EMAIL_FROM") or "empathy-warehouse@localhost",
        smtp_host=env.get("EMPATHY_ALERT_SMTP_HOST") or None,
        smtp_port=int(env.get("EMPATHY_ALERT_SMTP_PORT") or 25),
        smtp_user=env.get("EMPATHY_ALERT_SMTP_USER") or None,
        smtp_password=env.get("EMPATHY_ALERT_SMTP_PASSWORD") or None,
        smtp_starttls=env.get("EMPATHY_ALERT_SMTP_STARTTLS", "0").lower() in ("1", "true", "yes"),
    )


@dataclass(frozen=True)
class Outcome:
    """What a refresh ended as."""

    status: str  # success, warning or failed
    run_id: str | None
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()

    def summary(self) -> str:
        if self.status == "failed":
            return "Refresh FAILED; nothing was published"
        if self.status == "warning":  # a failed check that did not block counts too
            n = len(self.warnings) + len(self.errors)
            return f"Refresh published WITH {n} WARNING{'S' if n != 1 else ''}"
        return "Refresh published; every check passed"


def problem(asset: str, check: str, description: str | None) -> str:
    """One line of the console summary and of an alert: asset, check and what it found."""
    return f"{asset} {check}: {description or 'failed'}"


def run_outcome(instance: dg.DagsterInstance, run_id: str, success: bool) -> Outcome:
    """The outcome of a run from its check evaluations: a failed check of severity WARN is a
    warning, of severity ERROR an error."""
    from dagster_project.quality.check_results import check_results

    checks = check_results(instance, run_id)
    failed = checks.filter(~checks["passed"])
    warnings = tuple(
        problem(r["asset"], r["check_name"], r["description"])
        for r in failed.filter(failed["severity"] == "WARN").iter_rows(named=True)
    )
    errors = tuple(
        problem(r["asset"], r["check_name"], r["description"])
        for r in failed.filter(failed["severity"] != "WARN").iter_rows(named=True)
    )
    status = "failed" if not success else "warning" if warnings or errors else "success"
    return Outcome(status, run_id, warnings, errors)


def tag_run(instance: dg.DagsterInstance, outcome: Outcome) -> None:
    """The outcome as run tags: the Runs page of the UI shows and filters by them."""
    if outcome.run_id:
        instance.add_run_tags(
            outcome.run_id,
            {
                OUTCOME_TAG: outcome.status,
                WARNINGS_TAG: str(len(outcome.warnings) + len(outcome.errors)),
            },
        )


def message(outcome: Outcome, business: str, details: list[str] | None = None) -> dict:
    """The alert as a JSON-ready dict (every channel sends this)."""
    lines = [*outcome.errors, *outcome.warnings, *(details or [])]
    return {
        "source": "empathy-warehouse",
        "business": business,
        "status": outcome.status,
        "subject": f"[{business}] {outcome.summary()}",
        "run_id": outcome.run_id,
        "host": socket.gethostname(),
        "problems": lines,
    }


def _one_line(text: str, limit: int = 200) -> str:
    """A header-safe subject: no line breaks (no header injection from a file name)."""
    return " ".join(text.split())[:limit]


def send(alert: dict, cfg: AlertSettings) -> list[str]:
    """Send to every configured channel; the channels that failed, with why."""
    body = json.dumps(alert, ensure_ascii=False, indent=2, default=str)
    problems = []
    if cfg.command:
        try:
            subprocess.run(
                shlex.split(cfg.command),
                input=body,
                text=True,
                timeout=TIMEOUT_SECONDS * 4,
                check=True,
                capture_output=True,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            problems.append(f"alert command failed: {exc}")
    if cfg.webhook:
        try:
            request = urllib.request.Request(
                cfg.webhook,
                data=body.encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                response.read(1024)
        except (OSError, ValueError) as exc:
            problems.append(f"alert webhook failed: {exc}")
    if cfg.email_to and cfg.smtp_host:
        mail = EmailMessage()
        mail["Subject"] = _one_line(alert["subject"])
        mail["From"] = cfg.email_from
        mail["To"] = ", ".join(cfg.email_to)
        text = [alert["subject"], ""] + [f"- {p}" for p in alert["problems"]]
        text += ["", f"Run: {alert['run_id'] or 'none (nothing new to refresh)'}"]
        text += [f"Host: {alert['host']}"]
        mail.set_content("\n".join(text))
        try:
            with smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
                if cfg.smtp_starttls:
                    smtp.starttls()
                if cfg.smtp_user:
                    smtp.login(cfg.smtp_user, cfg.smtp_password or "")
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            problems.append(f"alert e-mail failed: {type(exc).__name__}: {exc}")
    return problems


def notify(outcome: Outcome, business: str, details: list[str] | None = None) -> list[str]:
    """Alert when the outcome is not a clean success; the channels that failed."""
    cfg = alert_settings()
    if outcome.status == "success" or not cfg.configured:
        return []
    return send(message(outcome, business, details), cfg)
