"""The docs name things that exist: the tests the bad-input catalogue cites, and every vendor
format file in the formats guide."""

import re
from pathlib import Path

from tests.conftest import ROOT


def test_every_test_the_bad_input_catalogue_cites_exists():
    doc = (ROOT / "docs" / "bad_inputs.md").read_text()
    cited = set(re.findall(r"`(?:[\w/]+\.py::)?(test_\w+)`", doc))
    defined = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)", path.read_text(), re.MULTILINE))
    assert len(cited) >= 20
    assert cited <= defined, sorted(cited - defined)


def test_every_vendor_format_file_is_in_the_formats_guide():
    guide = (ROOT / "data_contracts" / "vendors" / "README.md").read_text()
    files = sorted(p.name for p in (ROOT / "data_contracts" / "vendors").glob("*.yaml"))
    assert len(files) == 13
    assert [f for f in files if f"`{f}`" not in guide] == []


def test_the_architecture_names_every_module_and_only_files_that_exist():
    doc = (ROOT / "ARCHITECTURE.md").read_text()
    named = set(re.findall(r"`([\w/]+\.(?:py|yml|yaml|csv))`", doc))
    modules = {
        p.name
        for p in (ROOT / "dagster_project").rglob("*.py")
        if p.name not in ("__init__.py", "__main__.py") and "demo" not in p.parts
    }
    missing = sorted(m for m in modules if m not in {Path(n).name for n in named})
    assert missing == [], f"ARCHITECTURE.md does not say where these live: {missing}"
    paths = [n for n in named if "/" in n]
    assert [
        p for p in paths if not (ROOT / p).exists() and not (ROOT / "dagster_project" / p).exists()
    ] == []


def test_report_queries_read_marts_and_nothing_else():
    """The report reads marts; the one exception is the checks of the refresh being published
    (quality.check_results), which are written after dbt has built the marts."""
    import re

    read = {}
    for path in sorted((ROOT / "reports" / "queries").glob("*.sql")):
        sql = re.sub(r"--[^\n]*", "", path.read_text())
        for schema, name in re.findall(r"\b(?:from|join)\s+(\w+)\.(\w+)", sql, flags=re.I):
            read.setdefault(schema, set()).add(name)
    assert set(read) == {"marts", "quality"}, read
    assert read["quality"] == {"check_results"}
