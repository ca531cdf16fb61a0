"""Long-running recognition: accepted at once into the database, run by whichever server
holds the job's lease, resumable window by window after a crash."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from parley.domain.access import LOCAL, Caller
from parley.domain.audio import Audio, AudioEncoding, RawAudioFormat, Span
from parley.domain.codec import (
    options_from_dict,
    options_to_dict,
    segment_from_dict,
    segment_to_dict,
)
from parley.domain.transcript import RecognitionOptions, Transcript
from parley.engines.pool import BATCH
from parley.engines.registry import ModelSpec
from parley.errors import InvalidArgument
from parley.services.progression import Progression
from parley.services.transcription import AudioInput, TranscriptionService, suffix_of
from parley.store import AudioRef, OperationRecord, Store, StoredAudio, TranscriptionRecord

RECOGNIZE = "speech.recognize"
MAX_SECONDS = 480 * 60
MAX_PAGE = 1000


@dataclass(frozen=True)
class OperationView:
    """An operation and, once it succeeded, its transcription."""

    operation: OperationRecord
    result: TranscriptionRecord | None
    presentation: dict[str, Any]


class OperationsService:
    def __init__(self, store: Store, transcription: TranscriptionService) -> None:
        self._store = store
        self._transcription = transcription

    @property
    def transcription(self) -> TranscriptionService:
        return self._transcription

    def submit(
        self,
        audio_in: AudioInput,
        options: RecognitionOptions,
        presentation: dict[str, Any],
        caller: Caller = LOCAL,
    ) -> OperationView:
        """Validate everything, store the audio, and queue the job. The audio is probed
        (its header checked, its start decoded), so what is not audio fails now; it is
        decoded in full once, when the job runs. `presentation` is kept for the transport
        that renders the result."""
        _, options = self._transcription.validate(options)
        audio = self._transcription.decode(audio_in, max_seconds=MAX_SECONDS, probe=True)
        request = {
            "options": options_to_dict(options),
            "audio": _audio_to_dict(audio_in),
            "presentation": presentation,
            "keep_audio": caller.keep_audio,
            "protocol": caller.protocol,
        }
        stored = StoredAudio(audio_in.data, suffix_of(audio), f"{audio.container}/{audio.codec}")
        operation = self._store.operations.create(
            RECOGNIZE, request, stored, audio_in.name, caller.tenant
        )
        return OperationView(operation, None, presentation)

    def run(
        self, operation: OperationRecord, keep_going: Callable[[int, dict[str, Any]], bool]
    ) -> str:
        """Run (or resume) a job; returns the id of its transcription record."""
        audio, spec, options = self.load(operation)
        job = _resume(operation.checkpoint)
        job.after_window = lambda p: keep_going(int(100 * p.fraction), _checkpoint(p))
        transcript = self._transcription.recognize(audio, spec, options, job, priority=BATCH)
        return self.store_result(operation, transcript, f"{audio.container}/{audio.codec}")

    def load(self, operation: OperationRecord) -> tuple[Audio, ModelSpec, RecognitionOptions]:
        """A job's audio, decoded as its model reads it, the model and the options."""
        request = operation.request
        data = self._store.audio.read(operation.audio_key)
        audio_in = _audio_from_dict(request["audio"], data)
        spec, options = self.options(operation)
        return self._transcription.decode(audio_in, MAX_SECONDS, fit=(spec, options)), spec, options

    def options(self, operation: OperationRecord) -> tuple[ModelSpec, RecognitionOptions]:
        return self._transcription.validate(options_from_dict(operation.request["options"]))

    def store_result(
        self, operation: OperationRecord, transcript: Transcript, audio_format: str
    ) -> str:
        """Keep a finished job's transcription (with its audio, unless the caller asked
        not to); returns the record's id."""
        self._transcription.recognized("long_running", transcript)
        request = operation.request
        keep = request.get("keep_audio", True)
        size = self._store.audio.size(operation.audio_key)
        ref = AudioRef(operation.audio_key, audio_format, size)
        record = self._store.add_transcription(
            audio=ref if keep else None,
            source_name=operation.source_name,
            options=request["options"],
            transcript=transcript,
            tenant=operation.tenant,
            protocol=request.get("protocol", ""),
        )
        if not keep:
            self._store.audio.delete(operation.audio_key)  # kept only while the job ran
        return record.id

    def get(self, name: str, scope: str | None = None) -> OperationView:
        """`scope` (here and below): only operations of this tenant (None: any)."""
        return self._view(self._store.operations.get(name, scope))

    def list(
        self, *, done: bool | None, page_size: int, offset: int, scope: str | None = None
    ) -> list[OperationView]:
        if not 0 <= page_size <= MAX_PAGE:
            raise InvalidArgument(f"page size must be 0-{MAX_PAGE}", field="page_size")
        found = self._store.operations.list(
            kind=RECOGNIZE, done=done, limit=page_size or 50, offset=offset, scope=scope
        )
        return [self._view(o) for o in found]

    def cancel(self, name: str, scope: str | None = None) -> OperationView:
        return self._view(self._store.operations.cancel(name, scope))

    def delete(self, name: str, scope: str | None = None) -> None:
        self._store.operations.delete(name, scope)

    def _view(self, operation: OperationRecord) -> OperationView:
        result = self._store.get_transcription(operation.result_id) if operation.result_id else None
        return OperationView(operation, result, operation.request.get("presentation", {}))


def _audio_to_dict(audio_in: AudioInput) -> dict[str, Any]:
    raw = audio_in.raw
    return {
        "raw": None if raw is None else [raw.encoding.value, raw.sample_rate, raw.channels],
        "expect_rate": audio_in.expect_rate,
        "expect_channels": audio_in.expect_channels,
        "codecs": None if audio_in.codecs is None else sorted(audio_in.codecs),
        "encoding": audio_in.encoding,
    }


def _audio_from_dict(data: dict[str, Any], audio: bytes) -> AudioInput:
    raw = data["raw"]
    return AudioInput(
        audio,
        raw=None if raw is None else RawAudioFormat(AudioEncoding(raw[0]), raw[1], raw[2]),
        expect_rate=data["expect_rate"],
        expect_channels=data["expect_channels"],
        codecs=None if data["codecs"] is None else frozenset(data["codecs"]),
        encoding=data["encoding"],
    )


def _checkpoint(job: Progression) -> dict[str, Any]:
    return {
        "windows": [[channel, w.start, w.end] for channel, w in job.windows or []],
        "done": {
            str(i): [segment_to_dict(s) for s in segments] for i, segments in job.done.items()
        },
    }


def _resume(checkpoint: dict[str, Any] | None) -> Progression:
    if not checkpoint:
        return Progression()
    return Progression(
        windows=[(c, Span(start, end)) for c, start, end in checkpoint["windows"]],
        done={
            int(i): tuple(segment_from_dict(s) for s in segments)
            for i, segments in checkpoint["done"].items()
        },
    )
