import numpy as np
import pytest

from wyoming_kokoro.core.languages import find_language, language_of_voice
from wyoming_kokoro.core.settings import SpeechSettings
from wyoming_kokoro.files.store import ModelFiles
from wyoming_kokoro.speech.decoding.paced import PacedDecoder
from wyoming_kokoro.speech.g2p import G2P
from wyoming_kokoro.speech.synthesizer import Synthesizer
from wyoming_kokoro.speech.voices import UnknownVoiceError, VoiceCatalog
from wyoming_kokoro.wyoming.handler import build_info


@pytest.fixture
def catalog(model_files: ModelFiles) -> VoiceCatalog:
    return VoiceCatalog.load([model_files.voices.path])


def test_language_tags_and_prefixes() -> None:
    assert [find_language(t).tag for t in ("en-us", "EN", "en_GB", "pt-BR", "fr")] == [  # type: ignore[union-attr]
        "en_US",
        "en_US",
        "en_GB",
        "pt_BR",
        "fr_FR",
    ]
    assert find_language("af") is None  # Afrikaans, not "American female"
    assert language_of_voice("bf_emma").tag == "en_GB"  # type: ignore[union-attr]


def test_voices_of_the_offline_bundle(catalog: VoiceCatalog) -> None:
    assert sorted(v.name for v in catalog) == [
        "jf_alpha",
        "jf_gongitsune",
        "jf_nezumi",
        "jf_tebukuro",
        "jm_kumo",
    ]
    kumo = catalog.get("jm_kumo")
    assert (kumo.gender, kumo.language.tag, kumo.pack.shape) == ("male", "ja_JP", (510, 256))
    # The clearest reading English, as measured (voices.PREFERRED_VOICES), comes first.
    assert catalog.default().name == "jf_gongitsune"
    assert [v.name for v in catalog] == [
        "jf_gongitsune",
        "jm_kumo",
        "jf_nezumi",
        "jf_tebukuro",
        "jf_alpha",
    ]
    assert np.array_equal(kumo.style(1), kumo.pack[0].reshape(1, 256))
    assert np.array_equal(kumo.style(9999), kumo.pack[-1].reshape(1, 256))


def test_a_weighted_blend_mixes_the_styles(catalog: VoiceCatalog) -> None:
    alpha, kumo = catalog.get("jf_alpha").pack, catalog.get("jm_kumo").pack
    blend = catalog.get("jf_alpha:0.7+jm_kumo:0.3")
    assert np.allclose(blend.pack, 0.7 * alpha + 0.3 * kumo, atol=1e-6)
    assert blend.description == "Alpha 70% + Kumo 30% - Japanese, female"
    equal = catalog.get("jf_alpha+jm_kumo")
    assert np.allclose(equal.pack, 0.5 * alpha + 0.5 * kumo, atol=1e-6)
    # Weights are shares: 7 and 3 are the same as 0.7 and 0.3.
    assert np.allclose(catalog.get("jf_alpha:7+jm_kumo:3").pack, blend.pack, atol=1e-6)


@pytest.mark.parametrize(
    "spec",
    ["jf_alpha:x+jm_kumo", "jf_alpha+nobody", "jf_alpha:0+jm_kumo", "+", "jf_alpha:inf+jm_kumo"],
)
def test_bad_blends_are_unknown_voices(catalog: VoiceCatalog, spec: str) -> None:
    with pytest.raises(UnknownVoiceError):
        catalog.get(spec)


def test_blends_are_advertised_only_when_configured(
    catalog: VoiceCatalog, paced: PacedDecoder, g2p: G2P
) -> None:
    def voice_names() -> set[str]:
        synthesizer = Synthesizer(paced, catalog, g2p, SpeechSettings())
        try:
            return {v.name for v in build_info(synthesizer, streaming=True).tts[0].voices}
        finally:
            synthesizer.close()

    catalog.get("jf_alpha+jm_kumo")  # asked for once, not advertised
    assert voice_names() == {v.name for v in catalog}
    catalog.add_blends(["jf_alpha:0.7+jm_kumo:0.3"])
    assert "jf_alpha:0.7+jm_kumo:0.3" in voice_names()


def test_a_configured_voice_that_is_missing_falls_back_with_a_warning(
    catalog: VoiceCatalog, paced: PacedDecoder, g2p: G2P, caplog: pytest.LogCaptureFixture
) -> None:
    synthesizer = Synthesizer(paced, catalog, g2p, SpeechSettings(voice="af_heart"))
    synthesizer.close()
    assert synthesizer.default_voice.name == "jf_gongitsune"
    assert "'af_heart' is not installed" in caplog.text and "jm_kumo" in caplog.text
    assert "using jf_gongitsune" in caplog.text
