import numpy as np
import pytest

from wyoming_kokoro.core.languages import language_of_voice
from wyoming_kokoro.http.openai import (
    OPENAI_VOICES,
    Alias,
    ApiRequestError,
    models_list,
    speech_request,
    voice_aliases,
    voices_list,
)
from wyoming_kokoro.speech.voices import Voice, VoiceCatalog


def catalog(*names: str) -> VoiceCatalog:
    genders = {"f": "female", "m": "male"}
    return VoiceCatalog(
        Voice(name, language_of_voice(name), genders[name[1]], np.zeros((4, 256), np.float32))  # type: ignore[arg-type]
        for name in names
    )


def voices_of(aliases: dict[str, Alias]) -> dict[str, str]:
    return {name: alias.voice for name, alias in aliases.items()}


OFFLINE = catalog("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")


def test_every_openai_voice_is_read_by_its_own_voice_when_installed() -> None:
    official = catalog(*(voice for _, voice in OPENAI_VOICES.values()), "af_sky")
    aliases = voices_of(voice_aliases(official, {}))
    assert aliases == {name: voice for name, (_, voice) in OPENAI_VOICES.items()}
    assert len(set(aliases.values())) == len(aliases)
    assert all(
        voice[1] == gender[0]
        for (gender, _), voice in zip(OPENAI_VOICES.values(), aliases.values(), strict=True)
    )


def test_without_them_the_clearest_voice_of_the_same_gender_reads() -> None:
    aliases = voices_of(voice_aliases(OFFLINE, {}))
    assert aliases["alloy"] == aliases["nova"] == "jf_gongitsune"
    assert aliases["onyx"] == aliases["fable"] == "jm_kumo"
    only_women = voices_of(voice_aliases(catalog("jf_alpha", "jf_nezumi"), {}))
    assert only_women["onyx"] == "jf_nezumi"


def test_openai_names_read_english_unless_the_server_has_a_language() -> None:
    assert voice_aliases(OFFLINE, {})["alloy"] == Alias("jf_gongitsune", "en_US")
    assert voice_aliases(OFFLINE, {}, reads_english=False)["alloy"] == Alias("jf_gongitsune")
    official = voice_aliases(catalog("af_heart", "bf_emma"), {})
    assert official["alloy"] == Alias("af_heart") and official["coral"] == Alias("bf_emma")
    speech = speech_request({"input": "Hi.", "voice": "alloy"}, voice_aliases(OFFLINE, {}))
    assert speech.request.language == "en_US"
    assert speech_request({"input": "Hi.", "voice": "jf_alpha"}, {}).request.language is None


def test_overrides_win_and_a_missing_voice_is_warned_about(
    caplog: pytest.LogCaptureFixture,
) -> None:
    aliases = voices_of(
        voice_aliases(
            OFFLINE,
            {"alloy": "jf_alpha", "echo": "af_nowhere", "butler": "jm_kumo:0.5+jf_alpha:0.5"},
        )
    )
    assert aliases["alloy"] == "jf_alpha"
    assert aliases["echo"] == "jm_kumo"
    assert aliases["butler"] == "jm_kumo:0.5+jf_alpha:0.5"
    assert "echo=af_nowhere" in caplog.text and "not installed" in caplog.text


def test_a_request_as_the_sdk_sends_it() -> None:
    aliases = voice_aliases(OFFLINE, {})
    speech = speech_request(
        {"model": "tts-1", "voice": "alloy", "input": "Hi.", "instructions": "Cheerful."}, aliases
    )
    assert speech.audio.name == "mp3" and not speech.sse
    assert (speech.request.text, speech.request.voice, speech.request.speed) == (
        "Hi.",
        "jf_gongitsune",
        None,
    )
    custom = speech_request(
        {"input": "Hi.", "voice": {"id": "jm_kumo"}, "stream_format": "sse"}, aliases
    )
    assert custom.request.voice == "jm_kumo" and custom.sse
    dated = speech_request({"input": "Hi.", "model": "gpt-4o-mini-tts-2025-12-15"}, aliases)
    assert dated.request.voice is None


@pytest.mark.parametrize(("speed", "spoken"), [(0.25, 0.5), (0.75, 0.75), (4, 2.0), (4.0, 2.0)])
def test_openai_speeds_are_clamped_to_what_kokoro_can_do(speed: float, spoken: float) -> None:
    assert speech_request({"input": "Hi.", "speed": speed}, {}).request.speed == spoken


@pytest.mark.parametrize(
    ("body", "param", "message"),
    [
        ([], None, "JSON object"),
        ({"voice": "alloy"}, "input", "'input'"),
        ({"input": "Hi.", "model": "whisper-1"}, "model", "Unknown model 'whisper-1'"),
        ({"input": "Hi.", "voice": 3}, "voice", "'voice'"),
        (
            {"input": "Hi.", "response_format": "ogg"},
            "response_format",
            "mp3, opus, aac, flac, wav, pcm",
        ),
        ({"input": "Hi.", "stream_format": "chunks"}, "stream_format", "audio or sse"),
        ({"input": "Hi.", "speed": 4.5}, "speed", r"outside 0\.25 to 4\.0"),
        ({"input": "Hi.", "speed": True}, "speed", "a number"),
        ({"input": "Hi.", "instructions": 1}, "instructions", "'instructions'"),
    ],
)
def test_bad_requests_name_their_field(body: object, param: str | None, message: str) -> None:
    with pytest.raises(ApiRequestError, match=message) as caught:
        speech_request(body, {})
    assert caught.value.param == param


def test_models_and_voices_lists() -> None:
    assert [model["id"] for model in models_list()["data"]] == [
        "tts-1",
        "tts-1-hd",
        "gpt-4o-mini-tts",
        "kokoro",
    ]
    listed = voices_list(OFFLINE, voice_aliases(OFFLINE, {}))["voices"]
    ids = [voice["id"] for voice in listed]
    assert ids[: len(OPENAI_VOICES)] == list(OPENAI_VOICES)
    assert ids[len(OPENAI_VOICES)] == "jf_gongitsune" and "jm_kumo" in ids
    assert listed[0]["name"].startswith("alloy (Gongitsune")
