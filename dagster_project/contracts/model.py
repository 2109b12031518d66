"""What a contract is: the ODCS YAML files parsed once into :class:`Contract` objects, the single
source of truth for source schemas, and how its types map to polars and DuckDB. Reading values
is in ``parsing``, row rules in ``rules``, tables in ``ddl`` and the dbt sources in
``dbt_sources``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
from open_data_contract_standard.model import OpenDataContractStandard

from dagster_project.contracts.types import DUCKDB_TYPES, POLARS_TYPES


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
    # rules between columns of a row (logicalTypeOptions notBefore, requiredWithout,
    # maximumPerDay): a date not before another date column; a value required when another
    # column is empty; at most ``maximum`` per day of the span between two date columns
    not_before: str | None = None
    not_above: str | None = None  # at most the value of this column (a rating and its scale)
    required_without: str | None = None
    maximum_per_day: tuple[str, str, float] | None = None

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
    # how often a new file is expected (ODCS slaProperties ``frequency``) and how long past
    # that the source counts as late (``latency``); None: no expectation, never late
    arrives_every_days: float | None = None
    late_grace_days: float = 0.0

    @property
    def late_after_days(self) -> float | None:
        if self.arrives_every_days is None:
            return None
        return self.arrives_every_days + self.late_grace_days

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


def _per_day(path: Path, name: str, spec: Any) -> tuple[str, str, float] | None:
    """maximumPerDay: {from: <date column>, to: <date column>, maximum: <number>}."""
    if spec is None:
        return None
    try:
        return (str(spec["from"]), str(spec["to"]), float(spec["maximum"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ContractError(
            f"{path}: column {name!r}: maximumPerDay needs from, to and maximum"
        ) from exc


UNIT_DAYS = {
    "d": 1, "day": 1, "days": 1,
    "w": 7, "week": 7, "weeks": 7,
    "m": 31, "month": 31, "months": 31,
    "y": 366, "yr": 366, "year": 366, "years": 366,
}  # fmt: skip


def _sla_days(path: Path, odcs: Any, prop: str) -> float | None:
    """An ODCS ``slaProperties`` entry (``property: frequency``, ``value: 1``, ``unit: d``) in
    days; months count as 31 days so that a monthly export is never late by a short month."""
    for sla in odcs.slaProperties or []:
        if (sla.property or "").lower() != prop:
            continue
        unit = (sla.unit or "d").lower()
        try:
            value = float(sla.value)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise ContractError(f"{path}: slaProperties {prop}: value must be a number") from exc
        if unit not in UNIT_DAYS or value <= 0:
            raise ContractError(
                f"{path}: slaProperties {prop}: a positive value in one of "
                f"{sorted(set(UNIT_DAYS))}, not {sla.value!r} {sla.unit!r}"
            )
        return value * UNIT_DAYS[unit]
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
                not_before=opts.get("notBefore"),
                not_above=opts.get("notAbove"),
                required_without=opts.get("requiredWithout"),
                maximum_per_day=_per_day(path, prop.name, opts.get("maximumPerDay")),
            )
        )
    names = {c.name for c in columns}
    for c in columns:
        others = [
            c.not_before,
            c.not_above,
            c.required_without,
            *(c.maximum_per_day or [None, None])[:2],
        ]
        if missing := [o for o in others if o is not None and o not in names]:
            raise ContractError(f"{path}: column {c.name!r} refers to unknown column(s) {missing}")
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
        arrives_every_days=_sla_days(path, odcs, "frequency"),
        late_grace_days=_sla_days(path, odcs, "latency") or 0.0,
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
