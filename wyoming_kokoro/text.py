"""Text before G2P: cleaning up, and cutting into pieces the model can take.

The model reads at most MAX_PHONEMES phonemes at a time, but its memory grows
with the audio a run produces while its speed per second of speech does not
improve with length (int8 on 2 cores: 60 phonemes 0.16 s per second of audio and
83 MB on top, 100 phonemes 0.16 s and 164 MB, 200 phonemes 0.18 s and 330 MB,
400 phonemes 0.20 s and 660 MB). So pieces stay near PIECE_PHONEMES, about a
sentence; the first piece is a short phrase, so that audio starts soon.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sentence_stream import SentenceBoundaryDetector

MAX_PHONEMES = 510
"""The most the model reads in one run (its input is 512 tokens with the pads)."""
PIECE_PHONEMES = 100

# A piece may grow to this many times the phonemes already sent: Kokoro runs at
# about 0.2 of real time on a small CPU, so the next piece is ready before the
# audio already sent has finished playing.
GROWTH = 2
# A first phrase cut at a comma may be two words ("Right now,"); one cut before
# a conjunction needs three to not sound clipped.
MIN_FIRST_WORDS_AT_PUNCTUATION = 2
MIN_FIRST_WORDS = 3

SENTENCE_MARKS = ".!?…。！？"
CLAUSE_MARKS = ",;:、，；："
_CLOSERS = "\"'”’)]"

SENTENCE_PAUSE = 0.3
CLAUSE_PAUSE = 0.15
WORD_PAUSE = 0.05

# "Dr. Smith" is one sentence: no cut after a title's dot.
_TITLES = ("Mr", "Mrs", "Ms", "Dr", "St", "Jr", "Sr", "Prof", "Mt", "vs", "No")
_NOT_A_TITLE = "".join(rf"(?<!\b{title})" for title in _TITLES)
_SENTENCE_END = re.compile(
    rf"{_NOT_A_TITLE}[{re.escape(SENTENCE_MARKS)}]+[{re.escape(_CLOSERS)}]*(?=\s)|\n"
)
_CLAUSE_END = re.compile(
    rf"[{re.escape(CLAUSE_MARKS)}]+[{re.escape(_CLOSERS)}]*(?=\s)|\s[—–-]+(?=\s)"
)
_WORD_END = re.compile(r"\S(?=\s)")
# Words before which a long first sentence may be cut when it has no early comma.
_PHRASE_START = re.compile(
    r"\s(?=(?:and|but|or|so|because|while|which|when|where|although|though|if)\s)",
    re.IGNORECASE,
)

# Streamed text that runs on without a sentence end (an LLM writing a long
# list) is cut once this much is held, so speech starts after about a sentence.
STREAM_HOLD_CHARS = 160

Phonemize = Callable[[str], str]


@dataclass(frozen=True)
class Piece:
    """Text the model reads in one run, and its phonemes."""

    text: str
    phonemes: str

    @property
    def pause(self) -> float:
        """Seconds of silence that naturally follow this piece."""
        end = self.text.rstrip(_CLOSERS + " ")[-1:]
        if end and end in SENTENCE_MARKS:
            return SENTENCE_PAUSE
        if end and end in CLAUSE_MARKS + "—–-":
            return CLAUSE_PAUSE
        return WORD_PAUSE

    def __add__(self, other: "Piece") -> "Piece":
        return Piece(f"{self.text} {other.text}", f"{self.phonemes} {other.phonemes}")


def split_sentences(text: str) -> list[str]:
    return _split_after(text, _SENTENCE_END)


class SentenceStream:
    """Sentences from text that arrives in chunks, each as soon as it is complete.

    Text that runs on past STREAM_HOLD_CHARS without a sentence end is cut at
    its last clause mark, or else at its last space.
    """

    def __init__(self, hold_chars: int = STREAM_HOLD_CHARS) -> None:
        self._detector = SentenceBoundaryDetector()
        self._hold_chars = hold_chars

    def add(self, chunk: str) -> list[str]:
        sentences = list(self._detector.add_chunk(chunk))
        held = self._detector.current_sentence + self._detector.remaining_text
        if len(held) > self._hold_chars:
            cuts = [m.end() for m in _CLAUSE_END.finditer(held)]
            cuts = cuts or [m.end() for m in _WORD_END.finditer(held)]
            if cuts and (head := held[: cuts[-1]].strip()):
                sentences.append(head)
                self._detector.current_sentence = ""
                self._detector.remaining_text = held[cuts[-1] :].lstrip()
        return sentences

    def finish(self) -> str:
        """What is left once the text has ended."""
        return self._detector.finish().strip()


def plan_pieces(
    text: str, phonemize: Phonemize, limit: int = PIECE_PHONEMES, quick_start: bool = True
) -> Iterator[Piece]:
    """The pieces to synthesize, in order: a short first phrase, then larger ones.

    Lazy, so that the G2P of one piece can run while the model reads the last;
    the first piece goes out before anything after it is phonemized. Without
    `quick_start` (audio is already playing), pieces are as large as allowed.
    """
    units = _units(text) if quick_start else iter(split_sentences(text))
    pieces = (piece for unit in units for piece in fit_piece(unit, phonemize, limit))
    sent = limit  # budget for merging: as large as allowed
    pending: Piece | None = None
    if quick_start:
        pending = next(pieces, None)
        if pending is None:
            return
        yield pending
        sent = len(pending.phonemes)
        pending = None
    for piece in pieces:
        if pending is None:
            pending = piece
        elif len(pending.phonemes) + 1 + len(piece.phonemes) <= min(limit, GROWTH * sent):
            pending += piece
        else:
            yield pending
            sent += len(pending.phonemes)
            pending = piece
    if pending is not None:
        yield pending


def fit_piece(text: str, phonemize: Phonemize, limit: int = MAX_PHONEMES) -> list[Piece]:
    """Text as pieces of at most `limit` phonemes, cut at the strongest boundary.

    Sentence ends first, then clause punctuation, then spaces; a word is cut only
    when it alone is longer than the model can read.
    """
    phonemes = phonemize(text)
    if len(phonemes) <= limit:
        return [Piece(text, phonemes)]
    for boundary in (_SENTENCE_END, _CLAUSE_END, _WORD_END):
        cuts = [m.end() for m in boundary.finditer(text) if 0 < m.end() < len(text)]
        if cuts:
            cut = min(cuts, key=lambda c: abs(2 * c - len(text)))
            return fit_piece(text[:cut].strip(), phonemize, limit) + fit_piece(
                text[cut:].strip(), phonemize, limit
            )
    return [
        Piece(text if start == 0 else "", phonemes[start : start + limit])
        for start in range(0, len(phonemes), limit)
    ]


def _units(text: str) -> Iterator[str]:
    """Sentences, with a short first phrase cut from the first one."""
    sentences = split_sentences(text)
    if sentences:
        yield from _split_first_phrase(sentences[0])
        yield from sentences[1:]


def _split_first_phrase(sentence: str) -> list[str]:
    cuts = sorted(
        (m.end(), min_words)
        for boundary, min_words in (
            (_CLAUSE_END, MIN_FIRST_WORDS_AT_PUNCTUATION),
            (_PHRASE_START, MIN_FIRST_WORDS),
        )
        for m in boundary.finditer(sentence)
    )
    for cut, min_words in cuts:
        head, tail = sentence[:cut].strip(), sentence[cut:].strip()
        if len(head.split()) >= min_words and len(tail.split()) >= MIN_FIRST_WORDS:
            return [head, tail]
    return [sentence]


def _split_after(text: str, boundary: re.Pattern[str]) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in boundary.finditer(text):
        parts.append(text[start : match.end()])
        start = match.end()
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]
