import logging

import pytest

from wyoming_kokoro.core.languages import ENGLISH, find_language
from wyoming_kokoro.speech import g2p as g2p_module
from wyoming_kokoro.speech.g2p import G2P, ForeignScripts, MisakiEnglish, WithFallback

pytestmark = pytest.mark.model  # real misaki and espeak-ng


def test_misaki_reads_english_numbers_and_times(g2p: G2P) -> None:
    phonemes = g2p.phonemize("The temperature is 21.5 degrees at 3:45 PM.", ENGLISH)
    assert "twˈɛnti wˈʌn" in phonemes
    assert "fˈIv" in phonemes
    assert phonemes.endswith(".")


def test_british_english_differs_from_american(g2p: G2P) -> None:
    british = find_language("en_GB")
    assert british is not None
    assert g2p.phonemize("tomato", british) != g2p.phonemize("tomato", ENGLISH)


def test_words_outside_the_lexicon_are_read_by_espeak(g2p: G2P) -> None:
    # Not in misaki's dictionary: without the espeak fallback it would be dropped.
    phonemes = g2p.phonemize("Zyxqwv", ENGLISH)
    assert phonemes.strip()
    assert "❓" not in phonemes


@pytest.mark.parametrize(
    ("tag", "text", "expected"),
    [
        ("fr_FR", "Bonjour le monde.", "bɔ̃ʒˈuʁ"),
        ("es_ES", "Hola, mundo.", "ˈola"),
        ("it_IT", "Ciao a tutti.", "ʧ"),
        ("pt_BR", "Obrigado.", "ɡˈadʊ"),
        ("hi_IN", "नमस्ते", "n"),
    ],
)
def test_other_languages_use_espeak(g2p: G2P, tag: str, text: str, expected: str) -> None:
    language = find_language(tag)
    assert language is not None
    assert expected in g2p.phonemize(text, language)


def test_misaki_turned_off_uses_espeak_for_english(g2p: G2P) -> None:
    espeak_only = G2P(use_misaki=False)
    text = "Hello world, the lights are on."
    phonemes = espeak_only.phonemize(text, ENGLISH)
    assert phonemes.strip()
    assert phonemes != g2p.phonemize(text, ENGLISH)


def test_misaki_failure_falls_back_to_espeak_and_is_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[str] = []

    def broken(text: str) -> str:
        raise RuntimeError("misaki broke")

    def espeak(text: str) -> str:
        calls.append(text)
        return "ok"

    counted: list[int] = []
    phonemizer = WithFallback("misaki", broken, espeak, lambda: counted.append(1))
    with caplog.at_level(logging.WARNING):
        assert phonemizer("one") == "ok"
        assert phonemizer("two") == "ok"
    assert calls == ["one", "two"]
    assert len(counted) == 2
    assert sum("espeak-ng read it instead" in r.message for r in caplog.records) == 1


def test_misaki_that_cannot_load_leaves_english_to_espeak(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def cannot_load(self: MisakiEnglish, british: bool) -> None:
        raise ImportError("no spacy here")

    monkeypatch.setattr(MisakiEnglish, "__init__", cannot_load)
    g2p = G2P()
    assert g2p.phonemize("Hello.", ENGLISH) == G2P(use_misaki=False).phonemize("Hello.", ENGLISH)


def test_the_real_g2p_counts_a_fallback(g2p: G2P, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = G2P()
    scripts = fresh.phonemizer(ENGLISH)
    assert isinstance(scripts, ForeignScripts)
    misaki = scripts._own
    assert isinstance(misaki, WithFallback)

    def broken(text: str) -> str:
        raise ValueError("bad token")

    monkeypatch.setattr(misaki, "_primary", broken)
    assert fresh.phonemize("Hello there.", ENGLISH).strip()
    assert fresh.fallbacks == 1


@pytest.mark.parametrize(
    ("tag", "text", "expected"),
    [("ja_JP", "こんにちは、世界。", "koɲɲiʨiβa"), ("zh_CN", "你好，世界。", "ni↓xau↓")],
)
def test_japanese_and_mandarin_with_their_extras(
    g2p: G2P, tag: str, text: str, expected: str
) -> None:
    language = find_language(tag)
    assert language is not None and g2p.supports(language)
    assert expected in g2p.phonemize(text, language)


def test_a_language_whose_g2p_is_not_installed_is_not_supported(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    japanese = find_language("ja_JP")
    assert japanese is not None
    monkeypatch.setitem(g2p_module._OWN_G2P, "ja_JP", (object, "ja", ("no_such_japanese_g2p",)))
    fresh = G2P()
    with caplog.at_level(logging.INFO):
        # Asked for a list of what can be read (the page): no voice reads English yet.
        assert not fresh.supports(japanese, quietly=True)
        assert not [r for r in caplog.records if "extra" in r.getMessage()]
        assert not fresh.supports(japanese) and not fresh.supports(japanese)
    # Once, and what to do about it.
    hints = [r.getMessage() for r in caplog.records if "extra" in r.getMessage()]
    assert hints == [
        "Japanese voices read English: to have them read Japanese, install the ja extra "
        "(pip install 'wyoming-kokoro[ja]', or script/setup --dev)"
    ]
    with pytest.raises(ValueError, match="No G2P is installed for Japanese"):
        fresh.phonemize("こんにちは", japanese)


# What espeak-ng says for a character it cannot read in English: "Chinese letter".
LETTER_NAMES = ("lˌɛɾɚ", "lˈɛTəɹ", "lˈɛɾəɹ")


@pytest.mark.parametrize(
    ("text", "read_as", "by"),
    [
        ("Now playing 夜に駆ける by YOASOBI.", "joɾɯ", "ja_JP"),
        ("Calling Владимир now.", "vɭadʲˈimʲir", "ru"),
        ("Say 你好 to her.", "ni↓xau↓", "zh_CN"),
        ("Greetings: مرحبا and שלום.", "ʃalˈom", "he"),
        ("Namaste is नमस्ते in Hindi.", "nəmˈʌsteː", "hi"),
    ],
)
def test_a_run_in_another_script_is_read_in_its_own_language(
    g2p: G2P, text: str, read_as: str, by: str
) -> None:
    phonemes = g2p.phonemize(text, ENGLISH)
    assert read_as in phonemes
    assert not any(name in phonemes for name in LETTER_NAMES)
    # The English around it is read as English.
    assert phonemes.split()[0] == g2p.phonemize(text.split()[0], ENGLISH).split()[0]


def test_a_run_nothing_here_reads_is_a_pause(g2p: G2P) -> None:
    assert g2p.phonemize("Say ሰላም now.", ENGLISH) == "sˈA , nˈW."


def test_a_language_reads_its_own_script_whole(g2p: G2P) -> None:
    """The text is not cut where nothing is foreign: misaki reads with the context."""
    text = "Café Müller with José, 21 °C."
    scripts = g2p.phonemizer(ENGLISH)
    assert isinstance(scripts, ForeignScripts)
    assert g2p.phonemize(text, ENGLISH) == scripts._own(text)
