"""The ONNX Runtime sessions that turn phonemes and a style into audio.

Kokoro's decoder (the vocoder) takes about 90 % of a run and decodes a piece
whole, so first audio would wait for all of it. The model is split where the
decoder's inputs are made: a front session (BERT, durations, F0) runs once per
piece, then the decoder runs window by window over the aligned frames, each
window with context frames on its inner sides, neighbours crossfaded. How large
each window is comes from pacing.py, from the decoder's speed measured here.
"""

import json
import logging
import os
import tempfile
import time
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np
import onnxruntime as ort

from ..core.errors import SetupError
from ..core.settings import PROVIDERS, EngineSettings
from ..files.model_split import DECODER_INPUTS
from ..files.prepared import PreparationError, prepare
from .pacing import DecoderSpeed, first_window, next_window
from .voices import Voice

_LOGGER = logging.getLogger(__name__)

MAX_PHONEMES = 510
"""The most the model reads in one run (its input is 512 tokens with the pads)."""

_ORT_NAMES = {
    "cpu": "CPUExecutionProvider",
    "coreml": "CoreMLExecutionProvider",
    "cuda": "CUDAExecutionProvider",
}

SAMPLES_PER_FRAME = 600
"""One aligned frame is 25 ms of audio at 24 kHz."""

_SEAM_SEARCH = 6
"""Frames before a window's planned end where its seam may move to a quieter place."""

# Two seconds with the silence around it: enough frames to time the decoder on.
_WARM_UP = "ðə lˈIts ɑɹ ˈɔn."


class ModelError(SetupError):
    """The model file could not be loaded."""


def load_vocab() -> dict[str, int]:
    """Kokoro v1.0's phoneme vocabulary, the same for every export of the model."""
    text = (resources.files(__package__) / "data" / "vocab.json").read_text("utf-8")
    vocab: dict[str, int] = json.loads(text)["vocab"]
    return vocab


