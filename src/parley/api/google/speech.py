"""Google's Speech methods on top of the services, shared by gRPC and REST."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
from google.longrunning import operations_pb2

from parley.api.google.operations import to_operation
from parley.api.google.recognition import MAX_RATE, Recognition, parse_config
from parley.api.google.results import recognize_response
from parley.api.google.streaming import parse_streaming_config, streaming_response
from parley.domain.access import Caller
from parley.errors import InvalidArgument, ParleyError, TooLarge
from parley.services.container import Services
from parley.services.operations import OperationView
from parley.services.streaming import LiveStream
from parley.services.transcription import AudioInput

MAX_CONTENT_BYTES = 10 * 1024 * 1024
SYNC_SECONDS = 60.0
DEFAULT_WAIT_SECONDS = 60.0
MAX_WAIT_SECONDS = 300.0
WAIT_POLL_SECONDS = 1.0
MAX_TOKEN_DIGITS = 9  # page tokens are offsets; larger ones overflow the database's integers
_DONE_FILTER = re.compile(r"^\s*done\s*=\s*(true|false)\s*$", re.IGNORECASE)


class GoogleSpeech:
    """Each method takes the `Caller` its transport authenticated: what it creates is
    theirs, and it finds only what it may see."""

    def __init__(
        self,
        services: Services,
        on_submit: Callable[[str], Awaitable[None]],
        jobs_changed: Callable[[float], Awaitable[None]],
    ) -> None:
        """`on_submit(name)` is awaited after a long-running job is queued;
        `jobs_changed(seconds)` returns when a job may have finished, or after `seconds`."""
        self._services = services
        self._on_submit = on_submit
        self._jobs_changed = jobs_changed
        self.in_flight = 0

    async def recognize(self, request: Any, caller: Caller) -> Any:
        """`request` and the result are raw RecognizeRequest / RecognizeResponse messages."""
        self.in_flight += 1
        try:
            return await self._recognize(request, caller)
        finally:
            self.in_flight -= 1

    async def _recognize(self, request: Any, caller: Caller) -> Any:
        audio_in, recognition = await self._prepare(request)
        try:
            record = await anyio.to_thread.run_sync(
                lambda: self._services.transcription.transcribe(
                    audio_in,
                    recognition.options,
                    max_seconds=SYNC_SECONDS,
                    caller=caller,
                )
            )
        except TooLarge as error:
            raise TooLarge(
                "Sync input too long. For audio longer than 1 min use LongRunningRecognize "
                "with a 'uri' parameter.",
                field="audio",
                limit=error.limit,
                actual=error.actual,
            ) from error
        assert record.transcript is not None
        return recognize_response(record.transcript, recognition.presentation)

    @property
    def open_streams(self) -> int:
        return self._services.streaming.open_streams

    @property
    def stream_capacity(self) -> int:
        return self._services.streaming.limits.capacity

    def streams_full(self) -> bool:
        return self.open_streams >= self.stream_capacity

    async def streaming_recognize(
        self, requests: AsyncIterator[Any], caller: Caller
    ) -> AsyncIterator[Any]:
        """Raw StreamingRecognizeRequest messages in, raw StreamingRecognizeResponse out:
        the first request carries only the config, the later ones only audio."""
        first = await anext(requests, None)
        if first is None or not first.HasField("streaming_config") or first.audio_content:
            raise InvalidArgument(
                "the first request must carry streaming_config and no audio",
                field="streaming_config",
            )
        live = parse_streaming_config(first.streaming_config)
        streaming = self._services.streaming
        stream_opened = streaming.open(live.options, live.live, live.audio, caller)
        async with stream_opened as stream:
            reader = asyncio.create_task(_read_audio(requests, stream))
            try:
                async for event in stream.events():
                    yield streaming_response(event, live.presentation)
            finally:
                reader.cancel()

    async def long_running_recognize(self, request: Any, caller: Caller) -> Any:
        """Accepted at once as a stored operation; the job runner does the work."""
        audio_in, recognition = await self._prepare(request)
        view = await anyio.to_thread.run_sync(
            self._services.operations.submit,
            audio_in,
            recognition.options,
            dataclasses.asdict(recognition.presentation),
            caller,
        )
        await self._on_submit(view.operation.name)
        return to_operation(view)

    async def get_operation(self, name: str, caller: Caller) -> Any:
        return to_operation(await self._view(name, caller))

    async def _view(self, name: str, caller: Caller) -> OperationView:
        return await anyio.to_thread.run_sync(self._services.operations.get, name, caller.scope)

    async def list_operations(
        self, filter_: str, page_size: int, page_token: str, caller: Caller
    ) -> Any:
        offset = _offset(page_token)
        views = await anyio.to_thread.run_sync(
            lambda: self._services.operations.list(
                done=_done_filter(filter_), page_size=page_size, offset=offset, scope=caller.scope
            )
        )
        response = operations_pb2.ListOperationsResponse(
            operations=[to_operation(v) for v in views]
        )
        if page_size and len(views) == page_size:
            response.next_page_token = str(offset + len(views))
        return response

    async def cancel_operation(self, name: str, caller: Caller) -> None:
        await anyio.to_thread.run_sync(self._services.operations.cancel, name, caller.scope)

    async def delete_operation(self, name: str, caller: Caller) -> None:
        await anyio.to_thread.run_sync(self._services.operations.delete, name, caller.scope)

    async def wait_operation(self, name: str, timeout: float, caller: Caller) -> Any:
        """The operation once done, or as it stands after `timeout` (at most
        MAX_WAIT_SECONDS). A waiter holds no thread: it sleeps until a job of this server
        finishes, or for a second (a job another server runs) before it looks again."""
        deadline = anyio.current_time() + min(timeout or DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS)
        view = await self._view(name, caller)
        while not view.operation.done and (left := deadline - anyio.current_time()) > 0:
            await self._jobs_changed(min(left, WAIT_POLL_SECONDS))
            view = await self._view(name, caller)
        return to_operation(view)

    async def _prepare(self, request: Any) -> tuple[AudioInput, Recognition]:
        data, name = await self._audio(request.audio)
        recognition = await anyio.to_thread.run_sync(
            parse_config, request.config, data[:4], request.audio.uri
        )
        spec = recognition.audio
        audio_in = AudioInput(
            data,
            name=name,
            raw=spec.raw,
            expect_rate=spec.expect_rate,
            expect_channels=spec.expect_channels,
            codecs=spec.codecs,
            encoding=spec.encoding_name,
            max_rate=MAX_RATE,
        )
        return audio_in, recognition

    async def _audio(self, audio: Any) -> tuple[bytes, str | None]:
        which = audio.WhichOneof("audio_source")
        if which == "content":
            if len(audio.content) > MAX_CONTENT_BYTES:
                raise TooLarge(
                    f"Request payload size exceeds the limit: {MAX_CONTENT_BYTES} bytes.",
                    field="audio.content",
                    limit=MAX_CONTENT_BYTES,
                    actual=len(audio.content),
                )
            return bytes(audio.content), None
        if which == "uri":
            fetched = await anyio.to_thread.run_sync(self._services.sources.fetch, audio.uri)
            return fetched.data, fetched.name
        raise InvalidArgument("RecognitionAudio not set.", field="audio")


async def _read_audio(requests: AsyncIterator[Any], stream: LiveStream) -> None:
    try:
        async for request in requests:
            if request.HasField("streaming_config"):
                raise InvalidArgument(
                    "streaming_config may only come in the first request",
                    field="streaming_config",
                )
            stream.write(request.audio_content)
        await stream.close()
    except ParleyError as error:
        stream.fail(error)


def _offset(page_token: str) -> int:
    if not page_token:
        return 0
    if not page_token.isdigit() or len(page_token) > MAX_TOKEN_DIGITS:
        raise InvalidArgument("invalid page token", field="page_token")
    return int(page_token)


def _done_filter(text: str) -> bool | None:
    """Operations can be filtered on `done` only (AIP-160 `done=true` / `done=false`)."""
    if not text.strip():
        return None
    match = _DONE_FILTER.match(text)
    if match is None:
        raise InvalidArgument(
            f"unsupported filter {text!r}: use done=true or done=false", field="filter"
        )
    return match.group(1).lower() == "true"
