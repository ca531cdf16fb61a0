"""/docs works without the internet and describes every route."""

from __future__ import annotations

import re

import httpx

from tests.contract.conftest import Server


def test_docs_load_their_scripts_from_the_server(server: Server) -> None:
    page = httpx.get(f"{server.http}/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    assert all(a.startswith("/docs-assets/") for a in assets), assets
    for asset in assets:
        reply = httpx.get(f"{server.http}{asset}")
        assert reply.status_code == 200, asset
        assert len(reply.content) > 1000


def test_every_route_is_described_with_its_request_body(server: Server) -> None:
    schema = httpx.get(f"{server.http}/openapi.json").json()
    paths = schema["paths"]
    for route in ("/v1/speech:recognize", "/v1/speech:longrunningrecognize"):
        body = paths[route]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body["required"] == ["config", "audio"]
    websocket = paths["/v1/speech:streamingrecognize"]["get"]
    assert "streamingConfig" in websocket["description"]
    assert "429" in websocket["responses"]
    for route in ("/v1/operations", "/v1/transcriptions", "/healthz"):
        assert route in paths
