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
