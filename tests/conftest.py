import os
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")

ROOT = Path(__file__).resolve().parent.parent
# The eight kinds of export the project reads (one data contract each). Written here once, as a
# literal expectation, so that tests compare what the code does with it.
SOURCES = (
    "crm_customers",
    "pos_transactions",
    "pos_line_items",
    "support_tickets",
    "nps_responses",
    "hr_employees",
    "hr_engagement_responses",
    "hr_absences",
)
OUTPUT = ROOT / "test-output"


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
