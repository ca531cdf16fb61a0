"""Speech to text: validate, decode, split, decode in parallel, stitch, post-process, store."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Protocol

from parley.audio.decode import DecodeLimits, decode_audio
from parley.audio.resample import resample
from parley.domain.access import LOCAL, Caller
from parley.domain.audio import Audio, FloatArray, RawAudioFormat, Span
from parley.domain.codec import options_to_dict
from parley.domain.transcript import RecognitionOptions, Segment, Task, Transcript
from parley.engines import worker
from parley.engines.base import DecodeRequest
from parley.engines.pool import INTERACTIVE, EnginePool
from parley.engines.registry import ModelSpec, model_spec
from parley.errors import EngineCrashed, InvalidArgument
from parley.services.chunking import plan_windows
from parley.services.languages import model_language
from parley.services.postprocess import postprocess
from parley.services.profanity import ProfanityFilter
from parley.services.progression import Progression
from parley.store import Store, StoredAudio, TranscriptionRecord

logger = logging.getLogger(__name__)

MAX_ALTERNATIVES = 30
MAX_ALTERNATIVE_LANGUAGES = 3
MAX_PHRASES = 500
MAX_PHRASE_CHARS = 100
# Whisper reads the last 223 tokens of a prompt; this is room for that and more.
MAX_PROMPT_CHARS = 2000
PROBE_SECONDS = 2.0


@dataclass(frozen=True)
class AudioInput:
    """Audio as received: encoded bytes, how to read them, and a name for the history.
    `codecs`, when given, are the codecs the caller's declared `encoding` allows."""

    data: bytes
    name: str | None = None
    raw: RawAudioFormat | None = None
    expect_rate: int | None = None
    expect_channels: int | None = None
    codecs: frozenset[str] | None = None
    encoding: str | None = None
    max_rate: int | None = None  # highest sample rate a header may declare


RecognitionHook = Callable[[str, Transcript], None]


class Decoder(Protocol):
    """`decode_audio`, or the same run somewhere a crash cannot reach the caller."""

    def __call__(
        self,
        source: bytes,
        *,
        raw: RawAudioFormat | None = ...,
        expect_rate: int | None = ...,
        expect_channels: int | None = ...,
        limits: DecodeLimits = ...,
    ) -> Audio: ...


