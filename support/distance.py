"""How far one decoder's audio is from another's, for the same decoder inputs.

Shared by the decoder tests and `python -m bench.decoder_gate`.
"""

import numpy as np


def snr(reference: np.ndarray, audio: np.ndarray) -> float:
    """dB: the reference's energy over that of the difference."""
    n = min(len(reference), len(audio))
    noise = np.sum((reference[:n] - audio[:n]) ** 2)
    return float(10 * np.log10(np.sum(reference[:n] ** 2) / max(noise, 1e-12)))


def log_spectral_distance(reference: np.ndarray, audio: np.ndarray) -> float:
    """dB, over frames within 50 dB of the loudest: unlike SNR, blind to phase."""
    n, size, hop = min(len(reference), len(audio)), 1024, 256

    def power(x: np.ndarray) -> np.ndarray:
        frames = np.lib.stride_tricks.sliding_window_view(x[:n], size)[::hop] * np.hanning(size)
        return np.abs(np.fft.rfft(frames, axis=1)) ** 2 + 1e-8

    ref, got = power(reference), power(audio)
    energy = 10 * np.log10(ref.sum(axis=1))
    loud = energy > energy.max() - 50
    diff = 10 * np.log10(ref[loud]) - 10 * np.log10(got[loud])
    return float(np.mean(np.sqrt(np.mean(diff**2, axis=1))))
