"""SSML and pause markup into phrases and pauses; bad SSML refused with where it is."""

from __future__ import annotations

import pytest

from parley.domain.speech import Pause, Phrase
from parley.errors import InvalidArgument
from parley.services.ssml import parse_markup, parse_ssml


def said(parts: list[Phrase | Pause]) -> str:
    return " ".join(" ".join(p.text.split()) for p in parts if isinstance(p, Phrase))


def test_breaks_by_time_and_strength() -> None:
    parts = parse_ssml(
        '<speak>One. <break time="2s"/> Two. <break time="500ms"/> Three.'
        '<break strength="strong"/>Four.</speak>'
    )
    assert [p.seconds for p in parts if isinstance(p, Pause)] == [2.0, 0.5, 0.75]
    assert said(parts) == "One. Two. Three. Four."


def test_a_break_over_ten_seconds_is_ten() -> None:
    assert Pause(10.0) in parse_ssml('<speak>a <break time="60s"/> b</speak>')


def test_prosody_nests_and_the_tail_returns_to_the_outer_voice() -> None:
    parts = parse_ssml(
        '<speak>Plain <prosody rate="slow" pitch="+2st" volume="+6dB">slow '
        '<prosody rate="200%">faster</prosody></prosody> plain again</speak>'
    )
    phrases = [p for p in parts if isinstance(p, Phrase)]
    assert [(p.text.strip(), p.rate, p.pitch, p.gain_db) for p in phrases] == [
        ("Plain", 1.0, 0.0, 0.0),
        ("slow", 0.75, 2.0, 6.0),
        ("faster", 1.5, 2.0, 6.0),
        ("plain again", 1.0, 0.0, 0.0),
    ]


def test_emphasis_is_slower_and_louder() -> None:
    (phrase,) = parse_ssml('<speak><emphasis level="strong">now</emphasis></speak>')
    assert isinstance(phrase, Phrase)
    assert phrase.rate < 1
    assert phrase.gain_db > 0


@pytest.mark.parametrize(
    ("element", "written"),
    [
        ('<say-as interpret-as="characters">can</say-as>', "C A N"),
        ('<say-as interpret-as="spell-out">ab1</say-as>', "A B 1"),
        ('<say-as interpret-as="verbatim">a.b</say-as>', "A dot B"),
        ('<say-as interpret-as="cardinal">12,345</say-as>', "12345"),
        ('<say-as interpret-as="ordinal">22</say-as>', "22nd"),
        ('<say-as interpret-as="digits">1234</say-as>', "1 2 3 4"),
        ('<say-as interpret-as="fraction">5+1/2</say-as>', "5 1/2"),
        ('<say-as interpret-as="unit">10kg</say-as>', "10 kg"),
        (
            '<say-as interpret-as="date" format="yyyymmdd">1960-09-10</say-as>',
            "September 10th, 1960",
        ),
        (
            '<say-as interpret-as="date" format="dmy" detail="1">10/9/1960</say-as>',
            "the 10th of September, 1960",
        ),
        ('<say-as interpret-as="date" format="ymd">19600910</say-as>', "September 10th, 1960"),
        ('<say-as interpret-as="time">2\'30"</say-as>', "2 minutes 30 seconds"),
        ('<say-as interpret-as="time">14:30</say-as>', "14:30"),
        (
            '<say-as interpret-as="telephone" format="1">(555) 123-4567</say-as>',
            "plus 1, 5 5 5, 1 2 3, 4 5 6 7",
        ),
        ('<sub alias="World Wide Web Consortium">W3C</sub>', "World Wide Web Consortium"),
    ],
)
def test_say_as_and_sub_write_what_is_to_be_said(element: str, written: str) -> None:
    assert said(parse_ssml(f"<speak>{element}</speak>")) == written


def test_paragraphs_and_sentences_are_read_apart() -> None:
    parts = parse_ssml("<speak><p><s>First one</s><s>second one</s></p><p>Next</p></speak>")
    assert [type(p).__name__ for p in parts] == [
        "Phrase",
        "Pause",
        "Phrase",
        "Pause",
        "Phrase",
        "Pause",
    ]


def test_marks_say_nothing_and_namespaces_are_accepted() -> None:
    parts = parse_ssml(
        '<speak version="1.1" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">'
        'Hi <mark name="here"/>there</speak>'
    )
    assert said(parts) == "Hi there"


@pytest.mark.parametrize(
    ("ssml", "where"),
    [
        ("<speak>Hello <break></speak>", "line 1, column"),
        ("<p>no speak root</p>", "<speak> as its root"),
        ("<speak><foo>x</foo></speak>", "<speak/foo[1]>: unknown SSML element <foo>"),
        (
            '<speak><p><break size="2"/></p></speak>',
            "<speak/p[1]/break[1]>: unknown attribute 'size'",
        ),
        ('<speak><audio src="http://x/a.wav"/></speak>', "<audio> is not supported"),
        ('<speak><break time="soon"/></speak>', "break time 'soon'"),
        ('<speak><say-as interpret-as="bleep">x</say-as></speak>', "interpret-as 'bleep'"),
        ('<speak><say-as interpret-as="cardinal">ten</say-as></speak>', "'ten' is not a number"),
        (
            '<speak><say-as interpret-as="date" format="mdy">13/45/2000</say-as></speak>',
            "not a month",
        ),
        ('<speak><prosody pitch="150Hz">x</prosody></speak>', "prosody pitch '150Hz'"),
        ('<!DOCTYPE speak [<!ENTITY a "aaaa">]><speak>&a;</speak>', "DTDs and entities"),
        ("<speak>" + "<s>" * 1200 + "deep" + "</s>" * 1200 + "</speak>", "nested over 64 deep"),
    ],
)
def test_bad_ssml_is_refused_saying_where(ssml: str, where: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_ssml(ssml)
    assert where in str(caught.value)
    assert caught.value.field == "input.ssml"


def test_markup_pauses() -> None:
    parts = parse_markup("Wait [pause long] now [pause short] go [pause] done")
    assert [p.seconds for p in parts if isinstance(p, Pause)] == [1.0, 0.25, 0.5]
    assert said(parts) == "Wait now go done"
    with pytest.raises(InvalidArgument, match="unknown tag '\\[sigh\\]'"):
        parse_markup("so [sigh] tired")


def test_pauses_cannot_make_a_small_input_into_hours_of_audio() -> None:
    with pytest.raises(InvalidArgument, match="2500 s of pauses"):
        parse_ssml("<speak>a" + '<break time="10s"/>' * 250 + "b</speak>")
    with pytest.raises(InvalidArgument, match="of pauses"):
        parse_markup("go " + "[pause long] " * 100)
