"""Where each window of a piece ends, planned from the decoder's throughput, the
listeners' lead and the words.

At an answer's start nothing plays yet: its first window is the smallest that
holds its first words whole and from which every later window keeps ahead of the
player, within a cost budget (every window decodes context frames that are thrown
away); and it is used only where it gains more at the start than its seams cost at
the end, and a quarter second at least, or else the piece is decoded whole. A player
that gathers audio before it plays (Home Assistant's) gets what it gathers in one
window. Later windows are as large as the lead then allows. Every window ends in a gap
between words where one is in reach.

A decoder slower than speech (a Raspberry Pi) cannot keep ahead of a player that
starts at the first audio: the audio is held back until so much of it is in hand that
the rest, this piece's and the pieces' estimated to follow, comes before the player
runs dry (`held`). The answer starts later, never stalls, and a long one does not wait
for its whole decode.
"""

import math
from dataclasses import dataclass

from .frames import SECONDS_PER_FRAME, Timeline
from .speed import Throughput

_GAIN = 1.25
"""How much faster than it costs a window must make audio (see next_end)."""

_REACH = 4
"""Frames past the planned end a window may run to end in a gap rather than a word."""


@dataclass(frozen=True)
class Tuning:
    """How the decoder walks a piece. Why these numbers: docs/decisions.md."""

    first_words: int = 24
    """Frames of speech (0.6 s) an answer's first window holds at least: a seam in
    the first words is where a listener loses them."""
    least: int = 24
    """Frames a later window holds at least, but for a piece's last."""
    most: int = 240
    """The largest window (6 s of audio): bounds the decoder's memory and how long
    another request's first window can wait behind it."""
    context: int = 12
    """Frames decoded on each inner side of a window and thrown away."""
    fade: int = 240
    """Samples (10 ms) over which neighbouring windows crossfade."""
    margin: float = 1.3
    """A window must be decodable this many times over before the audio in front of
    it runs out: for trimmed silence, other requests' turns, a busy machine."""
    max_cost: float = 1.3
    """Decoding a piece in windows costs at most this many times decoding it whole."""
    sooner: float = 0.25
    """Seconds sooner than decoding a piece whole that its first window must bring its
    first audio: less is hardly heard, while a window renders the words after it a
    little differently, and Whisper then mishears one now and then (docs/decisions.md)."""


@dataclass(frozen=True)
class Following:
    """What follows a piece in its answer, as far as the text tells: its audio is
    estimated at the piece's own rate of speech."""

    text: float = 0.0
    """Its text's length, in lengths of the piece's."""
    pieces: int = 0
    """How many pieces: each begins with the model's silence, decoded and trimmed."""

    def estimated(self, timeline: Timeline) -> list[tuple[Timeline, int]]:
        """Its pieces, of equal length, as the piece of `timeline` speaks, each to be
        decoded from its first frame."""
        pieces = max(self.pieces, 1 if self.text else 0)
        spoken = self.text * (timeline.frames - timeline.onset) / max(1, pieces)
        frames = timeline.onset + math.ceil(spoken)
        return [(Timeline(frames, "", (), timeline.onset, ()), 0)] * pieces


NOTHING_FOLLOWS = Following()
"""An answer's last piece, or one whose answer is not known beyond it."""


def decoded(start: int, end: int, frames: int, tuning: Tuning) -> tuple[int, int]:
    """The frames decoded for the window [start, end): its own and its context."""
    return max(0, start - tuning.context), min(frames, end + tuning.context)


def cost(start: int, end: int, frames: int, speed: Throughput, tuning: Tuning) -> float:
    first, last = decoded(start, end, frames, tuning)
    return speed.seconds(last - first)


def next_end(timeline: Timeline, start: int, lead: float, speed: Throughput, tuning: Tuning) -> int:
    """Where the window from `start` ends: as late as it can be decoded, with the
    margin, before `lead` seconds of audio run out, in a gap between words.

    Never a window that makes audio slower than 1.25 times its cost, though: context
    makes small windows dear, and a run of them would shrink the lead until the
    listener runs dry. Where that is more than the lead allows (a busy machine, one
    slower than speech), a short gap now beats a longer one later.
    """
    frames = timeline.frames
    budget = lead / tuning.margin
    if frames - start <= tuning.most and cost(start, frames, frames, speed, tuning) <= budget:
        return frames
    sides = 1 if start == 0 else 2
    fits = (budget - speed.overhead) / speed.per_frame - sides * tuning.context
    gaining = math.ceil(_gaining(speed, tuning, sides))
    size = int(min(max(fits, gaining, tuning.least), tuning.most, frames - start))
    if frames - (start + size) < tuning.least // 2:
        return frames  # no tiny last window: its context would cost more than it
    smallest = min(size, max(gaining, tuning.least))
    if size == tuning.most:  # room to end in a gap, not in a word at the largest
        smallest = min(smallest, size - tuning.least)
    return _in_a_gap(timeline, start + smallest, start + size)


