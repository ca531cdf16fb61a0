"""Recognize with the official google-cloud-speech client, over gRPC and REST."""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import numpy as np
import pytest
import soundfile as sf
from google.cloud import speech_v1 as speech
from google.cloud.speech_v1.services.speech.transports import SpeechGrpcAsyncIOTransport

from parley.audio.encode import encode_audio, encode_with_ffmpeg
from parley.audio.resample import resample
from parley.domain.speech import AudioFormat
from parley.evaluation.wer import word_error_rate
from tests.conftest import SPEECH_DIR, assert_heard, clip, clips
from tests.contract.conftest import DATA, Server

Encoding = speech.RecognitionConfig.AudioEncoding


def config(**fields: object) -> speech.RecognitionConfig:
    return speech.RecognitionConfig(language_code="en-US", **fields)


def content(name: str) -> speech.RecognitionAudio:
    return speech.RecognitionAudio(content=clip(name).path.read_bytes())


def text(response: speech.RecognizeResponse) -> str:
    return " ".join(r.alternatives[0].transcript for r in response.results)


def test_dev_set_over_grpc_within_the_wer_bound(client: speech.SpeechClient) -> None:
    def recognized(name: str) -> str:
        punctuated = config(enable_automatic_punctuation=True)
        return text(client.recognize(config=punctuated, audio=content(name)))

    with ThreadPoolExecutor(2) as requests:  # two at a time, as the two workers take them
        hypotheses = list(requests.map(recognized, [c.name for c in clips()]))
    score = word_error_rate([c.reference for c in clips()], hypotheses)
    print(f"gRPC dev-set WER {score.wer:.3f}")
    assert score.wer <= 0.05


def test_rest_gives_the_same_results(
    client: speech.SpeechClient, rest: speech.SpeechClient
) -> None:
    for name in ("ps_librivox_0870", "arctic_a0007"):
        request = {"config": config(enable_word_time_offsets=True), "audio": content(name)}
        assert rest.recognize(**request) == client.recognize(**request)


def test_async_client(server: Server) -> None:
    async def run() -> str:
        channel = grpc.aio.insecure_channel(server.grpc)
        client = speech.SpeechAsyncClient(transport=SpeechGrpcAsyncIOTransport(channel=channel))
        response = await client.recognize(config=config(), audio=content("ps_goforward"))
        await channel.close()
        return text(response)

    assert_heard(asyncio.run(run()), "go forward ten meters")


def test_words_only_when_asked(any_client: speech.SpeechClient) -> None:
    plain = any_client.recognize(config=config(), audio=content("ps_goforward"))
    assert not plain.results[0].alternatives[0].words
    timed = any_client.recognize(
        config=config(enable_word_time_offsets=True), audio=content("ps_goforward")
    )
    words = timed.results[0].alternatives[0].words
    assert [w.word for w in words] == ["go", "forward", "10", "meters"]
    starts = [w.start_time.total_seconds() for w in words]
    assert starts == sorted(starts)
    assert all(w.confidence == 0 for w in words)
    assert words[-1].end_time.total_seconds() <= 2.8
    sure = any_client.recognize(
        config=config(enable_word_confidence=True), audio=content("ps_goforward")
    )
    words = sure.results[0].alternatives[0].words
    assert all(0 < w.confidence <= 1 for w in words)
    assert all(w.start_time.total_seconds() == 0 for w in words)


def test_results_carry_end_time_language_and_billing(client: speech.SpeechClient) -> None:
    response = client.recognize(config=config(), audio=content("ps_librivox_0870"))
    assert len(response.results) == 1
    result = response.results[0]
    assert result.language_code == "en-us"
    assert 6.0 < result.result_end_time.total_seconds() <= 7.1
    assert response.total_billed_time.total_seconds() == 8  # 7.1 s, billed by the second
    assert 0 < result.alternatives[0].confidence <= 1


def test_max_alternatives(any_client: speech.SpeechClient) -> None:
    response = any_client.recognize(
        config=config(max_alternatives=4), audio=content("ps_cards_005")
    )
    alternatives = response.results[0].alternatives
    assert 2 <= len(alternatives) <= 4
    assert len({a.transcript for a in alternatives}) == len(alternatives)
    assert all(0 < a.confidence <= 1 for a in alternatives)
    # The reading given first is the one the recognizer trusts: it is the plainest match.
    assert_heard(alternatives[0].transcript, clip("ps_cards_005").reference, max_wer=0.35)


def test_punctuation_on_and_off(any_client: speech.SpeechClient) -> None:
    on = text(
        any_client.recognize(
            config=config(enable_automatic_punctuation=True), audio=content("ps_librivox_0870")
        )
    )
    off = text(any_client.recognize(config=config(), audio=content("ps_librivox_0870")))
    assert on.startswith("And Mr. John Dashwood")
    assert on.endswith(".")
    assert off.startswith("and Mr John Dashwood")
    assert not set(off) & set(".,?!")


