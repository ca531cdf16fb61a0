"""What every suite gets: settings, the speech set, and whether to run small."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parley.bench.speech import Utterance
from parley.config import Settings
from parley.services.container import Services, build_services


@dataclass(frozen=True)
class BenchContext:
    settings: Settings
    speech: list[Utterance]  # the tuning set
    quick: bool
    out_dir: Path
    held_out: list[Utterance] = dataclasses.field(default_factory=list)
    whisperlive: Path | None = None  # a Python with whisper-live: the live-stream peer
    cluster_database: str | None = None  # the user's PARLEY_DATABASE_URL (scaleout suite)

    def read_speech(self) -> list[Utterance]:
        """The tuning set's read English speech, which long audio is assembled from."""
        return [u for u in self.speech if u.language == "en" and u.kind in ("read", "command")]

    def english_sets(self) -> dict[str, list[Utterance]]:
        """What long audio is assembled from: the tuning set's read English speech, and
        the held-out set's English speech of every kind, when there is one."""
        sets = {"tuning": self.read_speech()}
        held_out = [u for u in self.held_out if u.language == "en"]
        if held_out:
            sets["held-out"] = held_out
        return sets

    def speech_sets(self) -> dict[str, list[Utterance]]:
        """The sets to report side by side: tuning, and held-out when there is one."""
        sets = {"tuning": self.speech}
        if self.held_out:
            sets["held-out"] = self.held_out
        return sets

    @contextmanager
    def services(self, **overrides: Any) -> Iterator[Services]:
        built = build_services(self.settings.model_copy(update=overrides))
        try:
            yield built
        finally:
            built.close()


@dataclass
class SuiteResult:
    name: str
    results: dict[str, Any]
    headline: list[tuple[str, str]] = dataclasses.field(default_factory=list)
