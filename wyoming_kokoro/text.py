"""Text before G2P: cleaning up, and cutting into pieces the model can take.

The model reads at most MAX_PHONEMES phonemes at a time and its compute grows with
the length of what it reads, so the first piece is a short phrase (audio starts
soon) and later pieces grow (fewer, longer runs are cheaper per second of speech).
"""

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

MAX_PHONEMES = 510

# A piece may grow to this many times the phonemes already sent: Kokoro runs at
# about 0.35 of real time on a small CPU, so the next piece is ready before the
# audio already sent has finished playing.
GROWTH = 2
MIN_FIRST_WORDS = 3

SENTENCE_PAUSE = 0.3
CLAUSE_PAUSE = 0.15
WORD_PAUSE = 0.05

_SENTENCE_END = re.compile(r"[.!?…。！？]+[\"'”’)\]]*(?=\s)|\n")
_CLAUSE_END = re.compile(r"[,;:、，；：]+[\"'”’)\]]*(?=\s)|\s[—–-]+(?=\s)")
_WORD_END = re.compile(r"\S(?=\s)")
# Words before which a long first sentence may be cut when it has no early comma.
_PHRASE_START = re.compile(
    r"\s(?=(?:and|but|or|so|because|while|which|when|where|although|though|if)\s)",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\r\f\v]+")

Phonemize = Callable[[str], str]


@dataclass(frozen=True)
class Piece:
    """Text the model reads in one run, and its phonemes."""

    text: str
    phonemes: str

    @property
    def pause(self) -> float:
        """Seconds of silence that naturally follow this piece."""
        end = self.text.rstrip("\"'”’)] ")[-1:]
        if end and end in ".!?…。！？":
            return SENTENCE_PAUSE
        if end and end in ",;:、，；：—–-":
            return CLAUSE_PAUSE
        return WORD_PAUSE

    def __add__(self, other: "Piece") -> "Piece":
        return Piece(f"{self.text} {other.text}", f"{self.phonemes} {other.phonemes}")


def normalize(text: str) -> str:
    """Clean text for G2P: no control characters, single spaces, trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text.replace("\t", " "))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def split_sentences(text: str) -> list[str]:
    return _split_after(text, _SENTENCE_END)


def plan_pieces(text: str, phonemize: Phonemize, limit: int = MAX_PHONEMES) -> Iterator[Piece]:
    """The pieces to synthesize, in order: a short first phrase, then larger ones.

    Lazy, so that the G2P of one piece can run while the model reads the last.
    """
    pending: Piece | None = None
    budget = 0  # the first piece goes out alone
    sent = 0
    for unit in _units(text):
        for piece in fit_piece(unit, phonemize, limit):
            if pending is None:
                pending = piece
            elif len(pending.phonemes) + 1 + len(piece.phonemes) <= budget:
                pending += piece
            else:
                yield pending
                sent += len(pending.phonemes)
                budget = min(limit, GROWTH * sent)
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
    cuts = sorted(m.end() for b in (_CLAUSE_END, _PHRASE_START) for m in b.finditer(sentence))
    for cut in cuts:
        head, tail = sentence[:cut].strip(), sentence[cut:].strip()
        if len(head.split()) >= MIN_FIRST_WORDS and len(tail.split()) >= MIN_FIRST_WORDS:
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
