"""A throw-away PostgreSQL cluster for the tests and benchmarks: a temporary folder, a Unix socket.

PostgreSQL refuses to run as root, so when the tests run as root (as CI does) the cluster is
initialised and run as the unprivileged user ``nobody``, in a folder that user owns.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "postgres"
RUN_AS = "nobody"
PASSWORD_USER = "screening_pw"  # noqa: S105 - a user name
"""The one user of a test cluster who must give a password."""


def server_bindir() -> Path | None:
    """Where initdb and pg_ctl are (``pg_config --bindir``), or None when not installed."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
            candidates.append(Path(out))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    """A running cluster: its folder, socket folder and port."""

    bindir: Path
    root: Path
    port: int
    settings: dict[str, str] = field(default_factory=dict)
    _databases: int = 0

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root

    def url(self, database: str = "postgres", user: str = SUPERUSER, password: str = "") -> str:
        """A libpq URL for the cluster's socket."""
        who = quote(user) + (":" + quote(password) if password else "")
        return f"postgresql://{who}@/{database}?host={quote(str(self.socket_dir))}&port={self.port}"

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if os.geteuid() == 0:
            entry = pwd.getpwnam(RUN_AS)
            kwargs = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        return subprocess.run(  # type: ignore[call-overload, no-any-return]
            list(args),
            capture_output=True,
            text=True,
            check=True,
            timeout=timeout,
            env=env,
            cwd=str(self.root),
            **kwargs,
        )

    def start(self) -> None:
        options = " ".join(
            [
                f"-k {self.socket_dir}",
                "-c listen_addresses=''",
                f"-p {self.port}",
                *(f"-c {key}={value}" for key, value in self.settings.items()),
            ]
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop("fast")
        self.start()

    def role(self, name: str, *, password: str | None = None) -> None:
        """Create a login role unless it exists (roles belong to the whole cluster)."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
                return
            statement = sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name))
            if password is not None:
                statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
            conn.execute(statement)

    def sql(
        self, statement: str, *, database: str = "postgres", user: str = SUPERUSER
    ) -> list[tuple[object, ...]]:
        """Run one statement as ``user`` (autocommit) and return its rows."""
        import psycopg

        with psycopg.connect(self.url(database, user), autocommit=True) as conn:
            cursor = conn.execute(statement)
            return list(cursor.fetchall()) if cursor.description else []

    def new_database(self, template: str | None = None) -> str:
        """A fresh, empty database (from ``template`` when given); its name."""
        self._databases += 1
        name = f"t{self._databases}"
        self.sql(f"DROP DATABASE IF EXISTS {name}")
        self.sql(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return name

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster(bindir: Path, settings: dict[str, str] | None = None) -> Cluster:
    """Initialise and start a cluster in a new temporary folder (as ``nobody`` under root)."""
    root = Path(tempfile.mkdtemp(prefix="screening-pg-"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam(RUN_AS)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    root.chmod(0o700)
    cluster = Cluster(bindir=bindir, root=root, port=_free_port(), settings=dict(settings or {}))
    try:
        cluster._run(
            str(bindir / "initdb"),
            "-D",
            str(cluster.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        # One user logs in with a password (to test a refused login); the rest are trusted.
        hba = cluster.data / "pg_hba.conf"
        hba.write_text(
            f"local all {PASSWORD_USER} scram-sha-256\n" + hba.read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        cluster.start()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return cluster
