"""The history as REST resources: /v1/transcriptions and /v1/syntheses (list, search,
get, audio, delete)."""

from __future__ import annotations

import mimetypes
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from parley.api.http.auth import CallerDep
from parley.domain.codec import transcript_to_dict
from parley.errors import InvalidArgument, NotFound
from parley.store import Store, SynthesisRecord, TranscriptionRecord


def router(store: Store) -> APIRouter:
    """A caller sees only the records made with its own key (an admin key: all)."""
    routes = APIRouter()

    @routes.get("/v1/transcriptions")
    async def list_transcriptions(
        caller: CallerDep,
        page_size: Annotated[int, Query(alias="pageSize", ge=1, le=1000)] = 50,
        page_token: Annotated[str, Query(alias="pageToken")] = "",
        search: str = "",
    ) -> JSONResponse:
        """Newest first; `search` keeps those whose text contains it (any case)."""
        offset = _offset(page_token)
        records, total = await anyio.to_thread.run_sync(
            lambda: store.list_transcriptions(
                limit=page_size, offset=offset, search=search, scope=caller.scope
            )
        )
        return _page("transcriptions", [_summary(r) for r in records], offset, total)

    @routes.get("/v1/transcriptions/{record_id}")
    async def get_transcription(record_id: str, caller: CallerDep) -> JSONResponse:
        record = await anyio.to_thread.run_sync(store.get_transcription, record_id, caller.scope)
        return JSONResponse(
            {
                **_summary(record),
                "transcript": transcript_to_dict(record.transcript) if record.transcript else None,
            }
        )

    @routes.get("/v1/transcriptions/{record_id}/audio")
    async def get_audio(record_id: str, caller: CallerDep) -> Response:
        record = await anyio.to_thread.run_sync(store.get_transcription, record_id, caller.scope)
        return await _audio(store, record.audio_key, f"transcription {record_id!r}")

    @routes.delete("/v1/transcriptions/{record_id}")
    async def delete_transcription(record_id: str, caller: CallerDep) -> JSONResponse:
        await anyio.to_thread.run_sync(store.delete_transcription, record_id, caller.scope)
        return JSONResponse({})

    _syntheses(routes, store)
    return routes


def _syntheses(routes: APIRouter, store: Store) -> None:
    @routes.get("/v1/syntheses")
    async def list_syntheses(
        caller: CallerDep,
        page_size: Annotated[int, Query(alias="pageSize", ge=1, le=1000)] = 50,
        page_token: Annotated[str, Query(alias="pageToken")] = "",
        search: str = "",
    ) -> JSONResponse:
        """Newest first; `search` keeps those whose text contains it (any case)."""
        offset = _offset(page_token)
        records, total = await anyio.to_thread.run_sync(
            lambda: store.list_syntheses(
                limit=page_size, offset=offset, search=search, scope=caller.scope
            )
        )
        return _page("syntheses", [_synthesis(r) for r in records], offset, total)

    @routes.get("/v1/syntheses/{record_id}")
    async def get_synthesis(record_id: str, caller: CallerDep) -> JSONResponse:
        record = await anyio.to_thread.run_sync(store.get_synthesis, record_id, caller.scope)
        return JSONResponse(_synthesis(record))

    @routes.get("/v1/syntheses/{record_id}/audio")
    async def get_synthesis_audio(record_id: str, caller: CallerDep) -> Response:
        record = await anyio.to_thread.run_sync(store.get_synthesis, record_id, caller.scope)
        return await _audio(store, record.audio_key, f"synthesis {record_id!r}")

    @routes.delete("/v1/syntheses/{record_id}")
    async def delete_synthesis(record_id: str, caller: CallerDep) -> JSONResponse:
        await anyio.to_thread.run_sync(store.delete_synthesis, record_id, caller.scope)
        return JSONResponse({})


def _page(name: str, items: list[dict[str, Any]], offset: int, total: int) -> JSONResponse:
    """One page of a listing, newest first, with the token of the next if there is one."""
    body: dict[str, Any] = {name: items, "totalSize": total}
    if offset + len(items) < total:
        body["nextPageToken"] = str(offset + len(items))
    return JSONResponse(body)


async def _audio(store: Store, key: str | None, what: str) -> Response:
    if not key:
        raise NotFound(f"{what} was kept without its audio")
    data = await anyio.to_thread.run_sync(store.audio.read, key)
    media = mimetypes.guess_type(key)[0] or "application/octet-stream"
    return Response(data, media_type=media)


def _synthesis(record: SynthesisRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "createTime": record.created_at.isoformat(),
        "voice": record.voice,
        "audioFormat": record.audio_format,
        "duration": record.duration,
        "options": _camel(record.options),
        "inferenceSeconds": record.inference_seconds,
        "protocol": record.protocol,
        "text": record.text,
    }


def _summary(record: TranscriptionRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "createTime": record.created_at.isoformat(),
        "status": record.status,
        "sourceName": record.source_name,
        "audioFormat": record.audio_format,
        "duration": record.duration,
        "model": record.model,
        "language": record.language,
        "options": _camel(record.options),
        "inferenceSeconds": record.inference_seconds,
        "protocol": record.protocol,
        "text": record.text,
    }


def _camel(value: Any) -> Any:
    """Keys in the JSON mapping's lowerCamelCase, as everywhere else in the API."""
    if isinstance(value, dict):
        return {_camel_key(k): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _camel_key(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _offset(token: str) -> int:
    if token and not token.isdigit():
        raise InvalidArgument("invalid page token", field="pageToken")
    return int(token or 0)
