"""Intro and outro jingles, synthesised here (no third-party audio), fully deterministic.

A few soft mallet-like notes (harmonic partials plus a faint inharmonic
"bar" partial, exponential decay) climbing a C-major arpeggio, ending on a
small chord over a low root; the outro walks down and resolves lower.
"""

from __future__ import annotations

import numpy as np

A4 = 440.0


def _hz(midi: int) -> float:
    return A4 * 2.0 ** ((midi - 69) / 12.0)


def _note(freq: float, dur: float, sr: int, *, decay: float = 3.0, bright: float = 1.0) -> np.ndarray:
    """One mallet-ish note: harmonics 1..5 (1/n^2), slight detune, a 2.76x partial, AD envelope."""
    n = int(round(dur * sr))
    t = np.arange(n) / sr
    out = np.zeros(n)
    nyquist = sr / 2
    for k, amp in ((1, 1.0), (2, 0.25 * bright), (3, 0.11 * bright), (4, 0.06 * bright), (5, 0.04 * bright)):
        if k * freq < nyquist * 0.9:
            out += amp * np.sin(2 * np.pi * k * freq * t)
            out += 0.3 * amp * np.sin(2 * np.pi * k * freq * 1.003 * t + 0.7 * k)   # chorus-like warmth
    if 2.76 * freq < nyquist * 0.9:
        out += 0.18 * bright * np.sin(2 * np.pi * 2.76 * freq * t) * np.exp(-t * decay * 4)
    attack = min(n, int(0.006 * sr))
    env = np.exp(-t * decay)
    env[:attack] *= np.linspace(0.0, 1.0, attack, endpoint=False)
    release = min(n, int(0.030 * sr))
    env[n - release:] *= np.linspace(1.0, 0.0, release)
    return out * env


# (onset s, midi note, duration s, gain, decay)
_INTRO = [
    (0.00, 67, 0.9, 0.55, 3.5),   # G4
    (0.18, 72, 0.9, 0.55, 3.5),   # C5
    (0.36, 76, 0.9, 0.55, 3.5),   # E5
    (0.54, 79, 0.9, 0.60, 3.0),   # G5
    (0.90, 48, 1.7, 0.45, 1.6),   # final chord: C3 root
    (0.90, 72, 1.7, 0.40, 1.8),   # C5
    (0.90, 76, 1.7, 0.35, 1.8),   # E5
    (0.90, 79, 1.7, 0.35, 1.8),   # G5
    (0.93, 84, 1.6, 0.22, 2.2),   # C6, a touch late: a soft strum
]
_OUTRO = [
    (0.00, 79, 0.9, 0.55, 3.5),   # G5
    (0.20, 76, 0.9, 0.55, 3.5),   # E5
    (0.40, 74, 0.9, 0.50, 3.5),   # D5
    (0.60, 72, 1.0, 0.55, 3.0),   # C5
    (1.00, 43, 1.9, 0.40, 1.4),   # G2 then ...
    (1.00, 67, 1.9, 0.35, 1.6),   # ... a low C chord with the fifth under it
    (1.00, 72, 1.9, 0.35, 1.6),
    (1.00, 76, 1.9, 0.30, 1.6),
    (1.04, 48, 1.85, 0.40, 1.4),  # C3
]


def make_jingle(kind: str = "intro", sample_rate: int = 24000) -> np.ndarray:
    """A 2.6-3 s mono jingle (float32, peak 0.5). `kind` is "intro" or "outro"."""
    if kind not in ("intro", "outro"):
        raise ValueError(f"unknown jingle kind {kind!r}: use 'intro' or 'outro'")
    score = _INTRO if kind == "intro" else _OUTRO
    total = max(onset + dur for onset, _, dur, _, _ in score) + 0.05
    out = np.zeros(int(round(total * sample_rate)))
    for onset, midi, dur, gain, decay in score:
        note = gain * _note(_hz(midi), dur, sample_rate, decay=decay, bright=0.6 if midi < 60 else 1.0)
        start = int(round(onset * sample_rate))
        out[start:start + note.shape[0]] += note
    fade = int(0.15 * sample_rate)
    out[-fade:] *= np.linspace(1.0, 0.0, fade) ** 2
    peak = np.abs(out).max()
    return (out * (0.5 / peak)).astype(np.float32)
