"""`parley transcribe FILE...`"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from parley.cli.context import services
from parley.cli.errors import report
from parley.domain.audio import AudioEncoding, RawAudioFormat
from parley.domain.transcript import PhraseHint, RecognitionOptions, Task
from parley.errors import InvalidArgument, ParleyError
from parley.services.progression import Progression
from parley.services.render import TextFormat, render
from parley.services.transcription import AudioInput, TranscriptionService


def transcribe(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(help="Audio files (WAV, FLAC, MP3, OGG, WebM, M4A...).")
    ],
    model: Annotated[str | None, typer.Option(help="Model name (see `parley models`).")] = None,
    language: Annotated[
        str | None, typer.Option(help="BCP-47 tag, e.g. en-US; default: detect.")
    ] = None,
    translate: Annotated[bool, typer.Option(help="Translate the speech into English.")] = False,
    fmt: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = TextFormat.TXT,
    alternatives: Annotated[int, typer.Option(min=1, max=30, help="Readings per segment.")] = 1,
    no_punctuation: Annotated[
        bool, typer.Option(help="No punctuation, no sentence capitals.")
    ] = False,
    profanity_filter: Annotated[bool, typer.Option(help="Mask profanity: f***.")] = False,
    spoken_punctuation: Annotated[
        bool, typer.Option(help='"comma" -> ",", "question mark" -> "?".')
    ] = False,
    phrase: Annotated[
        list[str] | None, typer.Option(help="A likely word or phrase (repeatable).")
    ] = None,
    boost: Annotated[
        float, typer.Option(min=-20, max=20, help="Boost for --phrase (0: default).")
    ] = 0.0,
    separate_channels: Annotated[
        bool, typer.Option(help="Recognize each channel on its own.")
    ] = False,
    encoding: Annotated[
        AudioEncoding | None, typer.Option(help="Headerless input: its encoding.")
    ] = None,
    sample_rate: Annotated[
        int | None, typer.Option(help="Headerless input: its sample rate.")
    ] = None,
    channels: Annotated[
        int | None, typer.Option(help="Headerless input: its channel count.")
    ] = None,
) -> None:
    """Transcribe audio files; each result is also kept in the history."""
    options = RecognitionOptions(
        model=model,
        language=language,
        task=Task.TRANSLATE if translate else Task.TRANSCRIBE,
        max_alternatives=alternatives,
        punctuation=not no_punctuation,
        profanity_filter=profanity_filter,
        spoken_punctuation=spoken_punctuation,
        phrases=tuple(PhraseHint(p, boost) for p in phrase or ()),
        separate_channels=separate_channels,
    )
    try:
        raw = _raw_format(encoding, sample_rate, channels)
    except InvalidArgument as error:
        raise typer.Exit(report(error)) from None
    failures = 0
    with services(ctx) as built:
        try:
            built.transcription.validate(options)
        except ParleyError as error:
            raise typer.Exit(report(error)) from None
        for path in files:
            code = _one(
                built.transcription,
                path,
                options,
                raw,
                sample_rate,
                channels,
                fmt,
                many=len(files) > 1,
            )
            failures = failures or code
    raise typer.Exit(failures)


def _raw_format(
    encoding: AudioEncoding | None, sample_rate: int | None, channels: int | None
) -> RawAudioFormat | None:
    if encoding is None:
        return None
    if sample_rate is None:
        raise InvalidArgument(
            f"--encoding {encoding.value} needs --sample-rate", field="sample_rate"
        )
    return RawAudioFormat(encoding, sample_rate, channels or 1)


def _one(
    service: TranscriptionService,
    path: Path,
    options: RecognitionOptions,
    raw: RawAudioFormat | None,
    sample_rate: int | None,
    channels: int | None,
    fmt: TextFormat,
    *,
    many: bool,
) -> int:
    try:
        data = path.read_bytes()
        audio_in = AudioInput(
            data,
            name=path.name,
            raw=raw,
            expect_rate=None if raw else sample_rate,
            expect_channels=None if raw else channels,
        )
        with ProgressBar(path.name) as bar:
            record = service.transcribe(audio_in, options, Progression(after_window=bar.update))
    except (ParleyError, OSError) as error:
        return report(error, str(path))
    assert record.transcript is not None
    if fmt is TextFormat.JSON:
        print(render(record.transcript, fmt, {"file": str(path), "id": record.id}))
    else:
        if many:
            print(f"# {path}")
        print(render(record.transcript, fmt))
    return 0


class ProgressBar:
    """A progress bar on stderr, shown once a file turns out to need several windows."""

    def __init__(self, name: str) -> None:
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeRemainingColumn(),
            transient=True,
            disable=not sys.stderr.isatty(),
        )
        self._task = self._bar.add_task(name, total=None)

    def __enter__(self) -> ProgressBar:
        self._bar.start()
        return self

    def update(self, job: Progression) -> bool:
        self._bar.update(self._task, completed=100 * job.fraction, total=100)
        return True

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()
