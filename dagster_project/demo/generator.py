"""Generate the demo business: a bakery-café with three stores over two years.

The files are written like real exports (CSV, one folder per source, dated names) into
``landing/``. The generator is deterministic for a seed, and it plants effects that the KPI
tests recover. They are documented here and in ``PLANTED`` so the tests read one place:

* **Purchases follow a BG/NBD process** (Fader, Hardie & Lee 2005). Each CRM customer makes a
  first purchase on the sign-up day; while alive, purchases arrive as a Poisson process with
  rate lambda ~ Gamma(shape r, rate alpha) per day; after every repeat purchase the customer drops
  out with probability p ~ Beta(a, b). Parameters in ``PLANTED["bgnbd"]`` (alpha in days).
* **A store's engagement moves its next month's sales and NPS.** Each store has a monthly
  engagement level e (standardised AR(1)). Pulse-survey items are centred on 3.6 + 0.45 e.
  In the following month, walk-in traffic and basket size are scaled by (1 + 0.10 e) and the
  chance that an NPS respondent is a promoter moves by +0.08 e (detractor by -0.06 e).
* **A bad support experience raises the chance of churn.** A ticket whose experience is bad
  (slow first reply, CSAT 1-2) ends the customer's purchasing with probability 0.35 at the
  ticket date, on top of the BG/NBD dropout.
* **Waiting-time complaints are concentrated at ``riverside``** (two thirds of its negative
  NPS comments, a quarter elsewhere).
* With ``bad_rows`` on, a handful of deliberately invalid rows (listed in ``BAD_ROWS``) are
  added to some files, so the rejected tables and the ledger have something to show.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl

from dagster_project.contracts import load_contracts
from dagster_project.demo import texts

STORES = ["downtown", "riverside", "market_square"]
STORE_WEIGHT = {"downtown": 1.0, "riverside": 0.8, "market_square": 0.6}
START = dt.date(2024, 11, 1)
END = dt.date(2026, 10, 31)  # last day of data, inclusive
MENU = [  # sku, name, category, price
    ("BR01", "Sourdough loaf", "bread", 5.20),
    ("BR02", "Rye loaf", "bread", 4.80),
    ("BR03", "Baguette", "bread", 2.60),
    ("PA01", "Croissant", "pastry", 2.40),
    ("PA02", "Pain au chocolat", "pastry", 2.70),
    ("PA03", "Cinnamon bun", "pastry", 3.10),
    ("CA01", "Carrot cake slice", "cake", 3.90),
    ("CA02", "Brownie", "cake", 2.90),
    ("CO01", "Flat white", "coffee", 3.30),
    ("CO02", "Latte", "coffee", 3.50),
    ("CO03", "Cappuccino", "coffee", 3.40),
    ("CO04", "Espresso", "coffee", 2.20),
    ("TE01", "Breakfast tea", "tea", 2.50),
    ("TE02", "Chai latte", "tea", 3.60),
    ("CD01", "Fresh orange juice", "cold_drink", 3.20),
    ("SA01", "Ham and cheese sandwich", "sandwich", 5.90),
    ("SA02", "Veggie quiche", "sandwich", 5.40),
    ("OT01", "Gift box", "other", 12.0),
]
COST_SHARE = {
    "bread": 0.32,
    "pastry": 0.30,
    "cake": 0.35,
    "coffee": 0.22,
    "tea": 0.18,
    "cold_drink": 0.40,
    "sandwich": 0.45,
    "other": 0.55,
}  # cost of goods / price
MENU_P = np.array([6, 4, 5, 10, 6, 6, 3, 4, 10, 9, 7, 4, 4, 3, 3, 5, 4, 0.5], dtype=float)
MENU_P /= MENU_P.sum()

PLANTED = {
    "bgnbd": {"r": 0.75, "alpha_days": 18.0, "a": 0.55, "b": 4.5},
    "engagement_to_next_month_sales": 0.10,
    "engagement_to_next_month_promoter_prob": 0.08,
    "engagement_item_mean": 3.6,
    "engagement_item_slope": 0.45,
    "bad_support_extra_churn": 0.35,
    "waiting_time_share_of_negative_comments": {"riverside": 0.67, "other": 0.25},
    "walk_ins_per_day_at_weight_1": 28.0,
    # the journey's hotspot: getting help at one store became hard in the last month (tickets
    # reopened more often), which the journey marts must find
    "support_effort_hotspot": {
        "store": "market_square",
        "month": "2026-10",
        "reopen_prob": 0.7,
        "extra_tickets": 14,
    },
    "reviews_per_store_month_per_1500_customers": 6.0,
    "ces_answer_share": 0.4,
}
# Review sites: Google reviews each store, Trustpilot the business as a whole.
REVIEW_PLATFORMS = {"google": 0.7, "trustpilot": 0.3}
BAD_ROWS = {
    "nps_responses": "one response with score 11 (rule maximum) in the first month's file",
    "pos_transactions": "one transaction dated 1970-01-01, an export's placeholder for no date "
    "(rule placeholder_date), first month",
    "crm_customers": "one customer with signup_date '31/02/2025' (rule type_date), first month",
    "support_tickets": "one ticket row repeated in the same file (rule unique_in_file)",
}


@dataclass(frozen=True)
class DemoConfig:
    customers: int = 1500
    seed: int = 42
    bad_rows: bool = True
    # scale knobs for the benchmark tiers (1 = the demo's own business)
    walk_in_scale: float = 1.0  # walk-in customers per day
    ticket_rate: float = 0.04  # share of purchases that lead to a support ticket
    nps_scale: float = 1.0  # survey sampling rate
    staff_scale: float = 1.0  # employees per store


# Scale tiers (make bench TIER=...): S is the demo; M and L are sized to about
# M: 50k customers, 2M POS lines;  L: 500k customers, 20M POS lines, 500k tickets,
# 200k NPS responses, 2k employees (two years of data).
TIERS = {
    "S": DemoConfig(),
    "M": DemoConfig(
        customers=50_000, walk_in_scale=11.6, ticket_rate=0.1, nps_scale=0.5, staff_scale=4
    ),
    "L": DemoConfig(
        customers=500_000, walk_in_scale=116, ticket_rate=0.108, nps_scale=0.23, staff_scale=26
    ),
}


def months() -> list[dt.date]:
    out, d = [], START
    while d <= END:
        out.append(d)
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def month_index(day: dt.date) -> int:
    return (day.year - START.year) * 12 + day.month - START.month


class Demo:
    def __init__(self, cfg: DemoConfig):
        self.cfg = cfg
        self.rng = np.random.default_rng(cfg.seed)
        self.months = months()
        self.n_days = (END - START).days + 1
        self.engagement = self._engagement()

    # ------------------------------------------------------------------ engagement
    def _engagement(self) -> dict[str, np.ndarray]:
        out = {}
        for s in STORES:
            e = np.zeros(len(self.months))
            e[0] = self.rng.normal()
            for m in range(1, len(e)):
                e[m] = 0.6 * e[m - 1] + np.sqrt(1 - 0.36) * self.rng.normal()
            out[s] = e
        return out

    def lagged_e(self, store: str, day: dt.date) -> float:
        m = month_index(day)
        return float(self.engagement[store][m - 1]) if m > 0 else 0.0

    # ------------------------------------------------------------------ customers
    def customers(self) -> pl.DataFrame:
        rng, n = self.rng, self.cfg.customers
        first = [
            "Anna",
            "Ben",
            "Chloe",
            "David",
            "Emma",
            "Farid",
            "Grace",
            "Hugo",
            "Isla",
            "Jamal",
            "Kate",
            "Liam",
            "Mia",
            "Noah",
            "Olivia",
            "Priya",
            "Quinn",
            "Ruth",
            "Sam",
            "Tariq",
        ]
        last = [
            "Smith",
            "Jones",
            "Patel",
            "Brown",
            "Taylor",
            "Wilson",
            "Nowak",
            "Garcia",
            "Kim",
            "Murphy",
            "Okafor",
            "Rossi",
            "Schmidt",
            "Dubois",
            "Silva",
            "Khan",
        ]
        signup_offset = rng.integers(0, int(self.n_days * 0.85), n)
        home = rng.choice(STORES, n, p=np.array([0.42, 0.33, 0.25]))
        fn = rng.choice(first, n)
        ln = rng.choice(last, n)
        ids = [f"C{i:06d}" for i in range(1, n + 1)]
        return pl.DataFrame(
            {
                "customer_id": ids,
                "first_name": fn,
                "last_name": ln,
                "email": [
                    f"{a.lower()}.{b.lower()}{i}@example.com"
                    for i, (a, b) in enumerate(zip(fn, ln, strict=True))
                ],
                "phone": [
                    f"+44 7{rng.integers(100, 999)} {rng.integers(100000, 999999)}" for _ in ids
                ],
                "signup_date": [START + dt.timedelta(days=int(o)) for o in signup_offset],
                "home_store": home,
                "loyalty_member": rng.random(n) < 0.55,
            }
        )

    # ------------------------------------------------------------------ purchases
    def customer_purchases(self, cust: pl.DataFrame) -> tuple[list[tuple], list[tuple]]:
        """BG/NBD purchase days per customer, cut short by bad support experiences.

        Returns (purchases: (customer_id, day, store), tickets: (customer_id, day, store, bad)).
        """
        rng, bg = self.rng, PLANTED["bgnbd"]
        n = cust.height
        lam = rng.gamma(bg["r"], 1.0 / bg["alpha_days"], n)
        p = rng.beta(bg["a"], bg["b"], n)
        purchases, tickets = [], []
        for i, (cid, signup, home) in enumerate(
            cust.select("customer_id", "signup_date", "home_store").iter_rows()
        ):
            t = float((signup - START).days)
            while t < self.n_days:
                day = START + dt.timedelta(days=int(t))
                store = home if rng.random() < 0.85 else STORES[int(rng.integers(3))]
                purchases.append((cid, day, store))
                if rng.random() < self.cfg.ticket_rate:  # the purchase leads to a ticket
                    e = self.lagged_e(store, day)
                    bad = rng.random() < 1 / (1 + np.exp(1.0 + 0.5 * e))  # ~27%, more when e low
                    tday = day + dt.timedelta(days=int(rng.integers(0, 3)))
                    tickets.append((cid, tday, store, bool(bad)))
                    if bad and rng.random() < PLANTED["bad_support_extra_churn"]:
                        break
                # BG/NBD: the dropout chance follows every *repeat* purchase (the customer is
                # alive after the first one)
                if t > float((signup - START).days) and rng.random() < p[i]:
                    break
                t += rng.exponential(1.0 / lam[i])
        return purchases, tickets

    def transactions(self, purchases: list[tuple]) -> tuple[pl.DataFrame, pl.DataFrame]:
        rng = self.rng
        rows = [(c, d, s) for c, d, s in purchases]
        walk_rate = PLANTED["walk_ins_per_day_at_weight_1"]
        beta = PLANTED["engagement_to_next_month_sales"]
        for k in range(self.n_days):
            day = START + dt.timedelta(days=k)
            for s in STORES:
                mult = 1 + beta * self.lagged_e(s, day)
                for _ in range(
                    rng.poisson(walk_rate * STORE_WEIGHT[s] * mult * self.cfg.walk_in_scale)
                ):
                    rows.append((None, day, s))
        rows.sort(key=lambda r: (r[1], r[2]))
        n = len(rows)
        seconds = rng.integers(7 * 3600, 18 * 3600, n)
        tx = pl.DataFrame(
            {
                "transaction_id": [f"T{i:08d}" for i in range(1, n + 1)],
                "day": [r[1] for r in rows],
                "store_id": [r[2] for r in rows],
                "customer_id": [r[0] for r in rows],
            },
            schema={
                "transaction_id": pl.String,
                "day": pl.Date,
                "store_id": pl.String,
                "customer_id": pl.String,
            },
        )
        tx = tx.with_columns(
            (pl.col("day").cast(pl.Datetime("us")) + pl.duration(seconds=pl.Series(seconds))).alias(
                "transaction_at"
            ),
            pl.Series(
                "payment_method",
                rng.choice(["card", "cash", "mobile", "gift_card"], n, p=[0.62, 0.18, 0.18, 0.02]),
            ),
            pl.Series("staff_id", [None] * n, dtype=pl.String),
        )
        # basket: 1 + Poisson(mu) items, mu scaled by last month's engagement at the store
        mult = np.array(
            [
                1 + beta * self.lagged_e(s, d)
                for d, s in zip(tx["day"].to_list(), tx["store_id"].to_list(), strict=True)
            ]
        )
        n_items = np.minimum(1 + rng.poisson(0.9 * mult), 6)
        tx_idx = np.repeat(np.arange(n), n_items)
        item = rng.choice(len(MENU), len(tx_idx), p=MENU_P)
        qty = np.where(rng.random(len(tx_idx)) < 0.1, 2, 1)
        price = np.array([MENU[i][3] for i in item])
        loyal_discount = rng.random(n) < 0.12
        disc = np.where(loyal_discount[tx_idx], np.round(price * qty * 0.1, 2), 0.0)
        line_no = np.concatenate([np.arange(1, k + 1) for k in n_items])
        tids = tx["transaction_id"].to_numpy()
        lines = pl.DataFrame(
            {
                "line_item_id": [f"{tids[t]}-{ln}" for t, ln in zip(tx_idx, line_no, strict=True)],
                "transaction_id": tids[tx_idx],
                "item_sku": [MENU[i][0] for i in item],
                "item_name": [MENU[i][1] for i in item],
                "category": [MENU[i][2] for i in item],
                "quantity": qty.astype(float),
                "unit_price": price,
                "discount": disc,
                "net_sales": np.round(price * qty - disc, 2),
                "unit_cost": np.round(price * np.array([COST_SHARE[MENU[i][2]] for i in item]), 2),
            }
        )
        totals = lines.group_by("transaction_id", maintain_order=True).agg(
            (pl.col("unit_price") * pl.col("quantity")).sum().round(2).alias("gross_sales"),
            pl.col("discount").sum().round(2).alias("discounts"),
            pl.col("net_sales").sum().round(2).alias("net_sales"),
        )
        tx = tx.join(totals, on="transaction_id", maintain_order="left").with_columns(
            pl.lit("payment").alias("event_type"),
            (pl.col("net_sales") * 0.2).round(2).alias("tax"),
            pl.lit(None, dtype=pl.String).alias("refund_of_transaction_id"),
        )
        # refunds: 1.5% of payments are refunded in full 0-2 days later
        refunded = tx.filter(pl.Series(rng.random(tx.height) < 0.015))
        lag = rng.integers(0, 3, refunded.height)
        r_ids = [f"R{t[1:]}" for t in refunded["transaction_id"]]
        refunds = refunded.with_columns(
            pl.col("transaction_id").alias("refund_of_transaction_id"),
            pl.Series("transaction_id", r_ids),
            pl.lit("refund").alias("event_type"),
            (pl.col("transaction_at") + pl.duration(days=pl.Series(lag), hours=1)).alias(
                "transaction_at"
            ),
            -pl.col("gross_sales"),
            -pl.col("net_sales"),
            -pl.col("tax"),
        ).filter(pl.col("transaction_at").dt.date() <= END)
        refund_lines = (
            lines.join(
                refunds.select("transaction_id", "refund_of_transaction_id"),
                left_on="transaction_id",
                right_on="refund_of_transaction_id",
                maintain_order="left",
            )
            .with_columns(
                pl.col("transaction_id_right").alias("transaction_id"),
                ("R" + pl.col("line_item_id").str.slice(1)).alias("line_item_id"),
                -pl.col("quantity"),
                -pl.col("net_sales"),
            )
            .select(lines.columns)
        )
        tx_all = pl.concat([tx, refunds.select(tx.columns)]).sort(
            "transaction_at", "transaction_id", maintain_order=True
        )
        return tx_all, pl.concat([lines, refund_lines])

    # ------------------------------------------------------------------ HR
    def employees(self) -> tuple[pl.DataFrame, list[dict]]:
        rng = self.rng
        roles = ["barista", "baker", "cashier", "shift_lead", "store_manager"]
        staff: list[dict] = []
        next_id = 1

        def hire(store: str, role: str, day: dt.date) -> dict:
            nonlocal next_id
            e = {
                "employee_id": f"E{next_id:04d}",
                "store_id": store,
                "role": role,
                "hire_date": day,
                "termination_date": None,
                "termination_reason": None,
                "weekly_hours": float(rng.choice([16, 24, 32, 38, 40])),
                "first_name": str(
                    rng.choice(
                        ["Ava", "Leo", "Zoe", "Max", "Ivy", "Tom", "Eve", "Raj", "Lea", "Dan"]
                    )
                ),
                "last_name": str(
                    rng.choice(["Hill", "Ward", "Cole", "Shaw", "Lane", "Fox", "Reid"])
                ),
            }
            e["email"] = f"{e['first_name'].lower()}.{e['employee_id'].lower()}@bakery.example"
            next_id += 1
            staff.append(e)
            return e

        for s in STORES:
            n = int(round(14 * STORE_WEIGHT[s] * self.cfg.staff_scale)) + 2
            for k in range(n):
                role = "store_manager" if k == 0 else roles[int(rng.integers(0, 4))]
                hire(s, role, START - dt.timedelta(days=int(rng.integers(30, 1500))))
        for _ in range(max(3, round(3 * self.cfg.staff_scale))):
            hire("downtown", "support_agent", START - dt.timedelta(days=int(rng.integers(30, 900))))
        # monthly turnover: hazard higher when the store's engagement is low; leavers replaced
        for m, first_day in enumerate(self.months):
            for e in list(staff):
                if e["termination_date"] is not None or e["hire_date"] > first_day:
                    continue
                hazard = 0.03 * np.exp(-0.5 * self.engagement[e["store_id"]][m])
                if rng.random() < hazard:
                    last = first_day + dt.timedelta(days=int(rng.integers(0, 28)))
                    e["termination_date"] = last
                    e["termination_reason"] = str(
                        rng.choice(
                            ["resigned", "dismissed", "end_of_contract", "relocated"],
                            p=[0.65, 0.1, 0.15, 0.1],
                        )
                    )
                    hire(
                        e["store_id"], e["role"], last + dt.timedelta(days=int(rng.integers(7, 30)))
                    )
        return pl.DataFrame(staff), staff

    # ------------------------------------------------------------------ write
    def build(self) -> dict[str, list[tuple[str, pl.DataFrame]]]:
        """All files: source -> [(file name, frame)]."""
        rng = self.rng
        cust = self.customers()
        purchases, cust_tickets = self.customer_purchases(cust)
        tx, lines = self.transactions(purchases)
        emp_df, staff = self.employees()
        agents = [e["employee_id"] for e in staff if e["role"] == "support_agent"]
        files: dict[str, list[tuple[str, pl.DataFrame]]] = {}
        month_of = lambda c: pl.col(c).dt.strftime("%Y-%m")  # noqa: E731

        # CRM: monthly files of sign-ups, plus updates (loyalty joins) re-delivered later
        upd = cust.filter(~pl.col("loyalty_member")).sample(fraction=0.08, seed=self.cfg.seed)
        upd = upd.with_columns(
            pl.lit(True).alias("loyalty_member"),
            (pl.col("signup_date") + pl.duration(days=90)).alias("_month_day"),
        ).filter(pl.col("_month_day") <= END)
        crm = pl.concat([cust.with_columns(pl.col("signup_date").alias("_month_day")), upd])
        files["crm_customers"] = self._monthly(
            crm, month_of("_month_day"), "crm_customers", drop=["_month_day"]
        )
        files["pos_transactions"] = self._monthly(
            tx, month_of("transaction_at"), "pos_transactions"
        )
        lines_m = lines.join(
            tx.select("transaction_id", "transaction_at"),
            on="transaction_id",
            maintain_order="left",
        )
        files["pos_line_items"] = self._monthly(
            lines_m, month_of("transaction_at"), "pos_line_items", drop=["transaction_at"]
        )
        # what was added later (reviews, effort, the journey hotspot) draws from its own
        # generator, so every file the demo wrote before stays as it was
        later = np.random.default_rng(self.cfg.seed + 7919)
        tickets = self.tickets(cust, cust_tickets, agents)
        tickets = plant_support_effort(tickets, later)
        files["support_tickets"] = self._monthly(tickets, month_of("created_at"), "support_tickets")
        # the help desk's event history of the same tickets, from a generator of its own so
        # that the files above stay as they were
        files["support_ticket_events"] = self._monthly(
            ticket_events(tickets, agents, np.random.default_rng(self.cfg.seed + 104729)),
            month_of("event_at"),
            "support_ticket_events",
        )
        files["nps_responses"] = self._monthly(
            with_effort(self.nps(tx, cust_tickets), later),
            month_of("responded_at"),
            "nps_responses",
        )
        files["online_reviews"] = self._monthly(
            self.reviews(later), month_of("created_at"), "online_reviews"
        )
        files["hr_employees"] = self.hr_snapshots(emp_df)
        eng, absn = self.engagement_and_absences(staff)
        files["hr_engagement_responses"] = self._monthly(
            eng, month_of("survey_month"), "hr_engagement_responses"
        )
        files["hr_absences"] = self._monthly(absn, month_of("absence_date"), "hr_absences")
        del rng
        return files

    def reviews(self, rng: np.random.Generator) -> pl.DataFrame:
        """Online reviews on two platforms, mostly good; the owner answers most in a day or so."""
        rate = PLANTED["reviews_per_store_month_per_1500_customers"] * self.cfg.customers / 1500
        stars_to_score = {5: 10, 4: 8, 3: 7, 2: 5, 1: 2}
        rows = []
        for month in months():
            days = (dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1) - month).days
            for store in STORES:
                for _ in range(int(rng.poisson(rate))):
                    platform = str(
                        rng.choice(list(REVIEW_PLATFORMS), p=list(REVIEW_PLATFORMS.values()))
                    )
                    at = dt.datetime.combine(
                        month + dt.timedelta(days=int(rng.integers(days))), dt.time(8)
                    ) + dt.timedelta(minutes=int(rng.integers(14 * 60)))
                    stars = int(rng.choice([1, 2, 3, 4, 5], p=[0.06, 0.06, 0.1, 0.3, 0.48]))
                    text = texts.nps_comment(stars_to_score[stars], rng, 0.3)
                    replied = at + dt.timedelta(hours=float(rng.exponential(30)))
                    answered = rng.random() < 0.65 and replied.date() <= END
                    n = len(rows) + 1
                    rows.append(
                        {
                            "review_id": f"{platform}-R{n:05d}",
                            "platform": platform,
                            "store_id": store if platform == "google" else None,
                            "rating": float(stars),
                            "rating_scale": 5,
                            "title": (text.split(".")[0][:40] or None)
                            if platform == "trustpilot" and text
                            else None,
                            "review_text": text or None,
                            "author_name": f"Reviewer {n}",
                            "created_at": at,
                            "updated_at": None,
                            "experience_date": at.date() if platform == "trustpilot" else None,
                            "reply_text": "Thank you for your review." if answered else None,
                            "replied_at": replied if answered else None,
                        }
                    )
        return pl.DataFrame(rows, infer_schema_length=None).filter(
            pl.col("created_at").dt.date() <= END
        )

    def _monthly(
        self, df: pl.DataFrame, key: pl.Expr, source: str, drop: list[str] | None = None
    ) -> list[tuple[str, pl.DataFrame]]:
        df = df.with_columns(key.alias("_m"))
        out = []
        for (m,), part in sorted(df.partition_by("_m", as_dict=True).items()):
            out.append((f"{source}_{m}.csv", part.drop(["_m", *(drop or [])])))
        return out

    def tickets(
        self, cust: pl.DataFrame, cust_tickets: list[tuple], agents: list[str]
    ) -> pl.DataFrame:
        rng = self.rng
        email = dict(cust.select("customer_id", "email").iter_rows())
        rows = []
        for i, (cid, day, store, bad) in enumerate(cust_tickets, start=1):
            created = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(
                minutes=int(rng.integers(0, 12 * 60))
            )
            if day > END:
                continue
            theme = (
                str(rng.choice(list(texts.TICKET_BODIES)))
                if not bad
                else str(
                    rng.choice(
                        [
                            "waiting_time",
                            "order_accuracy",
                            "price",
                            "product_quality",
                            "staff_friendliness",
                            "listened_to",
                        ]
                    )
                )
            )
            reply_h = rng.exponential(30.0 if bad else 3.0)
            first_reply = created + dt.timedelta(hours=float(reply_h))
            solved = first_reply + dt.timedelta(hours=float(rng.exponential(40 if bad else 6)))
            end = dt.datetime.combine(END, dt.time(23, 59))
            status = (
                "closed"
                if solved < end - dt.timedelta(days=4)
                else ("solved" if solved < end else "open")
            )
            if first_reply > end:
                first_reply, status = None, "new"
            if status in ("open", "new"):
                solved = None
            rated = solved is not None and rng.random() < 0.6
            csat = (
                (
                    int(rng.choice([1, 2], p=[0.6, 0.4]))
                    if bad
                    else int(rng.choice([3, 4, 5], p=[0.15, 0.35, 0.5]))
                )
                if rated
                else None
            )
            comment = ""
            if rated and rng.random() < 0.7:
                bank = texts.CSAT_BAD if csat <= 2 else texts.CSAT_GOOD
                comment = texts.typo(bank[int(rng.integers(len(bank)))], rng)
            body_t = texts.TICKET_BODIES[theme]
            rows.append(
                {
                    "ticket_id": f"{10000 + i}",
                    "customer_id": cid,
                    "requester_email": email[cid],
                    "store_id": store,
                    "channel": str(
                        rng.choice(
                            ["email", "phone", "chat", "web_form", "in_store"],
                            p=[0.4, 0.2, 0.2, 0.15, 0.05],
                        )
                    ),
                    "created_at": created,
                    "first_reply_at": first_reply,
                    "solved_at": solved,
                    "status": status,
                    "reopens": int(rng.poisson(0.8 if bad else 0.1)) if solved else 0,
                    "agent_replies": (1 + int(rng.poisson(2.5 if bad else 0.4)))
                    if first_reply
                    else 0,
                    "agent_id": agents[int(rng.integers(len(agents)))],
                    "subject": texts.TICKET_SUBJECTS[theme][
                        int(rng.integers(len(texts.TICKET_SUBJECTS[theme])))
                    ],
                    "description": texts.typo(
                        texts.fill(body_t[int(rng.integers(len(body_t)))], rng), rng
                    ),
                    "csat_score": csat,
                    "csat_comment": comment or None,
                }
            )
        return pl.DataFrame(rows, infer_schema_length=None).sort("created_at")

    def nps(self, tx: pl.DataFrame, cust_tickets: list[tuple]) -> pl.DataFrame:
        rng = self.rng
        bad_after = {}
        for cid, day, _s, bad in cust_tickets:
            if bad:
                bad_after.setdefault(cid, day)
        pay = tx.filter(pl.col("event_type") == "payment")
        sample = pay.filter(
            pl.Series(
                rng.random(pay.height)
                < np.where(pay["customer_id"].is_null().to_numpy(), 0.03, 0.15) * self.cfg.nps_scale
            )
        )
        rows = []
        g_pr, g_de = PLANTED["engagement_to_next_month_promoter_prob"], 0.06
        for i, (cid, at, store) in enumerate(
            sample.select("customer_id", "transaction_at", "store_id").iter_rows(), start=1
        ):
            responded = at + dt.timedelta(hours=float(rng.uniform(1, 48)))
            if responded.date() > END:
                continue
            e = self.lagged_e(store, at.date())
            p_pro, p_det = 0.52 + g_pr * e, 0.18 - g_de * e
            if cid in bad_after and bad_after[cid] <= at.date():
                p_pro, p_det = p_pro * 0.4, min(0.9, p_det * 2.5)
            u = rng.random()
            if u < p_pro:
                score = int(rng.choice([9, 10], p=[0.45, 0.55]))
            elif u < p_pro + p_det:
                score = int(rng.choice(range(0, 7), p=[0.04, 0.04, 0.07, 0.1, 0.15, 0.25, 0.35]))
            else:
                score = int(rng.choice([7, 8]))
            wait = PLANTED["waiting_time_share_of_negative_comments"]
            share = wait["riverside"] if store == "riverside" else wait["other"]
            rows.append(
                {
                    "response_id": f"NPS{i:07d}",
                    "customer_id": cid,
                    "responded_at": responded,
                    "store_id": store,
                    "touchpoint": str(
                        rng.choice(
                            ["in_store", "online_order", "delivery", "catering"],
                            p=[0.7, 0.15, 0.1, 0.05],
                        )
                    ),
                    "score": score,
                    "comment": texts.nps_comment(score, rng, share) or None,
                }
            )
        return pl.DataFrame(rows, infer_schema_length=None)

    def hr_snapshots(self, emp: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
        out = []
        cols = [
            "employee_id",
            "first_name",
            "last_name",
            "email",
            "store_id",
            "role",
            "hire_date",
            "termination_date",
            "termination_reason",
            "weekly_hours",
        ]
        for first in self.months:
            nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
            asof = min(nxt - dt.timedelta(days=1), END)
            snap = (
                emp.filter(pl.col("hire_date") <= asof)
                .with_columns(
                    pl.when(pl.col("termination_date") <= asof)
                    .then(pl.col("termination_date"))
                    .alias("termination_date"),
                    pl.when(pl.col("termination_date") <= asof)
                    .then(pl.col("termination_reason"))
                    .alias("termination_reason"),
                )
                .select(cols)
            )
            out.append((f"hr_employees_{asof.isoformat()}.csv", snap))
        return out

    def engagement_and_absences(self, staff: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
        rng = self.rng
        eng_rows, abs_rows = [], []
        k_abs = 0
        for m, first in enumerate(self.months):
            nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
            for e in staff:
                last = e["termination_date"] or END
                if e["hire_date"] > first or last < first:
                    continue
                lvl = self.engagement[e["store_id"]][m]
                if rng.random() < 0.7:
                    mean = PLANTED["engagement_item_mean"] + PLANTED["engagement_item_slope"] * lvl
                    items = np.clip(np.rint(mean + rng.normal(0, 0.8, 5)), 1, 5).astype(int)
                    enps = int(np.clip(np.rint(7 + 1.3 * lvl + rng.normal(0, 1.8)), 0, 10))
                    bank = texts.EMPLOYEE_COMMENTS_GOOD if lvl > 0 else texts.EMPLOYEE_COMMENTS_BAD
                    eng_rows.append(
                        {
                            "response_id": f"ENG{len(eng_rows) + 1:06d}",
                            "survey_month": first,
                            "store_id": e["store_id"],
                            "employee_id": e["employee_id"],
                            "item_valued": items[0],
                            "item_listened_to": items[1],
                            "item_tools": items[2],
                            "item_growth": items[3],
                            "item_workload": items[4],
                            "enps_score": enps,
                            "comment": bank[int(rng.integers(len(bank)))] or None,
                        }
                    )
                d = first
                p_sick = 0.025 * np.exp(-0.3 * lvl)
                while d < nxt and d <= END:
                    if d.weekday() < 5 and e["hire_date"] <= d <= last and rng.random() < p_sick:
                        k_abs += 1
                        sched = e["weekly_hours"] / 5
                        abs_rows.append(
                            {
                                "absence_id": f"A{k_abs:06d}",
                                "employee_id": e["employee_id"],
                                "absence_date": d,
                                "end_date": None,  # one-day records
                                "absence_type": str(
                                    rng.choice(
                                        ["sick", "personal", "family", "unpaid"],
                                        p=[0.75, 0.1, 0.1, 0.05],
                                    )
                                ),
                                "hours": sched if rng.random() < 0.85 else round(sched / 2, 1),
                                "days": None,
                                "scheduled_hours": sched,
                            }
                        )
                    d += dt.timedelta(days=1)
        return pl.DataFrame(eng_rows), pl.DataFrame(abs_rows)


def plant_bad_rows(
    files: dict[str, list[tuple[str, pl.DataFrame]]],
) -> dict[str, list[tuple[str, str]]]:
    """Text rows to append to the first file of some sources (see ``BAD_ROWS``)."""
    return {
        "nps_responses": [
            (
                "response_id,responded_at,store_id,touchpoint,score,comment",
                "NPSBAD0001,2024-11-15 10:00:00,downtown,in_store,11,best ever",
            )
        ],
        "pos_transactions": [
            (
                "transaction_id,transaction_at,store_id,event_type,payment_method,"
                "gross_sales,discounts,net_sales,tax",
                "TBAD0001,1970-01-01 00:00:00,downtown,payment,card,4.20,0,4.20,0.84",
            )
        ],
        "crm_customers": [
            (
                "customer_id,signup_date,home_store,loyalty_member",
                "CBAD0001,31/02/2025,downtown,true",
            )
        ],
    }


STAR_WORDS = {1: "ONE", 2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}


def review_exports(name: str, df: pl.DataFrame, zone: str) -> list[tuple[str, str]]:
    """A month of the demo's reviews as the platforms export them: Google's as the Business
    Profile API's JSON (times in UTC, star ratings as words, the store as the location), the
    Trustpilot ones as its review download CSV."""
    month = name.removeprefix("online_reviews_").removesuffix(".csv")

    def in_utc(column: str) -> pl.Expr:  # the business's local time as naive UTC
        return (
            pl.col(column)
            .dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone("UTC")
            .dt.replace_time_zone(None)
        )

    utc = df.with_columns(
        in_utc(c).dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").alias(f"{c}_utc")
        for c in ("created_at", "replied_at")
    )
    out = []
    google = utc.filter(pl.col("platform") == "google")
    if google.height:
        reviews = []
        for r in google.iter_rows(named=True):
            rid = r["review_id"].removeprefix("google-")
            review = {
                "name": f"accounts/1000/locations/{r['store_id']}/reviews/{rid}",
                "reviewId": rid,
                "reviewer": {"displayName": r["author_name"]},
                "starRating": STAR_WORDS[int(r["rating"])],
                "createTime": r["created_at_utc"],
                "updateTime": r["created_at_utc"],
            }
            if r["review_text"]:
                review["comment"] = r["review_text"]
            if r["reply_text"]:
                review["reviewReply"] = {
                    "comment": r["reply_text"],
                    "updateTime": r["replied_at_utc"],
                }
            reviews.append(review)
        doc = {"reviews": reviews, "totalReviewCount": len(reviews), "nextPageToken": ""}
        out.append((f"google_reviews_{month}.json", json.dumps(doc, indent=2) + "\n"))
    trust = utc.filter(pl.col("platform") == "trustpilot")
    if trust.height:
        frame = trust.select(
            pl.col("review_id").str.strip_prefix("trustpilot-").alias("Review ID"),
            in_utc("created_at").alias("Review Created (UTC)"),
            pl.col("title").alias("Review Title"),
            pl.col("review_text").alias("Review Content"),
            pl.col("rating").cast(pl.Int64).alias("Review Stars"),
            in_utc("replied_at").alias("Company Reply Date (UTC)"),
            pl.col("reply_text").alias("Reply Content"),
            pl.col("author_name").alias("Consumer Name"),
            pl.col("experience_date").alias("Date of Experience"),
        )
        out.append((f"trustpilot_reviews_{month}.csv", _csv(frame)))
    return out


def _csv(df: pl.DataFrame) -> str:
    buf = io.StringIO()
    df.write_csv(
        buf, datetime_format="%Y-%m-%d %H:%M:%S", date_format="%Y-%m-%d", float_precision=2
    )
    return buf.getvalue()


def _append_rows(csv_text: str, header_subset: str, row: str) -> str:
    """Append a row given for a subset of columns, filling the others with empty values."""
    header = csv_text.splitlines()[0].split(",")
    sub = header_subset.split(",")
    values = dict(zip(sub, row.split(","), strict=True))
    return csv_text + ",".join(values.get(c, "") for c in header) + "\n"


def plant_support_effort(tickets: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """The journey's planted hotspot: in one store's last month, getting help took effort: a run
    of tickets about the card machine that needed several replies and were reopened, and the
    store's other solved tickets reopened more often."""
    plant = PLANTED["support_effort_hotspot"]
    month = dt.date.fromisoformat(plant["month"] + "-01")
    in_plant = (pl.col("store_id") == plant["store"]) & (
        pl.col("created_at").dt.strftime("%Y-%m") == plant["month"]
    )
    hit = (
        in_plant
        & pl.col("solved_at").is_not_null()
        & pl.Series(rng.random(tickets.height) < plant["reopen_prob"])
    )
    reopened = tickets.with_columns(
        pl.when(hit).then(pl.col("reopens") + 1).otherwise(pl.col("reopens")).alias("reopens")
    )
    sample = tickets.filter(pl.col("customer_id").is_not_null()).sample(
        plant["extra_tickets"], with_replacement=True, seed=int(rng.integers(1 << 31))
    )
    rows = []
    for n, (cid, email, agent) in enumerate(
        sample.select("customer_id", "requester_email", "agent_id").iter_rows(), start=1
    ):
        created = dt.datetime.combine(
            month + dt.timedelta(days=int(rng.integers(25))), dt.time(9)
        ) + dt.timedelta(minutes=int(rng.integers(9 * 60)))
        solved = created + dt.timedelta(hours=float(rng.uniform(50, 140)))
        rows.append(
            {
                "ticket_id": f"{90000 + n}",
                "customer_id": cid,
                "requester_email": email,
                "store_id": plant["store"],
                "channel": "email",
                "created_at": created,
                "first_reply_at": created + dt.timedelta(hours=float(rng.uniform(4, 30))),
                "solved_at": solved,
                "status": "closed" if solved.date() < END - dt.timedelta(days=4) else "solved",
                "reopens": int(rng.integers(1, 3)),
                "agent_replies": int(rng.integers(3, 7)),
                "agent_id": agent,
                "subject": "Charged twice at the till",
                "description": str(rng.choice(texts.CARD_MACHINE)),
                "csat_score": int(rng.choice([1, 2, 3])) if rng.random() < 0.6 else None,
                "csat_comment": None,
            }
        )
    extra = pl.DataFrame(rows, schema=tickets.schema)
    return pl.concat([reopened, extra]).sort("created_at", "ticket_id")


