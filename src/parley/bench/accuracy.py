"""WER per file and overall for each installed model, and how well automatic punctuation
places sentence ends and commas: on the speech set's punctuated references, and on
punctuated text that Piper speaks (the bundled set is mostly unpunctuated)."""

from __future__ import annotations

from typing import Any

from parley.audio.decode import decode_audio
from parley.bench.context import BenchContext, SuiteResult
from parley.bench.speech import Utterance
from parley.domain.speech import AudioFormat, SynthesisOptions
from parley.domain.transcript import RecognitionOptions
from parley.engines.registry import STT_MODELS
from parley.evaluation.punctuation import PunctuationScore, has_punctuation, punctuation_score
from parley.evaluation.wer import word_error_rate
from parley.services.container import Services

# Punctuated text for Piper to speak: sentence ends of all kinds, commas in lists and
# after clauses.
SPOKEN_TEXTS = (
    "The museum opens at nine in the morning. Tickets cost twelve dollars for adults, and "
    "children go in free. Guided tours leave from the main hall every hour.",
    "If the train is late, please call the office. Do you know where the station is? "
    "It is next to the bank, behind the old church.",
    "We need eggs, milk, bread and butter. After lunch, we can walk to the park. "
    "What a beautiful day it is!",
)
NORMALIZATION = (
    "Whisper's English text normalizer for English (as published Whisper figures), its "
    "basic normalizer for other languages; an empty reference counts heard words as errors"
)


def run(ctx: BenchContext) -> SuiteResult:
    models = ["whisper-tiny.en"] if ctx.quick else list(STT_MODELS)
    sets = {name: clips[:3] if ctx.quick else clips for name, clips in ctx.speech_sets().items()}
    per_model: dict[str, Any] = {}
    headline = []
    # One request at a time on the machine's workers: a model reads a clip on one of
    # them, a combination reads each of its parts on a worker of its own.
    with ctx.services() as services:
        for model in models:
            per_model[model] = {
                name: _score(services, model, clips) for name, clips in sets.items()
            }
            headline.append((f"WER {model}", _side_by_side(per_model[model])))
        marks = _punctuation(
            services, models[0], sets["tuning"][:0] if ctx.quick else sets["tuning"], ctx.quick
        )
    headline += [
        (
            f"punctuation ({models[0]}), {name}",
            f"precision {_share(score.precision)}, recall {_share(score.recall)} "
            f"({score.hits + score.missed} in the references)",
        )
        for name, score in marks.marks.items()
    ]
    punctuation = {
        "model": models[0],
        **{
            name: {
                "hits": m.hits,
                "missed": m.missed,
                "extra": m.extra,
                "precision": m.precision,
                "recall": m.recall,
            }
            for name, m in marks.marks.items()
        },
    }
    return SuiteResult(
        "accuracy",
        {
            "normalization": NORMALIZATION,
            "workers": ctx.settings.workers,
            "models": per_model,
            "punctuation": punctuation,
        },
        headline,
    )


def _score(services: Services, model: str, speech: list[Utterance]) -> dict[str, Any]:
    """WER over the clips in the model's languages: overall, per language, per kind of
    speech and per file, with the compute it took."""
    spec = STT_MODELS[model]
    heard: list[tuple[Utterance, str]] = []
    compute = audio_seconds = 0.0
    for utterance in speech:
        if utterance.language not in spec.languages:
            continue
        checked, options = services.transcription.validate(
            RecognitionOptions(model=model, language=utterance.language)
        )
        transcript = services.transcription.recognize(
            decode_audio(utterance.data), checked, options
        )
        compute += transcript.inference_seconds
        audio_seconds += utterance.duration
        heard.append((utterance, transcript.text))
    groups = {
        "languages": {
            lang: [h for h in heard if h[0].language == lang] for lang in _keys(heard, "language")
        },
        "kinds": {kind: [h for h in heard if h[0].kind == kind] for kind in _keys(heard, "kind")},
    }
    return {
        **_wer(heard),
        "audio_seconds": round(audio_seconds, 1),
        "real_time_factor": round(compute / audio_seconds, 3) if audio_seconds else None,
        **{
            name: {key: _wer(part) for key, part in parts.items()} for name, parts in groups.items()
        },
        "files": [
            {
                "file": u.name,
                "language": u.language,
                "wer": round(word_error_rate([u.reference], [text], u.language).wer, 4),
                "hypothesis": text,
                "reference": u.reference,
            }
            for u, text in heard
        ],
    }


def _keys(heard: list[tuple[Utterance, str]], field: str) -> list[str]:
    return sorted({getattr(u, field) for u, _ in heard})


def _wer(heard: list[tuple[Utterance, str]]) -> dict[str, Any]:
    """Errors summed over languages, each normalized as its language is."""
    errors = words = 0
    for language in _keys(heard, "language"):
        part = [(u, t) for u, t in heard if u.language == language]
        score = word_error_rate([u.reference for u, _ in part], [t for _, t in part], language)
        errors, words = errors + score.errors, words + score.reference_words
    return {"wer": round(errors / words, 4) if words else None, "errors": errors, "words": words}


def _side_by_side(scores: dict[str, Any]) -> str:
    return "; ".join(
        f"{name} {score['wer']:.1%} ({score['errors']}/{score['words']}, "
        f"RTF {score['real_time_factor']})"
        for name, score in scores.items()
        if score["wer"] is not None
    )


def _punctuation(
    services: Services, model: str, speech: list[Utterance], quick: bool
) -> PunctuationScore:
    spec, options = services.transcription.validate(RecognitionOptions(model=model, language="en"))
    pairs = [(u.reference, decode_audio(u.data)) for u in speech if has_punctuation(u.reference)]
    for text in SPOKEN_TEXTS[:1] if quick else SPOKEN_TEXTS:
        spoken = services.synthesis.synthesize(text, SynthesisOptions(format=AudioFormat.WAV))
        pairs.append((text, decode_audio(spoken.audio)))
    hypotheses = [services.transcription.recognize(a, spec, options).text for _, a in pairs]
    return punctuation_score([r for r, _ in pairs], hypotheses)


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"
