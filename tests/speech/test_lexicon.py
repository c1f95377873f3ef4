import logging
import os
from pathlib import Path

import pytest

from wyoming_kokoro.core.languages import ENGLISH, find_language
from wyoming_kokoro.speech.g2p import G2P
from wyoming_kokoro.speech.lexicon import (
    Lexicon,
    LexiconError,
    PronunciationError,
    Pronunciations,
)

from .lexicon_files import write

KOKORO = "kˈOkəɹO"


@pytest.fixture
def lexicon_file(tmp_path: Path) -> Path:
    path = tmp_path / "lexicon.json"
    write(path, {"Kokoro": f"/{KOKORO}/", "Nguyen": "win", "Home Assistant": "home assist ant"})
    return path


@pytest.mark.model
def test_phonemes_reach_the_model_case_insensitively_on_whole_words(
    g2p: G2P, lexicon_file: Path
) -> None:
    with_lexicon = G2P(lexicon=Lexicon(lexicon_file))
    phonemes = with_lexicon.phonemize("Turn on the KOKORO lamp, please.", ENGLISH)
    assert KOKORO in phonemes
    assert phonemes.startswith(g2p.phonemize("Turn on the", ENGLISH))
    assert phonemes.endswith(g2p.phonemize("lamp, please.", ENGLISH))
    # Not inside other words.
    assert KOKORO not in with_lexicon.phonemize("Kokorowski is here.", ENGLISH)


@pytest.mark.model
def test_respellings_are_read_as_written(g2p: G2P, lexicon_file: Path) -> None:
    with_lexicon = G2P(lexicon=Lexicon(lexicon_file))
    assert with_lexicon.phonemize("Call nguyen now.", ENGLISH) == g2p.phonemize(
        "Call win now.", ENGLISH
    )
    assert with_lexicon.phonemize("Home Assistant is up.", ENGLISH) == g2p.phonemize(
        "home assist ant is up.", ENGLISH
    )


@pytest.mark.model
def test_overrides_work_for_espeak_languages_too(lexicon_file: Path) -> None:
    french = find_language("fr_FR")
    assert french is not None
    phonemes = G2P(lexicon=Lexicon(lexicon_file)).phonemize("Bonjour Kokoro.", french)
    assert KOKORO in phonemes and "bɔ̃ʒˈuʁ" in phonemes


@pytest.mark.model
def test_changes_are_picked_up_without_a_restart(lexicon_file: Path) -> None:
    g2p = G2P(lexicon=Lexicon(lexicon_file))
    assert KOKORO in g2p.phonemize("Kokoro.", ENGLISH)
    write(lexicon_file, {"Kokoro": "/bˈɑb/"})
    assert g2p.phonemize("Kokoro.", ENGLISH).startswith("bˈɑb")


@pytest.mark.model
def test_a_broken_edit_keeps_the_old_entries(
    lexicon_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    g2p = G2P(lexicon=Lexicon(lexicon_file))
    lexicon_file.write_text("{not json", encoding="utf-8")
    stamp = lexicon_file.stat().st_mtime_ns + 2_000_000_000
    os.utime(lexicon_file, ns=(stamp, stamp))
    with caplog.at_level(logging.WARNING):
        assert KOKORO in g2p.phonemize("Kokoro.", ENGLISH)
    assert "not reloaded" in caplog.text


@pytest.mark.model
def test_yaml_is_read(tmp_path: Path) -> None:
    path = tmp_path / "names.yaml"
    path.write_text(f"Kokoro: /{KOKORO}/\nNguyen: win\n", encoding="utf-8")
    assert KOKORO in G2P(lexicon=Lexicon(path)).phonemize("Hi Kokoro.", ENGLISH)


@pytest.mark.parametrize(
    ("content", "message"),
    [("[1, 2]", "expected a mapping"), ("{bad", "not valid JSON"), ('{"a": 5}', "mapping")],
)
def test_a_bad_file_at_start_is_an_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "lexicon.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError, match=message):
        Lexicon(path)
    with pytest.raises(LexiconError, match="No such file"):
        Lexicon(tmp_path / "missing.json")


@pytest.mark.parametrize("name", ["names.json", "names.yaml"])
def test_a_saved_entry_is_in_the_file_and_heard_at_once(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text('{"Kokoro": "/kˈOkəɹO/"}', encoding="utf-8")
    lexicon = Lexicon(path)
    assert lexicon.save("Nguyen", "win") == {"Kokoro": "/kˈOkəɹO/", "Nguyen": "win"}
    assert list(lexicon.parts("Hi nguyen")) == [("Hi win", False)]
    assert Lexicon(path).entries == lexicon.entries  # the file, in its own format
    assert lexicon.save("kokoro", None) == {"Nguyen": "win"}  # any case removes it
    assert list(path.parent.iterdir()) == [path]  # no temporary file left


def test_a_bad_entry_is_refused_and_the_file_kept(tmp_path: Path) -> None:
    path = tmp_path / "names.json"
    path.write_text('{"Kokoro": "/kˈOkəɹO/"}', encoding="utf-8")
    lexicon = Lexicon(path)
    for word, said in (("two\nlines", "x"), ("Nguyen", "w" * 1000), ("", "x")):
        with pytest.raises(PronunciationError):
            lexicon.save(word, said)
    assert path.read_text(encoding="utf-8") == '{"Kokoro": "/kˈOkəɹO/"}'


def test_phonemes_the_model_has_no_token_for_are_named_not_saved(tmp_path: Path) -> None:
    path = tmp_path / "names.json"
    path.write_text('{"Kokoro": "/kˈOkəɹO/"}', encoding="utf-8")
    lexicon = Lexicon(path)
    with pytest.raises(PronunciationError, match="'Nguyen': Kokoro has no phoneme 😀 ¿ "):
        lexicon.save("Nguyen", "/ʃ😀xŋ😀¿/")
    with pytest.raises(PronunciationError, match="no phoneme 😀"):
        Pronunciations.checked({"Nguyen": "/w😀n/"})  # a request's own, heard before it is saved
    assert path.read_text(encoding="utf-8") == '{"Kokoro": "/kˈOkəɹO/"}'
    assert lexicon.save("Nguyen", "/wˈɪn/")["Nguyen"] == "/wˈɪn/"


def test_a_yaml_files_comment_lines_are_kept_when_it_is_saved(tmp_path: Path) -> None:
    path = tmp_path / "names.yaml"
    path.write_text("# Names in our house\nKokoro: /kˈOkəɹO/\n", encoding="utf-8")
    Lexicon(path).save("Nguyen", "win")
    assert path.read_text(encoding="utf-8") == (
        "# Names in our house\nKokoro: /kˈOkəɹO/\nNguyen: win\n"
    )