def ticket_events(
    tickets: pl.DataFrame, agents: list[str], rng: np.random.Generator
) -> pl.DataFrame:
    """Each ticket's history as a help desk exports it (status changes, assignments, comments),
    consistent with the tickets file: the customer's first message at creation, the first public
    agent reply at first_reply_at, agent_replies public replies in all (later ones each after a
    question from the customer), reopens times solved and reopened, the last solve at solved_at,
    closed four days later for a closed ticket; some hand-offs, holds and internal notes."""
    end = dt.datetime.combine(END, dt.time(23, 59))
    rows: list[dict] = []
    for ticket, created, first_reply, solved, status, reopens, replies, agent in tickets.select(
        "ticket_id",
        "created_at",
        "first_reply_at",
        "solved_at",
        "status",
        "reopens",
        "agent_replies",
        "agent_id",
    ).iter_rows():
        events: list[tuple] = []  # (at, type, status, assignee, role, public)

        def add(at, kind, new_status=None, assignee=None, role=None, public=None, _to=events):
            _to.append((at, kind, new_status, assignee, role, public))

        add(created, "status", "new")
        add(created, "comment", role="requester", public=True)
        horizon = first_reply or solved or min(created + dt.timedelta(hours=8), end)
        assigned = created + (horizon - created) * float(rng.uniform(0.05, 0.4))
        if rng.random() < 0.15:  # passed on from a first agent before anyone answered
            other = agents[int(rng.integers(len(agents)))]
            add(assigned, "assignee", assignee=other)
            add(assigned, "status", "open")
            add(assigned + (horizon - assigned) / 2, "assignee", assignee=agent)
        else:
            add(assigned, "assignee", assignee=agent)
            add(assigned, "status", "open")
        if first_reply is not None:
            add(first_reply, "comment", role="agent", public=True)
            add(first_reply, "status", "pending")
            last = solved if solved is not None else end
            blocks = [["ask", "answer"]] * max(0, (replies or 1) - 1)
            blocks += [["solve", "reopen"]] * (reopens if solved is not None else 0)
            if rng.random() < 0.1:
                blocks.append(["hold", "unhold"])
            order = rng.permutation(len(blocks)) if blocks else []
            steps = [step for i in order for step in blocks[int(i)]]
            if steps and last > first_reply:
                times = sorted(
                    first_reply + (last - first_reply) * float(u)
                    for u in rng.uniform(0.02, 0.98, len(steps))
                )
                for at, step in zip(times, steps, strict=True):
                    at = at.replace(microsecond=0)
                    if step in ("ask", "reopen"):
                        add(at, "comment", role="requester", public=True)
                        add(at, "status", "open")
                    elif step == "answer":
                        add(at, "comment", role="agent", public=True)
                        add(at, "status", "pending")
                    elif step == "solve":
                        add(at, "status", "solved")
                    elif step == "hold":
                        add(at, "status", "hold")
                    else:
                        add(at, "status", "open")
            if rng.random() < 0.3:
                note = first_reply + (last - first_reply) * float(rng.uniform(0.1, 0.9))
                add(note.replace(microsecond=0), "comment", role="agent", public=False)
        if solved is not None and status in ("solved", "closed"):
            add(solved, "status", "solved")
            if status == "closed":
                add(min(solved + dt.timedelta(days=4), end), "status", "closed")
        elif solved is not None:  # reopened and not solved again yet
            add(solved, "status", "solved")
            add(min(solved + dt.timedelta(hours=2), end), "comment", role="requester", public=True)
            add(min(solved + dt.timedelta(hours=2), end), "status", "open")
        for n, (at, kind, new_status, assignee, role, public) in enumerate(
            sorted(events, key=lambda e: e[0]), start=1
        ):
            rows.append(
                {
                    "event_id": f"{ticket}-{n:03d}",
                    "ticket_id": ticket,
                    "event_at": at.replace(microsecond=0),
                    "event_type": kind,
                    "status": new_status,
                    "assignee_id": assignee,
                    "author_role": role,
                    "is_public": public,
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "event_id": pl.String,
            "ticket_id": pl.String,
            "event_at": pl.Datetime("us"),
            "event_type": pl.String,
            "status": pl.String,
            "assignee_id": pl.String,
            "author_role": pl.String,
            "is_public": pl.Boolean,
        },
    )


