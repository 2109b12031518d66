"""The owner's contact lists as CSV files beside the pages, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is read by
Excel, LibreOffice and Google Sheets as a formula: a customer who typed ``=HYPERLINK(...)``
into a survey could otherwise run it on the owner's machine. Such a cell is written with a
leading apostrophe, which spreadsheets show as text (OWASP, "CSV injection")."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M")
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_list(path: Path, columns: list[tuple[str, str]], rows: list[dict[str, Any]]) -> None:
    """``columns``: (header, key) pairs, as the page's table shows them."""
    with path.open("w", newline="", encoding="utf-8-sig") as f:  # BOM: Excel reads UTF-8
        w = csv.writer(f)
        w.writerow([label for label, _ in columns])
        for row in rows:
            w.writerow([spreadsheet_safe(row.get(key)) for _, key in columns])
