"""The HTTP application: Google Speech REST, operations, history, health."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from parley import __version__
from parley.api.google.speech import GoogleSpeech
from parley.api.http import errors, google_speech, history
from parley.api.ws import streaming
from parley.config import Settings
from parley.services.access import AccessService
from parley.store import Store


@dataclass
class Readiness:
    """Set once the models are loaded in every worker."""

    ready: bool = False


def create_app(
    speech: GoogleSpeech,
    store: Store,
    readiness: Readiness,
    settings: Settings,
    access: AccessService,
) -> FastAPI:
    app = FastAPI(title="Parley", version=__version__, docs_url="/docs", redoc_url=None)
    app.state.access = access
    errors.install(app)
    app.include_router(google_speech.router(speech, settings.body_timeout_seconds))
    app.include_router(history.router(store))
    app.include_router(streaming.router(speech))

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        body = {
            "status": "ready" if readiness.ready else "loading",
            "recognitions_in_flight": speech.in_flight,
            "live_streams": speech.open_streams,
        }
        return JSONResponse(body, status_code=200 if readiness.ready else 503)

    return app
