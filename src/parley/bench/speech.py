"""Speech sets (NAME.wav or NAME.flac + NAME.ref, described in clips.tsv) and long audio
assembled from them.

Two sets ship with Parley: the tuning set (`speech/`), which Parley's constants and
rules were chosen on, and the held-out set (`heldout/`), which nothing is ever fitted on
(its README says why). Benchmarks report the two side by side."""

from __future__ import annotations

import csv
import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parley.audio.decode import decode_audio
from parley.audio.effects import apply_effects
from parley.audio.encode import encode_audio
from parley.audio.resample import resample
from parley.domain.audio import FloatArray
from parley.domain.speech import AudioFormat
from parley.errors import InvalidArgument

RATE = 16000
# Real recorded speech shipped with Parley (sources and licences: SOURCES.md in each).
BUNDLED_SPEECH = Path(__file__).parent / "speech"
HELD_OUT_SPEECH = Path(__file__).parent / "heldout"
MANIFEST = "clips.tsv"


@dataclass(frozen=True)
class Utterance:
    name: str
    samples: FloatArray  # 16 kHz mono
    reference: str
    data: bytes  # the file as stored
    language: str = "en"
    kind: str = "read"  # read, spontaneous, conversation, telephone, command

    @property
    def duration(self) -> float:
        return len(self.samples) / RATE


def load_speech_set(
    directory: Path, language: str | None = None, suffixes: tuple[str, ...] = (".wav", ".flac")
) -> list[Utterance]:
    """Every clip with a reference, in name order; `language` keeps only that language's
    clips, `suffixes` only files of those kinds."""
    described = _manifest(directory)
    pairs = sorted(
        p for p in directory.iterdir() if p.suffix in suffixes and p.with_suffix(".ref").is_file()
    )
    if not pairs:
        raise InvalidArgument(
            f"{directory} holds no NAME.wav (or .flac) + NAME.ref pairs", field="speech_dir"
        )
    out = []
    for path in pairs:
        lang, kind = described.get(path.stem, ("en", "read"))
        if language is not None and lang != language:
            continue
        data = path.read_bytes()
        audio = decode_audio(data)
        samples = resample(audio.mono(), audio.sample_rate, RATE)
        reference = path.with_suffix(".ref").read_text().strip()
        out.append(Utterance(path.stem, samples, reference, data, lang, kind))
    return out


def telephone_copy(utterance: Utterance) -> Utterance:
    """The clip as a telephone line carries it (as the held-out set's `tel_*` clips were
    made): 300-3400 Hz, 8 kHz, 8-bit µ-law; back at 16 kHz."""
    band = apply_effects(utterance.samples, RATE, telephone=True)
    data = encode_audio(band, RATE, AudioFormat.WAV_MULAW, out_rate=8000)
    audio = decode_audio(data)
    samples = resample(audio.mono(), audio.sample_rate, RATE)
    return dataclasses.replace(utterance, samples=samples, data=data, kind="telephone")


def _manifest(directory: Path) -> dict[str, tuple[str, str]]:
    """name -> (language, kind) from clips.tsv, when the set has one."""
    path = directory / MANIFEST
    if not path.is_file():
        return {}
    with path.open(newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["name"]: (row["language"], row["kind"]) for row in rows}


def long_audio(
    speech: list[Utterance], seconds: float, seed: int = 0
) -> tuple[FloatArray, list[Utterance]]:
    """The set over and over, with pauses of 0.3-1.5 s, cut to exactly `seconds`; returns
    the audio and the utterances it holds in order. Clips longer than `seconds` are left
    out at the start; a set with none shorter is refused."""
    rng = np.random.default_rng(seed)
    parts: list[FloatArray] = []
    used: list[Utterance] = []
    total, limit = 0, int(seconds * RATE)
    while True:
        for utterance in speech:
            gap = np.zeros(int(RATE * rng.uniform(0.3, 1.5)), np.float32)
            if total + len(utterance.samples) > limit:
                if not used:
                    continue
                audio = np.concatenate([*parts, np.zeros(max(0, limit - total), np.float32)])
                return audio[:limit], used
            parts += [utterance.samples, gap]
            used.append(utterance)
            total += len(utterance.samples) + len(gap)
        if not used:
            raise InvalidArgument(
                f"no clip of the speech set is as short as {seconds:.0f} s", field="speech_dir"
            )


def speech_clip(speech: list[Utterance], seconds: float) -> FloatArray:
    """The set's first `seconds` of audio, its clips joined end to end; refused unless the
    VAD finds speech in at least half of it (a benchmark of silence measures nothing)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    samples = np.concatenate([u.samples for u in speech])[: int(seconds * RATE)]
    found = get_speech_timestamps(samples, VadOptions(), sampling_rate=RATE)
    voiced = sum(s["end"] - s["start"] for s in found) / RATE
    if len(samples) < int(seconds * RATE) or voiced < seconds / 2:
        raise InvalidArgument(
            f"the speech set's first {seconds:.0f} s hold {voiced:.1f} s of speech; "
            f"at least {seconds / 2:.1f} s are needed",
            field="speech_dir",
        )
    return samples
