"""OpenAI's speech API, spoken to by OpenAI's own Python SDK, against the real server."""

import base64
import io
import json
import time
import urllib.request
import wave
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import openai
import pytest

from support.server import free_port, loudness, run_server

API_KEY = "kitchen-secret"
TEXT = "The kitchen lights are on, and the front door is locked."
LONG_TEXT = " ".join(
    f"Item {n}: the sensor in room {n} reads twenty one degrees and is working." for n in range(5)
)


@pytest.fixture(scope="module")
def http(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    http = f"http://127.0.0.1:{free_port()}"
    # The answer cache makes a text asked for twice the same audio: the decoder's windows
    # follow the machine's speed at the moment, and windows of different sizes make audio
    # up to a fifth quieter or louder (instance norms over each window), which would hide
    # what these tests compare, the formats and the framing.
    args = ["--http-uri", http, "--http-api-key", API_KEY, "--openai-voices", "echo=jf_alpha"]
    args += ["--cache-mb", "8"]
    with run_server(data_dir, tmp_path_factory.mktemp("logs"), *args):
        yield http


@pytest.fixture(scope="module")
def client(http: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{http}/v1", api_key=API_KEY, max_retries=0)


def samples_of(data: bytes, response_format: str) -> np.ndarray:
    """16-bit mono samples at 24 kHz, whatever the format."""
    if response_format == "pcm":
        return np.frombuffer(data, dtype=np.int16)
    if response_format == "wav":
        with wave.open(io.BytesIO(data)) as wav:
            assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (24000, 1, 2)
            return np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    resampler = av.AudioResampler(format="s16", layout="mono", rate=24000)
    with av.open(io.BytesIO(data), "r") as container:
        frames = [out for frame in container.decode(audio=0) for out in resampler.resample(frame)]
    return np.concatenate([frame.to_ndarray().reshape(-1) for frame in frames])


def speak(client: openai.OpenAI, **kwargs: object) -> bytes:
    request = {"model": "tts-1", "voice": "alloy", "input": TEXT, **kwargs}
    return client.audio.speech.create(**request).content  # type: ignore[arg-type]


def test_every_format_decodes_to_the_same_speech(client: openai.OpenAI) -> None:
    reference = samples_of(speak(client, response_format="pcm"), "pcm")
    assert 2.0 < len(reference) / 24000 < 6.0 and loudness(reference) > 0.02
    for response_format in ("mp3", "opus", "aac", "flac", "wav"):
        samples = samples_of(speak(client, response_format=response_format), response_format)
        # One answer's audio (the cache), so what differs is the codec's: a frame or two
        # of padding, and what a lossy codec leaves out.
        assert abs(len(samples) - len(reference)) / 24000 < 0.1, response_format
        assert loudness(samples) == pytest.approx(loudness(reference), rel=0.1), response_format


def test_mp3_is_the_default_as_with_openai(client: openai.OpenAI) -> None:
    response = client.audio.speech.with_raw_response.create(
        model="tts-1", voice="nova", input="Hi."
    )
    assert response.headers["Content-Type"] == "audio/mpeg"
    assert len(samples_of(response.content, "mp3")) > 0.3 * 24000


def test_audio_streams_before_the_whole_answer_is_made(client: openai.OpenAI) -> None:
    arrivals: list[float] = []
    data = b""
    start = time.perf_counter()
    with client.audio.speech.with_streaming_response.create(
        model="tts-1",
        voice="alloy",
        input=LONG_TEXT,  # mp3, OpenAI's default
    ) as response:
        for chunk in response.iter_bytes():
            arrivals.append(time.perf_counter() - start)
            data += chunk
    assert len(samples_of(data, "mp3")) / 24000 > 15
    # The long answer takes seconds to make; its first bytes come well before its end
    # (on a machine near real time, they are held back until the rest comes in time,
    # plan.held, which leaves it at least a fifth of its time still to make).
    assert arrivals[0] < 0.8 * arrivals[-1], arrivals


def test_openai_names_map_to_installed_voices_and_overrides_win(
    client: openai.OpenAI, http: str
) -> None:
    def pcm(voice: str) -> bytes:
        return speak(client, voice=voice, input="Good morning.", response_format="pcm")

    listed = get_json(f"{http}/v1/audio/voices")["voices"]
    by_id = {voice["id"]: voice["voice"] for voice in listed}
    assert by_id["alloy"] == by_id["nova"] == "jf_gongitsune"  # the clearest installed voice
    assert by_id["onyx"] == by_id["fable"] == "jm_kumo"  # the only man among the offline voices
    assert by_id["echo"] == "jf_alpha"  # --openai-voices echo=jf_alpha
    assert by_id["jm_kumo"] == "jm_kumo"
    # And the audio is that voice's: the same for names of one voice, not across.
    assert pcm("alloy") == pcm("nova")
    assert pcm("onyx") == pcm("fable")
    assert len({pcm("alloy"), pcm("onyx"), pcm("echo")}) == 3


def test_the_rest_of_the_request_as_openai_defines_it(client: openai.OpenAI) -> None:
    assert [model.id for model in client.models.list()] == [
        "tts-1",
        "tts-1-hd",
        "gpt-4o-mini-tts",
        "kokoro",
    ]
    normal = samples_of(speak(client, response_format="pcm"), "pcm")
    fastest = samples_of(
        speak(
            client, response_format="pcm", speed=4.0, model="gpt-4o-mini-tts", instructions="Fast."
        ),
        "pcm",
    )
    # 4.0 is clamped to Kokoro's 2.0: about half as long, not a quarter.
    assert 0.4 < len(fastest) / len(normal) < 0.65
    # A Kokoro voice reads its own language, as over Wyoming.
    kokoro_voice = speak(
        client, model="kokoro", voice="jm_kumo", input="こんにちは。", response_format="wav"
    )
    assert len(samples_of(kokoro_voice, "wav")) > 0.2 * 24000


def test_server_sent_events_carry_the_audio(client: openai.OpenAI) -> None:
    events = []
    with client.audio.speech.with_streaming_response.create(
        model="gpt-4o-mini-tts",
        voice="alloy",
        input=TEXT,
        response_format="pcm",
        stream_format="sse",
    ) as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line.removeprefix("data: ")))
    assert [event["type"] for event in events[-2:]] == ["speech.audio.delta", "speech.audio.done"]
    pcm = b"".join(
        base64.b64decode(e["audio"]) for e in events if e["type"] == "speech.audio.delta"
    )
    # The same answer (the cache keeps one audio for a text), byte for byte.
    assert pcm == speak(client, response_format="pcm")


def test_errors_arrive_as_the_sdk_exceptions(client: openai.OpenAI, http: str) -> None:
    with pytest.raises(openai.BadRequestError, match="'af_nowhere' is not installed") as bad_voice:
        speak(client, voice="af_nowhere")
    assert bad_voice.value.status_code == 400 and bad_voice.value.code == "bad-request"
    with pytest.raises(openai.BadRequestError, match="response_format") as bad_format:
        speak(client, response_format="ogg")
    assert bad_format.value.param == "response_format"
    with pytest.raises(openai.BadRequestError, match=r"outside 0\.25 to 4\.0"):
        speak(client, speed=5.0)
    stranger = openai.OpenAI(base_url=f"{http}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError, match="Incorrect API key") as wrong_key:
        stranger.models.list()
    assert wrong_key.value.code == "invalid_api_key"
    # Health checks and scrapers need no key.
    with urllib.request.urlopen(f"{http}/health", timeout=10) as response:
        assert response.status == 200


def get_json(url: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {API_KEY}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())
