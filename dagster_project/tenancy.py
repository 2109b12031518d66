"""Many businesses on one deployment: each business (a tenant) is a Dagster partition.

``EMPATHY_TENANTS_DIR`` names a folder with one sub-folder per business. A sub-folder is a
tenant's home, laid out like the project's own (``landing/``, ``warehouse/`` with its secret
``.salt``, ``site/``), plus its business profile ``business.yaml``. The folder name is the
tenant's name and its partition key: lower-case letters, digits, ``-`` and ``_``, at most 63
characters; anything else (and any symlink) is ignored and named in the log, never followed.

Every asset is partitioned by tenant (a dynamic partition set that the landing sensor keeps
equal to the folders). A run refreshes one tenant: it carries the tenant's partition key, and
its first step points the process at that tenant's home (``enter``) before anything reads a
file, so the paths, the salt and the profile of one run are one tenant's. Runs are separate
processes (Dagster's run launcher); two tenants refresh at once and never share a file. Without
``EMPATHY_TENANTS_DIR`` nothing is partitioned and the project's own home is the business.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from pathlib import Path

import dagster as dg
from dagster._utils.schedules import cron_string_iterator  # Dagster's own cron reading

from dagster_project.settings import PROJECT_ROOT, Settings, load_settings, quiet_process

TENANTS_DIR_VAR = "EMPATHY_TENANTS_DIR"
PARTITION_SET = "tenant"  # the dynamic partition set of the tenants
TENANT_VAR = "EMPATHY_TENANT"  # set in a run's process: the tenant it refreshes
PARTITION_TAG = "dagster/partition"
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
PROFILE_FILE = "business.yaml"

# settings a tenant never inherits from the deployment: its own paths, salt and profile
PER_TENANT = (
    "EMPATHY_WAREHOUSE",
    "EMPATHY_ANALYTICS",
    "EMPATHY_LANDING",
    "EMPATHY_SITE",
    "EMPATHY_SALT",
    "EMPATHY_PROFILE",
)


def tenants_dir(env: Mapping[str, str] | None = None) -> Path | None:
    value = (os.environ if env is None else env).get(TENANTS_DIR_VAR, "").strip()
    return Path(value).resolve() if value else None


def list_tenants(root: Path) -> tuple[list[str], list[str]]:
    """The tenants under ``root`` (sorted) and what was ignored there, with why."""
    names, ignored = [], []
    if not root.is_dir():
        return names, [f"{root}: the tenants folder does not exist"]
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink() or not entry.is_dir():
            ignored.append(f"{entry.name!r}: not a folder (a symlink is never followed)")
        elif not NAME.fullmatch(entry.name):
            ignored.append(
                f"{entry.name!r}: a tenant's name is lower-case letters, digits, - and _ "
                "(at most 63 characters)"
            )
        else:
            names.append(entry.name)
    return names, ignored


def tenant_home(name: str, env: Mapping[str, str] | None = None) -> Path:
    root = tenants_dir(env)
    if root is None:
        raise ValueError(f"{TENANTS_DIR_VAR} is not set: there are no tenants")
    home = root / name
    if not NAME.fullmatch(name) or home.is_symlink() or not home.is_dir():
        raise ValueError(f"{name!r} is not a tenant: no folder {home}")
    return home


def tenant_env(name: str, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of one tenant's refresh: the deployment's, with the tenant's home and
    none of the deployment's paths, salt or profile."""
    base = dict(os.environ if env is None else env)
    home = tenant_home(name, base)
    profile = home / PROFILE_FILE
    return {
        **base,
        **dict.fromkeys(PER_TENANT, ""),
        "EMPATHY_HOME": str(home),
        "EMPATHY_PROFILE": str(profile) if profile.is_file() else "",
        TENANT_VAR: name,
    }


def tenant_settings(name: str, env: Mapping[str, str] | None = None) -> Settings:
    """A tenant's settings, read without touching this process's environment (the sensor)."""
    return load_settings(tenant_env(name, env))


