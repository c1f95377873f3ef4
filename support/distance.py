"""How far one decoder's audio is from another's, for the same decoder inputs.

Shared by the decoder tests, `python -m bench.decoder_gate` and support/heard_alike.py.
"""

import numpy as np

_SIZE, _HOP = 1024, 256
_LOUD = 50.0
"""dB below the loudest frame that still counts: quieter ones are the pauses."""


def snr(reference: np.ndarray, audio: np.ndarray) -> float:
    """dB: the reference's energy over that of the difference."""
    n = min(len(reference), len(audio))
    noise = np.sum((reference[:n] - audio[:n]) ** 2)
    return float(10 * np.log10(np.sum(reference[:n] ** 2) / max(noise, 1e-12)))


def log_spectral_distance(reference: np.ndarray, audio: np.ndarray) -> float:
    """dB, over frames within 50 dB of the loudest: unlike SNR, blind to phase."""
    n = min(len(reference), len(audio))
    ref, got = _spectra(reference[:n]), _spectra(audio[:n])
    loud = _loud(ref)
    return float(np.mean(np.sqrt(np.mean((ref[loud] - got[loud]) ** 2, axis=1))))


def aligned_spectral_distance(reference: np.ndarray, audio: np.ndarray) -> float:
    """dB: `log_spectral_distance` after aligning the two in time (dynamic time
    warping of their spectra), for audio whose sounds last a frame more or less:
    another CPU's kernels round the model's predicted durations otherwise."""
    ref, got = _spectra(reference), _spectra(audio)
    bins = ref.shape[1]
    squared = np.sum(ref**2, axis=1)[:, None] + np.sum(got**2, axis=1)[None, :] - 2 * ref @ got.T
    cost = np.sqrt(np.maximum(squared, 0.0) / bins)
    n, m = cost.shape
    total = np.full((n + 1, m + 1), np.inf)
    total[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            total[i, j] = cost[i - 1, j - 1] + min(
                total[i - 1, j], total[i, j - 1], total[i - 1, j - 1]
            )
    path, i, j = [], n, m
    while i > 0 and j > 0:
        path.append((i - 1, j - 1))
        step = int(np.argmin([total[i - 1, j - 1], total[i - 1, j], total[i, j - 1]]))
        i, j = (i - 1, j - 1) if step == 0 else (i - 1, j) if step == 1 else (i, j - 1)
    loud = _loud(ref)
    return float(np.mean([cost[a, b] for a, b in path if loud[a]]))


def _spectra(audio: np.ndarray) -> np.ndarray:
    """Power spectra in dB, a frame every 256 samples."""
    frames = np.lib.stride_tricks.sliding_window_view(audio, _SIZE)[::_HOP] * np.hanning(_SIZE)
    return np.asarray(10 * np.log10(np.abs(np.fft.rfft(frames, axis=1)) ** 2 + 1e-8))


def _loud(spectra: np.ndarray) -> np.ndarray:
    energy = 10 * np.log10(np.sum(10 ** (spectra / 10), axis=1))
    return np.asarray(energy > energy.max() - _LOUD)
