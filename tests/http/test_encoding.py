import io
import wave

import av
import numpy as np
import pytest

from wyoming_kokoro.core.audio import SAMPLE_RATE
from wyoming_kokoro.http.encoding import FORMATS, Encoder


def tone(seconds: float) -> bytes:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (np.sin(2 * np.pi * 220 * t) * 8000).astype("<i2").tobytes()


def encode(name: str, pcm: bytes, chunk: int = 24_000) -> list[bytes]:
    encoder = Encoder(FORMATS[name])
    return [encoder.encode(pcm[i : i + chunk]) for i in range(0, len(pcm), chunk)] + [
        encoder.finish()
    ]


def decoded_seconds(data: bytes) -> float:
    with av.open(io.BytesIO(data), "r") as container:
        frames = list(container.decode(audio=0))
    return sum(frame.samples for frame in frames) / frames[0].sample_rate


@pytest.mark.parametrize("name", ["mp3", "opus", "aac", "flac"])
def test_compressed_formats_decode_to_the_same_length(name: str) -> None:
    parts = encode(name, tone(3.0))
    # Lossy codecs pad by up to a frame (mp3 and AAC state no length when streamed).
    assert decoded_seconds(b"".join(parts)) == pytest.approx(3.0, abs=0.08)
    # Bytes come out while audio goes in, not only at the end.
    assert sum(len(part) for part in parts[:3]) > 0.2 * sum(len(part) for part in parts)


def test_opus_frames_are_paged_for_streaming() -> None:
    parts = encode("opus", tone(2.0), chunk=4_800)  # 0.1 s a call
    assert all(parts[1:-1])


def test_wav_streams_with_an_open_length_and_pcm_is_raw() -> None:
    pcm = tone(1.0)
    data = b"".join(encode("wav", pcm))
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (SAMPLE_RATE, 1, 2)
        assert wav.readframes(SAMPLE_RATE) == pcm
    assert b"".join(encode("pcm", pcm)) == pcm


def test_an_answer_with_no_audio_is_still_a_valid_file() -> None:
    with wave.open(io.BytesIO(Encoder(FORMATS["wav"]).finish())) as wav:
        assert wav.getframerate() == SAMPLE_RATE
    assert Encoder(FORMATS["flac"]).finish().startswith(b"fLaC")
