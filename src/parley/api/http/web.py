"""The web app: `/` is its page, `/app/` its scripts and styles. The page holds no data
and needs no key; everything it shows comes from the public APIs, with the key the user
gives it."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from parley.web import STATIC

# The page's scripts come from this server only; nothing else is run.
_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self' ws: wss:; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def install(app: FastAPI) -> None:
    routes = APIRouter()

    @routes.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(
            STATIC / "index.html",
            headers={"content-security-policy": _POLICY, "cache-control": "no-cache"},
        )

    app.include_router(routes)
    app.mount("/app", StaticFiles(directory=STATIC), name="app")
