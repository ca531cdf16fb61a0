from __future__ import annotations

from parley.engines.stt.moonshine import _placed, read_tokenizer


def test_the_tokenizer_file_holds_lengths_then_bytes() -> None:
    long = "x" * 200  # a length of 128 or more takes two bytes
    data = bytes([0, 3]) + b"<s>" + bytes([4]) + "▁a".encode() + bytes([200 - 128 + 128, 1])
    data += long.encode()
    assert read_tokenizer(data) == ["", "<s>", "▁a", long]


def test_words_share_the_speech_of_their_piece_by_length() -> None:
    # Two stretches of speech, 1 s each, with a pause between them.
    piece = [{"start": 0, "end": 16000}, {"start": 32000, "end": 48000}]
    words = _placed([("hello", 0.9), ("there", 0.8)], piece, 16000)
    first, second = (w.word for w in words)
    assert (first.start, second.end) == (0.0, 3.0)
    assert first.end <= 1.0
    assert second.start >= 2.0
    assert words[0].sentence_start
    assert not words[1].sentence_start
    assert _placed([], piece, 16000) == []
