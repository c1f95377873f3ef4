"""The benchmark's listener: when a real-time player runs dry."""

import pytest

from support.listening import hear


def test_audio_that_keeps_ahead_never_stalls() -> None:
    heard = hear([(0.3, 0.6), (0.5, 1.0), (1.2, 2.0)])
    assert heard.first_audio == 0.3 and heard.stall == 0.0
    assert heard.gap_free_start == pytest.approx(0.3) and heard.audio == pytest.approx(3.6)


def test_a_late_window_is_a_stall_and_moves_the_gap_free_start() -> None:
    # 0.6 s of audio at 0.3 s, the next only at 1.4 s: silent from 0.9 to 1.4.
    heard = hear([(0.3, 0.6), (1.4, 1.0), (1.5, 1.0)])
    assert heard.stall == pytest.approx(0.5)
    assert heard.gap_free_start == pytest.approx(0.8)
    assert heard.last_audio == 1.5


def test_a_player_that_gathers_starts_once_it_has_its_fill_or_the_whole() -> None:
    chunks = [(0.3, 0.6), (0.5, 1.0), (1.2, 2.0), (3.0, 1.0)]
    heard = hear(chunks, gathers=3.0)
    # 3.6 s are in at 1.2 s: playing until 4.8 s, so the last chunk is in time.
    assert heard.first_audio == 1.2 and heard.first_chunk == 0.3 and heard.stall == 0.0
    assert hear(chunks[:2], gathers=3.0).first_audio == 0.5
    assert hear([(0.3, 0.6), (0.5, 3.0), (4.5, 1.0)], gathers=3.0).stall == pytest.approx(0.4)


def test_no_audio_is_an_error() -> None:
    with pytest.raises(ValueError):
        hear([])
