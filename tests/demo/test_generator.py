import re

import polars as pl

from dagster_project.demo.generator import PLANTED, DemoConfig, write_demo
from tests.conftest import SOURCES


def test_the_demo_is_deterministic_and_written_like_real_exports(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert write_demo(a, DemoConfig(customers=150, seed=7))["written"] > 100
    write_demo(b, DemoConfig(customers=150, seed=7))
    files_a = sorted(p.relative_to(a) for p in a.rglob("*.*"))
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*.*"))
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files_a)
    assert {f.parts[0] for f in files_a} == set(SOURCES)
    assert all(re.search(r"_\d{4}-\d{2}(-\d{2})?\.(csv|json)$", f.name) for f in files_a)
    assert any(f.suffix == ".json" for f in files_a)  # Google's reviews, as its API gives them
    # rewriting the same demo touches no file
    assert write_demo(a, DemoConfig(customers=150, seed=7)) == {
        "written": 0,
        "unchanged": len(files_a),
    }
    assert write_demo(b, DemoConfig(customers=150, seed=8))["written"] > 0


def test_refunds_walk_ins_and_planted_parameters_are_present(tmp_path):
    write_demo(tmp_path, DemoConfig(customers=200, seed=3, bad_rows=False))
    tx = pl.concat(
        [pl.read_csv(p, infer_schema=False) for p in (tmp_path / "pos_transactions").glob("*.csv")]
    )
    assert tx.filter(pl.col("event_type") == "refund").height > 0
    assert tx.filter(pl.col("customer_id").is_null()).height > tx.height / 2  # walk-ins
    refunds = tx.filter(pl.col("event_type") == "refund")
    assert (refunds["net_sales"].cast(pl.Float64) < 0).all()
    assert set(PLANTED["bgnbd"]) == {"r", "alpha_days", "a", "b"}
