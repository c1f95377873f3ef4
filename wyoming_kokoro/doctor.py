"""`wyoming-kokoro doctor`: what is installed, what was found, and whether it can speak."""

import platform
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, metadata, version

import onnxruntime as ort
from packaging.specifiers import SpecifierSet

from .core.settings import Settings
from .files.download import sha256_of
from .files.store import ModelFiles, provision
from .speech.g2p import SPACY_PIPELINE, EspeakPhonemizer
from .speech.loader import load_synthesizer


def run_doctor(settings: Settings, out: Callable[[str], None] = print) -> int:
    """Print each check; 0 when the server could start, 1 when not (and why)."""
    failures = 0

    def check(name: str, probe: Callable[[], str]) -> bool:
        nonlocal failures
        try:
            out(f"ok    {name}: {probe()}")
            return True
        except Exception as err:  # a check reports any failure, whatever it is
            failures += 1
            out(f"FAIL  {name}: {type(err).__name__}: {err}")
            return False

    check("python", _python)
    check("misaki", lambda: _package("misaki"))
    check("spaCy pipeline", _spacy_pipeline)
    check("espeak-ng", lambda: EspeakPhonemizer("en-us")("hello world"))
    check("onnxruntime", lambda: f"{ort.__version__}, providers {ort.get_available_providers()}")
    found: list[ModelFiles] = []

    def files() -> str:
        found.append(provision(settings.store))
        return "; ".join(
            f"{f.path} ({f.source}, {f.path.stat().st_size} bytes, sha256 {sha256_of(f.path)})"
            for f in (found[0].model, found[0].voices)
        )

    if check("model and voices", files):
        check("voices and decoder", lambda: _load(settings, found[0]))
    out("" if not failures else f"{failures} check(s) failed: the server cannot start as set up")
    return 1 if failures else 0


def _python() -> str:
    # The range is setup.cfg's python_requires, as installed: one home for it.
    supported = SpecifierSet(metadata("wyoming-kokoro")["Requires-Python"])
    if platform.python_version() not in supported:
        raise RuntimeError(f"Python {platform.python_version()}: this package needs {supported}")
    return platform.python_version()


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError as err:
        raise RuntimeError(f"{name} is not installed") from err


def _spacy_pipeline() -> str:
    import spacy

    nlp = spacy.load(SPACY_PIPELINE, enable=["tok2vec", "tagger"])
    return f"{SPACY_PIPELINE} {nlp.meta.get('version', '')}, spaCy {spacy.__version__}"


def _load(settings: Settings, files: ModelFiles) -> str:
    """Loads everything the server loads from the files found, warm-up included."""
    synthesizer = load_synthesizer(settings, files)
    try:
        voices = ", ".join(
            f"{voice.name} ({'/'.join(synthesizer.languages_of(voice))})"
            for voice in synthesizer.voices
        )
        return f"{voices}; decoder {synthesizer.engine.decoder}"
    finally:
        synthesizer.close()
