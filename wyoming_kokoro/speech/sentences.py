"""Text before G2P: cutting it into the pieces the model reads in one run.

A piece is a whole sentence, for the prosody of whole sentences: the decoder
streams each piece window by window (engine.py), so first audio no longer
depends on a piece's length. A sentence longer than the model can read is cut
at clauses, then at spaces.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

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
# Streamed text that runs on without a sentence end (an LLM writing a long
# list) is cut once this much is held, so speech starts after about a sentence.
STREAM_HOLD_CHARS = 160

Phonemize = Callable[[str], str]


@dataclass(frozen=True)
class Piece:
    """Text the model reads in one run, and its phonemes."""

    text: str
    phonemes: str
    chars_after: int = 0
    """Characters of its text's later pieces: what the answer still has to say."""
    pieces_after: int = 0
    """How many later pieces there are at least (a later sentence may be cut in more)."""

    @property
    def pause(self) -> float:
        """Seconds of silence that naturally follow this piece."""
        end = self.text.rstrip(_CLOSERS + " ")[-1:]
        if end and end in SENTENCE_MARKS:
            return SENTENCE_PAUSE
        if end and end in CLAUSE_MARKS + "—–-":
            return CLAUSE_PAUSE
        return WORD_PAUSE


def split_sentences(text: str) -> list[str]:
    return _split_after(text, _SENTENCE_END)


class SentenceStream:
    """Sentences from text that arrives in chunks, each as soon as it is complete:
    the same rule as for whole text, so a streamed answer is cut where the same
    answer sent whole would be.

    A sentence is complete once whitespace follows its end (a chunk may end in
    "3." of "3.5"). Text that runs on past `hold_chars` without a sentence end is
    cut at its last clause mark, or else at its last space.
    """

    def __init__(self, hold_chars: int = STREAM_HOLD_CHARS) -> None:
        self._held = ""
        self._hold_chars = hold_chars

    def add(self, chunk: str) -> list[str]:
        self._held += chunk
        ends = [m.end() for m in _SENTENCE_END.finditer(self._held)]
        sentences = split_sentences(self._held[: ends[-1]]) if ends else []
        if ends:
            self._held = self._held[ends[-1] :]
        if len(self._held.strip()) > self._hold_chars:
            cuts = [m.end() for m in _CLAUSE_END.finditer(self._held)]
            cuts = cuts or [m.end() for m in _WORD_END.finditer(self._held)]
            if cuts and (head := self._held[: cuts[-1]].strip()):
                sentences.append(head)
                self._held = self._held[cuts[-1] :]
        return sentences

    def finish(self) -> str:
        """What is left once the text has ended."""
        rest, self._held = self._held.strip(), ""
        return rest


def plan_pieces(text: str, phonemize: Phonemize, limit: int) -> Iterator[Piece]:
    """The pieces to synthesize, in order: sentences, each cut only if too long.

    Lazy, so that the G2P of one sentence can run while the model reads the last.
    """
    sentences = split_sentences(text)
    chars_after = sum(map(len, sentences))
    for n, sentence in enumerate(sentences, 1):
        chars_after -= len(sentence)
        parts = fit_piece(sentence, phonemize, limit)
        for i, part in enumerate(parts, 1):
            later = parts[i:]
            yield replace(
                part,
                chars_after=chars_after + sum(len(piece.text) for piece in later),
                pieces_after=len(sentences) - n + len(later),
            )


def fit_piece(text: str, phonemize: Phonemize, limit: int) -> list[Piece]:
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


def _split_after(text: str, boundary: re.Pattern[str]) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in boundary.finditer(text):
        parts.append(text[start : match.end()])
        start = match.end()
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]
