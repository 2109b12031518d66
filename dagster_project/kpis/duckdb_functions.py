"""Special functions for SQL scoring, registered on DuckDB connections.

dbt-duckdb loads this module as a plugin (see ``dbt/profiles.yml``) so that the BG/NBD
conditional expectation, which needs the Gauss hypergeometric function 2F1, is computed in SQL
over every customer. The function is vectorised (Arrow batches into scipy), so scoring scales
with DuckDB.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
from duckdb.sqltypes import DOUBLE
from scipy import special

try:  # present when loaded by dbt-duckdb; the plain function below works without it
    from dbt.adapters.duckdb.plugins import BasePlugin
except ImportError:  # pragma: no cover
    BasePlugin = object  # type: ignore[misc,assignment]


def _hyp2f1(a: pa.Array, b: pa.Array, c: pa.Array, z: pa.Array) -> pa.Array:
    args = [np.asarray(v.to_numpy(zero_copy_only=False), dtype=float) for v in (a, b, c, z)]
    return pa.array(special.hyp2f1(*args), type=pa.float64())


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Register ``hyp2f1(a, b, c, z)`` on a DuckDB connection."""
    try:
        con.create_function(
            "hyp2f1",
            _hyp2f1,
            [DOUBLE, DOUBLE, DOUBLE, DOUBLE],
            DOUBLE,
            type="arrow",
            side_effects=False,
        )
    except duckdb.CatalogException:
        pass  # already registered on this connection


class Plugin(BasePlugin):  # type: ignore[misc,valid-type]
    def configure_connection(self, conn):  # noqa: D102
        register(conn)
