import datetime as dt

import numpy as np
import polars as pl
import pytest
from scipy import stats

from dagster_project.analysis.stats import correlate, lagged_correlations


def test_pearson_and_spearman_match_scipy_with_fisher_interval():
    rng = np.random.default_rng(0)
    x = rng.normal(size=40)
    y = 0.5 * x + rng.normal(size=40)
    c = correlate(x, y)
    r, p = stats.pearsonr(x, y)
    assert c.r == pytest.approx(r) and c.p_value == pytest.approx(p) and c.n == 40
    z, se = np.arctanh(r), 1 / np.sqrt(37)
    assert c.ci_low == pytest.approx(np.tanh(z - 1.959964 * se), rel=1e-5)
    assert c.ci_high == pytest.approx(np.tanh(z + 1.959964 * se), rel=1e-5)
    s = correlate(x, y, "spearman")
    rho, p_s = stats.spearmanr(x, y)
    assert s.r == pytest.approx(rho) and s.p_value == pytest.approx(p_s, rel=1e-6)
    assert correlate([1, 2, 3], [1, 2, 4]).r is None  # too few pairs: no figure


def test_lags_pair_a_month_with_the_outcome_lag_months_later_and_within_removes_store_means():
    months = [dt.date(2025, m, 1) for m in range(1, 13)]
    rng = np.random.default_rng(1)
    rows = []
    for store, level in (("big", 1000.0), ("small", 100.0)):
        e = rng.normal(size=12)
        for i, m in enumerate(months):
            sales = level + 50 * (e[i - 1] if i else 0.0)  # engagement moves next month
            rows.append(
                {
                    "store_id": store,
                    "month": m,
                    "eng": e[i] + (5 if store == "big" else 0),
                    "sales": sales,
                }
            )
    out = lagged_correlations(pl.DataFrame(rows), ["eng"], ["sales"], lags=range(0, 2))
    get = {(r["lag_months"], r["scope"], r["method"]): r for r in out.to_dicts()}
    # pooled: the big store's high engagement and sales make a strong correlation at any lag
    assert get[(0, "pooled", "pearson")]["r"] > 0.8
    # within stores: only the planted one-month lag shows
    assert get[(1, "within_store", "pearson")]["r"] > 0.95
    assert abs(get[(0, "within_store", "pearson")]["r"]) < 0.6
    assert get[(1, "within_store", "pearson")]["n"] == 22
