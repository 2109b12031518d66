"""Data contracts: the ODCS YAML files are the single source of truth for source schemas.

A contract is parsed once with the ``open-data-contract-standard`` models and turned into
what every stage needs: the polars read and typing rules, the row rules that reject bad rows,
the DuckDB table definition, the Great Expectations suite and the dbt source definitions.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from open_data_contract_standard.model import OpenDataContractStandard

POLARS_TYPES: dict[str, pl.DataType] = {
    "string": pl.String(),
    "integer": pl.Int64(),
    "number": pl.Float64(),
    "date": pl.Date(),
    "timestamp": pl.Datetime("us"),
    "boolean": pl.Boolean(),
}
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
# Columns that ingestion adds to every raw table.
LINEAGE_COLUMNS = {
    "_batch_id": ("BIGINT", "Load batch (one per landing file), increasing in load order."),
    "_source_file": ("VARCHAR", "Landing file the row came from, relative to landing/."),
    "_row_number": ("BIGINT", "Data row number in the file (1 = first row after the header)."),
    "_loaded_at": ("TIMESTAMP", "When the file was loaded (UTC)."),
}


class ContractError(ValueError):
    """A contract file that cannot be used."""


@dataclass(frozen=True)
class Column:
    name: str
    logical_type: str
    description: str
    required: bool = False
    unique: bool = False
    primary_key: bool = False
    personal: bool = False
    allowed_values: tuple[str, ...] | None = None
    minimum: Any = None
    maximum: Any = None
    fmt: str | None = None
    physical_type: str | None = None  # e.g. decimal(12,2): exact money, deterministic sums
    allow_future: bool = False  # dates/timestamps: a value after tomorrow is allowed

    @property
    def is_identifier(self) -> bool:
        return self.logical_type == "string" and (self.primary_key or self.name.endswith("_id"))

    @property
    def decimal(self) -> tuple[int, int] | None:
        m = re.fullmatch(
            r"\s*decimal\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*", self.physical_type or "", re.I
        )
        return (int(m[1]), int(m[2])) if m else None

    @property
    def polars_type(self) -> pl.DataType:
        if self.decimal:
            return pl.Decimal(*self.decimal)
        return POLARS_TYPES[self.logical_type]

    @property
    def duckdb_type(self) -> str:
        if self.decimal:
            return "DECIMAL({},{})".format(*self.decimal)
        return DUCKDB_TYPES[self.logical_type]

    def bound(self, value: Any) -> Any:
        """A minimum/maximum converted to the column's type."""
        if value is None:
            return None
        if self.logical_type == "date" and isinstance(value, str):
            return dt.date.fromisoformat(value)
        if self.logical_type == "timestamp" and isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        return value


@dataclass(frozen=True)
class Contract:
    name: str
    title: str
    description: str
    version: str
    columns: tuple[Column, ...]
    path: Path

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def key_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.primary_key]

    @property
    def personal_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.personal]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _allowed_values(prop: Any) -> tuple[str, ...] | None:
    for rule in prop.quality or []:
        if rule.metric == "invalidValues" and rule.arguments and "validValues" in rule.arguments:
            return tuple(str(v) for v in rule.arguments["validValues"])
    return None


def parse_contract(path: Path) -> Contract:
    """Parse one ODCS v3 contract file into a :class:`Contract`."""
    try:
        odcs = OpenDataContractStandard.from_string(path.read_text())
    except Exception as exc:  # pydantic or YAML error: say which file
        raise ContractError(f"{path}: not a valid ODCS v3 contract: {exc}") from exc
    if not odcs.schema_ or len(odcs.schema_) != 1:
        raise ContractError(f"{path}: expected exactly one schema object")
    obj = odcs.schema_[0]
    columns = []
    for prop in obj.properties or []:
        if prop.logicalType not in POLARS_TYPES:
            raise ContractError(
                f"{path}: column {prop.name!r} has logicalType {prop.logicalType!r}; "
                f"supported: {sorted(POLARS_TYPES)}"
            )
        opts = prop.logicalTypeOptions or {}
        columns.append(
            Column(
                name=prop.name,
                logical_type=prop.logicalType,
                description=(prop.description or "").strip(),
                required=bool(prop.required or prop.primaryKey),
                unique=bool(prop.unique or prop.primaryKey),
                primary_key=bool(prop.primaryKey),
                personal=(prop.classification or "").lower() == "personal",
                allowed_values=_allowed_values(prop),
                minimum=opts.get("minimum"),
                maximum=opts.get("maximum"),
                fmt=opts.get("format"),
                physical_type=prop.physicalType,
                allow_future=bool(opts.get("allowFuture", False)),
            )
        )
    if not any(c.primary_key for c in columns):
        raise ContractError(f"{path}: no primaryKey column")
    name = obj.physicalName or obj.name
    if name != path.stem:
        raise ContractError(f"{path}: schema name {name!r} must equal the file name")
    purpose = odcs.description.purpose if odcs.description else None
    return Contract(
        name=name,
        title=odcs.name or name,
        description=(purpose or obj.description or "").strip(),
        version=odcs.version,
        columns=tuple(columns),
        path=path,
    )


