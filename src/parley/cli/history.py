"""`parley history list|show|delete`"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from parley.cli.context import services
from parley.cli.errors import fail
from parley.domain.codec import transcript_to_dict
from parley.errors import NotFound
from parley.store import SynthesisRecord, TranscriptionRecord

app = typer.Typer(help="Past transcriptions and syntheses.", no_args_is_help=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    search: Annotated[
        str | None, typer.Option(help="Only transcripts containing this text.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    syntheses: Annotated[bool, typer.Option("--syntheses", help="List syntheses instead.")] = False,
) -> None:
    """Newest first."""
    with services(ctx) as built:
        if syntheses:
            said, total = built.store.list_syntheses(limit=limit, offset=offset)
            for s in said:
                when = f"{s.created_at:%Y-%m-%d %H:%M:%S}"
                print(f"{s.id}  {when}  {s.duration:7.2f}s  {_short(s.text)}")
        else:
            heard, total = built.store.list_transcriptions(
                limit=limit, offset=offset, search=search
            )
            for t in heard:
                name = t.source_name or "-"
                print(f"{t.id}  {t.created_at:%Y-%m-%d %H:%M:%S}  {name[:24]:24}  {_short(t.text)}")
    print(f"({total} in all)")


@app.command("show")
def show(ctx: typer.Context, record_id: str) -> None:
    """One record as JSON (transcript with words, or synthesis details)."""
    with services(ctx) as built:
        try:
            record: TranscriptionRecord | SynthesisRecord = built.store.get_transcription(record_id)
        except NotFound:
            try:
                record = built.store.get_synthesis(record_id)
            except NotFound:
                fail(NotFound(f"no transcription or synthesis has id {record_id!r}"))
        print(json.dumps(_as_dict(record), ensure_ascii=False, indent=2))


@app.command("delete")
def delete(ctx: typer.Context, record_ids: list[str]) -> None:
    """Delete records and their audio."""
    with services(ctx) as built:
        for record_id in record_ids:
            try:
                built.store.delete_transcription(record_id)
            except NotFound:
                try:
                    built.store.delete_synthesis(record_id)
                except NotFound:
                    fail(NotFound(f"no transcription or synthesis has id {record_id!r}"))
            print(f"deleted {record_id}")


def _short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _as_dict(record: TranscriptionRecord | SynthesisRecord) -> dict[str, object]:
    if isinstance(record, SynthesisRecord):
        return {
            "kind": "synthesis",
            **{
                k: getattr(record, k)
                for k in (
                    "id",
                    "text",
                    "voice",
                    "options",
                    "audio_key",
                    "audio_format",
                    "duration",
                    "inference_seconds",
                )
            },
            "created_at": record.created_at.isoformat(),
        }
    return {
        "kind": "transcription",
        "id": record.id,
        "created_at": record.created_at.isoformat(),
        "status": record.status,
        "source_name": record.source_name,
        "audio_key": record.audio_key,
        "audio_format": record.audio_format,
        "options": record.options,
        "transcript": transcript_to_dict(record.transcript) if record.transcript else None,
    }
