"""Every setting with its default, as plain data, and the rules a setting must keep.

Each field that is an option says so in its metadata (options.py); reading the
command line and the environment is command_line.py's job. Nothing here loads a
model, so tools, benchmarks and the health check read settings cheaply.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse

from .errors import SetupError
from .languages import find_language
from .options import option, parse_bool, parse_count, parse_list, parse_positive, parse_voice_map

RELEASE_URL = "https://github.com/thewh1teagle/kokoro-onnx/releases/download/model-files-v1.0/"

VARIANTS = ("int8", "fp16", "fp32")
PROVIDERS = ("auto", "cpu", "coreml", "cuda")
DECODERS = ("fast", "int8", "float")
COREML_COMPUTE_UNITS = ("ALL", "CPUAndGPU", "CPUAndNeuralEngine", "CPUOnly")

DEFAULT_URI = "tcp://0.0.0.0:10200"


def prepared_dir(data_dir: Path) -> Path:
    """Where a data dir keeps the model split and the decoders made from it."""
    return data_dir / "prepared"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "wyoming-kokoro"


@dataclass(frozen=True)
class SpeedRange:
    """The speeds Kokoro reads at, for every caller: settings, requests, OpenAI's."""

    slowest: float = 0.5
    fastest: float = 2.0

    def __contains__(self, speed: float) -> bool:
        return self.slowest <= speed <= self.fastest

    def __str__(self) -> str:
        return f"{self.slowest} to {self.fastest}"

    def clamp(self, speed: float) -> float:
        return min(max(speed, self.slowest), self.fastest)


SPEEDS = SpeedRange()


@dataclass(frozen=True)
class StoreSettings:
    data_dir: Path = field(
        default_factory=default_data_dir,
        metadata=option("--data-dir", "Where models are kept", Path),
    )
    model: Path | None = field(
        default=None, metadata=option("--model", "Use this model file (.onnx) as it is", Path)
    )
    voices: Path | None = field(
        default=None,
        metadata=option("--voices", "Use this voices file (.npz, e.g. voices-v1.0.bin)", Path),
    )
    variant: str = field(
        default="int8",
        metadata=option("--model-variant", "Official model to use", choices=VARIANTS),
    )
    download: bool = field(
        default=True,
        metadata=option("--no-download", "Never download the model", variable="KOKORO_DOWNLOAD"),
    )
    release_url: str = field(
        default=RELEASE_URL,
        metadata=option("--release-url", "Where the official files are downloaded from"),
    )


@dataclass(frozen=True)
class EngineSettings:
    provider: str = field(
        default="cpu",
        metadata=option(
            "--provider",
            "ONNX Runtime provider; one that fails falls back to CPU",
            choices=PROVIDERS,
        ),
    )
    threads: int = field(
        default=0,
        metadata=option("--threads", "Threads for the model (0: one per core)", parse_count),
    )
    decoder: str = field(
        default="fast",
        metadata=option(
            "--decoder",
            "Kokoro's decoder: fast (static int8 where it keeps the voice, made once "
            "from the int8 model; other models run their own), int8 (the model's own, "
            "dynamic int8 in the int8 model) or float (the int8 model's weights dequantized)",
            choices=DECODERS,
        ),
    )
    cache_dir: Path | None = None
    """Where CoreML keeps compiled models (must be writable): the data dir's."""

    prepared_dir: Path | None = None
    """Where the model's front and decoder are kept once made: the data dir's; None:
    made at every start."""

    coreml_compute_units: str = field(
        default="ALL",
        metadata=option(
            "--coreml-compute-units", "CoreML compute units", choices=COREML_COMPUTE_UNITS
        ),
    )

    def in_data_dir(self, data_dir: Path) -> "EngineSettings":
        """These settings with what is made once kept in `data_dir`."""
        return replace(
            self, cache_dir=data_dir / "coreml-cache", prepared_dir=prepared_dir(data_dir)
        )


@dataclass(frozen=True)
class SpeechSettings:
    voice: str | None = field(
        default=None, metadata=option("--voice", "Default voice (default: the best installed)")
    )
    language: str | None = field(
        default=None,
        metadata=option("--language", "Default language, e.g. en_US (default: the voice's)"),
    )
    speed: float = field(
        default=1.0,
        metadata=option("--speed", f"Default speed, {SPEEDS}", float),
    )
    max_text_chars: int = field(
        default=100_000,
        metadata=option("--max-text-chars", "Longest text accepted", parse_positive),
    )
    normalize: bool = field(
        default=True,
        metadata=option(
            "--no-normalize",
            "Read markup, units and times as written",
            variable="KOKORO_NORMALIZE",
        ),
    )
    cache_mb: float = field(
        default=0.0,
        metadata=option("--cache-mb", "Keep recent answers' audio, up to MB (0: off)", float),
    )


