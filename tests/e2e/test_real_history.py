"""A real business's history through the real pipeline (issue 17): the CDNOW music retailer's
1997-98 purchases (real data, tests/fixtures/cdnow, weeks-long gaps between purchases) as its
CRM and POS exports, with customers who signed up before 2000; an HR register with staff hired
in the 1970s and a placeholder date; a BambooHR time-off export with a 5-day episode; and the
business's own profile, whose store and role lists do not cover every id the exports use."""

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.pipeline_home import Home

CDNOW = ROOT / "tests" / "fixtures" / "cdnow" / "CDNOW_sample.txt"
PROFILE = """\
name: Music Retailer 1997
currency: USD
locale: en_US
timezone: America/New_York
fiscal_year_start_month: 7
opening_date: 1970-06-01
stores:
  main: Main Street
roles: [manager, sales]
"""


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def purchases() -> list[tuple[str, dt.date, float]]:
    out = []
    for line in CDNOW.read_text().splitlines():
        _, customer, day, _, value = line.split()
        out.append((customer, dt.datetime.strptime(day, "%Y%m%d").date(), float(value)))
    return out


@pytest.fixture(scope="module")
def retailer(tmp_path_factory) -> Home:
    home = Home(tmp_path_factory.mktemp("retailer") / "home")
    profile = home.root / "business.yaml"
    profile.write_text(PROFILE)
    home.env["EMPATHY_PROFILE"] = str(profile)
    bought = purchases()
    first: dict[str, dt.date] = {}
    for customer, day, _ in bought:
        first[customer] = min(first.get(customer, day), day)
    # signed up between 0 and 3 years before the first purchase (1994-1997); every tenth
    # customer at the annex store, which the profile does not list
    crm = [
        [
            f"C{c}",
            (first[c] - dt.timedelta(days=int(c) % 1100)).isoformat(),
            "annex" if int(c) % 10 == 0 else "main",
            "false",
        ]
        for c in sorted(first)
    ]
    crm.append(["C-PLACEHOLDER", "1970-01-01", "main", "false"])  # an export's "no date"
    _write(
        home.landing / "crm_customers" / "customers.csv",
        ["customer_id", "signup_date", "home_store", "loyalty_member"],
        crm,
    )
    pos = [
        [f"T{n:05d}", f"{day} 12:00:00", "main", f"C{c}", "payment", "card", v, 0, v, 0]
        for n, (c, day, v) in enumerate(bought, 1)
    ]
    _write(
        home.landing / "pos_transactions" / "purchases_1997_1998.csv",
        [
            "transaction_id",
            "transaction_at",
            "store_id",
            "customer_id",
            "event_type",
            "payment_method",
            "gross_sales",
            "discounts",
            "net_sales",
            "tax",
        ],
        pos,
    )
    _write(
        home.landing / "hr_employees" / "staff.csv",
        [
            "employee_id",
            "store_id",
            "role",
            "hire_date",
            "termination_date",
            "termination_reason",
            "weekly_hours",
        ],
        [
            ["E1", "main", "manager", "1974-05-13", "", "", "40"],
            ["E2", "main", "sales", "1979-09-03", "", "", "40"],
            ["E3", "main", "sales", "1976-02-02", "1998-02-27", "retired", "40"],
            ["E4", "main", "buyer", "1996-10-01", "", "", "20"],
            ["E5", "main", "sales", "1970-01-01", "", "", "40"],  # placeholder hire date
        ],
    )
    # BambooHR time-off requests: a 5-day sick episode from Wednesday 4 March 1998 to Tuesday
    # 10 March (5 weekdays), in days; a denied request; a one-day record in hours
    _write(
        home.landing / "time_off_requests.csv",
        ["id", "employeeId", "status", "start", "end", "type", "amount", "unit"],
        [
            ["501", "E1", "approved", "1998-03-04", "1998-03-10", "Sick", "5", "days"],
            ["502", "E2", "denied", "1998-03-16", "1998-03-20", "Vacation", "5", "days"],
            ["503", "E2", "approved", "1998-04-06", "1998-04-06", "Sick", "4", "hours"],
        ],
    )
    run = home.refresh()
    assert "Owner's report:" in run.stdout
    return home


def test_every_valid_row_of_a_1997_history_loads(retailer):
    ledger = {
        source: (status, read, loaded, rejected)
        for source, status, read, loaded, rejected in retailer.query(
            "SELECT source, status, rows_read, rows_loaded, rows_rejected FROM raw.ingest_ledger"
        )
    }
    n_customers = len({c for c, _, _ in purchases()})
    assert n_customers == 2357
    assert ledger["pos_transactions"] == ("loaded", 6919, 6919, 0)
    assert ledger["crm_customers"] == ("partial", n_customers + 1, n_customers, 1)
    assert retailer.query("SELECT _rule, _column FROM raw.crm_customers__rejected") == [
        ("placeholder_date", "signup_date")
    ]
    assert retailer.query("SELECT min(signup_date) < DATE '1995-01-01' FROM raw.crm_customers")


def test_the_customer_value_figures_agree_with_each_other(retailer):
    [(n, threshold, rate, active, end)] = retailer.query(
        "SELECT customers_with_purchases, churn_threshold_days, last_month_churn_rate_pct, "
        "last_month_active_at_start, observation_end FROM marts.kpi_customer_value_summary"
    )
    assert n == 2357
    assert threshold is not None and 7 < threshold < 400
    assert active and active > 0 and rate is not None
    [(churned, at_start)] = retailer.query(
        "SELECT sum(churned), sum(active_at_start) FROM marts.kpi_churn_monthly "
        "WHERE month = (SELECT max(month) FROM marts.kpi_churn_monthly)"
    )
    assert at_start == active
    assert rate == pytest.approx(round(100 * churned / at_start, 2))
    assert end == dt.date(1998, 6, 30)
    page = (retailer.site / "customers.html").read_text()
    assert "2,357" in page
    shown = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    assert "$" in shown and "£" not in shown  # the profile's currency


