"""Piper speaks, Whisper listens: the round trip, sentence streaming, rate, formats."""

from __future__ import annotations

import pytest

from parley.audio.decode import decode_audio
from parley.domain.audio import AudioEncoding, RawAudioFormat
from parley.domain.speech import AudioFormat, SynthesisOptions
from parley.domain.transcript import RecognitionOptions
from parley.errors import InvalidArgument, UnknownVoice
from parley.evaluation.wer import spoken_form, word_error_rate
from parley.services import synthesis as synthesis_module
from parley.services.container import Services
from parley.services.transcription import AudioInput

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Please call Stella and ask her to bring these things with her from the store.",
    "The museum opens at nine in the morning on weekdays.",
    "She sells sea shells by the sea shore.",
    "We will need six spoons of fresh snow peas and five thick slabs of blue cheese.",
    "A large storm is expected to reach the coast tomorrow evening.",
    "The children played in the garden until it was dark.",
    "My brother bought a new bicycle last summer.",
    "Turn left at the second traffic light and park near the library.",
    "It costs $3.50, Dr. Smith said on January 5, 2024.",
]
# Twenty more of other kinds (questions, commands, names, numbers, long words): the round
# trip is measured on all thirty.
MORE_SENTENCES = [
    "Where did you leave the keys to the car?",
    "Could you send me the report before Friday afternoon?",
    "Open the window, it is getting warm in here.",
    "The train to Edinburgh leaves from platform four.",
    "Add two cups of flour and a pinch of salt.",
    "He has lived in the same small village for forty years.",
    "Why is the sky blue on a clear day?",
    "Our meeting has been moved to half past three.",
    "The doctor told him to drink more water and rest.",
    "Please remind me to water the plants tomorrow morning.",
    "The orchestra played a symphony by Beethoven.",
    "I would like a table for two near the window.",
    "The river flooded the fields after a week of heavy rain.",
    "Remember to switch off the lights when you leave.",
    "The new library has more than ten thousand books.",
    "Can you hear the birds singing outside?",
    "She finished the marathon in just under four hours.",
    "The bakery on the corner sells fresh bread every morning.",
    "Set an alarm for six thirty.",
    "Thank you very much for your help yesterday.",
]


def test_thirty_sentences_round_trip(services: Services) -> None:
    text = " ".join(SENTENCES + MORE_SENTENCES)
    result = services.synthesis.synthesize(text, SynthesisOptions(format=AudioFormat.WAV))
    record = services.transcription.transcribe(
        AudioInput(result.audio, "tts.wav"), RecognitionOptions(language="en")
    )
    score = word_error_rate([text], [record.text])
    print(f"TTS -> ASR WER {score.wer:.3f}: {record.text}")
    assert score.wer <= 0.05
    # "$3.50" and "Dr." were spoken as words, so Whisper heard them.
    assert "three dollars" in spoken_form(record.text)


def test_one_chunk_per_sentence_as_each_is_ready(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = services.synthesis.validate(" ".join(SENTENCES[:3]), SynthesisOptions())
    prepared: list[str] = []
    real = synthesis_module.normalize_for_speech

    def counted(text: str, language: str = "en") -> str:
        prepared.append(text)
        return real(text, language)

    monkeypatch.setattr(synthesis_module, "normalize_for_speech", counted)
    stream = services.synthesis.stream(" ".join(SENTENCES[:3]), options)
    first = next(stream)
    # The first sentence is handed over before the next one is even prepared.
    assert len(prepared) == 1
    chunks = [first, *stream]
    assert len(chunks) == 3
    assert len(prepared) == 3
    assert all(c.sample_rate == 22050 and len(c.samples) > 22050 for c in chunks)


def test_speaking_rate_changes_duration(services: Services) -> None:
    text = SENTENCES[1]
    normal = services.synthesis.synthesize(text, SynthesisOptions()).record.duration
    fast = services.synthesis.synthesize(text, SynthesisOptions(rate=2.0)).record.duration
    slow = services.synthesis.synthesize(text, SynthesisOptions(rate=0.5)).record.duration
    # Piper draws phoneme lengths with some noise (about 10 % from call to call), and
    # the shortest phonemes cannot shrink below one frame, so fast speech saturates.
    assert 0.45 * normal < fast < 0.8 * normal
    assert 1.5 * normal < slow < 2.4 * normal


@pytest.mark.parametrize(
    ("fmt", "rate"),
    [
        (AudioFormat.MP3, 44100),
        (AudioFormat.OGG_OPUS, 48000),
        (AudioFormat.MULAW, 8000),
        (AudioFormat.ALAW, 8000),
        (AudioFormat.PCM, 16000),
        (AudioFormat.FLAC, 24000),
    ],
)
def test_output_formats_are_heard_right(services: Services, fmt: AudioFormat, rate: int) -> None:
    text = SENTENCES[2] + " " + SENTENCES[6]
    result = services.synthesis.synthesize(text, SynthesisOptions(format=fmt, sample_rate=rate))
    raw = {
        AudioFormat.MULAW: AudioEncoding.MULAW,
        AudioFormat.ALAW: AudioEncoding.ALAW,
        AudioFormat.PCM: AudioEncoding.LINEAR16,
    }.get(fmt)
    audio = decode_audio(result.audio, raw=RawAudioFormat(raw, rate) if raw else None)
    assert audio.sample_rate == rate
    spec, options = services.transcription.validate(RecognitionOptions(language="en"))
    heard = services.transcription.recognize(audio, spec, options)
    assert word_error_rate([text], [heard.text]).wer <= 0.1, heard.text
    stored = services.store.get_synthesis(result.record.id)
    assert services.store.audio.read(stored.audio_key) == result.audio


def test_bad_requests(services: Services) -> None:
    with pytest.raises(UnknownVoice, match="unknown voice 'nobody'"):
        services.synthesis.validate("hi", SynthesisOptions(voice="nobody"))
    with pytest.raises(InvalidArgument, match="no text"):
        services.synthesis.validate("  ", SynthesisOptions())
    with pytest.raises(InvalidArgument, match="at most 5000"):
        services.synthesis.validate("a" * 5001, SynthesisOptions())
    with pytest.raises(InvalidArgument, match="rate"):
        services.synthesis.validate("hi", SynthesisOptions(rate=9))


def test_text_of_only_symbols_is_refused_and_not_stored(services: Services) -> None:
    before = services.store.list_syntheses()[1]
    # Nothing a voice can say: the same clear error in every format (an empty MP3 or
    # Opus stream cannot even be encoded).
    for fmt in (AudioFormat.WAV, AudioFormat.MP3):
        with pytest.raises(InvalidArgument, match="nothing a voice can say"):
            services.synthesis.synthesize("...", SynthesisOptions(format=fmt))
    assert services.store.list_syntheses()[1] == before
