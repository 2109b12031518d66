"""The DuckDB warehouse resource: one path setting, a connection per step, always closed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging.version import Version
from pydantic import PrivateAttr

from dagster_project import refresh_lock, tenancy
from dagster_project.settings import Settings, salt_warning


class DuckDBWarehouse(dg.ConfigurableResource):
    """The warehouse file. Writing steps run one after another (in-process executor), and a
    run holds the refresh lock from its start to its end (one writing process at a time).

    It also carries the settings of the business the run refreshes (``settings``): the
    project's, or with tenants (tenancy.py) the tenant's named by the run's partition, whose
    warehouse then replaces ``path``."""

    path: str
    threads: int = 2
    memory_limit: str = "4GB"
    _lock: Any = PrivateAttr(default=None)
    _settings: Any = PrivateAttr(default=None)
    _path: str | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._settings = tenancy.run_settings(context.dagster_run)
        if tenancy.run_tenant(context.dagster_run):
            self._path = str(self._settings.warehouse)
        self._lock = refresh_lock.acquire(Path(self.file))
        for f in (Path(self.file), Path(self.file + ".wal")):  # the service user's alone
            if f.exists():
                f.chmod(0o600)
        if warning := salt_warning(self.settings.salt):
            context.log.warning(warning)

    @property
    def file(self) -> str:
        """The warehouse this run writes."""
        return self._path or self.path

    @property
    def settings(self) -> Settings:
        """The settings of the business this run refreshes."""
        if self._settings is None:  # outside a run (a test's direct call)
            self._settings = tenancy.run_settings(None)
        return self._settings

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        refresh_lock.release(self._lock)
        self._lock = None

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.file).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(
            self.file,
            read_only=read_only,
            config={"threads": self.threads, "memory_limit": self.memory_limit},
        )
        try:
            yield con
        finally:
            con.close()


class DbtCli(DbtCliResource):
    """dagster-dbt's dbt resource without two set-up costs this project never uses (about 3 s
    of every refresh, measured): it runs ``dbt --version`` in a subprocess to learn the
    version of the dbt in this environment, which the installed dbt-core package states; and
    it loads the dbt project and profile in-process to open an adapter that only
    ``fetch_row_counts`` / ``fetch_column_metadata`` use (never called here). Should a
    dagster-dbt release rename these private methods, the overrides stop applying and the
    refresh is merely as slow as before."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args) -> None:  # noqa: ANN001 (dagster-dbt's)
        return None
