"""Speech synthesis: the engine's time to its first audio chunk and real-time factor (short
and paragraph input); and the served path, per voice, with the official client over gRPC:
time to the first audio byte of a two-sentence StreamingSynthesize and SynthesizeSpeech."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import grpc
from google.cloud import texttospeech_v1 as tts
from google.cloud.texttospeech_v1.services.text_to_speech.transports import (
    TextToSpeechGrpcTransport,
)

from parley.bench import intelligibility
from parley.bench.context import BenchContext, SuiteResult
from parley.bench.server import ServerProcess
from parley.domain.speech import SynthesisOptions

SHORT = "Hello, how can I help you today?"
PARAGRAPH = (
    "The museum opens at nine in the morning on weekdays. Tickets cost $12.50 for adults, "
    "and children under twelve go in free. Guided tours leave from the main hall every hour. "
    "Please leave large bags in the cloakroom on the ground floor. We hope you enjoy your visit."
)
TWO_SENTENCES = "Your table is ready. Please follow me to the terrace."


def run(ctx: BenchContext) -> SuiteResult:
    repeats = 1 if ctx.quick else 5
    results = {}
    headline = []
    with ctx.services(workers=1) as services:
        options = services.synthesis.validate(SHORT, SynthesisOptions())
        list(services.synthesis.stream(SHORT, options))  # load the voice outside the timing
        for name, text in (("short", SHORT), ("paragraph", PARAGRAPH)):
            firsts, rtfs, audio_seconds = [], [], 0.0
            for _ in range(repeats):
                started = time.perf_counter()
                first = None
                audio_seconds = 0.0
                for chunk in services.synthesis.stream(text, options):
                    first = first if first is not None else time.perf_counter() - started
                    audio_seconds += len(chunk.samples) / chunk.sample_rate
                total = time.perf_counter() - started
                firsts.append(first or total)
                rtfs.append(total / audio_seconds)
            results[name] = {
                "characters": len(text),
                "audio_seconds": round(audio_seconds, 2),
                "first_chunk_ms_median": round(1000 * statistics.median(firsts), 1),
                "real_time_factor_median": round(statistics.median(rtfs), 4),
                "repeats": repeats,
            }
            headline.append(
                (
                    f"TTS {name}",
                    f"first chunk {results[name]['first_chunk_ms_median']:.0f} ms, "
                    f"RTF {results[name]['real_time_factor_median']:.3f}",
                )
            )
        if not ctx.quick:
            results["intelligibility"] = heard = intelligibility.measure(services)
            headline += _intelligibility_headline(heard)
    results["served"] = served = _served(repeats)
    for voice, figures in served.items():
        headline.append(
            (
                f"TTS served, {voice}",
                f"first byte: StreamingSynthesize {figures['streaming_first_byte_ms_median']:.0f} "
                f"ms, SynthesizeSpeech {figures['synthesize_ms_median']:.0f} ms",
            )
        )
    return SuiteResult("tts", results, headline)


def _served(repeats: int) -> dict[str, Any]:
    """Per voice, against a real server: two sentences as PCM."""
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        server = ServerProcess.start(Path(folder), env={"PARLEY_WORKERS": "1"})
        try:
            channel = grpc.insecure_channel(server.grpc)
            client = tts.TextToSpeechClient(transport=TextToSpeechGrpcTransport(channel=channel))
            for name in _representatives(client):
                selection = tts.VoiceSelectionParams(name=name)
                _first_byte(client, selection)  # loads the voice outside the timing
                streamed = [_first_byte(client, selection) for _ in range(repeats)]
                whole = [_whole(client, selection) for _ in range(repeats)]
                out[name] = {
                    "streaming_first_byte_ms_median": round(1000 * statistics.median(streamed)),
                    "synthesize_ms_median": round(1000 * statistics.median(whole)),
                    "repeats": repeats,
                }
        finally:
            server.stop()
    return out


def _representatives(client: tts.TextToSpeechClient) -> list[str]:
    """Every Piper voice, and eSpeak NG's US English: its voices share one engine, so one
    stands for all."""
    names = [v.name for v in client.list_voices().voices]
    return [n for n in names if not n.startswith("espeak-")] + [
        n for n in names if n == "espeak-en-us"
    ]


def _first_byte(client: tts.TextToSpeechClient, voice: tts.VoiceSelectionParams) -> float:
    config = tts.StreamingSynthesizeConfig(
        voice=voice,
        streaming_audio_config=tts.StreamingAudioConfig(audio_encoding=tts.AudioEncoding.PCM),
    )
    requests = [
        tts.StreamingSynthesizeRequest(streaming_config=config),
        tts.StreamingSynthesizeRequest(input=tts.StreamingSynthesisInput(text=TWO_SENTENCES)),
    ]
    started = time.perf_counter()
    first = None
    for response in client.streaming_synthesize(iter(requests)):
        if first is None and response.audio_content:
            first = time.perf_counter() - started
    if first is None:
        raise RuntimeError("StreamingSynthesize sent no audio")
    return first


def _whole(client: tts.TextToSpeechClient, voice: tts.VoiceSelectionParams) -> float:
    started = time.perf_counter()
    client.synthesize_speech(
        input=tts.SynthesisInput(text=TWO_SENTENCES),
        voice=voice,
        audio_config=tts.AudioConfig(audio_encoding=tts.AudioEncoding.PCM),
    )
    return time.perf_counter() - started


def _intelligibility_headline(heard: dict[str, Any]) -> list[tuple[str, str]]:
    """The best-understood voice of each language, and how many there are."""
    by_language: dict[str, list[tuple[float, str]]] = {}
    for name, figures in heard.items():
        by_language.setdefault(figures["language"].split("-")[0], []).append((figures["wer"], name))
    return [
        (
            f"TTS intelligibility, {language}",
            f"best {min(found)[1]} WER {min(found)[0]:.0%} of {len(found)} voices",
        )
        for language, found in sorted(by_language.items())
    ]
