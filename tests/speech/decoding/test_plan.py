"""Windows planned from the decoder's throughput: played in real time they never run
dry, they end between words, and they are worth their seams."""

import math
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wyoming_kokoro.speech.decoding.frames import SECONDS_PER_FRAME, Cut, Timeline
from wyoming_kokoro.speech.decoding.listeners import Playback
from wyoming_kokoro.speech.decoding.plan import (
    Following,
    Tuning,
    cost,
    first_end,
    held,
    next_end,
    window_end,
)
from wyoming_kokoro.speech.decoding.speed import Throughput

from .timelines import timeline

TUNING = Tuning()
PIECES_AND_FAST_MACHINES = {
    "frames": st.integers(1, 1200),
    "onset": st.integers(0, 20),
    "word": st.integers(3, 40),
    "per_frame": st.floats(0.001, 0.014),
    "overhead": st.floats(0.0, 0.06),
}
"""A piece's frames, its lead-in and its words' length; a decoder faster than speech."""
GATHERS = 4.27
"""What Home Assistant's player gathers before it plays (wyoming/handler.py)."""


SLOW_MACHINES = {
    "per_frame": st.floats(0.015, 0.06),
    "overhead": st.floats(0.0, 0.06),
}
"""A decoder near real time (a Raspberry Pi 5: 25 ms a frame) or slower than speech."""


@dataclass(frozen=True)
class Played:
    start: float
    """When the player started."""
    stall: float
    cost: float
    last: float
    """When the last window was decoded."""
    ends: list[int]
    """Where each window ended."""
    held: bool
    """Whether audio was held back for a decoder slower than speech."""


def play(
    piece: Timeline, speed: Throughput, tuning: Tuning = TUNING, gathers: float = 0.0
) -> Played:
    """Decode a piece as planned, each window taking exactly what `speed` says, and
    play it in real time from its first audio, or once it has `gathers` seconds."""
    return play_answer([piece], speed, tuning, gathers)


def play_answer(
    pieces: list[Timeline], speed: Throughput, tuning: Tuning = TUNING, gathers: float = 0.0
) -> Played:
    """`play` for an answer of several pieces, each told the frames after it."""
    now, spent, stall, was_held = 0.0, 0.0, 0.0, False
    playback = Playback(created=0.0, gathers=gathers)
    ends: list[int] = []
    for n, piece in enumerate(pieces):
        later = pieces[n + 1 :]
        spoken = sum(each.frames - each.onset for each in later)
        following = Following(spoken / max(1, piece.frames - piece.onset), len(later))
        done = 0
        while done < piece.frames:
            if playback.started is None:
                playback.holds = held(
                    piece, done, playback.seconds, gathers, following, speed, tuning
                )
                was_held = was_held or playback.holding
            lead, gathering = playback.lead(now), playback.gathering
            end = window_end(piece, done, lead, gathering, speed, tuning)
            seconds = cost(done, end, piece.frames, speed, tuning)
            now += seconds
            spent += seconds
            if playback.started is not None and now > playback.due:
                stall += now - playback.due
            # The model's silence before the first word is trimmed away.
            speech = max(done, piece.onset if done == 0 else 0)
            playback.sent((end - speech) * SECONDS_PER_FRAME, now)
            done = end
            ends.append(end)
    return Played(playback.started or now, stall, spent, now, ends, was_held)


@given(**PIECES_AND_FAST_MACHINES)
def test_a_decoder_faster_than_speech_never_stalls(
    frames: int, onset: int, word: int, per_frame: float, overhead: float
) -> None:
    speed = Throughput(per_frame, overhead)
    piece = timeline(frames, onset, word)
    played = play(piece, speed)
    assert played.stall == 0.0 and not played.held
    # No window too small to be worth its seams: a listener loses words at them.
    sizes = [end - start for start, end in zip([0, *played.ends], played.ends, strict=False)]
    assert all(size >= TUNING.least for size in sizes[:-1])
    if frames <= TUNING.most:
        whole = speed.seconds(frames)
        assert played.cost <= TUNING.max_cost * whole + 1e-9
        # Windows only where they gain more at the start than they cost at the end,
        # and enough to be heard.
        assert played.start + played.last <= 2 * whole + 1e-9
        assert len(played.ends) == 1 or played.start <= whole - TUNING.sooner + 1e-9


