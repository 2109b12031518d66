"""Row rules: which rows of a file break their contract, and why (the rule, the column and the
reason in words), and the typed good rows. docs/bad_inputs.md lists every rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import polars as pl

from dagster_project.contracts.model import Contract
from dagster_project.contracts.parsing import ReadOptions, date_order_of, number_text, typed_expr

EXCEL_SCIENTIFIC = r"^\d(\.\d+)?[eE]\+\d+$"


# Dates exports write when they have none (Unix epoch, spreadsheet and system minimums and
# maximums): never a real event, so a row carrying one is rejected with its own rule.
PLACEHOLDER_DATES = ("1970-01-01", "1900-01-01", "1899-12-30", "9999-12-31")


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
            blank = raw.is_null() | (raw.str.strip_chars() == "")
            rules.append(("required", col.name, blank, "value is required but empty"))
        if col.required_without:
            other = col.required_without
            rules.append(
                (
                    "required",
                    col.name,
                    raw.is_null() & pl.col(other).is_null(),
                    f"value is required when {other} is empty",
                )
            )
        if col.not_before:
            rules.append(
                (
                    "not_before",
                    col.name,
                    typed < pl.col(f"__t_{col.not_before}"),
                    f"before {col.not_before} (an end before its start)",
                )
            )
        if col.not_above:
            rules.append(
                (
                    "not_above",
                    col.name,
                    typed.cast(pl.Float64) > pl.col(f"__t_{col.not_above}").cast(pl.Float64),
                    f"above {col.not_above} (the most it can be)",
                )
            )
        if col.maximum_per_day:
            start, end, most = col.maximum_per_day
            first = pl.col(f"__t_{start}")
            days = (pl.coalesce(pl.col(f"__t_{end}"), first) - first).dt.total_days() + 1
            rules.append(
                (
                    "maximum",
                    col.name,
                    typed.cast(pl.Float64) > days.clip(lower_bound=1).cast(pl.Float64) * most,
                    f"above the maximum of {most:g} per day from {start} to {end}",
                )
            )
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
        placeholder = pl.lit(False)
        if col.logical_type in ("date", "timestamp"):
            day = typed if col.logical_type == "date" else typed.dt.date()
            placeholder = raw.str.strip_chars().str.contains(r"^0000-00-00") | day.is_in(
                [dt.date.fromisoformat(d) for d in PLACEHOLDER_DATES]
            )
            rules.append(
                (
                    "placeholder_date",
                    col.name,
                    placeholder,
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
            # history as old as the business: from its opening date (1900 when unknown)
            earliest = (options or ReadOptions()).earliest
            lo = (
                earliest if col.logical_type == "date" else dt.datetime.combine(earliest, dt.time())
            )
        if lo is not None:
            below = (typed < pl.lit(lo)) & ~placeholder.fill_null(False)
            rules.append(("minimum", col.name, below, f"below the minimum {lo}"))
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
                (
                    "future",
                    col.name,
                    (typed > limit) & ~placeholder.fill_null(False),
                    f"in the future (after {latest.isoformat()})",
                )
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
                exprs[c.name] = typed_expr(c, replace(options, date_order=order))
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
