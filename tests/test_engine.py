import logging
import re
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest

from wyoming_kokoro import engine as engine_module
from wyoming_kokoro.engine import (
    Engine,
    EngineSettings,
    ModelError,
    choose_providers,
)
from wyoming_kokoro.store import ModelFiles
from wyoming_kokoro.text import MAX_PHONEMES
from wyoming_kokoro.voices import VoiceCatalog

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
    assert engine.threads >= 1
