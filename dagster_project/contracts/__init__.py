"""Data contracts: the ODCS YAML files in data_contracts/ are the single source of truth for
source schemas. One module per job, so that a new source or rule touches one place:

- ``model``: the contract and its columns, parsed from ODCS YAML (``load_contracts``);
- ``types``: logical types as polars and DuckDB types;
- ``parsing``: export text read into typed values (``ReadOptions``, ``typed_expr``);
- ``rules``: the row rules and the validation of a file (``validate_frame``);
- ``ddl``: the raw and rejected tables;
- ``dbt_sources``: the generated dbt sources file.

The names below are the package's public interface.
"""

from dagster_project.contracts.dbt_sources import SOURCES_FILE, dbt_sources, dbt_sources_yaml
from dagster_project.contracts.ddl import (
    LINEAGE_COLUMNS,
    REJECTED_COLUMNS,
    UNRECOGNISED,
    comment_statements,
    raw_table_ddl,
    raw_table_migrations,
    rejected_table_ddl,
)
from dagster_project.contracts.model import (
    Column,
    Contract,
    ContractError,
    load_contracts,
    parse_contract,
)
from dagster_project.contracts.parsing import ReadOptions, date_order_of, number_text, typed_expr
from dagster_project.contracts.rules import (
    PLACEHOLDER_DATES,
    Validated,
    empty_good,
    every_row_rejected,
    match_header,
    raw_record,
    row_rules,
    validate_frame,
)
from dagster_project.contracts.types import DUCKDB_TYPES, POLARS_TYPES

__all__ = [
    "DUCKDB_TYPES",
    "LINEAGE_COLUMNS",
    "PLACEHOLDER_DATES",
    "POLARS_TYPES",
    "REJECTED_COLUMNS",
    "SOURCES_FILE",
    "UNRECOGNISED",
    "Column",
    "Contract",
    "ContractError",
    "ReadOptions",
    "Validated",
    "date_order_of",
    "dbt_sources",
    "dbt_sources_yaml",
    "empty_good",
    "every_row_rejected",
    "load_contracts",
    "match_header",
    "number_text",
    "parse_contract",
    "raw_record",
    "comment_statements",
    "raw_table_ddl",
    "raw_table_migrations",
    "rejected_table_ddl",
    "row_rules",
    "typed_expr",
    "validate_frame",
]
