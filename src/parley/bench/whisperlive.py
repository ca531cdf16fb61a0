"""WhisperLive, the peer the live-stream figures are compared with: its own server
(`whisper_live.server`, faster-whisper backend, Silero VAD on) on the same Whisper base
weights Parley loads, fed the same track at the same pace over its WebSocket protocol.

WhisperLive needs torch, which Parley does not: it runs from its own Python
(`scripts/install-whisperlive` makes one), given to `parley bench --whisperlive`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from websockets.sync.client import ClientConnection, connect

from parley.bench import live
from parley.bench.speech import RATE

# What WhisperLive's own client sends by default, with the model given by the server.
OPTIONS = {"language": "en", "task": "transcribe", "use_vad": True}
# After the last audio, how long to wait for its last segments before END_OF_AUDIO.
TAIL_SECONDS = 3.0
_LAUNCHER = """
import sys
from whisper_live.server import TranscriptionServer
TranscriptionServer().run("127.0.0.1", port=int(sys.argv[1]), backend="faster_whisper",
    faster_whisper_custom_model_path=sys.argv[2], single_model=True)
"""


@dataclass
class PeerHeard:
    """What a WhisperLive stream received: each segment WhisperLive marked completed
    (its final) with when it first arrived, and the last incomplete one."""

    completed: dict[tuple[str, str], tuple[float, dict[str, Any]]] = field(default_factory=dict)
    pending: str = ""

    def take(self, at: float, message: dict[str, Any]) -> None:
        segments = message.get("segments") or []
        for segment in segments:
            if segment.get("completed"):
                self.completed.setdefault((segment["start"], segment["text"]), (at, segment))
        if segments and not segments[-1].get("completed"):
            self.pending = segments[-1]["text"]

    def final_ends(self) -> list[tuple[float, float]]:
        """(arrival, end in the stream in seconds) of each final."""
        return [(at, float(s["end"])) for at, s in self.completed.values()]

    def text(self) -> str:
        """What its client shows at the end: the completed segments, then the last one."""
        ordered = sorted(self.completed.values(), key=lambda item: float(item[1]["start"]))
        return " ".join([*(s["text"].strip() for _, s in ordered), self.pending.strip()]).strip()


@contextmanager
def server(python: Path, model_dir: Path, threads: int) -> Iterator[int]:
    """A WhisperLive server on a free loopback port, `threads` threads for its model."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    process = subprocess.Popen(  # noqa: S603 - the interpreter the user named
        [str(python), "-c", _LAUNCHER, str(port), str(model_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for(port: int, process: subprocess.Popen[bytes], within: float = 120) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the WhisperLive server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the WhisperLive server did not listen within {within:.0f} s")


def stream(port: int, track: live.Track, uid: str) -> PeerHeard:
    """The track as float32 chunks of 100 ms at real-time pace, as its client sends."""
    heard = PeerHeard()
    with connect(f"ws://127.0.0.1:{port}", max_size=None) as websocket:
        websocket.send(json.dumps({"uid": uid, **OPTIONS}))
        ready = json.loads(websocket.recv(timeout=120))
        if ready.get("message") != "SERVER_READY":
            raise RuntimeError(f"WhisperLive refused the stream: {ready}")
        started = time.perf_counter()
        sender = threading.Thread(target=_send, args=(websocket, track.samples, started))
        sender.start()
        try:
            for message in websocket:
                heard.take(time.perf_counter() - started, json.loads(message))
        finally:
            sender.join()
    return heard


def _send(websocket: ClientConnection, samples: np.ndarray[Any, Any], started: float) -> None:
    step = int(live.CHUNK_SECONDS * RATE)
    audio = samples.astype(np.float32)
    for index, offset in enumerate(range(0, len(audio), step)):
        delay = started + index * live.CHUNK_SECONDS - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        websocket.send(audio[offset : offset + step].tobytes())
    time.sleep(TAIL_SECONDS)
    websocket.send(b"END_OF_AUDIO")


def run_streams(port: int, track: live.Track, count: int) -> list[PeerHeard | BaseException]:
    """`count` streams at once, staggered as Parley's are."""
    out: list[PeerHeard | BaseException] = [RuntimeError("did not run")] * count

    def one(index: int) -> None:
        time.sleep(index * live.STAGGER_SECONDS)
        try:
            out[index] = stream(port, track, f"bench-{index}")
        except Exception as error:
            out[index] = error

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out
