"""A long file through LongRunningRecognize on a real server: submit to done, in audio
seconds per wall second."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import grpc
import soundfile as sf
from google.cloud import speech_v1 as speech
from google.cloud.speech_v1.services.speech.transports import SpeechGrpcTransport

from parley.bench.context import BenchContext, SuiteResult
from parley.bench.server import ServerProcess
from parley.bench.speech import RATE, long_audio
from parley.evaluation.wer import word_error_rate


def run(ctx: BenchContext) -> SuiteResult:
    seconds = 30.0 if ctx.quick else 600.0
    samples, used = long_audio(ctx.read_speech(), seconds)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.wav"
        sf.write(path, samples, RATE)
        server = ServerProcess.start(
            Path(folder) / "data",
            audio_dirs=(Path(folder),),
            env={"PARLEY_WORKERS": str(ctx.settings.workers)},
        )
        try:
            client = speech.SpeechClient(
                transport=SpeechGrpcTransport(channel=grpc.insecure_channel(server.grpc))
            )
            started = time.perf_counter()
            operation = client.long_running_recognize(
                config=speech.RecognitionConfig(language_code="en-US"),
                audio=speech.RecognitionAudio(uri=path.as_uri()),
            )
            result = operation.result(timeout=seconds * 2)  # type: ignore[no-untyped-call]
            wall = time.perf_counter() - started
        finally:
            server.stop()
    text = " ".join(r.alternatives[0].transcript for r in result.results)
    wer = word_error_rate([" ".join(u.reference for u in used)], [text]).wer
    speed = seconds / wall
    return SuiteResult(
        "longrunning",
        {
            "audio_seconds": seconds,
            "workers": ctx.settings.workers,
            "wall_seconds": round(wall, 2),
            "audio_seconds_per_wall_second": round(speed, 2),
            "wer": round(wer, 4),
        },
        [
            (
                f"LongRunningRecognize, {seconds / 60:.0f}-min file, "
                f"{ctx.settings.workers} workers",
                f"{speed:.1f} audio s per wall s ({wall:.1f} s), WER {wer:.1%}",
            )
        ],
    )
