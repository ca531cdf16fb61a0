"""Live streams on a real server: 1, 2 and 4 simulated speakers at once, real speech in
100 ms chunks at real-time pace, over gRPC with the official client; on the tuning set,
on the tuning set's speech joined without pauses (1 stream: utterances cut inside
speech), on the tuning set in telephone band (1 stream), and on the held-out set's
English speech (1 and 2 streams), each beside the WER of the same audio sent as a file;
and, given one, WhisperLive on the held-out track at the same pace and stream counts."""

from __future__ import annotations

import io
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

import grpc
import httpx
import soundfile
from google.cloud import speech_v1 as speech
from google.cloud.speech_v1.services.speech.transports import SpeechGrpcTransport

from parley.bench import live, whisperlive
from parley.bench.context import BenchContext, SuiteResult
from parley.bench.server import ServerProcess
from parley.bench.speech import RATE, telephone_copy
from parley.engines.model_files import whisper_base
from parley.evaluation.wer import word_error_rate

# A stream keeps up when its last result comes this soon after its last audio.
KEPT_UP_SECONDS = 1.5
CONFIG = speech.StreamingRecognitionConfig(
    config=speech.RecognitionConfig(
        encoding=speech.RecognitionConfig.AudioEncoding.LINEAR16,
        sample_rate_hertz=RATE,
        language_code="en-US",
        enable_automatic_punctuation=True,
    ),
    interim_results=True,
)


def run(ctx: BenchContext) -> SuiteResult:
    tuning = [u for u in ctx.speech if u.language == "en"]
    tracks: dict[str, tuple[live.Track, tuple[int, ...]]] = {
        "tuning": (
            live.build_track(tuning, 1 if ctx.quick else 8),
            (1,) if ctx.quick else (1, 2, 4),
        ),
        # Where long recordings lose most against the file: utterances cut inside speech.
        "tuning, unbroken": (live.run_on_track(tuning, 20 if ctx.quick else 240), (1,)),
        # The tuning set has no telephone speech of its own: its clips as a line carries them.
        "tuning, telephone": (
            live.build_track([telephone_copy(u) for u in tuning], 1 if ctx.quick else len(tuning)),
            (1,),
        ),
    }
    english = [u for u in ctx.held_out if u.language == "en"]
    if english:
        tracks["held-out"] = (
            # Quick: the shortest clip, to check the suite works.
            live.build_track(sorted(english, key=lambda u: u.duration)[:1], 1)
            if ctx.quick
            else live.build_track(english, len(english)),
            (1,) if ctx.quick else (1, 2),
        )
    results: dict[str, Any] = {}
    headline = []
    with tempfile.TemporaryDirectory() as folder:
        server = ServerProcess.start(
            Path(folder), env={"PARLEY_WORKERS": str(ctx.settings.workers)}
        )
        try:
            for name, (track, counts) in tracks.items():
                part: dict[str, Any] = {
                    "audio_seconds": round(len(track.samples) / RATE, 1),
                    "file_wer": round(_file_wer(server, track), 4),
                }
                for count in counts:
                    clients = [_client(server) for _ in range(count)]
                    runs = live.run_streams(clients, CONFIG, track.pcm)
                    part[f"{count}_streams"] = _summary(runs, track, server, count)
                    headline.append(
                        (
                            f"live streams ({name}): {count} at once",
                            _headline(part[f"{count}_streams"], part["file_wer"]),
                        )
                    )
                results[name] = part
        finally:
            server.stop()
    if ctx.whisperlive is not None and "held-out" in tracks:
        track, counts = tracks["held-out"]
        results["held-out"]["whisperlive"] = peer = _peer(ctx, ctx.whisperlive, track, counts)
        for count in counts:
            summary = peer[f"{count}_streams"]
            headline.append(
                (
                    f"WhisperLive (held-out): {count} at once",
                    _peer_headline(summary, results["held-out"]["file_wer"]),
                )
            )
    return SuiteResult("streaming", results, headline)


def _peer(
    ctx: BenchContext, python: Path, track: live.Track, counts: tuple[int, ...]
) -> dict[str, Any]:
    """WhisperLive on the same track, with the same weights and as many threads as the
    machine has cores, after Parley's server has stopped."""
    model = whisper_base(ctx.settings.model_cache_dir)
    out: dict[str, Any] = {"version": "whisper-live (faster-whisper backend, Silero VAD)"}
    with whisperlive.server(python, model, len(os.sched_getaffinity(0))) as port:
        for count in counts:
            runs = whisperlive.run_streams(port, track, count)
            heard = [r for r in runs if not isinstance(r, BaseException)]
            finals = [d for h in heard for d in live.final_delays(h.final_ends(), track)]
            wers = [word_error_rate([track.reference], [h.text()]).wer for h in heard]
            out[f"{count}_streams"] = {
                "streams": count,
                "failed": [repr(r) for r in runs if isinstance(r, BaseException)],
                "utterances_with_final": [
                    len(live.final_delays(h.final_ends(), track)) for h in heard
                ],
                "utterances": len(track.spoken),
                "final_latency_ms": _percentiles(finals),
                "latest_final_ms": round(1000 * max(finals)) if finals else None,
                "final_latencies_s": [round(x, 3) for x in finals],
                "wer": round(statistics.mean(wers), 4) if wers else None,
            }
    return out


