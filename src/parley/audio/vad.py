"""Voice activity detection with the Silero model that ships inside faster-whisper."""

from __future__ import annotations

from collections.abc import Sequence

from parley.domain.audio import FloatArray, Span

VAD_SAMPLE_RATE = 16000
# Pauses this long separate spans: short enough to find cut points between phrases.
MIN_SILENCE_MS = 300
# Silero splits speech longer than this at its last short pause, so every stretch of
# audio, however talkative, offers a cut point at least this often.
MAX_SPAN_SECONDS = 28.0


def speech_spans(samples: FloatArray, threshold: float = 0.5) -> list[Span]:
    """Speech in 16 kHz mono `samples`, as spans in seconds, in order, not overlapping."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if samples.shape[0] == 0:
        return []
    options = VadOptions(
        threshold=threshold,
        min_silence_duration_ms=MIN_SILENCE_MS,
        speech_pad_ms=30,
        max_speech_duration_s=MAX_SPAN_SECONDS,
    )
    stamps = get_speech_timestamps(samples, options, sampling_rate=VAD_SAMPLE_RATE)
    return [Span(s["start"] / VAD_SAMPLE_RATE, s["end"] / VAD_SAMPLE_RATE) for s in stamps]


def widen(spans: Sequence[Span], pad: float, bridge: float, limit: float) -> list[Span]:
    """Pad each span by `pad` seconds (within 0..limit) and join those closer than `bridge`."""
    out: list[Span] = []
    for span in spans:
        start, end = max(0.0, span.start - pad), min(limit, span.end + pad)
        if out and start - out[-1].end < bridge:
            out[-1] = Span(out[-1].start, max(out[-1].end, end))
        else:
            out.append(Span(start, end))
    return out