@cache
def _load_all(contracts_dir: str) -> dict[str, Contract]:
    paths = sorted(Path(contracts_dir).glob("*.yaml"))
    if not paths:
        raise ContractError(f"no contracts in {contracts_dir}")
    return {p.stem: parse_contract(p) for p in paths}


def load_contracts(contracts_dir: Path) -> dict[str, Contract]:
    """All contracts in a folder, by name (cached per folder)."""
    return _load_all(str(contracts_dir))


# --------------------------------------------------------------------------- row rules


@dataclass(frozen=True)
class ReadOptions:
    """How to read values the contract's own format does not cover (see docs/bad_inputs.md)."""

    timezone: str = "UTC"  # the business's local time; timestamps with an offset convert to it
    date_order: str = "DMY"  # for 03/04/2026 when no value in the file says which order it uses
    today: dt.date | None = None  # dates after today + 1 day are rejected; None = the real today

    @property
    def latest_allowed(self) -> dt.date:
        return (self.today or dt.date.today()) + dt.timedelta(days=1)


CURRENCY_AND_SPACE = r"[£$€¥\s\u00a0\u202f']"
# 1.234,56 / 12,5 (decimal comma) and 1,234.56 / 1,234 (thousands comma)
DECIMAL_COMMA = r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)$|^-?\d+,(\d{1,2}|\d{4,})$"
THOUSANDS_COMMA = r"^-?\d{1,3}(,\d{3})+(\.\d+)?$"
EXCEL_SCIENTIFIC = r"^\d(\.\d+)?[eE]\+\d+$"


def number_text(name: str | pl.Expr) -> pl.Expr:
    """Number text as exported by spreadsheets and POS tools, made plain: currency symbols and
    spaces dropped, (12.50) and 12.50- as negatives, thousands separators removed, a decimal
    comma turned into a point."""
    t = (pl.col(name) if isinstance(name, str) else name).str.strip_chars()
    t = t.str.replace_all(CURRENCY_AND_SPACE, "")
    t = (
        pl.when(t.str.contains(r"^\(.*\)$"))
        .then(pl.lit("-") + t.str.strip_chars("()"))
        .when(t.str.contains(r"^[^-].*-$"))
        .then(pl.lit("-") + t.str.strip_chars_end("-"))
        .otherwise(t)
    )
    return (
        pl.when(t.str.contains(DECIMAL_COMMA))
        .then(t.str.replace_all(r"\.", "").str.replace(",", "."))
        .when(t.str.contains(THOUSANDS_COMMA))
        .then(t.str.replace_all(",", ""))
        .otherwise(t)
    )


def _date_formats(order: str) -> list[str]:
    first = ["%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"] if order == "DMY" else ["%m/%d/%Y", "%m-%d-%Y"]
    return ["%Y-%m-%d", "%Y/%m/%d", *first, "%Y%m%d"]


def _time_suffixes() -> list[str]:
    return [" %H:%M:%S%.f", " %H:%M:%S", " %H:%M"]


