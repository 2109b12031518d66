"""Buy-till-you-die customer value models: BG/NBD (Fader, Hardie & Lee 2005) for purchase
counts and P(alive), Gamma-Gamma (Fader & Hardie 2013) for spend.

Fitting is maximum likelihood with scipy: log-parameterised, vectorised log-likelihoods with
analytic gradients, customers with identical (x, t_x, T) grouped into one weighted row, and
several starting points. A fit that does not converge raises :class:`FitError` instead of
returning numbers.

A fit depends on the set of customers only, never on the order their rows arrive in: the
grouped input is sorted (:func:`compress`), the starting points are derived from it, and every
sum is taken in that fixed order by :func:`wsum` (numpy's pairwise summation) rather than by a
BLAS dot product, whose kernels change the order of additions with the CPU, the memory
alignment and the thread count. The same customers give bit-identical parameters. Scoring of every customer happens in SQL (dbt) from the stored parameters;
the closed forms here serve the tests and the known-answer checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special


class FitError(RuntimeError):
    """The likelihood could not be maximised: nothing is stored."""


@dataclass(frozen=True)
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    n_customers: int
    iterations: int


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    gamma: float
    log_likelihood: float
    n_customers: int
    iterations: int


def wsum(w: np.ndarray, v: np.ndarray) -> float:
    """sum(w * v) in a fixed order: elementwise products (exactly rounded), then numpy's
    pairwise summation over the contiguous result, which depends on the values and their order
    only (not on alignment, CPU kernel or threads, as ``np.dot`` through BLAS does)."""
    return float(np.add.reduce(np.multiply(w, v)))


def compress(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Unique rows of the given columns, sorted, and how many customers share each: the same
    set of customers gives the same arrays whatever order they arrive in.

    Each column is factorised on its own (1-D sorts), the codes are combined into one integer
    key, and the keys are counted: much faster than a row-wise unique on a million rows.
    """
    uniques, codes = [], []
    for col in columns:
        u, inv = np.unique(np.asarray(col, dtype=float), return_inverse=True)
        uniques.append(u)
        codes.append(inv.astype(np.int64))
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for u, c in zip(uniques, codes, strict=True):
        key = key * len(u) + c
    ukey, counts = np.unique(key, return_counts=True)
    out = []
    for u in reversed(uniques):
        out.append(u[ukey % len(u)])
        ukey = ukey // len(u)
    return out[::-1], counts.astype(float)


# --------------------------------------------------------------------------- BG/NBD


def bgnbd_loglik_terms(r, alpha, a, b, x, t_x, T):
    """Per-customer log-likelihood of the BG/NBD model (Fader, Hardie & Lee 2005, eq. 6)."""
    x = np.asarray(x, dtype=float)
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = (
        special.gammaln(a + b)
        + special.gammaln(b + x)
        - special.gammaln(b)
        - special.gammaln(a + b + x)
    )
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(b + x - 1) - (r + x) * np.log(alpha + t_x), -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


@dataclass
class _BgNbdData:
    """Grouped BG/NBD input: terms that depend on x alone are computed once per distinct x,
    and log(alpha + t) once per distinct t."""

    w: np.ndarray  # customers per distinct (x, t_x, T)
    x_values: np.ndarray  # distinct x
    ix: np.ndarray  # row -> index into x_values
    w_x: np.ndarray  # customers per distinct x
    t_values: np.ndarray  # distinct t_x and T values together
    it_x: np.ndarray
    iT: np.ndarray
    x: np.ndarray  # per row
    pos: np.ndarray  # x > 0 per row
    n: float  # customers

    @classmethod
    def build(cls, x, t_x, T, w) -> _BgNbdData:
        xv, ix = np.unique(x, return_inverse=True)
        tv, inv = np.unique(np.concatenate([t_x, T]), return_inverse=True)
        w_x = np.bincount(ix, weights=w)
        n = float(np.add.reduce(w))
        return cls(w, xv, ix, w_x, tv, inv[: len(t_x)], inv[len(t_x) :], x, x > 0, n)


