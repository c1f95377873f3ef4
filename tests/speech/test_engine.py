import logging
import os
import re
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest

from wyoming_kokoro.core.settings import EngineSettings
from wyoming_kokoro.files.store import ModelFiles
from wyoming_kokoro.speech import engine as engine_module
from wyoming_kokoro.speech.engine import (
    MAX_PHONEMES,
    Engine,
    ModelError,
    choose_providers,
)
from wyoming_kokoro.speech.voices import VoiceCatalog

from .machine import SteadySpeed

CPU = "CPUExecutionProvider"


def test_cpu_is_the_default_and_always_last() -> None:
    available = ["CUDAExecutionProvider", CPU]
    assert choose_providers("cpu", available, EngineSettings()) == [CPU]
    assert choose_providers("auto", available, EngineSettings()) == [
        "CUDAExecutionProvider",
        CPU,
    ]
    assert choose_providers("auto", [CPU], EngineSettings()) == [CPU]


def test_coreml_gets_a_writable_cache_and_compute_units(tmp_path) -> None:
    settings = EngineSettings(
        provider="coreml", cache_dir=tmp_path / "cache", coreml_compute_units="CPUOnly"
    )
    providers = choose_providers("coreml", ["CoreMLExecutionProvider", CPU], settings)
    assert providers == [
        (
            "CoreMLExecutionProvider",
            {
                "MLComputeUnits": "CPUOnly",
                "ModelCacheDirectory": str(tmp_path / "cache"),
            },
        ),
        CPU,
    ]
    assert (tmp_path / "cache").is_dir()


def test_a_provider_not_in_this_build_means_cpu_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        assert choose_providers("cuda", [CPU], EngineSettings()) == [CPU]
    assert "cuda is not in this onnxruntime build" in caplog.text


