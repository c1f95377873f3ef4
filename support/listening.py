"""What a listener hears of streamed audio: a player that starts at the first chunk,
or once it has gathered so much (Home Assistant's), and plays in real time, and when
it runs dry."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Heard:
    first_audio: float
    """Seconds from the request to when the player starts: the first chunk, or the
    one that completes what it gathers (or the last)."""
    stall: float
    """Seconds of silence the player hears mid-answer."""
    gap_free_start: float
    """The earliest start from which a player never runs dry: the largest of a
    chunk's arrival minus the audio delivered before it."""
    last_audio: float
    """Seconds from the request to the last audio."""
    audio: float
    """Seconds of audio."""
    first_chunk: float
    """Seconds from the request to the first audio."""


def hear(chunks: list[tuple[float, float]], gathers: float = 0.0) -> Heard:
    """`chunks`: each chunk's arrival (seconds after the request) and length (seconds);
    `gathers`: seconds of audio the player reads before it plays."""
    if not chunks:
        raise ValueError("no audio")
    stall = 0.0
    gap_free = 0.0
    delivered = 0.0
    started: float | None = None
    plays_until = 0.0
    for n, (arrival, seconds) in enumerate(chunks, 1):
        gap_free = max(gap_free, arrival - delivered)
        delivered += seconds
        if started is None:
            if delivered >= gathers or n == len(chunks):
                started, plays_until = arrival, arrival + delivered
            continue
        if arrival > plays_until:
            stall += arrival - plays_until
            plays_until = arrival
        plays_until += seconds
    assert started is not None
    return Heard(started, stall, gap_free, chunks[-1][0], delivered, chunks[0][0])
