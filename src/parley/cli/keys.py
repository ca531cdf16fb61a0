"""`parley keys create|list|revoke`: the API keys a server accepts (kept in its database)."""

from __future__ import annotations

from typing import Annotated

import typer

from parley.cli.errors import fail
from parley.config import Settings
from parley.errors import ParleyError
from parley.store import Store

app = typer.Typer(help="API keys for `parley serve`.", no_args_is_help=True)


def _store(ctx: typer.Context) -> Store:
    settings: Settings = ctx.obj
    try:
        return Store(settings.sqlalchemy_url, settings.audio_dir)
    except (ParleyError, OSError) as error:
        fail(error, str(settings.data_dir))


@app.command("create")
def create(
    ctx: typer.Context,
    name: str,
    admin: Annotated[
        bool, typer.Option("--admin", help="The key sees and deletes every record.")
    ] = False,
) -> None:
    """Make a key; it is printed once, as the last line (only its hash is kept)."""
    try:
        key, secret = _store(ctx).keys.create(name, admin=admin)
    except ParleyError as error:
        fail(error)
    kind = "admin key" if key.admin else "key"
    print(f"created {kind} {key.name!r}; keep it, it is not shown again:", flush=True)
    print(secret)


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every key, active or revoked (never the keys themselves)."""
    for key in _store(ctx).keys.list():
        state = "active" if key.active else f"revoked {key.revoked_at:%Y-%m-%d %H:%M}"
        role = "admin" if key.admin else "user"
        print(f"{key.name:24}  {role:5}  created {key.created_at:%Y-%m-%d %H:%M}  {state}")


@app.command("revoke")
def revoke(ctx: typer.Context, name: str) -> None:
    """Stop accepting a key (servers notice within seconds). Its records stay."""
    try:
        _store(ctx).keys.revoke(name)
    except ParleyError as error:
        fail(error)
    print(f"revoked {name}")
