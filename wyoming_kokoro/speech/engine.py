"""The ONNX Runtime sessions that turn phonemes and a style into audio.

Kokoro's decoder (the vocoder) takes about 90 % of a run and decodes a piece
whole, so first audio would wait for all of it. The model is split where the
decoder's inputs are made: a front session (BERT, durations, F0) runs once per
piece, then the decoder runs over any frames of it asked for; which, and when, is
decided in decoding/.
"""

import logging
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import onnxruntime as ort

from ..core.errors import SetupError
from ..core.settings import PROVIDERS, EngineSettings
from ..files.model_split import DECODER_INPUTS
from ..files.prepared import PreparationError, prepare
from .vocab import load_vocab
from .voices import Voice

_LOGGER = logging.getLogger(__name__)

MAX_PHONEMES = 510
"""The most the model reads in one run (its input is 512 tokens with the pads)."""

_ORT_NAMES = {
    "cpu": "CPUExecutionProvider",
    "coreml": "CoreMLExecutionProvider",
    "cuda": "CUDAExecutionProvider",
}

# Two seconds with the silence around it: enough frames to time the decoder on.
_WARM_UP = "ðə lˈIts ɑɹ ˈɔn."


class ModelError(SetupError):
    """The model file could not be loaded."""


@dataclass(frozen=True)
class Front:
    """A piece through the front session: what the decoder reads."""

    tokens: str
    """The phonemes the model read, one character a token."""
    inputs: tuple[np.ndarray, ...]
    """Aligned features [1, 512, frames], F0 and energy [1, 2 frames], style; empty
    for a model that is not split."""
    audio: np.ndarray | None = None
    """A model that is not split: the piece's audio, made whole by the front."""
    stop: ort.RunOptions | None = None
    """Its answer's: `terminate` ends the decoder run under way when no one listens."""

    @property
    def frames(self) -> int:
        return self.inputs[0].shape[2] if self.inputs else 0


class Engine:
    """The Kokoro model as a front and a decoder session (or one whole session for an
    export without the decoder's inputs). Sessions are thread-safe."""

    def __init__(
        self, model_path: Path, settings: EngineSettings, sha256: str | None = None
    ) -> None:
        """`sha256`: the model file's, where it was checked already."""
        self.vocab = load_vocab()
        self.model_name = model_path.name
        self.threads = settings.threads or os.cpu_count() or 1
        self.decoder, sessions = _load(model_path, settings, self.threads, sha256)
        """Which decoder runs: fast, int8 (the int8 model's own), own (another
        model's), float, or whole."""
        self._front = sessions[0]
        self._decoder = sessions[1] if len(sessions) > 1 else None
        self.provider = self._front.get_providers()[0]

    @property
    def windowed(self) -> bool:
        """Whether the decoder runs on its own, over any frames asked for."""
        return self._decoder is not None

    def read(self, phonemes: str) -> str:
        """The phonemes the model reads: those it knows, at most MAX_PHONEMES."""
        return "".join(c for c in phonemes if c in self.vocab)[:MAX_PHONEMES]

    def front(
        self, phonemes: str, voice: Voice, speed: float = 1.0, stop: ort.RunOptions | None = None
    ) -> Front | None:
        """A piece's front run (`speed`: the speaking rate); None for no tokens. `stop`:
        its answer's, to end its runs under way once the answer is abandoned."""
        tokens = self.read(phonemes)
        if not tokens:
            return None
        style = voice.style(len(tokens))
        outputs = self._front.run(
            None,
            {
                "tokens": np.array([[0, *(self.vocab[c] for c in tokens), 0]], dtype=np.int64),
                "style": style,
                "speed": np.array([speed], dtype=np.float32),
            },
            stop,
        )
        if self._decoder is None:  # the front session is the whole model
            return Front(
                tokens, (), np.asarray(outputs[0], dtype=np.float32).reshape(-1), stop=stop
            )
        return Front(tokens, (*(np.asarray(o) for o in outputs), style), stop=stop)

    def decode(self, front: Front, start: int, end: int) -> np.ndarray:
        """Frames [start, end) of a piece as audio."""
        assert self._decoder is not None
        features, f0, energy, style = front.inputs
        audio = self._decoder.run(
            None,
            {
                DECODER_INPUTS[0]: features[:, :, start:end],
                DECODER_INPUTS[1]: f0[:, 2 * start : 2 * end],
                DECODER_INPUTS[2]: energy[:, 2 * start : 2 * end],
                "style": style,
            },
            front.stop,
        )[0]
        return np.asarray(audio, dtype=np.float32).reshape(-1)

    def warm_up(self, voice: Voice) -> Front | None:
        """Run the model once, so that nothing later pays for its set-up; the front
        it ran, for timing the decoder on."""
        front = self.front(_WARM_UP, voice)
        if front is not None and front.inputs:
            self.decode(front, 0, min(24, front.frames))
        return front


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
