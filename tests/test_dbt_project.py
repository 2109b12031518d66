"""The dbt project's promises to the analyst, read from the parsed manifest (`make manifest`)."""

import json

import pytest

from tests.conftest import ROOT

MANIFEST = ROOT / "dbt" / "target" / "manifest.json"


@pytest.fixture(scope="module")
def models():
    assert MANIFEST.exists(), "run `make manifest` (make test does) before the tests"
    nodes = json.loads(MANIFEST.read_text())["nodes"]
    return {n["name"]: n for n in nodes.values() if n["resource_type"] == "model"}


def test_every_mart_has_an_enforced_contract_with_a_type_and_description_per_column(models):
    marts = {name: n for name, n in models.items() if n["schema"].endswith("marts")}
    assert len(marts) >= 30 and "kpi_company_monthly" in marts
    for name, node in marts.items():
        assert node["config"]["materialized"] in ("table", "incremental"), name
        assert node["contract"]["enforced"], name
        assert node["description"].strip(), name
        assert node["columns"], name
        for col, spec in node["columns"].items():
            assert spec["data_type"], (name, col)
            assert spec["description"].strip(), (name, col)


def test_every_model_and_column_is_described(models):
    for name, node in models.items():
        assert node["description"].strip(), name
        for col, spec in node["columns"].items():
            assert spec["description"].strip(), (name, col)


def test_the_docs_fingerprint_follows_the_project_and_the_settings(tmp_path, monkeypatch):
    import shutil

    from dagster_project.transform.dbt_cli import docs_fingerprint

    dbt_dir = tmp_path / "dbt"
    shutil.copytree(ROOT / "dbt", dbt_dir, ignore=shutil.ignore_patterns("target", "logs"))
    first = docs_fingerprint(dbt_dir)
    assert docs_fingerprint(dbt_dir) == first
    monkeypatch.setenv("EMPATHY_HOME", str(tmp_path))  # where files are does not matter
    assert docs_fingerprint(dbt_dir) == first
    assert docs_fingerprint(dbt_dir, "other") != first  # the database name shows in the docs
    monkeypatch.setenv("EMPATHY_CLV_HORIZON_MONTHS", "24")  # compiled into the model SQL
    second = docs_fingerprint(dbt_dir)
    assert second != first
    model = next((dbt_dir / "models" / "marts").rglob("*.sql"))
    model.write_text(model.read_text() + "\n-- changed\n")
    assert docs_fingerprint(dbt_dir) not in (first, second)


def test_a_relation_no_model_builds_any_more_is_dropped(tmp_path):
    """A renamed mart must not linger, stale, in the warehouse and the analyst copy."""
    import json

    import duckdb

    from dagster_project.transform.dbt_assets import drop_orphans

    manifest = tmp_path / "manifest.json"
    node = {"resource_type": "model", "schema": "marts", "alias": "fct_team_outcomes_monthly"}
    seed = {"resource_type": "seed", "schema": "marts", "alias": "kpi_definitions"}
    view = {"resource_type": "model", "schema": "staging", "alias": "stg_pos__sales"}
    test = {"resource_type": "test", "schema": "dbt_test__audit", "alias": "not_null_x"}
    manifest.write_text(json.dumps({"nodes": {"a": node, "b": seed, "c": view, "d": test}}))
    con = duckdb.connect()
    for schema in ("marts", "staging", "raw", "dbt_test__audit"):
        con.execute(f"CREATE SCHEMA {schema}")
    for table in (
        "marts.fct_team_outcomes_monthly",
        "marts.kpi_team_outcomes_panel",  # the old name of the mart
        "marts.kpi_definitions",
        "raw.pos_sales",  # not a dbt schema: never touched
        "dbt_test__audit.not_null_y",
    ):
        con.execute(f"CREATE TABLE {table} (x INTEGER)")
    con.execute("CREATE VIEW staging.stg_pos__sales AS SELECT 1 AS x")
    con.execute("CREATE VIEW staging.stg_old__thing AS SELECT 1 AS x")
    assert drop_orphans(con, manifest) == [
        "marts.kpi_team_outcomes_panel",
        "staging.stg_old__thing",
    ]
    left = con.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() UNION ALL "
        "SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1"
    ).fetchall()
    assert [x for (x,) in left] == [
        "dbt_test__audit.not_null_y",
        "marts.fct_team_outcomes_monthly",
        "marts.kpi_definitions",
        "raw.pos_sales",
        "staging.stg_pos__sales",
    ]


def test_the_target_folders_earlier_versions_left_are_removed_and_nothing_else(tmp_path):
    from dagster_project.transform.dbt_cli import prune_legacy_targets

    target = tmp_path / "target"
    left = ["dbt_models-0940b04-b992b72", "dbt_churn_models-167682e-3d46b40"]
    kept = ["compiled", "run", "dbt_models-notahex-b992b72", "my_dbt_models-0940b04-b992b72"]
    for name in left + kept:
        (target / name).mkdir(parents=True)
        (target / name / "manifest.json").write_text("{}")
    (target / "dbt_scored_models-0940b04-b992b72").write_text("a file, not a folder")
    (target / "manifest.json").write_text("{}")
    assert prune_legacy_targets(tmp_path) == 2
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [*kept, "dbt_scored_models-0940b04-b992b72", "manifest.json"]
    )
    assert prune_legacy_targets(tmp_path / "nowhere") == 0
