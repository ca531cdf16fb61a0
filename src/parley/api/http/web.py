"""The web app: `/` is its page, `/app/` its scripts and styles. The page holds no data
and needs no key; everything it shows comes from the public APIs, with the key the user
gives it."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from parley.web import STATIC

# The page's scripts come from this server only, and it talks to this server only.
_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self' ws://{host} wss://{host}; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def install(app: FastAPI) -> None:
    routes = APIRouter()

    @routes.get("/", include_in_schema=False)
    async def page(request: Request) -> FileResponse:
        policy = _POLICY.format(host=request.headers.get("host", ""))
        return FileResponse(
            STATIC / "index.html",
            headers={"content-security-policy": policy, "cache-control": "no-cache"},
        )

    app.include_router(routes)
    app.mount("/app", StaticFiles(directory=STATIC), name="app")
