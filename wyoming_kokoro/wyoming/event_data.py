"""What each event the server accepts carries, checked field by field.

wyoming's own `from_event` trusts its peer: a `synthesize` without text raises
KeyError and a voice that is a string raises AttributeError, which a client
only sees as a closed connection. These name the field that is wrong instead.
"""

from dataclasses import dataclass
from typing import Any

from wyoming.event import Event

from ..core.errors import BadRequestError


class BadEventError(BadRequestError):
    """An event with a field missing or of the wrong type; the message names it."""


@dataclass(frozen=True)
class VoiceChoice:
    """The voice and language a request asks for; None: the server's default."""

    name: str | None = None
    language: str | None = None


_TYPE_NAMES: dict[type, str] = {str: "a string", dict: "an object"}


def synthesize(event: Event) -> tuple[str, VoiceChoice]:
    """The text and voice of a `synthesize` event."""
    _common(event)
    return _field(event, "text", str, required=True), _voice(event)


def synthesize_start(event: Event) -> VoiceChoice:
    _common(event)
    return _voice(event)


def synthesize_chunk(event: Event) -> str:
    text: str = _field(event, "text", str, required=True)
    return text


def _common(event: Event) -> None:
    """Fields Home Assistant may send that the server does not use, checked all the same."""
    _field(event, "text_format", str)
    _field(event, "context", dict)


def _voice(event: Event) -> VoiceChoice:
    voice = _field(event, "voice", dict)
    if voice is None:
        return VoiceChoice()
    name, language, _speaker = (
        _check(event.type, f"voice.{key}", voice.get(key), str) for key in _VOICE_KEYS
    )
    return VoiceChoice(name or None, language or None)


_VOICE_KEYS = ("name", "language", "speaker")


def _field(event: Event, key: str, kind: type, required: bool = False) -> Any:
    value = event.data.get(key)
    if value is None and required:
        raise BadEventError(f"{event.type}: the field '{key}' is missing")
    return _check(event.type, key, value, kind)


def _check(event_type: str, key: str, value: Any, kind: type) -> Any:
    if value is not None and not isinstance(value, kind):
        raise BadEventError(
            f"{event_type}: the field '{key}' must be {_TYPE_NAMES[kind]}, "
            f"not {type(value).__name__} {_shorten(value)}"
        )
    return value


def _shorten(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
