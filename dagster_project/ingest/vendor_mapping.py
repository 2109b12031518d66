"""Apply a vendor export format: the vendor file's rows as the contract's text columns.

The format (a YAML file in ``data_contracts/vendors/``, parsed by :mod:`formats`) says how each
contract column is made from the vendor's columns; this module turns that into polars
expressions. Validation against the contract comes afterwards, exactly as for canonical files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from dagster_project.contracts import Contract, ReadOptions, number_text, raw_record
from dagster_project.ingest.formats import FormatError, VendorFormat, normalise_name
from dagster_project.ingest.reader import FileText, malformed_rejects

# time zone names vendors print (Square, Shopify, Zendesk use the Rails names) -> IANA
ZONE_NAMES = {
    "pacific time (us & canada)": "America/Los_Angeles",
    "mountain time (us & canada)": "America/Denver",
    "central time (us & canada)": "America/Chicago",
    "eastern time (us & canada)": "America/New_York",
    "alaska": "America/Anchorage",
    "hawaii": "Pacific/Honolulu",
    "arizona": "America/Phoenix",
    "atlantic time (canada)": "America/Halifax",
    "london": "Europe/London",
    "edinburgh": "Europe/London",
    "dublin": "Europe/Dublin",
    "paris": "Europe/Paris",
    "berlin": "Europe/Berlin",
    "madrid": "Europe/Madrid",
    "amsterdam": "Europe/Amsterdam",
    "sydney": "Australia/Sydney",
    "melbourne": "Australia/Melbourne",
    "auckland": "Pacific/Auckland",
    "utc": "UTC",
}


class _Frame:
    """The vendor file's columns, looked up by name case-insensitively."""

    def __init__(self, df: pl.DataFrame):
        self.df = df
        self.by_name = {normalise_name(c): c for c in df.columns if not c.startswith("_")}

    def name(self, wanted: str) -> str | None:
        return self.by_name.get(normalise_name(wanted))

    def match(self, pattern: str) -> str | None:
        rx = re.compile(pattern)
        return next((c for c in self.df.columns if not c.startswith("_") and rx.search(c)), None)


def _zone_expr(naive: pl.Expr, fmt: VendorFormat, frame: _Frame, target: str) -> pl.Expr:
    """Local vendor times (naive) as naive times in the business's time zone."""
    tz = fmt.timezone
    if tz is None:
        return naive
    if isinstance(tz, str):
        return (
            naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone(target)
            .dt.replace_time_zone(None)
        )
    column = frame.name(tz["column"])
    if column is None:
        return naive
    names = {normalise_name(k): v for k, v in (tz.get("names") or {}).items()} | ZONE_NAMES
    out = pl.lit(None, dtype=pl.Datetime("us"))
    for value in frame.df[column].drop_nulls().unique().to_list():
        zone = names.get(normalise_name(value), value)
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            continue  # an unknown zone: the time stays empty and the row is rejected
        converted = (
            naive.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone(target)
            .dt.replace_time_zone(None)
        )
        out = pl.when(pl.col(column) == value).then(converted).otherwise(out)
    return out


@dataclass
class _Value:
    expr: pl.Expr
    kind: str  # text | number | timestamp | date