@dataclass(frozen=True)
class Limits:
    max_data_bytes: int = 4 << 20
    """Largest event data accepted; text longer than the server speaks still fits."""

    max_payload_bytes: int = 4 << 20


@dataclass(frozen=True)
class HandlerSettings:
    samples_per_chunk: int = field(
        default=1024,
        metadata=option(
            "--samples-per-chunk", "Samples per audio-chunk event", parse_positive, serve=True
        ),
    )
    streaming: bool = field(
        default=True,
        metadata=option(
            "--no-streaming", "Do not accept streamed text", variable="KOKORO_STREAMING", serve=True
        ),
    )
    idle_timeout: float = field(
        default=60.0,
        metadata=option(
            "--idle-timeout", "Close a silent connection after seconds", float, serve=True
        ),
    )
    max_requests: int = field(
        default=8,
        metadata=option(
            "--max-requests",
            "Requests spoken at once, taking turns on the model",
            parse_positive,
            serve=True,
        ),
    )
    max_queue: int = field(
        default=32,
        metadata=option(
            "--max-queue",
            "Requests waiting for a turn; more are answered busy",
            parse_count,
            serve=True,
        ),
    )
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class HttpSettings:
    http_uri: str | None = field(
        default=None,
        metadata=option(
            "--http-uri",
            "Serve /health, /metrics and OpenAI's speech API, e.g. http://0.0.0.0:10201",
            serve=True,
        ),
    )
    http_api_key: str | None = field(
        default=None,
        metadata=option(
            "--http-api-key", "Bearer token OpenAI's API wants (default: none)", serve=True
        ),
    )
    openai_voices: Mapping[str, str] = field(
        default_factory=dict,
        metadata=option(
            "--openai-voices",
            "OpenAI voice names to Kokoro voices: alloy=af_bella,echo=jm_kumo or a JSON/YAML file",
            parse_voice_map,
            serve=True,
        ),
    )


@dataclass(frozen=True)
class Settings:
    store: StoreSettings = field(default_factory=StoreSettings)
    engine: EngineSettings = field(default_factory=EngineSettings)
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    handler: HandlerSettings = field(default_factory=HandlerSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    """Health, metrics and the OpenAI-compatible API."""

    use_misaki: bool = field(
        default=True,
        metadata=option(
            "--no-misaki",
            "Use espeak-ng for English",
            variable="KOKORO_MISAKI_ENABLED",
            group="speech",
        ),
    )
    lexicon: Path | None = field(
        default=None,
        metadata=option(
            "--lexicon",
            "Pronunciations: JSON or YAML, word to /phonemes/ or respelling",
            Path,
            group="speech",
        ),
    )
    blends: tuple[str, ...] = field(
        default=(),
        metadata=option(
            "--voice-blends",
            "Blends to offer as voices, comma-separated, e.g. af_heart:0.7+af_bella:0.3",
            parse_list,
            group="speech",
        ),
    )
    uri: str = field(
        default=DEFAULT_URI,
        metadata=option(
            "--uri", "Where to listen: tcp://HOST:PORT, unix://PATH, stdio://", serve=True
        ),
    )
    zeroconf: str | None = field(
        default=None,
        metadata=option(
            "--zeroconf", "Announce with zeroconf, optionally under NAME", const="", serve=True
        ),
    )
    """The name to announce with zeroconf; None: not announced."""

    debug: bool = field(
        default=False, metadata=option("--debug", "Log debug messages", parse_bool, const=True)
    )


class SettingsError(SetupError):
    """A setting that cannot work; the message names the option."""


def check_settings(settings: Settings) -> None:
    """Everything typed that can be checked without the model, so that a typo fails
    at once instead of after loading it."""
    _check_uri("--uri", settings.uri, ("tcp", "unix", "stdio"))
    if settings.http.http_uri is not None:
        _check_uri("--http-uri", settings.http.http_uri, ("http",))
    check_speech(settings.speech)
    if settings.lexicon is not None and not settings.lexicon.is_file():
        raise SettingsError(f"--lexicon {settings.lexicon} does not exist or is not a file")


def check_speech(speech: SpeechSettings) -> None:
    """The speech settings' own rules: the synthesizer holds every caller to them."""
    if speech.speed not in SPEEDS:
        raise SettingsError(f"--speed {speech.speed} is outside {SPEEDS}")
    if speech.language and find_language(speech.language) is None:
        raise SettingsError(f"--language {speech.language!r} is not a language Kokoro speaks")


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
