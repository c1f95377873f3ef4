import pytest

from wyoming_kokoro.core.errors import BadRequestError
from wyoming_kokoro.http.openai import pronunciations
from wyoming_kokoro.http.page import (
    lexicon_edit,
    lexicon_info,
    page,
    phonemize_request,
    same_origin,
)


def test_the_page_is_one_small_file_with_no_outside_requests() -> None:
    html = page().decode()
    assert html.startswith("<!doctype html>") and len(page()) < 40_000
    assert "http://" not in html and "https://" not in html


def test_without_a_lexicon_the_page_says_how_to_set_one_up() -> None:
    info = lexicon_info(None)
    assert info["path"] is None and "--lexicon" in info["how"]


def test_a_save_names_a_word_and_how_to_say_it() -> None:
    assert lexicon_edit({"word": "Nguyen", "say": "win"}) == ("Nguyen", "win")
    assert lexicon_edit({"word": "Nguyen", "say": None}) == ("Nguyen", None)
    for bad in ({"say": "win"}, {"word": "Nguyen", "say": 5}, ["Nguyen"]):
        with pytest.raises(BadRequestError):
            lexicon_edit(bad)


def test_changes_come_only_from_the_page_itself() -> None:
    host = {"Host": "kokoro.local:10201"}
    assert same_origin(host)  # not a browser: curl, scripts
    assert same_origin(
        {**host, "Origin": "http://kokoro.local:10201", "Sec-Fetch-Site": "same-origin"}
    )
    assert not same_origin({**host, "Origin": "http://evil.example"})
    assert not same_origin({**host, "Sec-Fetch-Site": "cross-site"})


def test_a_request_may_bring_its_own_pronunciations() -> None:
    request = phonemize_request({"input": "Hi Nguyen", "pronunciations": {"Nguyen": "win"}})
    assert request.pronunciations is not None
    assert list(request.pronunciations.parts("Hi Nguyen")) == [("Hi win", False)]
    assert pronunciations({}) is None
    for bad in ({"Nguyen": 5}, {"": "x"}, {f"w{i}": "x" for i in range(101)}, ["x"]):
        with pytest.raises(BadRequestError):
            pronunciations({"pronunciations": bad})
    with pytest.raises(BadRequestError):
        phonemize_request({"input": 5})
