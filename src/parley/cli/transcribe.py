"""`parley transcribe FILE...`"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from parley.cli.context import services
from parley.cli.errors import report, usage
from parley.domain.access import CLI
from parley.domain.audio import AudioEncoding, RawAudioFormat
from parley.domain.transcript import PhraseHint, RecognitionOptions, Task
from parley.errors import InvalidArgument, ParleyError
from parley.services.progression import Progression
from parley.services.render import TextFormat, render
from parley.services.transcription import AudioInput, TranscriptionService


def transcribe(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...",
            help="Audio files (WAV, FLAC, MP3, OGG, WebM, M4A...); - reads stdin.",
        ),
    ],
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            "-d",
            help="Write each file's result to DIR/NAME.FORMAT instead of stdout.",
        ),
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model name (see `parley models`).")] = None,
    language: Annotated[
        str | None, typer.Option(help="BCP-47 tag, e.g. en-US; default: detect.")
    ] = None,
    translate: Annotated[
        bool, typer.Option("--translate", help="Translate the speech into English.")
    ] = False,
    fmt: Annotated[TextFormat, typer.Option("--format", help="Output format.")] = TextFormat.TXT,
    alternatives: Annotated[int, typer.Option(min=1, max=30, help="Readings per segment.")] = 1,
    no_punctuation: Annotated[
        bool, typer.Option("--no-punctuation", help="No punctuation, no sentence capitals.")
    ] = False,
    profanity_filter: Annotated[
        bool, typer.Option("--profanity-filter", help="Mask profanity: f***.")
    ] = False,
    spoken_punctuation: Annotated[
        bool,
        typer.Option("--spoken-punctuation", help='"comma" -> ",", "question mark" -> "?".'),
    ] = False,
    numbers_as_words: Annotated[
        bool,
        typer.Option(
            "--numbers-as-words", help='Numbers as they are said ("ten"), not digits ("10").'
        ),
    ] = False,
    phrase: Annotated[
        list[str] | None,
        typer.Option(metavar="TEXT", help="A likely word or phrase (repeatable)."),
    ] = None,
    boost: Annotated[
        float, typer.Option(min=-20, max=20, help="Boost for --phrase (0: default).")
    ] = 0.0,
    separate_channels: Annotated[
        bool, typer.Option("--separate-channels", help="Recognize each channel on its own.")
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
        numbers_as_words=numbers_as_words,
        phrases=tuple(PhraseHint(p, boost) for p in phrase or ()),
        separate_channels=separate_channels,
    )
    try:
        raw = _raw_format(encoding, sample_rate, channels)
        _check_outputs(files, fmt, output_dir)
    except InvalidArgument as error:
        usage(error.message)
    failures = 0
    with services(ctx) as built:
        try:
            built.transcription.validate(options)
        except ParleyError as error:
            raise typer.Exit(report(error)) from None
        for path in files:
            audio = _Source(path, raw, sample_rate, channels)
            code = _one(built.transcription, audio, options, fmt, output_dir, many=len(files) > 1)
            failures = failures or code
    raise typer.Exit(failures)


def _check_outputs(files: list[Path], fmt: TextFormat, output_dir: Path | None) -> None:
    if output_dir is None and len(files) > 1 and fmt in (TextFormat.SRT, TextFormat.VTT):
        raise InvalidArgument(
            f"several files as {fmt.value} need --output-dir: one subtitle file each",
            field="output_dir",
        )
    if sum(str(f) == "-" for f in files) > 1:
        raise InvalidArgument("stdin (-) can be read only once", field="files")
    if output_dir is not None and output_dir.exists() and not output_dir.is_dir():
        raise InvalidArgument(f"--output-dir {output_dir} is not a folder", field="output_dir")


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


@dataclass(frozen=True)
class _Source:
    path: Path  # "-": stdin
    raw: RawAudioFormat | None
    sample_rate: int | None
    channels: int | None

    @property
    def name(self) -> str:
        return "stdin" if self.is_stdin else self.path.name

    @property
    def is_stdin(self) -> bool:
        return str(self.path) == "-"

    def read(self) -> AudioInput:
        data = sys.stdin.buffer.read() if self.is_stdin else self.path.read_bytes()
        return AudioInput(
            data,
            name=self.name,
            raw=self.raw,
            expect_rate=None if self.raw else self.sample_rate,
            expect_channels=None if self.raw else self.channels,
        )


def _one(
    service: TranscriptionService,
    source: _Source,
    options: RecognitionOptions,
    fmt: TextFormat,
    output_dir: Path | None,
    *,
    many: bool,
) -> int:
    """Transcribe one file; its result goes to stdout, or to DIR/NAME.FORMAT."""
    subject = "-" if source.is_stdin else str(source.path)
    try:
        audio_in = source.read()
        with ProgressBar(source.name) as bar:
            record = service.transcribe(
                audio_in, options, Progression(after_window=bar.update), caller=CLI
            )
        assert record.transcript is not None
        extra = {"file": subject, "id": record.id} if fmt is TextFormat.JSON else None
        text = render(record.transcript, fmt, extra)
        if output_dir is not None:
            output_dir.mkdir(parents=True, exist_ok=True)
            target = output_dir / f"{Path(source.name).stem}.{fmt.value}"
            target.write_text(text + "\n", encoding="utf-8")
            print(f"{subject}: {target}", file=sys.stderr)
            return 0
    except (ParleyError, OSError) as error:
        return report(error, subject)
    if many and fmt is TextFormat.TXT:
        print(f"# {subject}")
    print(text, flush=True)
    return 0


class ProgressBar:
    """A progress bar on stderr, shown once a file turns out to need several windows."""

    def __init__(self, name: str) -> None:
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
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
