from hypothesis import given, settings
from hypothesis import strategies as st

from wyoming_kokoro.speech.normalize import tidy
from wyoming_kokoro.speech.sentences import (
    CLAUSE_PAUSE,
    SENTENCE_PAUSE,
    WORD_PAUSE,
    Piece,
    SentenceStream,
    fit_piece,
    plan_pieces,
    split_sentences,
)


def identity(text: str) -> str:
    """A stand-in G2P: one phoneme per character, so lengths are easy to follow."""
    return text


def words_of(pieces: list[Piece]) -> list[str]:
    return " ".join(piece.text for piece in pieces).split()


def test_split_sentences_keeps_punctuation_and_lines() -> None:
    assert split_sentences('He said "hi." Then left!\nDone') == [
        'He said "hi."',
        "Then left!",
        "Done",
    ]


def test_titles_do_not_end_sentences() -> None:
    assert split_sentences("Dr. Smith and Mrs. Jones live on Mt. Hood. Nice!") == [
        "Dr. Smith and Mrs. Jones live on Mt. Hood.",
        "Nice!",
    ]


def test_decimal_points_and_times_do_not_end_sentences() -> None:
    assert split_sentences("It is 21.5 degrees at 3:45 PM. Nice.") == [
        "It is 21.5 degrees at 3:45 PM.",
        "Nice.",
    ]


def test_pieces_are_whole_sentences() -> None:
    text = (
        "It is sunny today, with a high of 21 degrees and a light breeze. "
        "Tonight it will be clear. Tomorrow brings rain, so take an umbrella."
    )
    pieces = list(plan_pieces(text, identity, limit=510))
    assert [p.text for p in pieces] == split_sentences(text)
    assert pieces[0].text == "It is sunny today, with a high of 21 degrees and a light breeze."
    assert words_of(pieces) == text.split()


def test_no_piece_over_the_limit_and_no_word_lost_in_long_input() -> None:
    sentence = "The quick brown fox jumps over the lazy dog, again and again"
    text = ". ".join([sentence] * 1000) + "."
    pieces = list(plan_pieces(text, identity, limit=510))
    assert all(len(p.phonemes) <= 510 for p in pieces)
    assert len(words_of(pieces)) == len(text.split()) >= 10_000


def test_one_sentence_longer_than_the_limit_is_cut_at_clauses_then_words() -> None:
    text = ", ".join(["one two three four five six"] * 40)
    pieces = fit_piece(text, identity, limit=100)
    assert all(len(p.phonemes) <= 100 for p in pieces)
    assert all(p.text.endswith(",") for p in pieces[:-1])
    assert words_of(pieces) == text.split()
    no_commas = " ".join(["word"] * 200)
    pieces = fit_piece(no_commas, identity, limit=100)
    assert all(len(p.phonemes) <= 100 for p in pieces)
    assert words_of(pieces) == no_commas.split()


def test_a_word_longer_than_the_limit_is_the_only_thing_cut_inside() -> None:
    word = "a" * 1234
    pieces = fit_piece(word, identity, limit=510)
    assert [len(p.phonemes) for p in pieces] == [510, 510, 214]
    assert "".join(p.phonemes for p in pieces) == word


def test_pause_follows_punctuation() -> None:
    assert Piece("Done.", "").pause == SENTENCE_PAUSE
    assert Piece('He said "yes!"', "").pause == SENTENCE_PAUSE
    assert Piece("First,", "").pause == CLAUSE_PAUSE
    assert Piece("and then", "").pause == WORD_PAUSE


words = st.text(alphabet="abcdefghij", min_size=1, max_size=30)
separators = st.sampled_from([" ", ", ", ". ", "! ", "\n", " - ", "; "])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(words, separators), min_size=1, max_size=300))
def test_pieces_keep_every_word_in_order_within_the_limit(parts) -> None:
    text = tidy("".join(word + sep for word, sep in parts))
    pieces = list(plan_pieces(text, identity, limit=60))
    assert all(len(p.phonemes) <= 60 for p in pieces)
    # With one phoneme per character, the phonemes spell out what is spoken.
    spoken = "".join(p.phonemes for p in pieces)
    assert "".join(spoken.split()) == "".join(text.split())


def test_the_first_piece_comes_before_the_rest_is_phonemized() -> None:
    seen: list[str] = []

    def recording(text: str) -> str:
        seen.append(text)
        return text

    pieces = plan_pieces(
        "Good morning, it is seven o'clock. Rain is expected later.", recording, limit=510
    )
    assert next(pieces).text == "Good morning, it is seven o'clock."
    assert seen == ["Good morning, it is seven o'clock."]


def test_a_sentence_stream_gives_sentences_as_they_end() -> None:
    stream = SentenceStream()
    assert stream.add("It is sunny today. The high") == ["It is sunny today."]
    assert stream.add(" is twenty degrees. Dr. Smith") == ["The high is twenty degrees."]
    assert stream.finish() == "Dr. Smith"


def test_a_sentence_stream_cuts_run_on_text_at_a_clause_then_a_space() -> None:
    for text, last_mark in (("apples, pears and plums " * 6, ","), ("one two three " * 6, "e")):
        stream = SentenceStream(hold_chars=40)
        said = [s for word in text.split() for s in stream.add(word + " ")]
        assert said and all(len(s) <= 60 for s in said)
        assert said[0][-1] == last_mark
        assert " ".join([*said, stream.finish()]).split() == text.split()


def test_a_stream_is_cut_where_the_same_text_whole_is() -> None:
    text = 'Dr. Who said "hi." It is 21.5 degrees!\nDone... Really? Yes.'
    for size in (1, 2, 3, 7, 100):
        stream = SentenceStream()
        said = [s for i in range(0, len(text), size) for s in stream.add(text[i : i + size])]
        assert [*said, stream.finish()] == split_sentences(text), size


def test_each_piece_says_what_of_its_text_follows_it() -> None:
    """What a slow decoder's held start is planned from (decoding/plan.py, Following)."""
    text = "Lights on. " + ", ".join(["one two three"] * 40) + ". Done."
    pieces = list(plan_pieces(text, identity, limit=100))
    assert len(pieces) > 3  # the long sentence is cut in several
    # The sentences after it, and within a sentence cut in pieces, those after it.
    assert pieces[0].chars_after == sum(map(len, split_sentences(text)[1:]))
    for n, piece in enumerate(pieces[1:], 1):
        assert piece.chars_after == sum(len(later.text) for later in pieces[n + 1 :])
    # A later sentence counts as one piece until it is cut: at least that many follow.
    assert [piece.pieces_after for piece in pieces] == [2, *range(len(pieces) - 2, -1, -1)]
