"""Google Text-to-Speech v1 with the official google-cloud-texttospeech client, over gRPC
and REST, against a real server; what it speaks is checked by ear (Parley's own ASR)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

import av
import grpc
import httpx
import jiwer
import numpy as np
import pytest
from google.api_core import exceptions
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import speech_v1 as speech
from google.cloud import texttospeech_v1 as tts
from google.cloud.texttospeech_v1.services.text_to_speech.transports import (
    TextToSpeechGrpcTransport,
)

from parley.audio.resample import resample
from parley.evaluation.wer import word_error_rate
from tests.conftest import assert_heard
from tests.contract.conftest import Server, heard_pcm

Encoding = tts.AudioEncoding
VOICE = tts.VoiceSelectionParams(language_code="en-US")
SENTENCES = "The quick brown fox jumps over the lazy dog. It was a bright cold day in April."


@pytest.fixture(scope="module")
def grpc_tts(server: Server) -> tts.TextToSpeechClient:
    channel = grpc.insecure_channel(server.grpc)
    return tts.TextToSpeechClient(transport=TextToSpeechGrpcTransport(channel=channel))


@pytest.fixture(scope="module")
def rest_tts(server: Server) -> tts.TextToSpeechClient:
    return tts.TextToSpeechClient(
        credentials=AnonymousCredentials(),
        transport="rest",
        client_options=ClientOptions(api_endpoint=server.http),
    )


@pytest.fixture(params=["grpc", "rest"])
def any_tts(
    request: pytest.FixtureRequest,
    grpc_tts: tts.TextToSpeechClient,
    rest_tts: tts.TextToSpeechClient,
) -> tts.TextToSpeechClient:
    return grpc_tts if request.param == "grpc" else rest_tts


def synthesize(client: tts.TextToSpeechClient, text: str = SENTENCES, **audio: object) -> bytes:
    config = tts.AudioConfig(**{"audio_encoding": Encoding.LINEAR16, **audio})
    response = client.synthesize_speech(
        input=tts.SynthesisInput(text=text), voice=VOICE, audio_config=config
    )
    return bytes(response.audio_content)


def decoded(data: bytes) -> tuple[np.ndarray, int]:
    """Any container PyAV reads -> mono float32 samples and their rate."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        frames = [
            f.to_ndarray().reshape(-1, stream.codec_context.channels)
            for f in container.decode(stream)
        ]
    samples = np.concatenate(frames)[:, 0].astype(np.float32)
    if samples.dtype.kind == "i" or np.abs(samples).max() > 1.5:
        samples = samples / 32768.0
    return samples, rate


def heard(
    client: speech.SpeechClient, samples: np.ndarray, rate: int, language: str = "en-US"
) -> str:
    pcm = (np.clip(resample(samples, rate, 16000), -1, 1) * 32767).astype("<i2").tobytes()
    return heard_pcm(client, pcm, 16000, language)


def test_list_voices_all_and_by_language(any_tts: tts.TextToSpeechClient) -> None:
    voices = any_tts.list_voices().voices
    assert voices, "no voice listed"
    for voice in voices:
        assert voice.name
        assert voice.language_codes
        assert voice.natural_sample_rate_hertz >= 8000
        assert voice.ssml_gender != tts.SsmlVoiceGender.SSML_VOICE_GENDER_UNSPECIFIED
    english = any_tts.list_voices(language_code="en-US").voices
    assert {v.name for v in english} <= {v.name for v in voices}
    assert english
    assert all(any(c.startswith("en") for c in v.language_codes) for v in english)
    assert not any_tts.list_voices(language_code="xx-XX").voices


@pytest.mark.parametrize(
    ("encoding", "rate"),
    [
        (Encoding.LINEAR16, 16000),
        (Encoding.MP3, 24000),
        (Encoding.OGG_OPUS, 48000),
        (Encoding.MULAW, 8000),
        (Encoding.ALAW, 8000),
        (Encoding.M4A, 22050),
    ],
)
def test_every_encoding_decodes_at_the_rate_asked(
    any_tts: tts.TextToSpeechClient, encoding: Encoding, rate: int
) -> None:
    samples, got_rate = decoded(
        synthesize(any_tts, audio_encoding=encoding, sample_rate_hertz=rate)
    )
    assert got_rate == rate
    # Two sentences of speech: a few seconds, not silence.
    assert 2.5 < len(samples) / rate < 12
    assert np.sqrt(np.mean(samples**2)) > 0.01


