"""Speech to text: validate, decode, split, decode in parallel, stitch, post-process, store."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, as_completed
from dataclasses import dataclass
from typing import Any

from parley.audio.decode import decode_audio
from parley.audio.resample import resample
from parley.domain.audio import Audio, FloatArray, RawAudioFormat, Span
from parley.domain.transcript import RecognitionOptions, Segment, Task, Transcript
from parley.engines import worker
from parley.engines.base import DecodeRequest
from parley.engines.pool import EnginePool
from parley.engines.registry import ModelSpec, model_spec
from parley.errors import InvalidArgument
from parley.services.chunking import chunk_length, plan_windows
from parley.services.languages import model_language
from parley.services.postprocess import postprocess
from parley.services.profanity import ProfanityFilter
from parley.store import Store, StoredAudio, TranscriptionRecord

logger = logging.getLogger(__name__)

MAX_ALTERNATIVES = 30
MAX_PHRASES = 500
MAX_PHRASE_CHARS = 100
Progress = Callable[[float, float], None]  # (audio seconds done, audio seconds in all)


@dataclass(frozen=True)
class AudioInput:
    """Audio as received: encoded bytes, how to read them, and a name for the history."""

    data: bytes
    name: str | None = None
    raw: RawAudioFormat | None = None
    expect_rate: int | None = None
    expect_channels: int | None = None


class TranscriptionService:
    def __init__(
        self,
        pool: EnginePool,
        store: Store,
        *,
        default_model: str,
        max_chunk_seconds: float,
        profanity: ProfanityFilter,
    ) -> None:
        self._pool = pool
        self._store = store
        self._default_model = default_model
        self._max_chunk_seconds = max_chunk_seconds
        self._profanity = profanity

    def transcribe(
        self, audio_in: AudioInput, options: RecognitionOptions, progress: Progress | None = None
    ) -> TranscriptionRecord:
        spec, options = self.validate(options)
        audio = decode_audio(
            audio_in.data,
            raw=audio_in.raw,
            expect_rate=audio_in.expect_rate,
            expect_channels=audio_in.expect_channels,
        )
        transcript = self.recognize(audio, spec, options, progress)
        return self._store.add_transcription(
            audio=StoredAudio(audio_in.data, _suffix(audio), f"{audio.container}/{audio.codec}"),
            source_name=audio_in.name,
            options=_options_dict(options),
            transcript=transcript,
        )

    def validate(self, options: RecognitionOptions) -> tuple[ModelSpec, RecognitionOptions]:
        """Check everything about a request that needs no audio; returns the model and the
        options with defaults filled in and the language in the model's own code."""
        spec = model_spec(options.model or self._default_model)
        if not 1 <= options.max_alternatives <= MAX_ALTERNATIVES:
            raise InvalidArgument(
                f"max alternatives must be between 1 and {MAX_ALTERNATIVES}",
                field="max_alternatives",
            )
        if options.task is Task.TRANSLATE and not spec.multilingual:
            raise InvalidArgument(
                f"model {spec.name} is English-only and cannot translate", field="task"
            )
        _check_phrases(options)
        language = options.language and model_language(options.language, spec.languages, spec.name)
        return spec, dataclasses.replace(options, model=spec.name, language=language or None)

    def recognize(
        self,
        audio: Audio,
        spec: ModelSpec,
        options: RecognitionOptions,
        progress: Progress | None = None,
    ) -> Transcript:
        """Decode every channel (or their mix), in windows cut at pauses, on the pool."""
        started = time.perf_counter()
        tracks = (
            [audio.channel(i) for i in range(audio.channels)]
            if options.separate_channels
            else [audio.mono()]
        )
        request = DecodeRequest(
            language=options.language,
            task=options.task,
            alternatives=options.max_alternatives,
            phrases=options.phrases,
        )
        jobs = [
            _Track(i + 1, resample(t, audio.sample_rate, spec.sample_rate))
            for i, t in enumerate(tracks)
        ]
        segments = self._decode_tracks(spec, jobs, request, audio.duration, progress)
        transcript = Transcript(
            segments=tuple(sorted(segments, key=lambda s: (s.start, s.channel))),
            language=_main_language(segments, options.language),
            duration=audio.duration,
            model=spec.name,
            inference_seconds=time.perf_counter() - started,
            channels=audio.channels,
        )
        return postprocess(transcript, options, self._profanity)

    def _decode_tracks(
        self,
        spec: ModelSpec,
        tracks: list[_Track],
        request: DecodeRequest,
        duration: float,
        progress: Progress | None,
    ) -> list[Segment]:
        rate = spec.sample_rate
        target = chunk_length(duration, self._pool.workers, self._max_chunk_seconds)
        pieces = [
            (track.channel, window)
            for track in tracks
            for window in plan_windows(track.samples, rate, target)
        ]
        samples = {track.channel: track.samples for track in tracks}
        parallel = len(pieces) > 1
        futures: dict[Future[Transcript], tuple[int, Span]] = {
            self._pool.submit(
                worker.transcribe,
                spec.name,
                samples[channel][int(window.start * rate) : int(window.end * rate)],
                request,
                parallel=parallel,
            ): (channel, window)
            for channel, window in pieces
        }
        done, total = 0.0, duration * len(tracks)
        segments: list[Segment] = []
        try:
            for future in as_completed(futures):
                channel, window = futures[future]
                segments.extend(_placed(s, window.start, channel) for s in future.result().segments)
                done += window.duration
                if progress:
                    progress(done, total)
        finally:
            for future in futures:
                future.cancel()
        return segments


