"""Voice activity detection with the Silero model that ships inside faster-whisper."""

from __future__ import annotations

from parley.domain.audio import FloatArray, Span

VAD_SAMPLE_RATE = 16000
# Silero splits speech longer than this at its last short pause (about 0.1 s), so every
# stretch of audio offers a cut point for parallel decoding at least this often. The other
# options stay at faster-whisper's defaults (pauses under 2 s kept, 0.4 s of padding), so
# decoding sees exactly what faster-whisper's own VAD filter would give it.
MAX_SPAN_SECONDS = 28.0


def speech_spans(samples: FloatArray) -> list[Span]:
    """Speech in 16 kHz mono `samples`, as padded spans in seconds, in order, apart."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if samples.shape[0] == 0:
        return []
    options = VadOptions(max_speech_duration_s=MAX_SPAN_SECONDS)
    stamps = get_speech_timestamps(samples, options, sampling_rate=VAD_SAMPLE_RATE)
    return [Span(s["start"] / VAD_SAMPLE_RATE, s["end"] / VAD_SAMPLE_RATE) for s in stamps]
