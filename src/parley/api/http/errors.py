"""Every error as Google's JSON error body: {"error": {code, message, status, details}};
on OpenAI's routes, as OpenAI's: {"error": {message, type, param, code}}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from google.rpc import code_pb2

from parley.api.google.errors import HTTP_STATUS, internal_status, to_status
from parley.api.openai.errors import error_body, internal_body
from parley.errors import (
    InvalidArgument,
    ParleyError,
    RequestTimeout,
    UnsupportedMediaType,
)

logger = logging.getLogger(__name__)
OPENAI_PATHS = ("/v1/audio/", "/v1/models", "/v1/realtime")


# Errors of the HTTP exchange itself, which have statuses of their own. A body over the
# limit stays 400 INVALID_ARGUMENT, as Google answers it (its client raises BadRequest).
_HTTP_OVERRIDES: dict[type[ParleyError], int] = {
    UnsupportedMediaType: 415,
    RequestTimeout: 408,
}


def parley_error_response(error: ParleyError) -> JSONResponse:
    status = next((s for t, s in _HTTP_OVERRIDES.items() if isinstance(error, t)), None)
    return error_response(to_status(error), status)


def error_response(status: Any, http_status: int | None = None) -> JSONResponse:
    body = {
        "code": http_status or HTTP_STATUS.get(status.code, 500),
        "message": status.message,
        "status": code_pb2.Code.Name(status.code),
    }
    if status.details:
        body["details"] = [json_format.MessageToDict(d) for d in status.details]
    return JSONResponse({"error": body}, status_code=body["code"])


def install(app: FastAPI) -> None:
    @app.exception_handler(ParleyError)
    async def parley_error(request: Request, error: ParleyError) -> JSONResponse:
        if _openai(request):
            status, body = error_body(error)
            return JSONResponse(body, status_code=status)
        return parley_error_response(error)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "body"))
        message = f"{where}: {first.get('msg', 'invalid request')}" if where else "invalid request"
        return await parley_error(request, InvalidArgument(message, field=where or None))

    @app.exception_handler(Exception)
    async def internal(request: Request, error: Exception) -> JSONResponse:
        logger.error("request failed", exc_info=error)
        if _openai(request):
            return JSONResponse(internal_body(), status_code=500)
        return error_response(internal_status("internal error"))


def _openai(request: Request) -> bool:
    return request.url.path.startswith(OPENAI_PATHS)