def typed_expr(col: Column, lenient: ReadOptions | None = None) -> pl.Expr:
    """Expression that turns the column's text into its contract type (null when it fails).

    With ``lenient``, numbers are also read as spreadsheets and POS tools write them (see
    :func:`number_text`), and dates and timestamps are also read in the other common export formats
    (ISO with a T or an offset, day-first or month-first as ``date_order`` says, with or
    without seconds), and timestamps with an offset or Z are converted to local time.
    """
    text = pl.col(col.name).str.strip_chars()
    match col.logical_type:
        case "string":
            return pl.col(col.name)
        case "integer":
            if lenient is None:
                return text.cast(pl.Int64, strict=False)
            plain = number_text(col.name)
            return pl.coalesce(
                plain.cast(pl.Int64, strict=False),
                # 12.0 is an integer written by a spreadsheet; 12.5 is not
                pl.when(plain.str.contains(r"^-?\d+\.0+$"))
                .then(plain.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False))
                .otherwise(None),
            )
        case "number":
            if lenient is None:
                return text.cast(col.polars_type, strict=False)
            return number_text(col.name).cast(col.polars_type, strict=False)
        case "date":
            primary = text.str.strptime(pl.Date, col.fmt or "%Y-%m-%d", strict=False)
            if lenient is None:
                return primary
            day = text.str.replace(r"[T ]\d{1,2}:\d{2}.*$", "")  # a date written with a time
            return pl.coalesce(
                primary,
                *[
                    day.str.strptime(pl.Date, f, strict=False)
                    for f in _date_formats(lenient.date_order)
                ],
            )
        case "timestamp":
            primary = text.str.strptime(
                pl.Datetime("us"), col.fmt or "%Y-%m-%d %H:%M:%S", strict=False
            )
            if lenient is None:
                return primary
            t = text.str.replace("T", " ").str.replace(r"\s*(Z|UTC|GMT)$", "+00:00")
            has_offset = t.str.contains(r"[+-]\d{2}:?\d{2}$")
            local = [
                t.str.strptime(pl.Datetime("us"), d + s, strict=False)
                for d in _date_formats(lenient.date_order)
                for s in _time_suffixes()
            ]
            with_offset = [
                t.str.strptime(pl.Datetime("us", "UTC"), "%Y-%m-%d" + s + "%z", strict=False)
                .dt.convert_time_zone(lenient.timezone)
                .dt.replace_time_zone(None)
                for s in _time_suffixes()
            ]
            # a date alone is midnight (so that 2099-01-01 is caught as in the future)
            dates = [
                t.str.strptime(pl.Datetime("us"), d, strict=False)
                for d in _date_formats(lenient.date_order)
            ]
            return (
                pl.when(has_offset)
                .then(pl.coalesce(with_offset))
                .otherwise(pl.coalesce(primary, *local, *dates))
            )
        case "boolean":
            low = text.str.to_lowercase()
            return (
                pl.when(low.is_in(TRUE_WORDS))
                .then(True)
                .when(low.is_in(FALSE_WORDS))
                .then(False)
                .otherwise(None)
            )
    raise ContractError(f"unsupported type {col.logical_type}")


