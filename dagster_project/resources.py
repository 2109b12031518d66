"""The DuckDB warehouse resource: one path setting, a connection per step, always closed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb


class DuckDBWarehouse(dg.ConfigurableResource):
    """The warehouse file. Writing steps run one after another (in-process executor)."""

    path: str
    threads: int = 2
    memory_limit: str = "4GB"

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(
            self.path,
            read_only=read_only,
            config={"threads": self.threads, "memory_limit": self.memory_limit},
        )
        try:
            yield con
        finally:
            con.close()
