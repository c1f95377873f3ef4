from wyoming_kokoro.core.languages import LANGUAGES, find_language, language_of_voice
from wyoming_kokoro.core.settings import SPEEDS


def test_english_is_one_rule() -> None:
    assert [lang.tag for lang in LANGUAGES if lang.english] == ["en_US", "en_GB"]


def test_tags_are_found_however_written() -> None:
    for tag in ("en_US", "en-us", "EN", "en"):
        assert find_language(tag) == LANGUAGES[0]
    assert find_language("pt") == find_language("pt-BR")
    assert find_language("xx_YY") is None
    assert language_of_voice("bf_emma") == find_language("en_GB")


def test_one_speed_range() -> None:
    assert 0.5 in SPEEDS and 2.0 in SPEEDS and 2.01 not in SPEEDS
    assert SPEEDS.clamp(0.25) == 0.5 and SPEEDS.clamp(4.0) == 2.0 and SPEEDS.clamp(1.1) == 1.1
    assert str(SPEEDS) == "0.5 to 2.0"
