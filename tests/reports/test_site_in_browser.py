"""The published site opened in headless Chromium, from file:// and over http."""

import functools
import http.server
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from reports.pages import PAGES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module", autouse=True)
def _chromium_present():
    assert CHROMIUM, (
        "Debian chromium is missing: `make test` installs it (apt-get install chromium)"
    )


@pytest.fixture(scope="module")
def home(published_home):
    return published_home


FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--virtual-time-budget=15000",
    "--window-size=1280,2600",
]


def chromium(url: str, *args: str) -> str:
    """Load the page in headless Chromium; fail on any message the page writes to the console
    (script errors, our chart errors, library warnings)."""
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [
                CHROMIUM,
                *FLAGS,
                f"--user-data-dir={profile}",
                "--enable-logging=stderr",
                "--v=0",
                *args,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, console[:5]
    return proc.stdout


def rendered_charts(dom: str) -> dict[str, int]:
    charts = {}
    for tag in re.findall(r"<div[^>]*class=\"chart[^\"]*\"[^>]*>", dom):
        chart_id = re.search(r'id="([^"]+)"', tag)[1]
        rendered = 'data-rendered="true"' in tag
        points = re.search(r'data-points="(\d+)"', tag)
        charts[chart_id] = int(points[1]) if rendered and points else 0
    return charts


def test_the_report_renders_from_file_with_charts_that_show_data(home, output_dir):
    index = Path(home.site / "index.html").resolve()
    dom = chromium(index.as_uri(), "--dump-dom")
    charts = rendered_charts(dom)
    assert set(charts) >= {"chart-revenue", "chart-nps", "chart-engagement", "chart-csat"}
    assert all(points > 10 for points in charts.values()), charts
    assert dom.count('class="main-svg"') >= len(charts)  # plotly drew SVG for every chart
    assert "Net revenue" in dom and "n = " in dom
    chromium(index.as_uri(), f"--screenshot={output_dir / 'overview.png'}")
    assert (output_dir / "overview.png").stat().st_size > 20_000


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            "voice.html",
            {
                "chart-nps-store",
                "chart-nps-store-month",
                "chart-themes",
                "chart-theme-pull",
                "chart-theme-trend",
            },
        ),
        (
            "support.html",
            {
                "chart-first-reply",
                "chart-support-csat",
                "chart-channels",
                "chart-support-churn",
                "chart-sla",
                "chart-backlog",
            },
        ),
        ("journey.html", {"chart-journey-heatmap", "chart-empathy-score"}),
        (
            "team.html",
            {
                "chart-headcount",
                "chart-turnover",
                "chart-absence",
                "chart-team-engagement",
                "chart-tenure",
                "chart-correlations",
                "chart-engagement-scatter",
            },
        ),
    ],
)
def test_voice_support_and_team_pages_show_their_charts(home, output_dir, page, expected):
    url = Path(home.site / page).resolve().as_uri()
    dom = chromium(url, "--dump-dom")
    charts = rendered_charts(dom)
    assert set(charts) == expected
    assert all(points >= 2 for points in charts.values()), charts
    assert "n = " in dom
    chromium(url, f"--screenshot={output_dir / page.replace('.html', '.png')}")


def test_the_customers_page_shows_clv_churn_cohorts_and_survival(home, output_dir):
    page = Path(home.site / "customers.html").resolve()
    dom = chromium(page.as_uri(), "--dump-dom")
    charts = rendered_charts(dom)
    assert set(charts) == {
        "chart-clv-bands",
        "chart-holdout",
        "chart-survival",
        "chart-churn",
        "chart-churn-calibration",
        "chart-cohorts",
    }
    assert all(points >= 5 for points in charts.values()), charts
    assert "Valuable customers slipping away" in dom and "n = " in dom
    chromium(page.as_uri(), f"--screenshot={output_dir / 'customers.png'}")


def test_the_report_renders_over_http(home):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(home.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dom = chromium(f"http://127.0.0.1:{server.server_port}/index.html", "--dump-dom")
    finally:
        server.shutdown()
    charts = rendered_charts(dom)
    assert charts and all(points > 10 for points in charts.values()), charts


def test_the_data_quality_page_lists_sources_rejections_and_checks(home):
    dom = chromium(Path(home.site / "quality.html").resolve().as_uri(), "--dump-dom")
    for source in ("crm_customers", "pos_transactions", "support_tickets", "hr_absences"):
        assert source in dom
    assert "Rejected rows by rule" in dom and "unique_in_file" in dom
    assert "Checks of the latest refresh" in dom and "gx_contract_suite" in dom
    assert "FAILED" not in dom


def test_every_page_is_linked_from_every_page(home):
    pages = [p.file for p in PAGES]
    assert len(pages) == 7
    for page in pages:
        html = (home.site / page).read_text()
        for target in pages:
            assert f'href="{target}"' in html, (page, target)


def test_the_dbt_docs_are_published_under_the_site(home):
    docs = (home.site / "docs" / "index.html").read_text()
    assert "kpi_customer_value_summary" in docs and "fct_customer_clv" in docs
    assert 'href="docs/index.html"' in (home.site / "index.html").read_text()
    # they open on the project's overview of the layers, not dbt's generic welcome
    assert "Empathy Warehouse: the data dictionary" in docs and "Where to start" in docs


HOSTILE = (
    "<script>console.error('injected')</script><img src=x onerror=\"console.error('img')\">"
    " Robert'); DROP TABLE marts.kpi_nps_monthly;--"
)


def test_text_with_html_javascript_and_sql_is_shown_as_text(home, tmp_path):
    """Customers' words go into the page as text: a comment holding a script, an image with an
    onerror handler and an SQL injection is displayed verbatim and nothing runs (any console
    message fails the page load)."""
    import duckdb

    from reports.build import build_site

    db = tmp_path / "analytics.duckdb"
    shutil.copyfile(home.analytics, db)
    con = duckdb.connect(str(db))
    try:
        con.execute("UPDATE marts.rpt_unmatched_texts SET text = ?", [HOSTILE])
        con.execute("UPDATE marts.rpt_follow_up SET verbatim = ?", [HOSTILE])
        assert con.execute("SELECT count(*) FROM marts.rpt_follow_up").fetchall()[0][0] > 0
    finally:
        con.close()
    build_site(db, tmp_path / "site")
    html = (tmp_path / "site" / "voice.html").read_text()
    assert "<script>console.error" not in html and "<img src=x" not in html
    dom = chromium((tmp_path / "site" / "voice.html").as_uri(), "--dump-dom")
    assert dom.count("&lt;script&gt;console.error('injected')&lt;/script&gt;") >= 2
    assert "DROP TABLE marts.kpi_nps_monthly;--" in dom
