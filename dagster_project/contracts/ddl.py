"""DuckDB tables of the raw layer: one table per contract (its columns plus the lineage
columns ingestion adds) and one rejected-rows table per source."""

from __future__ import annotations

from dagster_project.contracts.model import Contract
from dagster_project.tables import sql_literal

# Columns that ingestion adds to every raw table.
LINEAGE_COLUMNS = {
    "_batch_id": ("BIGINT", "Load batch (one per landing file), increasing in load order."),
    "_source_file": ("VARCHAR", "Landing file the row came from, relative to landing/."),
    "_row_number": ("BIGINT", "Data row number in the file (1 = first row after the header)."),
    "_loaded_at": ("TIMESTAMP", "When the file was loaded (UTC)."),
}


def raw_table_ddl(contract: Contract, schema: str = "raw") -> str:
    cols = [f'"{c.name}" {c.duckdb_type}' for c in contract.columns]
    cols += [f'"{name}" {typ}' for name, (typ, _) in LINEAGE_COLUMNS.items()]
    return f'CREATE TABLE IF NOT EXISTS {schema}."{contract.name}" ({", ".join(cols)})'


def raw_table_migrations(
    contract: Contract, existing: dict[str, str], schema: str = "raw"
) -> list[str]:
    """ALTER statements that bring a raw table made by an earlier contract version to this one:
    columns the contract added, and types it changed (widened decimals, ...). Columns the
    contract dropped stay, so that no loaded value is lost. ``existing``: column -> type."""
    table = f'{schema}."{contract.name}"'
    out = []
    for c in contract.columns:
        if c.name not in existing:
            out.append(f'ALTER TABLE {table} ADD COLUMN "{c.name}" {c.duckdb_type}')
        elif existing[c.name].replace(" ", "").upper() != c.duckdb_type.replace(" ", "").upper():
            out.append(f'ALTER TABLE {table} ALTER "{c.name}" TYPE {c.duckdb_type}')
    return out


# The ledger's source name for landing files of no known export format (ingest/formats.py);
# their rows are kept in raw.unrecognised_files__rejected, shaped like every rejected table.
UNRECOGNISED = "unrecognised_files"
REJECTED_COLUMNS = {  # name: (DuckDB type, description)
    "_batch_id": ("BIGINT", "Load batch (landing file)."),
    "_source_file": ("VARCHAR", "Landing file, relative to landing/."),
    "_row_number": ("BIGINT", "Data row number in the file."),
    "_rule": ("VARCHAR", "First rule the row broke."),
    "_column": ("VARCHAR", "Column of that rule."),
    "_reason": ("VARCHAR", "Every rule the row broke, in words."),
    "_raw_record": ("VARCHAR", "The row as read, JSON."),
    "_loaded_at": ("TIMESTAMP", "When the file was processed."),
}


def rejected_table_ddl(contract: Contract | str, schema: str = "raw") -> str:
    """The rejected-rows table of a contract (or of a source name such as UNRECOGNISED)."""
    name = contract if isinstance(contract, str) else contract.name
    cols = ", ".join(f'"{c}" {t}' for c, (t, _) in REJECTED_COLUMNS.items())
    return f'CREATE TABLE IF NOT EXISTS {schema}."{name}__rejected" ({cols})'


def raw_comments(contract: Contract, schema: str = "raw") -> dict[tuple[str, str], str]:
    """(table, column or '') -> comment: the contract's descriptions on the raw and rejected
    tables, so the DuckDB CLI and DBeaver show them (``duckdb_columns().comment``); runs of
    white space (a folded YAML description) as one space."""
    raw, rejected = contract.name, f"{contract.name}__rejected"
    out = {
        (raw, ""): f"{contract.title}: rows loaded from landing files "
        f"(contract data_contracts/{contract.path.name}). {contract.description}".strip(),
        (rejected, ""): f"Rows of {contract.title} that broke a rule of "
        f"data_contracts/{contract.path.name}, with the rule and the reason.",
    }
    for c in contract.columns:
        if c.description:
            out[(raw, c.name)] = c.description
    out |= {(raw, name): text for name, (_, text) in LINEAGE_COLUMNS.items()}
    out |= {(rejected, name): text for name, (_, text) in REJECTED_COLUMNS.items()}
    return {key: " ".join(text.split()) for key, text in out.items()}


def comment_statements(
    contract: Contract, present: dict[tuple[str, str], str | None], schema: str = "raw"
) -> list[str]:
    """COMMENT ON statements for the comments that differ from ``present``."""
    out = []
    for (table, column), text in raw_comments(contract, schema).items():
        if (table, column) not in present or present[(table, column)] == text:
            continue
        target = f'COLUMN {schema}."{table}"."{column}"' if column else f'TABLE {schema}."{table}"'
        out.append(f"COMMENT ON {target} IS {sql_literal(text)}")
    return out