def date_order_of(values: pl.Series, default: str) -> str:
    """DMY or MDY for the a/b/yyyy dates of one file: a first part above 12 means day-first, a
    second part above 12 means month-first; otherwise the setting decides."""
    parts = values.drop_nulls().str.extract_groups(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{4}")
    if parts.is_empty():
        return default
    a = parts.struct.field("1").cast(pl.Int64, strict=False)
    b = parts.struct.field("2").cast(pl.Int64, strict=False)
    if (a > 12).any():
        return "DMY"
    if (b > 12).any():
        return "MDY"
    return default


# Dates exports write when they have none (Unix epoch, spreadsheet and system minimums and
# maximums): never a real event, so a row carrying one is rejected with its own rule.
PLACEHOLDER_DATES = ("1970-01-01", "1900-01-01", "1899-12-30", "9999-12-31")
EARLIEST_DATE = "1900-01-01"  # history as old as a business: no date column accepts earlier


def row_rules(
    contract: Contract, options: ReadOptions | None = None, lenient: frozenset[str] = frozenset()
) -> list[tuple[str, str, pl.Expr, str]]:
    """(rule, column, failing-row condition over raw text + typed ``__t_<col>``, message).

    Key uniqueness within a file is checked separately, in :func:`validate_frame`.
    """
    rules: list[tuple[str, str, pl.Expr, str]] = []
    for col in contract.columns:
        raw = pl.col(col.name)
        typed = pl.col(f"__t_{col.name}")
        if col.required:
            rules.append(("required", col.name, raw.is_null(), "value is required but empty"))
        if col.is_identifier:
            rules.append(
                (
                    "excel_scientific",
                    col.name,
                    raw.str.strip_chars().str.contains(EXCEL_SCIENTIFIC),
                    "an id in scientific notation (a spreadsheet turned it into a number and "
                    "lost its digits): re-export with the column formatted as text",
                )
            )
        if col.logical_type in ("date", "timestamp"):
            day = typed if col.logical_type == "date" else typed.dt.date()
            rules.append(
                (
                    "placeholder_date",
                    col.name,
                    raw.str.strip_chars().str.contains(r"^0000-00-00")
                    | day.is_in([dt.date.fromisoformat(d) for d in PLACEHOLDER_DATES]),
                    "a placeholder an export writes for no date ("
                    + ", ".join(["0000-00-00", *PLACEHOLDER_DATES])
                    + "), not a real date",
                )
            )
        if col.logical_type != "string":
            hint = f" (format {col.fmt})" if col.fmt else ""
            rules.append(
                (
                    f"type_{col.logical_type}",
                    col.name,
                    raw.is_not_null() & typed.is_null(),
                    f"not a valid {col.logical_type}{hint}",
                )
            )
        if col.allowed_values is not None:
            rules.append(
                (
                    "allowed_values",
                    col.name,
                    typed.is_not_null() & ~typed.is_in(list(col.allowed_values)),
                    f"not one of {', '.join(col.allowed_values)}",
                )
            )
        if col.decimal:
            scale = col.decimal[1]
            text = number_text(col.name) if col.name in lenient else raw.str.strip_chars()
            as_float = text.cast(pl.Float64, strict=False)
            rules.append(
                (
                    "decimal_places",
                    col.name,
                    typed.is_not_null() & ((as_float - typed.cast(pl.Float64)).abs() > 1e-9),
                    f"more than {scale} decimal places",
                )
            )
        lo, hi = col.bound(col.minimum), col.bound(col.maximum)
        if lo is None and col.logical_type in ("date", "timestamp"):
            lo = col.bound(
                EARLIEST_DATE if col.logical_type == "date" else EARLIEST_DATE + " 00:00"
            )
        if lo is not None:
            rules.append(("minimum", col.name, typed < pl.lit(lo), f"below the minimum {lo}"))
        if hi is not None:
            rules.append(("maximum", col.name, typed > pl.lit(hi), f"above the maximum {hi}"))
        if col.logical_type in ("date", "timestamp") and not col.allow_future:
            latest = (options or ReadOptions()).latest_allowed
            limit = (
                pl.lit(latest)
                if col.logical_type == "date"
                else pl.lit(dt.datetime.combine(latest, dt.time.max))
            )
            rules.append(
                ("future", col.name, typed > limit, f"in the future (after {latest.isoformat()})")
            )
    return rules


@dataclass
class Validated:
    good: pl.DataFrame  # typed, contract columns + _row_number
    rejected: pl.DataFrame  # _row_number, _rule, _column, _reason, _raw_record
    missing_columns: list[str]
    extra_columns: list[str]


def raw_record(fields: list[str]) -> pl.Expr:
    """A row's fields as JSON text, as kept with every rejected row (``_raw_record``)."""
    return pl.struct(fields).struct.json_encode() if fields else pl.lit("{}")


def every_row_rejected(
    text: pl.DataFrame, rule: str, column: str, reason: str, record: pl.Expr | None = None
) -> pl.DataFrame:
    """Every row of a file as a rejected row with one rule (a whole-file rejection); ``record``
    defaults to the row's fields as JSON."""
    if record is None:
        record = raw_record([c for c in text.columns if c != "_row_number"])
    return text.select(
        pl.col("_row_number"),
        pl.lit(rule).alias("_rule"),
        pl.lit(column).alias("_column"),
        pl.lit(reason).alias("_reason"),
        record.alias("_raw_record"),
    )


def match_header(contract: Contract, text: pl.DataFrame) -> pl.DataFrame:
    """Rename columns that match a contract column up to case and surrounding spaces."""
    wanted = {c.lower(): c for c in contract.column_names}
    renames = {
        c: wanted[c.strip().lower()]
        for c in text.columns
        if c not in contract.column_names
        and c.strip().lower() in wanted
        and wanted[c.strip().lower()] not in text.columns
    }
    return text.rename(renames) if renames else text


def _typed_columns(
    contract: Contract, frame: pl.DataFrame, options: ReadOptions
) -> tuple[list[pl.Expr], frozenset[str]]:
    """Typing expressions, and the columns read leniently: numbers, dates and timestamps fall
    back to the lenient readings only in files where the plain reading (the contract's format)
    does not read every value, so that the common case stays fast."""
    exprs = {c.name: typed_expr(c) for c in contract.columns}
    checked = [c for c in contract.columns if c.logical_type not in ("string", "boolean")]
    lenient: set[str] = set()
    if checked and frame.height:
        counts = frame.select(
            *[pl.col(c.name).is_not_null().sum().alias(f"n_{c.name}") for c in checked],
            *[exprs[c.name].is_not_null().sum().alias(f"ok_{c.name}") for c in checked],
        ).row(0, named=True)
        for c in checked:
            if counts[f"ok_{c.name}"] < counts[f"n_{c.name}"]:
                lenient.add(c.name)
                order = (
                    date_order_of(frame[c.name], options.date_order)
                    if c.logical_type in ("date", "timestamp")
                    else options.date_order
                )
                exprs[c.name] = typed_expr(c, ReadOptions(options.timezone, order, options.today))
    return [e.alias(f"__t_{name}") for name, e in exprs.items()], frozenset(lenient)


def validate_frame(
    contract: Contract, text: pl.DataFrame, options: ReadOptions | None = None
) -> Validated:
    """Validate a frame of text columns (as read from a file, plus ``_row_number``).

    Rows that break a rule are returned in ``rejected`` with every failed rule; the others are
    returned typed in ``good``. Missing required columns reject every row.
    """
    options = options or ReadOptions()
    text = match_header(contract, text)
    present = set(text.columns)
    missing = [c for c in contract.required_columns if c not in present]
    bookkeeping = ("_row_number", "_raw_record")
    extra = [c for c in text.columns if c not in contract.column_names and c not in bookkeeping]
    fields = [c for c in text.columns if c not in bookkeeping]
    # a vendor file brings the row as the vendor wrote it
    record = pl.col("_raw_record") if "_raw_record" in text.columns else raw_record(fields)
    if missing:
        reason = "file lacks required column(s): " + ", ".join(missing)
        rejected = every_row_rejected(text, "required_column", ", ".join(missing), reason, record)
        return Validated(empty_good(contract), rejected, missing, extra)
    # optional columns that the file lacks are added as empty
    frame = text.with_columns(
        [pl.lit(None, dtype=pl.String).alias(c) for c in contract.column_names if c not in present]
    ).with_columns([pl.col(c).cast(pl.String) for c in contract.column_names])
    typed, lenient = _typed_columns(contract, frame, options)
    frame = frame.with_columns(typed)
    rules = row_rules(contract, options, lenient)
    failures = [
        pl.when(cond.fill_null(False)).then(pl.lit(f"{column}: {rule}: {message}")).otherwise(None)
        for rule, column, cond, message in rules
    ]
    first_rule = pl.coalesce(
        [pl.when(c.fill_null(False)).then(pl.lit(r)) for r, _, c, _ in rules] + [pl.lit(None)]
    )
    first_col = pl.coalesce(
        [pl.when(c.fill_null(False)).then(pl.lit(col)) for _, col, c, _ in rules] + [pl.lit(None)]
    )
    frame = frame.with_columns(
        pl.concat_str(failures, separator="; ", ignore_nulls=True).alias("_reason"),
        first_rule.alias("_rule"),
        first_col.alias("_column"),
        record.alias("_raw_record"),
    )
    # A key seen again in the file is a duplicate only among rows that pass every other rule:
    # the first valid occurrence is kept.
    for key in contract.key_columns:
        dup = pl.col("_rule").is_null() & (
            pl.col(key).cum_count().over([key, pl.col("_rule").is_null()]) > 1
        )
        msg = (
            f"{key}: unique_in_file: duplicate key in the same file (the first occurrence is kept)"
        )
        frame = frame.with_columns(
            pl.when(dup).then(pl.lit("unique_in_file")).otherwise(pl.col("_rule")).alias("_rule"),
            pl.when(dup).then(pl.lit(key)).otherwise(pl.col("_column")).alias("_column"),
            pl.when(dup).then(pl.lit(msg)).otherwise(pl.col("_reason")).alias("_reason"),
        )
    bad_mask = pl.col("_rule").is_not_null()
    rejected = frame.filter(bad_mask).select(
        "_row_number", "_rule", "_column", "_reason", "_raw_record"
    )
    good = frame.filter(~bad_mask).select(
        [pl.col(f"__t_{c.name}").alias(c.name) for c in contract.columns] + [pl.col("_row_number")]
    )
    return Validated(good, rejected, [], extra)


def empty_good(contract: Contract) -> pl.DataFrame:
    schema = {c.name: c.polars_type for c in contract.columns} | {"_row_number": pl.Int64()}
    return pl.DataFrame(schema=schema)


# --------------------------------------------------------------------------- DuckDB DDL


def raw_table_ddl(contract: Contract, schema: str = "raw") -> str:
    cols = [f'"{c.name}" {c.duckdb_type}' for c in contract.columns]
    cols += [f'"{name}" {typ}' for name, (typ, _) in LINEAGE_COLUMNS.items()]
    return f'CREATE TABLE IF NOT EXISTS {schema}."{contract.name}" ({", ".join(cols)})'


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


if __name__ == "__main__":  # regenerate the dbt sources file
    from dagster_project.settings import load_settings

    s = load_settings()
    target = s.dbt_project_dir / SOURCES_FILE
    target.write_text(dbt_sources_yaml(load_contracts(s.contracts_dir)))
    print(f"wrote {target}")
