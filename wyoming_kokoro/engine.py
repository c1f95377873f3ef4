"""The ONNX Runtime sessions that turn phonemes and a style into audio.

Kokoro's decoder (the vocoder) takes about 90 % of a run and decodes a piece
whole, so first audio would wait for all of it. The model is split where the
decoder's inputs are made: a front session (BERT, durations, F0) runs once per
piece, then the decoder runs window by window over the aligned frames, a small
window first and then larger ones, each with context frames on both sides, and
neighbouring windows crossfade. Audio starts after the front and one small
window, whatever the piece's length, and each window is one turn on the model.
"""

import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import numpy as np
import onnxruntime as ort

from .errors import SetupError
from .settings import PROVIDERS, EngineSettings, Windows
from .split import DECODER_INPUTS
from .voices import Voice

_LOGGER = logging.getLogger(__name__)

MAX_PHONEMES = 510
"""The most the model reads in one run (its input is 512 tokens with the pads)."""

_ORT_NAMES = {
    "cpu": "CPUExecutionProvider",
    "coreml": "CoreMLExecutionProvider",
    "cuda": "CUDAExecutionProvider",
}


class ModelError(SetupError):
    """The model file could not be loaded."""


SAMPLES_PER_FRAME = 600
"""One aligned frame is 25 ms of audio at 24 kHz."""


def window_bounds(frames: int, windows: Windows) -> list[tuple[int, int]]:
    """The [start, end) frames of each window; a last window is never tiny."""
    bounds = []
    start, size = 0, windows.first
    while start < frames:
        end = min(frames, start + size)
        if frames - end < size // 2:
            end = frames
        bounds.append((start, end))
        start, size = end, windows.rest
    return bounds


def load_vocab() -> dict[str, int]:
    """Kokoro v1.0's phoneme vocabulary, the same for every export of the model."""
    text = (resources.files(__package__) / "data" / "vocab.json").read_text("utf-8")
    vocab: dict[str, int] = json.loads(text)["vocab"]
    return vocab