def _bgnbd_negll_and_grad(logp, d: _BgNbdData):
    r, alpha, a, b = np.exp(logp)
    dig, gl = special.digamma, special.gammaln
    xv = d.x_values
    # terms of x alone, per distinct x
    a12 = gl(r + xv) - gl(r) + r * np.log(alpha) + gl(a + b) + gl(b + xv) - gl(b) - gl(a + b + xv)
    g_r = dig(r + xv) - dig(r) + np.log(alpha)
    g_a = dig(a + b) - dig(a + b + xv)
    g_b = dig(a + b) + dig(b + xv) - dig(b) - dig(a + b + xv)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_bx1 = np.where(xv > 0, np.log(b + xv - 1), 0.0)
        inv_bx1 = np.where(xv > 0, 1.0 / (b + xv - 1), 0.0)
    # per row: the two ways to have made x purchases by T
    log_at = np.log(alpha + d.t_values)
    inv_at = 1.0 / (alpha + d.t_values)
    s = r + d.x
    a3 = -s * log_at[d.iT]
    a4 = np.where(d.pos, np.log(a) - log_bx1[d.ix] - s * log_at[d.it_x], -np.inf)
    lse = np.logaddexp(a3, a4)
    w3 = np.exp(a3 - lse) * d.w
    w4 = np.exp(a4 - lse) * d.w
    ll = wsum(d.w_x, a12) + wsum(d.w, lse)
    d_r = wsum(d.w_x, g_r) - wsum(w3, log_at[d.iT]) - wsum(w4, log_at[d.it_x])
    d_alpha = r / alpha * d.n - wsum(w3 * s, inv_at[d.iT]) - wsum(w4 * s, inv_at[d.it_x])
    d_a = wsum(d.w_x, g_a) + float(np.add.reduce(w4)) / a
    d_b = wsum(d.w_x, g_b) - wsum(w4, inv_bx1[d.ix])
    grad = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
    return -ll, -grad


def _best_of_starts(fun, starts, args, what: str, ftol: float = 1e-13):
    best = None
    for start in starts:
        res = optimize.minimize(
            fun,
            np.log(start),
            args=args,
            jac=True,
            method="L-BFGS-B",
            bounds=[(-12.0, 12.0)] * len(start),
            options={"maxiter": 2000, "ftol": ftol, "gtol": 1e-8},
        )
        if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
            best = res
    if (
        best is None
        or not best.success
        and np.max(np.abs(best.jac)) > 1e-3 * max(1.0, abs(best.fun))
    ):
        msg = best.message if best is not None else "no finite likelihood at any start"
        raise FitError(f"{what} fit did not converge: {msg}")
    if np.any(np.abs(best.x) >= 11.99):
        raise FitError(
            f"{what} fit ran to a parameter bound {np.exp(best.x)}; the data do not "
            "identify the model (too few repeat purchases?)"
        )
    return best


