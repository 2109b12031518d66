"""Many businesses on one deployment: the tenants folder, each tenant's settings, partitions."""

import datetime as dt
import os
import subprocess
import sys

import pytest

from dagster_project import tenancy
from dagster_project.settings import Settings, load_settings
from tests.conftest import ROOT


def _tenants(tmp_path):
    root = tmp_path / "tenants"
    for name in ("north", "south-2", "Bad Name", ".hidden", "x" * 64):
        (root / name / "landing").mkdir(parents=True)
    (root / "notes.txt").write_text("not a tenant")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "linked").symlink_to(outside)  # a symlink is never followed
    (root / "north" / "business.yaml").write_text("name: North Bakery\ncurrency: EUR\n")
    return root


def test_tenants_are_the_sub_folders_with_a_safe_name_and_nothing_else(tmp_path):
    names, ignored = tenancy.list_tenants(_tenants(tmp_path))
    assert names == ["north", "south-2"]
    said = "\n".join(ignored)
    for why in ("'Bad Name'", "'linked': not a folder", "'notes.txt'", "'" + "x" * 64 + "'"):
        assert why in said
    assert ".hidden" not in said
    missing, problems = tenancy.list_tenants(tmp_path / "nowhere")
    assert missing == [] and "does not exist" in problems[0]


def test_a_tenant_has_its_own_paths_salt_and_profile_whatever_the_deployment_set(tmp_path):
    root = _tenants(tmp_path)
    deployment = {
        "EMPATHY_TENANTS_DIR": str(root),
        "EMPATHY_WAREHOUSE": "/srv/shared/warehouse.duckdb",  # never a tenant's
        "EMPATHY_SALT": "deployment-salt",
        "EMPATHY_SITE": "/srv/shared/site",
        "EMPATHY_PROFILE": str(ROOT / "config" / "business.yaml"),
        "EMPATHY_NPS_MIN_N": "50",  # a KPI parameter applies to every tenant
    }
    north = tenancy.tenant_settings("north", deployment)
    south = tenancy.tenant_settings("south-2", deployment)
    assert north.warehouse == root / "north" / "warehouse" / "warehouse.duckdb"
    assert north.landing == root / "north" / "landing" and north.site == root / "north" / "site"
    assert south.analytics == root / "south-2" / "warehouse" / "analytics.duckdb"
    assert north.profile.name == "North Bakery" and north.currency == "€"
    assert south.profile.path == ROOT / "config" / "business.yaml"  # no profile of its own
    assert north.dbt_vars == {"nps_min_n": "50"}
    # each generates its own secret salt beside its warehouse, never the deployment's
    assert north.salt != south.salt and "deployment-salt" not in (north.salt, south.salt)
    assert (root / "north" / "warehouse" / ".salt").stat().st_mode & 0o777 == 0o600
    for bad in ("linked", "Bad Name", "../north", "nobody"):
        with pytest.raises(ValueError, match="is not a tenant"):
            tenancy.tenant_env(bad, deployment)