def test_months_carry_the_profile_s_financial_year(retailer):
    fiscal = dict(
        (month, (year, quarter))
        for month, year, quarter in retailer.query(
            "SELECT month, fiscal_year, fiscal_quarter FROM marts.kpi_company_monthly"
        )
    )
    # a financial year from July to June, named by the year it ends in
    assert fiscal[dt.date(1997, 1, 1)] == (1997, 3)
    assert fiscal[dt.date(1997, 6, 1)] == (1997, 4)
    assert fiscal[dt.date(1997, 7, 1)] == (1998, 1)
    assert fiscal[dt.date(1998, 6, 1)] == (1998, 4)


def test_staff_hired_in_the_1970s_load_and_turnover_counts_the_leaver(retailer):
    hires = retailer.query("SELECT employee_id, hire_date FROM raw.hr_employees ORDER BY 1")
    assert [e for e, _ in hires] == ["E1", "E2", "E3", "E4"]
    assert hires[0][1] == dt.date(1974, 5, 13)
    assert retailer.query("SELECT _row_number, _rule FROM raw.hr_employees__rejected") == [
        (5, "placeholder_date")
    ]
    [(leavers,)] = retailer.query(
        "SELECT sum(leavers) FROM marts.kpi_team_monthly WHERE month = DATE '1998-02-01'"
    )
    assert leavers == 1


def test_a_five_day_absence_episode_counts_as_five_scheduled_days(retailer):
    days = retailer.query(
        "SELECT absence_day, hours FROM intermediate.int_absence_days_spread "
        "WHERE absence_id = 'bamboohr-501' ORDER BY 1"
    )
    assert [d for d, _ in days] == [
        dt.date(1998, 3, d) for d in (4, 5, 6, 9, 10)
    ]  # Wednesday to Tuesday, the weekend left out
    assert {float(h) for _, h in days} == {8.0}  # 5 days x 40 h / 5
    [(absence, leave, scheduled, rate)] = retailer.query(
        "SELECT absence_hours, leave_hours, scheduled_hours, absence_rate_pct "
        "FROM marts.kpi_team_monthly WHERE store_id = 'main' AND month = DATE '1998-03-01'"
    )
    assert (float(absence), float(leave)) == (40.0, 0.0)
    assert rate == pytest.approx(round(100 * 40 / float(scheduled), 2))
    rejected = retailer.query("SELECT _rule FROM raw.hr_absences__rejected")
    assert rejected == [("out_of_scope",)]  # the denied request


def test_ids_the_profile_does_not_list_are_loaded_and_shown_as_new(retailer):
    seen = {
        (kind, value): (rows, is_in_profile, is_new)
        for kind, value, rows, is_in_profile, is_new in retailer.query(
            "SELECT kind, value, rows, is_in_profile, is_new FROM marts.kpi_values_seen"
        )
    }
    annex = Counter(int(c) % 10 == 0 for c, _, _ in purchases())
    assert seen[("store", "main")][1:] == (True, False)
    assert seen[("store", "annex")][1:] == (False, True)
    assert seen[("role", "buyer")] == (1, False, True)
    assert seen[("role", "sales")][1:] == (True, False)
    assert annex[True] > 0
    names = dict(retailer.query("SELECT store_id, store_name FROM marts.dim_stores"))
    assert names == {"main": "Main Street", "annex": "Annex"}
    quality = (retailer.site / "quality.html").read_text()
    assert "not in your business profile" in quality
    assert "<td>annex</td>" in quality and "<td>buyer</td>" in quality


def test_with_nothing_customers_said_the_churn_model_is_purchases_alone(retailer):
    """A real purchase history with no NPS, texts or tickets: the churn model is judged on it
    like on any other, and the model 'with voice' is exactly the purchases-only one."""
    rows = retailer.query(
        "SELECT method, customers, churners, auc, voice_features, features, "
        "compared_with_purchases_only, test_cutoff FROM marts.kpi_churn_model_evaluation"
    )
    by = {r[0]: r for r in rows}
    assert set(by) == {"voice_and_purchases", "purchases_only", "p_alive", "inactivity_rule"}
    voice, base = by["voice_and_purchases"], by["purchases_only"]
    assert voice[4] == 0 and voice[5] == base[5]
    assert voice[3] == base[3] and voice[6] == "no clear difference"
    assert voice[1] == base[1] > 500 and 0 < voice[2] < voice[1]
    assert voice[7] == dt.date(1998, 6, 30) - dt.timedelta(days=90)  # the last CDNOW day - 90
    # purchase history ranks the real customers better than chance, and the regression at
    # least as well as P(alive) alone on the same customers
    assert base[3] > 0.7 and base[3] >= by["p_alive"][3] - 0.01
    assert retailer.query("SELECT count(*) FROM marts.kpi_churn_voice_signals") == [(0,)]
    assert retailer.query(
        "SELECT count(*) FROM marts.fct_customer_churn_risk WHERE churn_risk <> purchases_only_risk"
    ) == [(0,)]
    page = (retailer.site / "customers.html").read_text()
    assert "There is nothing from what customers say to add yet" in page