def test_pcm_is_headerless_16_bit_at_the_natural_rate(grpc_tts: tts.TextToSpeechClient) -> None:
    natural = grpc_tts.list_voices(language_code="en-US").voices[0].natural_sample_rate_hertz
    wav = decoded(synthesize(grpc_tts))
    pcm = synthesize(grpc_tts, audio_encoding=Encoding.PCM)
    assert wav[1] == natural
    # Piper draws phoneme lengths with some noise: the same text, about the same length.
    assert abs(len(pcm) // 2 - len(wav[0])) < 0.1 * len(wav[0])


def test_what_it_says_is_heard(
    any_tts: tts.TextToSpeechClient, client: speech.SpeechClient
) -> None:
    """Piper draws phoneme lengths with noise, so each synthesis differs a little: two
    words of the seventeen misheard happen now and then ("quit", "jumped")."""
    samples, rate = decoded(synthesize(any_tts))
    assert_heard(heard(client, samples, rate), SENTENCES, max_wer=0.15)


def test_speaking_rate_two_roughly_halves_the_length(any_tts: tts.TextToSpeechClient) -> None:
    normal, _rate = decoded(synthesize(any_tts))
    fast, _ = decoded(synthesize(any_tts, speaking_rate=2.0))
    assert 0.4 < len(fast) / len(normal) < 0.75  # the shortest phonemes cannot shrink


def test_volume_gain_scales_the_loudness(any_tts: tts.TextToSpeechClient) -> None:
    normal, _ = decoded(synthesize(any_tts))
    quiet, _ = decoded(synthesize(any_tts, volume_gain_db=-12.0))
    ratio = np.sqrt(np.mean(quiet**2) / np.mean(normal**2))
    assert 0.2 < ratio < 0.3  # -12 dB is a quarter of the amplitude


def _median_pitch(samples: np.ndarray, rate: int) -> float:
    """Median fundamental over the loud frames, by autocorrelation (60-500 Hz)."""
    frame = int(0.04 * rate)
    found = []
    loud = np.sqrt(np.mean(samples**2)) * 0.5
    for start in range(0, len(samples) - frame, frame):
        piece = samples[start : start + frame]
        if np.sqrt(np.mean(piece**2)) < loud:
            continue
        corr = np.correlate(piece, piece, "full")[frame - 1 :]
        low, high = rate // 500, rate // 60
        lag = low + int(np.argmax(corr[low:high]))
        found.append(rate / lag)
    return float(np.median(found))


def test_pitch_moves_the_voice_by_the_semitones_asked(any_tts: tts.TextToSpeechClient) -> None:
    normal, rate = decoded(synthesize(any_tts))
    higher, _ = decoded(synthesize(any_tts, pitch=7.0))
    ratio = _median_pitch(higher, rate) / _median_pitch(normal, rate)
    assert 1.3 < ratio < 1.7  # seven semitones up: 1.5x
    assert 0.9 < len(higher) / len(normal) < 1.1  # the same length


def test_telephony_profile_keeps_the_telephone_band(any_tts: tts.TextToSpeechClient) -> None:
    full, rate = decoded(synthesize(any_tts, sample_rate_hertz=16000))
    phone, _ = decoded(
        synthesize(
            any_tts, sample_rate_hertz=16000, effects_profile_id=["telephony-class-application"]
        )
    )

    def above(samples: np.ndarray, hz: float) -> float:
        spectrum = np.abs(np.fft.rfft(samples)) ** 2
        freqs = np.fft.rfftfreq(len(samples), 1 / rate)
        return float(spectrum[freqs > hz].sum() / spectrum.sum())

    assert above(phone, 4000) < above(full, 4000) / 5


def test_streaming_speaks_each_sentence_as_it_arrives(
    grpc_tts: tts.TextToSpeechClient, client: speech.SpeechClient
) -> None:
    """The second sentence is sent only after audio for the first came back: a server that
    waited for the whole text would never answer (the test would time out)."""
    first_audio = threading.Event()
    sentences = ["Good morning, this is your captain speaking.", "We will land in ten minutes."]
    natural = grpc_tts.list_voices(language_code="en-US").voices[0].natural_sample_rate_hertz

    def requests() -> Iterator[tts.StreamingSynthesizeRequest]:
        yield tts.StreamingSynthesizeRequest(
            streaming_config=tts.StreamingSynthesizeConfig(
                voice=VOICE,
                streaming_audio_config=tts.StreamingAudioConfig(audio_encoding=Encoding.PCM),
            )
        )
        yield tts.StreamingSynthesizeRequest(
            input=tts.StreamingSynthesisInput(text=sentences[0] + " ")
        )
        assert first_audio.wait(60), "no audio for the first sentence before the second was sent"
        yield tts.StreamingSynthesizeRequest(input=tts.StreamingSynthesisInput(text=sentences[1]))

    chunks = []
    for response in grpc_tts.streaming_synthesize(requests()):
        chunks.append(bytes(response.audio_content))
        first_audio.set()
    assert len(chunks) >= 2
    samples = np.frombuffer(b"".join(chunks), "<i2").astype(np.float32) / 32768
    assert_heard(heard(client, samples, natural), " ".join(sentences), max_wer=0.25)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"input": tts.SynthesisInput(text="   ")}, "input.text"),
        ({"input": tts.SynthesisInput(text="a" * 5001)}, "input.text"),
        ({"voice": tts.VoiceSelectionParams(name="no-such-voice")}, "voice.name"),
        ({"voice": tts.VoiceSelectionParams(language_code="xx-XX")}, "voice.language_code"),
        ({"audio_config": {"speaking_rate": 9.0}}, "audio_config.speaking_rate"),
        ({"audio_config": {"pitch": 30.0}}, "audio_config.pitch"),
        ({"audio_config": {"volume_gain_db": 40.0}}, "audio_config.volume_gain_db"),
        ({"audio_config": {"sample_rate_hertz": 1}}, "audio_config.sample_rate_hertz"),
        ({"audio_config": {"sample_rate_hertz": 10_000_000}}, "audio_config.sample_rate_hertz"),
        ({"audio_config": {"audio_encoding": 0}}, "audio_config.audio_encoding"),
        ({"audio_config": {"audio_encoding": 99}}, "audio_config.audio_encoding"),
        ({"audio_config": {"effects_profile_id": ["no-such"]}}, "audio_config.effects_profile_id"),
    ],
)
def test_bad_requests_name_the_field(
    any_tts: tts.TextToSpeechClient, fields: dict[str, object], field: str
) -> None:
    request: dict[str, object] = {
        "input": tts.SynthesisInput(text="Hello."),
        "voice": VOICE,
        "audio_config": {"audio_encoding": Encoding.LINEAR16},
    }
    fields = dict(fields)  # the parameters are shared between gRPC and REST
    audio = fields.pop("audio_config", None)
    request.update(fields)
    if isinstance(audio, dict):
        request["audio_config"] = {**request["audio_config"], **audio}  # type: ignore[dict-item]
    request["audio_config"] = tts.AudioConfig(**request["audio_config"])  # type: ignore[arg-type]
    # InvalidArgument over gRPC, BadRequest (its parent) over REST, as against Google.
    with pytest.raises(exceptions.BadRequest) as caught:
        any_tts.synthesize_speech(request=tts.SynthesizeSpeechRequest(**request))
    assert field in str(caught.value)
    # Still serving.
    assert synthesize(any_tts, "Still here.")