class TranscriptionService:
    def __init__(
        self,
        pool: EnginePool,
        store: Store,
        *,
        default_model: str,
        window_seconds: float,
        profanity: ProfanityFilter,
        decoder: Decoder = decode_audio,
        on_recognized: RecognitionHook | None = None,
    ) -> None:
        """`on_recognized(kind, transcript)` hears of every stored recognition (metrics)."""
        self._pool = pool
        self._decoder = decoder
        self._on_recognized = on_recognized
        self._store = store
        self._default_model = default_model
        self._window_seconds = window_seconds
        self._profanity = profanity

    def transcribe(
        self,
        audio_in: AudioInput,
        options: RecognitionOptions,
        job: Progression | None = None,
        max_seconds: float | None = None,
        caller: Caller = LOCAL,
    ) -> TranscriptionRecord:
        spec, options = self.validate(options)
        audio = self.decode(audio_in, max_seconds, fit=(spec, options))
        transcript = self.recognize(audio, spec, options, job)
        self.recognized("sync", transcript)
        stored = StoredAudio(audio_in.data, suffix_of(audio), f"{audio.container}/{audio.codec}")
        return self._store.add_transcription(
            audio=stored if caller.keep_audio else None,
            source_name=audio_in.name,
            options=options_to_dict(options),
            transcript=transcript,
            tenant=caller.tenant,
            protocol=caller.protocol,
        )

    def recognized(self, kind: str, transcript: Transcript) -> None:
        if self._on_recognized is not None:
            self._on_recognized(kind, transcript)

    def decode(
        self,
        audio_in: AudioInput,
        max_seconds: float | None = None,
        *,
        probe: bool = False,
        fit: tuple[ModelSpec, RecognitionOptions] | None = None,
    ) -> Audio:
        """Decode and check the audio against what the caller declared and allows. A
        `probe` checks the header and decodes only the first seconds. With `fit`, the
        audio comes back as the model reads it (its rate; one channel unless they are
        recognized apart), converted while decoding: memory follows what is kept."""
        limits = DecodeLimits(
            max_seconds=max_seconds,
            probe_seconds=PROBE_SECONDS if probe else None,
            mono=fit is not None and not fit[1].separate_channels,
            rate=fit[0].sample_rate if fit is not None else None,
        )
        if audio_in.max_rate is not None:
            limits = dataclasses.replace(limits, max_rate=audio_in.max_rate)
        audio = self._decoder(
            audio_in.data,
            raw=audio_in.raw,
            expect_rate=audio_in.expect_rate,
            expect_channels=audio_in.expect_channels,
            limits=limits,
        )
        if audio_in.codecs is not None and audio.codec not in audio_in.codecs:
            raise InvalidArgument(
                f"encoding {audio_in.encoding} does not match the audio, which is "
                f"{audio.codec} in {audio.container}",
                field="encoding",
            )
        return audio

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
        if len(options.prompt) > MAX_PROMPT_CHARS:
            raise InvalidArgument(
                f"the prompt is {len(options.prompt)} characters; at most {MAX_PROMPT_CHARS}",
                field="prompt",
            )
        if not 0.0 <= options.temperature <= 1.0:
            raise InvalidArgument("temperature must be between 0 and 1", field="temperature")
        if not spec.adapts and (options.phrases or options.max_alternatives > 1):
            raise InvalidArgument(
                f"model {spec.name} takes no phrase hints and gives no alternatives; "
                "the Whisper models do",
                field="model",
            )
        if len(options.alternative_languages) > MAX_ALTERNATIVE_LANGUAGES:
            raise InvalidArgument(
                f"at most {MAX_ALTERNATIVE_LANGUAGES} alternative languages are allowed",
                field="alternative_language_codes",
            )
        language = options.language and model_language(options.language, spec.languages, spec.name)
        others = tuple(
            model_language(tag, spec.languages, spec.name) for tag in options.alternative_languages
        )
        return spec, dataclasses.replace(
            options, model=spec.name, language=language or None, alternative_languages=others
        )

    def recognize(
        self,
        audio: Audio,
        spec: ModelSpec,
        options: RecognitionOptions,
        job: Progression | None = None,
        *,
        priority: int = INTERACTIVE,
    ) -> Transcript:
        """Decode every channel (or their mix), in windows cut at pauses, on the pool. The
        windows depend on the audio alone, never on the worker count: the same audio gives
        the same transcript with 1 worker or 8."""
        started = time.perf_counter()
        tracks, windows = self.plan(audio, spec, options)
        job = job or Progression()
        if job.windows is None:
            job.windows = windows
        self._decode_windows(spec, tracks, decode_request(options), job, priority)
        segments = [s for i in sorted(job.done) for s in job.done[i]]
        elapsed = time.perf_counter() - started
        return self.assemble(
            segments,
            options,
            spec,
            duration=audio.duration,
            channels=audio.channels,
            inference_seconds=elapsed,
        )

    def plan(
        self, audio: Audio, spec: ModelSpec, options: RecognitionOptions
    ) -> tuple[dict[int, FloatArray], list[tuple[int, Span]]]:
        """The tracks as the model reads them (by channel number, or 1 for the mix) and the
        windows to decode, cut at pauses."""
        tracks = (
            [audio.channel(i) for i in range(audio.channels)]
            if options.separate_channels
            else [audio.mono()]
        )
        resampled = {
            i + 1: resample(t, audio.sample_rate, spec.sample_rate) for i, t in enumerate(tracks)
        }
        windows = [
            (channel, window)
            for channel, samples in resampled.items()
            for window in plan_windows(samples, spec.sample_rate, self._window_seconds)
        ]
        return resampled, windows

    def assemble(
        self,
        segments: list[Segment],
        options: RecognitionOptions,
        spec: ModelSpec,
        *,
        duration: float,
        channels: int,
        inference_seconds: float,
    ) -> Transcript:
        """The transcript of all windows' segments, post-processed."""
        transcript = Transcript(
            segments=tuple(sorted(segments, key=lambda s: (s.start, s.channel))),
            language=main_language(segments, options.language),
            duration=duration,
            model=spec.name,
            inference_seconds=inference_seconds,
            channels=channels,
        )
        return postprocess(transcript, options, self._profanity)

    def finished(self, segments: list[Segment], options: RecognitionOptions) -> str:
        """The text of segments decoded so far, as the whole transcript will write it
        (punctuation, numbers, profanity): for callers shown words as they come."""
        partial = Transcript(
            segments=tuple(segments),
            language=main_language(segments, options.language),
            duration=max((s.end for s in segments), default=0.0),
            model=options.model or self._default_model,
        )
        return postprocess(partial, options, self._profanity).text

    def _decode_windows(
        self,
        spec: ModelSpec,
        tracks: dict[int, FloatArray],
        request: DecodeRequest,
        job: Progression,
        priority: int,
    ) -> None:
        """Decode the windows not yet done, recording each as it finishes. A combination
        of models sends each model's reading of a window to a worker of its own."""
        windows = job.windows or []
        rate = spec.sample_rate
        parts = worker.part_readings(spec.name, request)
        futures: dict[Future[Transcript], tuple[int, int]] = {
            self._pool.submit(
                worker.transcribe,
                model,
                tracks[channel][int(window.start * rate) : int(window.end * rate)],
                part_request,
                parallel=len(windows) * len(parts) > 1,
                priority=priority,
            ): (index, number)
            for index, (channel, window) in enumerate(windows)
            if index not in job.done
            for number, (model, part_request) in enumerate(parts)
        }
        readings: dict[int, dict[int, Transcript]] = {}
        try:
            for future in as_completed(futures):
                index, number = futures[future]
                channel, window = windows[index]
                try:
                    transcript = future.result()
                except BrokenProcessPool as error:
                    raise EngineCrashed(
                        f"the inference worker died twice on the audio at {window.start:.0f}-"
                        f"{window.end:.0f} s; it cannot be recognized"
                    ) from error
                read = readings.setdefault(index, {})
                read[number] = transcript
                if len(read) == len(parts):
                    whole = worker.combined(spec.name, [read[n] for n in range(len(parts))])
                    job.record(index, placed(whole.segments, window, channel))
        finally:
            for future in futures:
                future.cancel()


def decode_request(options: RecognitionOptions, *, live: bool = False) -> DecodeRequest:
    """With alternative languages, the engine picks among them; with one, it is forced."""
    candidates = tuple(
        dict.fromkeys(c for c in (options.language, *options.alternative_languages) if c)
    )
    return DecodeRequest(
        language=None if len(candidates) > 1 else options.language,
        candidates=candidates if len(candidates) > 1 else (),
        task=options.task,
        alternatives=options.max_alternatives,
        phrases=options.phrases,
        live=live,
        prompt=options.prompt,
        temperature=options.temperature,
    )


def placed(segments: tuple[Segment, ...], window: Span, channel: int) -> tuple[Segment, ...]:
    """A window's segments with the window's start and channel applied."""
    return tuple(_placed(s, window.start, channel) for s in segments)


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


def main_language(segments: list[Segment], requested: str | None) -> str:
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


def suffix_of(audio: Audio) -> str:
    known = {"wav": ".wav", "flac": ".flac", "mp3": ".mp3", "ogg": ".ogg", "matroska": ".webm"}
    if audio.container == "mov":
        return ".m4a"
    if audio.container == "raw":
        return f".{audio.codec}"
    return known.get(audio.container, f".{audio.container}")
