"""OpenAI's speech API as its clients speak it: requests checked, voices mapped,
and what goes back (models, voices, speech events, errors) in OpenAI's shape.

No routes here (that is `app.py`): JSON in, JSON or bytes out.
"""

import base64
import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core.errors import BadRequestError
from ..core.languages import ENGLISH
from ..core.settings import SPEEDS
from ..speech.lexicon import Pronunciations
from ..speech.synthesizer import Request
from ..speech.voices import UnknownVoiceError, Voice, VoiceCatalog
from .encoding import FORMATS, AudioFormat

_LOGGER = logging.getLogger(__name__)

MAX_PRONUNCIATIONS = 100
MODELS = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts", "kokoro")
DEFAULT_FORMAT = "mp3"
# OpenAI's range; what Kokoro cannot do is clamped to SPEEDS.
OPENAI_MIN_SPEED = 0.25
OPENAI_MAX_SPEED = 4.0

# OpenAI's voices, each read by a Kokoro voice of the same gender, best graded
# first (docs/decisions.md). When that voice is not installed, the clearest
# installed voice of the gender reads instead (`PREFERRED_VOICES`).
OPENAI_VOICES: dict[str, tuple[str, str]] = {
    "alloy": ("female", "af_heart"),
    "nova": ("female", "af_bella"),
    "shimmer": ("female", "af_nicole"),
    "coral": ("female", "bf_emma"),
    "sage": ("female", "af_kore"),
    "marin": ("female", "af_aoede"),
    "echo": ("male", "am_michael"),
    "onyx": ("male", "am_fenrir"),
    "ash": ("male", "am_puck"),
    "fable": ("male", "bm_fable"),
    "ballad": ("male", "bm_george"),
    "verse": ("male", "bm_lewis"),
    "cedar": ("male", "am_onyx"),
}


