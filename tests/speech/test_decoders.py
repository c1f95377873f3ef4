"""The decoders a user can choose, run on the real model's decoder inputs.

Measured (`python -m bench.decoder_gate`, 43 sentences x 2 voices; docs/decisions.md):
against the float decoder, the int8 model's own decoder is 4.7-5.1 dB away in
log-spectral distance and the fast one about 4 dB; a decoder quantized statically
everywhere (conv_post included) is 16 dB away and sounds broken. What Whisper hears
of the default decoder is held by test_intelligibility.py.
"""

import statistics
from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import pytest

from support.distance import log_spectral_distance, snr
from support.intelligibility import PLAIN
from wyoming_kokoro.core.languages import ENGLISH
from wyoming_kokoro.core.settings import EngineSettings, prepared_dir
from wyoming_kokoro.files.store import ModelFiles
from wyoming_kokoro.speech.engine import Engine
from wyoming_kokoro.speech.g2p import G2P
from wyoming_kokoro.speech.voices import VoiceCatalog

pytestmark = pytest.mark.slow

VOICES = ("jf_gongitsune", "jm_kumo")


@pytest.fixture(scope="module")
def engines(data_dir: Path, model_files: ModelFiles, engine: Engine) -> dict[str, Engine]:
    """Each decoder; the default (fast) is the shared engine."""
    made = {"fast": engine}
    for decoder in ("int8", "float"):
        settings = EngineSettings(decoder=decoder).in_data_dir(data_dir)
        made[decoder] = Engine(model_files.model.path, settings, model_files.model.sha256)
    return made


@pytest.fixture(scope="module")
def audio(engines: dict[str, Engine], voices: VoiceCatalog, g2p: G2P) -> dict[str, list]:
    """Each decoder's audio for the same front outputs, decoded whole."""
    phonemize = g2p.phonemizer(ENGLISH)
    clips = []
    for text, _ in PLAIN[:4]:
        for voice in VOICES:
            front = engines["fast"].front(phonemize(text), voices.get(voice))
            assert front is not None
            clips.append(front)
    return {
        name: [engine.decode(front, 0, front.frames) for front in clips]
        for name, engine in engines.items()
    }


def test_each_engine_runs_the_decoder_asked_for(engines: dict[str, Engine]) -> None:
    assert {name: engine.decoder for name, engine in engines.items()} == {
        name: name for name in engines
    }


@pytest.fixture(scope="module")
def graph(data_dir: Path, engines: dict[str, Engine]) -> onnx.GraphProto:
    """The fast decoder's graph, as the shared engine's start made and kept it."""
    folder = next(prepared_dir(data_dir).glob("*-fast-v*"))
    return onnx.load(str(folder / "decoder.onnx")).graph


def test_the_fast_decoder_is_quantized_where_it_keeps_the_voice(graph: onnx.GraphProto) -> None:
    """Static int8 in the noise path, resblocks.0-2 and .5, the model's own dynamic int8
    in the frame-rate blocks, float elsewhere: a range missing from the shipped ones
    would leave its convolution float without a word."""
    made = {out: node for node in graph.node for out in node.output}

    def blocks(kind: str) -> set[str]:
        names = [n.name.split("/") for n in graph.node if _kind(n, made) == kind]
        return {parts[4] if parts[3] == "generator" else parts[3] for parts in names}

    assert blocks("static") == {
        "noise_res.0", "noise_res.1", "noise_convs.0", "noise_convs.1",
        "resblocks.0", "resblocks.1", "resblocks.2", "resblocks.5",
    }  # fmt: skip
    frame_rate = {"encode", "decode.0", "decode.1", "decode.2", "decode.3", "asr_res"}
    assert blocks("own int8") == frame_rate
    assert blocks("float") == {
        "F0_conv", "N_conv", "resblocks.3", "resblocks.4", "conv_post"
    }  # fmt: skip


def test_the_fast_decoders_adains_and_snakes_are_fused(graph: onnx.GraphProto) -> None:
    """Every AdaIN one InstanceNormalization, and each Snake before a float
    convolution (resblocks.3-4) without its multiplications (files/rewrites.py):
    a change in how the model is exported would leave them as they were, silently
    slower."""
    made = {out: node for node in graph.node for out in node.output}
    ops = Counter(node.op_type for node in graph.node)
    assert ops["InstanceNormalization"] == 58
    assert ops["ReduceMean"] == ops["Pow"] == 0
    folded = [
        n.name.split("/")[4]
        for n in graph.node
        if n.op_type == "Sin" and made[n.input[0]].op_type == "InstanceNormalization"
    ]
    assert Counter(folded) == {"resblocks.3": 6, "resblocks.4": 6}


def _kind(node: onnx.NodeProto, made: dict[str, onnx.NodeProto]) -> str | None:
    if node.op_type == "ConvInteger":
        return "own int8"
    if node.op_type != "Conv":
        return None
    weights = made.get(node.input[1])
    return "static" if weights is not None and weights.op_type == "DequantizeLinear" else "float"


def test_the_fast_decoder_stays_as_close_to_float_as_int8(audio: dict[str, list]) -> None:
    def median(measure, name: str) -> float:
        return statistics.median(
            measure(r, a) for r, a in zip(audio["float"], audio[name], strict=True)
        )

    assert all(len(a) == len(b) for a, b in zip(audio["fast"], audio["int8"], strict=True))
    # Closer to float than int8 (4.0 against 5.1 dB measured); 12 dB SNR is what the
    # first recipe, which failed the gate, reached; quantized everywhere: 1.5 dB.
    assert median(log_spectral_distance, "fast") <= median(log_spectral_distance, "int8") + 0.25
    assert median(snr, "fast") > 12.0
    assert min(np.sqrt(np.mean(a**2)) for a in audio["fast"]) > 0.01
