"""Pitch, gain and the telephone band on a pure tone (FFmpeg's filters through PyAV)."""

from __future__ import annotations

import numpy as np
import pytest

from parley.audio.effects import apply_effects

RATE = 22050


def tone(hz: float, seconds: float = 1.0) -> np.ndarray:
    return (0.3 * np.sin(2 * np.pi * hz * np.arange(int(RATE * seconds)) / RATE)).astype(np.float32)


def peak_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.argmax(spectrum) * RATE / len(samples))


@pytest.mark.parametrize("semitones", [-20.0, -12.0, -3.5, 7.0, 12.0, 20.0])
def test_pitch_moves_the_tone_and_keeps_the_length(semitones: float) -> None:
    shifted = apply_effects(tone(200), RATE, pitch_semitones=semitones)
    assert peak_hz(shifted) == pytest.approx(200 * 2 ** (semitones / 12), rel=0.03)
    assert len(shifted) == pytest.approx(RATE, rel=0.05)


def test_gain_in_decibels() -> None:
    quieter = apply_effects(tone(200), RATE, gain_db=-6.0)
    assert np.abs(quieter).max() == pytest.approx(0.3 * 10 ** (-6 / 20), rel=0.01)


def test_the_telephone_band_cuts_low_and_high_tones() -> None:
    for hz, kept in ((100, False), (1000, True), (6000, False)):
        out = apply_effects(tone(hz), RATE, telephone=True)[RATE // 10 :]
        ratio = np.sqrt(np.mean(out**2)) / (0.3 / np.sqrt(2))
        assert (ratio > 0.8) if kept else (ratio < 0.6), (hz, ratio)


def test_nothing_asked_changes_nothing() -> None:
    samples = tone(440)
    assert np.array_equal(apply_effects(samples, RATE), samples)