class _Mapper:
    def __init__(self, fmt: VendorFormat, frame: _Frame, options: ReadOptions):
        self.fmt, self.frame, self.options = fmt, frame, options
        self.missing: list[str] = []

    def col(self, name: str) -> pl.Expr | None:
        actual = self.frame.name(name)
        if actual is None:
            self.missing.append(name)
            return None
        return pl.col(actual)

    def number(self, operand: Any) -> pl.Expr | None:
        if isinstance(operand, (int, float)):
            return pl.lit(float(operand))
        if isinstance(operand, str):
            actual = self.frame.name(operand)
            if actual is None:
                self.missing.append(operand)
                return None
            return number_text(pl.col(actual)).cast(pl.Float64, strict=False)
        value = self.value(operand)
        return None if value is None else self._as_number(value)

    @staticmethod
    def _as_number(v: _Value) -> pl.Expr:
        """Money and quantities as vendors write them ($8.00, -$8.00, ($8.00), 1,234.50)."""
        if v.kind == "number":
            return v.expr
        return number_text(v.expr.cast(pl.String)).cast(pl.Float64, strict=False)

    def condition(self, cond: dict[str, Any]) -> pl.Expr:
        col = self.col(cond["column"])
        if col is None:
            return pl.lit(False)
        text = col.str.strip_chars().str.to_lowercase()
        if "equals" in cond:
            return text == str(cond["equals"]).lower()
        if "in" in cond:
            return text.is_in([str(v).lower() for v in cond["in"]])
        if "not_in" in cond:
            return ~text.is_in([str(v).lower() for v in cond["not_in"]]) | col.is_null()
        if cond.get("present"):
            return col.is_not_null() & (text != "")
        if cond.get("nonzero"):
            n = number_text(col).cast(pl.Float64, strict=False)
            return n.is_not_null() & (n != 0)
        raise FormatError(f"{self.fmt.path}: unknown condition {cond}")

    def value(self, spec: Any) -> _Value | None:
        """A column spec as an expression; ``None`` when every column it reads is absent."""
        if isinstance(spec, str):
            spec = {"column": spec}
        v = self._base(spec)
        if v is None:
            if "default" in spec:
                return _Value(pl.lit(str(spec["default"])), "text")
            return None
        return self._modify(v, spec)

    def _base(self, spec: dict[str, Any]) -> _Value | None:
        if "value" in spec:
            return _Value(pl.lit(None if spec["value"] is None else str(spec["value"])), "text")
        if "column" in spec:
            c = self.col(spec["column"])
            return None if c is None else _Value(c, "text")
        if "columns" in spec:
            cols = [c for c in (self.col(n) for n in spec["columns"]) if c is not None]
            return _Value(pl.coalesce(cols), "text") if cols else None
        if "match" in spec:
            actual = self.frame.match(spec["match"])
            if actual is None:
                self.missing.append(f"a column matching /{spec['match']}/")
                return None
            return _Value(pl.col(actual), "text")
        if "template" in spec:
            parts: list[pl.Expr] = []
            for lit, name in re.findall(r"([^{]*)(?:\{([^}]*)\})?", spec["template"]):
                if lit:
                    parts.append(pl.lit(lit))
                if name:
                    c = self.col(name)
                    if c is None:
                        return None
                    parts.append(c)
            return _Value(pl.concat_str(parts), "text")
        if "numbered" in spec:  # <key>-<n>: the n-th file row with that key (a column or spec)
            key = self.value(spec["numbered"])
            if key is None:
                return None
            text = key.expr.cast(pl.String)
            n = pl.int_range(1, pl.len() + 1).over(text)
            return _Value(pl.concat_str([text, pl.lit("-"), n.cast(pl.String)]), "text")
        if "case" in spec:
            out: pl.Expr | None = None
            kind = "text"
            otherwise = self.value(spec["else"]) if "else" in spec else None
            for branch in reversed(spec["case"]):
                then = self.value(branch["then"])
                if then is None:
                    continue
                kind = then.kind
                base = out if out is not None else (otherwise.expr if otherwise else None)
                when = pl.when(self.condition(branch["when"])).then(then.expr)
                out = when.otherwise(base) if base is not None else when
            if out is None:
                return otherwise
            return _Value(out, kind)
        if "pick" in spec:  # the value of the first listed column that is present and nonzero
            out = None
            for column, value in reversed(list(spec["pick"].items())):
                cond = self.condition({"column": column, "present": True})
                if (actual := self.frame.name(column)) is not None:
                    n = number_text(pl.col(actual)).cast(pl.Float64, strict=False)
                    cond = cond & (n.is_null() | (n != 0))
                then = pl.when(cond).then(pl.lit(str(value)))
                out = then.otherwise(out) if out is not None else then
            return _Value(out if out is not None else pl.lit(None, pl.String), "text")
        raise FormatError(f"{self.fmt.path}: cannot read column spec {spec}")

    def _modify(self, v: _Value, spec: dict[str, Any]) -> _Value:
        if "extract" in spec:  # the first group of a regular expression ("9 - Likely" -> 9)
            v = _Value(v.expr.cast(pl.String).str.extract(spec["extract"], 1), "text")
        if "values" in spec:  # value map, case-insensitive; others pass through or -> unmapped
            mapping = {
                str(k).strip().lower(): (None if x is None else str(x))
                for k, x in spec["values"].items()
            }
            key = v.expr.cast(pl.String).str.strip_chars().str.to_lowercase()
            other = (
                pl.lit(str(spec["unmapped"]))
                if spec.get("unmapped") is not None
                else v.expr.cast(pl.String)
            )
            mapped = key.replace_strict(mapping, default=other, return_dtype=pl.String)
            v = _Value(pl.when(v.expr.is_null()).then(None).otherwise(mapped), "text")
        if spec.get("slug"):  # "Market Square" -> market_square
            v = _Value(
                v.expr.cast(pl.String)
                .str.strip_chars()
                .str.to_lowercase()
                .str.replace_all(r"[^a-z0-9]+", "_")
                .str.strip_chars("_"),
                "text",
            )
        if spec.get("number"):
            v = _Value(self._as_number(v), "number")
        for op in ("times", "divided_by", "plus", "minus"):
            if op in spec:
                other = self.number(spec[op])
                base = self._as_number(v)
                if other is None:
                    other = pl.lit(None, pl.Float64)
                expr = {
                    "times": base * other,
                    "divided_by": pl.when(other != 0).then(base / other),
                    "plus": base + other.fill_null(0),
                    "minus": base - other.fill_null(0),
                }[op]
                v = _Value(expr, "number")
        if spec.get("abs"):
            v = _Value(self._as_number(v).abs(), "number")
        if spec.get("negate"):
            v = _Value(-self._as_number(v), "number")
        if "negate_when" in spec:
            v = _Value(
                pl.when(self.condition(spec["negate_when"]))
                .then(-self._as_number(v))
                .otherwise(self._as_number(v)),
                "number",
            )
        if "timestamp" in spec or "date" in spec:
            formats = spec.get("timestamp") or spec.get("date")
            formats = [formats] if isinstance(formats, str) else list(formats)
            local = "date" in spec  # a calendar date is not moved between time zones
            v = _Value(self._parse_time(v.expr.cast(pl.String), formats, local), "timestamp")
        if spec.get("unix_time"):
            seconds = self._as_number(v).cast(pl.Int64, strict=False)
            v = _Value(
                pl.from_epoch(seconds, time_unit="s")
                .dt.replace_time_zone("UTC")
                .dt.convert_time_zone(self.options.timezone)
                .dt.replace_time_zone(None)
                .dt.cast_time_unit("us"),
                "timestamp",
            )
        if "add_minutes" in spec:
            minutes = self.number(spec["add_minutes"])
            if minutes is None:
                v = _Value(pl.lit(None, pl.Datetime("us")), "timestamp")
            else:
                v = _Value(
                    v.expr + pl.duration(milliseconds=(minutes * 60_000).round(0).cast(pl.Int64)),
                    "timestamp",
                )
        if "date" in spec:
            v = _Value(v.expr.dt.date(), "date")
        if spec.get("default") is not None:  # for empty values (a missing column: _base)
            default = pl.lit(str(spec["default"]))
            if v.kind == "number":
                default = default.cast(pl.Float64, strict=False)
            v = _Value(pl.coalesce([v.expr, default]), v.kind)
        return v

    def _parse_time(self, text: pl.Expr, formats: list[str], local: bool = False) -> pl.Expr:
        """Text read with the first fitting format: times with an offset, and local times of
        the format's time zone, as naive times of the business's zone (``local``: as written)."""
        text = text.str.strip_chars()
        target = self.options.timezone
        aware = [
            text.str.to_datetime(f, strict=False, time_unit="us")
            .dt.convert_time_zone(target)
            .dt.replace_time_zone(None)
            for f in formats
            if "%z" in f or "%Z" in f
        ]
        naive = [
            text.str.to_datetime(f, strict=False, time_unit="us")
            for f in formats
            if "%z" not in f and "%Z" not in f
        ]
        parts = list(aware)
        if naive:
            naive_time = pl.coalesce(naive)
            parts.append(
                naive_time if local else _zone_expr(naive_time, self.fmt, self.frame, target)
            )
        return pl.coalesce(parts) if len(parts) > 1 else parts[0]


