"""Each normalization case, checked as text and as the phonemes the model gets."""

import pytest

from wyoming_kokoro.core.languages import ENGLISH, find_language
from wyoming_kokoro.speech.g2p import G2P
from wyoming_kokoro.speech.normalize import normalize, tidy

CASES = [
    # markdown
    ("**Bold** text and *italics* and __this__.", "Bold text and italics and this."),
    ("# Weather\n- Sunny\n- 21 degrees", "Weather.\nSunny\n21 degrees"),
    ("Run `ls` now.", "Run ls now."),
    ("```\nprint(1)\n```", "print(1)"),
    ("See [the docs](https://example.com/a) now.", "See the docs now."),
    # misaki would read this as its own override and say "bob"
    ("Say [Kokoro](/bˈɑb/) now.", "Say Kokoro now."),
    ("| Room | Temp |\n|---|---|\n| Kitchen | 21 |", "Room, Temp.\nKitchen, 21."),
    # emoji, links, addresses, brackets
    ("Great job 🎉👍 ⭐ done.", "Great job done."),
    ("Visit https://www.home-assistant.io/docs today.", "Visit home assistant dot io today."),
    ("Mail jan@example.com please.", "Mail jan at example dot com please."),
    ("The lights [kitchen] are on.", "The lights (kitchen) are on."),
    # units and symbols
    ("It is 21°C outside.", "It is 21 degrees Celsius outside."),
    ("It is 70 °F.", "It is 70 degrees Fahrenheit."),
    ("It's -5°C.", "It's minus 5 degrees Celsius."),
    ("Wind at 15 km/h.", "Wind at 15 kilometers per hour."),
    ("You used 3.5 kWh.", "You used 3.5 kilowatt hours."),
    ("A 60 W bulb, 10 mph, 5 min.", "A 60 watts bulb, 10 miles per hour, 5 minutes."),
    # times and dates
    ("The meeting is at 15:45.", "The meeting is at 15 45."),
    ("At 07:05 and 15:00.", "At 7 oh 5 and 15 hundred."),
    ("At 3:00 PM and 9am.", "At 3 PM and 9 AM."),
    ("Dinner at 7 p.m. See you.", "Dinner at 7 PM. See you."),
    ("Dinner at 7 p.m. tonight.", "Dinner at 7 PM tonight."),
    ("Today is 2026-11-25.", "Today is November 25, 2026."),
    # abbreviations
    ("Fruit, e.g. apples.", "Fruit, for example apples."),
    ("Main St. is near St. Louis.", "Main Street is near Saint Louis."),
    ("It is approx. 5 km.", "It is approximately 5 kilometers."),
]


@pytest.mark.parametrize(("written", "spoken"), CASES)
def test_normalization_reaches_the_phonemes(g2p: G2P, written: str, spoken: str) -> None:
    assert normalize(written, ENGLISH) == spoken
    assert g2p.phonemize(normalize(written, ENGLISH), ENGLISH) == g2p.phonemize(spoken, ENGLISH)


@pytest.mark.parametrize(
    "kept",
    [
        "It costs $4.99 and 45% more.",
        "Dr. Smith arrives on the 1st.",
        "Call 555-1234 for pages 1-2.",
        "It is 21 degrees.",
    ],
)
def test_what_misaki_reads_well_is_left_alone(kept: str) -> None:
    assert normalize(kept, ENGLISH) == kept


def test_other_languages_are_only_cleaned(g2p: G2P) -> None:
    french = find_language("fr_FR")
    assert french is not None
    assert normalize("Il fait **21°C** 🙂 à 15:45.", french) == "Il fait 21°C à 15:45."


def test_normalization_can_be_turned_off() -> None:
    assert normalize("**21°C** \x00 now", ENGLISH, enabled=False) == "**21°C** now"


def test_tidy_removes_control_characters_and_extra_space() -> None:
    assert tidy("  Hello\x00\x07 \t world\r\n\n\nBye\x1b\u200b  ") == "Hello world\nBye"
