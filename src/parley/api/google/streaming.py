"""StreamingRecognitionConfig -> a live stream's options; live events -> Google's
StreamingRecognizeResponse messages. Shared by gRPC and the browser WebSocket."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.cloud.speech_v1 import (
    SpeechRecognitionAlternative,
    StreamingRecognitionResult,
    StreamingRecognizeResponse,
)

from parley.api.google.recognition import AudioSpec, Presentation, parse_config
from parley.api.google.results import duration, word_info
from parley.domain.streaming import LiveEvent, LiveOptions, LiveResult, SpeechEventKind
from parley.domain.transcript import RecognitionOptions, Segment
from parley.errors import InvalidArgument, UnsupportedEncoding
from parley.services.stream_audio import ContainerAudio, StreamAudio

EventType = StreamingRecognizeResponse.SpeechEventType
_EVENTS = {
    SpeechEventKind.SPEECH_BEGIN: EventType.SPEECH_ACTIVITY_BEGIN,
    SpeechEventKind.SPEECH_END: EventType.SPEECH_ACTIVITY_END,
    SpeechEventKind.TIMEOUT: EventType.SPEECH_ACTIVITY_TIMEOUT,
    SpeechEventKind.END_OF_SINGLE_UTTERANCE: EventType.END_OF_SINGLE_UTTERANCE,
}


# FFmpeg's demuxer for each container encoding that can be streamed.
_DEMUXERS = {"FLAC": "flac", "MP3": "mp3", "OGG_OPUS": "ogg", "WEBM_OPUS": "webm"}


@dataclass(frozen=True)
class LiveRecognition:
    options: RecognitionOptions
    live: LiveOptions
    audio: StreamAudio
    presentation: Presentation


def parse_streaming_config(streaming: Any) -> LiveRecognition:
    """`streaming` is a raw StreamingRecognitionConfig message."""
    if not streaming.HasField("config"):
        raise InvalidArgument(
            "the first request must carry streaming_config.config", field="streaming_config"
        )
    recognition = parse_config(streaming.config, b"")
    timeouts = streaming.voice_activity_timeout
    if streaming.HasField("voice_activity_timeout") and not streaming.enable_voice_activity_events:
        raise InvalidArgument(
            "voice_activity_timeout needs enable_voice_activity_events",
            field="streaming_config.voice_activity_timeout",
        )
    live = LiveOptions(
        interim_results=streaming.interim_results,
        single_utterance=streaming.single_utterance,
        voice_events=streaming.enable_voice_activity_events,
        speech_start_timeout=_seconds(timeouts, "speech_start_timeout"),
        speech_end_timeout=_seconds(timeouts, "speech_end_timeout"),
    )
    return LiveRecognition(
        recognition.options, live, _stream_audio(recognition.audio), recognition.presentation
    )


def _stream_audio(spec: AudioSpec) -> StreamAudio:
    if spec.raw is not None:
        return spec.raw
    if spec.encoding_name not in _DEMUXERS or spec.codecs is None:
        raise UnsupportedEncoding(
            f"encoding {spec.encoding_name} is not available for streaming; stream LINEAR16, "
            "MULAW, FLAC, MP3, OGG_OPUS or WEBM_OPUS",
            field="streaming_config.config.encoding",
        )
    return ContainerAudio(
        _DEMUXERS[spec.encoding_name], spec.codecs, spec.expect_channels or 1, spec.encoding_name
    )


def _seconds(timeouts: Any, name: str) -> float | None:
    if not timeouts.HasField(name):
        return None
    value = getattr(timeouts, name)
    seconds = float(value.seconds + value.nanos / 1e9)
    if seconds <= 0:
        raise InvalidArgument(
            f"{name} must be positive", field=f"streaming_config.voice_activity_timeout.{name}"
        )
    return seconds


def streaming_response(event: LiveEvent, shown: Presentation) -> Any:
    """A raw StreamingRecognizeResponse message."""
    response = StreamingRecognizeResponse.pb()()
    if isinstance(event, LiveResult):
        response.results.extend(
            _result(part.segment, part.stability, event, shown) for part in event.parts
        )
    else:
        response.speech_event_type = _EVENTS[event.kind]
        response.speech_event_time.CopyFrom(duration(event.offset))
    return response


def _result(segment: Segment, stability: float, event: LiveResult, shown: Presentation) -> Any:
    result = StreamingRecognitionResult.pb()(is_final=event.is_final)
    if not event.is_final:
        result.stability = stability
    for index, alternative in enumerate(segment.alternatives):
        out = SpeechRecognitionAlternative.pb()(transcript=alternative.text)
        if event.is_final:
            out.confidence = alternative.confidence  # Google leaves it out of interim ones
        if index == 0 and (shown.word_times or shown.word_confidence):
            out.words.extend(word_info(w, shown) for w in alternative.words)
        result.alternatives.append(out)
    result.result_end_time.CopyFrom(duration(event.end))
    if shown.separate_channels:
        result.channel_tag = event.channel
    result.language_code = shown.language_tags.get(segment.language, segment.language)
    return result