def test_a_run_process_belongs_to_one_tenant(tmp_path):
    """A run enters its tenant before anything reads a file; it cannot enter a second one."""
    root = _tenants(tmp_path)
    code = (
        "import os\n"
        "from dagster_project import tenancy\n"
        "s = tenancy.enter('north')\n"
        "print(s.warehouse, os.environ['EMPATHY_WAREHOUSE'])\n"
        "tenancy.enter('north')\n"
        "try:\n"
        "    tenancy.enter('south-2')\n"
        "except RuntimeError as exc:\n"
        "    print('refused:', exc)\n"
    )
    env = {**os.environ, "EMPATHY_TENANTS_DIR": str(root), "EMPATHY_SALT": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    warehouse = str(root / "north" / "warehouse" / "warehouse.duckdb")
    first, refused = out.stdout.splitlines()
    assert first == f"{warehouse} {warehouse}"
    assert refused == "refused: this process refreshes tenant 'north', not 'south-2'"


def test_with_tenants_every_asset_is_a_partition_per_tenant(tmp_path):
    """The same code location, partitioned: the refresh job, every asset (the landing folders
    too, which Dagster only observes)."""
    root = _tenants(tmp_path)
    code = (
        "from dagster_project.definitions import defs\n"
        "job = defs.resolve_job_def('daily_refresh')\n"
        "graph = defs.resolve_asset_graph()\n"
        "unpartitioned = [k.to_user_string() for k in graph.get_all_asset_keys()\n"
        "    if graph.get(k).partitions_def is None]\n"
        "print(job.partitions_def.name, unpartitioned)\n"
    )
    env = {**os.environ, "EMPATHY_TENANTS_DIR": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "tenant []"
    # without tenants nothing is partitioned: the project's home is the one business
    assert tenancy.tenants_dir({}) is None and load_settings({}).root == ROOT


def test_with_tenants_importing_the_project_never_touches_the_deployment_s_own_business(
    tmp_path, monkeypatch
):
    """The definitions export the deployment's warehouse and salt for dbt only without
    tenants; with tenants each run enters its own, and the deployment's salt is never made."""
    deployment = tmp_path / "deployment"
    deployment.mkdir()
    monkeypatch.setenv("EMPATHY_HOME", str(deployment))
    for name in Settings.exported_names():
        monkeypatch.setenv(name, os.environ.get(name, ""))  # restored after the test
    for name in ("EMPATHY_WAREHOUSE", "EMPATHY_SALT"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("EMPATHY_TENANTS_DIR", str(_tenants(tmp_path)))
    umask = os.umask(0o022)
    os.umask(umask)
    try:
        tenancy.export_deployment_env(load_settings())
        assert "EMPATHY_WAREHOUSE" not in os.environ and "EMPATHY_SALT" not in os.environ
        assert not list(deployment.iterdir())
        monkeypatch.delenv("EMPATHY_TENANTS_DIR")
        tenancy.export_deployment_env(load_settings())  # one business: its own, for dbt
    finally:
        os.umask(umask)
    assert os.environ["EMPATHY_WAREHOUSE"] == str(deployment / "warehouse" / "warehouse.duckdb")
    assert os.environ["EMPATHY_SALT"] == (deployment / "warehouse" / ".salt").read_text().strip()


def test_the_daily_schedule_fires_at_each_tenant_s_own_local_time():
    utc = dt.UTC
    # 06:00 in Kolkata (UTC+5:30) is 00:30 UTC; in London 06:00 UTC in winter, 05:00 in summer
    assert tenancy.due("0 6 * * *", "Asia/Kolkata", dt.datetime(2026, 12, 5, 0, 30, tzinfo=utc))
    assert not tenancy.due("0 6 * * *", "Asia/Kolkata", dt.datetime(2026, 12, 5, 6, 0, tzinfo=utc))
    assert not tenancy.due("0 6 * * *", "Asia/Kolkata", dt.datetime(2026, 12, 5, 0, 31, tzinfo=utc))
    assert tenancy.due("0 6 * * *", "Europe/London", dt.datetime(2026, 12, 5, 6, 0, tzinfo=utc))
    assert tenancy.due("0 6 * * *", "Europe/London", dt.datetime(2026, 7, 5, 5, 0, tzinfo=utc))
    assert not tenancy.due("0 6 * * *", "Europe/London", dt.datetime(2026, 7, 5, 6, 0, tzinfo=utc))
    fire = tenancy.due("0 6 * * *", "America/New_York", dt.datetime(2026, 12, 5, 11, 0, tzinfo=utc))
    assert fire == "2026-12-05T06:00:00-05:00"


def test_each_tenant_is_scheduled_in_its_profile_s_zone_and_a_broken_one_is_skipped(
    tmp_path, monkeypatch
):
    root = tmp_path / "tenants"
    for name, zone in (("delhi", "Asia/Kolkata"), ("leeds", "Europe/London"), ("broken", None)):
        (root / name).mkdir(parents=True)
        text = f"name: {name}\ntimezone: {zone}\n" if zone else "timezone: Not/AZone\n"
        (root / name / "business.yaml").write_text(text)
    monkeypatch.setenv("EMPATHY_TENANTS_DIR", str(root))
    at = dt.datetime(2026, 12, 5, 0, 30, tzinfo=dt.UTC)
    due, problems = tenancy.due_tenants(["leeds", "delhi", "broken"], "0 6 * * *", at)
    assert due == [("delhi", "2026-12-05T06:00:00+05:30")]
    assert len(problems) == 1 and problems[0].startswith("tenant broken: not scheduled")
    later = dt.datetime(2026, 12, 5, 6, 0, tzinfo=dt.UTC)
    assert tenancy.due_tenants(["leeds", "delhi"], "0 6 * * *", later)[0] == [
        ("leeds", "2026-12-05T06:00:00+00:00")
    ]
    # the zone is read again when the profile changes (the schedule asks every minute)
    (root / "leeds" / "business.yaml").write_text("name: leeds\ntimezone: America/New_York\n")
    assert tenancy.due_tenants(["leeds", "delhi"], "0 6 * * *", later)[0] == []
    eleven = dt.datetime(2026, 12, 5, 11, 0, tzinfo=dt.UTC)
    assert tenancy.due_tenants(["leeds"], "0 6 * * *", eleven)[0] == [
        ("leeds", "2026-12-05T06:00:00-05:00")
    ]


def test_the_sensor_observes_each_tenant_s_landing_folders_that_changed(tmp_path):
    """With tenants the landing sensor records an observation of a landing folder as one
    tenant's partition, compared with that tenant's last observation only."""
    root = _tenants(tmp_path)
    code = (
        "import json, sys, dagster as dg\n"
        "from dagster_project.definitions import landing_sensor\n"
        "instance = dg.DagsterInstance.ephemeral()\n"
        "def tick():\n"
        "    result = landing_sensor(dg.build_sensor_context(instance=instance))\n"
        "    for event in result.asset_events:\n"
        "        instance.report_runless_asset_event(event)\n"
        "    return sorted((e.partition, e.asset_key.path[1], e.metadata['files'].value)\n"
        "        for e in result.asset_events)\n"
        "print(json.dumps(tick()))\n"
        "print(json.dumps(tick()))\n"
        "(root / 'south-2/landing/nps_responses').mkdir(parents=True)\n"
        "(root / 'south-2/landing/nps_responses/nps_2026-11.csv').write_text('x\\n')\n"
        "print(json.dumps(tick()))\n"
    ).replace("(root", f"(__import__('pathlib').Path({str(root)!r})")
    (root / "north" / "landing" / "crm_customers").mkdir()
    (root / "north" / "landing" / "crm_customers" / "customers.csv").write_text("a\n1\n")
    env = {**os.environ, "EMPATHY_TENANTS_DIR": str(root), "EMPATHY_SALT": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    import json

    first, again, after_a_file = (json.loads(line) for line in out.stdout.splitlines())
    # every folder of every tenant at first; north's customers folder holds its one file
    from dagster_project.contracts import load_contracts

    folders = sorted(load_contracts(ROOT / "data_contracts"))
    assert first == sorted(
        [t, f, int(t == "north" and f == "crm_customers")]
        for t in ("north", "south-2")
        for f in folders
    )
    # nothing changed: nothing observed again, for either tenant
    assert again == []
    # a file lands for south-2: only its NPS folder, as its partition, is observed again
    assert after_a_file == [["south-2", "nps_responses", 1]]
