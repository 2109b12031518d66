"""What the last published refresh was built from, so that a refresh with nothing new costs
seconds, not a rebuild.

A refresh depends on three things: the landing files, the configuration (contracts, vendor
formats, business profile, themes and lexicon, the dbt project, the code and its locked
packages) and the settings (every ``EMPATHY_*`` variable as resolved, the hashing salt). Their
fingerprint is one SHA-256 digest. The landing files are fingerprinted by their metadata (path,
type, size, modification time in nanoseconds, inode), read with ``lstat`` and never followed:
any new, changed, renamed, removed or replaced file changes it. Ingestion still hashes every
file's content to decide what to load; this is only the question "is there anything new?".

After a successful publish (the publish step, from the run's ``empathy/fingerprint`` tag,
computed before the run started: a file that lands during a run makes the next one run) the
digest is written to ``.<warehouse>.refresh-state.json``
beside the warehouse (private to the service user, like the salt). A later refresh whose
digest matches, with the analyst copy and the site still there and the warehouse file as that
refresh left it, loads and rebuilds nothing:

- on the same day it publishes nothing and says so;
- on a later day it rebuilds only the report's pages from the published analyst copy, because
  the pages speak of today (how old the data is, the month so far, days waiting).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dagster_project.settings import PROJECT_ROOT, Settings

# configuration and code a refresh reads, besides the landing files and the settings
CODE_FOLDERS = ("dagster_project", "reports")
CODE_SUFFIXES = {".py", ".j2", ".css", ".html", ".sql", ".yml", ".yaml", ".csv", ".json"}
LOCK_FILES = ("pyproject.toml", "uv.lock")


# the run tag that carries the fingerprint a run was launched for (run.py, the sensor); the
# publish step records it as the state once the run has published
FINGERPRINT_TAG = "empathy/fingerprint"


@dataclass(frozen=True)
class Fingerprint:
    digest: str
    landing_files: int


def state_file(warehouse: Path) -> Path:
    return warehouse.parent / f".{warehouse.name}.refresh-state.json"


def _landing_entries(landing: Path) -> list[str]:
    """One line per entry under ``landing`` (regular files, symlinks, anything else), from
    ``lstat``: a symlink is described, never followed."""
    out: list[str] = []
    if not landing.is_dir():
        return out
    for dirpath, dirnames, filenames in os.walk(landing, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames) + [d for d in dirnames if Path(dirpath, d).is_symlink()]:
            path = Path(dirpath) / name
            try:
                st = path.lstat()
            except OSError:
                continue
            rel = path.relative_to(landing).as_posix()
            kind = "l" if stat.S_ISLNK(st.st_mode) else "f" if stat.S_ISREG(st.st_mode) else "o"
            target = os.readlink(path) if kind == "l" else ""
            out.append(f"{kind}\t{rel}\t{st.st_size}\t{st.st_mtime_ns}\t{st.st_ino}\t{target}")
    return out


# folders under the project that hold what a refresh writes or downloads, never what it reads
SKIPPED_FOLDERS = {"target", "logs", "dbt_packages", "__pycache__"}


def _tree_files(root: Path, suffixes: set[str] | None = None) -> list[Path]:
    if root.is_file():
        return [root]
    if not root.is_dir():
        return []
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        # pruned, not filtered: dbt's target folder alone can hold tens of thousands of files
        dirnames[:] = [d for d in dirnames if d not in SKIPPED_FOLDERS and not d.startswith(".")]
        for name in filenames:
            path = Path(dirpath, name)
            if (
                not name.startswith(".")
                and (suffixes is None or path.suffix in suffixes)
                and path.is_file()
            ):
                out.append(path)
    return sorted(out)


def config_files(settings: Settings) -> list[Path]:
    """Every file whose content shapes a refresh's result, other than the landing files."""
    files: list[Path] = []
    for folder in (settings.contracts_dir, settings.dbt_project_dir):
        files += _tree_files(folder, None if folder == settings.contracts_dir else CODE_SUFFIXES)
    for path in (
        settings.profile.path,
        settings.themes_file,
        settings.sentiment_lexicon_file,
        settings.journey_file,
    ):
        if path is not None:
            files += _tree_files(Path(path))
    for folder in CODE_FOLDERS:
        files += _tree_files(PROJECT_ROOT / folder, CODE_SUFFIXES)
    files += [PROJECT_ROOT / f for f in LOCK_FILES if (PROJECT_ROOT / f).exists()]
    return files


