"""Where the words are, read from the front's outputs before anything is decoded."""

import numpy as np

from wyoming_kokoro.speech.decoding.frames import Timeline


def front_outputs(durations: list[int], levels: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Aligned features as the front makes them (each token's column repeated for each
    of its frames) and the energy of each token's frames."""
    rng = np.random.default_rng(3)
    columns = rng.normal(size=(8, len(durations)))
    features = np.repeat(columns, durations, axis=1)[np.newaxis].astype(np.float32)
    energy = np.repeat(np.repeat(levels, durations), 2)[np.newaxis].astype(np.float32)
    return features, energy


# "<ab c, de>": the pads, two words, a comma and a space between, and one after.
TOKENS = "ab c, de"
DURATIONS = [16, 3, 4, 2, 3, 6, 2, 3, 4, 20]  # pads included
LEVELS = [-9.0, 8, 8, 6, 8, -5, -5, 8, 8, -9]


def test_the_onset_and_a_cut_in_each_gap_between_words() -> None:
    features, energy = front_outputs(DURATIONS, LEVELS)
    timeline = Timeline.of(TOKENS, features, energy)
    assert timeline.frames == sum(DURATIONS)
    assert timeline.onset == 16
    # The space between "ab" and "c" is loud (speech runs on): cut in its middle;
    # ", " is a pause: cut in it, as late as it is quiet.
    assert [cut.frame for cut in timeline.cuts] == [24, 35]
    assert [cut.quiet for cut in timeline.cuts] == [False, True]


def test_a_cut_is_described_by_the_phonemes_around_it() -> None:
    features, energy = front_outputs(DURATIONS, LEVELS)
    timeline = Timeline.of(TOKENS, features, energy)
    assert timeline.around(23) == "ab| c, de"
    assert timeline.around(24) == "ab ~c, de"
    assert timeline.around(35) == "ab c, ~de"
    assert timeline.around(timeline.frames) == "the end"


def test_tokens_that_cannot_be_told_apart_give_no_cuts() -> None:
    features, energy = front_outputs(DURATIONS, LEVELS)
    features[:, :, 16:19] = features[:, :, 19:20]  # "a" and "b" alike
    timeline = Timeline.of(TOKENS, features, energy)
    assert timeline.cuts == () and timeline.onset == 16


def test_the_best_cut_is_a_pause_unless_a_gap_lies_well_beyond_it() -> None:
    features, energy = front_outputs(DURATIONS, LEVELS)
    timeline = Timeline.of(TOKENS, features, energy)
    assert timeline.best_cut(20, 40) == 35
    assert timeline.best_cut(20, 30) == 24
    assert timeline.best_cut(25, 30) is None
