"""Transcripts -> Google's result messages."""

from __future__ import annotations

import math
from typing import Any

from google.cloud.speech_v1 import (
    LongRunningRecognizeResponse,
    RecognizeResponse,
    SpeechRecognitionAlternative,
    SpeechRecognitionResult,
    WordInfo,
)
from google.protobuf.duration_pb2 import Duration

from parley.api.google.recognition import Presentation
from parley.domain.transcript import Segment, Transcript


def duration(seconds: float) -> Duration:
    """To the millisecond."""
    millis = round(seconds * 1000)
    return Duration(seconds=millis // 1000, nanos=millis % 1000 * 1_000_000)


def results(transcript: Transcript, shown: Presentation) -> list[Any]:
    """One result per pause-separated segment, in order; raw protobuf messages."""
    return [_result(s, transcript, shown) for s in transcript.segments]


def billed(transcript: Transcript, shown: Presentation) -> Duration:
    """Whole seconds, per channel when channels are recognized apart."""
    channels = transcript.channels if shown.separate_channels else 1
    return Duration(seconds=math.ceil(transcript.duration) * channels)


def recognize_response(transcript: Transcript, shown: Presentation) -> Any:
    response = RecognizeResponse.pb()()
    response.results.extend(results(transcript, shown))
    response.total_billed_time.CopyFrom(billed(transcript, shown))
    return response


def long_running_response(transcript: Transcript, shown: Presentation) -> Any:
    response = LongRunningRecognizeResponse.pb()()
    response.results.extend(results(transcript, shown))
    response.total_billed_time.CopyFrom(billed(transcript, shown))
    return response


def _result(segment: Segment, transcript: Transcript, shown: Presentation) -> Any:
    result = SpeechRecognitionResult.pb()()
    for index, alternative in enumerate(segment.alternatives):
        out = SpeechRecognitionAlternative.pb()(
            transcript=alternative.text, confidence=alternative.confidence
        )
        if index == 0 and (shown.word_times or shown.word_confidence):
            out.words.extend(word_info(w, shown) for w in alternative.words)
        result.alternatives.append(out)
    if shown.separate_channels and transcript.channels > 1:
        result.channel_tag = segment.channel
    result.result_end_time.CopyFrom(duration(segment.end))
    result.language_code = shown.language_tags.get(segment.language, segment.language)
    return result


def word_info(word: Any, shown: Presentation) -> Any:
    info = WordInfo.pb()(word=word.text)
    if shown.word_times:
        info.start_time.CopyFrom(duration(word.start))
        info.end_time.CopyFrom(duration(word.end))
    if shown.word_confidence:
        info.confidence = word.confidence
    return info
