"""The ONNX Runtime session that turns phonemes and a style into audio."""

import json
import logging
import os
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import onnxruntime as ort

from .text import MAX_PHONEMES
from .voices import Voice

_LOGGER = logging.getLogger(__name__)

PROVIDERS = ("auto", "cpu", "coreml", "cuda")
_ORT_NAMES = {
    "cpu": "CPUExecutionProvider",
    "coreml": "CoreMLExecutionProvider",
    "cuda": "CUDAExecutionProvider",
}


class ModelError(RuntimeError):
    """The model file could not be loaded."""


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


def load_vocab() -> dict[str, int]:
    """Kokoro v1.0's phoneme vocabulary, the same for every export of the model."""
    text = (resources.files(__package__) / "data" / "vocab.json").read_text("utf-8")
    vocab: dict[str, int] = json.loads(text)["vocab"]
    return vocab


class Engine:
    """One ONNX Runtime session of the Kokoro model; thread-safe."""

    def __init__(self, model_path: Path, settings: EngineSettings) -> None:
        self.model_path = model_path
        self.vocab = load_vocab()
        self.threads = settings.threads or os.cpu_count() or 1
        self.session = _open_session(model_path, settings, self.threads)
        self.provider = self.session.get_providers()[0]

    def tokens(self, phonemes: str) -> list[int]:
        """Token ids for phonemes; characters the model does not know are dropped."""
        ids = [self.vocab[c] for c in phonemes if c in self.vocab]
        return ids[:MAX_PHONEMES]

    def synthesize(self, phonemes: str, voice: Voice, speed: float = 1.0) -> np.ndarray:
        """float32 audio at 24 kHz for at most MAX_PHONEMES phonemes."""
        ids = self.tokens(phonemes)
        if not ids:
            return np.zeros(0, dtype=np.float32)
        audio = self.session.run(
            None,
            {
                "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
                "style": voice.style(len(ids)),
                "speed": np.array([speed], dtype=np.float32),
            },
        )[0]
        return np.asarray(audio, dtype=np.float32).reshape(-1)

    def warm_up(self, voice: Voice) -> float:
        """Run the model once so the first request does not pay for set-up; seconds."""
        start = time.perf_counter()
        self.synthesize("wˈɔɹm ˈʌp.", voice)
        return time.perf_counter() - start


def available_providers() -> list[str]:
    return list(ort.get_available_providers())


def choose_providers(
    provider: str, available: list[str], settings: EngineSettings
) -> list[str | tuple[str, dict[str, str]]]:
    """The providers to ask ONNX Runtime for, best first, CPU always last."""
    if provider == "auto":
        wanted = [p for p in ("cuda", "coreml") if _ORT_NAMES[p] in available]
    elif provider == "cpu":
        wanted = []
    elif provider in _ORT_NAMES:
        if _ORT_NAMES[provider] not in available:
            _LOGGER.warning(
                "Provider %s is not in this onnxruntime build (it has %s); using CPU",
                provider,
                ", ".join(available),
            )
            wanted = []
        else:
            wanted = [provider]
    else:
        raise ValueError(f"Unknown provider {provider!r}; choose from {PROVIDERS}")
    chosen: list[str | tuple[str, dict[str, str]]] = []
    for name in wanted:
        if name == "coreml":
            options = {"MLComputeUnits": settings.coreml_compute_units}
            if settings.cache_dir is not None:
                settings.cache_dir.mkdir(parents=True, exist_ok=True)
                options["ModelCacheDirectory"] = str(settings.cache_dir)
            chosen.append((_ORT_NAMES[name], options))
        else:
            chosen.append(_ORT_NAMES[name])
    chosen.append(_ORT_NAMES["cpu"])
    return chosen


def _session_options(threads: int) -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Input lengths vary with every run, so planned memory patterns are never
    # reused; without them the peak for a 200-phoneme run drops by a sixth.
    options.enable_mem_pattern = False
    return options


def _open_session(model_path: Path, settings: EngineSettings, threads: int) -> ort.InferenceSession:
    providers = choose_providers(settings.provider, available_providers(), settings)
    try:
        return ort.InferenceSession(
            str(model_path), sess_options=_session_options(threads), providers=providers
        )
    except Exception as err:
        if len(providers) == 1:
            raise ModelError(
                f"Could not load the model {model_path}: {err}. The file may be "
                "damaged: delete it and start again to fetch a fresh copy."
            ) from err
        _LOGGER.warning("Provider %s failed to start (%s); using CPU", providers[0], err)
    return _open_session(model_path, EngineSettings(provider="cpu"), threads)
