"""Median pitch of synthesized speech, shared by the engine tests (two hosts must differ)."""

from __future__ import annotations

import numpy as np


def median_pitch(audio, fmin: float = 60, fmax: float = 400) -> float:
    """Autocorrelation pitch over loud 40 ms frames with a clear period."""
    x = audio.samples.astype(np.float64)
    sr = audio.sample_rate
    n, lo, hi = int(0.04 * sr), int(sr / fmax), int(sr / fmin)
    loud = 0.5 * np.sqrt(np.mean(x**2))
    pitches = []
    for i in range(0, len(x) - n, n // 2):
        frame = x[i:i + n] - x[i:i + n].mean()
        if np.sqrt(np.mean(frame**2)) < loud:
            continue
        ac = np.correlate(frame, frame, "full")[n - 1:]
        ac = ac / ac[0]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.5:
            pitches.append(sr / lag)
    assert len(pitches) >= 10, "too few voiced frames to estimate a pitch"
    return float(np.median(pitches))
