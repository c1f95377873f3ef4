"""Audio file formats for the HTTP API: 16-bit PCM in, a format's bytes out, as made.

mp3, Ogg Opus, AAC (ADTS) and FLAC are encoded by FFmpeg through PyAV, which has
wheels with these encoders for Linux x86_64 and aarch64 and for macOS arm64, and
muxes into a plain writable sink, so each chunk goes out as soon as it is encoded.
WAV and raw PCM need no encoder.
"""

from dataclasses import dataclass, field

import av
import numpy as np
from av.audio.stream import AudioStream
from av.container import OutputContainer

from ..core.audio import SAMPLE_RATE, wav_header


@dataclass(frozen=True)
class AudioFormat:
    name: str
    content_type: str
    container: str = ""
    """FFmpeg's muxer; empty for the formats written here (wav, pcm)."""

    codec: str = ""
    bit_rate: int = 0
    """Bits per second for the lossy codecs; 0: the codec's own choice."""

    muxer_options: dict[str, str] = field(default_factory=dict)


FORMATS = {
    audio.name: audio
    for audio in (
        AudioFormat("mp3", "audio/mpeg", "mp3", "libmp3lame", 64_000),
        # Ogg holds a second of audio per page unless told otherwise: a long wait
        # for the first bytes.
        AudioFormat("opus", "audio/ogg", "ogg", "libopus", 32_000, {"page_duration": "100000"}),
        AudioFormat("aac", "audio/aac", "adts", "aac", 64_000),
        AudioFormat("flac", "audio/flac", "flac", "flac"),
        AudioFormat("wav", "audio/wav"),
        AudioFormat("pcm", "audio/pcm"),
    )
}


class Encoder:
    """One answer in one format: feed PCM with `encode`, end with `finish`.

    Each call returns the bytes that are ready, possibly none: lossy codecs hold
    back a frame or so until the next call or the end.
    """

    def __init__(self, audio: AudioFormat) -> None:
        self._header = wav_header() if audio.name == "wav" else b""
        self._sink = _Sink()
        self._muxer: tuple[OutputContainer, AudioStream] | None = None
        if audio.container:
            container = av.open(
                self._sink, "w", format=audio.container, container_options=audio.muxer_options
            )
            stream = container.add_stream(audio.codec, rate=SAMPLE_RATE, layout="mono")
            assert isinstance(stream, AudioStream)
            if audio.bit_rate:
                stream.bit_rate = audio.bit_rate
            self._muxer = container, stream

    @property
    def compresses(self) -> bool:
        """Whether a codec runs: milliseconds a window, where WAV and PCM take none."""
        return self._muxer is not None

    def encode(self, pcm: bytes) -> bytes:
        header, self._header = self._header, b""
        if self._muxer is None:
            return header + pcm
        samples = np.frombuffer(pcm, dtype="<i2").reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        self._mux(frame)
        return self._sink.take()

    def finish(self) -> bytes:
        """The rest: what the encoder held back and the container's end."""
        header, self._header = self._header, b""
        if self._muxer is None:
            return header
        self._mux(None)
        self._muxer[0].close()
        return self._sink.take()

    def _mux(self, frame: av.AudioFrame | None) -> None:
        assert self._muxer is not None
        container, stream = self._muxer
        for packet in stream.encode(frame):
            container.mux(packet)


class _Sink:
    """Where the muxer writes; not seekable, so it never goes back to patch a header."""

    def __init__(self) -> None:
        self._data = bytearray()

    def write(self, data: bytes) -> int:
        self._data += data
        return len(data)

    def take(self) -> bytes:
        data = bytes(self._data)
        self._data.clear()
        return data
