"""OpenAI's Realtime API for transcription (`/v1/realtime?intent=transcription`): client
events in, server events out, on the live-streaming machinery. With `server_vad`, Parley's
endpointer cuts utterances and each final is an item; with `turn_detection: null`, the
client commits its buffer and the whole is transcribed as one item."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import dataclasses
import json
import math
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from parley.api.openai.realtime_session import (
    new_session,
    options_of,
    raw_format,
    updated_input,
)
from parley.domain.access import Caller
from parley.domain.audio import RawAudioFormat
from parley.domain.streaming import LiveOptions, LiveResult, SpeechEvent, SpeechEventKind
from parley.domain.transcript import RecognitionOptions
from parley.errors import InvalidArgument, ParleyError, TooLarge
from parley.services.container import Services
from parley.services.streaming import LiveStream
from parley.services.transcription import AudioInput

Send = Callable[[dict[str, Any]], Awaitable[None]]
MAX_BUFFER_BYTES = 64 * 1024 * 1024  # a committed buffer: about 20 minutes of 24 kHz PCM


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


class RealtimeTranscription:
    def __init__(self, services: Services, caller: Caller, send: Send) -> None:
        self._services = services
        self._caller = caller
        self._send_event = send
        self.session = new_session(_id("sess"))
        self._stream: LiveStream | None = None
        self._exits = contextlib.AsyncExitStack()
        self._reader: asyncio.Task[None] | None = None
        self._buffer = bytearray()
        self._item: str | None = None
        self._previous: str | None = None

    @property
    def _input(self) -> dict[str, Any]:
        value: dict[str, Any] = self.session["audio"]["input"]
        return value

    async def start(self) -> None:
        await self._send({"type": "session.created", "session": self.session})

    async def handle(self, text: str | None) -> None:
        """One client event (None: a message that is not one); a bad one is answered
        with an `error` event."""
        event: dict[str, Any] = {}
        try:
            if text is None:
                raise InvalidArgument(
                    "client events are JSON text messages of at most 4 MB", field="event"
                )
            event = _parse(text)
            kind = event["type"]
            if kind == "session.update":
                await self._update(event.get("session"))
            elif kind == "input_audio_buffer.append":
                await self._append(event.get("audio"))
            elif kind == "input_audio_buffer.commit":
                await self._commit()
            elif kind == "input_audio_buffer.clear":
                await self._clear()
            else:
                raise InvalidArgument(
                    f"Parley's transcription sessions do not take {kind!r} events", field="type"
                )
        except ParleyError as error:
            await self._error(error, event.get("event_id"))

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        await self._exits.aclose()

    # Session ----------------------------------------------------------------------------

    async def _update(self, session: Any) -> None:
        wanted = updated_input(self._input, session)
        if self._stream is not None and wanted != self._input:
            raise InvalidArgument(
                "the session cannot change while audio is being transcribed; commit or "
                "clear the buffer first",
                field="session",
            )
        # The model and language must be usable before any audio is taken.
        self._services.transcription.validate(options_of(wanted))
        self.session = {**self.session, "audio": {"input": wanted}}
        self.session["include"] = session.get("include", self.session["include"])
        await self._send({"type": "session.updated", "session": self.session})

    def _options(self) -> RecognitionOptions:
        return self._services.transcription.validate(options_of(self._input))[1]

    def _raw(self) -> RawAudioFormat:
        return raw_format(self._input)

    # Audio ------------------------------------------------------------------------------

    async def _append(self, audio: Any) -> None:
        try:
            data = base64.b64decode(audio, validate=True) if isinstance(audio, str) else None
        except binascii.Error:
            data = None
        if not data:
            raise InvalidArgument("audio must be base64-encoded audio bytes", field="audio")
        if self._input["turn_detection"] is None:
            if len(self._buffer) + len(data) > MAX_BUFFER_BYTES:
                raise TooLarge(
                    "the input audio buffer is full; commit it",
                    field="audio",
                    limit=MAX_BUFFER_BYTES,
                    actual=len(self._buffer) + len(data),
                )
            self._buffer += data
            return
        if self._reader is not None and self._reader.done():
            await self._discard()  # it ended on its own; this audio starts another
        if self._stream is None:
            await self._open()
        assert self._stream is not None
        self._stream.write(data)

    async def _open(self) -> None:
        silence = self._input["turn_detection"]["silence_duration_ms"] / 1000
        tuning = self._services.streaming.tuning
        tuning = dataclasses.replace(tuning, end=silence, quick_end=min(tuning.quick_end, silence))
        self._stream = await self._exits.enter_async_context(
            self._services.streaming.open(
                self._options(),
                LiveOptions(voice_events=True),
                self._raw(),
                self._caller,
                tuning=tuning,
            )
        )
        self._reader = asyncio.create_task(self._read(self._stream))

    async def _read(self, stream: LiveStream) -> None:
        try:
            await self._results(stream)
        except ParleyError as error:  # the stream ended on its own (audio stopped coming)
            await self._error(error, None)

    async def _results(self, stream: LiveStream) -> None:
        async for event in stream.events():
            if isinstance(event, SpeechEvent) and event.kind is SpeechEventKind.SPEECH_BEGIN:
                await self._started(event.offset)
            elif isinstance(event, LiveResult) and event.is_final:
                text = " ".join(p.segment.text for p in event.parts).strip()
                if not text:
                    continue
                await self._started(event.parts[0].segment.start)
                item = self._item
                assert item is not None
                await self._send(
                    {
                        "type": "input_audio_buffer.speech_stopped",
                        "audio_end_ms": round(1000 * event.end),
                        "item_id": item,
                    }
                )
                await self._completed(item, text, event.end - event.parts[0].segment.start)

    async def _started(self, offset: float) -> None:
        if self._item is None:
            self._item = _id("item")
            await self._send(
                {
                    "type": "input_audio_buffer.speech_started",
                    "audio_start_ms": max(0, round(1000 * offset)),
                    "item_id": self._item,
                }
            )

    async def _completed(self, item: str, text: str, seconds: float) -> None:
        await self._send(
            {
                "type": "input_audio_buffer.committed",
                "item_id": item,
                "previous_item_id": self._previous,
            }
        )
        base = {"item_id": item, "content_index": 0}
        await self._send(
            {"type": "conversation.item.input_audio_transcription.delta", **base, "delta": text}
        )
        await self._send(
            {
                "type": "conversation.item.input_audio_transcription.completed",
                **base,
                "transcript": text,
                "usage": {"type": "duration", "seconds": math.ceil(seconds)},
            }
        )
        self._previous, self._item = item, None

    async def _commit(self) -> None:
        if self._input["turn_detection"] is not None:
            await self._end_stream()
            return
        if not self._buffer:
            raise InvalidArgument("the input audio buffer is empty", field="audio")
        data, self._buffer = bytes(self._buffer), bytearray()
        item = _id("item")
        raw = self._raw()
        options = self._options()
        try:
            record = await anyio.to_thread.run_sync(
                lambda: self._services.transcription.transcribe(
                    AudioInput(data, raw=raw),
                    options,
                    caller=self._caller,
                )
            )
        except ParleyError as error:
            await self._send(
                {
                    "type": "conversation.item.input_audio_transcription.failed",
                    "item_id": item,
                    "content_index": 0,
                    "error": {"type": "invalid_request_error", "message": error.message},
                }
            )
            return
        assert record.transcript is not None
        await self._completed(item, record.transcript.text, record.transcript.duration)

    async def _end_stream(self) -> None:
        """The utterance in progress ends now; its final comes before this returns."""
        stream, reader = self._stream, self._reader
        if stream is None or reader is None:
            raise InvalidArgument("the input audio buffer is empty", field="audio")
        await stream.close()
        await reader
        self._stream = self._reader = None
        await self._exits.aclose()
        self._exits = contextlib.AsyncExitStack()

    async def _clear(self) -> None:
        self._buffer = bytearray()
        await self._discard()
        await self._send({"type": "input_audio_buffer.cleared"})

    async def _discard(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        await self._exits.aclose()
        self._exits = contextlib.AsyncExitStack()
        self._stream = self._reader = self._item = None

    async def _error(self, error: ParleyError, event_id: Any) -> None:
        code = "invalid_value" if isinstance(error, InvalidArgument) else error.code.value
        body = {
            "type": "invalid_request_error",
            "code": code,
            "message": error.message,
            "param": error.field,
            "event_id": event_id if isinstance(event_id, str) else None,
        }
        await self._send({"type": "error", "error": body})

    async def _send(self, event: dict[str, Any]) -> None:
        await self._send_event({"event_id": _id("event"), **event})


def _parse(text: str) -> dict[str, Any]:
    try:
        event = json.loads(text)
    except ValueError as error:
        raise InvalidArgument(f"a client event must be JSON: {error}", field="event") from error
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise InvalidArgument("a client event is a JSON object with a `type`", field="type")
    return event