def ssml(client: tts.TextToSpeechClient, markup: str) -> tuple[np.ndarray, int]:
    response = client.synthesize_speech(
        input=tts.SynthesisInput(ssml=markup),
        voice=VOICE,
        audio_config=tts.AudioConfig(audio_encoding=Encoding.LINEAR16),
    )
    return decoded(bytes(response.audio_content))


def _longest_silence(samples: np.ndarray, rate: int) -> float:
    frame = rate // 100  # 10 ms
    frames = samples[: len(samples) // frame * frame].reshape(-1, frame)
    longest = run = 0
    for quiet in np.sqrt(np.mean(frames**2, axis=1)) < 0.005:
        run = run + 1 if quiet else 0
        longest = max(longest, run)
    return longest / 100


def test_a_two_second_break_adds_two_seconds(any_tts: tts.TextToSpeechClient) -> None:
    """Two seconds of silence more, where the break is."""
    plain, rate = ssml(any_tts, "<speak>Open the door. Then close it.</speak>")
    paused, _ = ssml(any_tts, '<speak>Open the door. <break time="2s"/> Then close it.</speak>')
    assert _longest_silence(plain, rate) < 1.0
    assert 2.0 <= _longest_silence(paused, rate) <= 2.5
    assert abs((len(paused) - len(plain)) / rate - 2.0) <= 0.2


def test_say_as_and_sub_change_what_is_said(
    any_tts: tts.TextToSpeechClient, client: speech.SpeechClient
) -> None:
    plain, rate = ssml(any_tts, "<speak>The word is dog.</speak>")
    spelled, _ = ssml(
        any_tts, '<speak>The word is <say-as interpret-as="characters">dog</say-as>.</speak>'
    )
    # Three letters take longer than one word, and are heard as D, O, G (written
    # "D-O-G", "D.O.G." or "d o g", as Whisper pleases; now and then one letter is
    # misheard, "DUO-G").
    assert (len(spelled) - len(plain)) / rate > 0.4
    letters = "".join(c for c in heard(client, spelled, rate).lower() if c.isalpha())
    assert letters.startswith("thewordis")
    assert jiwer.cer("dog", letters.removeprefix("thewordis")) <= 1 / 3
    alias, rate = ssml(
        any_tts, '<speak>I work for the <sub alias="World Health Organization">WHO</sub>.</speak>'
    )
    assert_heard(heard(client, alias, rate), "I work for the World Health Organization", 0.15)


def test_markup_pauses_lengthen_the_audio(any_tts: tts.TextToSpeechClient) -> None:
    config = tts.AudioConfig(audio_encoding=Encoding.LINEAR16)
    gaps = []
    for text in ("Ready. Go.", "Ready. [pause long] Go."):
        response = any_tts.synthesize_speech(
            input=tts.SynthesisInput(markup=text), voice=VOICE, audio_config=config
        )
        gaps.append(_longest_silence(*decoded(bytes(response.audio_content))))
    assert gaps[0] < 1.0
    assert 1.0 <= gaps[1] <= 1.7  # a long pause is 1 s, with Piper's own around it


@pytest.mark.parametrize(
    ("markup", "says"),
    [
        ("<speak>unclosed", "line 1"),
        ("<speak><blink>x</blink></speak>", "unknown SSML element <blink>"),
        ('<speak><audio src="https://example.com/a.wav"/></speak>', "<audio> is not supported"),
        ("<speak>" + "a " * 2600 + "</speak>", "at most 5000 bytes"),
    ],
)
def test_bad_ssml_is_refused(any_tts: tts.TextToSpeechClient, markup: str, says: str) -> None:
    with pytest.raises(exceptions.BadRequest) as caught:
        ssml(any_tts, markup)
    assert says in str(caught.value)
    assert "input.ssml" in str(caught.value)


def test_each_synthesis_is_in_the_history(server: Server, grpc_tts: tts.TextToSpeechClient) -> None:

    synthesize(grpc_tts, "Remember the purple elephant.", audio_encoding=Encoding.MP3)
    listed = httpx.get(f"{server.http}/v1/syntheses", params={"search": "PURPLE elephant"}).json()
    (record,) = listed["syntheses"]
    assert record["text"] == "Remember the purple elephant."
    assert record["audioFormat"] == "mp3"
    assert record["inferenceSeconds"] > 0
    assert record["duration"] > 1
    audio = httpx.get(f"{server.http}/v1/syntheses/{record['id']}/audio")
    assert audio.headers["content-type"] == "audio/mpeg"
    assert decoded(audio.content)[0].size > 0
    assert httpx.delete(f"{server.http}/v1/syntheses/{record['id']}").status_code == 200
    assert httpx.get(f"{server.http}/v1/syntheses/{record['id']}").status_code == 404


# Three everyday sentences per language, each spoken and heard on its own: eSpeak is
# robotic and Whisper base small, so one sentence can come back as other words on some
# CPU; over three, many words come through (docs/benchmarks.md gives each voice's figure).
OTHER_LANGUAGES = {
    "de-DE": [
        "Guten Morgen. Das Wetter ist heute sehr schön.",
        "Ich heiße Anna und wohne seit zehn Jahren in Berlin. Ich arbeite in einer Schule.",
        "Der Zug nach München fährt um acht Uhr ab. Wir haben Brot, Käse und Obst gekauft.",
    ],
    "fr-FR": [
        "Il fait beau aujourd'hui. Fermez la porte quand vous quittez la maison.",
        "Le train pour Lyon part à huit heures. Nous avons acheté du pain et des fruits.",
        "Bonjour, je m'appelle Paul. J'ai trente ans et j'aime la musique et le cinéma.",
    ],
}


def _words(text: str) -> set[str]:
    return {w.strip(",.").lower() for w in text.split()}


@pytest.mark.parametrize("language", sorted(OTHER_LANGUAGES))
def test_other_languages_are_spoken_by_espeak(
    grpc_tts: tts.TextToSpeechClient, client: speech.SpeechClient, language: str
) -> None:
    voices = grpc_tts.list_voices(language_code=language).voices
    assert voices
    assert all(v.language_codes[0].split("-")[0] == language[:2] for v in voices)
    texts = OTHER_LANGUAGES[language]
    said = [_spoken_then_heard(grpc_tts, client, language, text) for text in texts]
    score = word_error_rate(texts, said, language[:2])
    assert score.wer < 0.9, said
    shared = set.union(*(_words(t) & _words(h) for t, h in zip(texts, said, strict=True)))
    assert len(shared) >= 6, said


def _spoken_then_heard(
    grpc_tts: tts.TextToSpeechClient, client: speech.SpeechClient, language: str, text: str
) -> str:
    response = grpc_tts.synthesize_speech(
        input=tts.SynthesisInput(text=text),
        voice=tts.VoiceSelectionParams(language_code=language),
        audio_config=tts.AudioConfig(audio_encoding=Encoding.LINEAR16, sample_rate_hertz=16000),
    )
    samples, rate = decoded(bytes(response.audio_content))
    return heard(client, samples, rate, language)


@pytest.mark.parametrize("text", [".", "-"])
def test_text_with_nothing_to_say_is_refused(any_tts: tts.TextToSpeechClient, text: str) -> None:
    for encoding in (Encoding.MP3, Encoding.LINEAR16):
        with pytest.raises(exceptions.BadRequest, match="nothing a voice can say"):
            synthesize(any_tts, text, audio_encoding=encoding)


def test_a_caller_may_keep_the_text_without_the_audio(server: Server) -> None:
    body = {
        "input": {"text": "Forget the turquoise giraffe."},
        "voice": {"languageCode": "en-US"},
        "audioConfig": {"audioEncoding": "LINEAR16"},
    }
    answer = httpx.post(
        f"{server.http}/v1/text:synthesize", json=body, headers={"x-parley-keep-audio": "false"}
    )
    assert answer.status_code == 200
    assert answer.json()["audioContent"]  # the caller still gets the audio
    listed = httpx.get(f"{server.http}/v1/syntheses", params={"search": "turquoise giraffe"})
    (record,) = listed.json()["syntheses"]
    assert record["audioFormat"] is None
    missing = httpx.get(f"{server.http}/v1/syntheses/{record['id']}/audio")
    assert missing.status_code == 404
    assert "without its audio" in missing.text
