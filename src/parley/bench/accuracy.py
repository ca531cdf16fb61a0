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
    "both sides spelled out as spoken (digits, money, abbreviations), lower-cased, "
    "hyphens split, punctuation dropped"
)


def run(ctx: BenchContext) -> SuiteResult:
    models = ["whisper-tiny.en"] if ctx.quick else list(STT_MODELS)
    speech = ctx.speech[:3] if ctx.quick else ctx.speech
    per_model: dict[str, Any] = {}
    headline = []
    with ctx.services(workers=1) as services:
        for model in models:
            spec, options = services.transcription.validate(
                RecognitionOptions(model=model, language="en")
            )
            files, texts = [], []
            for utterance in speech:
                audio = decode_audio(utterance.data)
                text = services.transcription.recognize(audio, spec, options).text
                score = word_error_rate([utterance.reference], [text])
                texts.append(text)
                files.append(
                    {
                        "file": utterance.name,
                        "wer": round(score.wer, 4),
                        "errors": score.errors,
                        "words": score.reference_words,
                        "hypothesis": text,
                        "reference": utterance.reference,
                    }
                )
            overall = word_error_rate([u.reference for u in speech], texts)
            per_model[model] = {
                "wer": round(overall.wer, 4),
                "errors": overall.errors,
                "words": overall.reference_words,
                "files": files,
            }
            headline.append(
                (f"WER {model}", f"{overall.wer:.1%} ({overall.errors}/{overall.reference_words})")
            )
        marks = _punctuation(services, models[0], speech[:0] if ctx.quick else speech, ctx.quick)
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
        {"normalization": NORMALIZATION, "models": per_model, "punctuation": punctuation},
        headline,
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