def test_a_provider_that_fails_to_start_falls_back_to_cpu(
    model_files: ModelFiles,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    real_session = ort.InferenceSession

    def session(path: str, sess_options: Any, providers: list[Any]) -> Any:
        if providers[0] != CPU:
            raise RuntimeError("CoreML could not compile the model")
        return real_session(path, sess_options=sess_options, providers=providers)

    monkeypatch.setattr(
        engine_module, "available_providers", lambda: ["CoreMLExecutionProvider", CPU]
    )
    monkeypatch.setattr(engine_module.ort, "InferenceSession", session)
    with caplog.at_level(logging.WARNING):
        engine = Engine(model_files.model.path, EngineSettings(provider="coreml"))
    assert engine.provider == CPU
    assert "failed to start" in caplog.text
    assert sum("failed to start" in r.message for r in caplog.records) == 1


def test_a_broken_model_file_names_the_file(tmp_path) -> None:
    broken = tmp_path / "kokoro.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(ModelError, match=re.escape(str(broken))):
        Engine(broken, EngineSettings())


def test_unknown_characters_are_dropped_and_tokens_capped(engine: Engine) -> None:
    assert engine.tokens("a🙂b") == [engine.vocab["a"], engine.vocab["b"]]
    assert len(engine.tokens("a" * 2000)) == MAX_PHONEMES


def test_real_model_speaks(engine: Engine, voices: VoiceCatalog) -> None:
    voice = voices.get("jf_alpha")
    audio = engine.synthesize("ðə kˈɪʧən lˈIts ɑɹ ˈɔn.", voice)
    assert audio.dtype == np.float32
    seconds = len(audio) / 24000
    assert 0.8 < seconds < 4.0
    assert np.sqrt(np.mean(audio**2)) > 0.01
    faster = engine.synthesize("ðə kˈɪʧən lˈIts ɑɹ ˈɔn.", voice, speed=1.5)
    assert len(faster) < 0.8 * len(audio)


def test_threads_default_to_the_cores(engine: Engine) -> None:
    assert engine.threads == os.cpu_count()


def test_the_decoder_is_measured(model_files: ModelFiles, voices: VoiceCatalog) -> None:
    engine = Engine(model_files.model.path, EngineSettings())
    untouched = (engine.speed.per_frame, engine.speed.overhead)
    engine.measure(voices.get("jm_kumo"))
    assert (engine.speed.per_frame, engine.speed.overhead) != untouched
    assert 0 < engine.speed.per_frame < 1.0


WEATHER = (
    "hˈɪɹ ɪz ðə wˈɛðəɹ fɔɹ ðə hˈOl wˈik, dˈA bI dˈA, ɪn dˈitAl. "
    "mˈʌndA wɪl bi sˈʌni wɪð ə hˈI ʌv twˈɛnti wˈʌn dəɡɹˈiz."
)


def spectrum_distance(a: np.ndarray, b: np.ndarray, center: int, half: int = 1200) -> float:
    """Log-spectral distance (dB) between two signals around one sample; what is 100 dB
    below full scale counts as silence in both."""
    window = np.hanning(2 * half)
    spectra = [
        np.abs(np.fft.rfft(x[center - half : center + half] * window)) + 1e-2 for x in (a, b)
    ]
    return float(np.sqrt(np.mean((20 * np.log10(spectra[0] / spectra[1])) ** 2)))


def test_windowed_decoding_has_no_seams(
    engine: Engine, voices: VoiceCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows differ a little from decoding whole everywhere (the decoder normalizes
    over time); at a seam they must differ no more than elsewhere, and not click."""
    monkeypatch.setattr(engine, "speed", SteadySpeed(per_frame=0.01, overhead=0.02))
    voice = voices.get("jf_gongitsune")
    whole = engine.synthesize(WEATHER, voice)
    decoding = engine.decoding(WEATHER, voice)
    assert decoding is not None
    windows: list[np.ndarray] = []
    while not decoding.finished:  # a short lead: small windows, many seams
        windows.append(decoding.next(lead=0.6 if windows else 0.0))
    streamed = np.concatenate(windows)
    assert len(streamed) == len(whole) and len(windows) >= 3
    seams = np.cumsum([len(audio) for audio in windows])[:-1]
    elsewhere = [
        spectrum_distance(streamed, whole, int(s) + d) for s in seams for d in (-6000, 6000)
    ]
    for seam in seams:
        assert spectrum_distance(streamed, whole, int(seam)) <= max(elsewhere) + 3.0
        # No click: the signal moves no faster across the seam than around it.
        steps = np.abs(np.diff(streamed[int(seam) - 480 : int(seam) + 480]))
        across, around = steps[480 - 24 : 480 + 24], np.r_[steps[: 480 - 24], steps[480 + 24 :]]
        assert across.max() <= 1.5 * around.max() + 0.01


def test_a_model_without_decoder_inputs_runs_whole(
    tmp_path, voices: VoiceCatalog, caplog: pytest.LogCaptureFixture
) -> None:
    from onnx import TensorProto, helper, save

    graph = helper.make_graph(
        [helper.make_node("Identity", ["speed"], ["audio"])],
        "not-kokoro",
        [
            helper.make_tensor_value_info("tokens", TensorProto.INT64, [1, None]),
            helper.make_tensor_value_info("style", TensorProto.FLOAT, [1, 256]),
            helper.make_tensor_value_info("speed", TensorProto.FLOAT, [1]),
        ],
        [helper.make_tensor_value_info("audio", TensorProto.FLOAT, [1])],
    )
    path = tmp_path / "other.onnx"
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    with caplog.at_level(logging.WARNING):
        other = Engine(path, EngineSettings())
    assert not other.windowed and "decoding pieces whole" in caplog.text
    decoding = other.decoding("ðə", voices.get("jm_kumo"), speed=1.25)
    assert decoding is not None
    assert decoding.next(lead=0.0).tolist() == [1.25] and decoding.finished
