"""Runs of one writing system in a text, and who reads each.

Home Assistant's answers mix scripts: a song, a contact, a place. A language's G2P
reads its own script; handed another, espeak-ng names each character ("Chinese
letter, Japanese letter"). So a text is cut into runs of one script, and a run in
another script is read in a language written in it, by the same voice; a run that
nothing here reads is a short pause.
"""

import unicodedata
from dataclasses import dataclass

LATIN = "LATIN"
HAN = "HAN"
"""Chinese characters, and Japanese text with them (kana)."""

_BY_NAME = {
    "CJK": HAN,
    "HIRAGANA": HAN,
    "KATAKANA": HAN,
    "HALFWIDTH": HAN,  # half-width katakana
    "CYRILLIC": "CYRILLIC",
    "GREEK": "GREEK",
    "ARABIC": "ARABIC",
    "HEBREW": "HEBREW",
    "DEVANAGARI": "DEVANAGARI",
    "THAI": "THAI",
    "HANGUL": "HANGUL",
    "ARMENIAN": "ARMENIAN",
    "GEORGIAN": "GEORGIAN",
    "BENGALI": "BENGALI",
    "TAMIL": "TAMIL",
}
"""The first word of a letter's Unicode name, to its script; a letter of another
script is "other"."""

ESPEAK = {
    "CYRILLIC": "ru",
    "GREEK": "el",
    "ARABIC": "ar",
    "HEBREW": "he",
    "DEVANAGARI": "hi",
    "THAI": "th",
    "HANGUL": "ko",
    "ARMENIAN": "hy",
    "GEORGIAN": "ka",
    "BENGALI": "bn",
    "TAMIL": "ta",
}
"""espeak-ng's voice for reading a script that no installed language owns."""


@dataclass(frozen=True)
class Run:
    text: str
    script: str | None
    """LATIN, HAN, another script's name, "other", or None: no letters (digits,
    spaces, punctuation, symbols), read by whoever reads the text around it."""

    @property
    def japanese(self) -> bool:
        """Chinese characters written with kana: Japanese (Chinese has none)."""
        return self.script == HAN and any(_kana(c) for c in self.text)


def script_of(char: str) -> str | None:
    """The script of a letter; None for anything that is not a letter."""
    if not unicodedata.category(char).startswith("L"):
        return None
    first = unicodedata.name(char, "").split(" ", 1)[0]
    if first in ("LATIN", "FULLWIDTH"):
        return LATIN
    return _BY_NAME.get(first, "other")


def runs(text: str) -> list[Run]:
    """`text` cut where the script changes, and Chinese characters at each space (a
    word with kana in it is Japanese, one without Chinese); what is not a letter
    stays with the run before it (the start's with the first run)."""
    found: list[Run] = []
    script: str | None = None
    start = 0
    for i, char in enumerate(text):
        this = script_of(char)
        if this is None or this == script:
            if not (script == HAN and char.isspace()):
                continue
            this = None
        if script is not None:
            found.append(Run(text[start:i], script))
            start = i
        script = this
    found.append(Run(text[start:], script))
    return found


def _kana(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("HIRAGANA", "KATAKANA", "HALFWIDTH KATAKANA"))
