"""One Wyoming connection (Home Assistant's protocol): describe, speech to text through the
live-streaming machinery, text to speech a sentence at a time; errors as `error` events."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator

import anyio
import numpy as np
from wyoming.asr import Transcribe, Transcript, TranscriptChunk, TranscriptStart, TranscriptStop
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event
from wyoming.info import Describe
from wyoming.ping import Ping, Pong
from wyoming.tts import (
    Synthesize,
    SynthesizeChunk,
    SynthesizeStart,
    SynthesizeStop,
    SynthesizeStopped,
    SynthesizeTextFormat,
)

from parley.api.wyoming.info import describe
from parley.api.wyoming.wire import ProtocolError, read_event, write_event
from parley.domain.access import WYOMING
from parley.domain.audio import AudioEncoding, RawAudioFormat
from parley.domain.speech import AudioFormat, SpeechPart, SynthesisOptions, SynthesizedChunk
from parley.domain.streaming import LiveOptions, LiveResult
from parley.domain.transcript import RecognitionOptions
from parley.errors import InvalidArgument, ParleyError, StreamTimeout, UnknownVoice
from parley.services.container import Services
from parley.services.sentences import complete_sentences
from parley.services.ssml import parse_ssml
from parley.services.streaming import LiveStream

logger = logging.getLogger(__name__)
CHUNK_SAMPLES = 2048  # audio-chunk events of about 0.1 s


class _Listening:
    """Audio of one `transcribe` on its way into a live stream."""

    def __init__(self, stream: LiveStream, audio: AudioStart, exits: contextlib.AsyncExitStack):
        self.stream = stream
        self.audio = audio
        self.exits = exits
        self.finals: list[str] = []
        self.language: str | None = None
        self.reader: asyncio.Task[None] | None = None


class WyomingSession:
    def __init__(
        self,
        services: Services,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        idle_seconds: float,
    ) -> None:
        self._services = services
        self._reader = reader
        self._writer = writer
        self._idle = idle_seconds
        self._transcribe = Transcribe()
        self._listening: _Listening | None = None
        self._speaking: SynthesizeStart | None = None  # a streamed synthesis under way
        self._pending = ""
        self._spoken: list[str] = []
        self._chunks: list[SynthesizedChunk] = []
        self._started = 0.0

    async def run(self) -> None:
        try:
            while (event := await read_event(self._reader, self._idle)) is not None:
                try:
                    await self._handle(event)
                except ProtocolError:
                    raise
                except ParleyError as error:
                    await self._error(error)
                    await self._stop_listening()
                    self._speaking, self._chunks = None, []
        except (ProtocolError, StreamTimeout) as error:
            logger.info("wyoming: closing a connection: %s", error.message)
            with contextlib.suppress(ConnectionError):
                await self._error(error)
        except ConnectionError:
            pass
        finally:
            await self._stop_listening()
            self._writer.close()

    async def _handle(self, event: Event) -> None:
        kind = event.type
        if Describe.is_type(kind):
            await self._send(describe(self._services).event())
        elif Ping.is_type(kind):
            await self._send(Pong(text=Ping.from_event(event).text).event())
        elif Transcribe.is_type(kind):
            self._transcribe = Transcribe.from_event(event)
        elif AudioStart.is_type(kind):
            await self._start_listening(AudioStart.from_event(event))
        elif AudioChunk.is_type(kind):
            self._hear(AudioChunk.from_event(event))
        elif AudioStop.is_type(kind):
            await self._finish_listening()
        elif Synthesize.is_type(kind):
            if self._speaking is None:  # during a streamed synthesis it repeats the text
                await self._synthesize(Synthesize.from_event(event))
        elif SynthesizeStart.is_type(kind):
            self._begin_streamed(SynthesizeStart.from_event(event))
        elif SynthesizeChunk.is_type(kind):
            await self._streamed_text(SynthesizeChunk.from_event(event).text)
        elif SynthesizeStop.is_type(kind):
            await self._end_streamed()
        else:
            raise InvalidArgument(f"Parley does not take {kind!r} events", field="type")

    # Speech to text -------------------------------------------------------------------

    async def _start_listening(self, audio: AudioStart) -> None:
        if self._listening is not None:
            raise InvalidArgument("audio-start came again before audio-stop", field="type")
        if audio.width != 2 or not 1 <= audio.channels <= 8:
            raise InvalidArgument(
                f"audio must be 16-bit PCM (width 2) in 1-8 channels, not width "
                f"{audio.width} and {audio.channels} channels",
                field="audio",
            )
        asked = self._transcribe
        options = RecognitionOptions(model=asked.name or None, language=asked.language or None)
        raw = RawAudioFormat(AudioEncoding.LINEAR16, audio.rate, audio.channels)
        exits = contextlib.AsyncExitStack()
        stream = await exits.enter_async_context(
            self._services.streaming.open(options, LiveOptions(), raw, WYOMING)
        )
        listening = self._listening = _Listening(stream, audio, exits)
        listening.reader = asyncio.create_task(self._read_finals(listening))

    def _hear(self, chunk: AudioChunk) -> None:
        listening = self._listening
        if listening is None:
            raise InvalidArgument("audio-chunk came before audio-start", field="type")
        audio = listening.audio
        if (chunk.rate, chunk.width, chunk.channels) != (audio.rate, audio.width, audio.channels):
            raise InvalidArgument("audio-chunk changed the format audio-start gave", field="audio")
        listening.stream.write(chunk.audio)

    async def _read_finals(self, listening: _Listening) -> None:
        """Each final as a transcript-chunk as soon as it is decoded."""
        async for event in listening.stream.events():
            if not isinstance(event, LiveResult) or not event.is_final:
                continue
            text = " ".join(p.segment.text for p in event.parts).strip()
            if not text:
                continue
            if not listening.finals:
                listening.language = event.parts[0].segment.language
                await self._send(TranscriptStart(language=listening.language).event())
            await self._send(TranscriptChunk(text if not listening.finals else " " + text).event())
            listening.finals.append(text)

    async def _finish_listening(self) -> None:
        listening = self._listening
        if listening is None:
            raise InvalidArgument("audio-stop came before audio-start", field="type")
        await listening.stream.close()
        assert listening.reader is not None
        try:
            await listening.reader
        finally:
            self._listening = None
            await listening.exits.aclose()
        if not listening.finals:
            await self._send(TranscriptStart(language=self._transcribe.language).event())
        text = " ".join(listening.finals)
        language = listening.language or self._transcribe.language
        await self._send(TranscriptStop().event())
        await self._send(Transcript(text=text, language=language).event())
        self._transcribe = Transcribe()

    async def _stop_listening(self) -> None:
        listening, self._listening = self._listening, None
        if listening is not None:
            if listening.reader is not None:
                listening.reader.cancel()
            await listening.exits.aclose()

    # Text to speech -------------------------------------------------------------------

    async def _synthesize(self, request: Synthesize) -> None:
        parts: list[SpeechPart] | None = None
        if request.text_format == SynthesizeTextFormat.SSML:
            parts = parse_ssml(request.text, "text")
        options = self._options(request.voice.name if request.voice else None, request)
        options = self._services.synthesis.validate(request.text, options, parts)
        self._started, self._chunks = time.perf_counter(), []
        await self._speak(request.text, options, parts, first=True)
        await self._send(AudioStop().event())
        await self._store(request.text, options)

    def _begin_streamed(self, start: SynthesizeStart) -> None:
        if self._speaking is not None:
            raise InvalidArgument("synthesize-start came again before synthesize-stop")
        self._speaking, self._pending, self._spoken = start, "", []
        self._started, self._chunks = time.perf_counter(), []

    async def _streamed_text(self, text: str) -> None:
        if self._speaking is None:
            raise InvalidArgument("synthesize-chunk came before synthesize-start", field="type")
        self._pending += text
        ready, self._pending = complete_sentences(self._pending)
        await self._say(ready)

    async def _end_streamed(self) -> None:
        if self._speaking is None:
            raise InvalidArgument("synthesize-stop came before synthesize-start", field="type")
        await self._say(self._pending)
        text, start = "".join(self._spoken).strip(), self._speaking
        self._speaking = None
        if self._chunks:
            await self._send(AudioStop().event())
            await self._store(text, self._options(start.voice.name if start.voice else None, start))
        await self._send(SynthesizeStopped().event())

    async def _say(self, text: str) -> None:
        assert self._speaking is not None
        if not text.strip():
            return
        start = self._speaking
        options = self._options(start.voice.name if start.voice else None, start)
        options = self._services.synthesis.validate(text, options)
        await self._speak(text, options, None, first=not self._chunks)
        self._spoken.append(text)

    async def _speak(
        self,
        text: str,
        options: SynthesisOptions,
        parts: list[SpeechPart] | None,
        *,
        first: bool,
    ) -> None:
        sentences: Iterator[SynthesizedChunk] = self._services.synthesis.stream(
            text, options, parts
        )
        while (chunk := await anyio.to_thread.run_sync(next, sentences, None)) is not None:
            if not len(chunk.samples):
                continue
            if first:
                await self._send(AudioStart(rate=chunk.sample_rate, width=2, channels=1).event())
                first = False
            self._chunks.append(chunk)
            pcm = (np.clip(chunk.samples, -1.0, 1.0) * 32767).astype("<i2")
            for at in range(0, len(pcm), CHUNK_SAMPLES):
                piece = pcm[at : at + CHUNK_SAMPLES].tobytes()
                event = AudioChunk(rate=chunk.sample_rate, width=2, channels=1, audio=piece)
                await self._send(event.event())

    def _options(self, name: str | None, request: Synthesize | SynthesizeStart) -> SynthesisOptions:
        """The voice named, else the first voice of the language asked for, else the
        default voice."""
        voice = request.voice
        language = voice.language if voice else None
        if name is None and language:
            primary = language.lower().replace("_", "-").split("-")[0]
            voices = self._services.synthesis.voices()
            found = [v for v in voices if v.language.lower().split("-")[0] == primary]
            if not found:
                raise UnknownVoice(f"no voice speaks {language}", field="voice")
            name = found[0].name
        return SynthesisOptions(voice=name, format=AudioFormat.WAV)

    async def _store(self, text: str, options: SynthesisOptions) -> None:
        elapsed = time.perf_counter() - self._started
        chunks, self._chunks = self._chunks, []
        await anyio.to_thread.run_sync(
            lambda: self._services.synthesis.store(text, options, chunks, elapsed, caller=WYOMING)
        )

    async def _send(self, event: Event) -> None:
        await write_event(self._writer, event)

    async def _error(self, error: ParleyError) -> None:
        code = "protocol_error" if isinstance(error, ProtocolError) else error.code.value
        await self._send(Error(text=error.message, code=code).event())
