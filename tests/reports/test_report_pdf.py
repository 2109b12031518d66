"""`make report-pdf` prints every page, KPI tiles included, with headless Chromium, one PDF per
page outside the live build."""

import subprocess
import unicodedata

from pypdf import PdfReader

from tests.conftest import ROOT


def test_make_report_pdf_prints_every_headline_tile(published_home):
    site = published_home.site
    proc = subprocess.run(
        ["make", "-s", "report-pdf", f"SITE={site}"],
        cwd=ROOT,
        env=published_home.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = site.parent / "report-pdf"
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        f"{p}.pdf"
        for p in sorted(["index", "customers", "voice", "journey", "support", "team", "quality"])
    ]
    assert not list(site.resolve().glob("*.pdf"))  # nothing written into the live build
    pdf = out / "index.pdf"
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    # tile titles are upper-cased by CSS, and the PDF font sets ligatures (fi, ff)
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    labels = [
        label
        for (label,) in published_home.query(
            "SELECT label FROM marts.kpi_definitions ORDER BY kpi", published_home.analytics
        )
    ]
    assert len(labels) == 14  # the empathy score among them
    for label in labels:
        assert label.lower() in text.lower(), label
    (revenue,) = published_home.query(
        "SELECT net_revenue FROM marts.kpi_company_monthly ORDER BY month DESC LIMIT 1"
    )[0]
    assert f"£{revenue:,.0f}" in text  # the latest month's figure, as on the tile
    assert text.count("n = ") >= 12
    assert "What changed" in text
