"""What the commands need, loaded from the settings, and no more.

The voices alone take a fraction of a second (`wyoming-kokoro voices`); a
synthesizer loads and warms up the model too. What can fail on a user's file
(voices, blends, lexicon) is loaded before the model's sessions, so it fails fast.
"""

import logging
import time
import zipfile
from pathlib import Path

from ..core.languages import find_language
from ..core.settings import Settings
from ..files.store import ModelFiles, UnusableFileError, provision, provision_voices
from .decoding.paced import PacedDecoder
from .engine import Engine
from .g2p import G2P
from .lexicon import Lexicon
from .synthesizer import Synthesizer
from .voices import VoiceCatalog

_LOGGER = logging.getLogger(__name__)


def load_voices(settings: Settings, path: Path | None = None) -> VoiceCatalog:
    """The voices in `path` (found from the settings if not given), blends added."""
    path = path or provision_voices(settings.store).path
    try:
        voices = VoiceCatalog.load([path])
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise UnusableFileError(
            f"{path} is not a voices file Kokoro can read ({type(err).__name__}: {err}); "
            "name an .npz voices file such as voices-v1.0.bin with --voices"
        ) from err
    if not len(voices):
        raise UnusableFileError(f"{path} holds no Kokoro voices (names such as af_heart)")
    voices.add_blends(settings.blends)
    return voices


def list_voices(settings: Settings) -> list[tuple[str, str, str, str]]:
    """Each voice's name, languages, gender and description, without the model."""
    g2p = G2P(settings.use_misaki)
    default = find_language(settings.speech.language) if settings.speech.language else None
    return [
        (voice.name, ",".join(g2p.languages_for(voice, default)), voice.gender, voice.description)
        for voice in load_voices(settings)
    ]


def load_synthesizer(settings: Settings, files: ModelFiles | None = None) -> Synthesizer:
    """The model, voices and G2P, ready to speak without a slow first request;
    `files`: found already (the doctor's), not searched for and checked again."""
    start = time.perf_counter()
    files = files or provision(settings.store)
    voices = load_voices(settings, files.voices.path)
    lexicon = Lexicon(settings.lexicon) if settings.lexicon else None
    g2p = G2P(settings.use_misaki, lexicon)
    engine = Engine(files.model.path, settings.engine, files.model.sha256)
    synthesizer = Synthesizer(PacedDecoder(engine), voices, g2p, settings.speech)
    warm_up = synthesizer.warm_up()
    _LOGGER.info(
        "Loaded %s (%s, %s decoder), %s, %s, %s threads, %s voices: %.1f s (warm-up %.2f s)",
        files.model.path.name,
        files.model.source,
        engine.decoder,
        files.voices.path.name,
        engine.provider,
        engine.threads,
        len(voices),
        time.perf_counter() - start,
        warm_up,
    )
    return synthesizer
