"""Read a landing file into text columns, by header name, with row numbers."""

from __future__ import annotations

from pathlib import Path

import polars as pl


class UnreadableFile(ValueError):
    """A file that cannot be parsed as CSV at all."""


def read_text_frame(path: Path) -> pl.DataFrame:
    """Every column as text (empty -> null), plus ``_row_number`` (1 = first data row)."""
    try:
        df = pl.read_csv(
            path,
            infer_schema=False,
            null_values=[""],
            encoding="utf8-lossy",
        )
    except pl.exceptions.NoDataError:
        df = pl.DataFrame()
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:  # malformed CSV
        raise UnreadableFile(f"{path.name}: cannot be read as CSV: {exc}") from exc
    df = df.rename({c: c.strip() for c in df.columns})
    return df.with_row_index("_row_number", offset=1).with_columns(
        pl.col("_row_number").cast(pl.Int64)
    )
