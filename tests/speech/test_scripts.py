"""Runs of one script in a text: what is read in another language, not spelled."""

import pytest

from wyoming_kokoro.speech.scripts import HAN, LATIN, runs, script_of


def cut(text: str) -> list[tuple[str, str | None]]:
    return [(run.text, run.script) for run in runs(text)]


def test_a_run_in_another_script_is_cut_out_with_its_spaces_around() -> None:
    assert cut("Now playing 夜に駆ける by YOASOBI.") == [
        ("Now playing ", LATIN),
        ("夜に駆ける", HAN),
        (" by YOASOBI.", LATIN),
    ]
    assert cut("Calling Владимир.") == [("Calling ", LATIN), ("Владимир.", "CYRILLIC")]


def test_accents_digits_and_symbols_stay_with_the_text_around_them() -> None:
    assert cut("Café Müller with José, 21 °C 🙂") == [("Café Müller with José, 21 °C 🙂", LATIN)]
    assert cut("🙂🎉") == [("🙂🎉", None)]
    assert cut("") == [("", None)]


def test_chinese_characters_with_kana_are_japanese_without_them_mandarin() -> None:
    found = runs("你好 こんにちは 東京に行く")
    assert [(run.script, run.japanese) for run in found] == [
        (HAN, False),
        (HAN, True),
        (HAN, True),
    ]


@pytest.mark.parametrize(
    ("char", "script"),
    [("a", LATIN), ("é", LATIN), ("Ж", "CYRILLIC"), ("ש", "HEBREW"), ("ሰ", "other"), ("1", None)],
)
def test_the_script_of_a_letter(char: str, script: str | None) -> None:
    assert script_of(char) == script
