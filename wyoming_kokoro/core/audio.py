"""The model's float audio as the 16-bit PCM that goes on the wire."""

import numpy as np

SAMPLE_RATE = 24000
SAMPLE_WIDTH = 2
CHANNELS = 1
BYTES_PER_SECOND = SAMPLE_RATE * SAMPLE_WIDTH * CHANNELS

# Below this level a sample counts as silence when trimming a piece's edges.
SILENCE_LEVEL = 0.01
# Kept around the voiced part of a piece, faded to zero, so that cut edges never click.
EDGE_SECONDS = 0.02


def to_pcm(audio: np.ndarray) -> bytes:
    """float32 in [-1, 1] to little-endian 16-bit PCM, clipping what is outside."""
    return (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def trim(audio: np.ndarray, start: bool = True, end: bool = True) -> np.ndarray:
    """Audio with its silent start and/or end cut away, a little kept and faded.

    Kokoro pads each run with silence of varying length; trimming it and adding
    a pause by punctuation (`silence`) keeps the rhythm the same wherever a text
    was cut. Audio that is all silence trims to nothing.
    """
    if not (start or end):
        return audio  # a pause inside a piece is part of its rhythm
    voiced = np.flatnonzero(np.abs(audio) > SILENCE_LEVEL)
    if len(voiced) == 0 and start:
        return np.zeros(0, dtype=np.float32)
    # All silence with only its end cut follows speech sent before it: the little
    # kept after that speech is here, to fade out.
    last_voiced = voiced[-1] if len(voiced) else -1
    edge = int(EDGE_SECONDS * SAMPLE_RATE)
    first = max(0, voiced[0] - edge) if start else 0
    last = min(len(audio), last_voiced + 1 + edge) if end else len(audio)
    piece = audio[first:last].astype(np.float32, copy=True)
    fade = min(edge, len(piece) // 2)
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
    if start:
        piece[:fade] *= ramp
    if end:
        piece[len(piece) - fade :] *= ramp[::-1]
    return piece


class PieceEdges:
    """A piece's silent edges cut window by window exactly as `trim` cuts the whole
    piece, wherever the decoder's windows fall (which follows the machine's speed).

    Silence at the end of a window is held back until the next window shows whether
    speech follows it (the piece's start, or a pause: sent with that speech) or not
    (the piece's end: cut).
    """

    def __init__(self) -> None:
        self.started = False
        """Whether any of the piece was sent: its leading silence is behind."""
        self._held = np.zeros(0, dtype=np.float32)

    def cut(self, window: np.ndarray, last: bool) -> np.ndarray:
        """What of `window`, and of the silence held before it, to send now."""
        audio = np.concatenate([self._held, window])
        if last:
            self._held = audio[:0]
            sent = trim(audio, start=not self.started, end=True)
            self.started = self.started or len(sent) > 0
            return sent
        voiced = np.flatnonzero(np.abs(audio) > SILENCE_LEVEL)
        if len(voiced) == 0:
            # Before the speech only the little that `trim` keeps can be sent.
            self._held = audio if self.started else audio[-int(EDGE_SECONDS * SAMPLE_RATE) :]
            return audio[:0]
        sent = trim(audio[: voiced[-1] + 1], start=not self.started, end=False)
        self._held = audio[voiced[-1] + 1 :]
        self.started = True
        return sent


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def wav_header(data_bytes: int | None = None) -> bytes:
    """The header of a WAV file of 16-bit mono PCM at the model's rate.

    With no length (audio still being made), the sizes are the largest a WAV
    can state, which players and decoders read as "until the end of the stream".
    """
    size = 0xFFFFFFFF - 36 if data_bytes is None else data_bytes
    block = SAMPLE_WIDTH * CHANNELS
    return b"".join(
        [
            b"RIFF",
            (36 + size).to_bytes(4, "little"),
            b"WAVEfmt ",
            (16).to_bytes(4, "little"),
            (1).to_bytes(2, "little"),  # PCM
            CHANNELS.to_bytes(2, "little"),
            SAMPLE_RATE.to_bytes(4, "little"),
            BYTES_PER_SECOND.to_bytes(4, "little"),
            block.to_bytes(2, "little"),
            (8 * SAMPLE_WIDTH).to_bytes(2, "little"),
            b"data",
            size.to_bytes(4, "little"),
        ]
    )


def wav_bytes(pcm: bytes) -> bytes:
    """16-bit mono PCM at the model's rate as a WAV file."""
    return wav_header(len(pcm)) + pcm
