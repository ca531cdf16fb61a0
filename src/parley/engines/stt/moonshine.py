"""Moonshine base (English) through onnxruntime, from the `.ort` files that the
moonshine-cpp package ships. That package's own library (and the onnxruntime copy it
loads with ctypes) is never imported: the files are read as data.

Moonshine has no timestamps: each piece of speech (as the VAD finds it, at most 20 s) is
decoded whole, greedily, and its words are spread over the piece's speech in proportion
to their length. Confidence is the mean probability of a word's tokens."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from parley.domain.audio import FloatArray
from parley.domain.transcript import Transcript, Word
from parley.engines.base import DecodeRequest
from parley.engines.stt.ort_format import onnx_model
from parley.engines.stt.segmenting import DecodedWord, packed, speech_pieces, split_at_pauses
from parley.errors import UnsupportedLanguage

PIECE_SECONDS = 20
START_TOKEN = 1
END_TOKEN = 2
# Moonshine's own limit on what a decode may write: far more than anyone says.
MAX_TOKENS_PER_SECOND = 6.5
SPACE = "\u2581"  # the tokenizer's mark for a space before a token


class MoonshineEngine:
    sample_rate = 16000
    languages = frozenset({"en"})

    def __init__(self, name: str, model_dir: Path, *, device: str, cpu_threads: int) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = cpu_threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        providers = ["CPUExecutionProvider"]
        if device == "cuda":
            providers.insert(0, "CUDAExecutionProvider")
        self.name = name
        # As ONNX models, optimized when the session is made: five times faster than
        # the `.ort` files as saved (see `ort_format`).
        self._encoder, self._decoder = (
            onnxruntime.InferenceSession(
                onnx_model(model_dir / name).SerializeToString(), options, providers=providers
            )
            for name in ("encoder_model.ort", "decoder_model_merged.ort")
        )
        self._tokens = read_tokenizer((model_dir / "tokenizer.bin").read_bytes())
        self._inputs = {i.name: i for i in self._decoder.get_inputs()}
        self._outputs = [o.name for o in self._decoder.get_outputs()]

    def transcribe(self, samples: FloatArray, request: DecodeRequest) -> Transcript:
        started = time.perf_counter()
        if request.language not in (None, "en") or any(c != "en" for c in request.candidates):
            raise UnsupportedLanguage(
                f"model {self.name} recognizes English only", field="language"
            )
        words: list[DecodedWord] = []
        for piece in speech_pieces(
            samples, PIECE_SECONDS, self.sample_rate, utterance=request.live
        ):
            tokens, probabilities = self._decode(packed(samples, piece.stretches))
            words += _placed(self._words(tokens, probabilities), piece.speech, self.sample_rate)
        return Transcript(
            segments=tuple(split_at_pauses(words, "en")),
            language="en",
            duration=len(samples) / self.sample_rate,
            model=self.name,
            inference_seconds=time.perf_counter() - started,
        )

    def _decode(self, audio: FloatArray) -> tuple[list[int], list[float]]:
        """Greedy decoding with the decoder's key/value cache."""
        encoder_input = self._encoder.get_inputs()[0].name
        hidden = self._encoder.run(None, {encoder_input: audio[None, :].astype(np.float32)})[0]
        past = {
            name: np.zeros((1, spec.shape[1], 1, spec.shape[3]), np.float32)
            for name, spec in self._inputs.items()
            if name.startswith("past_key_values.")
        }
        limit = math.ceil(len(audio) / self.sample_rate * MAX_TOKENS_PER_SECOND)
        tokens: list[int] = []
        probabilities: list[float] = []
        last = START_TOKEN
        for step in range(limit):
            feeds: dict[str, Any] = {
                "input_ids": np.array([[last]], np.int64),
                "encoder_hidden_states": hidden,
                "use_cache_branch": np.array([step > 0]),
                **past,
            }
            outputs = dict(zip(self._outputs, self._decoder.run(None, feeds), strict=True))
            for name in past:
                # The encoder's keys and values are computed once, at the first step.
                if step == 0 or ".decoder." in name:
                    past[name] = outputs[name.replace("past_key_values.", "present.")]
            logits = outputs["logits"][0, -1].astype(np.float64)
            last = int(np.argmax(logits))
            if last == END_TOKEN:
                break
            shifted = np.exp(logits - logits[last])
            tokens.append(last)
            probabilities.append(float(1.0 / shifted.sum()))
        return tokens, probabilities

    def _words(self, tokens: list[int], probabilities: list[float]) -> list[tuple[str, float]]:
        """(word, confidence) for each word the tokens spell."""
        words: list[tuple[list[str], list[float]]] = []
        for token, probability in zip(tokens, probabilities, strict=True):
            text = self._tokens[token] if token < len(self._tokens) else ""
            if not text or (text.startswith("<") and text.endswith(">")):
                continue
            if text.startswith(SPACE) or not words:
                words.append(([], []))
            words[-1][0].append(text.replace(SPACE, ""))
            words[-1][1].append(probability)
        return [("".join(parts), float(np.mean(p))) for parts, p in words if "".join(parts)]


def read_tokenizer(data: bytes) -> list[str]:
    """Moonshine's tokenizer.bin: for each token id in order, its byte length (one byte,
    or two when the first is 128 or more) followed by its UTF-8 bytes."""
    tokens: list[str] = []
    offset = 0
    while offset < len(data):
        length = data[offset]
        offset += 1
        if length >= 128:
            length = data[offset] * 128 + length - 128
            offset += 1
        tokens.append(data[offset : offset + length].decode("utf-8", errors="replace"))
        offset += length
    return tokens


def _placed(
    words: list[tuple[str, float]], speech: list[dict[str, int]], rate: int
) -> list[DecodedWord]:
    """Each word gets a share of the piece's speech in proportion to its length, laid
    over the stretches of speech the VAD found in the piece."""
    if not words:
        return []
    stretches = [(s["start"] / rate, s["end"] / rate) for s in speech]
    total = sum(end - start for start, end in stretches)
    weights = [len(text) + 1 for text, _ in words]
    scale = total / sum(weights)
    out: list[DecodedWord] = []
    spoken = 0.0  # seconds of the piece's speech before the word
    for index, ((text, confidence), weight) in enumerate(zip(words, weights, strict=True)):
        start = _at(stretches, spoken, starting=True)
        spoken += weight * scale
        end = max(start, _at(stretches, spoken, starting=False))
        word = Word(text, round(start, 3), round(end, 3), round(confidence, 4))
        out.append(DecodedWord(word, index == 0))
    return out


def _at(stretches: list[tuple[float, float]], spoken: float, *, starting: bool) -> float:
    """The time in the audio `spoken` seconds into the speech of the stretches; where one
    stretch ends and the next begins, a word `starting` there starts in the next."""
    for start, end in stretches:
        length = end - start
        if spoken < length or (spoken <= length and not starting):
            return start + spoken
        spoken -= length
    return stretches[-1][1]