@dataclass(frozen=True)
class _Track:
    channel: int
    samples: FloatArray


def _placed(segment: Segment, offset: float, channel: int) -> Segment:
    if offset == 0 and channel == segment.channel:
        return segment
    alternatives = tuple(
        dataclasses.replace(
            alt,
            words=tuple(
                dataclasses.replace(
                    w, start=round(w.start + offset, 3), end=round(w.end + offset, 3)
                )
                for w in alt.words
            ),
        )
        for alt in segment.alternatives
    )
    return dataclasses.replace(
        segment,
        start=round(segment.start + offset, 3),
        end=round(segment.end + offset, 3),
        alternatives=alternatives,
        channel=channel,
    )


def _main_language(segments: list[Segment], requested: str | None) -> str:
    if requested:
        return requested
    weights: dict[str, float] = {}
    for s in segments:
        weights[s.language] = weights.get(s.language, 0.0) + s.end - s.start
    return max(weights, key=lambda k: weights[k]) if weights else "und"


def _check_phrases(options: RecognitionOptions) -> None:
    if len(options.phrases) > MAX_PHRASES:
        raise InvalidArgument(f"at most {MAX_PHRASES} phrase hints are allowed", field="phrases")
    for hint in options.phrases:
        if not hint.phrase.strip() or len(hint.phrase) > MAX_PHRASE_CHARS:
            raise InvalidArgument(
                f"phrase hints must be 1-{MAX_PHRASE_CHARS} characters: {hint.phrase[:40]!r}",
                field="phrases",
            )
        if not -20.0 <= hint.boost <= 20.0:
            raise InvalidArgument("phrase boost must be between -20 and 20", field="phrases")


def _suffix(audio: Audio) -> str:
    known = {"wav": ".wav", "flac": ".flac", "mp3": ".mp3", "ogg": ".ogg", "matroska": ".webm"}
    if audio.container == "mov":
        return ".m4a"
    if audio.container == "raw":
        return f".{audio.codec}"
    return known.get(audio.container, f".{audio.container}")


def _options_dict(options: RecognitionOptions) -> dict[str, Any]:
    data = dataclasses.asdict(options)
    data["task"] = options.task.value
    return data
