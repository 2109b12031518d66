"""The DuckDB warehouse resource: one path setting, a connection per step, always closed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from dagster_project import refresh_lock
from dagster_project.settings import resolve_salt, salt_warning


class DuckDBWarehouse(dg.ConfigurableResource):
    """The warehouse file. Writing steps run one after another (in-process executor), and a
    run holds the refresh lock from its start to its end (one writing process at a time)."""

    path: str
    threads: int = 2
    memory_limit: str = "4GB"
    _lock: Any = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._lock = refresh_lock.acquire(Path(self.path))
        for f in (Path(self.path), Path(self.path + ".wal")):  # the service user's alone
            if f.exists():
                f.chmod(0o600)
        if warning := salt_warning(resolve_salt(Path(self.path))):
            context.log.warning(warning)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        refresh_lock.release(self._lock)
        self._lock = None

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
