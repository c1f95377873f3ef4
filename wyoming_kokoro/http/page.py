"""The page at `/` and what only it asks for: the voices with what people choose
by, the server's health in words, and the lexicon to read and save.

No routes here (that is `app.py`): the page itself, and JSON in and out.
"""

import time
from importlib import resources
from typing import Any
from urllib.parse import urlparse

from ..core.errors import BadRequestError
from ..core.languages import ENGLISH, LANGUAGES
from ..core.settings import SPEEDS
from ..speech.lexicon import Lexicon
from ..speech.synthesizer import Request, Synthesizer
from ..speech.vocab import load_vocab
from .metrics import Summary
from .openai import pronunciations

SAMPLES = (
    "The living room lights are on.",
    "It is 21 degrees and sunny, with a light breeze from the west.",
    "Your timer for the pasta is done.",
    "Good morning! You have two meetings today; the first is at 9:30.",
)
"""Answers a voice assistant gives, to hear a voice by."""


def page() -> bytes:
    """The page: one HTML file, its style and script inline, no build step."""
    return (resources.files(__package__) / "page.html").read_bytes()


def voices_info(synthesizer: Synthesizer) -> dict[str, Any]:
    """Every voice with its language, gender and grade, best first, and what Home
    Assistant would send for it."""
    default = synthesizer.default_voice.name
    readable = [lang for lang in LANGUAGES if synthesizer.g2p.supports(lang, quietly=True)]
    return {
        "default": default,
        "languages": [{"tag": lang.tag, "name": lang.name} for lang in readable],
        "default_language": (synthesizer.language or ENGLISH).tag,
        "speeds": {"slowest": SPEEDS.slowest, "fastest": SPEEDS.fastest},
        "samples": list(SAMPLES),
        "phoneme_symbols": "".join(sorted(c for c in load_vocab() if not c.isspace())),
        "voices": [
            {
                "name": voice.name,
                "title": voice.title,
                "language": voice.language.tag,
                "language_name": voice.language.name,
                "gender": voice.gender,
                "grade": voice.grade,
                "blend": "+" in voice.name,
                "default": voice.name == default,
                "home_assistant": {
                    "voice": voice.name,
                    "languages": synthesizer.languages_of(voice),
                },
            }
            for voice in synthesizer.voices
        ],
    }


def status(synthesizer: Synthesizer, summary: Summary, started: float) -> dict[str, Any]:
    """The server's health, as numbers and in words a user understands."""
    engine = synthesizer.engine
    first, factor = summary.median_first_audio, summary.real_time_factor
    words = [
        f"{engine.model_name} on {engine.provider.removesuffix('ExecutionProvider')} "
        f"with {engine.threads} threads and the {engine.decoder} decoder, "
        f"{len(synthesizer.voices)} voices.",
        f"Up for {_duration(time.time() - started)}, "
        f"{summary.requests} answer{'' if summary.requests == 1 else 's'} spoken.",
    ]
    if first is not None:
        words.append(f"Speech starts {first:.2f} s after a request (median of recent ones).")
    if factor and factor <= 1:
        words.append(f"It speaks {1 / factor:.1f} times as fast as it is heard.")
    elif factor:
        words.append(
            f"Making a second of speech takes it {factor:.1f} s, longer than hearing it: "
            "a long answer starts later, so that it never pauses."
        )
    return {
        "model": engine.model_name,
        "provider": engine.provider,
        "threads": engine.threads,
        "decoder": engine.decoder,
        "voices": len(synthesizer.voices),
        "uptime_seconds": round(time.time() - started),
        "requests": summary.requests,
        "median_first_audio_seconds": first,
        "real_time_factor": factor,
        "words": " ".join(words),
    }


def lexicon_info(lexicon: Lexicon | None) -> dict[str, Any]:
    if lexicon is None:
        return {
            "path": None,
            "entries": {},
            "how": "Start the server with --lexicon FILE (or KOKORO_LEXICON=FILE), a JSON or "
            "YAML file such as {} to begin with, to save pronunciations here.",
        }
    return {"path": str(lexicon.path), "entries": lexicon.entries}


def lexicon_edit(body: Any) -> tuple[str, str | None]:
    """A save request's word, and how to say it (None: remove the entry)."""
    if not isinstance(body, dict) or not isinstance(body.get("word"), str):
        raise BadRequestError("Send {'word': ..., 'say': ...}; 'say' null removes the word")
    said = body.get("say")
    if said is not None and not isinstance(said, str):
        raise BadRequestError("'say' must be a respelling, /phonemes/, or null")
    return body["word"], said or None


def phonemize_request(body: Any) -> Request:
    """A POST /v1/phonemize body: `input`, and optionally `voice`, `language`,
    `pronunciations`."""
    if not isinstance(body, dict) or not isinstance(body.get("input"), str):
        raise BadRequestError("Send {'input': TEXT}, and optionally voice and language")
    for name in ("voice", "language"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise BadRequestError(f"'{name}' must be a string")
    return Request(
        text=body["input"],
        voice=body.get("voice") or None,
        language=body.get("language") or None,
        pronunciations=pronunciations(body),
    )


def same_origin(headers: Any) -> bool:
    """Whether a request that changes something comes from this server's own page:
    a browser names where a request comes from, and another site cannot fake it."""
    if headers.get("Sec-Fetch-Site") not in (None, "same-origin", "none"):
        return False
    origin = headers.get("Origin")
    return origin is None or urlparse(origin).netloc == headers.get("Host")


def _duration(seconds: float) -> str:
    minutes, hours = int(seconds // 60), int(seconds // 3600)
    if hours:
        return f"{hours} h {minutes % 60} min"
    return f"{minutes} min" if minutes else f"{int(seconds)} s"
