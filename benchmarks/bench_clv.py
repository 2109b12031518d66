"""CLV benchmark (``make bench``, never in CI): the project's BG/NBD fit against lifetimes 0.11.3
``BetaGeoFitter`` on the same one-million-customer summary, and fit plus SQL scoring of every
customer end to end.

    python -m benchmarks.bench_clv [--customers 1000000] [--skip-lifetimes]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from dagster_project.analysis.clv import bgnbd_loglik_terms, fit_bgnbd
from dagster_project.analysis.clv_runs import fit_and_record
from dagster_project.transform.dbt_cli import run_dbt_models

ROOT = Path(__file__).resolve().parent.parent
PLANTED = {"r": 0.75, "alpha": 2.57, "a": 0.55, "b": 4.5}  # weeks


def simulate(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A BG/NBD summary (x, t_x, T in weeks, on a daily grid) for n customers, vectorised."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(PLANTED["r"], 1 / PLANTED["alpha"], n)
    p = rng.beta(PLANTED["a"], PLANTED["b"], n)
    T_days = rng.integers(7, 730, n)
    T = T_days / 7.0
    repeats_until_dropout = rng.geometric(p)  # the repeat purchase after which they drop out
    arrivals = rng.poisson(lam * T)
    x = np.minimum(repeats_until_dropout, arrivals)
    # the x-th of `arrivals` uniform arrival times in (0, T]
    frac = np.where(x > 0, rng.beta(np.maximum(x, 1), np.maximum(arrivals - x + 1, 1)), 0.0)
    t_x_days = np.minimum(np.floor(frac * T_days), T_days)
    return x.astype(float), t_x_days / 7.0, T


def time_it(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--skip-lifetimes", action="store_true")
    args = parser.parse_args()
    x, t_x, T = simulate(args.customers)
    print(
        f"summary: {args.customers:,} customers, {len(np.unique(np.c_[x, t_x, T], axis=0)):,} "
        f"distinct (x, t_x, T); mean x {x.mean():.2f}"
    )

    ours, t_ours = time_it(lambda: fit_bgnbd(x, t_x, T))
    rows = [("empathy fit_bgnbd", t_ours, ours.r, ours.alpha, ours.a, ours.b, ours.log_likelihood)]
    if not args.skip_lifetimes:
        import pandas as pd
        from lifetimes import BetaGeoFitter

        bgf = BetaGeoFitter(penalizer_coef=0.0)
        _, t_lt = time_it(lambda: bgf.fit(pd.Series(x), pd.Series(t_x), pd.Series(T)))
        lp = bgf.params_
        rows.append(
            (
                "lifetimes BetaGeoFitter",
                t_lt,
                lp["r"],
                lp["alpha"],
                lp["a"],
                lp["b"],
                float(
                    np.sum(bgnbd_loglik_terms(lp["r"], lp["alpha"], lp["a"], lp["b"], x, t_x, T))
                ),
            )
        )
    print(f"\n{'fit':26s} {'seconds':>8s} {'r':>9s} {'alpha':>9s} {'a':>9s} {'b':>9s} {'LL':>14s}")
    for name, secs, r, alpha, a, b, ll in rows:
        print(f"{name:26s} {secs:8.2f} {r:9.5f} {alpha:9.5f} {a:9.5f} {b:9.5f} {ll:14.1f}")
    if len(rows) == 2:
        rel = max(abs(o / t - 1) for o, t in zip(rows[0][2:6], rows[1][2:6], strict=True))
        print(
            f"speed-up {rows[1][1] / rows[0][1]:.1f}x (target >= 10x); "
            f"largest relative parameter difference {rel:.2e} (target <= 1e-4)"
        )

    # end to end: fit from the warehouse tables and score every customer with the dbt model
    with tempfile.TemporaryDirectory() as tmp:
        wh = Path(tmp) / "bench.duckdb"
        con = duckdb.connect(str(wh))
        con.execute("CREATE SCHEMA intermediate")
        spend = np.random.default_rng(1).gamma(6, 2, len(x))
        frame = {
            "frequency": x,
            "recency_weeks": t_x,
            "age_weeks": T,
            "mean_repeat_value": np.where(x > 0, spend, np.nan),
        }
        con.register("s", pa.table(frame))
        for name in ("int_clv_summary_calibration", "int_clv_summary_full"):
            con.execute(
                f"CREATE TABLE intermediate.{name} AS SELECT (row_number() OVER ())::VARCHAR AS customer_key, "
                "DATE '2024-01-01' AS first_purchase_date, DATE '2025-12-31' AS period_end, "
                "frequency::BIGINT AS frequency, recency_weeks, age_weeks, "
                "CASE WHEN frequency > 0 THEN mean_repeat_value END AS mean_repeat_value FROM s"
            )
        con.unregister("s")
        start = time.perf_counter()
        fit_and_record(con)
        con.close()
        t_fit = time.perf_counter() - start
        run_dbt_models(wh, "fct_customer_clv", Path(tmp) / "target")
        total = time.perf_counter() - start
        con = duckdb.connect(str(wh), read_only=True)
        scored = con.execute(
            "SELECT count(*), avg(p_alive), avg(predicted_clv) FROM marts.fct_customer_clv"
        ).fetchall()[0]
        con.close()
    print(
        f"\nend to end (4 fits from warehouse tables + dbt scoring of every customer in SQL): "
        f"{total:.1f} s (fits {t_fit:.1f} s), {scored[0]:,} customers scored, "
        f"mean P(alive) {scored[1]:.3f}, mean predicted CLV {scored[2]:.2f} (target < 60 s)"
    )


if __name__ == "__main__":
    main()
