"""SSML <say-as>: how the text inside is to be read, rewritten into the written form the
text normalizer spells out one way only ("3" as ordinal -> "3rd" -> "third")."""

from __future__ import annotations

import calendar
import re

from parley.errors import InvalidArgument

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_FRACTION = re.compile(r"^(?:(\d+)\s*\+\s*)?(\d+)\s*/\s*(\d+)$")
_DURATION = re.compile(r"^(?:(\d+)')?(?:(\d+)\")?$")
_MONTHS = {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): index for index, name in enumerate(calendar.month_abbr) if name}
_SYMBOLS = {
    ".": "dot",
    ",": "comma",
    "-": "dash",
    "_": "underscore",
    "/": "slash",
    "\\": "backslash",
    "@": "at",
    "#": "hash",
    "&": "and",
    "+": "plus",
    "=": "equals",
    ":": "colon",
    "%": "percent",
    "$": "dollar",
    "*": "star",
}
_DATE_FORMATS = frozenset({"mdy", "dmy", "ymd", "ydm", "md", "dm", "ym", "my", "d", "m", "y"})


def spoken(text: str, attributes: dict[str, str], where: str, field: str) -> str:
    how = attributes.get("interpret-as")
    reader = _READERS.get(how or "")
    if reader is None:
        raise InvalidArgument(
            f"{where}: interpret-as {how!r} is not one of {', '.join(_READERS)}", field=field
        )
    value = " ".join(text.split())
    try:
        return reader(value, attributes.get("format"), attributes.get("detail"))
    except ValueError as error:
        raise InvalidArgument(f"{where}: {error}", field=field) from error


def _characters(text: str, _format: str | None, _detail: str | None) -> str:
    return " ".join(c.upper() if c.isalpha() else c for c in text if not c.isspace())


def _verbatim(text: str, _format: str | None, _detail: str | None) -> str:
    return " ".join(_SYMBOLS.get(c, c.upper()) for c in text if not c.isspace())


def _cardinal(text: str, _format: str | None, _detail: str | None) -> str:
    number = text.replace(",", "")
    if not _NUMBER.match(number):
        raise ValueError(f"{text!r} is not a number")
    return number


def _ordinal(text: str, _format: str | None, _detail: str | None) -> str:
    number = text.replace(",", "")
    if not number.isdigit():
        raise ValueError(f"{text!r} is not a whole number")
    return number + _suffix(int(number))


def _digits(text: str, _format: str | None, _detail: str | None) -> str:
    if not text.replace(" ", "").isdigit():
        raise ValueError(f"{text!r} is not digits")
    return " ".join(c for c in text if c.isdigit())


def _fraction(text: str, _format: str | None, _detail: str | None) -> str:
    match = _FRACTION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a fraction like 3/4 or 1+1/2")
    whole, numerator, denominator = match.groups()
    return f"{whole} {numerator}/{denominator}" if whole else f"{numerator}/{denominator}"


def _unit(text: str, _format: str | None, _detail: str | None) -> str:
    match = re.match(r"^([+-]?[\d.,]+)\s*(\S.*)$", text)
    if not match:
        raise ValueError(f"{text!r} is not a number and a unit")
    return f"{match.group(1)} {match.group(2)}"


def _time(text: str, _format: str | None, _detail: str | None) -> str:
    duration = _DURATION.match(text)
    if duration and any(duration.groups()):
        minutes, seconds = duration.groups()
        parts = [f"{minutes} minutes" if minutes else "", f"{seconds} seconds" if seconds else ""]
        return " ".join(p for p in parts if p)
    if not re.match(r"^\d{1,2}(:\d{2}){0,2}\s*([ap]\.?m\.?)?$", text, re.IGNORECASE):
        raise ValueError(f"{text!r} is not a time like 14:30, 2:30pm or 1'21\"")
    return text


def _telephone(text: str, format_: str | None, _detail: str | None) -> str:
    groups = re.findall(r"\d+", text)
    if not groups:
        raise ValueError(f"{text!r} holds no telephone number")
    spoken = ", ".join(" ".join(group) for group in groups)
    country = (format_ or "").strip().lstrip("+")
    return f"plus {' '.join(country)}, {spoken}" if country.isdigit() else spoken


def _date(text: str, format_: str | None, detail: str | None) -> str:
    order = "".join(dict.fromkeys((format_ or "mdy").lower()))  # "yyyymmdd" -> "ymd"
    if order not in _DATE_FORMATS:
        raise ValueError(
            f"date format {format_!r} is not one of {', '.join(sorted(_DATE_FORMATS))}"
        )
    pieces = re.findall(r"[A-Za-z]+|\d+", text)
    if len(pieces) == 1 and pieces[0].isdigit() and len(order) > 1:
        pieces = _fixed_width(pieces[0], order)
    if len(pieces) != len(order):
        raise ValueError(f"{text!r} does not match the date format {format_ or 'mdy'!r}")
    found = dict(zip(order, pieces, strict=True))
    year, day = found.get("y"), found.get("d")
    month = _month(found["m"]) if "m" in found else None
    if day is not None and not 1 <= int(day) <= 31:
        raise ValueError(f"{text!r}: day {day} is not 1-31")
    day_words = f"{int(day)}{_suffix(int(day))}" if day else None
    if month and day_words:
        said = f"the {day_words} of {month}" if detail == "1" else f"{month} {day_words}"
    else:
        said = month or (f"the {day_words}" if day_words else "")
    return f"{said}, {year}" if said and year else said or year or ""


def _fixed_width(digits: str, order: str) -> list[str]:
    widths = {"y": 4, "m": 2, "d": 2}
    if len(digits) != sum(widths[c] for c in order):
        raise ValueError(f"{digits!r} does not match the date format")
    out, position = [], 0
    for letter in order:
        out.append(digits[position : position + widths[letter]])
        position += widths[letter]
    return out


def _month(value: str) -> str:
    index = int(value) if value.isdigit() else _MONTHS.get(value.lower().rstrip("."), 0)
    if not 1 <= index <= 12:
        raise ValueError(f"{value!r} is not a month")
    return calendar.month_name[index]


def _suffix(number: int) -> str:
    if number % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


_READERS = {
    "characters": _characters,
    "spell-out": _characters,
    "verbatim": _verbatim,
    "cardinal": _cardinal,
    "ordinal": _ordinal,
    "digits": _digits,
    "fraction": _fraction,
    "unit": _unit,
    "date": _date,
    "time": _time,
    "telephone": _telephone,
}
