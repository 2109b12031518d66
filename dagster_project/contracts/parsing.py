"""Reading values: export text (numbers as spreadsheets write them, dates in the common export
formats, booleans in words) turned into a contract column's type, null when it cannot be read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from dagster_project.contracts.model import Column, ContractError

TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")


@dataclass(frozen=True)
class ReadOptions:
    """How to read values the contract's own format does not cover (see docs/bad_inputs.md)."""

    timezone: str = "UTC"  # the business's local time; timestamps with an offset convert to it
    date_order: str = "DMY"  # for 03/04/2026 when no value in the file says which order it uses
    today: dt.date | None = None  # dates after today + 1 day are rejected; None = the real today
    # no date before this is a real event of the business: its opening date (business profile)
    earliest: dt.date = dt.date(1900, 1, 1)

    @property
    def latest_allowed(self) -> dt.date:
        return (self.today or dt.date.today()) + dt.timedelta(days=1)


CURRENCY_AND_SPACE = r"[£$€¥\s\u00a0\u202f']"
# 1.234,56 / 12,5 (decimal comma) and 1,234.56 / 1,234 (thousands comma)
DECIMAL_COMMA = r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)$|^-?\d+,(\d{1,2}|\d{4,})$"
THOUSANDS_COMMA = r"^-?\d{1,3}(,\d{3})+(\.\d+)?$"


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
