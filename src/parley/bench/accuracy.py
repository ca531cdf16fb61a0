"""WER per file and overall for each installed model."""

from __future__ import annotations

from typing import Any

from parley.audio.decode import decode_audio
from parley.bench.context import BenchContext, SuiteResult
from parley.domain.transcript import RecognitionOptions
from parley.engines.registry import STT_MODELS
from parley.evaluation.wer import word_error_rate

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
    return SuiteResult("accuracy", {"normalization": NORMALIZATION, "models": per_model}, headline)
