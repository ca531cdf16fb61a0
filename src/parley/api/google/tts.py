"""Google's Text-to-Speech v1 methods on top of the synthesis service, shared by gRPC and
REST. Requests and responses are the raw protobuf messages of `google-cloud-texttospeech`."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
from google.cloud.texttospeech_v1 import (
    AudioEncoding,
    ListVoicesResponse,
    SsmlVoiceGender,
    StreamingSynthesizeResponse,
    SynthesizeSpeechResponse,
)
from google.cloud.texttospeech_v1 import Voice as VoiceMessage

from parley.audio.encode import encode_audio
from parley.domain.access import Caller
from parley.domain.speech import AudioFormat, SpeechPart, SynthesisOptions, SynthesizedChunk, Voice
from parley.errors import InvalidArgument, ParleyError, UnknownVoice
from parley.services.sentences import complete_sentences
from parley.services.ssml import parse_markup, parse_ssml
from parley.services.synthesis import SynthesisService

MAX_INPUT_BYTES = 5000
# A stream's text in all: its audio is kept in memory until the stream is stored.
MAX_STREAM_BYTES = 20 * MAX_INPUT_BYTES
FORMATS: dict[int, AudioFormat] = {
    AudioEncoding.LINEAR16: AudioFormat.WAV,
    AudioEncoding.MP3: AudioFormat.MP3,
    AudioEncoding.OGG_OPUS: AudioFormat.OGG_OPUS,
    AudioEncoding.MULAW: AudioFormat.WAV_MULAW,  # Google's MULAW and ALAW carry a WAV header
    AudioEncoding.ALAW: AudioFormat.WAV_ALAW,
    AudioEncoding.PCM: AudioFormat.PCM,
    AudioEncoding.M4A: AudioFormat.M4A,
}
# Streamed audio is headerless, so that the chunks joined are the whole.
STREAMING_FORMATS: dict[int, AudioFormat] = {
    AudioEncoding.PCM: AudioFormat.PCM,
    AudioEncoding.LINEAR16: AudioFormat.PCM,
    AudioEncoding.MULAW: AudioFormat.MULAW,
    AudioEncoding.ALAW: AudioFormat.ALAW,
}
GENDERS = {
    "male": SsmlVoiceGender.MALE,
    "female": SsmlVoiceGender.FEMALE,
    "neutral": SsmlVoiceGender.NEUTRAL,
}
TELEPHONE_PROFILE = "telephony-class-application"
# Google's device profiles. Only the telephone one changes the sound here; the others
# are accepted (Parley's voices are not tuned per loudspeaker).
EFFECTS_PROFILES = frozenset(
    {
        "wearable-class-device",
        "handset-class-device",
        "headphone-class-device",
        "small-bluetooth-speaker-class-device",
        "medium-bluetooth-speaker-class-device",
        "large-home-entertainment-class-device",
        "large-automotive-class-device",
        TELEPHONE_PROFILE,
    }
)
# Where Parley's option names are Google's fields, for error messages.
_FIELDS = {
    "rate": "audio_config.speaking_rate",
    "pitch": "audio_config.pitch",
    "volume_gain_db": "audio_config.volume_gain_db",
    "sample_rate": "audio_config.sample_rate_hertz",
    "text": "input.text",
    "voice": "voice.name",
}


class GoogleTextToSpeech:
    def __init__(self, synthesis: SynthesisService) -> None:
        self._synthesis = synthesis

    def list_voices(self, request: Any) -> Any:
        wanted = request.language_code
        voices = _speaking(self._synthesis.voices(), wanted) if wanted else self._synthesis.voices()
        return ListVoicesResponse.pb()(voices=[_voice_message(v) for v in voices])

    async def synthesize(self, request: Any, caller: Caller) -> Any:
        text, parts = _input(request.input)
        options = self._options(request.voice, request.audio_config, FORMATS, "audio_config")
        options = _validated(self._synthesis, text, options, parts)
        done = await anyio.to_thread.run_sync(
            lambda: self._synthesis.synthesize(text, options, parts=parts, caller=caller)
        )
        return SynthesizeSpeechResponse.pb()(audio_content=done.audio)

    async def streaming_synthesize(
        self, requests: AsyncIterator[Any], caller: Caller
    ) -> AsyncIterator[Any]:
        """The first request carries only the config; each later one text, spoken a
        sentence at a time as soon as the sentence is complete."""
        first = await anext(requests, None)
        if first is None or not first.HasField("streaming_config"):
            raise InvalidArgument(
                "the first request must carry streaming_config", field="streaming_config"
            )
        config = first.streaming_config
        options = self._options(
            config.voice, config.streaming_audio_config, STREAMING_FORMATS, "streaming_audio_config"
        )
        options = _validated(self._synthesis, "-", options)
        started, spoken, chunks = time.perf_counter(), list[str](), list[SynthesizedChunk]()
        pending = ""
        async for request in requests:
            if request.HasField("streaming_config"):
                raise InvalidArgument("streaming_config may come only first", field="input")
            pending += _input_text(request.input, "input", streaming=True)
            received = sum(len(t.encode()) for t in spoken) + len(pending.encode())
            if received > MAX_STREAM_BYTES:
                raise InvalidArgument(
                    f"a stream takes at most {MAX_STREAM_BYTES} bytes of text", field="input.text"
                )
            ready, pending = complete_sentences(pending)
            async for audio in self._speak(ready, options, chunks):
                yield StreamingSynthesizeResponse.pb()(audio_content=audio)
            spoken.append(ready)
        async for audio in self._speak(pending, options, chunks):
            yield StreamingSynthesizeResponse.pb()(audio_content=audio)
        text = "".join([*spoken, pending]).strip()
        if not text:
            raise InvalidArgument("there is no text to speak", field="input.text")
        elapsed = time.perf_counter() - started
        await anyio.to_thread.run_sync(
            lambda: self._synthesis.store(text, options, chunks, elapsed, caller=caller)
        )

    async def _speak(
        self, text: str, options: SynthesisOptions, chunks: list[SynthesizedChunk]
    ) -> AsyncIterator[bytes]:
        if not text.strip():
            return
        _check_size(text, "input.text")
        sentences: Iterator[SynthesizedChunk] = self._synthesis.stream(text, options)
        while (chunk := await anyio.to_thread.run_sync(next, sentences, None)) is not None:
            if not len(chunk.samples):
                continue
            chunks.append(chunk)
            yield encode_audio(
                chunk.samples, chunk.sample_rate, options.format, options.sample_rate
            )

    def _options(
        self, voice: Any, audio: Any, formats: dict[int, AudioFormat], prefix: str
    ) -> SynthesisOptions:
        encoding = int(audio.audio_encoding)  # protobuf keeps enum numbers it does not know
        if encoding not in formats:
            known = {int(e): name for name, e in AudioEncoding.__members__.items()}
            names = ", ".join(known[e] for e in formats)
            raise InvalidArgument(
                f"audio_encoding {known.get(encoding, encoding)} is not supported here; "
                f"use one of {names}",
                field=f"{prefix}.audio_encoding",
            )
        profiles = list(getattr(audio, "effects_profile_id", []))
        unknown = [p for p in profiles if p not in EFFECTS_PROFILES]
        if unknown:
            raise InvalidArgument(
                f"unknown effects profile {unknown[0]!r}; known: "
                + ", ".join(sorted(EFFECTS_PROFILES)),
                field=f"{prefix}.effects_profile_id",
            )
        return SynthesisOptions(
            voice=self._voice(voice),
            rate=audio.speaking_rate or 1.0,
            format=formats[encoding],
            sample_rate=audio.sample_rate_hertz or None,
            pitch=getattr(audio, "pitch", 0.0),
            volume_gain_db=getattr(audio, "volume_gain_db", 0.0),
            telephone=TELEPHONE_PROFILE in profiles,
        )

    def _voice(self, selection: Any) -> str:
        """The voice named, else the language's voice of the gender asked for (any gender
        when none has it), as Google chooses."""
        voices = self._synthesis.voices()
        language = selection.language_code
        if selection.name:
            found = next((v for v in voices if v.name == selection.name), None)
            if found is None:
                raise UnknownVoice(
                    f"voice {selection.name!r} does not exist; ListVoices "
                    "(GET /v1/voices) lists the installed voices",
                    field="voice.name",
                )
            if language and not _speaking([found], language):
                raise InvalidArgument(
                    f"voice {found.name} speaks {found.language}, not {language}",
                    field="voice.language_code",
                )
            return found.name
        if not language:
            raise InvalidArgument(
                "voice.language_code is required (or voice.name)", field="voice.language_code"
            )
        candidates = _speaking(voices, language)
        if not candidates:
            known = ", ".join(sorted({v.language for v in voices}))
            raise InvalidArgument(
                f"no voice speaks {language}; installed languages: {known}",
                field="voice.language_code",
            )
        gender = selection.ssml_gender
        return next((v for v in candidates if GENDERS.get(v.gender) == gender), candidates[0]).name


def _speaking(voices: list[Voice], language: str) -> list[Voice]:
    """The voices of `language`; when none has its region ("de-DE"), those of the
    language ("de", "de-AT")."""
    exact = [v for v in voices if _speaks(v, language)]
    primary = language.lower().replace("_", "-").split("-")[0]
    return exact or [v for v in voices if v.language.lower().split("-")[0] == primary]


def _speaks(voice: Voice, language: str) -> bool:
    """BCP-47, case-insensitive; a bare language ("en") matches every region of it."""
    have, want = voice.language.lower(), language.lower().replace("_", "-")
    return have == want or ("-" not in want and have.split("-")[0] == want)


def _voice_message(voice: Voice) -> Any:
    return VoiceMessage.pb()(
        language_codes=[voice.language],
        name=voice.name,
        ssml_gender=GENDERS.get(voice.gender, SsmlVoiceGender.NEUTRAL),
        natural_sample_rate_hertz=voice.sample_rate,
    )


def _input(source: Any) -> tuple[str, list[SpeechPart] | None]:
    """The input as given, and what SSML or markup makes of it (None for plain text)."""
    kind = source.WhichOneof("input_source")
    if kind in ("ssml", "markup"):
        text = str(getattr(source, kind))
        _check_size(text, f"input.{kind}")
        parse = parse_ssml if kind == "ssml" else parse_markup
        return text, parse(text, f"input.{kind}")
    return _input_text(source, "input"), None


def _input_text(source: Any, prefix: str, *, streaming: bool = False) -> str:
    kind = source.WhichOneof("input_source")
    if kind == "text":
        _check_size(source.text, f"{prefix}.text")
        return str(source.text)
    if kind is None:
        if streaming:
            return ""
        raise InvalidArgument(
            "input needs one of text, ssml or markup: there is nothing to speak", field="input"
        )
    accepted = "text" if streaming else "text, ssml or markup"
    raise InvalidArgument(
        f"{prefix}.{kind} is not supported here; send {accepted}",
        field=f"{prefix}.{kind}",
    )


def _check_size(text: str, field: str) -> None:
    size = len(text.encode())
    if size > MAX_INPUT_BYTES:
        raise InvalidArgument(
            f"{field} is {size} bytes; at most {MAX_INPUT_BYTES} bytes are allowed", field=field
        )


def _validated(
    service: SynthesisService,
    text: str,
    options: SynthesisOptions,
    parts: list[SpeechPart] | None = None,
) -> SynthesisOptions:
    try:
        return service.validate(text, options, parts)
    except ParleyError as error:
        if error.field in _FIELDS and type(error) in (InvalidArgument, UnknownVoice):
            raise type(error)(str(error), field=_FIELDS[error.field]) from error
        raise