class Engine:
    """The Kokoro model as a front and a decoder session (or one whole session for an
    export without the decoder's inputs); thread-safe."""

    def __init__(self, model_path: Path, settings: EngineSettings) -> None:
        self.vocab = load_vocab()
        self.threads = settings.threads or os.cpu_count() or 1
        self.windows = settings.windows
        with tempfile.TemporaryDirectory(prefix="kokoro-split-") as split:
            parts = _split(model_path, Path(split))
            sessions = _open_sessions(parts, model_path, settings, self.threads)
        self._front = sessions[0]
        self._decoder = sessions[1] if len(sessions) > 1 else None
        self.provider = self._front.get_providers()[0]

    @property
    def windowed(self) -> bool:
        return self._decoder is not None

    @property
    def session_options(self) -> ort.SessionOptions:
        return self._front.get_session_options()

    def tokens(self, phonemes: str) -> list[int]:
        """Token ids for phonemes; characters the model does not know are dropped."""
        ids = [self.vocab[c] for c in phonemes if c in self.vocab]
        return ids[:MAX_PHONEMES]

    def synthesize(self, phonemes: str, voice: Voice, speed: float = 1.0) -> np.ndarray:
        """float32 audio at 24 kHz for at most MAX_PHONEMES phonemes, decoded whole."""
        parts = self._front_run(phonemes, voice, speed)
        if parts is None:
            return np.zeros(0, dtype=np.float32)
        if self._decoder is None:
            return parts[0].reshape(-1)
        return self._decode(parts, 0, parts[0].shape[2])

    def stream(
        self, phonemes: str, voice: Voice, speed: float = 1.0
    ) -> Iterator[tuple[np.ndarray, bool]]:
        """The same audio, window by window as the decoder makes it, each with
        whether it is the last.

        Lazy: each `next` is one run of a session, so callers sharing the model
        take turns window by window.
        """
        parts = self._front_run(phonemes, voice, speed)
        if parts is None:
            return
        if self._decoder is None:
            yield parts[0].reshape(-1), True
            return
        frames = parts[0].shape[2]
        context = self.windows.context
        tail = np.zeros(0, dtype=np.float32)
        for start, end in window_bounds(frames, self.windows):
            decoded_from = max(0, start - context)
            audio = self._decode(parts, decoded_from, min(frames, end + context))
            offset = (start - decoded_from) * SAMPLES_PER_FRAME
            body = audio[offset : offset + (end - start) * SAMPLES_PER_FRAME].copy()
            # Crossfade into what the previous window decoded past its end.
            ramp = np.linspace(0.0, 1.0, len(tail), dtype=np.float32)
            body[: len(tail)] = body[: len(tail)] * ramp + tail * (1.0 - ramp)
            after = offset + len(body)
            tail = audio[after : after + self.windows.fade]
            yield body, end == frames

    def _front_run(
        self, phonemes: str, voice: Voice, speed: float
    ) -> tuple[np.ndarray, ...] | None:
        """The decoder's inputs plus style (or the whole model's audio); None for no tokens."""
        ids = self.tokens(phonemes)
        if not ids:
            return None
        style = voice.style(len(ids))
        outputs = self._front.run(
            None,
            {
                "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
                "style": style,
                "speed": np.array([speed], dtype=np.float32),
            },
        )
        return (*(np.asarray(o) for o in outputs), style)

    def _decode(self, parts: tuple[np.ndarray, ...], start: int, end: int) -> np.ndarray:
        assert self._decoder is not None
        features, f0, noise, style = parts
        audio = self._decoder.run(
            None,
            {
                DECODER_INPUTS[0]: features[:, :, start:end],
                DECODER_INPUTS[1]: f0[:, 2 * start : 2 * end],
                DECODER_INPUTS[2]: noise[:, 2 * start : 2 * end],
                "style": style,
            },
        )[0]
        return np.asarray(audio, dtype=np.float32).reshape(-1)

    def warm_up(self, voice: Voice) -> float:
        """Run the model once so the first request does not pay for set-up; seconds."""
        start = time.perf_counter()
        self.synthesize("wˈɔɹm ˈʌp.", voice)
        return time.perf_counter() - start


def _split(model_path: Path, into: Path) -> list[Path]:
    """The front and decoder models, written into `into`; or the model whole when its
    graph does not have the decoder's inputs (another export).

    Runs in a child process: the model's graph in Python costs several times the
    file's size, a peak the server's memory should not keep.
    """
    child = subprocess.run(
        [sys.executable, "-m", "wyoming_kokoro.split", str(model_path), str(into)],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        reason = child.stderr.strip().splitlines()[-1] if child.stderr.strip() else "it failed"
        raise _damaged(model_path, reason)
    parts = [Path(line) for line in child.stdout.splitlines()]
    if parts == [model_path]:
        _LOGGER.warning("%s has no decoder inputs to split at: decoding pieces whole", model_path)
    return parts


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


def _damaged(model_path: Path, err: Exception | str) -> ModelError:
    return ModelError(
        f"Could not load the model {model_path}: {err}. The file may be "
        "damaged: delete it and start again to fetch a fresh copy."
    )


def _open_sessions(
    models: list[Path], model_path: Path, settings: EngineSettings, threads: int
) -> list[ort.InferenceSession]:
    """A session for each part, all on the same providers: CPU for all if one fails."""
    providers = choose_providers(settings.provider, available_providers(), settings)
    try:
        return [
            ort.InferenceSession(
                str(model), sess_options=_session_options(threads), providers=providers
            )
            for model in models
        ]
    except Exception as err:
        if len(providers) == 1:
            raise _damaged(model_path, err) from err
        _LOGGER.warning("Provider %s failed to start (%s); using CPU", providers[0], err)
    cpu = EngineSettings(provider="cpu", windows=settings.windows)
    return _open_sessions(models, model_path, cpu, threads)
