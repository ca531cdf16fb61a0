"""Shared fixtures: the bundled test speech, settings in a temporary data dir, and one
set of services (with its loaded models) for the whole session."""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from parley.bench.cluster import scratch_database
from parley.bench.speech import BUNDLED_SPEECH, Utterance, load_speech_set
from parley.config import Settings
from parley.evaluation.wer import word_error_rate
from parley.services.container import Services, build_services

SPEECH_DIR = BUNDLED_SPEECH


@dataclass(frozen=True)
class Clip:
    name: str
    path: Path
    reference: str

    def samples(self) -> np.ndarray:
        data, _ = sf.read(self.path, dtype="float32")
        return data


def clips() -> list[Clip]:
    return [
        Clip(p.stem, p, p.with_suffix(".ref").read_text().strip())
        for p in sorted(SPEECH_DIR.glob("*.wav"))
    ]


def dev_speech() -> list[Utterance]:
    """The 13 WAV clips of the tuning set that these tests were written on (the FLAC
    clips added to the set later serve the benchmark)."""
    return load_speech_set(SPEECH_DIR, suffixes=(".wav",))


def clip(name: str) -> Clip:
    return next(c for c in clips() if c.name == name)


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    built = build_services(Settings(data_dir=tmp_path_factory.mktemp("parley"), workers=2))
    yield built
    built.close()


def assert_heard(text: str, reference: str, max_wer: float = 0.25) -> None:
    """What any CPU or GPU hears: a WER bound on normalized text ("7" and "seven" alike),
    never the model's exact words."""
    score = word_error_rate([reference], [text])
    assert score.wer <= max_wer, f"WER {score.wer:.2f} > {max_wer}: {text!r} for {reference!r}"


POSTGRES = os.environ.get("PARLEY_TEST_DATABASE_URL", "")


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database on the PostgreSQL server PARLEY_TEST_DATABASE_URL names (the test
    is skipped without one), dropped afterwards."""
    if not POSTGRES:
        pytest.skip("PostgreSQL: set PARLEY_TEST_DATABASE_URL (postgresql+psycopg://...)")
    with scratch_database(POSTGRES) as url:
        yield url


def free_port() -> int:
    """A loopback TCP port nobody listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