# content digests of configuration and code files by (path, size, mtime, inode): the sensor
# fingerprints every tenant each minute, and the ~300 files of code and configuration they
# share are read once, not once per tenant
_DIGESTS: dict[tuple[str, int, int, int], bytes] = {}


def _content_digest(path: Path) -> bytes:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns, st.st_ino)
    if (digest := _DIGESTS.get(key)) is None:
        if len(_DIGESTS) > 100_000:
            _DIGESTS.clear()
        digest = _DIGESTS[key] = hashlib.sha256(path.read_bytes()).digest()
    return digest


def fingerprint(settings: Settings, env: Mapping[str, str] | None = None) -> Fingerprint:
    """``env``: the environment the settings were read from (a tenant's, see tenancy.py)."""
    h = hashlib.sha256()
    entries = _landing_entries(settings.landing)
    for line in entries:
        h.update(line.encode("utf-8", "surrogateescape") + b"\n")
    for path in config_files(settings):
        h.update(f"{path}\n".encode("utf-8", "surrogateescape"))
        h.update(_content_digest(path))
    # the settings as resolved (paths, thresholds, profile) and the salt, never stored in clear
    h.update(repr(settings).encode())
    h.update(hashlib.sha256(settings.salt.encode()).digest())
    exported = settings.exported_names()  # already in the repr and the salt digest above
    h.update(
        repr(
            sorted(
                (k, v)
                for k, v in (os.environ if env is None else env).items()
                if k.startswith("EMPATHY_")
                and k not in exported
                and not k.startswith("EMPATHY_ALERT_")  # where alerts go changes no result
            )
        ).encode()
    )
    return Fingerprint(h.hexdigest(), sum(1 for e in entries if e.startswith("f\t")))


def warehouse_identity(warehouse: Path) -> list[int]:
    """Size and modification time of the warehouse and its write-ahead log: anything that
    wrote into the warehouse after the last publish (a run from the Dagster UI that stopped
    half-way, a hand-made change) makes the next refresh run."""
    out: list[int] = []
    for path in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
        try:
            st = path.stat()
            out += [st.st_size, st.st_mtime_ns]
        except FileNotFoundError:
            out += [-1, -1]
    return out


@dataclass(frozen=True)
class LastRefresh:
    digest: str
    refreshed_at: str  # ISO time of the last full refresh that published
    built_on: str  # ISO date the published pages were built on
    warehouse: list[int]  # warehouse_identity() when it published


def read_state(warehouse: Path) -> LastRefresh | None:
    try:
        data = json.loads(state_file(warehouse).read_text())
        return LastRefresh(
            data["digest"], data["refreshed_at"], data["built_on"], list(data["warehouse"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_state(warehouse: Path, state: LastRefresh) -> None:
    path = state_file(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state.__dict__, indent=2) + "\n")
    os.replace(tmp, path)


def record_published(warehouse: Path, digest: str) -> None:
    """The state after a refresh that published, for the digest it was launched for."""
    write_state(
        warehouse,
        LastRefresh(
            digest,
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            today().isoformat(),
            warehouse_identity(warehouse),
        ),
    )


def forget_state(warehouse: Path) -> None:
    """A refresh that did not publish: the next one must not be skipped."""
    state_file(warehouse).unlink(missing_ok=True)


def unchanged_since(settings: Settings, current: Fingerprint, state: LastRefresh | None) -> bool:
    """Nothing new since the last published refresh, and what it published is still there."""
    return (
        state is not None
        and state.digest == current.digest
        and state.warehouse == warehouse_identity(settings.warehouse)
        and not settings.full_refresh
        and settings.analytics.is_file()
        and (settings.site / "index.html").is_file()
    )


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()
