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
    assert engine.read("a🙂b") == "ab"
    assert len(engine.read("a" * 2000)) == MAX_PHONEMES


def test_real_model_speaks(engine: Engine, voices: VoiceCatalog) -> None:
    voice = voices.get("jf_alpha")
    front = engine.front("ðə kˈɪʧən lˈIts ɑɹ ˈɔn.", voice)
    assert front is not None and front.tokens == "ðə kˈɪʧən lˈIts ɑɹ ˈɔn."
    audio = engine.decode(front, 0, front.frames)
    assert audio.dtype == np.float32 and len(audio) == 600 * front.frames
    seconds = len(audio) / 24000
    assert 0.8 < seconds < 4.0
    assert np.sqrt(np.mean(audio**2)) > 0.01
    faster = engine.front("ðə kˈɪʧən lˈIts ɑɹ ˈɔn.", voice, speed=1.5)
    assert faster is not None and faster.frames < 0.8 * front.frames


def test_threads_default_to_the_cores(engine: Engine) -> None:
    assert engine.threads == os.cpu_count()


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
    front = other.front("ðə", voices.get("jm_kumo"), speed=1.25)
    assert front is not None and front.audio is not None
    assert front.audio.tolist() == [1.25] and front.frames == 0
