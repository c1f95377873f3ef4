"""What a listener hears: Whisper transcribes the real model's speech.

Thresholds, from measurement (jf_alpha reading English, int8 model, Whisper tiny.en,
14 sentences, 97 words): misaki 4/97 = 4.1%, espeak-only 7/97 = 7.2%, misaki without
normalization 11/97 = 11.3%. The limits leave room for other onnxruntime and Whisper
builds, while a broken G2P, a dropped piece or a clipped seam (each costing whole
words in every sentence) would cross them.
"""

import pytest

from wyoming_kokoro.synthesizer import Synthesizer

from .intelligibility import MODES, Listener, Result, measure

MISAKI_LIMIT = 0.10
ESPEAK_LIMIT = 0.15


@pytest.fixture(scope="module")
def results(synthesizer: Synthesizer) -> dict[str, Result]:
    listener = Listener()
    return {mode: measure(synthesizer, listener, mode) for mode in MODES}


def test_misaki_speech_is_understood(results: dict[str, Result]) -> None:
    assert results["misaki"].word_error_rate <= MISAKI_LIMIT, results["misaki"].heard


def test_espeak_fallback_speech_is_understood(results: dict[str, Result]) -> None:
    assert results["espeak"].word_error_rate <= ESPEAK_LIMIT, results["espeak"].heard


def test_normalization_makes_written_text_understood(results: dict[str, Result]) -> None:
    assert results["misaki"].errors < results["no-normalization"].errors, (
        results["misaki"].heard,
        results["no-normalization"].heard,
    )
