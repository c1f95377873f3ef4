"""All settings in one place, and how they are read from the environment.

Every command-line option has an environment variable (KOKORO_ and the option's
name); the command line wins.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

from .engine import EngineSettings
from .handler import HandlerSettings
from .store import StoreSettings
from .synthesizer import SpeechSettings
from .web import HttpSettings

DEFAULT_URI = "tcp://0.0.0.0:10200"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "wyoming-kokoro"


@dataclass(frozen=True)
class Settings:
    store: StoreSettings
    engine: EngineSettings = field(default_factory=EngineSettings)
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    handler: HandlerSettings = field(default_factory=HandlerSettings)
    use_misaki: bool = True
    lexicon: Path | None = None
    """The user's pronunciations (JSON or YAML)."""
    blends: tuple[str, ...] = ()
    """Voice blends offered as voices of their own: af_heart:0.7+af_bella:0.3."""
    uri: str = DEFAULT_URI
    zeroconf: str | None = None
    """The name to announce with zeroconf; None: not announced."""
    http: HttpSettings = field(default_factory=HttpSettings)
    """Health, metrics and the OpenAI-compatible API."""
    debug: bool = False


def env_name(option: str) -> str:
    """--samples-per-chunk -> KOKORO_SAMPLES_PER_CHUNK."""
    return "KOKORO_" + option.lstrip("-").replace("-", "_").upper()


def parse_bool(value: str) -> bool:
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"{value!r}: expected true or false")


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return parse_bool(value)
    except ValueError as err:
        raise ValueError(f"{name}={err}") from err
