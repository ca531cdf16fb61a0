"""`parley say TEXT -o OUT`"""

from __future__ import annotations

import errno
import sys
from pathlib import Path
from typing import Annotated

import typer

from parley.cli.context import services
from parley.cli.errors import fail, usage
from parley.domain.access import CLI
from parley.domain.speech import AudioFormat, SynthesisOptions
from parley.errors import InvalidArgument, ParleyError
from parley.services.ssml import parse_ssml

_BY_SUFFIX = {
    ".wav": AudioFormat.WAV,
    ".mp3": AudioFormat.MP3,
    ".ogg": AudioFormat.OGG_OPUS,
    ".opus": AudioFormat.OGG_OPUS,
    ".flac": AudioFormat.FLAC,
    ".pcm": AudioFormat.PCM,
    ".raw": AudioFormat.PCM,
    ".ulaw": AudioFormat.MULAW,
    ".alaw": AudioFormat.ALAW,
    ".m4a": AudioFormat.M4A,
}


def say(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="What to say.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the text from a file ('-': stdin).")
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Where to write the audio ('-': stdout).")
    ] = Path("-"),
    voice: Annotated[str | None, typer.Option(help="Voice name (see `parley models`).")] = None,
    rate: Annotated[float, typer.Option(help="Speaking rate, 0.25-4.0.")] = 1.0,
    fmt: Annotated[
        AudioFormat | None,
        typer.Option("--format", help="Default: from the file suffix, else wav."),
    ] = None,
    sample_rate: Annotated[
        int | None, typer.Option(help="Output sample rate (default: the voice's).")
    ] = None,
    ssml: Annotated[
        bool, typer.Option("--ssml", help="The text is SSML (<speak>...</speak>).")
    ] = False,
) -> None:
    """Speak text into an audio file; the result is also kept in the history."""
    to_stdout = str(out) == "-"
    if to_stdout and sys.stdout.isatty():
        usage("audio is not written to a terminal: give -o FILE, or redirect stdout")
    if fmt is None and not to_stdout and out.suffix.lower() not in _BY_SUFFIX:
        usage(
            f"{out}: no audio format is known by the suffix {out.suffix or '(none)'!r}: "
            f"use one of {', '.join(_BY_SUFFIX)} or --format"
        )
    try:
        spoken = _text(text, file)
        parts = parse_ssml(spoken, field="text") if ssml else None
        options = SynthesisOptions(
            voice=voice,
            rate=rate,
            format=fmt or _BY_SUFFIX.get(out.suffix.lower(), AudioFormat.WAV),
            sample_rate=sample_rate,
        )
    except (ParleyError, OSError) as error:
        fail(error, str(file) if file else None)
    if not to_stdout and not out.parent.is_dir():
        fail(FileNotFoundError(errno.ENOENT, "no such folder", str(out.parent)), str(out))
    with services(ctx) as built:
        try:
            result = built.synthesis.synthesize(spoken, options, parts=parts, caller=CLI)
        except ParleyError as error:
            fail(error)
        try:
            if to_stdout:
                sys.stdout.buffer.write(result.audio)
                sys.stdout.buffer.flush()
            else:
                out.write_bytes(result.audio)
        except OSError as error:
            built.store.delete_synthesis(result.record.id)  # what was not delivered is not kept
            fail(error, str(out))
    if not to_stdout:
        print(
            f"{out}: {result.record.duration:.2f} s, {result.record.voice}, id {result.record.id}",
            file=sys.stderr,
        )


def _text(text: str | None, file: Path | None) -> str:
    if (text is None) == (file is None):
        raise InvalidArgument("give the text either as an argument or with --file", field="text")
    if file is None:
        assert text is not None
        return text
    return sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
