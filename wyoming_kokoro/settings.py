"""Every setting with its default, and how settings are read from the environment.

A leaf: it imports nothing with behaviour, so that tools, benchmarks and the
health check can read settings without loading ONNX Runtime or misaki. Every
command-line option has an environment variable (KOKORO_ and the option's name);
the command line wins.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from .errors import SetupError
from .languages import find_language

RELEASE_URL = "https://github.com/thewh1teagle/kokoro-onnx/releases/download/model-files-v1.0/"

MIN_SPEED = 0.5
MAX_SPEED = 2.0

DEFAULT_URI = "tcp://0.0.0.0:10200"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "wyoming-kokoro"


@dataclass(frozen=True)
class StoreSettings:
    data_dir: Path
    model: Path | None = None
    """A model file the user named; used as it is."""

    voices: Path | None = None
    """A voices file (.npz, like voices-v1.0.bin) the user named."""

    variant: str = "int8"
    """Which official model to use: int8, fp16 or fp32."""

    download: bool = True
    release_url: str = RELEASE_URL


@dataclass(frozen=True)
class Windows:
    """How the decoder walks a piece: a small first window, then the rest in windows
    of up to `rest` frames, each with context frames on both sides.

    Chosen by measurement (int8, 2 cores, `python -m bench` prints the choice). The
    decoder normalizes over time, so every seam changes the audio a little: with
    windows growing x2 (20 frames, 10 of context) Whisper tiny.en misheard 20 words
    of 291 over three voices where decoding whole misheard 5; one seam after a
    first window of 24 frames with 12 of context misheard 6. That first window
    comes after 0.3 s where decoding a short answer whole takes 0.65 s and a
    7 s sentence 3.1 s.
    """

    first: int = 24
    """Frames in the first window (0.6 s of audio)."""
    rest: int = 160
    """Frames in each later window (4 s of audio): bounds the decoder's memory and how
    long another request waits for its turn."""
    context: int = 12
    """Frames decoded on each side of a window and thrown away."""
    fade: int = 120
    """Samples (5 ms) over which neighbouring windows crossfade."""


@dataclass(frozen=True)
class EngineSettings:
    provider: str = "cpu"
    """auto, cpu, coreml or cuda."""

    threads: int = 0
    """Intra-op threads; 0 means one per core."""

    cache_dir: Path | None = None
    """Where CoreML keeps compiled models (must be writable)."""

    coreml_compute_units: str = "ALL"
    """CoreML's MLComputeUnits: ALL, CPUAndGPU, CPUAndNeuralEngine or CPUOnly."""

    windows: Windows = field(default_factory=Windows)


@dataclass(frozen=True)
class SpeechSettings:
    voice: str | None = None
    """The voice when a request names none; None: the best installed."""

    language: str | None = None
    """The language when a request names none; None: the voice's own."""

    speed: float = 1.0
    max_text_chars: int = 100_000
    normalize: bool = True
    """Spell out markup, units, times and abbreviations before G2P."""

    cache_bytes: int = 0
    """Keep the audio of recent answers up to this size; 0: off."""


@dataclass(frozen=True)
class Limits:
    max_data_bytes: int = 4 << 20
    """Largest event data accepted; text longer than the server speaks still fits."""

    max_payload_bytes: int = 4 << 20


@dataclass(frozen=True)
class HandlerSettings:
    samples_per_chunk: int = 1024
    streaming: bool = True
    idle_timeout: float = 60.0
    """A connection with nothing to say or hear for this long is closed."""

    max_requests: int = 8
    """Requests spoken at once, taking turns on the model window by window."""

    max_queue: int = 32
    """Requests waiting for a turn; past that a request is answered "busy"."""

    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class HttpSettings:
    http_uri: str | None = None
    """Where to serve (http://HOST:PORT); None: nowhere."""

    http_api_key: str | None = None
    """The bearer token /v1/ wants; None: open, for a LAN."""

    openai_voices: Mapping[str, str] = field(default_factory=dict)
    """OpenAI voice names read by other voices than the default table's."""


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


class SettingsError(SetupError):
    """A setting that cannot work; the message names the option."""


def check_settings(settings: Settings) -> None:
    """Everything typed that can be checked without the model, so that a typo fails
    at once instead of after loading it."""
    _check_uri("--uri", settings.uri, ("tcp", "unix", "stdio"))
    if settings.http.http_uri is not None:
        _check_uri("--http-uri", settings.http.http_uri, ("http",))
    speech = settings.speech
    if not MIN_SPEED <= speech.speed <= MAX_SPEED:
        raise SettingsError(f"--speed {speech.speed} is outside {MIN_SPEED} to {MAX_SPEED}")
    if speech.language and find_language(speech.language) is None:
        raise SettingsError(f"--language {speech.language!r} is not a language Kokoro speaks")
    if settings.lexicon is not None and not settings.lexicon.is_file():
        raise SettingsError(f"--lexicon {settings.lexicon} does not exist or is not a file")


def _check_uri(option: str, uri: str, schemes: tuple[str, ...]) -> None:
    parsed = urlparse(uri)
    try:
        port = parsed.port
    except ValueError:
        port = None
    if parsed.scheme not in schemes:
        usable = ", ".join(f"{scheme}://" for scheme in schemes)
        raise SettingsError(f"{option} {uri!r}: use {usable}")
    if parsed.scheme in ("tcp", "http") and (not parsed.hostname or port is None):
        raise SettingsError(f"{option} {uri!r}: use {parsed.scheme}://HOST:PORT")
    if parsed.scheme == "unix" and not (parsed.netloc + parsed.path):
        raise SettingsError(f"{option} {uri!r}: use unix://PATH")


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
