"""SSML (the subset Google's Text-to-Speech v1 documents) and Google's pause markup ->
what to say, with its prosody, and pauses. Parsed by a real XML parser that refuses
entities and DTDs (defusedxml); anything unknown is refused with where it is."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from parley.domain.speech import Pause, Phrase, SpeechPart
from parley.errors import InvalidArgument
from parley.services import say_as

MAX_BREAK_SECONDS = 10.0
# All pauses of one input together: 5,000 bytes of breaks would otherwise make 40 minutes.
MAX_TOTAL_PAUSE_SECONDS = 60.0
MAX_DEPTH = 64
BREAK_STRENGTHS = {
    "none": 0.0,
    "x-weak": 0.1,
    "weak": 0.25,
    "medium": 0.4,
    "strong": 0.75,
    "x-strong": 1.2,
}
PARAGRAPH_PAUSE_SECONDS = 0.4
SENTENCE_PAUSE_SECONDS = 0.2
RATES = {"x-slow": 0.5, "slow": 0.75, "medium": 1.0, "default": 1.0, "fast": 1.25, "x-fast": 1.75}
PITCHES = {"x-low": -6.0, "low": -3.0, "medium": 0.0, "default": 0.0, "high": 3.0, "x-high": 6.0}
VOLUMES = {
    "silent": -96.0,
    "x-soft": -12.0,
    "soft": -6.0,
    "medium": 0.0,
    "default": 0.0,
    "loud": 6.0,
    "x-loud": 10.0,
}
# (rate factor, gain dB) for each emphasis level: slower and louder is stronger.
EMPHASIS = {
    "strong": (0.85, 4.0),
    "moderate": (0.92, 2.0),
    "none": (1.0, 0.0),
    "reduced": (1.08, -4.0),
}
MARKUP_PAUSES = {"[pause]": 0.5, "[pause short]": 0.25, "[pause long]": 1.0}
_ATTRIBUTES = {
    "speak": {"version", "xml:lang", "xmlns"},
    "p": set(),
    "s": set(),
    "break": {"time", "strength"},
    "say-as": {"interpret-as", "format", "detail"},
    "sub": {"alias"},
    "prosody": {"rate", "pitch", "volume"},
    "emphasis": {"level"},
    "mark": {"name"},
}
_TIME = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$")
_SEMITONES = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*st\s*$")
_PERCENT = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*%\s*$")
_DECIBELS = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*dB\s*$", re.IGNORECASE)
_MARKUP_TAG = re.compile(r"\[[^\[\]]*\]")


@dataclass(frozen=True)
class _Prosody:
    rate: float = 1.0
    pitch: float = 0.0
    gain_db: float = 0.0


def parse_ssml(ssml: str, field: str = "input.ssml") -> list[SpeechPart]:
    try:
        root = fromstring(ssml)
    except ParseError as error:
        # expat's message says where ("... line 1, column 15"), columns from 0.
        line, column = error.position
        raise InvalidArgument(
            f"{field} is not well-formed XML at line {line}, column {column + 1}: "
            f"{str(error.msg).split(':')[0]}",
            field=field,
        ) from error
    except DefusedXmlException as error:
        raise InvalidArgument(f"{field}: DTDs and entities are not allowed", field=field) from error
    if _name(root) != "speak":
        raise InvalidArgument(f"{field} must have <speak> as its root element", field=field)
    return _bounded(_merged(list(_walk(root, _Prosody(), "speak", field))), field)


def parse_markup(markup: str, field: str = "input.markup") -> list[SpeechPart]:
    """Text with Google's pause tags: [pause], [pause short], [pause long]."""
    parts: list[SpeechPart] = []
    position = 0
    for tag in _MARKUP_TAG.finditer(markup):
        pause = MARKUP_PAUSES.get(tag.group().lower())
        if pause is None:
            raise InvalidArgument(
                f"{field}: unknown tag {tag.group()!r} at character {tag.start() + 1}; "
                f"known: {', '.join(MARKUP_PAUSES)}",
                field=field,
            )
        parts += [Phrase(markup[position : tag.start()]), Pause(pause)]
        position = tag.end()
    parts.append(Phrase(markup[position:]))
    return _bounded(_merged(parts), field)


def _bounded(parts: list[SpeechPart], field: str) -> list[SpeechPart]:
    total = sum(p.seconds for p in parts if isinstance(p, Pause))
    if total > MAX_TOTAL_PAUSE_SECONDS:
        raise InvalidArgument(
            f"{field} asks for {total:g} s of pauses; at most {MAX_TOTAL_PAUSE_SECONDS:g} s",
            field=field,
        )
    return parts


