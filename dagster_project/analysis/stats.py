"""Correlations with their uncertainty, for the store-month panel of team and outcome measures.

Pearson and Spearman correlations with n, a 95% interval by Fisher's z transform and a
two-sided p-value (t distribution with n - 2 degrees of freedom), at lags of 0 to 3 months,
pooled ("between and within stores") and within stores (each store's mean removed first, so a
big store cannot make the correlation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import stats

from dagster_project.tables import table

Z95 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class Correlation:
    method: str
    r: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    p_value: float | None


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson's r with every sum in a fixed order (numpy's pairwise summation, not a BLAS
    product as in ``np.corrcoef``), so the same pairs give the same bits on any CPU."""
    xc, yc = x - np.add.reduce(x) / len(x), y - np.add.reduce(y) / len(y)
    sxy = np.add.reduce(xc * yc)
    r = sxy / np.sqrt(np.add.reduce(xc * xc) * np.add.reduce(yc * yc))
    return float(np.clip(r, -1.0, 1.0))


def correlate(
    x: np.ndarray, y: np.ndarray, method: str = "pearson", dof_used: int = 0
) -> Correlation:
    """Correlation of paired values (NaN pairs dropped). ``dof_used`` removes degrees of
    freedom already spent (e.g. one per store mean removed)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    n = len(x)
    eff = n - dof_used
    if eff < 4 or np.std(x) == 0 or np.std(y) == 0:
        return Correlation(method, None, n, None, None, None)
    if method == "spearman":
        x, y = stats.rankdata(x), stats.rankdata(y)
    r = pearson(x, y)
    r_c = float(np.clip(r, -0.999999, 0.999999))
    z, se = np.arctanh(r_c), 1 / np.sqrt(eff - 3)
    t = r_c * np.sqrt((eff - 2) / (1 - r_c**2))
    p = float(2 * stats.t.sf(abs(t), eff - 2))
    return Correlation(method, r, n, float(np.tanh(z - Z95 * se)), float(np.tanh(z + Z95 * se)), p)


def lagged_correlations(
    panel: pl.DataFrame,
    drivers: list[str],
    outcomes: list[str],
    lags: range = range(0, 4),
    group: str = "store_id",
    time: str = "month",
) -> pl.DataFrame:
    """Correlate each driver at month m with each outcome at month m + lag."""
    panel = panel.sort(group, time)
    rows = []
    for lag in lags:
        shifted = (
            panel.with_columns(
                [pl.col(o).shift(-lag).over(group).alias(f"__{o}") for o in outcomes]
                + [pl.col(time).shift(-lag).over(group).alias("__t")]
            )
            .with_columns(
                # a lag only pairs months that are exactly `lag` months apart
                (
                    (pl.col("__t").dt.year() * 12 + pl.col("__t").dt.month())
                    - (pl.col(time).dt.year() * 12 + pl.col(time).dt.month())
                    == lag
                ).alias("__ok")
            )
            .filter(pl.col("__ok"))
        )
        n_groups = shifted[group].n_unique()
        for d in drivers:
            for o in outcomes:
                pair = shifted.select(group, d, f"__{o}").drop_nulls()
                demeaned = pair.with_columns(
                    (pl.col(d) - pl.col(d).mean().over(group)).alias("__xd"),
                    (pl.col(f"__{o}") - pl.col(f"__{o}").mean().over(group)).alias("__yd"),
                )
                for scope, xs, ys, dof in (
                    ("pooled", pair[d], pair[f"__{o}"], 0),
                    ("within_store", demeaned["__xd"], demeaned["__yd"], n_groups - 1),
                ):
                    for method in ("pearson", "spearman"):
                        c = correlate(xs.to_numpy(), ys.to_numpy(), method, dof)
                        rows.append(
                            {
                                "driver": d,
                                "outcome": o,
                                "lag_months": lag,
                                "scope": scope,
                                "method": method,
                                "r": c.r,
                                "n": c.n,
                                "ci_low": c.ci_low,
                                "ci_high": c.ci_high,
                                "p_value": c.p_value,
                            }
                        )
    return table("analysis.engagement_correlations").frame(rows)
