"""Great Expectations suites generated from the contracts, run through the pandas route.

The SQL route of GX over DuckDB is broken upstream (GX issues 10738, 11579), so the raw
table is read into a dataframe and validated in memory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402

from dagster_project.contracts import Contract  # noqa: E402


@dataclass
class GxOutcome:
    success: bool
    evaluated: int
    failed: list[str]
    rows: int


@cache
def _context() -> gx.data_context.AbstractDataContext:
    return gx.get_context(mode="ephemeral")


def expectation_suite(contract: Contract) -> gx.ExpectationSuite:
    """One expectation per contract rule that holds for every loaded row."""
    _context()  # GX needs an active context before suites are built
    suite = gx.ExpectationSuite(name=f"{contract.name}_contract_v{contract.version}")
    for col in contract.columns:
        suite.add_expectation(gxe.ExpectColumnToExist(column=col.name))
        if col.required:
            suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=col.name))
        if col.allowed_values is not None:
            suite.add_expectation(
                gxe.ExpectColumnValuesToBeInSet(column=col.name, value_set=list(col.allowed_values))
            )
        if col.logical_type in ("integer", "number") and (
            col.minimum is not None or col.maximum is not None
        ):
            suite.add_expectation(
                gxe.ExpectColumnValuesToBeBetween(
                    column=col.name, min_value=col.minimum, max_value=col.maximum
                )
            )
    return suite


def validate_dataframe(contract: Contract, df: pd.DataFrame) -> GxOutcome:
    context = _context()
    name = f"raw_{contract.name}"
    try:
        source = context.data_sources.get(name)
    except (KeyError, ValueError):
        source = context.data_sources.add_pandas(name)
    try:
        asset = source.get_asset(name)
    except LookupError:
        asset = source.add_dataframe_asset(name=name)
    try:
        batch_def = asset.get_batch_definition("all_rows")
    except (KeyError, ValueError, LookupError):
        batch_def = asset.add_batch_definition_whole_dataframe("all_rows")
    batch = batch_def.get_batch(batch_parameters={"dataframe": df})
    result = batch.validate(expectation_suite(contract))
    failed = []
    for r in result.results:
        if not r.success:
            cfg = r.expectation_config
            detail = r.result.get("unexpected_count") if r.result else None
            failed.append(
                f"{cfg.type} on {cfg.kwargs.get('column')}: "
                f"{detail if detail is not None else 'failed'} unexpected"
            )
    return GxOutcome(bool(result.success), len(result.results), failed, len(df))