def test_phrase_hint_changes_the_result(any_client: speech.SpeechClient) -> None:
    plain = text(any_client.recognize(config=config(), audio=content("ps_cards_005")))
    hinted = text(
        any_client.recognize(
            config=config(speech_contexts=[speech.SpeechContext(phrases=["clubs"], boost=10)]),
            audio=content("ps_cards_005"),
        )
    )
    assert "clubs" not in plain
    assert "4 of clubs" in hinted


def test_inline_phrase_sets_with_custom_classes(client: speech.SpeechClient) -> None:
    adaptation = speech.SpeechAdaptation(
        custom_classes=[
            speech.CustomClass(
                custom_class_id="suit", items=[{"value": "clubs"}, {"value": "spades"}]
            )
        ],
        phrase_sets=[speech.PhraseSet(phrases=[{"value": "${suit}", "boost": 10}])],
    )
    hinted = text(
        client.recognize(config=config(adaptation=adaptation), audio=content("ps_cards_005"))
    )
    assert "4 of clubs" in hinted


def test_transcript_normalization(client: speech.SpeechClient) -> None:
    entries = [speech.TranscriptNormalization.Entry(search="meters", replace="metres")]
    response = client.recognize(
        config=config(transcript_normalization=speech.TranscriptNormalization(entries=entries)),
        audio=content("ps_goforward"),
    )
    assert text(response) == "go forward 10 metres"


def test_two_speakers_on_two_channels(client: speech.SpeechClient) -> None:
    left, right = clip("ps_goforward").samples(), clip("arctic_a0007").samples()
    stereo = np.zeros((max(len(left), len(right)), 2), np.float32)
    stereo[: len(left), 0], stereo[: len(right), 1] = left, right
    buffer = io.BytesIO()
    sf.write(buffer, stereo, 16000, format="WAV")
    response = client.recognize(
        config=config(audio_channel_count=2, enable_separate_recognition_per_channel=True),
        audio=speech.RecognitionAudio(content=buffer.getvalue()),
    )
    by_channel = {r.channel_tag: r.alternatives[0].transcript for r in response.results}
    assert by_channel == {
        1: "go forward 10 meters",
        2: "and you always want to see it in the superlative degree",
    }
    assert response.total_billed_time.total_seconds() == 8  # 4 s on each of two channels


@pytest.mark.parametrize(
    ("encoding", "rate", "make"),
    [
        (Encoding.MULAW, 8000, lambda s: encode_audio(s, 16000, AudioFormat.MULAW, 8000)),
        (Encoding.LINEAR16, 16000, lambda s: encode_audio(s, 16000, AudioFormat.PCM)),
        (Encoding.FLAC, 16000, lambda s: encode_audio(s, 16000, AudioFormat.FLAC)),
        (Encoding.OGG_OPUS, 16000, lambda s: encode_audio(s, 16000, AudioFormat.OGG_OPUS, 16000)),
        (Encoding.MP3, 16000, lambda s: encode_audio(s, 16000, AudioFormat.MP3)),
        (
            Encoding.WEBM_OPUS,
            48000,
            lambda s: encode_with_ffmpeg(resample(s, 16000, 48000), 48000, "webm", "libopus"),
        ),
    ],
    ids=lambda v: v.name if isinstance(v, Encoding) else None,
)
def test_encodings(
    any_client: speech.SpeechClient, encoding: Encoding, rate: int, make: object
) -> None:
    samples = clip("ps_librivox_0930").samples()
    data = make(samples)  # type: ignore[operator]
    response = any_client.recognize(
        config=config(encoding=encoding, sample_rate_hertz=rate),
        audio=speech.RecognitionAudio(content=data),
    )
    assert_heard(text(response), clip("ps_librivox_0930").reference, max_wer=0.1)


def test_file_uri(any_client: speech.SpeechClient) -> None:
    uri = (SPEECH_DIR / "ps_goforward.wav").as_uri()
    response = any_client.recognize(config=config(), audio=speech.RecognitionAudio(uri=uri))
    assert_heard(text(response), "go forward ten meters")


def test_silence_gives_no_results(client: speech.SpeechClient, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(16000 * 3, np.float32), 16000, format="WAV")
    response = client.recognize(
        config=config(), audio=speech.RecognitionAudio(content=buffer.getvalue())
    )
    assert list(response.results) == []


def test_alternative_language_codes(client: speech.SpeechClient) -> None:
    response = client.recognize(
        config=speech.RecognitionConfig(
            language_code="fr-FR", alternative_language_codes=["en-US"]
        ),
        audio=content("ps_librivox_0870"),
    )
    assert response.results[0].language_code == "en-us"
    assert "dashwood" in text(response).lower()


def test_profanity_filter(client: speech.SpeechClient) -> None:
    swearing = (DATA / "tts" / "swearing.flac").read_bytes()
    audio = speech.RecognitionAudio(content=swearing)
    plain = text(client.recognize(config=config(), audio=audio))
    masked = text(client.recognize(config=config(profanity_filter=True), audio=audio))
    assert plain == "this is shit what the fuck are you doing"
    assert masked == "this is s*** what the f*** are you doing"
