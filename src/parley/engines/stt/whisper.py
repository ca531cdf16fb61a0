"""Whisper through faster-whisper (CTranslate2): int8 on CPU, CUDA when present.

Imported only when a model is loaded (see the registry), so faster-whisper is too."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from faster_whisper import WhisperModel

from parley.domain.audio import FloatArray
from parley.domain.transcript import NO_SPACE_LANGUAGES, Alternative, Segment, Transcript, Word
from parley.engines.base import DecodeRequest
from parley.engines.stt import nbest
from parley.engines.stt.hallucination import without_invented_tail
from parley.engines.stt.loops import before_loop, stretched_tail, without_loop
from parley.engines.stt.phrase_bias import PhraseBooster, words_of
from parley.engines.stt.segmenting import (
    DecodedWord,
    Piece,
    duration_of,
    packed,
    speech_after,
    speech_pieces,
    split_at_pauses,
)
from parley.errors import UnsupportedLanguage

PIECE_SECONDS = 20
# Padding around a segment when its audio is decoded again (phrases, alternatives).
NBEST_PAD_SECONDS = 0.2
MAX_WINDOW_SECONDS = 30.0
# A fitted window leaves this much silence after the speech, and lasts at least this
# long: with less, Whisper did not see the end and repeated itself.
FITTED_PAD_SECONDS = 2.0
MIN_FITTED_SECONDS = 5
# Whisper may end a piece's text early: this much speech after its last word is decoded
# again on its own (at most this many times).
UNREAD_SECONDS = 2.0
UNREAD_RETRIES = 2


class WhisperEngine:
    """Speech found by faster-whisper's VAD is packed into pieces of at most 20 s, and each
    piece is decoded on its own, with timestamps.

    Measured on ten minutes of real speech: long-form decoding that carries text from one
    window to the next fell into hallucination loops that skipped whole passages (5-12 %
    WER, depending on 0.1 s shifts of the window); the batched pipeline (30 s pieces,
    no timestamps) ended pieces early and dropped their last sentences (2-4 % of words
    deleted); 20 s pieces decoded with timestamps, which let a piece resume where its text
    stopped, lost no more than the model's own errors (3.6-4.2 % WER, mostly "clubs").

    Whisper may still end a piece's text early, or loop: a loop is cut, and speech left
    after the last word is read again on its own. There are no retries at random
    temperatures, so a piece reads the same every time, whichever worker decodes it."""

    sample_rate = 16000

    def __init__(
        self,
        name: str,
        model_dir: Path,
        languages: frozenset[str],
        *,
        device: str,
        compute_type: str,
        cpu_threads: int,
        beam_size: int = 5,
    ) -> None:
        self.name = name
        self.languages = languages
        self._beam_size = beam_size
        self._model = _WindowedModel(
            str(model_dir), device=device, compute_type=compute_type, cpu_threads=cpu_threads
        )
        self._booster = PhraseBooster(self._model)

    def transcribe(self, samples: FloatArray, request: DecodeRequest) -> Transcript:
        started = time.perf_counter()
        duration = samples.shape[0] / self.sample_rate
        language = self._language(request.language)
        for candidate in request.candidates:
            self._language(candidate)
        segments, language = self._decode(samples, language, request)
        return Transcript(
            segments=tuple(segments),
            language=language or "und",
            duration=duration,
            model=self.name,
            inference_seconds=time.perf_counter() - started,
        )

    def _language(self, requested: str | None) -> str | None:
        if requested is None:
            return None if len(self.languages) > 1 else next(iter(self.languages))
        if requested not in self.languages:
            raise UnsupportedLanguage(
                f"model {self.name} does not recognize language {requested!r}", field="language"
            )
        return requested

    def _decode(
        self, samples: FloatArray, language: str | None, request: DecodeRequest
    ) -> tuple[list[Segment], str | None]:
        segments: list[Segment] = []
        first_language = None
        for piece in speech_pieces(
            samples, PIECE_SECONDS, self.sample_rate, utterance=request.live
        ):
            if request.candidates and request.language is None:
                # Each piece may be in another of the languages the caller named.
                language = self._detect_among(packed(samples, piece.stretches), request.candidates)
            found, language = self._decode_piece(samples, piece, language, request)
            # Without a language given, the first piece settles it for the rest.
            first_language = first_language or language
            segments += found
        if segments and (request.phrases or request.alternatives > 1):
            segments = [self._refine(samples, s, request) for s in segments]
        return segments, first_language

    def _decode_piece(
        self,
        samples: FloatArray,
        piece: Piece,
        language: str | None,
        request: DecodeRequest,
    ) -> tuple[list[Segment], str]:
        stretches = piece.stretches
        audio = packed(samples, stretches)
        duration = len(audio) / self.sample_rate
        window = max(MIN_FITTED_SECONDS, math.ceil(duration + FITTED_PAD_SECONDS))
        if request.live:
            for seconds in (window, 2 * window):  # the second shows it more silence
                words, found = self._decode_audio(
                    audio, stretches, samples, language, request, window_seconds=seconds
                )
                kept = without_loop(words, duration, piece.speech_end / self.sample_rate)
                if kept is not None:
                    return split_at_pauses(without_invented_tail(kept), found), found
            # Still looping: a live result cannot wait for more readings (each costs more
            # than the last); what came before the loop, if anything.
            return split_at_pauses(
                without_invented_tail(before_loop(words, duration)), found
            ), found
        words, found = self._decode_audio(
            audio, stretches, samples, language, request, window_seconds=None
        )
        # A loop is cut, and what it covered is read again below.
        words = before_loop(words, duration)
        # Whisper may lay its last words over speech it left unread: read from the first of
        # them on, the reading that finds more words stands.
        if (stretched := stretched_tail(words)) is not None:
            start = int(words[stretched].word.start * self.sample_rate)
            again = self._read_rest(samples, speech_after(stretches, start), found, request)
            if len(again) > len(words) - stretched:
                words = words[:stretched] + again
        for _ in range(UNREAD_RETRIES):
            after = int(words[-1].word.end * self.sample_rate) if words else 0
            unread = speech_after(stretches, after)
            left = duration_of(unread, self.sample_rate)
            if not words or left < UNREAD_SECONDS:
                break
            more = self._read_rest(samples, unread, found, request)
            if not more:
                break
            words += more
        return split_at_pauses(without_invented_tail(words), found), found

    def _read_rest(
        self,
        samples: FloatArray,
        unread: list[dict[str, int]],
        language: str,
        request: DecodeRequest,
    ) -> list[DecodedWord]:
        """Speech a reading left unread, read on its own: the encoder sees only it (and
        some silence), not a 30 s window."""
        left = duration_of(unread, self.sample_rate)
        if not left:
            return []
        fitted = max(MIN_FITTED_SECONDS, math.ceil(left + FITTED_PAD_SECONDS))
        more, _ = self._decode_audio(
            packed(samples, unread), unread, samples, language, request, window_seconds=fitted
        )
        return before_loop(more, left)

    def _decode_audio(
        self,
        audio: FloatArray,
        piece: list[dict[str, int]],
        samples: FloatArray,
        language: str | None,
        request: DecodeRequest,
        *,
        window_seconds: int | None,
    ) -> tuple[list[DecodedWord], str]:
        from faster_whisper.transcribe import restore_speech_timestamps

        with self._model.window(window_seconds):
            raw, info = self._model.transcribe(
                audio,
                language=language,
                task=request.task.value,
                beam_size=1 if request.greedy else self._beam_size,
                # No retries at higher temperatures, which sample at random: the same
                # audio reads the same every time unless the caller asks for sampling.
                # Loops are cut and what they hid is read again instead.
                temperature=0.0 if request.live else request.temperature,
                initial_prompt=request.prompt or None,
                # A live reading that loops stops soon, instead of filling its window.
                max_new_tokens=_token_budget(len(audio) / self.sample_rate)
                if request.live
                else None,
                vad_filter=False,
                word_timestamps=True,
                condition_on_previous_text=False,
            )
            decoded = list(restore_speech_timestamps(raw, piece, self.sample_rate))
        return _words(decoded, len(samples) / self.sample_rate, info.language), info.language

    def _detect_among(self, audio: FloatArray, candidates: tuple[str, ...]) -> str:
        _, _, probabilities = self._model.detect_language(audio)
        scores = dict(probabilities)
        return max(candidates, key=lambda code: scores.get(code, 0.0))

    def _tokenizer(self, language: str, request: DecodeRequest) -> Any:
        from faster_whisper.tokenizer import Tokenizer

        multilingual = self._model.model.is_multilingual
        return Tokenizer(
            self._model.hf_tokenizer, multilingual, task=request.task.value, language=language
        )

    def _refine(self, samples: FloatArray, segment: Segment, request: DecodeRequest) -> Segment:
        """Phrase boosting and n-best readings, on the segment's own audio."""
        tokenizer = self._tokenizer(segment.language, request)
        start = max(0.0, segment.start - NBEST_PAD_SECONDS)
        end = min(segment.end + NBEST_PAD_SECONDS, start + MAX_WINDOW_SECONDS)
        window = samples[int(start * self.sample_rate) : int(end * self.sample_rate)]
        if request.phrases:
            segment = self._booster.apply(segment, window, start, request.phrases, tokenizer)
        if request.alternatives > 1:
            found = nbest.readings(self._model, window, tokenizer, request.alternatives + 1)
            segment = _with_alternatives(segment, found, request.alternatives)
        return segment


