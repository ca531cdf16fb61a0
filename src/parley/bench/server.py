"""A real `parley serve` in a child process, on ephemeral ports, for measuring (and for
the contract tests)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import httpx

_LISTENING = re.compile(r"HTTP on (https?://\S+) and gRPC on (\S+)")
_WYOMING = re.compile(r"Wyoming on tcp://(\S+)")


@dataclass
class ServerProcess:
    process: subprocess.Popen[str]
    http: str
    grpc: str
    data_dir: Path
    wyoming: str | None = None  # host:port, when the server speaks Wyoming

    @classmethod
    def start(
        cls,
        data_dir: Path,
        *,
        audio_dirs: tuple[Path, ...] = (),
        env: dict[str, str] | None = None,
        ready_within: float = 300,
    ) -> Self:
        """Start, and wait until /healthz says the models are loaded. The server's output
        goes to `data_dir`/server.log."""
        data_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "parley", "--data-dir", str(data_dir), "serve"]
        command += ["--http-port", "0", "--grpc-port", "0"]
        for folder in audio_dirs:
            command += ["--audio-dir", str(folder)]
        log = data_dir / "server.log"
        seen = log.stat().st_size if log.exists() else 0  # a restarted server appends to it
        with log.open("a") as output:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                command,
                env={**os.environ, **(env or {})},
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
        found: list[re.Match[str]] = []

        def listening() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"parley serve exited: {log.read_text()[seen:]}")
            found[:] = list(_LISTENING.finditer(log.read_text()[seen:]))
            return bool(found)

        wait_until(listening, 60)
        wyoming = _WYOMING.search(log.read_text()[seen:])
        server = cls(
            process,
            found[0].group(1),
            found[0].group(2),
            data_dir,
            wyoming.group(1) if wyoming else None,
        )
        wait_until(server.ready, ready_within)
        return server

    def ready(self) -> bool:
        try:
            # Readiness only: a test server's self-signed certificate is not checked here.
            reply = httpx.get(f"{self.http}/healthz", timeout=5, verify=False)  # noqa: S501
            return reply.status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 90) -> int:
        """Signal the server's whole process group (as a service manager does)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        return self.process.wait(timeout)


def wait_until(condition: Callable[[], bool], seconds: float, every: float = 0.2) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {seconds} s")
        time.sleep(every)