def _file_wer(server: ServerProcess, track: live.Track) -> float:
    """The WER of the same audio sent whole, as a FLAC file (a long track is over the
    10 MB of a request as PCM): what streaming is compared with."""
    buffer = io.BytesIO()
    soundfile.write(buffer, track.samples, RATE, format="FLAC")
    config = speech.RecognitionConfig(language_code="en-US", enable_automatic_punctuation=True)
    audio = speech.RecognitionAudio(content=buffer.getvalue())
    client = _client(server)
    if len(track.samples) <= 55 * RATE:
        response = client.recognize(config=config, audio=audio)
    else:
        operation = client.long_running_recognize(config=config, audio=audio)
        response = operation.result(timeout=1800)  # type: ignore[no-untyped-call]
    text = " ".join(r.alternatives[0].transcript for r in response.results if r.alternatives)
    return word_error_rate([track.reference], [text]).wer


def _client(server: ServerProcess) -> speech.SpeechClient:
    return speech.SpeechClient(
        transport=SpeechGrpcTransport(channel=grpc.insecure_channel(server.grpc))
    )


def _summary(
    runs: list[live.Heard | BaseException], track: live.Track, server: ServerProcess, count: int
) -> dict[str, Any]:
    finals: list[float] = []
    interims: list[float] = []
    kept_up, refused, wers = 0, 0, []
    for heard in runs:
        if isinstance(heard, BaseException):
            refused += 1
            continue
        delays = live.latencies(heard, track)
        finals += delays["final"]
        interims += delays["first_interim"]
        last = heard.responses[-1][0] if heard.responses else float("inf")
        kept_up += last <= heard.sent_until + KEPT_UP_SECONDS
        wers.append(word_error_rate([track.reference], [heard.text()]).wer)
    return {
        "streams": count,
        "refused": refused,
        "kept_up": kept_up,
        "final_latency_ms": _percentiles(finals),
        "latest_final_ms": round(1000 * max(finals)) if finals else None,
        "first_interim_latency_ms": _percentiles(interims),
        "final_latencies_s": [round(x, 3) for x in finals],
        "first_interim_latencies_s": [round(x, 3) for x in interims],
        "wer": round(statistics.mean(wers), 4) if wers else None,
        "compute_per_audio_second": _real_time_factor(server, count - refused),
    }


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(1000 * statistics.median(ordered)), "p95": round(1000 * p95)}


def _real_time_factor(server: ServerProcess, streams: int) -> float | None:
    """Inference seconds per audio second of the streams just stored in the history."""
    listed = httpx.get(f"{server.http}/v1/transcriptions", params={"pageSize": streams}).json()
    records = [r for r in listed["transcriptions"] if r["sourceName"] == "live stream"]
    audio = sum(r["duration"] for r in records)
    return round(sum(r["inferenceSeconds"] for r in records) / audio, 3) if audio else None


def _headline(summary: dict[str, Any], file_wer: float) -> str:
    final, interim = summary["final_latency_ms"], summary["first_interim_latency_ms"]
    text = (
        f"WER {summary['wer']:.1%} (file {file_wer:.1%}); final p50 {final['p50']} ms, "
        f"p95 {final['p95']} ms, latest {summary['latest_final_ms']} ms; first interim p50 "
        f"{interim['p50']} ms, p95 {interim['p95']} ms; {summary['kept_up']}/"
        f"{summary['streams']} kept up; RTF {summary['compute_per_audio_second']}"
    )
    if summary["refused"]:
        text += f"; {summary['refused']} refused"
    return text


def _peer_headline(summary: dict[str, Any], file_wer: float) -> str:
    final = summary["final_latency_ms"]
    wer = f"{summary['wer']:.1%}" if summary["wer"] is not None else "none"
    return (
        f"WER {wer} (Parley file {file_wer:.1%}); final p50 {final['p50']} ms, p95 "
        f"{final['p95']} ms, latest {summary['latest_final_ms']} ms; finals for "
        f"{'/'.join(map(str, summary['utterances_with_final']))} of {summary['utterances']} "
        f"utterances; {len(summary['failed'])} failed"
    )