@given(**PIECES_AND_FAST_MACHINES)
def test_a_player_that_gathers_first_gets_what_it_gathers_in_one_window(
    frames: int, onset: int, word: int, per_frame: float, overhead: float
) -> None:
    """Home Assistant's player plays nothing before it has 4.3 s: that much comes
    soonest in one window, with no seam in the first words, and then keeps ahead."""
    speed = Throughput(per_frame, overhead)
    piece = timeline(frames, onset, word)
    played = play(piece, speed, gathers=GATHERS)
    assert played.stall == 0.0
    gathered = piece.onset + math.ceil(GATHERS / SECONDS_PER_FRAME)
    if frames - gathered < TUNING.least and frames <= TUNING.most:
        assert played.ends == [frames]  # done as soon as decoding it whole
    else:
        assert played.ends[0] >= min(gathered, TUNING.most)
        assert played.ends[0] <= gathered + TUNING.least // 2 + 4 or played.ends[0] == frames


@given(
    first=st.integers(40, 1200),  # "Yes." is 40
    later=st.integers(40, 1200),
    count=st.integers(0, 2),
    word=st.integers(3, 40),
    gathers=st.sampled_from([0.0, GATHERS]),
    **SLOW_MACHINES,
)
def test_a_decoder_near_or_slower_than_speech_starts_later_and_never_stalls(
    first: int, later: int, count: int, word: int, gathers: float, per_frame: float, overhead: float
) -> None:
    """A Raspberry Pi: the audio is held back until the rest comes in time. What
    follows a piece is estimated as pieces of one length (here it is so)."""
    speed = Throughput(per_frame, overhead)
    pieces = [timeline(frames, word=word) for frames in [first] + [later] * count]
    played = play_answer(pieces, speed, gathers=gathers)
    assert played.stall == 0.0


@pytest.mark.parametrize("per_frame", [0.025, 0.04])
def test_a_long_answer_on_a_slow_decoder_does_not_wait_for_its_whole_decode(
    per_frame: float,
) -> None:
    """A Pi 5 (25 ms a frame) and a Pi 4 (40 ms) reading three sentences of 12 s each."""
    speed = Throughput(per_frame, 0.02)
    played = play_answer([timeline(480, word=10)] * 3, speed)
    assert played.stall == 0.0 and played.held
    assert played.start < 0.8 * played.last


def test_audio_is_held_back_only_where_the_rest_would_not_come_in_time() -> None:
    piece = timeline(400, word=10)
    fast, slow = Throughput(0.01, 0.02), Throughput(0.03, 0.02)
    alone, five_more = Following(), Following(text=5.0, pieces=5)
    assert held(piece, 0, 0.0, 0.0, alone, fast, TUNING) == 0.0
    assert held(piece, 0, 0.0, 0.0, five_more, fast, TUNING) == 0.0
    holds = held(piece, 0, 0.0, 0.0, alone, slow, TUNING)
    assert 0.0 < holds < (400 - piece.onset) * SECONDS_PER_FRAME
    # The more audio follows, the more is held back; beyond this piece, into the next.
    assert held(piece, 0, 0.0, 0.0, Following(text=1.0, pieces=1), slow, TUNING) > holds
    assert held(piece, 0, 0.0, 0.0, five_more, slow, TUNING) == math.inf


def test_a_gathering_player_starts_once_it_has_its_fill() -> None:
    playback = Playback(created=1.0, gathers=4.0)
    assert playback.lead(1.5) == float("inf") and playback.gathering == 4.0
    playback.sent(3.0, now=2.0)
    assert playback.started is None and playback.gathering == 1.0 and playback.due == 1.0
    assert not playback.holding  # the player gathers it: the server sends it
    playback.sent(2.0, now=2.5)
    assert playback.started == 2.5 and playback.gathering == 0.0
    assert playback.lead(3.0) == pytest.approx(4.5)


def test_audio_held_back_starts_the_player_when_all_is_in_hand() -> None:
    playback = Playback(created=0.0, holds=6.0)
    assert playback.holding and playback.lead(0.5) == float("inf")
    playback.sent(4.0, now=5.0)
    assert playback.holding and playback.started is None and playback.gathering == 2.0
    playback.sent(4.0, now=9.0)
    assert not playback.holding and playback.started == 9.0
    assert playback.lead(10.0) == pytest.approx(7.0)


@pytest.mark.parametrize("per_frame", [0.003, 0.006, 0.0095, 0.02])
def test_the_first_window_holds_the_first_words_and_every_window_ends_between_words(
    per_frame: float,
) -> None:
    piece = timeline(200, onset=16, word=10)
    played = play(piece, Throughput(per_frame, 0.01))
    gaps = {cut.frame for cut in piece.cuts}
    *seams, last = played.ends
    assert seams and last == piece.frames
    assert seams[0] >= piece.onset + TUNING.first_words
    assert set(seams) <= gaps


def test_a_window_ends_in_a_pause_rather_than_between_two_words() -> None:
    piece = timeline(400, onset=16, word=10, pause_every=4)
    pauses = {cut.frame for cut in piece.cuts if cut.quiet}
    end = next_end(piece, 100, 1.2, Throughput(0.005, 0.01), TUNING)
    assert end in pauses


