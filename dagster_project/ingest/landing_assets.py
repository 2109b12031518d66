"""The landing folders as Dagster source assets: the first nodes of the lineage graph.

Each contract's landing files (``landing/<contract>/`` and the vendor exports anywhere in
``landing/`` whose format feeds it) are one observable source asset, ``landing/<contract>``.
An observation records how many files there are, their bytes, the newest file's time and a
data version that changes whenever a file is added, changed or removed (from ``lstat``: file
contents are read by the refresh, not here). The landing sensor records an observation of each
folder that changed when it requests a refresh, and ``make run`` does the same before it runs.
With tenants each landing asset is partitioned like every other asset: an observation is of one
tenant's folder (its partition), compared with that tenant's last observation only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from dagster_project import tenancy
from dagster_project.contracts import Contract
from dagster_project.ingest.formats import load_formats, plan_landing


@dataclass(frozen=True)
class LandingState:
    files: int
    bytes: int
    newest: float | None  # modification time of the newest file, seconds since the epoch
    version: str


def landing_key(contract_name: str) -> dg.AssetKey:
    return dg.AssetKey(["landing", contract_name])


def landing_states(
    landing: Path, contracts: dict[str, Contract], contracts_dir: Path
) -> dict[str, LandingState]:
    """Each contract's landing files as they are now."""
    plan = plan_landing(landing, contracts, load_formats(contracts_dir))
    out = {}
    for name in sorted(contracts):
        h = hashlib.sha256()
        count = size = 0
        newest: float | None = None
        for f in sorted(plan.for_contract(name), key=lambda f: f.rel):
            try:
                st = f.path.lstat()
            except OSError:  # removed since the plan was made
                continue
            h.update(f"{f.rel}\t{st.st_size}\t{st.st_mtime_ns}\n".encode("utf-8", "replace"))
            count, size = count + 1, size + st.st_size
            newest = max(newest or 0.0, st.st_mtime)
        out[name] = LandingState(count, size, newest, h.hexdigest()[:16])
    return out


VERSION_KEY = "landing_version"  # changes whenever a file is added, changed or removed


def observation_metadata(state: LandingState) -> dict:
    meta: dict = {"files": state.files, "bytes": state.bytes, VERSION_KEY: state.version}
    if state.newest is not None:
        # Dagster's own key for "when this source last changed" (freshness, the UI)
        meta["dagster/last_updated_timestamp"] = dg.TimestampMetadataValue(state.newest)
    return meta


def _last_version(
    instance: dg.DagsterInstance, key: dg.AssetKey, partition: str | None
) -> str | None:
    """The version of the files at the last recorded observation of a landing folder (of one
    tenant's, with tenants)."""
    where = dg.AssetRecordsFilter(key, asset_partitions=[partition] if partition else None)
    records = instance.fetch_observations(where, limit=1).records
    observation = records[0].asset_observation if records else None
    value = observation.metadata.get(VERSION_KEY) if observation else None
    return value.value if value is not None else None


def new_observations(
    states: dict[str, LandingState],
    instance: dg.DagsterInstance | None,
    partition: str | None = None,
) -> list[dg.AssetObservation]:
    """An observation of each landing folder whose files changed since the last one recorded in
    ``instance`` (every folder when there is no instance or no earlier observation); with
    tenants, of the tenant ``partition``'s folders, against that tenant's last ones. No Dagster
    data version: the landing assets are external (Dagster never observes them itself), and a
    data version on them would mark every raw asset "unsynced"."""
    return [
        dg.AssetObservation(
            asset_key=landing_key(name),
            metadata=observation_metadata(state),
            partition=partition,
        )
        for name, state in states.items()
        if instance is None
        or _last_version(instance, landing_key(name), partition) != state.version
    ]


def landing_specs(contracts: dict[str, Contract]) -> list[dg.AssetSpec]:
    """External assets (Dagster's name for data it reads but does not make): the refresh never
    writes landing/; the sensor and ``make run`` record observations of them."""
    return [
        dg.AssetSpec(
            landing_key(c.name),
            group_name="landing",
            kinds={"csv"},
            partitions_def=tenancy.PARTITIONS,
            description=f"Landing files of {c.title}: landing/{c.name}/ and the vendor exports "
            f"in landing/ whose format feeds {c.name} (data_contracts/vendors/). A new file is "
            + (
                f"expected about every {c.arrives_every_days:g} day(s), late after "
                f"{c.late_after_days:g} ({c.path.name} slaProperties)."
                if c.arrives_every_days
                else f"not expected on any cadence ({c.path.name} has no slaProperties)."
            ),
        )
        for c in contracts.values()
    ]