class _WindowedModel(WhisperModel):  # type: ignore[misc]
    """faster-whisper's model, whose encoder can be shown less than Whisper's 30 s window
    (CTranslate2 accepts any length up to it)."""

    _frames: int | None = None

    @contextlib.contextmanager
    def window(self, seconds: int | None) -> Iterator[None]:
        self._frames = None if seconds is None else seconds * 100  # 10 ms frames
        try:
            yield
        finally:
            self._frames = None

    def _split_segments_by_timestamps(
        self, tokenizer: Any, tokens: list[int], **kwargs: Any
    ) -> Any:
        """In a fitted window the decoder has seen all the audio: its text ends there.
        faster-whisper would otherwise read a second window from the last word on (the
        same cost again for a fraction of a second of pause), or read an unfinished last
        segment again from its start."""
        if self._frames is not None:
            end = round(kwargs["segment_duration"] / self.time_precision)
            tokens = _ended(tokens, tokenizer.timestamp_begin, end)
        return super()._split_segments_by_timestamps(tokenizer=tokenizer, tokens=tokens, **kwargs)

    def encode(self, features: Any) -> Any:
        if self._frames is not None:
            features = features[..., : self._frames]
        return super().encode(features)


def _ended(tokens: list[int], timestamp_begin: int, end: int) -> list[int]:
    """`tokens` ending as Whisper ends the text of its last window: on one timestamp
    (`end`, in timestamp steps, is where the audio ends)."""
    stamps = [t for t in tokens if t >= timestamp_begin]
    if not stamps:
        return tokens
    if tokens[-1] < timestamp_begin:  # an unfinished segment: it ends with the audio
        return [*tokens, max(timestamp_begin + end, stamps[-1])]
    if len(tokens) >= 2 and tokens[-2] >= timestamp_begin:  # a segment begun, no text
        return tokens[:-1]
    return tokens


