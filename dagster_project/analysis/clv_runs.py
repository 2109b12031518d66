"""Fit the customer-value models on the SQL summaries and keep every fit in a model-runs table.

A fit is stored only when its input summary changed: a refresh on unchanged data reuses the
latest run, so re-runs add no row and leave the scores identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import duckdb
import numpy as np
import polars as pl

from dagster_project.analysis.clv import FitError, fit_bgnbd, fit_gamma_gamma
from dagster_project.tables import ensure_table

SUMMARIES = {
    "calibration": "intermediate.int_clv_summary_calibration",
    "full": "intermediate.int_clv_summary_full",
}


@dataclass
class RunOutcome:
    purpose: str
    model: str
    run_id: str
    reused: bool
    n_customers: int
    log_likelihood: float
    params: dict[str, float]


def summary_hash(summary: pl.DataFrame) -> str:
    """Order-independent hash of the model input (x, t_x, T, mean value)."""
    cols = ["frequency", "recency_weeks", "age_weeks", "mean_repeat_value"]
    arr = summary.select(
        [pl.col(c).cast(pl.Float64).fill_null(-1.0).round(9) for c in cols]
    ).to_numpy()
    arr = arr[np.lexsort(arr.T[::-1])] if len(arr) else arr
    return hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest()


def _latest(con: duckdb.DuckDBPyConnection, purpose: str, model: str) -> tuple | None:
    rows = con.execute(
        "SELECT run_id, input_hash, n_customers, log_likelihood, r, alpha, a, b, p, q, gamma "
        "FROM analysis.clv_model_runs WHERE purpose = ? AND model = ? ORDER BY run_seq DESC LIMIT 1",
        [purpose, model],
    ).fetchall()
    return rows[0] if rows else None


def fit_and_record(
    con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None
) -> list[RunOutcome]:
    """Fit BG/NBD and Gamma-Gamma on each summary whose content changed since its last fit."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    ensure_table(con, "analysis.clv_model_runs")
    outcomes = []
    for purpose, table in SUMMARIES.items():
        summary = con.sql(
            f"SELECT frequency, recency_weeks, age_weeks, mean_repeat_value, first_purchase_date, "
            f"period_end FROM {table}"
        ).pl()
        if summary.is_empty():  # no POS export, or no identified customer: nothing to fit
            continue
        digest = summary_hash(summary)
        window = (summary["first_purchase_date"].min(), summary["period_end"].max())
        for model in ("bgnbd", "gamma_gamma"):
            last = _latest(con, purpose, model)
            if last and last[1] == digest:
                names = ["r", "alpha", "a", "b"] if model == "bgnbd" else ["p", "q", "gamma"]
                values = dict(
                    zip(["r", "alpha", "a", "b", "p", "q", "gamma"], last[4:], strict=True)
                )
                outcomes.append(
                    RunOutcome(
                        purpose,
                        model,
                        last[0],
                        True,
                        last[2],
                        last[3],
                        {k: values[k] for k in names},
                    )
                )
                continue
            x = summary["frequency"].to_numpy().astype(float)
            if model == "bgnbd":
                fit = fit_bgnbd(
                    x, summary["recency_weeks"].to_numpy(), summary["age_weeks"].to_numpy()
                )
                params = {"r": fit.r, "alpha": fit.alpha, "a": fit.a, "b": fit.b}
            else:
                m = summary["mean_repeat_value"].cast(pl.Float64).fill_null(0.0).to_numpy()
                fit = fit_gamma_gamma(x, m)
                params = {"p": fit.p, "q": fit.q, "gamma": fit.gamma}
                if fit.q <= 1:
                    raise FitError(
                        f"Gamma-Gamma fit on {purpose} data has q = {fit.q:.3f} <= 1: "
                        "the expected spend is undefined; not stored"
                    )
            seq = con.execute(
                "SELECT coalesce(max(run_seq), 0) + 1 FROM analysis.clv_model_runs"
            ).fetchall()[0][0]
            run_id = f"{model}-{purpose}-{seq:05d}"
            row = {
                "r": None,
                "alpha": None,
                "a": None,
                "b": None,
                "p": None,
                "q": None,
                "gamma": None,
            }
            row |= params
            con.execute(
                "INSERT INTO analysis.clv_model_runs VALUES (?, ?, ?, ?, ?, ?, ?, 'week', ?, ?, ?, "
                "?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    seq,
                    run_id,
                    model,
                    purpose,
                    now,
                    window[0],
                    window[1],
                    fit.n_customers,
                    fit.log_likelihood,
                    fit.iterations,
                    row["r"],
                    row["alpha"],
                    row["a"],
                    row["b"],
                    row["p"],
                    row["q"],
                    row["gamma"],
                    digest,
                ],
            )
            outcomes.append(
                RunOutcome(
                    purpose, model, run_id, False, fit.n_customers, fit.log_likelihood, params
                )
            )
    return outcomes
