"""The languages Kokoro speaks, their tags, and how a voice name maps to one."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """A language Kokoro was trained on."""

    tag: str
    """Home Assistant's tag, e.g. en_US."""

    name: str
    """For people: American English."""

    voice_prefix: str
    """The first letter of the voices that speak it natively."""

    espeak: str | None
    """espeak-ng's voice for whole-text G2P; None where espeak is not used."""

    @property
    def english(self) -> bool:
        """English of any variety: misaki reads it, units and times are spelled out
        in it, OpenAI's voices speak it."""
        return self.tag.startswith("en_")


LANGUAGES: tuple[Language, ...] = (
    Language("en_US", "American English", "a", "en-us"),
    Language("en_GB", "British English", "b", "en-gb"),
    Language("es_ES", "Spanish", "e", "es"),
    Language("fr_FR", "French", "f", "fr-fr"),
    Language("hi_IN", "Hindi", "h", "hi"),
    Language("it_IT", "Italian", "i", "it"),
    Language("ja_JP", "Japanese", "j", None),
    Language("pt_BR", "Brazilian Portuguese", "p", "pt-br"),
    Language("zh_CN", "Mandarin Chinese", "z", None),
)

ENGLISH = LANGUAGES[0]

_BY_TAG = {lang.tag.lower(): lang for lang in LANGUAGES}
_BY_PREFIX = {lang.voice_prefix: lang for lang in LANGUAGES}
# A bare language code means the variant most people expect.
_BY_CODE = {
    "en": ENGLISH,
    **{lang.tag[:2].lower(): lang for lang in LANGUAGES if lang.tag[:2] != "en"},
}


def find_language(tag: str) -> Language | None:
    """The language for a tag such as en_US, en-us, EN or pt-BR; None if unknown."""
    key = tag.strip().replace("-", "_").lower()
    return _BY_TAG.get(key) or _BY_CODE.get(key.split("_")[0])


def language_of_voice(voice_name: str) -> Language | None:
    """The native language of a Kokoro voice, from the first letter of its name."""
    return _BY_PREFIX.get(voice_name[:1])
