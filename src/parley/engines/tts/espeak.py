"""eSpeak NG (formant synthesis, about a hundred languages) through the library and data
the `espeakng-loader` package ships, by ctypes. Less natural than Piper, but it speaks
the languages no packaged Piper voice does.

The library keeps one global state per process: one synthesis at a time (a lock), and
each call sets its voice and rate first."""

from __future__ import annotations

import ctypes
import functools
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from parley.domain.speech import SynthesizedChunk, Voice
from parley.errors import ModelUnavailable, UnknownVoice

SAMPLE_RATE = 22050
_WORDS_PER_MINUTE = 175  # eSpeak's default speed
_MIN_WPM, _MAX_WPM = 80, 450
_SYNCHRONOUS = 2  # AUDIO_OUTPUT_SYNCHRONOUS: espeak_Synth returns when the text is spoken
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_RATE = 1  # espeakRATE
_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)
_LOCK = threading.Lock()


class _Library:
    """The loaded library; audio of the call in progress collects in `pieces`."""

    def __init__(self, library: Path, data_parent: Path) -> None:
        self.lib = ctypes.CDLL(str(library))
        self.pieces: list[np.ndarray] = []
        rate = self.lib.espeak_Initialize(_SYNCHRONOUS, 0, str(data_parent).encode(), 0)
        if rate != SAMPLE_RATE:
            raise ModelUnavailable(f"eSpeak NG did not start (it answered {rate})")
        self._callback = _CALLBACK(self._take)  # kept: the library holds only a pointer
        self.lib.espeak_SetSynthCallback(self._callback)

    def _take(self, samples: ctypes._Pointer[ctypes.c_short], count: int, _events: int) -> int:
        if count > 0:
            self.pieces.append(np.ctypeslib.as_array(samples, (count,)).astype(np.float32) / 32768)
        return 0  # go on


@functools.cache
def _library(library: Path, data_parent: Path) -> _Library:
    return _Library(library, data_parent)


class EspeakEngine:
    def __init__(
        self, name: str, identifier: str, language: str, gender: str, *, library: Path, data: Path
    ) -> None:
        self.name = name
        self._identifier = identifier.encode()
        self._info = Voice(name, language, SAMPLE_RATE, engine="espeak-ng", gender=gender)
        with _LOCK:
            self._library = _library(library, data.parent)
            if self._library.lib.espeak_SetVoiceByName(self._identifier) != 0:
                raise ModelUnavailable(f"eSpeak NG has no voice {identifier!r}")

    def voices(self) -> list[Voice]:
        return [self._info]

    def synthesize(self, text: str, voice: str, rate: float) -> Iterator[SynthesizedChunk]:
        if voice != self.name:
            raise UnknownVoice(f"voice {voice!r} is not served by {self.name}", field="voice")
        encoded = text.encode()
        speed = min(_MAX_WPM, max(_MIN_WPM, round(_WORDS_PER_MINUTE * rate)))
        with _LOCK:
            library = self._library
            library.pieces = []
            library.lib.espeak_SetVoiceByName(self._identifier)
            library.lib.espeak_SetParameter(_RATE, speed, 0)
            library.lib.espeak_Synth(
                encoded, len(encoded) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            pieces, library.pieces = library.pieces, []
        if pieces:
            yield SynthesizedChunk(np.concatenate(pieces), SAMPLE_RATE)


def installed_voices(data: Path) -> list[tuple[str, str, str]]:
    """(identifier, BCP-47 language, description) of each voice file in the data's lang/
    folder, which says e.g. "name German" and "language de"."""
    found = []
    for path in sorted((data / "lang").rglob("*"), key=lambda p: p.name):
        if not path.is_file():
            continue
        fields: dict[str, str] = {}
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.strip().partition(" ")
            fields.setdefault(key, value.strip())
        if "language" in fields:
            language = _bcp47(fields["language"].split()[0])
            found.append((path.name, language, fields.get("name", path.name)))
    return found


def _bcp47(code: str) -> str:
    """eSpeak's "en-us" as "en-US": a two-letter subtag after the first is a region."""
    head, *rest = code.split("-")
    return "-".join([head.lower(), *(r.upper() if len(r) == 2 else r.lower() for r in rest)])
