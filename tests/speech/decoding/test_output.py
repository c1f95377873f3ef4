"""A piece's edges trimmed window by window as if whole, and PCM."""

import numpy as np

from wyoming_kokoro.core.audio import SAMPLE_RATE
from wyoming_kokoro.speech.decoding.output import EDGE_SECONDS, PieceEdges, silence, to_pcm, trim


def tone(seconds: float, level: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_silent_edges_are_trimmed() -> None:
    audio = np.concatenate([silence(0.5), tone(1.0), silence(0.5)])
    edge = int(EDGE_SECONDS * SAMPLE_RATE)
    assert abs(len(trim(audio)) - (SAMPLE_RATE + 2 * edge)) <= 2
    # A window at the start of a piece loses only its start, one at the end only its end.
    assert abs(len(trim(audio, end=False)) - (1.5 * SAMPLE_RATE + edge)) <= 2
    assert abs(len(trim(audio, start=False)) - (1.5 * SAMPLE_RATE + edge)) <= 2
    assert len(silence(0.3)) == int(0.3 * SAMPLE_RATE) and not silence(0.3).any()


def test_edges_fade_to_zero_so_seams_do_not_click() -> None:
    # A piece that starts and ends mid-wave, at full level.
    joined = trim(tone(0.5, level=0.9)[37:-41])
    assert abs(joined[0]) < 1e-6 and abs(joined[-1]) < 1e-6
    # No jump between neighbouring samples larger than the tone itself makes.
    seam = np.concatenate([joined, joined])
    assert np.max(np.abs(np.diff(seam))) < 0.9 * 2 * np.pi * 220 / SAMPLE_RATE + 1e-3


def test_all_silence_is_nothing() -> None:
    assert len(trim(silence(1.0))) == 0


def test_pcm_is_clipped_16_bit_little_endian() -> None:
    pcm = to_pcm(np.array([0.0, 1.0, -1.0, 2.0, -2.0], dtype=np.float32))
    assert np.frombuffer(pcm, dtype="<i2").tolist() == [0, 32767, -32767, 32767, -32767]


def test_a_silent_window_inside_a_piece_is_kept() -> None:
    """A window that falls in a pause mid-sentence is part of the rhythm: dropping it
    would shorten the pause and leave the listener's player short of audio."""
    pause = np.zeros(9000, dtype=np.float32)
    assert len(trim(pause, start=False, end=False)) == 9000
    assert len(trim(pause, start=True, end=False)) == 0


def test_a_piece_cut_window_by_window_is_the_piece_trimmed_whole() -> None:
    """Where the decoder's windows fall follows the machine's speed; the audio must
    not: not a sample more of trailing silence, nor a sample less of the kept edge."""
    piece = np.concatenate([silence(0.3), tone(0.5), silence(0.25), tone(0.4), silence(0.4)])
    whole = trim(piece)
    rng = np.random.default_rng(7)
    # Seams in the leading silence just before speech, in the pause, in the trailing
    # silence, windows all silence, and random ones.
    near = [int(s * SAMPLE_RATE) for s in (0.29, 0.3, 0.85, 0.9, 1.45, 1.5, 1.6)]
    for cuts in [near, *(sorted(rng.integers(1, len(piece), 5)) for _ in range(50))]:
        windows = np.split(piece, cuts)
        edges = PieceEdges()
        sent = [edges.cut(window, last=i == len(windows) - 1) for i, window in enumerate(windows)]
        assert edges.started
        np.testing.assert_array_equal(np.concatenate(sent), whole, err_msg=str(cuts))


def test_a_silent_piece_cut_window_by_window_is_nothing() -> None:
    edges = PieceEdges()
    assert [len(edges.cut(silence(0.2), last)) for last in (False, False, True)] == [0, 0, 0]
    assert not edges.started