def test_a_fast_machine_makes_fewer_seams_not_a_smaller_first_window() -> None:
    piece = timeline(200, onset=16, word=10)
    fast, slow = (play(piece, Throughput(per_frame, 0.01)) for per_frame in (0.003, 0.0095))
    assert len(fast.ends) <= len(slow.ends) <= 4
    assert fast.start < slow.start


def test_a_short_answer_starts_after_a_small_window() -> None:
    speed = Throughput(per_frame=0.0095, overhead=0.01)  # an AVX2 machine, 2 threads
    piece = timeline(120, onset=16, word=10)  # "The living room lights are now on.": 2.6 s
    played = play(piece, speed)
    assert len(played.ends) >= 2 and played.stall == 0.0
    assert played.start < 0.75 * speed.seconds(piece.frames)


@pytest.mark.parametrize("frames", [60, 116, 140])
def test_a_short_answer_a_fast_machine_decodes_at_once_is_decoded_whole(frames: int) -> None:
    """Windows would start it less than a quarter second sooner, and a window renders
    the words after it a little differently ("has finished" heard as "has been a-")."""
    speed = Throughput(per_frame=0.003, overhead=0.01)
    played = play(timeline(frames, onset=16, word=10), speed)
    assert played.ends == [frames]


def test_a_decoder_slower_than_speech_holds_the_start_back_instead_of_stalling() -> None:
    speed = Throughput(per_frame=0.03, overhead=0.02)  # 1.2 s per second of speech
    played = play(timeline(160), speed)
    assert played.stall == 0.0
    assert speed.seconds(TUNING.least * 2) < played.start <= speed.seconds(160)


def test_later_windows_grow_with_the_lead_up_to_the_most() -> None:
    speed = Throughput(per_frame=0.005, overhead=0.01)
    piece = timeline(2000)
    sizes = [next_end(piece, 100, lead, speed, TUNING) - 100 for lead in (0.3, 1.0, 30.0)]
    assert sizes == sorted(sizes) and sizes[-2] < sizes[-1] <= TUNING.most


def test_a_short_lead_never_gets_a_window_that_loses_ground() -> None:
    """Small windows spend most of their time on context: a run of them would shrink
    the lead until the listener runs dry, so a window makes audio faster than it costs."""
    piece = timeline(2000)
    for speed in (Throughput(0.005, 0.01), Throughput(0.0146, 0.026), Throughput(0.02, 0.0)):
        for lead in (0.0, 0.3, 0.6):
            end = next_end(piece, 100, lead, speed, TUNING)
            seconds = cost(100, end, piece.frames, speed, TUNING)
            assert (end - 100) * SECONDS_PER_FRAME >= 1.25 * seconds or end - 100 >= TUNING.most


def test_a_decoder_near_real_time_keeps_the_lead_it_has() -> None:
    """Measured here: 14.6 ms a frame + 26 ms a run; a sentence of 377 frames after
    0.9 s of lead: the lead must not shrink from window to window."""
    speed = Throughput(0.0146, 0.026)
    piece = timeline(377)
    lead, done, stall = 0.9, 0, 0.0
    while done < piece.frames:
        end = next_end(piece, done, lead, speed, TUNING)
        seconds = cost(done, end, piece.frames, speed, TUNING)
        stall += max(0.0, seconds - lead)
        lead = max(0.0, lead - seconds) + (end - done) * SECONDS_PER_FRAME
        done = end
    assert stall < 0.5  # it was 3.3 s, when windows shrank with the lead


def test_no_tiny_last_window() -> None:
    speed = Throughput(per_frame=0.005, overhead=0.01)
    piece = timeline(TUNING.most + 3)
    assert next_end(piece, 0, 100.0, speed, TUNING) == piece.frames


def test_audio_already_playing_lets_a_piece_start_with_a_large_window() -> None:
    speed = Throughput(per_frame=0.01, overhead=0.01)
    piece = timeline(200)
    assert first_end(piece, 10.0, speed, TUNING) == 200
    assert first_end(piece, 0.5, speed, TUNING) < 200


def test_where_the_words_are_not_known_windows_still_keep_ahead() -> None:
    piece = Timeline(300, "", (), 16, ())
    played = play(piece, Throughput(0.0095, 0.01))
    assert played.stall == 0.0 and len(played.ends) >= 2


def test_a_window_would_rather_end_in_a_word_than_be_too_small() -> None:
    """A gap 15 frames in, the next 60: the window ends where the lead allows, in a
    word, rather than 15 frames in (a window too small to be worth its seams)."""
    piece = Timeline(400, "", (), 16, (Cut(115, quiet=True), Cut(160, quiet=True)))
    speed = Throughput(0.005, 0.01)
    end = next_end(piece, 100, 0.5, speed, TUNING)
    assert end - 100 >= TUNING.least
