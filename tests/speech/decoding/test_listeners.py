"""The listeners' clocks, and the decoder's throughput measured from its runs."""

import pytest

from wyoming_kokoro.speech.decoding.listeners import Listeners, Playback
from wyoming_kokoro.speech.decoding.speed import Throughput


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
    now = [1.0]
    listeners = Listeners(lambda: now[0])
    long_reply, short_answer = listeners.playback(), listeners.playback()
    assert long_reply.created == 1.0
    long_reply.sent(20.0, now=1.0)
    now[0] = 2.0
    with listeners.listening(long_reply):
        assert listeners.lead(long_reply) == pytest.approx(19.0)
        with listeners.listening(short_answer):
            short_answer.sent(0.6, now=2.0)
            now[0] = 2.1
            # The reply has 19 s in hand, but the short answer needs the model in 0.5 s.
            assert listeners.lead(long_reply) == pytest.approx(0.5)
            assert listeners.lead(short_answer) == pytest.approx(0.5)
        assert listeners.lead(long_reply) == pytest.approx(18.9)


def test_the_throughput_follows_measured_runs() -> None:
    speed = Throughput()
    for frames in (100, 20, 100, 20):
        speed.observe(frames, 0.05 + 0.01 * frames)
    assert speed.per_frame == pytest.approx(0.01)
    assert speed.overhead == pytest.approx(0.05)
    for _ in range(20):  # the machine got busy: twice as slow
        speed.observe(100, 2 * (0.05 + 0.01 * 100))
        speed.observe(20, 2 * (0.05 + 0.01 * 20))
    assert speed.seconds(100) == pytest.approx(2 * 1.05, rel=0.05)


def test_runs_of_one_size_still_give_a_throughput() -> None:
    speed = Throughput(overhead=0.02)
    speed.observe(50, 0.52)
    assert speed.seconds(50) == pytest.approx(0.52)
