"""Windows planned from the decoder's speed: played in real time, they never run dry."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wyoming_kokoro.core.settings import Windows
from wyoming_kokoro.speech.pacing import (
    SECONDS_PER_FRAME,
    DecoderSpeed,
    Listeners,
    Playback,
    first_window,
    next_window,
    window_cost,
)

WINDOWS = Windows()


def play(frames: int, speed: DecoderSpeed, windows: Windows = WINDOWS) -> dict[str, float]:
    """Decode a piece as planned, each window taking exactly what `speed` says, and
    play it in real time from its first audio: when it starts, how long it stalls,
    what it costs, and its windows."""
    now, done, cost, stall = 0.0, 0, 0.0, 0.0
    playback = Playback(created=0.0)
    sizes = []
    while done < frames:
        lead = playback.lead(now)
        plan = first_window if done == 0 else next_window
        size = plan(frames - done, lead, speed, windows)
        seconds = speed.seconds(window_cost(size, windows, done == 0, done + size == frames))
        now += seconds
        cost += seconds
        if playback.started is not None and now > playback.due:
            stall += now - playback.due
        # The model's silence before the first word is trimmed away.
        playback.sent(size * SECONDS_PER_FRAME - (windows.lead_in if done == 0 else 0), now)
        done += size
        sizes.append(size)
    assert playback.started is not None
    return {"start": playback.started, "stall": stall, "cost": cost, "windows": len(sizes)}


def test_a_player_is_due_at_once_then_when_its_audio_ends() -> None:
    playback = Playback(created=5.0)
    assert playback.due == 5.0 and playback.lead(6.0) == 0.0
    playback.sent(2.0, now=6.0)
    assert playback.due == 8.0 and playback.lead(7.0) == pytest.approx(1.0)
    playback.sent(1.0, now=7.5)
    assert playback.due == 9.0
    # Ran dry at 9.0; audio at 10.0 plays from then on.
    playback.sent(1.0, now=10.0)
    assert playback.due == 11.0


def test_a_window_is_sized_for_whichever_listener_runs_dry_first() -> None:
    listeners = Listeners()
    long_reply, short_answer = Playback(created=0.0), Playback(created=0.0)
    long_reply.sent(20.0, now=1.0)
    with listeners.listening(long_reply):
        assert listeners.lead(long_reply, 2.0) == pytest.approx(19.0)
        with listeners.listening(short_answer):
            short_answer.sent(0.6, now=2.0)
            # The reply has 19 s in hand, but the short answer needs the model in 0.5 s.
            assert listeners.lead(long_reply, 2.1) == pytest.approx(0.5)
            assert listeners.lead(short_answer, 2.1) == pytest.approx(0.5)
        assert listeners.lead(long_reply, 2.1) == pytest.approx(18.9)


def test_the_speed_follows_measured_runs() -> None:
    speed = DecoderSpeed()
    for frames in (100, 20, 100, 20):
        speed.observe(frames, 0.05 + 0.01 * frames)
    assert speed.per_frame == pytest.approx(0.01)
    assert speed.overhead == pytest.approx(0.05)
    for _ in range(20):  # the machine got busy: twice as slow
        speed.observe(100, 2 * (0.05 + 0.01 * 100))
        speed.observe(20, 2 * (0.05 + 0.01 * 20))
    assert speed.seconds(100) == pytest.approx(2 * 1.05, rel=0.05)


def test_runs_of_one_size_still_give_a_speed() -> None:
    speed = DecoderSpeed(overhead=0.02)
    speed.observe(50, 0.52)
    assert speed.seconds(50) == pytest.approx(0.52)


@given(
    frames=st.integers(1, 1200),
    per_frame=st.floats(0.001, 0.014),
    overhead=st.floats(0.0, 0.06),
)
def test_a_decoder_faster_than_speech_never_stalls(
    frames: int, per_frame: float, overhead: float
) -> None:
    speed = DecoderSpeed(per_frame, overhead)
    played = play(frames, speed)
    assert played["stall"] == 0.0
    if frames <= WINDOWS.most:
        assert played["cost"] <= WINDOWS.max_cost * speed.seconds(frames) + 1e-9


def test_a_short_answer_starts_after_a_small_window() -> None:
    speed = DecoderSpeed(per_frame=0.0095, overhead=0.01)  # an AVX2 machine, 2 threads
    whole = speed.seconds(84)
    played = play(84, speed)  # "The living room lights are now on.": 2.1 s
    assert played["windows"] >= 2 and played["stall"] == 0.0
    assert played["start"] < 0.75 * whole


def test_a_decoder_slower_than_speech_holds_the_start_back_instead_of_stalling() -> None:
    speed = DecoderSpeed(per_frame=0.03, overhead=0.02)  # 1.2 s per second of speech
    played = play(160, speed)
    assert played["stall"] == 0.0
    assert speed.seconds(WINDOWS.first * 2) < played["start"] <= speed.seconds(160)


def test_later_windows_grow_with_the_lead_up_to_the_most() -> None:
    speed = DecoderSpeed(per_frame=0.005, overhead=0.01)
    sizes = [next_window(2000, lead, speed, WINDOWS) for lead in (0.3, 1.0, 30.0)]
    assert sizes == sorted(sizes) and sizes[-2] < sizes[-1] == WINDOWS.most


def test_a_short_lead_never_gets_a_window_that_loses_ground() -> None:
    """Small windows spend most of their time on context: a run of them would shrink
    the lead until the listener runs dry, so a window makes audio faster than it costs."""
    for speed in (DecoderSpeed(0.005, 0.01), DecoderSpeed(0.0146, 0.026), DecoderSpeed(0.02, 0.0)):
        for lead in (0.0, 0.3, 0.6):
            size = next_window(2000, lead, speed, WINDOWS)
            seconds = speed.seconds(window_cost(size, WINDOWS, False, False))
            assert size * SECONDS_PER_FRAME >= 1.25 * seconds or size == WINDOWS.most


def test_a_decoder_near_real_time_keeps_the_lead_it_has() -> None:
    """Measured here: 14.6 ms a frame + 26 ms a run; a sentence of 377 frames after
    0.9 s of lead: the lead must not shrink from window to window."""
    speed = DecoderSpeed(0.0146, 0.026)
    lead, done, frames, stall = 0.9, 0, 377, 0.0
    while done < frames:
        size = next_window(frames - done, lead, speed, WINDOWS, first=done == 0)
        seconds = speed.seconds(window_cost(size, WINDOWS, done == 0, done + size == frames))
        stall += max(0.0, seconds - lead)
        lead = max(0.0, lead - seconds) + size * SECONDS_PER_FRAME
        done += size
    assert stall < 0.5  # it was 3.3 s, when windows shrank with the lead


def test_no_tiny_last_window() -> None:
    speed = DecoderSpeed(per_frame=0.005, overhead=0.01)
    assert next_window(WINDOWS.most + 3, 100.0, speed, WINDOWS) == WINDOWS.most + 3


def test_audio_already_playing_lets_a_piece_start_with_a_large_window() -> None:
    speed = DecoderSpeed(per_frame=0.01, overhead=0.01)
    assert first_window(200, 10.0, speed, WINDOWS) == 200
    assert first_window(200, 0.5, speed, WINDOWS) < 200
