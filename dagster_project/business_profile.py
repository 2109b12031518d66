"""The business profile: the owner's own facts (stores and their names, roles, product
categories, opening date, currency, locale, time zone, fiscal year) in one YAML file the owner
edits, ``config/business.yaml`` (``EMPATHY_PROFILE`` names another). The data contracts keep
types and rules only; the vocabulary of one business lives here.

Every entry is optional. A list the profile leaves empty is learned from the data; a value the
data holds and a non-empty list does not is loaded all the same and shown on the Data quality
page as new (``marts.kpi_values_seen``), so a new store's sales are never lost.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import yaml

from dagster_project.tables import replace_table, table

CURRENCY_SYMBOLS = {
    "GBP": "£",
    "EUR": "€",
    "USD": "$",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "JPY": "¥",
    "CHF": "CHF ",
    "SEK": "kr ",
    "NOK": "kr ",
    "DKK": "kr ",
    "PLN": "zł ",
    "INR": "₹",
    "ZAR": "R ",
}
MONTH_DAY_FIRST_LOCALES = ("en_US", "en_PH", "en_CA")  # 03/04/2026 is 4 March
# The profile's lists and the warehouse table each becomes (profile schema).
# the lists of the profile, each a table profile.<list> of (id as exported, name to show); the
# agents are support agents by the HR employee id the help desk export carries (without a name,
# an agent appears as a salted key)
VOCABULARIES = ("stores", "roles", "product_categories", "agents")


class ProfileError(ValueError):
    """A business profile that cannot be used: the message names the file and the entry."""


@dataclass(frozen=True)
class BusinessProfile:
    name: str = "Your business"
    currency: str = "GBP"
    locale: str = "en_GB"
    timezone: str = "UTC"
    fiscal_year_start_month: int = 1
    opening_date: dt.date | None = None
    date_order: str | None = None  # DMY or MDY; None: from the locale
    # id -> display name; empty: learned from the data
    stores: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    product_categories: dict[str, str] = field(default_factory=dict)
    agents: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    @property
    def currency_symbol(self) -> str:
        return CURRENCY_SYMBOLS.get(self.currency, f"{self.currency} ")

    @property
    def day_order(self) -> str:
        if self.date_order:
            return self.date_order
        return "MDY" if self.locale in MONTH_DAY_FIRST_LOCALES else "DMY"

    @property
    def earliest_date(self) -> dt.date:
        """No event of the business is older than its opening date (1900 when unknown)."""
        return self.opening_date or dt.date(1900, 1, 1)


def display_name(value: str) -> str:
    """``market_square`` -> ``Market Square``: the name of a store or role the profile does not
    name."""
    return " ".join(w[:1].upper() + w[1:] for w in re.split(r"[_\s]+", value.strip()) if w)


def _names(path: Path, key: str, entries: Any) -> dict[str, str]:
    """A list of ids, or a mapping id -> name (or -> {name: ...})."""
    if entries in (None, [], {}):
        return {}
    if isinstance(entries, list):
        entries = {e: None for e in entries}
    if not isinstance(entries, dict):
        raise ProfileError(f"{path}: {key} must be a list of ids or a mapping id: name")
    out: dict[str, str] = {}
    for ident, spec in entries.items():
        name = spec.get("name") if isinstance(spec, dict) else spec
        ident = str(ident).strip()
        if not ident:
            raise ProfileError(f"{path}: {key} has an empty id")
        out[ident] = str(name).strip() if name else display_name(ident)
    return out


def _date(path: Path, key: str, value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ProfileError(f"{path}: {key} must be a date YYYY-MM-DD, not {value!r}") from exc


def parse_profile(path: Path) -> BusinessProfile:
    """The profile in ``path``; the defaults when the file does not exist."""
    if not path.is_file():
        return BusinessProfile(path=None)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise ProfileError(f"{path}: expected a mapping of settings")
    known = {
        "name",
        "currency",
        "locale",
        "timezone",
        "fiscal_year_start_month",
        "opening_date",
        "date_order",
        *VOCABULARIES,
    }
    if unknown := sorted(set(doc) - known):
        raise ProfileError(f"{path}: unknown entries {unknown}; known: {sorted(known)}")
    tz = str(doc.get("timezone") or "UTC")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ProfileError(f"{path}: timezone {tz!r} is not an IANA time zone") from exc
    month = doc.get("fiscal_year_start_month") or 1
    if not isinstance(month, int) or not 1 <= month <= 12:
        raise ProfileError(f"{path}: fiscal_year_start_month must be 1-12, not {month!r}")
    order = doc.get("date_order")
    if order is not None and str(order).upper() not in ("DMY", "MDY"):
        raise ProfileError(f"{path}: date_order must be DMY or MDY, not {order!r}")
    currency = str(doc.get("currency") or "GBP").upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ProfileError(
            f"{path}: currency must be an ISO 4217 code such as GBP, not {currency!r}"
        )
    return BusinessProfile(
        name=str(doc.get("name") or "Your business"),
        currency=currency,
        locale=str(doc.get("locale") or "en_GB"),
        timezone=tz,
        fiscal_year_start_month=month,
        opening_date=_date(path, "opening_date", doc.get("opening_date")),
        date_order=str(order).upper() if order else None,
        **{key: _names(path, key, doc.get(key)) for key in VOCABULARIES},
        path=path,
    )


def install_profile(con: duckdb.DuckDBPyConnection, profile: BusinessProfile) -> None:
    """The profile as tables of the ``profile`` schema, which the dbt models read
    (``source('profile', ...)``): one row of business facts, and one table per list."""
    facts = table("profile.business")
    replace_table(
        con,
        "profile.business",
        facts.frame([{c: getattr(profile, c) for c in facts.column_names}]),
    )
    for key in VOCABULARIES:
        names = table(f"profile.{key}")
        id_col, name_col = names.column_names
        rows = [{id_col: k, name_col: v} for k, v in getattr(profile, key).items()]
        replace_table(con, f"profile.{key}", names.frame(rows))
