"""What a listener hears of streamed audio: a player that starts at the first chunk
and plays in real time, and when it runs dry."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Heard:
    first_audio: float
    """Seconds from the request to the first audio."""
    stall: float
    """Seconds of silence a player that starts at the first audio hears mid-answer."""
    gap_free_start: float
    """The earliest start from which a player never runs dry: the largest of a
    chunk's arrival minus the audio delivered before it."""
    last_audio: float
    """Seconds from the request to the last audio."""
    audio: float
    """Seconds of audio."""


def hear(chunks: list[tuple[float, float]]) -> Heard:
    """`chunks`: each chunk's arrival (seconds after the request) and length (seconds)."""
    if not chunks:
        raise ValueError("no audio")
    stall = 0.0
    gap_free = 0.0
    delivered = 0.0
    plays_until = chunks[0][0]
    for arrival, seconds in chunks:
        gap_free = max(gap_free, arrival - delivered)
        if arrival > plays_until:
            stall += arrival - plays_until
            plays_until = arrival
        plays_until += seconds
        delivered += seconds
    return Heard(chunks[0][0], stall, gap_free, chunks[-1][0], delivered)
