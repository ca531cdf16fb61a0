"""RecognitionConfig -> RecognitionOptions and how to read the audio. Every field counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.cloud.speech_v1 import RecognitionConfig

from parley.api.google.adaptation import MAX_PHRASES, CustomClasses
from parley.domain.audio import AudioEncoding, RawAudioFormat
from parley.domain.transcript import PhraseHint, RecognitionOptions, Replacement
from parley.errors import InvalidArgument, UnsupportedEncoding

Encoding = RecognitionConfig.AudioEncoding

# Google's model names -> Parley's. Short-form and command models get the fast English
# model when the language is English; long-form English (and use_enhanced English) the
# combination of the English models; everything else Whisper base.
GOOGLE_MODELS = {
    "default": "whisper-base",
    "latest_long": "accurate",
    "phone_call": "whisper-base",
    "video": "whisper-base",
    "medical_conversation": "whisper-base",
    "medical_dictation": "whisper-base",
    "latest_short": "whisper-tiny.en",
    "command_and_search": "whisper-tiny.en",
}
# Codecs FFmpeg reports for each encoding that names a container format.
_CODECS: dict[int, frozenset[str]] = {
    Encoding.FLAC: frozenset({"flac"}),
    Encoding.MP3: frozenset({"mp3", "mp3float"}),
    Encoding.OGG_OPUS: frozenset({"opus", "libopus"}),
    Encoding.WEBM_OPUS: frozenset({"opus", "libopus"}),
    Encoding.AMR: frozenset({"amrnb", "libopencore_amrnb"}),
    Encoding.AMR_WB: frozenset({"amrwb", "libopencore_amrwb"}),
}
_RAW = {Encoding.LINEAR16: AudioEncoding.LINEAR16, Encoding.MULAW: AudioEncoding.MULAW}
_OPUS_RATES = frozenset({8000, 12000, 16000, 24000, 48000})
MIN_RATE, MAX_RATE = 8000, 48000


@dataclass(frozen=True)
class AudioSpec:
    """How to read the audio bytes, from the config: headerless format, or what a header
    must say (rate, channels, codec)."""

    raw: RawAudioFormat | None
    expect_rate: int | None
    expect_channels: int | None
    codecs: frozenset[str] | None  # None: any codec FFmpeg reads
    encoding_name: str


@dataclass(frozen=True)
class Presentation:
    """What the response shows, beyond the transcript itself. Plain data: a long-running
    operation keeps it in the database until its result is read."""

    word_times: bool = False
    word_confidence: bool = False
    separate_channels: bool = False
    language_tags: dict[str, str] = field(default_factory=dict)  # model code -> caller's tag
    uri: str = ""


@dataclass(frozen=True)
class Recognition:
    options: RecognitionOptions
    audio: AudioSpec
    presentation: Presentation


def parse_config(config: Any, data_head: bytes, uri: str = "") -> Recognition:
    """`config` is a raw `google.cloud.speech.v1.RecognitionConfig` message; `data_head` the
    first bytes of the audio, to tell a WAV header from headerless samples."""
    if (
        config.HasField("diarization_config")
        and config.diarization_config.enable_speaker_diarization
    ):
        raise InvalidArgument(
            "speaker diarization is not available in this server", field="config.diarization_config"
        )
    if not 0 <= config.max_alternatives <= 30:
        raise InvalidArgument(
            "max_alternatives must be between 0 and 30", field="config.max_alternatives"
        )
    tags = [config.language_code, *config.alternative_language_codes]
    options = RecognitionOptions(
        model=_model(config.model, config.language_code, config.use_enhanced),
        language=config.language_code or None,
        alternative_languages=tuple(config.alternative_language_codes),
        max_alternatives=max(1, config.max_alternatives),
        punctuation=config.enable_automatic_punctuation,
        profanity_filter=config.profanity_filter,
        spoken_punctuation=config.enable_spoken_punctuation.value,
        spoken_emojis=config.enable_spoken_emojis.value,
        phrases=_phrases(config),
        replacements=tuple(
            Replacement(e.search, e.replace, e.case_sensitive)
            for e in config.transcript_normalization.entries
        ),
        separate_channels=config.enable_separate_recognition_per_channel,
    )
    presentation = Presentation(
        word_times=config.enable_word_time_offsets,
        word_confidence=config.enable_word_confidence,
        separate_channels=config.enable_separate_recognition_per_channel,
        language_tags={_primary(t): t.lower() for t in reversed(tags) if t},
        uri=uri,
    )
    return Recognition(options, _audio_spec(config, data_head), presentation)


def _primary(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def _model(name: str, language: str, enhanced: bool) -> str | None:
    english = _primary(language or "en") == "en"
    if not name:
        return "accurate" if enhanced and english else None
    if name in GOOGLE_MODELS:
        mapped = GOOGLE_MODELS[name]
        if not english:
            return "whisper-base"
        if enhanced or mapped == "accurate":
            return "accurate"
        return mapped
    return name  # Parley's own model names; unknown ones fail validation by name


def _phrases(config: Any) -> tuple[PhraseHint, ...]:
    """Phrase hints from speech_contexts and inline adaptation, counted before any custom
    class is expanded, so a small config cannot ask for millions of phrases."""
    adaptation = config.adaptation
    if adaptation.phrase_set_references:
        raise InvalidArgument(
            "stored phrase sets are not available; send them inline in adaptation.phrase_sets",
            field="config.adaptation.phrase_set_references",
        )
    if adaptation.HasField("abnf_grammar") and adaptation.abnf_grammar.abnf_strings:
        raise InvalidArgument(
            "ABNF grammars are not supported", field="config.adaptation.abnf_grammar"
        )
    contexts = sum(len(c.phrases) for c in config.speech_contexts)
    if contexts > MAX_PHRASES:
        raise InvalidArgument(
            f"{contexts} phrases: at most {MAX_PHRASES} are allowed",
            field="config.speech_contexts",
        )
    hints = [PhraseHint(p, c.boost) for c in config.speech_contexts for p in c.phrases]
    classes = CustomClasses(adaptation.custom_classes, MAX_PHRASES - len(hints))
    for phrase_set in adaptation.phrase_sets:
        for phrase in phrase_set.phrases:
            boost = phrase.boost or phrase_set.boost
            hints += [PhraseHint(text, boost) for text in classes.expand(phrase.value)]
    return tuple(hints)


def _audio_spec(config: Any, head: bytes) -> AudioSpec:
    encoding = config.encoding
    if encoding not in Encoding._value2member_map_:
        raise InvalidArgument(f"unknown encoding {encoding}", field="config.encoding")
    name = Encoding(encoding).name
    rate = config.sample_rate_hertz or None
    channels = config.audio_channel_count or None
    if rate is not None and not MIN_RATE <= rate <= MAX_RATE:
        raise InvalidArgument(
            f"sample_rate_hertz must be between {MIN_RATE} and {MAX_RATE}, got {rate}",
            field="config.sample_rate_hertz",
        )
    if encoding == Encoding.SPEEX_WITH_HEADER_BYTE:
        raise UnsupportedEncoding(
            "encoding SPEEX_WITH_HEADER_BYTE is not supported; send OGG_OPUS, FLAC or LINEAR16",
            field="config.encoding",
        )
    if encoding in _RAW and not head.startswith(b"RIFF"):
        if rate is None:
            raise InvalidArgument(
                f"sample_rate_hertz is required for {name} audio without a WAV header",
                field="config.sample_rate_hertz",
            )
        return AudioSpec(
            RawAudioFormat(_RAW[encoding], rate, channels or 1), None, None, None, name
        )
    if encoding in (Encoding.OGG_OPUS, Encoding.WEBM_OPUS):
        if rate is not None and rate not in _OPUS_RATES:
            raise InvalidArgument(
                f"sample_rate_hertz for {name} must be one of {sorted(_OPUS_RATES)}",
                field="config.sample_rate_hertz",
            )
        rate = None  # Opus always decodes at 48 kHz, whatever rate it was made from
    return AudioSpec(None, rate, channels, _CODECS.get(encoding), name)
