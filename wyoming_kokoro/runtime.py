"""Everything a synthesizer needs, found, loaded and warmed up from the settings."""

import logging
import time

from .engine import Engine
from .g2p import G2P
from .lexicon import Lexicon
from .settings import Settings
from .store import provision
from .synthesizer import Synthesizer
from .voices import VoiceCatalog

_LOGGER = logging.getLogger(__name__)


def load_synthesizer(settings: Settings) -> Synthesizer:
    """The model, voices and G2P, ready to speak without a slow first request."""
    start = time.perf_counter()
    files = provision(settings.store)
    engine = Engine(files.model.path, settings.engine)
    voices = VoiceCatalog.load([files.voices.path])
    voices.add_blends(settings.blends)
    lexicon = Lexicon(settings.lexicon) if settings.lexicon else None
    synthesizer = Synthesizer(engine, voices, G2P(settings.use_misaki, lexicon), settings.speech)
    plan = synthesizer.plan_default()
    synthesizer.g2p.phonemizer(plan.language)
    warm_up = engine.warm_up(plan.voice)
    _LOGGER.info(
        "Loaded %s (%s), %s, %s, %s threads, %s voices: %.1f s (warm-up %.2f s)",
        files.model.path.name,
        files.model.source,
        files.voices.path.name,
        engine.provider,
        engine.threads,
        len(voices),
        time.perf_counter() - start,
        warm_up,
    )
    return synthesizer
