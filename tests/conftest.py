import os
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")

ROOT = Path(__file__).resolve().parent.parent
# The ten kinds of export the project reads (one data contract each). Written here once, as a
# literal expectation, so that tests compare what the code does with it.
SOURCES = (
    "crm_customers",
    "pos_transactions",
    "pos_line_items",
    "support_tickets",
    "support_ticket_events",
    "nps_responses",
    "hr_employees",
    "hr_engagement_responses",
    "hr_absences",
    "online_reviews",
)
OUTPUT = ROOT / "test-output"

# A test module that refreshes a project home through Dagster (a subprocess of tens of seconds)
# is marked `pipeline`; one that drives Chromium `browser`; one that starts a local server
# (SMTP, HTTP, the Dagster UI) `service`; every other test `unit`. `make test-fast` runs the unit
# tests, in under a minute.
PIPELINE_SIGNS = (
    "dagster-daemon",
    "demo_home(",
    "published_home",
    "vendor_homes",
    "copy_of(",
    "Home(",
)
BROWSER_SIGNS = ("chromium", "from tests.reports.cdp", "from tests.reports import cdp")
SERVICE_SIGNS = ("local_postgres", "aiosmtpd", "ThreadingHTTPServer", "dagster_project.dev")


def pytest_collection_modifyitems(config, items):
    seen: dict[Path, tuple[bool, bool, bool]] = {}
    for item in items:
        path = Path(item.fspath)
        if path not in seen:
            text = path.read_text()
            seen[path] = (
                any(sign in text for sign in PIPELINE_SIGNS),
                any(sign in text for sign in BROWSER_SIGNS),
                any(sign in text for sign in SERVICE_SIGNS),
            )
        pipeline, browser, service = seen[path]
        if pipeline:
            item.add_marker(pytest.mark.pipeline)
        if browser:
            item.add_marker(pytest.mark.browser)
        if service:
            item.add_marker(pytest.mark.service)
        if not (pipeline or browser or service):
            item.add_marker(pytest.mark.unit)


@pytest.fixture(scope="session")
def contracts():
    from dagster_project.contracts import load_contracts

    return load_contracts(ROOT / "data_contracts")


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


@pytest.fixture(scope="session")
def published_home(tmp_path_factory):
    """A small demo refreshed once and left alone: for tests that only read the results."""
    from tests.pipeline_home import demo_home

    return demo_home(tmp_path_factory)


@pytest.fixture(scope="session")
def vendor_homes(published_home, tmp_path_factory):
    """The published demo refreshed once more with vendor exports, and once with the same facts
    as canonical files (tests/e2e/test_vendor_exports.py, tests/test_privacy.py)."""
    from tests.pipeline_home import vendor_and_canonical_homes

    return vendor_and_canonical_homes(published_home, tmp_path_factory)
