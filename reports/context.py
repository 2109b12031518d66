"""What every page of one build shares: the warehouse connection, the currency, the exports
that arrived, the months (complete ones apart from one under way) and the KPI definitions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb

from reports.periods import Freshness, Period


@dataclass
class ReportContext:
    con: duckdb.DuckDBPyConnection
    currency: str
    built: dt.datetime
    loaded: set[str]  # sources with rows loaded
    company: list[dict[str, Any]]  # kpi_company_monthly, every month
    period: Period  # the complete months, and the month under way if any
    freshness: Freshness
    definitions: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)  # kpi_customer_value_summary
