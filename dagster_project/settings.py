"""One settings object for every tool: paths, salts, demo scale and thresholds.

Every value comes from an environment variable with a sensible default, so Dagster, the dbt
profile (which reads ``EMPATHY_WAREHOUSE``), the report builder and the tests agree on one
warehouse path.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.business_profile import BusinessProfile, parse_profile
from dagster_project.contracts.parsing import ReadOptions

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"


def dbt_var_names(dbt_dir: Path = DBT_PROJECT_DIR) -> tuple[str, ...]:
    """The KPI parameters: the ``vars`` of dbt_project.yml, which hold their defaults (the one
    place they are written). ``EMPATHY_<NAME>`` overrides one (EMPATHY_NPS_MIN_N=50)."""
    import yaml

    project = yaml.safe_load((dbt_dir / "dbt_project.yml").read_text())
    return tuple(sorted((project or {}).get("vars") or {}))


PARAMETER_VALUE = re.compile(r"-?\d+(\.\d+)?|\d{4}-\d{2}-\d{2}")


def dbt_var_overrides(names: tuple[str, ...], env: dict[str, str]) -> dict[str, str]:
    """The dbt vars the environment sets, passed to dbt as ``--vars``. Each is a number or a
    date (the models put them into SQL); anything else is refused, naming the variable."""
    out = {}
    for name in names:
        value = env.get(f"EMPATHY_{name.upper()}", "").strip()
        if not value:
            continue
        if not PARAMETER_VALUE.fullmatch(value):
            raise ValueError(
                f"EMPATHY_{name.upper()}={value!r}: a number (or a date, yyyy-mm-dd) is expected"
            )
        out[name] = value
    return out


# The salt the demo used to ship with: published in the project, so it protects nothing.
DEMO_SALT = "empathy-demo-salt-change-me"


def salt_file(warehouse: Path) -> Path:
    return warehouse.parent / ".salt"


def resolve_salt(warehouse: Path, env: Mapping[str, str] | None = None) -> str:
    """The secret salt of the hashed customer and employee keys: ``EMPATHY_SALT`` when set,
    else the salt generated on first use into ``.salt`` beside the warehouse (mode 0600, only
    the service user reads it; back it up with the warehouse: a new salt changes every key)."""
    if value := (os.environ if env is None else env).get("EMPATHY_SALT"):
        return value
    path = salt_file(warehouse)
    try:
        if path.stat().st_mode & 0o077:  # copied or restored with looser rights
            path.chmod(0o600)
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    new = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(new + "\n")
    return new


def salt_warning(salt: str) -> str | None:
    if salt == DEMO_SALT:
        return (
            "WARNING: EMPATHY_SALT is the demo's published salt: anyone can reverse the hashed "
            "customer and employee keys. Unset it (a secret salt is generated into "
            "warehouse/.salt) or set your own, then refresh once with EMPATHY_FULL_REFRESH=1."
        )
    return None


def _path(var: str, default: Path, root: Path, env: Mapping[str, str]) -> Path:
    value = env.get(var)
    path = Path(value) if value else default
    # absolute and normalised, but a final symlink is kept: `site` IS a symlink (to the live
    # build), and publishing replaces that link; resolving it would publish into the build
    return Path(os.path.abspath(path if path.is_absolute() else root / path))


@dataclass(frozen=True)
class Settings:
    root: Path
    warehouse: Path
    analytics: Path
    landing: Path
    site: Path
    contracts_dir: Path
    dbt_project_dir: Path
    demo_seed: int
    demo_customers: int | None  # None: the tier's own number
    demo_bad_rows: bool
    duckdb_threads: int
    duckdb_memory_limit: str
    currency: str = "£"
    analytics_storage_version: str = "v1.1.0"
    themes_file: Path = PROJECT_ROOT / "config" / "themes.yaml"
    sentiment_lexicon_file: Path = PROJECT_ROOT / "config" / "sentiment_lexicon.yaml"
    journey_file: Path = PROJECT_ROOT / "config" / "journey.yaml"
    # KPI parameters the environment overrides (dbt var -> value); the defaults are the vars
    # of dbt_project.yml
    dbt_vars: dict[str, str] = field(default_factory=dict)
    site_builds_kept: int = 2
    demo_tier: str = "S"
    full_refresh: bool = False  # rebuild incremental models from every raw row
    timezone: str = "UTC"  # the business's local time zone
    date_order: str = "DMY"  # DMY or MDY, for a/b/yyyy dates no value of the file settles
    # the analyst copy keeps raw personal columns and rejected rows' records in clear only if 1
    analytics_personal_data: bool = False
    share_group: str | None = None  # OS group that may read the analyst copy and the site
    # the owner's facts: stores, roles, categories, opening date, currency, locale, fiscal year
    profile: BusinessProfile = field(default_factory=BusinessProfile)
    # EMPATHY_SALT as set when these settings were read ("" = the salt file beside the
    # warehouse); never in the repr
    salt_setting: str = field(default="", repr=False, compare=False)

    @property
    def read_options(self) -> ReadOptions:
        if self.date_order not in ("DMY", "MDY"):
            raise ValueError(f"EMPATHY_DATE_ORDER must be DMY or MDY, not {self.date_order!r}")
        return ReadOptions(
            timezone=self.timezone,
            date_order=self.date_order,
            earliest=self.profile.earliest_date,
        )

    @property
    def salt(self) -> str:
        return resolve_salt(self.warehouse, {"EMPATHY_SALT": self.salt_setting})

    @property
    def site_builds(self) -> Path:
        return self.site.parent / f".{self.site.name}-builds"

    # the variables export_env() writes, all derived from this object (its repr and its salt
    # say everything they hold): a process that exported them and one that did not (the
    # Dagster daemon's sensor and `make run`) see the same settings
    @staticmethod
    def exported_names() -> frozenset[str]:
        return frozenset(
            {
                "EMPATHY_WAREHOUSE",
                "EMPATHY_SALT",
                "EMPATHY_DUCKDB_THREADS",
                "EMPATHY_DUCKDB_MEMORY_LIMIT",
            }
        )

    def export_env(self) -> None:
        """Make the resolved paths visible to subprocesses (the dbt profile reads them)."""
        os.environ["EMPATHY_WAREHOUSE"] = str(self.warehouse)
        os.environ["EMPATHY_SALT"] = self.salt
        if warning := salt_warning(self.salt):
            print(warning, file=sys.stderr)
        os.environ["EMPATHY_DUCKDB_THREADS"] = str(self.duckdb_threads)
        os.environ["EMPATHY_DUCKDB_MEMORY_LIMIT"] = self.duckdb_memory_limit
        quiet_process()


def quiet_process() -> None:
    """What every process of the product sets whatever business it serves: the files a refresh
    writes (warehouse, analyst copy, site, logs) are the service user's alone (publishing opens
    the analyst copy and the site to EMPATHY_SHARE_GROUP if set), and the tools' telemetry and
    progress bars are off."""
    os.umask(0o077)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TQDM_DISABLE", "1")  # GX progress bars clutter the run log


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings from ``env`` (the process environment unless given: a deployment of many
    businesses reads each one's settings from its own, see tenancy.py)."""
    env = os.environ if env is None else env
    root = Path(env.get("EMPATHY_HOME") or PROJECT_ROOT).resolve()
    # the business profile gives the time zone, date order and currency; the environment
    # variables of earlier versions still override it
    profile = parse_profile(
        _path("EMPATHY_PROFILE", PROJECT_ROOT / "config" / "business.yaml", root, env)
    )
    warehouse = _path("EMPATHY_WAREHOUSE", Path("warehouse/warehouse.duckdb"), root, env)
    return Settings(
        root=root,
        warehouse=warehouse,
        analytics=_path("EMPATHY_ANALYTICS", warehouse.parent / "analytics.duckdb", root, env),
        landing=_path("EMPATHY_LANDING", Path("landing"), root, env),
        site=_path("EMPATHY_SITE", Path("site"), root, env),
        contracts_dir=_path("EMPATHY_CONTRACTS", PROJECT_ROOT / "data_contracts", root, env),
        dbt_project_dir=DBT_PROJECT_DIR,
        demo_seed=int(env.get("EMPATHY_DEMO_SEED", "42")),
        demo_customers=int(env.get("EMPATHY_DEMO_CUSTOMERS") or 0) or None,
        demo_tier=env.get("EMPATHY_DEMO_TIER", "S").upper(),
        full_refresh=env.get("EMPATHY_FULL_REFRESH", "0").lower() in ("1", "true", "yes"),
        demo_bad_rows=env.get("EMPATHY_DEMO_BAD_ROWS", "1") not in ("0", "false", "no"),
        # an empty value (a blank line in an environment file) means the default
        duckdb_threads=int(env.get("EMPATHY_DUCKDB_THREADS") or os.cpu_count() or 2),
        duckdb_memory_limit=env.get("EMPATHY_DUCKDB_MEMORY_LIMIT") or "4GB",
        currency=env.get("EMPATHY_CURRENCY_SYMBOL") or profile.currency_symbol,
        # DuckDB storage format of the analyst copy: v1.1.0 opens in DuckDB 1.1 and later
        analytics_storage_version=env.get("EMPATHY_ANALYTICS_STORAGE_VERSION", "v1.1.0"),
        themes_file=_path("EMPATHY_THEMES", PROJECT_ROOT / "config" / "themes.yaml", root, env),
        sentiment_lexicon_file=_path(
            "EMPATHY_SENTIMENT_LEXICON",
            PROJECT_ROOT / "config" / "sentiment_lexicon.yaml",
            root,
            env,
        ),
        journey_file=_path("EMPATHY_JOURNEY", PROJECT_ROOT / "config" / "journey.yaml", root, env),
        dbt_vars=dbt_var_overrides(dbt_var_names(), dict(env)),
        timezone=env.get("EMPATHY_TIMEZONE") or profile.timezone,
        date_order=(env.get("EMPATHY_DATE_ORDER") or profile.day_order).upper(),
        analytics_personal_data=env.get("EMPATHY_ANALYTICS_PERSONAL_DATA", "0").lower()
        in ("1", "true", "yes"),
        share_group=env.get("EMPATHY_SHARE_GROUP") or None,
        profile=profile,
        salt_setting=env.get("EMPATHY_SALT", ""),
    )
