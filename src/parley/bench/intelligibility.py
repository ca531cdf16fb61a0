"""How well each voice is understood: its speech transcribed by Whisper base (told the
language), WER against what it was asked to say. A machine listener, not a person: a low
figure means the words come through, not that the voice is pleasant."""

from __future__ import annotations

from typing import Any

from parley.domain.access import Caller
from parley.domain.speech import SynthesisOptions
from parley.domain.transcript import RecognitionOptions
from parley.evaluation.wer import word_error_rate
from parley.services.container import Services
from parley.services.transcription import AudioInput

# Two everyday sentences per language, written for this benchmark.
SAMPLES = {
    "en": "The weather is nice today. Please close the door when you leave the house.",
    "de": "Das Wetter ist heute schön. Bitte schließen Sie die Tür, wenn Sie das Haus verlassen.",
    "fr": "Il fait beau aujourd'hui. Fermez la porte quand vous quittez la maison.",
    "es": "Hoy hace buen tiempo. Por favor, cierra la puerta cuando salgas de casa.",
    "it": "Oggi il tempo è bello. Per favore, chiudi la porta quando esci di casa.",
    "nl": "Het weer is mooi vandaag. Doe de deur dicht als je het huis verlaat.",
    "pt": "O tempo está bom hoje. Por favor, feche a porta quando sair de casa.",
    "pl": "Dzisiaj jest ładna pogoda. Proszę zamknąć drzwi, kiedy wychodzisz z domu.",
    "ru": "Сегодня хорошая погода. Пожалуйста, закройте дверь, когда уходите из дома.",
    "sv": "Vädret är fint idag. Stäng dörren när du går hemifrån.",
}


def measure(services: Services) -> dict[str, Any]:
    """Per voice of a language in SAMPLES: WER, and the words it was asked to say."""
    out: dict[str, Any] = {}
    for voice in services.synthesis.voices():
        language = voice.language.split("-")[0]
        if language not in SAMPLES:
            continue
        text = SAMPLES[language]
        spoken = services.synthesis.synthesize(text, SynthesisOptions(voice=voice.name))
        heard = services.transcription.transcribe(
            AudioInput(spoken.audio, "voice.wav"),
            RecognitionOptions(language=language),
            caller=Caller(None, keep_audio=False, protocol="bench"),
        )
        score = word_error_rate([text], [heard.text], language)
        services.store.delete_synthesis(spoken.record.id)
        services.store.delete_transcription(heard.id)
        out[voice.name] = {
            "language": voice.language,
            "engine": voice.engine,
            "wer": round(score.wer, 3),
            "words": score.reference_words,
            "heard": heard.text,
        }
    return out