def enter(name: str) -> Settings:
    """Point this process (one run: one tenant) at a tenant's home; dbt, started from here,
    inherits it. Entering the same tenant again changes nothing; another one is refused."""
    current = os.environ.get(TENANT_VAR)
    if current and current != name:
        raise RuntimeError(f"this process refreshes tenant {current!r}, not {name!r}")
    if not current:
        os.environ.update(tenant_env(name))
    settings = load_settings()
    settings.export_env()
    return settings


def export_deployment_env(settings: Settings) -> None:
    """At import (definitions, dbt assets): the deployment's settings for its subprocesses,
    or with tenants only the process-wide ones: the deployment's own warehouse and salt belong
    to no tenant, and no tenant's run may create or read them (each run enters its tenant)."""
    if tenants_dir() is None:
        settings.export_env()
    else:
        quiet_process()


def run_tenant(run: dg.DagsterRun | None) -> str | None:
    """The tenant a run refreshes (its partition key), when tenants are in use."""
    if run is None or tenants_dir() is None:
        return None
    tenant = run.tags.get(PARTITION_TAG)
    if not tenant:
        raise RuntimeError(
            f"{TENANTS_DIR_VAR} is set: a refresh names its tenant (the run's partition)"
        )
    return tenant


def run_settings(run: dg.DagsterRun | None) -> Settings:
    """The settings of the business a run refreshes."""
    tenant = run_tenant(run)
    return enter(tenant) if tenant else load_settings()


def partitions() -> dg.DynamicPartitionsDefinition | None:
    """The tenants as a partition set, when EMPATHY_TENANTS_DIR is set."""
    return dg.DynamicPartitionsDefinition(name=PARTITION_SET) if tenants_dir() else None


PARTITIONS = partitions()


def due(cron: str, zone: str, at: dt.datetime) -> str | None:
    """The schedule's fire time (ISO, in ``zone``) when ``cron`` read in the time zone
    ``zone`` fires in the minute that ends at ``at``, else None. With tenants the schedule
    ticks every minute and asks this for each tenant: every business is refreshed at the
    schedule's local time in its own zone (its profile's), not the deployment's."""
    fire = next(cron_string_iterator(at.timestamp() - 59, cron, zone))
    return fire.isoformat() if fire.timestamp() <= at.timestamp() else None


def due_tenants(
    names: list[str], cron: str, at: dt.datetime
) -> tuple[list[tuple[str, str]], list[str]]:
    """The tenants whose local time (their profile's zone) matches ``cron`` in the minute that
    ends at ``at``, with the fire time; and a line for each tenant whose settings could not be
    read (skipped: one broken profile never stops the others)."""
    due_now, problems = [], []
    for name in sorted(names):
        try:
            zone = tenant_zone(name)
        except Exception as exc:
            problems.append(f"tenant {name}: not scheduled: {type(exc).__name__}: {exc}")
            continue
        if fire := due(cron, zone, at):
            due_now.append((name, fire))
    return due_now, problems


# each tenant's time zone, by what it is read from (the schedule asks every minute; reading a
# tenant's settings takes about 5 ms, which at 10,000 tenants would be most of the minute)
_ZONES: dict[str, tuple[tuple, str]] = {}


def tenant_zone(name: str) -> str:
    """A tenant's local time zone (its profile's, or EMPATHY_TIMEZONE), read again only when its
    profile file or that variable changed."""
    env = tenant_env(name)
    profile = Path(env["EMPATHY_PROFILE"] or PROJECT_ROOT / "config" / "business.yaml")
    st = profile.stat()
    key = (str(profile), st.st_mtime_ns, st.st_size, st.st_ino, env.get("EMPATHY_TIMEZONE"))
    cached = _ZONES.get(name)
    if cached is None or cached[0] != key:
        if len(_ZONES) > 100_000:
            _ZONES.clear()
        cached = _ZONES[name] = (key, load_settings(env).timezone)
    return cached[1]
