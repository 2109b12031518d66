"""Which period the report shows, and how old its data is.

The refresh runs every day, so the report is read on the 1st, the 2nd and the 17th of a month.
A month with only some of its days in the data is never compared with a whole month: the
Overview's figures are those of the last complete month, and the days of the new month are
compared with the same days of the month before and of a year earlier. Every page says the
date of the newest data and how many days before the build it is; a source whose data stopped
well before the others' is named.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# Sources of dated daily events: their newest date says how far the data goes. Registers (CRM
# sign-ups, the employee list) and monthly surveys do not.
DAILY_SOURCES = ("pos_transactions", "nps_responses", "support_tickets", "hr_absences")
# a daily source whose newest data is this many days older than the newest of all is late
LATE_AFTER_DAYS = 14


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


@dataclass
class Freshness:
    built_on: dt.date
    data_end: dt.date | None  # newest date of a daily source
    by_source: dict[str, dt.date] = field(default_factory=dict)
    # source -> (when its last file arrived, days after which it is late, expected every n
    # days); the cadence is in the contracts
    arrivals: dict[str, tuple[dt.datetime | None, float | None, float | None]] = field(
        default_factory=dict
    )

    def days_since_file(self, source: str) -> float | None:
        last = self.arrivals.get(source, (None, None, None))[0]
        if last is None:
            return None
        built = dt.datetime.combine(self.built_on, dt.time(23, 59))
        return max((built - last).total_seconds() / 86400, 0.0)

    @property
    def not_arriving(self) -> list[tuple[str, dt.datetime]]:
        """Sources whose last file is older than their contract's cadence allows."""
        out = []
        for s, (last, limit, _) in sorted(self.arrivals.items()):
            since = self.days_since_file(s)
            if last is not None and limit is not None and since is not None and since > limit:
                out.append((s, last))
        return out

    @property
    def days_old(self) -> int | None:
        return None if self.data_end is None else (self.built_on - self.data_end).days

    @property
    def late(self) -> list[tuple[str, dt.date]]:
        """Daily sources whose newest data is well behind the newest of all."""
        if self.data_end is None:
            return []
        return [
            (s, d)
            for s, d in sorted(self.by_source.items())
            if s in DAILY_SOURCES and (self.data_end - d).days > LATE_AFTER_DAYS
        ]

    def sentence(self) -> str:
        if self.data_end is None:
            return "No dated sales, responses, tickets or absences loaded yet."
        days = self.days_old or 0
        when = (
            "the day this report was built"
            if days == 0
            else f"{days} day{'s' if days != 1 else ''} before this report was built"
        )
        return f"Data up to {self.data_end:%d %B %Y}, {when} ({self.built_on:%d %B %Y})."


def freshness(rows: list[dict[str, Any]], built_on: dt.date) -> Freshness:
    by_source = {r["source"]: r["last_data_date"] for r in rows if r["last_data_date"]}
    daily = [d for s, d in by_source.items() if s in DAILY_SOURCES]
    arrivals = {
        r["source"]: (
            r.get("latest_file_loaded_at"),
            r.get("late_after_days"),
            r.get("expected_every_days"),
        )
        for r in rows
    }
    return Freshness(built_on, max(daily) if daily else None, by_source, arrivals)


@dataclass
class Period:
    """The complete months the headline figures use, and the month under way, if any."""

    complete: list[dict[str, Any]]  # company rows up to the last complete month
    partial_month: dt.date | None = None  # first day of a month with only some days of data
    partial_days: int = 0  # days of that month with data (1 = the 1st only)

    @property
    def label(self) -> str:
        if not self.complete:
            return "No complete month yet"
        last = self.complete[-1]["month"]
        text = f"{last:%B %Y}, compared with the month before and a year earlier"
        if self.partial_month:
            text = f"{last:%B %Y} (the last complete month), compared with the month before and a year earlier"
        return text


def period(company: list[dict[str, Any]], fresh: Freshness) -> Period:
    """The last month of ``company`` is partial when the newest daily data ends before its last
    day: it is then left out of the headline figures and reported as days so far."""
    if not company or fresh.data_end is None:
        return Period(company)
    last = company[-1]["month"]
    if fresh.data_end >= month_end(last) or fresh.data_end < last:
        return Period(company)
    return Period(company[:-1], last, (fresh.data_end - last).days + 1)


def complete_only(rows: list[dict[str, Any]], until: dt.date | None, key: str = "month"):
    """The rows of complete months: a month under way (from ``until``) is left out of monthly
    charts, where a few days would read as a collapse."""
    return rows if until is None else [r for r in rows if r[key] is None or r[key] < until]
