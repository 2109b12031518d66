import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import yaml

from dagster_project.contracts import (
    ContractError,
    dbt_sources_yaml,
    parse_contract,
    raw_table_ddl,
    validate_frame,
)
from dagster_project.quality.gx_suite import expectation_suite, validate_dataframe
from tests.conftest import ROOT, SOURCES


def text_frame(rows: list[dict]) -> pl.DataFrame:
    df = pl.DataFrame(rows, schema={k: pl.String for k in rows[0]})
    return df.with_row_index("_row_number", offset=1).with_columns(
        pl.col("_row_number").cast(pl.Int64)
    )


def test_every_source_has_a_contract_with_keys_types_and_rules(contracts):
    assert set(contracts) == set(SOURCES)
    nps = contracts["nps_responses"]
    assert nps.key_columns == ["response_id"]
    score = nps.column("score")
    assert (score.logical_type, score.minimum, score.maximum, score.required) == (
        "integer",
        0,
        10,
        True,
    )
    assert nps.column("touchpoint").allowed_values == (
        "in_store",
        "online_order",
        "delivery",
        "catering",
        "support",
    )
    assert contracts["crm_customers"].personal_columns == [
        "first_name",
        "last_name",
        "email",
        "phone",
    ]
    assert "DATE" in raw_table_ddl(contracts["crm_customers"])


def test_the_dbt_sources_file_is_generated_from_the_contracts(contracts):
    committed = (ROOT / "dbt/models/staging/_raw__sources.yml").read_text()
    assert committed == dbt_sources_yaml(contracts), "run `make sources` and commit the result"
    tables = yaml.safe_load(committed)["sources"][0]["tables"]
    crm = next(t for t in tables if t["name"] == "crm_customers")
    assert crm["meta"]["dagster"]["asset_key"] == ["raw", "crm_customers"]
    assert [c["name"] for c in crm["columns"]][:8] == contracts["crm_customers"].column_names


def test_a_contract_without_a_primary_key_is_refused_naming_the_file(tmp_path: Path):
    src = yaml.safe_load((ROOT / "data_contracts/nps_responses.yaml").read_text())
    for prop in src["schema"][0]["properties"]:
        prop.pop("primaryKey", None)
    bad = tmp_path / "nps_responses.yaml"
    bad.write_text(yaml.safe_dump(src))
    with pytest.raises(ContractError, match="nps_responses.yaml: no primaryKey"):
        parse_contract(bad)


def test_rows_are_typed_and_each_broken_rule_is_named(contracts):
    frame = text_frame(
        [
            {
                "customer_id": "C1",
                "signup_date": "2025-02-03",
                "home_store": "downtown",
                "loyalty_member": "yes",
            },
            {
                "customer_id": "C2",
                "signup_date": "2025-02-30",
                "home_store": "uptown",
                "loyalty_member": "maybe",
            },
            {
                "customer_id": "C1",
                "signup_date": "2025-02-04",
                "home_store": "riverside",
                "loyalty_member": "0",
            },
            {
                "customer_id": None,
                "signup_date": "1899-06-30",
                "home_store": "downtown",
                "loyalty_member": "true",
            },
        ]
    )
    out = validate_frame(contracts["crm_customers"], frame)
    assert out.good["customer_id"].to_list() == ["C1"]
    assert out.good["signup_date"].to_list() == [dt.date(2025, 2, 3)]
    assert out.good["loyalty_member"].to_list() == [True]
    assert out.good["email"].to_list() == [None]  # optional column absent from the file
    rejected = {r["_row_number"]: r for r in out.rejected.to_dicts()}
    assert rejected[2]["_rule"] == "type_date" and rejected[2]["_column"] == "signup_date"
    assert "home_store" not in rejected[2]["_reason"]  # any store id: the profile names them
    assert "loyalty_member: type_boolean" in rejected[2]["_reason"]
    assert rejected[3]["_rule"] == "unique_in_file"
    assert rejected[4]["_rule"] == "required" and "signup_date: minimum" in rejected[4]["_reason"]
    assert out.good.height + out.rejected.height == frame.height


def test_the_gx_suite_follows_the_contract_and_catches_a_bad_value(contracts):
    nps = contracts["nps_responses"]
    suite = expectation_suite(nps)
    kinds = {(e.expectation_type, e.column) for e in suite.expectations}
    assert ("expect_column_values_to_be_between", "score") in kinds
    assert ("expect_column_values_to_not_be_null", "responded_at") in kinds
    frame = text_frame(
        [
            {
                "response_id": "a",
                "responded_at": "2025-01-01 10:00:00",
                "store_id": "downtown",
                "touchpoint": "in_store",
                "score": "9",
            },
            {
                "response_id": "b",
                "responded_at": "2025-01-02 10:00:00",
                "store_id": "riverside",
                "touchpoint": "delivery",
                "score": "3",
            },
        ]
    )
    good = validate_frame(nps, frame).good.drop("_row_number").to_pandas()
    assert validate_dataframe(nps, good).success
    good.loc[1, "score"] = 12
    outcome = validate_dataframe(nps, good)
    assert not outcome.success
    assert any("score" in f and "between" in f for f in outcome.failed)