def gathered_end(timeline: Timeline, start: int, seconds: float, tuning: Tuning) -> int:
    """Where the window from `start` that brings a player `seconds` of speech ends
    (a piece's lead-in silence, trimmed, does not count): in the first gap between
    words after it, or at the piece's end where little is left."""
    speech = timeline.onset if start == 0 else start
    low = speech + math.ceil(min(seconds / SECONDS_PER_FRAME, timeline.frames))
    if timeline.frames - low < tuning.least:
        return timeline.frames
    return _in_a_gap(timeline, low, low + tuning.least // 2)


def window_end(
    timeline: Timeline,
    start: int,
    lead: float,
    gathering: float,
    speed: Throughput,
    tuning: Tuning,
) -> int:
    """Where the window from `start` ends, `lead` seconds of audio ahead of the listener
    (0: nothing plays yet), no later than brings a player that still gathers `gathering`
    seconds to play."""
    if start == 0:
        end = first_end(timeline, lead, speed, tuning)
    else:
        end = next_end(timeline, start, lead, speed, tuning)
    if gathering:
        end = min(end, gathered_end(timeline, start, gathering, tuning))
    return end


def held(
    timeline: Timeline,
    start: int,
    gathered: float,
    gathers: float,
    following: Following,
    speed: Throughput,
    tuning: Tuning,
) -> float:
    """Seconds of audio a player not yet playing must have in hand when it starts, for
    every later window, of this piece from `start` on and of what follows it, to come
    before it runs dry; it has `gathered` seconds, and itself gathers `gathers`.

    0 where it may start after the first window planned for it: a decoder faster than
    speech. Else the least found at a gap between words (audio is held back to there);
    infinite where the rest of this piece is not enough (it is held into the next).
    """
    later = following.estimated(timeline)

    def keeps_ahead(end: int, lead: float) -> bool:
        return _keeps_ahead([(timeline, end), *later], lead, speed, tuning) is not None

    if start == 0 and gathered == 0:
        lead = math.inf if gathers else 0.0
        end = window_end(timeline, 0, lead, gathers, speed, tuning)
        if keeps_ahead(end, (end - timeline.onset) * SECONDS_PER_FRAME):
            return 0.0
    speech = timeline.onset if start == 0 else start
    ends = [cut.frame for cut in timeline.cuts if cut.frame > speech]
    for end in (speech, *ends, timeline.frames):
        lead = gathered + (end - speech) * SECONDS_PER_FRAME
        if lead > 0 and keeps_ahead(end, lead):
            return lead
    return math.inf


def _in_a_gap(timeline: Timeline, low: int, high: int) -> int:
    """The best gap between words in [low, high], or just past it; `high` where none
    is in reach."""
    cut = timeline.best_cut(low, high)
    if cut is None:
        cut = timeline.best_cut(high, min(high + _REACH, timeline.frames))
    return high if cut is None else cut


def _gaining(speed: Throughput, tuning: Tuning, sides: int) -> float:
    """The smallest window that makes audio 1.25 times as fast as it costs to decode;
    the largest where none does."""
    gain = SECONDS_PER_FRAME - _GAIN * speed.per_frame
    if gain <= 0:
        return tuning.most
    extra = speed.overhead + sides * tuning.context * speed.per_frame
    return _GAIN * extra / gain


def first_end(timeline: Timeline, lead: float, speed: Throughput, tuning: Tuning) -> int:
    """Where a piece's first window ends.

    With audio still playing (`lead`), as late as keeps ahead of it. At an answer's
    start, at the first gap after its first words from which every later window keeps
    ahead, whose windows cost at most `tuning.max_cost` times decoding it whole, gain
    more at the start than they lose at the end, and bring the first audio at least
    `tuning.sooner` seconds sooner. Otherwise a piece the decoder takes in one run is
    decoded whole: it starts later but never stalls.
    """
    if lead > 0:
        return next_end(timeline, 0, lead, speed, tuning)
    frames = timeline.frames
    limit = min(frames, tuning.most)
    words = timeline.onset + tuning.first_words
    ends = [cut.frame for cut in timeline.cuts if words <= cut.frame < limit]
    if not timeline.cuts:  # where the words are is not known
        ends = list(range(words, limit, max(1, tuning.least // 4)))
    whole = speed.seconds(frames)
    for end in ends:
        first = cost(0, end, frames, speed, tuning)
        lead = (end - timeline.onset) * SECONDS_PER_FRAME
        later = _keeps_ahead([(timeline, end)], lead, speed, tuning)
        if later is None:
            continue
        total = first + later
        if frames > tuning.most or (
            total <= tuning.max_cost * whole
            and first + total < 2 * whole
            and whole - first >= tuning.sooner
        ):
            return end
    if frames <= tuning.most:
        return frames
    return _in_a_gap(timeline, words, limit)


def _keeps_ahead(
    pieces: list[tuple[Timeline, int]], lead: float, speed: Throughput, tuning: Tuning
) -> float | None:
    """What the windows of `pieces` cost, each piece's from the frame given and each
    window as large as the lead then allows, for a player that has `lead` seconds in
    hand; None if it would run dry. A piece's lead-in is decoded, then trimmed."""
    total = 0.0
    for timeline, end in pieces:
        while end < timeline.frames:
            start, end = end, next_end(timeline, end, lead, speed, tuning)
            seconds = cost(start, end, timeline.frames, speed, tuning)
            if seconds * tuning.margin > lead:
                return None
            total += seconds
            heard = end - max(start, timeline.onset if start == 0 else 0)
            lead += heard * SECONDS_PER_FRAME - seconds
    return total
