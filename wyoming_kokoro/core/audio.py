"""The audio on the wire: 16-bit mono PCM at the model's rate, and its WAV header.

Imports nothing heavy: the health check reads it.
"""

SAMPLE_RATE = 24000
SAMPLE_WIDTH = 2
CHANNELS = 1
BYTES_PER_SECOND = SAMPLE_RATE * SAMPLE_WIDTH * CHANNELS

SILENCE_LEVEL = 0.01
"""Below this level a sample counts as silence (1 % of full scale)."""


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
