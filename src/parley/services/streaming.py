"""Live recognition streams: admission, audio in, results out, and the stored record.

A stream holds only the utterance in progress in memory. Its audio goes to a spool file
of the store as it arrives and its record is in the database from the start, each final
written before the client gets it: a stream may run for hours at flat memory, and what
was sent survives a crash of the server."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import anyio
import numpy as np
import soundfile

from parley.domain.access import LOCAL, Caller
from parley.domain.audio import FloatArray, RawAudioFormat
from parley.domain.codec import options_to_dict
from parley.domain.streaming import LiveEvent, LiveOptions, LiveResult, StreamLimits
from parley.domain.transcript import RecognitionOptions, Transcript
from parley.engines import worker
from parley.engines.base import DecodeRequest
from parley.engines.pool import LIVE, EnginePool
from parley.engines.registry import ModelSpec
from parley.errors import Overloaded, ParleyError, StreamTimeout, TooLarge
from parley.services.live import ChannelRecognizer, Tuning
from parley.services.postprocess import postprocess
from parley.services.profanity import ProfanityFilter
from parley.services.stream_audio import StreamAudio, stream_decoder
from parley.services.transcription import (
    TranscriptionService,
    decode_request,
    main_language,
)
from parley.store import Store
from parley.store.store import new_id

WATCH_SECONDS = 1.0
LAG_FACTOR = 3


class StreamingService:
    def __init__(
        self,
        pool: EnginePool,
        store: Store,
        transcription: TranscriptionService,
        profanity: ProfanityFilter,
        limits: StreamLimits,
        *,
        tuning: Tuning | None = None,
    ) -> None:
        self.pool = pool
        self.store = store
        self.transcription = transcription
        self._profanity = profanity
        self.limits = limits
        self.tuning = tuning or Tuning()
        self.open_streams = 0

    def open(
        self,
        options: RecognitionOptions,
        live: LiveOptions,
        audio: StreamAudio,
        caller: Caller = LOCAL,
        *,
        tuning: Tuning | None = None,
    ) -> LiveStream:
        """Check the request and take a place; raises `Overloaded` when all are taken.
        `tuning` replaces the service's endpoint timings for this stream."""
        spec, options = self.transcription.validate(options)
        if self.open_streams >= self.limits.capacity:
            raise Overloaded(
                f"all {self.limits.capacity} live streams this server runs at once are in use"
            )
        return LiveStream(
            self,
            spec,
            options,
            live,
            audio,
            caller=caller,
            tuning=tuning or self.tuning,
        )

    # What a LiveStream needs from its service.
    async def decode(
        self, spec: ModelSpec, samples: FloatArray, request: DecodeRequest, urgent: bool
    ) -> Transcript:
        priority = LIVE if urgent else LIVE + 1
        future = self.pool.submit(
            worker.transcribe, spec.name, samples, request, parallel=True, priority=priority
        )
        transcript: Transcript = await asyncio.wrap_future(future)
        return transcript

    def finish(self, transcript: Transcript, options: RecognitionOptions) -> Transcript:
        return postprocess(transcript, options, self._profanity)