def _token_budget(seconds: float) -> int:
    """Far more tokens than anyone speaks in `seconds`, far fewer than a loop writes."""
    return int(12 + 10 * seconds)


def _words(decoded: Iterable[Any], duration: float, language: str) -> list[DecodedWord]:
    """Whisper's words in order. A piece Whisper wrote without a space before it ("-5"
    after "5") belongs to the word before: "5-5" stays one word, as in Whisper's text."""
    spaced = language not in NO_SPACE_LANGUAGES
    words: list[DecodedWord] = []
    for segment in decoded:
        first = True
        for w in segment.words or ():
            text = w.word.strip()
            if not text:
                continue
            start = min(max(0.0, float(w.start)), duration)
            end = min(max(start, float(w.end)), duration)
            word = Word(text, round(start, 3), round(end, 3), round(float(w.probability), 4))
            if spaced and not first and not w.word.startswith(" "):
                before = words[-1].word
                merged = Word(
                    before.text + text,
                    before.start,
                    word.end,
                    min(before.confidence, word.confidence),
                )
                pieces = (*words[-1].as_decoded, word)
                words[-1] = DecodedWord(merged, words[-1].sentence_start, pieces)
            else:
                words.append(DecodedWord(word, first))
            first = False
    return words


def _ending_like(text: str, best: str) -> str:
    """A reading ends the way the best one does: the alternatives are decoded from the
    segment alone, which Whisper always closes with a period, even mid-sentence."""
    ends = ".?!…"
    core = text.rstrip(ends)
    return core + best[len(best.rstrip(ends)) :]


def _with_alternatives(segment: Segment, found: list[tuple[str, float]], count: int) -> Segment:
    """The full-context reading stays first. The others follow in beam order, each with
    the first's confidence scaled by its likelihood relative to the beam's best."""
    best = segment.best
    top = found[0][1] if found else 0.0
    seen = {words_of(best.text)}
    merged = [best]
    for text, logprob in found:
        key = words_of(text)
        if key in seen:
            continue
        seen.add(key)
        confidence = min(merged[-1].confidence, best.confidence * math.exp(logprob - top))
        merged.append(Alternative(_ending_like(text, best.text), round(confidence, 4)))
        if len(merged) == count:
            break
    return Segment(segment.start, segment.end, tuple(merged), segment.language, segment.channel)
