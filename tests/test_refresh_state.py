"""What makes a refresh "nothing new": every landing file, configuration file and setting."""

import os
from dataclasses import replace
from pathlib import Path

import pytest

from dagster_project import refresh_state
from dagster_project.settings import load_settings


@pytest.fixture
def settings(tmp_path, monkeypatch):
    for var in [v for v in os.environ if v.startswith("EMPATHY_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("EMPATHY_HOME", str(tmp_path))
    monkeypatch.setenv("EMPATHY_SALT", "a-test-salt")
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "nps_responses.yaml").write_text("kind: DataContract\n")
    monkeypatch.setenv("EMPATHY_CONTRACTS", str(contracts))
    landing = tmp_path / "landing" / "nps_responses"
    landing.mkdir(parents=True)
    (landing / "nps_2026-01.csv").write_text("response_id,score\n1,9\n")
    return load_settings()


def digest(settings) -> str:
    return refresh_state.fingerprint(settings).digest


def test_the_fingerprint_is_stable_and_counts_the_landing_files(settings):
    first = refresh_state.fingerprint(settings)
    assert first == refresh_state.fingerprint(settings)
    assert first.landing_files == 1


def test_a_new_changed_renamed_or_removed_landing_file_changes_it(settings):
    base = digest(settings)
    folder = settings.landing / "nps_responses"
    new = folder / "nps_2026-02.csv"
    new.write_text("response_id,score\n2,3\n")
    with_new = digest(settings)
    assert with_new != base
    new.write_text("response_id,score\n2,4\n")  # same size, new content and time
    os.utime(new, ns=(new.stat().st_atime_ns, new.stat().st_mtime_ns + 1))
    assert digest(settings) not in (base, with_new)
    new.rename(folder / "nps_2026-03.csv")
    renamed = digest(settings)
    assert renamed not in (base, with_new)
    (folder / "nps_2026-03.csv").unlink()
    assert digest(settings) == base


def test_a_symlink_is_described_not_followed(settings, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text("secret\n")
    base = digest(settings)
    link = settings.landing / "nps_responses" / "link.csv"
    link.symlink_to(outside)
    linked = digest(settings)
    assert linked != base
    outside.write_text("secret, changed and longer\n")  # the target is never read
    assert digest(settings) == linked
    assert refresh_state.fingerprint(settings).landing_files == 1  # the link is no file


def test_a_setting_a_contract_or_the_salt_changes_it(settings, monkeypatch):
    base = digest(settings)
    assert digest(replace(settings, dbt_vars={"nps_min_n": "31"})) != base
    assert digest(replace(settings, timezone="America/New_York")) != base
    (settings.contracts_dir / "nps_responses.yaml").write_text("kind: DataContract\n# v2\n")
    edited = digest(settings)
    assert edited != base
    # the salt as the settings read it (EMPATHY_SALT when they were loaded)
    monkeypatch.setenv("EMPATHY_SALT", "another-salt")
    assert load_settings().salt == "another-salt"
    assert digest(replace(settings, salt_setting="another-salt")) != edited


def test_the_state_holds_no_secret_and_a_refresh_is_skipped_only_when_published(settings):
    current = refresh_state.fingerprint(settings)
    state = refresh_state.LastRefresh(
        current.digest,
        "2026-12-01T06:00:00+00:00",
        "2026-12-01",
        refresh_state.warehouse_identity(settings.warehouse),
    )
    refresh_state.write_state(settings.warehouse, state)
    text = refresh_state.state_file(settings.warehouse).read_text()
    assert "a-test-salt" not in text
    assert refresh_state.read_state(settings.warehouse) == state
    # nothing published yet: the refresh must run
    assert not refresh_state.unchanged_since(settings, current, state)
    settings.analytics.write_bytes(b"db")
    (settings.site).mkdir()
    (settings.site / "index.html").write_text("<html>")
    assert refresh_state.unchanged_since(settings, current, state)
    assert not refresh_state.unchanged_since(replace(settings, full_refresh=True), current, state)
    # something wrote into the warehouse after that publish: the refresh must run
    settings.warehouse.write_bytes(b"changed by hand")
    assert not refresh_state.unchanged_since(settings, current, state)
    state = replace(state, warehouse=refresh_state.warehouse_identity(settings.warehouse))
    assert refresh_state.unchanged_since(settings, current, state)
    refresh_state.forget_state(settings.warehouse)
    assert refresh_state.read_state(settings.warehouse) is None
    assert not refresh_state.unchanged_since(settings, current, None)


def test_code_and_configuration_files_are_part_of_it(settings):
    files = {Path(f).name for f in refresh_state.config_files(settings)}
    assert {"run.py", "uv.lock", "dbt_project.yml", "nps_responses.yaml"} <= files
    assert "manifest.json" not in files  # dbt's own output is not configuration


def test_a_process_that_exported_its_settings_sees_the_same_fingerprint(settings, monkeypatch):
    """The Dagster code location exports its settings into the environment when it loads (the
    dbt profile reads them); its sensor must still see what `make run` saw, or it launches a
    refresh although nothing changed."""
    before = digest(settings)
    umask = os.umask(0o022)
    os.umask(umask)
    for name in settings.exported_names():
        monkeypatch.setenv(name, os.environ.get(name, ""))  # restored after the test
    try:
        settings.export_env()
    finally:
        os.umask(umask)
    assert os.environ["EMPATHY_WAREHOUSE"] == str(settings.warehouse)
    assert digest(load_settings()) == before
    monkeypatch.setenv("EMPATHY_ALERT_WEBHOOK", "http://127.0.0.1:9/")  # where alerts go
    assert digest(load_settings()) == before
    monkeypatch.setenv("EMPATHY_DEMO_TIER", "M")  # a variable nobody exports still counts
    assert digest(load_settings()) != before
