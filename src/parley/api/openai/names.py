"""OpenAI's model and voice names -> Parley's (Parley's own names are taken as they are)."""

from __future__ import annotations

from parley.api.openai.errors import OpenAIError
from parley.engines.registry import MODEL_ALIASES, STT_MODELS, tts_voices

# Transcription models: OpenAI's name -> the Parley model that answers to it.
TRANSCRIPTION_MODELS = {
    "whisper-1": "whisper-base",
    "gpt-4o-mini-transcribe": "whisper-base",
    "gpt-4o-transcribe": "accurate",
    "gpt-transcribe": "accurate",
    "gpt-live-transcribe": "whisper-base",
}
# Speech models: every one speaks with the voice chosen; the names differ in nothing else.
SPEECH_MODELS = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts")
# OpenAI's voices -> installed voices. Piper's US English voice is the one natural voice
# that ships, so each OpenAI voice is that voice; eSpeak NG voices are named directly.
DEFAULT_VOICE = "en_US-joe-medium"
OPENAI_VOICES = (
    "alloy",
    "ash",
    "ballad",
    "coral",
    "echo",
    "fable",
    "nova",
    "onyx",
    "sage",
    "shimmer",
    "verse",
    "marin",
    "cedar",
)


def transcription_model(name: str) -> str:
    if name in TRANSCRIPTION_MODELS:
        return TRANSCRIPTION_MODELS[name]
    resolved = MODEL_ALIASES.get(name, name)
    if resolved in STT_MODELS:
        return resolved
    known = ", ".join([*TRANSCRIPTION_MODELS, *STT_MODELS])
    raise OpenAIError(
        f"The model `{name}` does not exist here; transcription models: {known}",
        status=404,
        param="model",
        code="model_not_found",
    )


def speech_model(name: str) -> None:
    if name not in SPEECH_MODELS and name not in tts_voices():
        raise OpenAIError(
            f"The model `{name}` does not exist here; speech models: {', '.join(SPEECH_MODELS)}",
            status=404,
            param="model",
            code="model_not_found",
        )


def voice(name: str, model: str) -> str:
    """OpenAI's voice names, Parley's voice names; a Parley voice given as the model
    (`model="espeak-de"`) speaks when the voice is one of OpenAI's."""
    if name in tts_voices():
        return name
    if name.lower() in OPENAI_VOICES:
        return model if model in tts_voices() else DEFAULT_VOICE
    raise OpenAIError(
        f"The voice `{name}` does not exist; use one of {', '.join(OPENAI_VOICES)} or an "
        "installed voice (GET /v1/voices)",
        status=400,
        param="voice",
        code="invalid_value",
    )


def model_ids() -> list[str]:
    """Every model id a client may name, OpenAI's and Parley's."""
    return [*TRANSCRIPTION_MODELS, *STT_MODELS, *SPEECH_MODELS]