def _walk(element: Element, prosody: _Prosody, path: str, field: str) -> Iterator[SpeechPart]:
    name = _name(element)
    where = f"{field} at <{path}>"
    allowed = _ATTRIBUTES.get(name)
    if path.count("/") >= MAX_DEPTH:
        raise InvalidArgument(f"{where}: elements nested over {MAX_DEPTH} deep", field=field)
    if name == "audio":
        raise InvalidArgument(
            f"{where}: <audio> is not supported (no audio is fetched)", field=field
        )
    if allowed is None:
        raise InvalidArgument(f"{where}: unknown SSML element <{name}>", field=field)
    unknown = sorted(a for a in map(_attribute, element.attrib) if a not in allowed)
    if unknown:
        raise InvalidArgument(f"{where}: unknown attribute {unknown[0]!r} of <{name}>", field=field)
    if name == "break":
        yield Pause(_break_seconds(element, where, field))
    elif name == "say-as":
        yield _phrase(
            say_as.spoken(_text_only(element, where, field), element.attrib, where, field), prosody
        )
    elif name == "sub":
        if "alias" not in element.attrib:
            raise InvalidArgument(f"{where}: <sub> needs an alias", field=field)
        yield _phrase(element.attrib["alias"], prosody)
    elif name != "mark":  # a mark says nothing (timepoints are a v1beta1 feature)
        inner = _inner(element, prosody, where, field)
        yield _phrase(element.text or "", inner)
        counts: dict[str, int] = {}
        for child in element:
            child_name = _name(child)
            counts[child_name] = counts.get(child_name, 0) + 1
            yield from _walk(child, inner, f"{path}/{child_name}[{counts[child_name]}]", field)
            yield _phrase(child.tail or "", inner)
        if name == "p":
            yield Pause(PARAGRAPH_PAUSE_SECONDS)
        elif name == "s":
            yield Pause(SENTENCE_PAUSE_SECONDS)  # read apart from what follows


def _inner(element: Element, prosody: _Prosody, where: str, field: str) -> _Prosody:
    name, attributes = _name(element), element.attrib
    if name == "prosody":
        return _Prosody(
            prosody.rate * _rate(attributes.get("rate"), where, field),
            prosody.pitch + _pitch(attributes.get("pitch"), where, field),
            prosody.gain_db + _volume(attributes.get("volume"), where, field),
        )
    if name == "emphasis":
        level = attributes.get("level", "moderate")
        if level not in EMPHASIS:
            raise InvalidArgument(
                f"{where}: emphasis level {level!r} is not one of {', '.join(EMPHASIS)}",
                field=field,
            )
        rate, gain = EMPHASIS[level]
        return replace(prosody, rate=prosody.rate * rate, gain_db=prosody.gain_db + gain)
    return prosody


def _break_seconds(element: Element, where: str, field: str) -> float:
    time, strength = element.attrib.get("time"), element.attrib.get("strength")
    if time is not None:
        match = _TIME.match(time)
        if not match:
            raise InvalidArgument(
                f"{where}: break time {time!r} is not like '2s' or '500ms'", field=field
            )
        seconds = float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
        return min(seconds, MAX_BREAK_SECONDS)
    if strength is not None:
        if strength not in BREAK_STRENGTHS:
            raise InvalidArgument(
                f"{where}: break strength {strength!r} is not one of {', '.join(BREAK_STRENGTHS)}",
                field=field,
            )
        return BREAK_STRENGTHS[strength]
    return BREAK_STRENGTHS["medium"]


def _rate(value: str | None, where: str, field: str) -> float:
    if value is None:
        return 1.0
    if value in RATES:
        return RATES[value]
    match = _PERCENT.match(value)
    if match and float(match.group(1)) > 0:
        return float(match.group(1)) / 100
    raise InvalidArgument(
        f"{where}: prosody rate {value!r} is not a percentage or one of {', '.join(RATES)}",
        field=field,
    )


def _pitch(value: str | None, where: str, field: str) -> float:
    if value is None:
        return 0.0
    if value in PITCHES:
        return PITCHES[value]
    if match := _SEMITONES.match(value):
        return float(match.group(1))
    if (match := _PERCENT.match(value)) and float(match.group(1)) > -100:
        return 12 * math.log2(1 + float(match.group(1)) / 100)
    raise InvalidArgument(
        f"{where}: prosody pitch {value!r} is not like '+2st' or '-10%', nor one of "
        + ", ".join(PITCHES),
        field=field,
    )


def _volume(value: str | None, where: str, field: str) -> float:
    if value is None:
        return 0.0
    if value in VOLUMES:
        return VOLUMES[value]
    if match := _DECIBELS.match(value):
        return float(match.group(1))
    raise InvalidArgument(
        f"{where}: prosody volume {value!r} is not like '+6dB', nor one of {', '.join(VOLUMES)}",
        field=field,
    )


def _text_only(element: Element, where: str, field: str) -> str:
    if len(element):
        raise InvalidArgument(f"{where}: <{_name(element)}> holds text only", field=field)
    return element.text or ""


def _phrase(text: str, prosody: _Prosody) -> Phrase:
    return Phrase(text, prosody.rate, prosody.pitch, prosody.gain_db)


def _merged(parts: list[SpeechPart]) -> list[SpeechPart]:
    """Neighbouring phrases of the same prosody as one (the voice reads across them, and
    the spaces between them count), then neighbouring pauses as one; nothing empty."""
    phrases: list[SpeechPart] = []
    for part in parts:
        last = phrases[-1] if phrases else None
        if isinstance(part, Phrase) and isinstance(last, Phrase) and _same_prosody(part, last):
            phrases[-1] = replace(last, text=last.text + part.text)
        else:
            phrases.append(part)
    out: list[SpeechPart] = []
    for part in phrases:
        if isinstance(part, Phrase) and not part.text.strip():
            continue
        if isinstance(part, Pause) and out and isinstance(out[-1], Pause):
            out[-1] = Pause(out[-1].seconds + part.seconds)
        elif not isinstance(part, Pause) or part.seconds > 0:
            out.append(part)
    return out


def _same_prosody(a: Phrase, b: Phrase) -> bool:
    return (a.rate, a.pitch, a.gain_db) == (b.rate, b.pitch, b.gain_db)


def _name(element: Element) -> str:
    return str(element.tag).rsplit("}", 1)[-1]


def _attribute(name: str) -> str:
    return "xml:lang" if name == "{http://www.w3.org/XML/1998/namespace}lang" else name
