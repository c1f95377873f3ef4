"""Wyoming protocol server for the Kokoro-82M text-to-speech model."""

__version__ = "0.1.0"