def with_effort(nps: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """A customer effort answer (CES 1-7, 7 = easy) on some responses, easier with higher NPS."""
    answered = rng.random(nps.height) < PLANTED["ces_answer_share"]
    effort = np.clip(np.rint(rng.normal(2.2 + 0.45 * nps["score"].to_numpy(), 1.0)), 1, 7)
    return nps.with_columns(
        pl.Series("effort_score", np.where(answered, effort, np.nan)).fill_nan(None).cast(pl.Int64)
    )


def write_demo(landing: Path, cfg: DemoConfig) -> dict[str, int]:
    """Write the demo files; a file whose content is unchanged is not touched. Returns counts.

    Columns are written in the order of each source's contract (the one column list), and a
    frame that lacks a contract column fails here rather than in ingestion.
    """
    from dagster_project.settings import load_settings

    contracts = load_contracts(load_settings().contracts_dir)
    files = {
        source: [(name, df.select(contracts[source].column_names)) for name, df in parts]
        for source, parts in Demo(cfg).build().items()
    }
    bad = plant_bad_rows(files) if cfg.bad_rows else {}
    zone = load_settings().timezone
    written = unchanged = 0
    for source, parts in files.items():
        folder = landing / source
        folder.mkdir(parents=True, exist_ok=True)
        if source == "online_reviews":  # as the platforms export them, not the contract's CSV
            parts = [part for name, df in parts for part in review_exports(name, df, zone)]
        for k, (name, df) in enumerate(parts):
            text = df if isinstance(df, str) else _csv(df)
            if k == 0 and not isinstance(df, str):
                for header_subset, row in bad.get(source, []):
                    text = _append_rows(text, header_subset, row)
                if cfg.bad_rows and source == "support_tickets":  # a row repeated in the file
                    text = text + text.splitlines()[1] + "\n"
            path = folder / name
            if path.exists() and path.read_text() == text:
                unchanged += 1
                continue
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_text(text)
            tmp.replace(path)
            written += 1
    return {"written": written, "unchanged": unchanged}


def demo_config(tier: str | None, customers: int | None, seed: int, bad_rows: bool) -> DemoConfig:
    """The tier's business (S when none), with the number of customers overridden if given."""
    base = TIERS[(tier or "S").upper()]
    return replace(base, customers=customers or base.customers, seed=seed, bad_rows=bad_rows)


def main() -> None:
    from dagster_project.settings import load_settings

    s = load_settings()
    cfg = demo_config(s.demo_tier, s.demo_customers, s.demo_seed, s.demo_bad_rows)
    counts = write_demo(s.landing, cfg)
    print(
        f"demo business ({cfg.customers} customers, seed {cfg.seed}) -> {s.landing}: "
        f"{counts['written']} files written, {counts['unchanged']} unchanged"
    )


if __name__ == "__main__":
    main()
