"""The operator knows when something is wrong: a refresh with a file rejected whole or a source
that stopped arriving ends in a warning (console, run tags, asset checks, the Data quality
page), a failed refresh and a late source reach a local SMTP server and a local webhook, and
`make dev` starts without launching a refresh nobody asked for and stops on Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest
from aiosmtpd.controller import Controller

from tests.conftest import ROOT
from tests.pipeline_home import copy_of


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """aiosmtpd handler: keeps every message delivered to it."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def receivers():
    """An SMTP server and an HTTP webhook receiver on 127.0.0.1, and the settings that use them."""
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    posts: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            posts.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    env = {
        "EMPATHY_ALERT_WEBHOOK": f"http://127.0.0.1:{http.server_address[1]}/hook",
        "EMPATHY_ALERT_EMAIL_TO": "owner@example.org, operator@example.org",
        "EMPATHY_ALERT_EMAIL_FROM": "warehouse@example.org",
        "EMPATHY_ALERT_SMTP_HOST": "127.0.0.1",
        "EMPATHY_ALERT_SMTP_PORT": str(smtp.port),
    }
    try:
        yield env, mailbox.messages, posts
    finally:
        http.shutdown()
        smtp.stop()


def run_tags(home) -> list[dict[str, str]]:
    """The tags of every run in the home's Dagster instance, oldest first."""
    code = (
        "import json, dagster as dg; "
        "i = dg.DagsterInstance.get(); "
        "print(json.dumps([dict(r.tags) for r in reversed(i.get_runs())]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=home.env, cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_warnings_reach_the_console_the_run_the_report_and_the_alerts(
    published_home, tmp_path, receivers
):
    env, mails, posts = receivers
    home = copy_of(published_home, tmp_path / "home")
    home.env.update(env)
    # an export without a required column, and a source whose last file came 60 days ago
    header = "response_id,customer_id,responded_at,touchpoint,score,comment"
    (home.landing / "nps_responses" / "nps_no_store.csv").write_text(
        f"{header}\nR9001,,2026-11-02 10:00:00,in_store,9,fine\n"
    )
    con = duckdb.connect(str(home.warehouse))
    con.execute(
        "UPDATE raw.ingest_ledger SET loaded_at = loaded_at - INTERVAL 60 DAY "
        "WHERE source = 'hr_absences'"
    )
    con.close()

    proc = home.refresh()  # it publishes: a warning is no failure
    tail = proc.stdout.strip().splitlines()[-4:]
    assert tail[0] == "Refresh published WITH 2 WARNINGS:", proc.stdout[-2000:]
    assert "raw/hr_absences arriving_on_time: hr_absences is late" in tail[1] + tail[2]
    assert "nps_no_store.csv: file rejected: lacks required column(s) store_id" in "".join(tail)

    # the run carries its outcome; the checks are warnings, recorded for the report
    (tags,) = [t for t in run_tags(home) if t.get("empathy/outcome")]
    assert tags["empathy/outcome"] == "warning" and tags["empathy/warnings"] == "2"
    warned = home.query(
        "SELECT asset, check_name, severity FROM quality.check_results "
        "WHERE NOT passed ORDER BY ALL"
    )
    assert warned == [
        ("raw/hr_absences", "arriving_on_time", "WARN"),
        ("raw/nps_responses", "no_file_rejected_whole", "WARN"),
    ]
    assert home.query(
        "SELECT source, is_late, late_after_days FROM marts.kpi_source_freshness WHERE is_late"
    ) == [("hr_absences", True, 38.0)]
    quality = (home.site / "quality.html").read_text()
    assert "LATE: has this export stopped?" in quality and "WARNING" in quality

    # one e-mail to both addresses and one webhook call, saying both
    assert len(mails) == 1 and len(posts) == 1
    mail, post = mails[0], posts[0]
    assert mail["To"] == "owner@example.org, operator@example.org"
    assert "Refresh published WITH 2 WARNINGS" in mail["Subject"]
    body = mail.get_content()
    assert "hr_absences is late" in body and "lacks required column(s) store_id" in body
    assert post["status"] == "warning" and len(post["problems"]) == 2
    assert post["run_id"] and post["business"]

    # the next day's refresh finds nothing new: it loads nothing, and still says the source is late
    again = home.refresh()
    assert "Nothing new since the refresh" in again.stdout
    assert "hr_absences is late" in again.stderr
    assert len(mails) == 2 and len(posts) == 2
    assert posts[1]["status"] == "warning" and posts[1]["run_id"] is None
    assert [p for p in posts[1]["problems"] if "hr_absences is late" in p]

    # a refresh that fails: one more message on each channel, saying so
    home.env["EMPATHY_DUCKDB_MEMORY_LIMIT"] = "not-a-size"
    failed = home.refresh(expect=1)
    assert "Refresh FAILED" in failed.stderr
    assert len(mails) == 3 and len(posts) == 3
    assert posts[2]["status"] == "failed" and "FAILED" in mails[2]["Subject"]
    assert any("Failed steps" in p for p in posts[2]["problems"])
    tags = run_tags(home)
    assert tags[-1]["empathy/outcome"] == "failed"


def test_an_alert_channel_that_fails_does_not_stop_the_others(receivers):
    from dagster_project.alerts import Outcome, alert_settings, message, send

    env, mails, posts = receivers
    settings = alert_settings({**env, "EMPATHY_ALERT_COMMAND": "/nonexistent/notify --now"})
    hostile = "file\r\nBcc: everyone@example.org.csv"  # a landing file name is outside input
    outcome = Outcome("warning", "run-1", (f"raw/x no_file_rejected_whole: {hostile}",))
    problems = send(message(outcome, 'Café "Test"'), settings)
    assert len(problems) == 1 and problems[0].startswith("alert command failed")
    assert len(mails) == 1 and len(posts) == 1  # the other channels still delivered
    assert mails[0]["Bcc"] is None and "\n" not in mails[0]["Subject"]
    assert posts[0]["problems"] == [f"raw/x no_file_rejected_whole: {hostile}"]


def test_make_dev_launches_nothing_when_nothing_changed_and_stops_on_ctrl_c(published_home):
    port = free_port()
    log = published_home.root / "dev.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dagster_project.dev"],
            env={**published_home.env, "DAGSTER_PORT": str(port)},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if (
                "landing_sensor skipped" in log.read_text()
                or "for landing_sensor" in log.read_text()
            ):
                break
            time.sleep(1)
        text = log.read_text()
        assert "Sensor landing_sensor skipped: nothing new since the last published refresh" in text
        assert "Creating new run for landing_sensor" not in text
        for _ in range(120):  # the webserver may start after the daemon's first tick
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError("the Dagster webserver did not answer")
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        assert proc.wait(timeout=40) == 0
        assert time.monotonic() - started < 30
        left = subprocess.run(
            ["pgrep", "-f", f"dagster.*{port}"], capture_output=True, text=True
        ).stdout.split()
        assert [pid for pid in left if int(pid) != os.getpid()] == []
    finally:
        if proc.poll() is None:  # a failed assertion: stop it the way Ctrl-C does
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()
