"""The user's own pronunciations, for names of people, places and devices.

A JSON or YAML file maps a word (or words) to phonemes between slashes, or to a
respelling in plain letters:

    {"Nguyen": "win", "Kokoro": "/kˈOkəɹO/", "Home Assistant": "home assist ant"}

Words match whole and case-insensitively. The file is read again whenever it
changes, so edits take effect without a restart; a file that does not parse is
reported and the previous entries stay. The web page saves entries into it
(`Lexicon.save`), checked and written atomically. A request may also bring
pronunciations of its own (`Pronunciations`), heard before they are saved.
"""

import json
import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import yaml

from ..core.errors import BadRequestError, SetupError
from ..files.store import write_atomically
from .vocab import unknown_symbols

_LOGGER = logging.getLogger(__name__)

_SPACE_BEFORE_PUNCTUATION = re.compile(r" +([,.!?;:…])")


MAX_WORD = 100
MAX_SAID = 300
MAX_FILE_BYTES = 1 << 20


class LexiconError(SetupError, ValueError):
    """A lexicon file that cannot be used."""


class PronunciationError(BadRequestError):
    """An entry a request brought, or asked to save, that cannot be used."""


class Pronunciations:
    """Words and how they are said: phonemes between slashes, or a respelling."""

    def __init__(self, entries: Mapping[str, str]) -> None:
        self.entries = dict(entries)
        self._respellings: dict[str, str] = {}
        self._phonemes: dict[str, str] = {}
        for word, said in self.entries.items():
            if _is_phonemes(said):
                self._phonemes[word.lower()] = said[1:-1]
            else:
                self._respellings[word.lower()] = said
        words = sorted(self.entries, key=len, reverse=True)
        alternatives = "|".join(map(re.escape, words))
        self._pattern = (
            re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if words else None
        )

    @classmethod
    def checked(cls, data: Any) -> "Pronunciations":
        """Entries from JSON or YAML data, or PronunciationError saying what is wrong."""
        return cls(entries_of(data, PronunciationError))

    def parts(self, text: str) -> Iterator[tuple[str, bool]]:
        """Text in order as (text, False) to phonemize and (phonemes, True) to keep."""
        if self._pattern is None:
            yield text, False
            return
        start = 0
        pending = ""
        for match in self._pattern.finditer(text):
            key = match.group(0).lower()
            pending += text[start : match.start()]
            start = match.end()
            if key in self._respellings:
                pending += self._respellings[key]
                continue
            if pending.strip():
                yield pending, False
            pending = ""
            yield self._phonemes[key], True
        pending += text[start:]
        if pending.strip():
            yield pending, False


class Lexicon:
    """The user's lexicon file, read again when it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._entries = Pronunciations({})
        try:
            self._stamp = _stamp_of(path)
            self._use(_parse(path))
        except (OSError, LexiconError) as err:  # at start-up, an error, not a warning
            raise LexiconError(f"Lexicon {path}: {err}") from err

    @property
    def entries(self) -> dict[str, str]:
        with self._lock:
            self._reload_if_changed()
            return dict(self._entries.entries)

    @property
    def version(self) -> tuple[int, int]:
        """Changes whenever the file does: part of a cached answer's key."""
        with self._lock:
            self._reload_if_changed()
            return self._stamp

    def parts(self, text: str) -> Iterator[tuple[str, bool]]:
        with self._lock:
            self._reload_if_changed()
            entries = self._entries
        return entries.parts(text)

    def save(self, word: str, said: str | None) -> dict[str, str]:
        """`word` said as `said` (None: as G2P says it) from now on, in the file too:
        checked, written atomically in the file's own format, then used; the entries."""
        with self._lock:
            self._reload_if_changed()
            entries = dict(self._entries.entries)
            for known in [k for k in entries if k.lower() == word.strip().lower()]:
                del entries[known]
            if said is not None:
                entries[word] = said
            entries = entries_of(entries, PronunciationError)
            data = _serialized(entries, self.path)
            if len(data) > MAX_FILE_BYTES:
                raise PronunciationError(f"The lexicon would be over {MAX_FILE_BYTES} bytes")

            def write(out: BinaryIO) -> None:
                out.write(data)

            write_atomically(self.path, write, check=lambda written: _parse(written, self.path))
            self._stamp = _stamp_of(self.path)
            self._use(entries)
            return dict(entries)

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
        self._entries = Pronunciations(entries)
        _LOGGER.info("Lexicon %s: %s entries", self.path, len(entries))


def _stamp_of(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def _parse(path: Path, named: Path | None = None) -> dict[str, str]:
    """The entries in `path`, in the format of its name (or of `named`'s)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise LexiconError(f"not UTF-8 text ({err.reason} at byte {err.start})") from err
    try:
        data = yaml.safe_load(text) if _is_yaml(named or path) else json.loads(text)
    except ValueError as err:
        raise LexiconError(f"not valid JSON: {err}") from err
    except yaml.YAMLError as err:
        raise LexiconError(f"not valid YAML: {err}") from err
    return entries_of(data, LexiconError)


def entries_of(data: Any, error: type[ValueError]) -> dict[str, str]:
    """Words to how they are said, from a file's or a request's data, or `error`."""
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip()
        for k, v in data.items()
    ):
        raise error("expected a mapping of words to phonemes (/.../) or respellings")
    entries = {k.strip(): v.strip() for k, v in data.items()}
    for word, said in entries.items():
        if len(word) > MAX_WORD or len(said) > MAX_SAID or "\n" in word + said:
            raise error(f"{word[:40]!r}: a word up to {MAX_WORD} characters, said in one line")
        if _is_phonemes(said) and (unknown := unknown_symbols(said[1:-1])):
            raise error(
                f"{word[:40]!r}: Kokoro has no phoneme {' '.join(unknown)} "
                "(its symbols: misaki's, as /v1/phonemize and the page show them)"
            )
    return entries


def _is_phonemes(said: str) -> bool:
    return len(said) > 2 and said.startswith("/") and said.endswith("/")


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in (".yaml", ".yml")


def _serialized(entries: dict[str, str], path: Path) -> bytes:
    if _is_yaml(path):
        # YAML keeps no comments through a load and a dump: the file's own comment
        # lines are kept at its top (a comment beside an entry is not kept).
        lines = path.read_text("utf-8").splitlines(keepends=True) if path.exists() else []
        kept = "".join(line for line in lines if line.lstrip().startswith("#"))
        return (kept + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False)).encode()
    return (json.dumps(entries, ensure_ascii=False, indent=2) + "\n").encode()


class HasParts(Protocol):
    def parts(self, text: str) -> Iterator[tuple[str, bool]]: ...


class WithLexicon:
    """A phonemizer that says the lexicon's words the user's way."""

    def __init__(self, phonemizer: Callable[[str], str], lexicon: HasParts) -> None:
        self._phonemizer = phonemizer
        self._lexicon = lexicon

    def __call__(self, text: str) -> str:
        said = [
            piece if is_phonemes else self._phonemizer(piece)
            for piece, is_phonemes in self._lexicon.parts(text)
        ]
        return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(s for s in said if s))
