"""The voice catalog: which voices are installed, what they speak, their styles."""

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.errors import BadRequestError
from ..core.languages import Language, language_of_voice

_LOGGER = logging.getLogger(__name__)

STYLE_SIZE = 256
# Kokoro's voices, best first: the default is the first installed, and Home
# Assistant lists voices in this order. Why this order: docs/decisions.md.
PREFERRED_VOICES = (
    "af_heart",
    "af_bella",
    "bf_emma",
    "af_nicole",
    "jf_gongitsune",
    "jm_kumo",
    "jf_nezumi",
    "jf_tebukuro",
    "jf_alpha",
)
# The grades Kokoro's author gave the voices (hexgrad/Kokoro-82M, VOICES.md): how
# well each was trained, A best; shown to people choosing a voice.
GRADES = {
    "af_heart": "A", "af_bella": "A-", "af_nicole": "B-", "af_aoede": "C+",
    "af_kore": "C+", "af_sarah": "C+", "af_alloy": "C", "af_nova": "C", "af_sky": "C-",
    "af_jessica": "D", "af_river": "D", "am_fenrir": "C+", "am_michael": "C+",
    "am_puck": "C+", "am_echo": "D", "am_eric": "D", "am_liam": "D", "am_onyx": "D",
    "am_santa": "D-", "am_adam": "F+", "bf_emma": "B-", "bf_isabella": "C",
    "bf_alice": "D", "bf_lily": "D", "bm_fable": "C", "bm_george": "C", "bm_lewis": "D+",
    "bm_daniel": "D", "jf_alpha": "C+", "jf_gongitsune": "C", "jf_nezumi": "C-",
    "jf_tebukuro": "C", "jm_kumo": "C-", "ff_siwis": "B-", "hf_alpha": "C",
    "hf_beta": "C", "hm_omega": "C", "hm_psi": "C", "if_sara": "C", "im_nicola": "C",
}  # fmt: skip
_VOICE_NAME = re.compile(r"^[a-z]{2}_[a-z0-9]+$")
_GENDERS = {"f": "female", "m": "male"}
MAX_BLEND = 8


class UnknownVoiceError(BadRequestError):
    """A voice that is not installed was asked for."""

    def __init__(self, name: str, installed: Iterable[str]) -> None:
        super().__init__(
            f"Voice {name!r} is not installed; installed voices: " + ", ".join(sorted(installed))
        )
        self.name = name


@dataclass(frozen=True)
class Voice:
    """One Kokoro voice: a pack of style vectors, one per phoneme count."""

    name: str
    language: Language
    gender: str
    pack: np.ndarray
    """float32, shape (rows, 256); row n-1 is the style for n tokens."""

    label: str = ""
    """For people: Heart; derived from the name when empty."""

    @property
    def title(self) -> str:
        return self.label or self.name.split("_", 1)[1].title()

    @property
    def grade(self) -> str | None:
        return GRADES.get(self.name)

    @property
    def description(self) -> str:
        return f"{self.title} - {self.language.name}, {self.gender}"

    def style(self, token_count: int) -> np.ndarray:
        """The style vector for an input of `token_count` tokens, shape (1, 256)."""
        row = min(max(token_count, 1), len(self.pack)) - 1
        return self.pack[row].reshape(1, STYLE_SIZE)


class VoiceCatalog:
    """The installed voices, by name."""

    def __init__(self, voices: Iterable[Voice]) -> None:
        self._voices = {voice.name: voice for voice in voices}

    def add_blends(self, specs: Iterable[str]) -> None:
        """Offer these blends (af_heart:0.7+af_bella:0.3) as voices of their own."""
        for spec in specs:
            blend = self.get(spec)
            self._voices[blend.name] = blend

    @classmethod
    def load(cls, paths: Iterable[Path]) -> "VoiceCatalog":
        """Load voice packs from .npz files (voices-v1.0.bin is one); later win."""
        voices: list[Voice] = []
        for path in paths:
            with np.load(path) as packs:
                for name in packs.files:
                    voice = _voice_from_pack(name, packs[name])
                    if voice is None:
                        _LOGGER.warning("Skipping %r in %s: not a Kokoro voice", name, path)
                    else:
                        voices.append(voice)
        return cls(voices)

    def __len__(self) -> int:
        return len(self._voices)

    def __iter__(self) -> Iterator[Voice]:
        """Best first (PREFERRED_VOICES), then by name."""
        return iter(sorted(self._voices.values(), key=_rank))

    def get(self, name: str) -> Voice:
        """A voice by name; a name with "+" is a blend of installed voices."""
        voice = self._voices.get(name)
        if voice is None and "+" in name:
            voice = self._blend(name)
        if voice is None:
            raise UnknownVoiceError(name, self._voices)
        return voice

    def _blend(self, spec: str) -> Voice:
        """af_heart+af_bella (equal parts) or af_heart:0.7+af_bella:0.3."""
        parts: list[tuple[Voice, float]] = []
        for part in spec.split("+"):
            name, _, weight = part.strip().partition(":")
            try:
                share = float(weight) if weight else 1.0
            except ValueError:
                share = float("nan")
            if not (0 < share < float("inf")):
                raise UnknownVoiceError(f"{spec} (bad weight {weight!r})", self._voices)
            parts.append((self.get(name), share))
        if len(parts) > MAX_BLEND or any("+" in voice.name for voice, _ in parts):
            raise UnknownVoiceError(f"{spec} (at most {MAX_BLEND} plain voices)", self._voices)
        total = sum(share for _, share in parts)
        first = parts[0][0]
        rows = min(len(voice.pack) for voice, _ in parts)
        pack = sum(voice.pack[:rows] * (share / total) for voice, share in parts)
        label = " + ".join(f"{voice.title} {share / total:.0%}" for voice, share in parts)
        name = spec.replace(" ", "")
        return Voice(name, first.language, first.gender, np.asarray(pack, np.float32), label)

    def default(self) -> Voice:
        """The best installed voice."""
        best = _best(self)
        assert best is not None, "a catalog has voices"
        return best

    def for_language(self, language: Language) -> Voice | None:
        """The best installed voice whose native language this is."""
        return _best(voice for voice in self if voice.language == language)


_PREFERENCE = {name: i for i, name in enumerate(PREFERRED_VOICES)}


def _rank(voice: Voice) -> tuple[int, str]:
    return _PREFERENCE.get(voice.name, len(_PREFERENCE)), voice.name


def _best(voices: Iterable[Voice]) -> Voice | None:
    """The most preferred of `voices`, else the first by name."""
    return min(voices, key=_rank, default=None)


def _voice_from_pack(name: str, pack: np.ndarray) -> Voice | None:
    language = language_of_voice(name)
    if (
        not _VOICE_NAME.match(name)
        or language is None
        or name[1] not in _GENDERS
        or pack.size % STYLE_SIZE
    ):
        return None
    return Voice(
        name=name,
        language=language,
        gender=_GENDERS[name[1]],
        pack=np.ascontiguousarray(pack, dtype=np.float32).reshape(-1, STYLE_SIZE),
    )
