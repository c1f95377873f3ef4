"""The user's own pronunciations, for names of people, places and devices.

A JSON or YAML file maps a word (or words) to phonemes between slashes, or to a
respelling in plain letters:

    {"Nguyen": "win", "Kokoro": "/kˈOkəɹO/", "Home Assistant": "home assist ant"}

Words match whole and case-insensitively. The file is read again whenever it
changes, so edits take effect without a restart; a file that does not parse is
reported and the previous entries stay.
"""

import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from ..core.errors import SetupError

_LOGGER = logging.getLogger(__name__)

_SPACE_BEFORE_PUNCTUATION = re.compile(r" +([,.!?;:…])")


class LexiconError(SetupError, ValueError):
    """A lexicon file that cannot be used."""


class Lexicon:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._respellings: dict[str, str] = {}
        self._phonemes: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None
        try:
            self._stamp = _stamp_of(path)
            self._use(_parse(path))
        except (OSError, LexiconError) as err:  # at start-up, an error, not a warning
            raise LexiconError(f"Lexicon {path}: {err}") from err

    @property
    def version(self) -> tuple[int, int]:
        """Changes whenever the file does: part of a cached answer's key."""
        with self._lock:
            self._reload_if_changed()
            return self._stamp

    def parts(self, text: str) -> Iterator[tuple[str, bool]]:
        """Text in order as (text, False) to phonemize and (phonemes, True) to keep."""
        with self._lock:
            self._reload_if_changed()
            pattern, respellings, phonemes = self._pattern, self._respellings, self._phonemes
        if pattern is None:
            yield text, False
            return
        start = 0
        pending = ""
        for match in pattern.finditer(text):
            key = match.group(0).lower()
            pending += text[start : match.start()]
            start = match.end()
            if key in respellings:
                pending += respellings[key]
                continue
            if pending.strip():
                yield pending, False
            pending = ""
            yield phonemes[key], True
        pending += text[start:]
        if pending.strip():
            yield pending, False

    def _reload_if_changed(self) -> None:
        try:
            stamp = _stamp_of(self.path)
        except OSError:
            return  # gone for now (an editor saving it): keep what we have
        if stamp == self._stamp:
            return
        self._stamp = stamp  # a broken file is not retried until it changes again
        try:
            self._use(_parse(self.path))
        except (OSError, LexiconError) as err:
            _LOGGER.warning("Lexicon %s not reloaded, keeping the old entries: %s", self.path, err)

    def _use(self, entries: dict[str, str]) -> None:
        self._respellings = {}
        self._phonemes = {}
        for word, said in entries.items():
            if len(said) > 2 and said.startswith("/") and said.endswith("/"):
                self._phonemes[word.lower()] = said[1:-1]
            else:
                self._respellings[word.lower()] = said
        words = sorted(entries, key=len, reverse=True)
        alternatives = "|".join(map(re.escape, words))
        self._pattern = (
            re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if words else None
        )
        _LOGGER.info("Lexicon %s: %s entries", self.path, len(entries))


def _stamp_of(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def _parse(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise LexiconError(f"not UTF-8 text ({err.reason} at byte {err.start})") from err
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except ValueError as err:  # yaml.YAMLError is not one; handled below
        raise LexiconError(f"not valid JSON: {err}") from err
    except Exception as err:
        raise LexiconError(f"not valid YAML: {err}") from err
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip()
        for k, v in data.items()
    ):
        raise LexiconError("expected a mapping of words to phonemes (/.../) or respellings")
    return {k.strip(): v.strip() for k, v in data.items()}


class WithLexicon:
    """A phonemizer that says the lexicon's words the user's way."""

    def __init__(self, phonemizer: Callable[[str], str], lexicon: Lexicon) -> None:
        self._phonemizer = phonemizer
        self._lexicon = lexicon

    def __call__(self, text: str) -> str:
        said = [
            piece if is_phonemes else self._phonemizer(piece)
            for piece, is_phonemes in self._lexicon.parts(text)
        ]
        return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(s for s in said if s))
