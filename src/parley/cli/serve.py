"""`parley serve`"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import anyio
import typer

from parley.cli.errors import report
from parley.config import Settings
from parley.errors import ParleyError
from parley.server import serve as run_server


def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="Address to listen on.", envvar="PARLEY_HOST")
    ] = None,
    http_port: Annotated[
        int | None, typer.Option(help="HTTP port (0: any free one).", envvar="PARLEY_HTTP_PORT")
    ] = None,
    grpc_port: Annotated[
        int | None, typer.Option(help="gRPC port (0: any free one).", envvar="PARLEY_GRPC_PORT")
    ] = None,
    wyoming_port: Annotated[
        int | None,
        typer.Option(
            help="Also serve the Wyoming protocol (Home Assistant) on this TCP port.",
            envvar="PARLEY_WYOMING_PORT",
        ),
    ] = None,
    audio_dir: Annotated[
        list[Path] | None,
        typer.Option(help="Allow file:// audio URIs under this folder (repeatable)."),
    ] = None,
    audio_host: Annotated[
        list[str] | None,
        typer.Option(
            help="Allow http(s):// audio URIs from this host (repeatable; *.example.com)."
        ),
    ] = None,
    tls_cert: Annotated[
        Path | None, typer.Option(help="PEM certificate: serve HTTPS and gRPC over TLS.")
    ] = None,
    tls_key: Annotated[Path | None, typer.Option(help="PEM private key of --tls-cert.")] = None,
    require_keys: Annotated[
        bool | None,
        typer.Option(
            "--require-keys", help="Take only requests with an API key (always off loopback)."
        ),
    ] = None,
    insecure_no_keys: Annotated[
        bool | None,
        typer.Option(
            "--insecure-no-keys", help="Serve a non-loopback address to anyone, without keys."
        ),
    ] = None,
) -> None:
    """Serve speech to text and text to speech: Google's APIs over gRPC and REST, OpenAI's
    audio API, and (with --wyoming-port) the Wyoming protocol."""
    settings: Settings = ctx.obj
    overrides = {
        "host": host,
        "http_port": http_port,
        "grpc_port": grpc_port,
        "wyoming_port": wyoming_port,
        "audio_dirs": audio_dir or None,
        "audio_hosts": audio_host or None,
        "tls_cert": tls_cert,
        "tls_key": tls_key,
        "require_keys": require_keys,
        "insecure_no_keys": insecure_no_keys,
    }
    settings = settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    try:
        anyio.run(run_server, settings)
    except ParleyError as error:
        raise typer.Exit(report(error)) from None
