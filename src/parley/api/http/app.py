"""The HTTP application: Google Speech and Text-to-Speech REST, operations, OpenAI's audio
API, history, health."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST

from parley import __version__
from parley.api.google.speech import GoogleSpeech
from parley.api.google.tts import GoogleTextToSpeech
from parley.api.http import errors, google_speech, google_tts, history, openai_audio, web
from parley.api.http.auth import current_caller
from parley.api.http.guards import HostGuard
from parley.api.http.observe import Observe
from parley.api.http.schemas import DOCS_ASSETS, swagger_assets, with_websocket
from parley.api.metrics import Metrics
from parley.api.openai.audio import OpenAIAudio
from parley.api.ws import realtime, streaming
from parley.config import Settings
from parley.services.access import AccessService
from parley.store import Store


@dataclass
class Readiness:
    """`ready` once the models are loaded in every worker; `problems` lists what makes a
    ready server unhealthy now (an orchestrator should restart it, or wait)."""

    ready: bool = False
    problems: Callable[[], list[str]] = lambda: []


def create_app(
    speech: GoogleSpeech,
    synthesis: GoogleTextToSpeech,
    openai: OpenAIAudio,
    *,
    store: Store,
    readiness: Readiness,
    settings: Settings,
    access: AccessService,
    metrics: Metrics,
) -> FastAPI:
    # /docs and /metrics need a key when keys are required, unless the setting opens them.
    guarded = access.required and not settings.public_docs_and_metrics
    guard = [Depends(current_caller)] if guarded else []
    app = FastAPI(
        title="Parley",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.access = access
    app.state.allowed_origins = settings.allowed_origins
    # Added last runs first: the host is checked, then CORS, then the request observed.
    app.add_middleware(Observe, metrics=metrics)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["authorization", "x-goog-api-key", "content-type", "x-request-id"],
        expose_headers=["x-request-id"],
    )
    app.add_middleware(HostGuard, allowed=settings.served_hosts)
    errors.install(app)

    @app.get("/openapi.json", include_in_schema=False, dependencies=guard)
    async def openapi() -> JSONResponse:
        return JSONResponse(with_websocket(app.openapi()))

    # Swagger UI's scripts come from a package, so /docs works offline.
    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_assets()), name="docs-assets")

    @app.get("/docs", include_in_schema=False, dependencies=guard)
    async def docs(request: Request) -> HTMLResponse:
        key = request.query_params.get("key")
        url = "/openapi.json" + (f"?key={quote(key)}" if key else "")
        return get_swagger_ui_html(
            openapi_url=url,
            title="Parley API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )

    @app.get("/metrics", include_in_schema=False, dependencies=guard)
    async def prometheus() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    app.include_router(google_speech.router(speech, settings.body_timeout_seconds))
    app.include_router(google_tts.router(synthesis, settings.body_timeout_seconds))
    app.include_router(openai_audio.router(openai, settings.body_timeout_seconds))
    app.include_router(history.router(store))
    app.include_router(streaming.router(speech))
    app.include_router(realtime.router(openai.services))
    web.install(app)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        problems = readiness.problems() if readiness.ready else []
        status = "unhealthy" if problems else "ready" if readiness.ready else "loading"
        body = {
            "status": status,
            "problems": problems,
            "recognitions_in_flight": speech.in_flight,
            "live_streams": speech.open_streams,
            "live_stream_capacity": speech.stream_capacity,
        }
        return JSONResponse(body, status_code=200 if status == "ready" else 503)

    return app
