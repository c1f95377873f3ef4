"""What assistants write, made into what G2P reads well.

Only what misaki gets wrong is rewritten; it already reads numbers, decimals,
money, percentages, ordinals, "Dr." and "Mr.", and times with AM/PM. Checked
case by case (tests/test_normalize.py), for example: misaki reads "21°C" as
"twenty one degrees C", "km/h" as "K M slash H", "-5°C" as almost nothing,
"**bold**" as "asterisk asterisk", and "[a](/b/)" as a phoneme override.
"""

import re
import unicodedata
from datetime import date

from ..core.languages import Language

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\r\f\v]+")

# Markdown, which LLM replies are full of.
_CODE_BLOCK = re.compile(r"```[^\n]*\n?(.*?)```", re.DOTALL)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1")
# [ \t] rather than \s inside a line, so that no pattern eats the line break.
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+•]|\d+[.)])[ \t]+(.*)$", re.MULTILINE)
_RULE = re.compile(r"^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$", re.MULTILINE)
_CELL_RULE = r"[ \t]*:?-{3,}:?[ \t]*"
_TABLE_RULE = re.compile(rf"^[ \t]*\|?{_CELL_RULE}(\|{_CELL_RULE})*\|?[ \t]*$", re.MULTILINE)
_TABLE_ROW = re.compile(r"^[ \t]*\|(.*)\|[ \t]*$", re.MULTILINE)

_URL = re.compile(r"\b(?:https?://|www\.)([^\s/?#]+)[^\s]*", re.IGNORECASE)
_EMAIL = re.compile(r"\b([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)\b")

_NEGATIVE = re.compile(r"(?<![\w.])[-−–](?=\d)")
_TEMPERATURE = re.compile(r"(\d)\s*°\s*([CF])\b")
_DEGREES = re.compile(r"(\d)\s*°")
# "p.m." keeps its last dot as a full stop only where a sentence would end anyway.
_MERIDIEM = r"\s*([AaPp])(?:\.[Mm]\.|[Mm]\b)(?P<stop>(?=\s*(?:$|\n|[A-Z])))?"
_TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?\b(?:" + _MERIDIEM + ")?")
_AM_PM = re.compile(r"\b(\d{1,2})" + _MERIDIEM)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SAINT_OR_STREET = re.compile(r"\bSt\.")

# Units read after a number; a bare "m" or "h" elsewhere is left alone.
_UNITS = {
    "km/h": "kilometers per hour",
    "kph": "kilometers per hour",
    "mph": "miles per hour",
    "m/s": "meters per second",
    "kWh": "kilowatt hours",
    "Wh": "watt hours",
    "kW": "kilowatts",
    "W": "watts",
    "V": "volts",
    "mA": "milliamps",
    "hPa": "hectopascals",
    "km": "kilometers",
    "cm": "centimeters",
    "mm": "millimeters",
    "kg": "kilograms",
    "lbs": "pounds",
    "ml": "milliliters",
    "lx": "lux",
    "ppm": "parts per million",
    "µg/m³": "micrograms per cubic meter",
    "min": "minutes",
    "sec": "seconds",
    "h": "hours",
}
_UNIT = re.compile(
    r"(\d)\s*("
    + "|".join(re.escape(unit) for unit in sorted(_UNITS, key=len, reverse=True))
    + r")(?![\w/])"
)
_ABBREVIATIONS = {
    "e.g.": "for example",
    "i.e.": "that is",
    "approx.": "approximately",
    "incl.": "including",
    "min.": "minimum",
    "max.": "maximum",
    "w/": "with",
}
_ABBREVIATION = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(a) for a in _ABBREVIATIONS) + r")(?=\s|$)",
    re.IGNORECASE,
)
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def tidy(text: str) -> str:
    """Always: no control characters, single spaces, no empty lines."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text).replace("\t", " "))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def clean(text: str) -> str:
    """For every language: no emoji, markdown or links."""
    text = _CODE_BLOCK.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _HEADING.sub(r"\1.", text)
    text = _RULE.sub("", text)
    text = _LIST_ITEM.sub(r"\1", text)
    for _ in range(2):  # **_nested_** emphasis
        text = _EMPHASIS.sub(r"\2", text)
    text = _TABLE_RULE.sub("", text)
    text = _TABLE_ROW.sub(lambda m: ", ".join(c.strip() for c in m.group(1).split("|")) + ".", text)
    text = _URL.sub(lambda m: _spoken_host(m.group(1)), text)
    text = _EMAIL.sub(lambda m: f"{m.group(1)} at {_spoken_host(m.group(2))}", text)
    text = "".join(c for c in text if not _is_pictograph(c))
    return text.replace("[", "(").replace("]", ")").replace("{", "(").replace("}", ")")


def english(text: str) -> str:
    """Units, temperatures, times, dates and abbreviations, as said in English."""
    text = _ISO_DATE.sub(_spoken_date, text)
    text = _TEMPERATURE.sub(
        lambda m: f"{m.group(1)} degrees {'Celsius' if m.group(2) == 'C' else 'Fahrenheit'}",
        text,
    )
    text = _DEGREES.sub(r"\1 degrees", text)
    text = _NEGATIVE.sub("minus ", text)
    text = _TIME.sub(_spoken_time, text)
    text = _AM_PM.sub(lambda m: f"{m.group(1)}{_meridiem(m, 2)}", text)
    text = _UNIT.sub(lambda m: f"{m.group(1)} {_UNITS[m.group(2)]}", text)
    text = _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m.group(1).lower()], text)
    return _SAINT_OR_STREET.sub(_saint_or_street, text)


def normalize(text: str, language: Language, enabled: bool = True) -> str:
    """Text as G2P should see it: tidied always; cleaned of markup and, for
    English, with units, times and abbreviations spelled out, unless disabled."""
    if enabled:
        text = clean(text)
        if language.english:
            text = english(text)
    return tidy(text)


def _saint_or_street(match: re.Match[str]) -> str:
    """ "St. Louis" but "Main St.": a name before it makes it a street."""
    before = match.string[: match.start()].split()
    after_name = bool(before) and before[-1][:1].isupper() and before[-1][-1:].isalpha()
    return "Street" if after_name else "Saint"


def _spoken_host(host: str) -> str:
    host = host.lower().removeprefix("www.")
    return " dot ".join(part.replace("-", " ") for part in host.split(".") if part)


def _meridiem(match: re.Match[str], group: int) -> str:
    letter = match.group(group)
    if letter is None:
        return ""
    stop = "." if match.group("stop") is not None and match.group(0).endswith(".") else ""
    return f" {letter.upper()}M{stop}"


def _spoken_time(match: re.Match[str]) -> str:
    hours, minutes, suffix = int(match.group(1)), int(match.group(2)), _meridiem(match, 3)
    if minutes == 0:
        if suffix:
            return f"{hours}{suffix}"
        return f"{hours} o'clock" if hours <= 12 else f"{hours} hundred"
    return f"{hours} {'oh ' if minutes < 10 else ''}{minutes}{suffix}"


def _spoken_date(match: re.Match[str]) -> str:
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return match.group(0)
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _is_pictograph(char: str) -> bool:
    """Emoji and other pictures, which no one wants read out by name."""
    code = ord(char)
    return (
        0x1F000 <= code <= 0x1FAFF
        or 0x2600 <= code <= 0x27BF
        or 0x2B00 <= code <= 0x2BFF
        or code in (0xFE0F, 0x200D, 0x20E3)
    )
