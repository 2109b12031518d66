import datetime as dt

from reports.formatting import sparkline_svg
from reports.tiles import kpi_tiles, what_changed

DEFS = [
    {
        "kpi": "net_revenue",
        "label": "Net revenue",
        "mart": "kpi_company_monthly",
        "value_column": "net_revenue",
        "n_column": "payments",
        "unit": "currency",
        "formula": "f",
        "parameters": "",
        "better": "higher",
    },
    {
        "kpi": "absence_rate",
        "label": "Absence rate",
        "mart": "kpi_company_monthly",
        "value_column": "absence_rate_pct",
        "n_column": None,
        "unit": "% of scheduled hours",
        "formula": "f",
        "parameters": "",
        "better": "lower",  # the KPI definitions seed says which way is good news
    },
]


def months(n):
    return [dt.date(2025 + (m // 12), m % 12 + 1, 1) for m in range(n)]


def test_tiles_compare_with_last_month_and_a_year_earlier_and_colour_by_direction():
    company = [
        {"month": m, "net_revenue": 1000.0 + i, "payments": 10, "absence_rate_pct": 2.0}
        for i, m in enumerate(months(14))
    ]
    company[-1] |= {"net_revenue": 1300.0, "absence_rate_pct": 3.0}
    tiles = {t["kpi"]: t for t in kpi_tiles(company, DEFS, "£")}
    rev, absence = tiles["net_revenue"], tiles["absence_rate"]
    assert (
        rev["delta_text"] == "+28.5% vs previous month" and rev["delta_class"] == "up"
    )  # 1300/1012
    assert rev["year_text"] == "+29.9% vs a year earlier"  # 1300 vs 1001, twelve months before
    assert absence["delta_class"] == "down"  # more absence is worse
    assert "<svg" in rev["sparkline"] and "polyline" in rev["sparkline"]
    sentences = what_changed(list(tiles.values()), company[-1]["month"], "£")
    assert sentences[0].startswith("Net revenue rose by 28.5%") or sentences[0].startswith(
        "Absence rate rose by 1.0 points"
    )
    assert any("Absence rate rose by 1.0 points" in s and "(worse;" in s for s in sentences)


def test_sparkline_needs_two_points():
    assert sparkline_svg([None, 5]) == ""
    assert sparkline_svg([1, None, 3]).count("<circle") == 1


def test_a_snapshot_kpi_gets_its_value_n_and_filled_parameters_but_no_comparison():
    company = [{"month": m, "net_revenue": 10.0, "payments": 1} for m in months(3)]
    clv = {
        "kpi": "avg_clv",
        "label": "Average predicted CLV",
        "mart": "kpi_customer_value_summary",
        "value_column": "avg_predicted_clv",
        "n_column": "customers_with_purchases",
        "unit": "currency",
        "formula": "f",
        "parameters": "{horizon_months}-month horizon, as of {observation_end}",
    }
    summary = {
        "avg_predicted_clv": 25.65,
        "customers_with_purchases": 1500,
        "horizon_months": 12,
        "observation_end": dt.date(2026, 10, 31),
    }
    assert [t["kpi"] for t in kpi_tiles(company, [clv], "£")] == []  # no snapshot given
    (tile,) = kpi_tiles(company, [clv], "£", {"kpi_customer_value_summary": summary})
    assert (tile["display"], tile["n"]) == ("£25.65", 1500)
    assert tile["parameters"] == "12-month horizon, as of 2026-10-31"
    assert tile["delta_text"] == "" and tile["change"] is None and tile["sparkline"] == ""
    assert what_changed([tile], company[-1]["month"], "£") == []