class ApiRequestError(BadRequestError):
    """A request OpenAI's API would refuse; `param` names the field."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class Alias:
    """What an OpenAI voice name stands for."""

    voice: str
    language: str | None = None
    """English for a voice that would read its own language otherwise; None: as usual."""


@dataclass(frozen=True)
class SpeechRequest:
    request: Request
    audio: AudioFormat
    sse: bool
    """Audio as server-sent events (`stream_format: sse`) instead of a plain body."""


def voice_aliases(
    catalog: VoiceCatalog, overrides: Mapping[str, str], reads_english: bool = True
) -> dict[str, Alias]:
    """Each OpenAI voice name (and each override's name) -> the installed voice reading it.

    OpenAI's voices read English whatever their text; so do these, unless
    `reads_english` is off (the server has a language of its own). An override
    naming a voice that is not installed is warned about and left out.
    """
    installed = list(catalog)  # clearest first
    chosen: dict[str, Voice] = {}
    for name, (gender, preferred) in OPENAI_VOICES.items():
        same = [voice for voice in installed if voice.gender == gender]
        chosen[name] = next((v for v in installed if v.name == preferred), (same or installed)[0])
    for name, spec in overrides.items():
        try:
            chosen[name] = catalog.get(spec)
        except UnknownVoiceError as err:
            _LOGGER.warning("--openai-voices %s=%s: %s; keeping %s", name, spec, err, name)
    return {
        name: Alias(
            voice.name, ENGLISH.tag if reads_english and not voice.language.english else None
        )
        for name, voice in chosen.items()
    }


def speech_request(body: Any, aliases: Mapping[str, Alias]) -> SpeechRequest:
    """A /v1/audio/speech body as a synthesis request, or ApiRequestError."""
    if not isinstance(body, dict):
        raise ApiRequestError("The body must be a JSON object")
    text = body.get("input")
    if not isinstance(text, str):
        raise ApiRequestError("'input' (the text to speak) must be a string", "input")
    model = body.get("model")
    if model is not None and not _known_model(model):
        raise ApiRequestError(
            f"Unknown model {model!r}; this server offers {', '.join(MODELS)}", "model"
        )
    voice = body.get("voice")
    if isinstance(voice, dict):  # OpenAI's custom voice object: {"id": ...}
        voice = voice.get("id")
    if voice is not None and not isinstance(voice, str):
        raise ApiRequestError("'voice' must be a voice name", "voice")
    response_format = body.get("response_format", DEFAULT_FORMAT)
    if response_format not in FORMATS:
        raise ApiRequestError(
            f"'response_format' must be one of {', '.join(FORMATS)}", "response_format"
        )
    stream_format = body.get("stream_format", "audio")
    if stream_format not in ("audio", "sse"):
        raise ApiRequestError("'stream_format' must be audio or sse", "stream_format")
    if not isinstance(body.get("instructions", ""), str):
        raise ApiRequestError("'instructions' must be a string", "instructions")
    language = body.get("language")
    if language is not None and not isinstance(language, str):
        raise ApiRequestError("'language' must be a language tag such as en_US", "language")
    alias = aliases.get(voice) if voice else None
    request = Request(
        text=text,
        voice=alias.voice if alias else voice or None,
        language=language or (alias.language if alias else None),
        speed=_speed(body.get("speed")),
        pronunciations=pronunciations(body),
    )
    return SpeechRequest(request, FORMATS[response_format], stream_format == "sse")


def pronunciations(body: dict[str, Any]) -> Pronunciations | None:
    """A request's own pronunciations (`{"word": "say"}`), heard before they are saved."""
    given = body.get("pronunciations")
    if given is None:
        return None
    if isinstance(given, dict) and len(given) > MAX_PRONUNCIATIONS:
        raise BadRequestError(f"At most {MAX_PRONUNCIATIONS} pronunciations in a request")
    return Pronunciations.checked(given)


def models_list() -> dict[str, Any]:
    """GET /v1/models as OpenAI answers it."""
    return {
        "object": "list",
        "data": [
            {"id": model, "object": "model", "created": 0, "owned_by": "wyoming-kokoro"}
            for model in MODELS
        ],
    }


def voices_list(catalog: VoiceCatalog, aliases: Mapping[str, Alias]) -> dict[str, Any]:
    """GET /v1/audio/voices: what `voice` may name, OpenAI's names first."""
    voices = [
        {
            "id": name,
            "name": f"{name} ({catalog.get(alias.voice).description})",
            "voice": alias.voice,
        }
        for name, alias in aliases.items()
    ]
    voices += [{"id": v.name, "name": v.description, "voice": v.name} for v in catalog]
    return {"voices": voices}


def _known_model(model: Any) -> bool:
    # OpenAI also accepts dated snapshots: gpt-4o-mini-tts-2025-12-15.
    return isinstance(model, str) and (model in MODELS or model.startswith("gpt-4o-mini-tts-"))


def _speed(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ApiRequestError("'speed' must be a number", "speed")
    if not OPENAI_MIN_SPEED <= value <= OPENAI_MAX_SPEED:
        raise ApiRequestError(
            f"'speed' {value} is outside {OPENAI_MIN_SPEED} to {OPENAI_MAX_SPEED}", "speed"
        )
    return SPEEDS.clamp(float(value))


def speech_events(speech: SpeechRequest, audio: bytes, last: bool) -> bytes:
    """Audio as OpenAI's server-sent speech events (`stream_format: sse`); the
    last ends with the usage OpenAI reports."""
    events: list[dict[str, object]] = []
    if audio:
        events.append({"type": "speech.audio.delta", "audio": base64.b64encode(audio).decode()})
    if last:
        tokens = len(speech.request.text.split())
        usage = {"input_tokens": tokens, "output_tokens": 0, "total_tokens": tokens}
        events.append({"type": "speech.audio.done", "usage": usage})
    return b"".join(f"data: {json.dumps(event)}\n\n".encode() for event in events)


def error_body(
    status: int, message: str, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    """An error as OpenAI's API words it."""
    kind = "invalid_request_error" if 400 <= status < 500 else "server_error"
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}
