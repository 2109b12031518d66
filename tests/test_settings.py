import pytest
import yaml

from dagster_project.settings import dbt_var_names, dbt_var_overrides, load_settings
from dagster_project.transform.dbt_assets import build_args
from dagster_project.transform.dbt_cli import vars_args
from tests.conftest import ROOT


def test_kpi_parameters_are_dbt_vars_the_environment_overrides(monkeypatch):
    """The defaults are written once, in dbt_project.yml; EMPATHY_<NAME> overrides one, passed
    to every dbt command as --vars; a value that is no number or date is refused."""
    project = yaml.safe_load((ROOT / "dbt/dbt_project.yml").read_text())
    assert project["vars"]["nps_min_n"] == 30 and project["vars"]["clv_horizon_months"] == 12
    assert "nps_min_n" in dbt_var_names()
    for name in dbt_var_names():
        monkeypatch.delenv(f"EMPATHY_{name.upper()}", raising=False)
    assert load_settings().dbt_vars == {}
    assert "--vars" not in build_args(load_settings())
    monkeypatch.setenv("EMPATHY_NPS_MIN_N", "50")
    monkeypatch.setenv("EMPATHY_NOT_A_DBT_VAR", "7")
    assert load_settings().dbt_vars == {"nps_min_n": "50"}
    assert build_args(load_settings())[-2:] == ["--vars", '{"nps_min_n": "50"}']
    assert dbt_var_overrides(("nps_min_n",), {"EMPATHY_NPS_MIN_N": "50"}) == {"nps_min_n": "50"}
    args = vars_args({"nps_min_n": "50"})
    assert args == ["--vars", '{"nps_min_n": "50"}']
    with pytest.raises(ValueError, match="EMPATHY_MIN_GROUP_SIZE='1 or 1=1'"):
        dbt_var_overrides(("min_group_size",), {"EMPATHY_MIN_GROUP_SIZE": "1 or 1=1"})
    assert dbt_var_overrides(
        ("clv_observation_end",), {"EMPATHY_CLV_OBSERVATION_END": "2026-06-30"}
    )


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