class LiveStream:
    """Use as an async context manager: `write` audio, `close` when it ends, and read
    `events()` meanwhile."""

    def __init__(
        self,
        service: StreamingService,
        spec: ModelSpec,
        options: RecognitionOptions,
        live: LiveOptions,
        audio: StreamAudio,
        *,
        caller: Caller = LOCAL,
        tuning: Tuning | None = None,
    ) -> None:
        self._service = service
        self._caller = caller
        self.record_id = new_id()
        self._finals_written = 0
        self._spec = spec
        self._options = options
        self._decoder = stream_decoder(audio, spec.sample_rate)
        self._paced = isinstance(audio, RawAudioFormat)  # decoded as soon as it arrives
        self._events: asyncio.Queue[LiveEvent | None] = asyncio.Queue()
        declared = self._decoder.channels
        channels = declared if options.separate_channels else 1
        self._mix = channels == 1 and declared > 1
        request = decode_request(options, live=True)
        self._channels = [
            ChannelRecognizer(
                channel=i + 1,
                request=request,
                decode=self._decode,
                finish=lambda t: service.finish(t, options),
                emit=self._emit,
                live=live,
                tuning=tuning or service.tuning,
            )
            for i in range(channels)
        ]
        self._audio_path = service.store.audio.spool(".flac")
        self._audio_file = soundfile.SoundFile(
            self._audio_path, "w", spec.sample_rate, declared, "PCM_16", format="FLAC"
        )
        self._seconds = 0.0
        self._compute = 0.0
        self._error: ParleyError | None = None
        self._half_closed = False
        self._last_write = time.monotonic()
        self._tasks: list[asyncio.Task[None]] = []
        self._reservation = contextlib.ExitStack()

    async def __aenter__(self) -> LiveStream:
        store = self._service.store
        await anyio.to_thread.run_sync(
            lambda: store.live.begin(
                self.record_id,
                spool_key=store.audio.key_of(self._audio_path),
                keep_audio=self._caller.keep_audio,
                options=options_to_dict(self._options),
                model=self._spec.name,
                tenant=self._caller.tenant,
                protocol=self._caller.protocol,
            )
        )
        self._service.open_streams += 1
        self._reservation.enter_context(self._service.pool.reserve())
        self._tasks = [asyncio.create_task(c.run()) for c in self._channels]
        for task in self._tasks:
            task.add_done_callback(self._channel_done)
        self._watchdog = asyncio.create_task(self._watch())
        return self

    async def _watch(self) -> None:
        """End a stream whose client stopped sending, or drips: an idle stream would keep
        its place, and a worker from long-running jobs, for ever. Idle: no audio for
        `idle_seconds`. Dripping (headerless audio): the audio falls behind the clock by
        more than LAG_FACTOR times that. A container (WebM, Ogg...) is decoded as FFmpeg
        gets to it, so only its bytes are timed."""
        limits = self._service.limits
        started = time.monotonic()
        while not self._half_closed and self._error is None:
            await asyncio.sleep(WATCH_SECONDS)
            if self._half_closed:
                return
            if (failure := self._decoder.failure()) is not None:
                self.fail(failure)  # the audio cannot be read: say so now, not at the next write
                return
            now = time.monotonic()
            idle = limits.idle_seconds
            behind = now - started - self._seconds if self._paced else 0.0
            if idle is not None and (now - self._last_write > idle or behind > LAG_FACTOR * idle):
                self.fail(
                    StreamTimeout(
                        f"no audio for {idle:.0f} s: send audio close to real time, and end "
                        "the stream when done",
                        field="audio_content",
                    )
                )
            elif limits.max_wall_seconds is not None and now - started > limits.max_wall_seconds:
                self.fail(
                    StreamTimeout(
                        f"the stream is over the limit of {limits.max_wall_seconds:.0f} s",
                        field="audio_content",
                    )
                )

    def _channel_done(self, task: asyncio.Task[None]) -> None:
        failed = not task.cancelled() and task.exception() is not None
        if failed or all(t.done() for t in self._tasks):
            self._events.put_nowait(None)  # the end of `events()`

    async def __aexit__(self, *exc: object) -> None:
        for task in [*self._tasks, self._watchdog]:
            task.cancel()
        await asyncio.gather(*self._tasks, self._watchdog, return_exceptions=True)
        self._reservation.close()
        self._service.open_streams -= 1
        self._decoder.close()
        self._audio_file.close()
        # Finals made but not sent (the client left) still belong in the record.
        while not self._events.empty():
            event = self._events.get_nowait()
            if event is not None:
                await self._write_final(event)
        try:
            await anyio.to_thread.run_sync(self._save)
        finally:
            self._audio_path.unlink(missing_ok=True)

    @property
    def ended(self) -> bool:
        """The stream has said all it will (single utterance over, or a timeout)."""
        return all(c.done for c in self._channels)

    def write(self, data: bytes) -> None:
        limits = self._service.limits
        if len(data) > limits.max_chunk_bytes:
            raise TooLarge(
                f"an audio chunk of {len(data)} bytes is over the limit of "
                f"{limits.max_chunk_bytes}; send smaller chunks",
                field="audio_content",
                limit=limits.max_chunk_bytes,
                actual=len(data),
            )
        self._last_write = time.monotonic()
        if self.ended:
            return
        self._feed(self._decoder.decode(data))
        if limits.max_seconds is not None and self._seconds > limits.max_seconds:
            raise TooLarge(
                f"the stream is over the limit of {limits.max_seconds:.0f} s of audio",
                field="audio_content",
                limit=limits.max_seconds,
                actual=self._seconds,
            )

    async def close(self) -> None:
        """The client sends no more audio; results of what was sent still come. The rest
        is decoded off the event loop (FFmpeg may still hold seconds of a container)."""
        self._half_closed = True
        if not self.ended:
            rest = await anyio.to_thread.run_sync(lambda: self._decoder.decode(b"", last=True))
            self._feed(rest)
        for channel in self._channels:
            channel.close()

    def fail(self, error: ParleyError) -> None:
        """The client sent something wrong: `events()` stops with `error`."""
        self._error = error
        self._events.put_nowait(None)

    async def events(self) -> AsyncIterator[LiveEvent]:
        """Results and speech events until the stream is over. A failed reading raises.
        A final is in the database before it is handed out."""
        while (event := await self._events.get()) is not None:
            await self._write_final(event)
            yield event
        if self._error is not None:
            raise self._error
        for task in self._tasks:
            if task.done() and not task.cancelled() and (error := task.exception()) is not None:
                raise error

    def _feed(self, channels: list[FloatArray]) -> None:
        if not channels or not len(channels[0]):
            return
        frames = min(len(c) for c in channels)
        block = np.stack([c[:frames] for c in channels])
        self._audio_file.write(block.T)
        self._seconds += frames / self._spec.sample_rate
        if self._mix:
            self._channels[0].push(block.mean(axis=0).astype(np.float32))
        else:
            for recognizer, samples in zip(self._channels, block, strict=True):
                recognizer.push(samples)

    async def _decode(
        self, samples: FloatArray, request: DecodeRequest, urgent: bool
    ) -> Transcript:
        transcript = await self._service.decode(self._spec, samples, request, urgent)
        self._compute += transcript.inference_seconds
        return transcript

    def _emit(self, event: LiveEvent) -> None:
        self._events.put_nowait(event)

    async def _write_final(self, event: LiveEvent) -> None:
        if isinstance(event, LiveResult) and event.is_final:
            seq, self._finals_written = self._finals_written, self._finals_written + 1
            segment = event.parts[0].segment
            await anyio.to_thread.run_sync(
                self._service.store.live.add, self.record_id, seq, segment
            )

    def _save(self) -> None:
        store = self._service.store
        if self._seconds == 0:
            store.delete_transcription(self.record_id)  # no audio came: nothing to keep
            return
        segments = store.live.segments(self.record_id)
        segments.sort(key=lambda s: (s.start, s.channel))
        transcript = Transcript(
            segments=tuple(segments),
            language=main_language(segments, self._options.language),
            duration=self._seconds,
            model=self._spec.name,
            inference_seconds=self._compute,
            channels=self._decoder.channels,
        )
        self._service.transcription.recognized("stream", transcript)
        store.live.finish(self.record_id, transcript)
