import re

import yaml

from dagster_project.settings import KPI_DEFAULTS, load_settings
from tests.conftest import ROOT


def test_dbt_var_defaults_match_the_settings_object():
    project = yaml.safe_load((ROOT / "dbt/dbt_project.yml").read_text())
    found = {}
    for value in project["vars"].values():
        m = re.search(r"env_var\('(\w+)', '([^']*)'\)", str(value))
        if m:
            found[m[1]] = m[2]
    assert found == KPI_DEFAULTS


def test_paths_follow_empathy_home(monkeypatch, tmp_path):
    monkeypatch.setenv("EMPATHY_HOME", str(tmp_path))
    for var in ("EMPATHY_WAREHOUSE", "EMPATHY_ANALYTICS", "EMPATHY_SITE", "EMPATHY_LANDING"):
        monkeypatch.delenv(var, raising=False)
    s = load_settings()
    assert s.warehouse == tmp_path / "warehouse/warehouse.duckdb"
    assert s.analytics == tmp_path / "warehouse/analytics.duckdb"
    assert s.site == tmp_path / "site" and s.landing == tmp_path / "landing"
    monkeypatch.setenv("EMPATHY_WAREHOUSE", "elsewhere/wh.duckdb")
    assert load_settings().warehouse == tmp_path / "elsewhere/wh.duckdb"


def test_the_site_path_stays_the_symlink_the_publisher_swaps(monkeypatch, tmp_path):
    """`site` is a symlink to the live build; the setting must name the link, not the build it
    points to, or the next refresh would publish inside the previous build."""
    from dagster_project.settings import load_settings

    (tmp_path / ".site-builds" / "b1").mkdir(parents=True)
    (tmp_path / "site").symlink_to(".site-builds/b1")
    monkeypatch.setenv("EMPATHY_HOME", str(tmp_path))
    monkeypatch.delenv("EMPATHY_SITE", raising=False)
    s = load_settings()
    assert s.site == tmp_path.resolve() / "site" and s.site.is_symlink()
    assert s.site_builds == tmp_path.resolve() / ".site-builds"
