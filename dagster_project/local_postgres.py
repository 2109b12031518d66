"""A local PostgreSQL server for Dagster's run, event and schedule storage (many tenants).

``python -m dagster_project.local_postgres start DIR [--port N]`` creates a database cluster in
``DIR`` on first use (Debian's PostgreSQL binaries; ``make test-deps`` installs them), starts it
on 127.0.0.1 only, with password authentication (SCRAM) and a generated password kept in
``DIR/url`` (mode 0600), and prints the URL Dagster's ``dagster.yaml`` reads from
``EMPATHY_PG_URL``. ``stop DIR`` stops it. PostgreSQL refuses to run as root: when started by
root, the cluster belongs to the ``postgres`` user of the Debian package.
"""

from __future__ import annotations

import argparse
import os
import pwd
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

DB = "dagster"
USER = "dagster"


def bin_dir() -> Path:
    """The folder of PostgreSQL's server programs (initdb, pg_ctl)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name)
    )
    if not versions:
        raise RuntimeError(
            "PostgreSQL is not installed: `make test-deps` installs Debian's postgresql package"
        )
    return versions[-1].parent


def _as_owner(args: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *args] if owner else args


def _owner() -> str | None:
    """The user the server runs as: this one, or ``postgres`` when this is root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise RuntimeError(
            "running as root and there is no postgres user to run PostgreSQL"
        ) from exc
    return "postgres"


def _run(args: list[str], **kwargs) -> None:
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:5])} ... failed: {done.stderr.strip()[-2000:]}")


def _chown(path: Path, owner: str | None) -> None:
    if owner:
        entry = pwd.getpwnam(owner)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def url_file(root: Path) -> Path:
    return root / "url"


def start(root: Path, port: int = 5433) -> str:
    """Start (creating on first use) the cluster in ``root``; returns the URL for Dagster."""
    root = root.resolve()
    owner = _owner()
    data, run = root / "data", root / "run"
    pg = bin_dir()
    if not (data / "PG_VERSION").exists():
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        if owner and subprocess.run(_as_owner(["test", "-x", str(root.parent)], owner)).returncode:
            raise RuntimeError(
                f"{root.parent}: the {owner} user cannot reach this folder; put the cluster in "
                "a folder every user may traverse (mode 711 or 755 on each parent)"
            )
        for d in (data, run):
            d.mkdir(exist_ok=True, mode=0o700)
            _chown(d, owner)
        _chown(root, owner)  # the server user reaches its folders; nobody else does
        password = secrets.token_urlsafe(24)
        pwfile = run / "initial-password"
        pwfile.write_text(password + "\n")
        pwfile.chmod(0o600)
        _chown(pwfile, owner)
        _run(
            _as_owner(
                [
                    str(pg / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    USER,
                    f"--pwfile={pwfile}",
                    "--auth-host=scram-sha-256",
                    "--auth-local=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-instructions",
                ],
                owner,
            )
        )
        pwfile.unlink()
        url = f"postgresql+psycopg2://{USER}:{password}@127.0.0.1:{port}/{DB}"
        fd = os.open(url_file(root), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(url + "\n")
        fresh = True
    else:
        fresh = False
    url = url_file(root).read_text().strip()
    port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
    status = subprocess.run(
        _as_owner([str(pg / "pg_ctl"), "-D", str(data), "status"], owner), capture_output=True
    )
    if status.returncode != 0:
        _run(
            _as_owner(
                [
                    str(pg / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(run / "server.log"),
                    "-w",
                    "-o",
                    f"-p {port} -k {run} -c listen_addresses=127.0.0.1 -c max_connections=200",
                    "start",
                ],
                owner,
            )
        )
    if fresh:
        password = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
        _run(
            [str(pg / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, DB],
            env={**os.environ, "PGPASSWORD": password},
        )
    return url


def stop(root: Path) -> None:
    data = root.resolve() / "data"
    if (data / "PG_VERSION").exists():
        subprocess.run(
            _as_owner([str(bin_dir() / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], _owner()),
            capture_output=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("root", type=Path, help="the cluster's folder")
    parser.add_argument("--port", type=int, default=5433)
    args = parser.parse_args(argv)
    if args.action == "start":
        start(args.root, args.port)
        print(
            f"PostgreSQL for Dagster is up; its URL (with the password) is in {url_file(args.root)}"
        )
    else:
        stop(args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
