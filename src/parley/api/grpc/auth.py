"""The caller of a gRPC call, from its metadata: x-goog-api-key (Google's clients) or
authorization: Bearer."""

from __future__ import annotations

import dataclasses
from typing import Any

import grpc

from parley.domain.access import KEEP_AUDIO_HEADER, Caller, keeps_audio
from parley.services.access import AccessService, bearer_or_plain


async def grpc_caller(access: AccessService, context: grpc.aio.ServicerContext[Any, Any]) -> Caller:
    metadata = {k.lower(): v for k, v in context.invocation_metadata() or ()}
    key = metadata.get("x-goog-api-key") or bearer_or_plain(_text(metadata.get("authorization")))
    caller = await access.authenticate(_text(key))
    keep = keeps_audio(_text(metadata.get(KEEP_AUDIO_HEADER)))
    return dataclasses.replace(caller, keep_audio=keep, protocol="google-grpc")


def _text(value: str | bytes | None) -> str | None:
    return value.decode(errors="replace") if isinstance(value, bytes) else value
