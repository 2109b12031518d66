"""The docs name things that exist: the tests the bad-input catalogue cites, and every vendor
format file in the formats guide."""

import re

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
    assert len(files) == 10
    assert [f for f in files if f"`{f}`" not in guide] == []
