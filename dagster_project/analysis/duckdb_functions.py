"""Special functions for SQL scoring, registered on DuckDB connections, and the hashing salt.

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

from dagster_project.business_profile import install_profile
from dagster_project.tables import ensure_table

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


def install_salt(con: duckdb.DuckDBPyConnection, salt: str) -> None:
    """Keep the secret salt in ``private.hash_salt`` (one row), where the staging models' key
    hashes read it at run time: the salt is passed as a parameter, never as SQL text, so it
    appears in no compiled model, dbt docs page or log. The analyst copy leaves the schema
    out."""
    ensure_table(con, "private.hash_salt")
    if con.execute("SELECT list(salt) FROM private.hash_salt").fetchall()[0][0] != [salt]:
        con.execute("DELETE FROM private.hash_salt")
        con.execute("INSERT INTO private.hash_salt VALUES (?)", [salt])


def salt_changed(con: duckdb.DuckDBPyConnection, salt: str) -> bool:
    """True when the warehouse's hashed keys were made with another salt: the stored salt
    differs, or there is none yet while models exist (a warehouse from before the salt was
    stored, whose keys used the old default)."""
    tables = {
        (schema, name)
        for schema, name in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = current_database()"
        ).fetchall()
    }
    if ("private", "hash_salt") in tables:
        return con.execute("SELECT list(salt) FROM private.hash_salt").fetchall()[0][0] != [salt]
    return any(schema in ("staging", "marts") for schema, _ in tables)


class Plugin(BasePlugin):  # type: ignore[misc,valid-type]
    def configure_connection(self, conn):  # noqa: D102
        register(conn)
        from dagster_project.settings import load_settings

        settings = load_settings()
        install_salt(conn, settings.salt)
        # a dbt run outside Dagster (which writes the profile first) still finds the tables
        if not conn.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'profile' "
            "AND table_name = 'business' AND database_name = current_database()"
        ).fetchall()[0][0]:
            install_profile(conn, settings.profile)
