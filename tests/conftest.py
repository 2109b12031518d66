import json
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

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
# each test file's seconds in a measured run of `make test` (copy test-output/durations.json
# here after adding or changing slow tests): the order files are handed to the workers
DURATIONS = ROOT / "tests" / "durations.json"

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
SHARED_SIGNS = ("published_home", "vendor_homes")  # the session's shared demo homes
BROWSER_SIGNS = ("chromium", "from tests.reports.cdp", "from tests.reports import cdp")
SERVICE_SIGNS = ("local_postgres", "aiosmtpd", "ThreadingHTTPServer", "dagster_project.dev")


def pytest_collection_modifyitems(config, items):
    seen: dict[Path, tuple[bool, bool, bool]] = {}
    texts: dict[Path, str] = {}
    for item in items:
        path = Path(item.fspath)
        if path not in seen:
            text = texts[path] = path.read_text()
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
    # Longest files first (pytest-xdist sends whole files, in this order with
    # --no-loadscope-reorder): the slowest file never starts last while the other worker idles
    weights = _file_seconds()
    files = sorted(
        seen,
        key=lambda f: -weights.get(f.relative_to(ROOT).as_posix(), 60.0 if seen[f][0] else 1.0),
    )
    # The workers start on the first two files. The demo home the read-only tests share is
    # built by the first worker that asks for it while any other that asks waits: when both of
    # the slowest files ask, the slowest file that does not ask starts second, beside the build.
    shares = {f: any(sign in texts[f] for sign in SHARED_SIGNS) for f in files}
    if len(files) > 2 and shares[files[0]] and shares[files[1]]:
        if independent := [f for f in files[2:] if not shares[f]]:
            files.remove(independent[0])
            files.insert(1, independent[0])
    rank = {f: n for n, f in enumerate(files)}
    items.sort(key=lambda item: rank[Path(item.fspath)])


def _file_seconds() -> dict[str, float]:
    """Each test file's seconds in a measured `make test` (setup, call and teardown of its
    tests), from DURATIONS; a run writes its own figures to test-output/durations.json."""
    return json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}


_measured: dict[str, float] = {}


def pytest_runtest_logreport(report):
    file = report.nodeid.split("::", 1)[0]
    _measured[file] = _measured.get(file, 0.0) + report.duration


def pytest_sessionfinish(session):
    # on the controlling process only (its reports include every worker's)
    if _measured and not os.environ.get("PYTEST_XDIST_WORKER"):
        OUTPUT.mkdir(exist_ok=True)
        (OUTPUT / "durations.json").write_text(
            json.dumps(
                {f: round(s, 1) for f, s in sorted(_measured.items(), key=lambda kv: -kv[1])},
                indent=1,
            )
            + "\n"
        )


@pytest.fixture(scope="session")
def contracts():
    from dagster_project.contracts import load_contracts

    return load_contracts(ROOT / "data_contracts")


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


def shared_once(tmp_path_factory, name: str, build: Callable[[Path], object]) -> object:
    """What ``build(folder)`` returns, built once per test session: the first pytest-xdist
    worker to ask builds it (under a file lock) and saves it; the others wait for it and load
    it. A refreshed demo home costs a minute or more; every worker needs the same one."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:  # one process: nothing to share
        return build(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent  # the session's folder, above each worker's
    folder, saved = shared / name, shared / f"{name}.pickle"
    with FileLock(str(shared / f"{name}.lock")):
        if not saved.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            saved.write_bytes(pickle.dumps(build(folder)))
        return pickle.loads(saved.read_bytes())


@pytest.fixture(scope="session")
def published_home(tmp_path_factory):
    """A small demo refreshed once and left alone: for tests that only read the results (and
    the copies of it other tests make)."""
    from tests.pipeline_home import demo_home

    return shared_once(tmp_path_factory, "published", demo_home)


@pytest.fixture(scope="session")
def vendor_homes(published_home, tmp_path_factory):
    """The published demo refreshed once more with vendor exports, and once with the same facts
    as canonical files (tests/e2e/test_vendor_exports.py, tests/test_privacy.py)."""
    from tests.pipeline_home import vendor_and_canonical_homes

    return shared_once(
        tmp_path_factory,
        "vendor-homes",
        lambda folder: vendor_and_canonical_homes(published_home, folder),
    )