class Engine:
    """The Kokoro model as a front and a decoder session (or one whole session for an
    export without the decoder's inputs).

    Sessions are thread-safe; the speed estimate expects one decoding thread."""

    def __init__(
        self, model_path: Path, settings: EngineSettings, sha256: str | None = None
    ) -> None:
        """`sha256`: the model file's, where it was checked already."""
        self.vocab = load_vocab()
        self.model_name = model_path.name
        self.threads = settings.threads or os.cpu_count() or 1
        self.windows = settings.windows
        self.speed = DecoderSpeed()
        """The decoder's measured speed: windows are planned from it."""
        self.decoder, sessions = _load(model_path, settings, self.threads, sha256)
        """Which decoder runs: fast, int8 (the int8 model's own), own (another
        model's), float, or whole."""
        self._front = sessions[0]
        self._decoder = sessions[1] if len(sessions) > 1 else None
        self.provider = self._front.get_providers()[0]

    def tokens(self, phonemes: str) -> list[int]:
        """Token ids for phonemes; characters the model does not know are dropped."""
        ids = [self.vocab[c] for c in phonemes if c in self.vocab]
        return ids[:MAX_PHONEMES]

    def synthesize(self, phonemes: str, voice: Voice, speed: float = 1.0) -> np.ndarray:
        """float32 audio at 24 kHz for at most MAX_PHONEMES phonemes, decoded whole."""
        decoding = self.decoding(phonemes, voice, speed)
        if decoding is None:
            return np.zeros(0, dtype=np.float32)
        return decoding.whole()

    def decoding(self, phonemes: str, voice: Voice, speed: float = 1.0) -> "Decoding | None":
        """A piece's front run, ready to decode window by window; None for no tokens."""
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
        return Decoding(self, tuple(np.asarray(o) for o in outputs), style)

    def decode(self, inputs: tuple[np.ndarray, ...], start: int, end: int) -> np.ndarray:
        """Frames [start, end) of a piece's decoder inputs as audio, timed for `speed`."""
        assert self._decoder is not None
        features, f0, noise, style = inputs
        began = time.perf_counter()
        audio = self._decoder.run(
            None,
            {
                DECODER_INPUTS[0]: features[:, :, start:end],
                DECODER_INPUTS[1]: f0[:, 2 * start : 2 * end],
                DECODER_INPUTS[2]: noise[:, 2 * start : 2 * end],
                "style": style,
            },
        )[0]
        self.speed.observe(end - start, time.perf_counter() - began)
        return np.asarray(audio, dtype=np.float32).reshape(-1)

    @property
    def windowed(self) -> bool:
        return self._decoder is not None

    def warm_up(self, voice: Voice) -> None:
        """Run the model once, so that nothing later pays for its set-up."""
        decoding = self.decoding(_WARM_UP, voice)
        if decoding is not None and self._decoder is not None:
            self.decode(decoding.inputs, 0, min(self.windows.first, decoding.frames))

    def measure(self, voice: Voice) -> None:
        """Time the warm decoder on a large and a small window: windows are planned
        from the first request on."""
        decoding = self.decoding(_WARM_UP, voice)
        if decoding is None or self._decoder is None:
            return
        self.speed = DecoderSpeed()
        for frames in (2 * self.windows.first, self.windows.first // 2):
            self.decode(decoding.inputs, 0, min(frames, decoding.frames))
        _LOGGER.debug(
            "Decoder: %.1f ms a frame + %.0f ms a run",
            1000 * self.speed.per_frame,
            1000 * self.speed.overhead,
        )


class Decoding:
    """One piece through the decoder, window by window, seams crossfaded."""

    def __init__(self, engine: Engine, outputs: tuple[np.ndarray, ...], style: np.ndarray):
        self._engine = engine
        self.done = 0
        """Frames decoded so far."""
        if engine.windowed:
            self.inputs = (*outputs, style)
            self.frames = outputs[0].shape[2]
            self._whole = None
        else:  # the front session is the whole model: its output is the audio
            self.inputs = ()
            self.frames = 1
            self._whole = outputs[0].reshape(-1)
        self._tail = np.zeros(0, dtype=np.float32)

    @property
    def finished(self) -> bool:
        return self.done >= self.frames

    def whole(self) -> np.ndarray:
        """All of the piece's audio in one run."""
        self.done = self.frames
        if self._whole is not None:
            return self._whole
        return self._engine.decode(self.inputs, 0, self.frames)

    def next(self, lead: float) -> np.ndarray:
        """The next window's audio, as large as can be decoded before `lead` seconds
        of audio already sent run out (0: nothing is playing yet)."""
        if self._whole is not None:
            return self.whole()
        engine, windows = self._engine, self._engine.windows
        remaining = self.frames - self.done
        if self.done == 0:
            size = first_window(remaining, lead, engine.speed, windows)
        else:
            size = next_window(remaining, lead, engine.speed, windows)
        start, end = self.done, self.done + size
        decoded_from = max(0, start - windows.context)
        decoded_to = min(self.frames, end + windows.context)
        planned = engine.speed.seconds(decoded_to - decoded_from)
        began = time.perf_counter()
        audio = engine.decode(self.inputs, decoded_from, decoded_to)
        if end < self.frames:
            end = _quietest_boundary(audio, decoded_from, start + windows.first // 2, end)
        _LOGGER.debug(
            "Frames %s-%s of %s: %.0f ms (planned %.0f), %.2f s of audio were ahead",
            start,
            end,
            self.frames,
            1000 * (time.perf_counter() - began),
            1000 * planned,
            lead,
        )
        offset = (start - decoded_from) * SAMPLES_PER_FRAME
        body = audio[offset : (end - decoded_from) * SAMPLES_PER_FRAME].copy()
        # Crossfade into what the previous window decoded past its end.
        ramp = np.linspace(0.0, 1.0, len(self._tail), dtype=np.float32)
        body[: len(self._tail)] = body[: len(self._tail)] * ramp + self._tail * (1.0 - ramp)
        after = offset + len(body)
        self._tail = audio[after : after + windows.fade]
        self.done = end
        return body


def _quietest_boundary(audio: np.ndarray, decoded_from: int, earliest: int, end: int) -> int:
    """Where to cut a decoded window: at `end`, or up to a few frames before it where
    the audio is quietest (a pause between words), since a seam in speech is heard
    (Whisper misheard one voice twice as often with seams wherever they fell)."""
    candidates = range(max(earliest, end - _SEAM_SEARCH), end + 1)
    half = SAMPLES_PER_FRAME // 2

    def loudness(frame: int) -> float:
        at = (frame - decoded_from) * SAMPLES_PER_FRAME
        return float(np.mean(np.square(audio[max(0, at - half) : at + half])))

    return min(candidates, key=lambda frame: (loudness(frame), -frame))


def _load(
    model_path: Path, settings: EngineSettings, threads: int, sha256: str | None
) -> tuple[str, list[ort.InferenceSession]]:
    """The decoder that runs, and sessions for the model's parts: the kept ones,
    where the data dir has them."""

    def opened(keep_in: Path, rebuild: bool = False) -> tuple[str, list[ort.InferenceSession]]:
        made = prepare(model_path, keep_in, sha256, settings.decoder, rebuild)
        try:
            return made.decoder, _open_sessions(made.parts, model_path, settings, threads)
        except ModelError:
            if rebuild or made.parts == [model_path]:
                raise
            _LOGGER.warning("The prepared model in %s would not load: making it again", keep_in)
            return opened(keep_in, rebuild=True)

    try:
        if settings.prepared_dir is None:
            with tempfile.TemporaryDirectory(prefix="kokoro-prepared-") as scratch:
                return opened(Path(scratch))
        return opened(settings.prepared_dir)
    except PreparationError as err:
        raise _damaged(model_path, err) from err


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
        f"Could not load the model {model_path} ({err}): it is damaged or not a Kokoro "
        "v1.0 ONNX export; name another with --model, or leave --model out"
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
    cpu = replace(settings, provider="cpu")
    return _open_sessions(models, model_path, cpu, threads)
