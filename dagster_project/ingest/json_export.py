"""Read a JSON export (Google Business Profile reviews, from its API or Takeout) as a table of
text columns, so that the vendor formats map it like any CSV export.

The records are the top-level list of objects, or the one list of objects that the top-level
object holds (``{"reviews": [...], "averageRating": 4.4, "nextPageToken": ...}``; with several
such lists, the longest). Nested objects become dotted column names (``reviewer.displayName``,
``reviewReply.comment``); lists are kept as JSON text; numbers and booleans as their JSON text.
A list item that is not an object is kept aside as a malformed row with its row number. Files
larger than :data:`MAX_JSON_BYTES` are not read (a JSON document is parsed whole).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

MAX_JSON_BYTES = 256 << 20


class NotRecords(ValueError):
    """The file is not JSON, or holds no list of records."""


def _records(doc: Any) -> list[Any]:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        lists = [v for v in doc.values() if isinstance(v, list)]
        with_records = [v for v in lists if any(isinstance(x, dict) for x in v)]
        if with_records:
            return max(with_records, key=len)
        return [] if lists else [doc]  # {"reviews": []}: none yet; a lone object: one record
    raise NotRecords("holds no list of records (objects)")


def _flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for key, value in obj.items():
        name = f"{prefix}{str(key).strip()}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        elif value is None:
            out[name] = None
        elif isinstance(value, str):
            out[name] = value if value.strip() else None
        else:
            out[name] = json.dumps(value, ensure_ascii=False)
    return out


def load(path: Path) -> tuple[list[str], list[dict[str, str | None]], list[tuple[int, str, str]]]:
    """(column names in first-seen order, the flattened rows by row number, the items that are
    not records as (row number, reason, raw text))."""
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        raise NotRecords(f"a JSON file of {size:,} bytes (more than {MAX_JSON_BYTES:,})")
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotRecords(f"not valid JSON ({exc})") from None
    except RecursionError:  # "[[[[..." thousands deep: refused, never a crash of the refresh
        raise NotRecords("nested too deeply to be an export") from None
    try:
        return _table(doc)
    except RecursionError:
        raise NotRecords("nested too deeply to be an export") from None


def _table(doc: Any) -> tuple[list[str], list[dict[str, str | None]], list[tuple[int, str, str]]]:
    names: dict[str, None] = {}
    rows: list[dict[str, str | None]] = []
    odd: list[tuple[int, str, str]] = []
    for number, item in enumerate(_records(doc), start=1):
        if not isinstance(item, dict):
            odd.append((number, "a list item that is not a record", json.dumps(item)[:1000]))
            rows.append({})
            continue
        flat = _flatten(item)
        names.update(dict.fromkeys(flat))
        rows.append(flat)
    return list(names), rows, odd


def header(path: Path) -> list[str]:
    """The column names of a JSON export (empty when it holds no records)."""
    try:
        return load(path)[0]
    except NotRecords:
        return []


def frame(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the records as text columns with ``_row_number``, the malformed items as
    ``_row_number``, ``_reason``, ``_raw_record``)."""
    names, rows, odd = load(path)
    bad = {n for n, _, _ in odd}
    kept = [(n, r) for n, r in enumerate(rows, start=1) if n not in bad]
    df = pl.DataFrame(
        {name: [r.get(name) for _, r in kept] for name in names},
        schema={name: pl.String for name in names},
    ).with_columns(pl.Series("_row_number", [n for n, _ in kept], pl.Int64))
    malformed = pl.DataFrame(
        odd,
        schema={"_row_number": pl.Int64, "_reason": pl.String, "_raw_record": pl.String},
        orient="row",
    )
    return df, malformed
