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
