"""Which exports have arrived, and what a page says when the ones it needs have not."""

from __future__ import annotations

import duckdb

from reports.queries import run_query

# What the owner drops into landing/ for each source (the data contracts): named when a page or
# a figure has nothing to show because that export has not arrived.
SOURCE_EXPORTS = {
    "pos_transactions": "point-of-sale export (payments)",
    "pos_line_items": "point-of-sale item lines",
    "crm_customers": "CRM customer export",
    "support_tickets": "help-desk ticket export",
    "nps_responses": "NPS survey export",
    "online_reviews": "online review export (Google, Trustpilot, ...)",
    "hr_employees": "HR employee register",
    "hr_engagement_responses": "staff pulse-survey export",
    "hr_absences": "absence records",
}
# The sources a page needs (any one of them is enough).


def missing_text(sources: tuple[str, ...] | list[str]) -> str:
    names = " or ".join(SOURCE_EXPORTS.get(s, s) for s in sources)
    return (
        f"No {names} yet: drop your tool's export into landing/ (as exported, or in "
        f"landing/{sources[0]}/) and the next refresh shows this."
    )


def loaded_sources(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The sources with at least one row loaded (an absent or wholly rejected export is none)."""
    return {r["source"] for r in run_query(con, "data_quality") if (r["rows_loaded"] or 0) > 0}
