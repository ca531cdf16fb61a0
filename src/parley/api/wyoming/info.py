"""What a `describe` is answered with: Parley's recognition models and voices."""

from __future__ import annotations

from wyoming.info import AsrModel, AsrProgram, Attribution, Info, TtsProgram, TtsVoice

from parley import __version__
from parley.engines.registry import STT_MODELS
from parley.services.container import Services

PARLEY = Attribution(name="Parley", url="https://pypi.org/project/parley/")
_MADE_BY = {
    "whisper": Attribution(name="OpenAI", url="https://github.com/openai/whisper"),
    "moonshine": Attribution(
        name="Useful Sensors", url="https://github.com/usefulsensors/moonshine"
    ),
    "combined": PARLEY,
    "piper": Attribution(name="Rhasspy", url="https://github.com/rhasspy/piper"),
    "espeak-ng": Attribution(name="eSpeak NG", url="https://github.com/espeak-ng/espeak-ng"),
}


def describe(services: Services) -> Info:
    models = [
        AsrModel(
            name=spec.name,
            attribution=_MADE_BY[spec.family],
            installed=True,
            description=spec.description,
            version=None,
            languages=sorted(spec.languages),
        )
        for spec in STT_MODELS.values()
    ]
    voices = [
        TtsVoice(
            name=voice.name,
            attribution=_MADE_BY.get(voice.engine, PARLEY),
            installed=True,
            description=f"{voice.language}, {voice.gender}",
            version=None,
            languages=[voice.language],
        )
        for voice in services.synthesis.voices()
    ]
    return Info(
        asr=[
            AsrProgram(
                name="parley",
                attribution=PARLEY,
                installed=True,
                description="Parley speech recognition",
                version=__version__,
                models=models,
                supports_transcript_streaming=True,
            )
        ],
        tts=[
            TtsProgram(
                name="parley",
                attribution=PARLEY,
                installed=True,
                description="Parley speech synthesis",
                version=__version__,
                voices=voices,
                supports_synthesize_streaming=True,
            )
        ],
    )