def fit_bgnbd(x, t_x, T, starts: list[tuple] | None = None) -> BgNbdParams:
    """Maximum-likelihood BG/NBD parameters (r, alpha, a, b); time unit as in t_x and T.

    The starting points are tried on a sample of the distinct customers; the best one is then
    refined on all of them.
    """
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if len(x) == 0 or not np.any(x > 0):
        raise FitError("BG/NBD needs customers with repeat purchases; there are none")
    if np.any(t_x > T) or np.any(x < 0):
        raise FitError("BG/NBD input has t_x > T or negative x")
    (ux, ut, uT), w = compress(x, t_x, T)
    scale = wsum(w, uT) / float(np.add.reduce(w)) or 1.0  # mean age, in the sorted order
    starts = starts or [
        (1.0, scale, 1.0, 1.0),
        (0.5, scale / 4, 0.5, 2.0),
        (2.0, scale * 2, 2.0, 5.0),
    ]
    ftol = 1e-13
    if len(ux) > 20_000:  # large data: choose among the starts on a sample, refine on all
        pick = np.random.default_rng(0).choice(len(ux), 10_000, replace=False, p=w / w.sum())
        sample = _BgNbdData.build(ux[pick], ut[pick], uT[pick], np.ones(len(pick)))
        best = _best_of_starts(_bgnbd_negll_and_grad, starts, (sample,), "BG/NBD", ftol=1e-9)
        starts, ftol = [tuple(np.exp(best.x))], 1e-11
    data = _BgNbdData.build(ux, ut, uT, w)
    res = _best_of_starts(_bgnbd_negll_and_grad, starts, (data,), "BG/NBD", ftol=ftol)
    r, alpha, a, b = np.exp(res.x)
    return BgNbdParams(
        float(r), float(alpha), float(a), float(b), -float(res.fun), len(x), int(res.nit)
    )


def bgnbd_p_alive(p: BgNbdParams, x, t_x, T):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(
            x > 0, (p.a / (p.b + x - 1)) * ((p.alpha + T) / (p.alpha + t_x)) ** (p.r + x), 0.0
        )
    return 1.0 / (1.0 + ratio)


def bgnbd_expected_purchases(p: BgNbdParams, t, x, t_x, T):
    """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units (eq. 10)."""
    x = np.asarray(x, dtype=float)
    z = t / (p.alpha + T + t)
    hyp = special.hyp2f1(p.r + x, p.b + x, p.a + p.b + x - 1, z)
    num = (
        (p.a + p.b + x - 1)
        / (p.a - 1)
        * (1 - ((p.alpha + T) / (p.alpha + T + t)) ** (p.r + x) * hyp)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        den = 1 + np.where(
            x > 0, (p.a / (p.b + x - 1)) * ((p.alpha + T) / (p.alpha + t_x)) ** (p.r + x), 0.0
        )
    return num / den


# --------------------------------------------------------------------------- Gamma-Gamma


def _gg_negll_and_grad(logp, x, m, w):
    p, q, g = np.exp(logp)
    px = p * x
    ll = (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(g)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(g + m * x)
    )
    dig = special.digamma
    d_p = x * (dig(px + q) - dig(px) + np.log(m) + np.log(x) - np.log(g + m * x))
    d_q = dig(px + q) - dig(q) + np.log(g) - np.log(g + m * x)
    d_g = q / g - (px + q) / (g + m * x)
    grad = np.array([wsum(w, d) for d in (d_p, d_q, d_g)]) * np.array([p, q, g])
    return -wsum(w, ll), -grad


def fit_gamma_gamma(x, mean_value, starts: list[tuple] | None = None) -> GammaGammaParams:
    """Gamma-Gamma spend model on repeat buyers: x >= 1 repeat purchases, mean value > 0."""
    x, m = np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float)
    keep = (x > 0) & (m > 0)
    if keep.sum() < 10:
        raise FitError(f"Gamma-Gamma needs repeat buyers with positive spend; found {keep.sum()}")
    (ux, um), w = compress(x[keep], m[keep])
    mean = wsum(w, um) / float(np.add.reduce(w))
    starts = starts or [(1.0, 1.0, mean), (5.0, 3.0, mean * 2), (0.5, 5.0, mean / 2)]
    res = _best_of_starts(_gg_negll_and_grad, starts, (ux, um, w), "Gamma-Gamma")
    p, q, g = np.exp(res.x)
    return GammaGammaParams(
        float(p), float(q), float(g), -float(res.fun), int(keep.sum()), int(res.nit)
    )


def gamma_gamma_expected_value(p: GammaGammaParams, x, mean_value):
    """E[M | p, q, gamma, x, m_x]: expected value of a future transaction (eq. 5)."""
    x, m = np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float)
    return (p.p * (p.gamma + x * m)) / (p.p * x + p.q - 1)
