"""The dbt sources definition of the raw schema, generated from the contracts
(``python -m dagster_project.contracts`` or ``make sources`` writes it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from dagster_project.contracts.ddl import LINEAGE_COLUMNS, REJECTED_COLUMNS, UNRECOGNISED
from dagster_project.contracts.model import Contract


def _rejected_source(name: str, description: str) -> dict[str, Any]:
    return {
        "name": f"{name}__rejected",
        "description": description,
        "meta": {"dagster": {"asset_key": ["raw", name]}, "rejected_rows_of": name},
        "columns": [
            {"name": c, "description": d, "data_type": t.lower()}
            for c, (t, d) in REJECTED_COLUMNS.items()
        ],
    }


# --------------------------------------------------------------------------- dbt sources


def dbt_sources(contracts: dict[str, Contract]) -> dict[str, Any]:
    """The dbt sources definition for the raw schema, generated from the contracts."""
    tables = []
    for c in contracts.values():
        columns = [
            {
                "name": col.name,
                "description": col.description,
                "data_type": col.duckdb_type.lower(),
                **({"meta": {"personal": True}} if col.personal else {}),
            }
            for col in c.columns
        ]
        columns += [
            {"name": name, "description": desc, "data_type": typ.lower()}
            for name, (typ, desc) in LINEAGE_COLUMNS.items()
        ]
        tables.append(
            _rejected_source(
                c.name,
                f"Rows of landing/{c.name}/ files that broke a rule of {c.path.name}, with "
                "the rule and the raw record.",
            )
        )
        tables.append(
            {
                "name": c.name,
                "description": f"{c.title}: {c.description} "
                f"(contract data_contracts/{c.path.name}, version {c.version})",
                "meta": {"dagster": {"asset_key": ["raw", c.name]}, "contract": c.path.name},
                "columns": columns,
            }
        )
    tables.append(
        _rejected_source(
            UNRECOGNISED,
            "Rows of landing files whose header matches no known export format (no vendor "
            "format in data_contracts/vendors/, no contract), rule unknown_format; the ledger "
            "message names the closest known formats.",
        )
    )
    return {
        "version": 2,
        "sources": [
            {
                "name": "raw",
                "schema": "raw",
                "description": "Validated rows loaded from landing/ by the Dagster ingestion "
                "assets. Generated from data_contracts/ by `python -m dagster_project.contracts`;"
                " do not edit by hand.",
                "tables": tables,
            }
        ],
    }


def dbt_sources_yaml(contracts: dict[str, Contract]) -> str:
    header = (
        "# Generated from data_contracts/ by `python -m dagster_project.contracts`. Do not edit.\n"
    )
    return header + yaml.safe_dump(dbt_sources(contracts), sort_keys=False, width=100)


SOURCES_FILE = Path("models/staging/_raw__sources.yml")