def _to_text(v: _Value, scale: int | None) -> pl.Expr:
    if v.kind == "number":
        x = v.expr.round(scale) if scale is not None else v.expr
        return x.cast(pl.String)
    if v.kind == "timestamp":
        return v.expr.dt.strftime("%Y-%m-%d %H:%M:%S")
    if v.kind == "date":
        return v.expr.dt.strftime("%Y-%m-%d")
    return v.expr.cast(pl.String)


def _malformed(rows: pl.DataFrame, rule: str, reason: str) -> pl.DataFrame:
    """File rows (with their ``_record``) the mapping rejects, with the rule and reason."""
    return rows.select(
        "_row_number",
        pl.lit(rule).alias("_rule"),
        pl.lit(reason).alias("_reason"),
        pl.col("_record").alias("_raw_record"),
    )


def _empty_rejects() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "_row_number": pl.Int64,
            "_rule": pl.String,
            "_reason": pl.String,
            "_raw_record": pl.String,
        }
    )


def apply_format(
    fmt: VendorFormat, contract: Contract, text: FileText, options: ReadOptions
) -> FileText:
    """The vendor file's rows as the contract's text columns (validation comes after).

    Each output row keeps the file row number it came from (for a group, its first row) and,
    in ``_raw_record``, the vendor row(s) as read, so a rejected row shows what the file said.
    Rows the mapping itself cannot use (no group key, a row kind the format leaves out) are
    returned in ``malformed`` with their rule and reason."""
    df = text.frame
    rejects = [malformed_rejects(text.malformed)]
    notes = [f"format {fmt.id} ({fmt.title}, data_contracts/vendors/{fmt.path.name})", *text.notes]
    frame = _Frame(df)
    if fmt.fill_forward:  # order fields only on an order's first row (Shopify)
        key = frame.name(fmt.fill_forward["by"])
        if key is not None:
            columns = [
                frame.name(c) for c in fmt.fill_forward.get("columns", []) if frame.name(c)
            ] or [c for c in df.columns if not c.startswith("_") and c != key]
            df = df.sort("_row_number").with_columns(
                pl.col(c).forward_fill().over(key) for c in columns
            )
            frame = _Frame(df)
    fields = [c for c in df.columns if not c.startswith("_")]
    df = df.with_columns(raw_record(fields).alias("_record"))
    frame = _Frame(df)
    outputs: list[pl.DataFrame] = []
    missing: list[str] = []
    sets = fmt.outputs[contract.name]
    for rs in sets:
        mapper = _Mapper(fmt, frame, options)
        where = mapper.condition(rs.where) if rs.where else pl.lit(True)
        values: dict[str, _Value] = {}
        for column, spec in rs.columns.items():
            mapper.missing = []
            v = mapper.value(spec)
            if v is not None:
                values[column] = v
            else:  # none of the columns it reads is in the file
                lacks = f"{column} (from {' or '.join(mapper.missing)})"
                missing += [lacks] if lacks not in missing else []
        if rs.reject_others:
            others = df.filter(~where.fill_null(False))
            rejects.append(
                _malformed(others, "out_of_scope", f"(row): out_of_scope: {rs.reject_others}")
            )
        rows = df.filter(where.fill_null(False))
        if rs.group_by:
            keys = [frame.name(k) for k in rs.group_by]
            if any(k is None for k in keys):  # no group can be made: every row says why
                absent = [k for k, a in zip(rs.group_by, keys, strict=True) if a is None]
                rejects.append(
                    _malformed(
                        rows,
                        "group_key",
                        f"(row): group_key: the file lacks {', '.join(absent)}, which the "
                        "format groups rows by",
                    )
                )
                continue
            no_key = pl.any_horizontal([pl.col(k).is_null() for k in keys])
            rejects.append(
                _malformed(
                    rows.filter(no_key),
                    "group_key",
                    f"(row): group_key: no {', '.join(rs.group_by)} on this row, so it belongs "
                    "to no group",
                )
            )
            rows = rows.filter(~no_key)
            typed = rows.sort("_row_number").select(
                *[pl.col(k) for k in keys],
                pl.col("_row_number"),
                pl.col("_record"),
                *[v.expr.alias(c) for c, v in values.items()],
            )
            aggs = []
            for c in values:
                how = rs.aggregate.get(c, "first")
                e = pl.col(c)
                aggs.append(
                    {
                        "first": e.drop_nulls().first(),
                        "sum": e.sum(),
                        "min": e.min(),
                        "max": e.max(),
                    }[how].alias(c)
                )
            out = typed.group_by(keys, maintain_order=True).agg(
                pl.col("_row_number").min(),
                ("[" + pl.col("_record").str.join(",") + "]").alias("_raw_record"),
                *aggs,
            )
            out = out.select(
                "_row_number",
                "_raw_record",
                *[
                    _to_text(_Value(pl.col(c), v.kind), _scale(contract, c)).alias(c)
                    for c, v in values.items()
                ],
            )
        else:
            out = rows.select(
                "_row_number",
                pl.col("_record").alias("_raw_record"),
                *[_to_text(v, _scale(contract, c)).alias(c) for c, v in values.items()],
            )
        outputs.append(out)
    frame_out = (
        pl.concat(outputs, how="diagonal_relaxed")
        if outputs
        else pl.DataFrame(schema={"_row_number": pl.Int64, "_raw_record": pl.String})
    )
    frame_out = frame_out.with_columns(
        pl.col(c).replace("", None) for c in frame_out.columns if not c.startswith("_")
    )
    if missing:
        notes.append("left empty, the file lacks their columns: " + ", ".join(missing))
    bad = pl.concat([r.cast(_empty_rejects().schema) for r in rejects])
    return FileText(frame_out, bad, notes, text.delimiter)


def _scale(contract: Contract, column: str) -> int | None:
    dec = contract.column(column).decimal
    return dec[1] if dec else None
