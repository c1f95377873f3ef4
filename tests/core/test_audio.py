import io
import wave

import numpy as np

from wyoming_kokoro.core.audio import SAMPLE_RATE, wav_bytes
from wyoming_kokoro.speech.decoding.output import to_pcm


def tone(seconds: float, level: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_wav_header() -> None:
    with wave.open(io.BytesIO(wav_bytes(to_pcm(tone(0.1))))) as wav:
        assert (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()) == (SAMPLE_RATE, 2, 1)
        assert wav.getnframes() == int(0.1 * SAMPLE_RATE)
