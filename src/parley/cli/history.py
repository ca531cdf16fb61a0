"""`parley history list|show|audio|delete`"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from parley.cli.context import services
from parley.cli.errors import fail, usage
from parley.domain.codec import transcript_to_dict
from parley.errors import NotFound, ParleyError
from parley.store import Store, SynthesisRecord, TranscriptionRecord

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
        said: list[SynthesisRecord] = []
        heard: list[TranscriptionRecord] = []
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
    shown = offset + (len(said) if syntheses else len(heard))
    more = f"; next: --offset {shown}" if shown < total else ""
    print(f"({offset + 1 if shown else 0}-{shown} of {total}{more})", file=sys.stderr)


@app.command("show")
def show(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID", help="An id, or its first 4+ digits.")],
) -> None:
    """One record as JSON (transcript with words, or synthesis details)."""
    with services(ctx) as built:
        record = _record(built.store, record_id)
        print(json.dumps(_as_dict(record), ensure_ascii=False, indent=2))


@app.command("audio")
def audio(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID", help="An id, or its first 4+ digits.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write it ('-': stdout); default: ID.SUFFIX."),
    ] = None,
) -> None:
    """Export a record's audio as it was received (or synthesized)."""
    with services(ctx) as built:
        record = _record(built.store, record_id)
        if not record.audio_key:
            fail(NotFound(f"record {record.id} was kept without its audio"))
        data = built.store.audio.read(record.audio_key)
        if out is not None and str(out) == "-":
            if sys.stdout.isatty():
                usage("audio is not written to a terminal: give -o FILE, or redirect stdout")
            sys.stdout.buffer.write(data)
            return
        target = out or Path(f"{record.id}{Path(record.audio_key).suffix}")
        try:
            target.write_bytes(data)
        except OSError as error:
            fail(error, str(target))
        print(f"{target}: {len(data)} bytes", file=sys.stderr)


@app.command("delete")
def delete(
    ctx: typer.Context,
    record_ids: Annotated[
        list[str], typer.Argument(metavar="ID...", help="Ids, or their first 4+ digits.")
    ],
) -> None:
    """Delete records and their audio."""
    with services(ctx) as built:
        for record_id in record_ids:
            record = _record(built.store, record_id)
            if isinstance(record, SynthesisRecord):
                built.store.delete_synthesis(record.id)
            else:
                built.store.delete_transcription(record.id)
            print(f"deleted {record.id}")


def _record(store: Store, record_id: str) -> TranscriptionRecord | SynthesisRecord:
    try:
        kind, full = store.resolve_id(record_id)
        if kind == "synthesis":
            return store.get_synthesis(full)
        return store.get_transcription(full)
    except ParleyError as error:
        fail(error)


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
