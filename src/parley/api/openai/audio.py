"""OpenAI's audio API (transcriptions, translations, speech, models) on top of the services;
the HTTP router only reads requests and writes what this returns."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anyio

from parley.api.openai import names
from parley.api.openai.errors import OpenAIError
from parley.api.openai.transcripts import (
    FORMATS,
    GRANULARITIES,
    as_json,
    as_subtitles,
    as_verbose,
    word_logprobs,
)
from parley.audio.stream_encode import StreamEncoder
from parley.domain.access import Caller
from parley.domain.speech import AudioFormat, SynthesisOptions, SynthesizedChunk
from parley.domain.transcript import PhraseHint, RecognitionOptions, Segment, Task, Transcript
from parley.engines.registry import STT_MODELS
from parley.errors import InvalidArgument
from parley.services.container import Services
from parley.services.progression import Progression
from parley.services.transcription import AudioInput

MAX_SECONDS = 2 * 3600.0
MAX_SPEECH_CHARS = 4096
SPEECH_FORMATS = {
    "mp3": AudioFormat.MP3,
    "opus": AudioFormat.OGG_OPUS,
    "aac": AudioFormat.AAC,
    "flac": AudioFormat.FLAC,
    "wav": AudioFormat.WAV,
    "pcm": AudioFormat.PCM,
}
PCM_RATE = 24000  # OpenAI's pcm: 24 kHz, 16-bit little-endian, mono
# A phrase hint from `keywords`: a moderate push towards the words given.
KEYWORD_BOOST = 10.0


@dataclass(frozen=True)
class TranscriptionRequest:
    audio: bytes
    filename: str | None
    model: str
    task: Task = Task.TRANSCRIBE
    language: str = ""
    languages: tuple[str, ...] = ()
    prompt: str = ""
    keywords: tuple[str, ...] = ()
    response_format: str = "json"
    temperature: float = 0.0
    granularities: tuple[str, ...] = ()
    logprobs: bool = False


@dataclass(frozen=True)
class SpeechRequest:
    input: str
    model: str
    voice: str
    response_format: str = "mp3"
    speed: float = 1.0
    stream_format: str = "audio"
    instructions: str = ""


class OpenAIAudio:
    def __init__(self, services: Services) -> None:
        self.services = services

    def options(self, request: TranscriptionRequest) -> RecognitionOptions:
        if request.response_format not in FORMATS:
            hint = (
                " (Parley has no diarization)" if request.response_format.startswith("diar") else ""
            )
            raise OpenAIError(
                f"response_format {request.response_format!r} is not supported{hint}; "
                f"use one of {', '.join(FORMATS)}",
                status=400,
                param="response_format",
                code="invalid_value",
            )
        unknown = [g for g in request.granularities if g not in GRANULARITIES]
        if unknown or (request.granularities and request.response_format != "verbose_json"):
            raise InvalidArgument(
                "timestamp_granularities takes word and/or segment, with "
                "response_format verbose_json",
                field="timestamp_granularities",
            )
        languages = tuple(dict.fromkeys(x for x in (request.language, *request.languages) if x))
        _, options = self.services.transcription.validate(
            RecognitionOptions(
                model=names.transcription_model(request.model),
                language=languages[0] if languages else None,
                alternative_languages=languages[1:],
                task=request.task,
                prompt=request.prompt,
                temperature=request.temperature,
                phrases=tuple(PhraseHint(k, KEYWORD_BOOST) for k in request.keywords),
            )
        )
        return options

    async def transcribe(self, request: TranscriptionRequest, caller: Caller) -> Transcript:
        options = self.options(request)
        return await self._transcribed(request, options, caller, Progression())

    async def _transcribed(
        self,
        request: TranscriptionRequest,
        options: RecognitionOptions,
        caller: Caller,
        job: Progression,
    ) -> Transcript:
        record = await anyio.to_thread.run_sync(
            lambda: self.services.transcription.transcribe(
                AudioInput(request.audio, request.filename),
                options,
                job,
                max_seconds=MAX_SECONDS,
                caller=caller,
            )
        )
        assert record.transcript is not None
        return record.transcript

    def render(self, request: TranscriptionRequest, transcript: Transcript) -> Any:
        """The response body: a dict for the JSON formats, text for the others."""
        kind = request.response_format
        if kind == "json":
            return {**as_json(transcript, request.logprobs), **_languages(transcript)}
        if kind == "verbose_json":
            return as_verbose(transcript, request.task.value, request.granularities)
        if kind == "text":
            return transcript.text + "\n"
        return as_subtitles(transcript, kind)

    async def transcribe_events(
        self, request: TranscriptionRequest, caller: Caller
    ) -> AsyncIterator[dict[str, Any]]:
        """`transcript.text.delta` as each stretch of the audio is decoded (in order), then
        `transcript.text.done` with the whole text, as the unstreamed response has it."""
        options = self.options(request)
        loop = asyncio.get_running_loop()
        finished: asyncio.Queue[list[Segment]] = asyncio.Queue()
        sent = 0

        def after_window(job: Progression) -> bool:
            nonlocal sent
            ready: list[Segment] = []
            while sent < len(job.windows or []) and sent in job.done:
                ready += job.done[sent]
                sent += 1
            if ready:
                loop.call_soon_threadsafe(finished.put_nowait, ready)
            return True

        work = asyncio.ensure_future(
            self._transcribed(request, options, caller, Progression(after_window=after_window))
        )
        try:
            spoken = False
            while not work.done() or not finished.empty():
                waiting = asyncio.ensure_future(finished.get())
                await asyncio.wait({waiting, work}, return_when=asyncio.FIRST_COMPLETED)
                if not waiting.done():
                    waiting.cancel()
                    continue
                segments = waiting.result()
                text = self.services.transcription.finished(segments, options)
                if text:
                    delta = (" " if spoken else "") + text
                    spoken = True
                    event: dict[str, Any] = {"type": "transcript.text.delta", "delta": delta}
                    if request.logprobs:
                        event["logprobs"] = word_logprobs(segments)
                    yield event
            transcript = await work
        finally:
            work.cancel()
        done: dict[str, Any] = {"type": "transcript.text.done", "text": transcript.text}
        if request.logprobs:
            done["logprobs"] = word_logprobs(transcript.segments)
        yield {**done, **_languages(transcript)}

    def speech_options(self, request: SpeechRequest) -> SynthesisOptions:
        names.speech_model(request.model)
        if not request.input.strip():
            raise InvalidArgument("input is empty: there is nothing to speak", field="text")
        if len(request.input) > MAX_SPEECH_CHARS:
            raise InvalidArgument(
                f"input is {len(request.input)} characters; at most {MAX_SPEECH_CHARS}",
                field="text",
            )
        if request.response_format not in SPEECH_FORMATS:
            raise InvalidArgument(
                f"response_format {request.response_format!r}: use one of "
                + ", ".join(SPEECH_FORMATS),
                field="format",
            )
        if request.stream_format not in ("audio", "sse"):
            raise InvalidArgument("stream_format is audio or sse", field="stream_format")
        fmt = SPEECH_FORMATS[request.response_format]
        options = SynthesisOptions(
            voice=names.voice(request.voice, request.model),
            rate=request.speed,
            format=fmt,
            sample_rate=PCM_RATE if fmt is AudioFormat.PCM else None,
        )
        return self.services.synthesis.validate(request.input, options)

    async def speak(
        self, request: SpeechRequest, options: SynthesisOptions, caller: Caller
    ) -> AsyncIterator[bytes]:
        """The audio, a sentence at a time as each is spoken, in one stream of `format`;
        the whole is stored in the history once spoken."""
        synthesis = self.services.synthesis
        started = time.perf_counter()
        sentences = synthesis.stream(request.input, options)
        chunks: list[SynthesizedChunk] = []
        encoder: StreamEncoder | None = None
        while (chunk := await anyio.to_thread.run_sync(next, sentences, None)) is not None:
            if not len(chunk.samples):
                continue
            chunks.append(chunk)
            encoder = encoder or StreamEncoder(
                options.format, chunk.sample_rate, options.sample_rate
            )
            yield encoder.write(chunk.samples)
        if encoder is None:
            raise InvalidArgument(
                "the input holds nothing a voice can say (no word, number or letter)",
                field="text",
            )
        yield encoder.close()
        elapsed = time.perf_counter() - started
        await anyio.to_thread.run_sync(
            lambda: synthesis.store(
                request.input,
                options,
                chunks,
                elapsed,
                caller=caller,
            )
        )

    def models(self) -> list[dict[str, Any]]:
        return [_model(name) for name in names.model_ids()]

    def model(self, name: str) -> dict[str, Any]:
        if name not in names.model_ids():
            raise OpenAIError(
                f"The model `{name}` does not exist",
                status=404,
                param="model",
                code="model_not_found",
            )
        return _model(name)


def _model(name: str) -> dict[str, Any]:
    owner = "parley" if name in STT_MODELS else "parley (openai-compatible)"
    return {"id": name, "object": "model", "created": 0, "owned_by": owner}


def _languages(transcript: Transcript) -> dict[str, Any]:
    return {"languages": [{"code": transcript.language}]}
