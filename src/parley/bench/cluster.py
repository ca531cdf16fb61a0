"""The pieces of a deployment on Celery, started for real: `parley worker` processes, and
a scratch PostgreSQL database. For the scale-out benchmark and the contract tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from parley.bench.server import wait_until


class WorkerProcess:
    """`parley worker` with `env` (the deployment's settings); its output in `log`."""

    def __init__(self, env: dict[str, str], log: Path, concurrency: int = 1) -> None:
        self.log = log
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "parley", "worker", "--concurrency", str(concurrency)],
            env={**os.environ, **env},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        wait_until(lambda: self.text().count("loaded whisper-base") >= concurrency, 180)

    def text(self) -> str:
        if self.process.poll() is not None:
            raise RuntimeError(f"parley worker exited: {self.log.read_text()[-2000:]}")
        return self.log.read_text()

    def tasks_done(self) -> int:
        return self.text().count("succeeded in")

    def busy(self) -> bool:
        """A task is running: started in a pool process more often than finished."""
        log = self.text()
        return log.count("] started") > log.count("succeeded in") + log.count("raised")

    def children(self) -> list[int]:
        """Celery's pool processes (Linux's /proc)."""
        pid = self.process.pid
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def stop(self) -> int:
        """SIGTERM: Celery's warm shutdown, the tasks in hand finished first."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=120)


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A fresh database on the PostgreSQL server `server_url` names, dropped after."""
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"parley_scratch_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
