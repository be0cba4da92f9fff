"""Loudness (ITU-R BS.1770 / EBU R128) measurement, per-clip normalisation and mastering.

Samples are float arrays in [-1, 1], shape (n,) for mono or (n, channels).
In-memory measurements use pyloudnorm; `measure_file` asks ffmpeg's ebur128
filter, which is how the encoded file (MP3 shifts loudness and peaks a little)
is checked.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm

try:  # scipy comes with pyloudnorm; the numpy paths below are only a fallback.
    from scipy.signal import resample_poly as _resample_poly
except ImportError:  # pragma: no cover
    _resample_poly = None

BLOCK_S = 0.400          # BS.1770 gating block
OVERSAMPLE = 4           # true-peak oversampling factor
MAX_CLIP_GAIN_DB = 30.0  # never lift a near-silent clip by more than this
_CHUNK = 1 << 18         # samples per chunk for oversampling (bounded memory)
_PAD = 64                # context samples either side of a chunk (filter half-length is ~40)


def _as_2d(samples: np.ndarray) -> np.ndarray:
    x = np.asarray(samples)
    return x[:, None] if x.ndim == 1 else x


def integrated_lufs(samples: np.ndarray, sr: int) -> float:
    """Integrated loudness in LUFS (-inf for silence).

    Signals shorter than one 400 ms gating block are looped (tiled) up to
    0.5 s for the measurement: looping keeps the mean-square level, where
    zero-padding would read the clip quieter than it is.
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.shape[0] == 0:
        return -math.inf
    need = int(math.ceil(max(BLOCK_S, 0.5) * sr)) + 1
    if x.shape[0] < need:
        reps = int(math.ceil(need / x.shape[0]))
        x = np.tile(x, (reps,) + (1,) * (x.ndim - 1))[:need]
    return float(pyloudnorm.Meter(sr).integrated_loudness(x))


def gain_db_to_linear(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def normalize_clip(samples: np.ndarray, sr: int, target: float = -20.0) -> np.ndarray:
    """Return the clip scaled to `target` LUFS (float32). Silent clips come back unchanged."""
    x = np.asarray(samples, dtype=np.float32)
    lufs = integrated_lufs(x, sr)
    if not math.isfinite(lufs):
        return x.copy()
    gain_db = min(target - lufs, MAX_CLIP_GAIN_DB)
    return (x * gain_db_to_linear(gain_db)).astype(np.float32)


def _upsample(x: np.ndarray, factor: int) -> np.ndarray:
    """Band-limited upsampling along axis 0 (scipy polyphase, else FFT zero-padding)."""
    if _resample_poly is not None:
        return _resample_poly(x, factor, 1, axis=0)
    n = x.shape[0]
    spec = np.fft.rfft(x, axis=0)
    return np.fft.irfft(spec, n * factor, axis=0) * factor


def peak_envelope(samples: np.ndarray, sr: int | None = None) -> np.ndarray:
    """Per-sample true-peak envelope: max |x| over the 4 oversampled phases and all channels."""
    x = _as_2d(np.asarray(samples, dtype=np.float64))
    n = x.shape[0]
    out = np.empty(n, dtype=np.float64)
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        lo, hi = max(0, start - _PAD), min(n, stop + _PAD)
        up = np.abs(_upsample(x[lo:hi], OVERSAMPLE))
        up = up[(start - lo) * OVERSAMPLE:(stop - lo) * OVERSAMPLE]
        env = up.reshape(stop - start, OVERSAMPLE, -1).max(axis=(1, 2))
        out[start:stop] = np.maximum(env, np.abs(x[start:stop]).max(axis=1))
    return out


def true_peak_dbtp(samples: np.ndarray, sr: int | None = None) -> float:
    """True peak in dBTP, estimated with 4x oversampling (-inf for silence)."""
    x = np.asarray(samples)
    if x.size == 0:
        return -math.inf
    peak = float(peak_envelope(x, sr).max())
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


def _limit_gain(env: np.ndarray, sr: int, ceiling: float, window_s: float = 0.040) -> np.ndarray:
    """Smooth per-sample gain (<= 1) such that gain * env <= ceiling everywhere.

    Works on 1 ms blocks: required gain per block, a minimum filter wide enough
    to cover the smoothing (look-ahead attack and equal release), a box average
    (linear ramps of `window_s`), then linear interpolation back to samples.
    Every block's smoothed gain is <= the requirement of its neighbours, so the
    interpolated gain never lets a peak through.
    """
    n = env.shape[0]
    blk = max(1, sr // 1000)
    nb = int(math.ceil(n / blk))
    padded = np.zeros(nb * blk)
    padded[:n] = env
    bpeak = padded.reshape(nb, blk).max(axis=1)
    req = np.minimum(1.0, ceiling / np.maximum(bpeak, 1e-12))
    if req.min() >= 1.0:
        return np.ones(n)
    half = max(1, int(round(window_s * 1000 / 2)))        # box half-width in blocks
    reach = 2 * half + 1                                  # min-filter half-width (box + 1 neighbour)
    ext = np.concatenate([np.ones(reach), req, np.ones(reach)])
    win = np.lib.stride_tricks.sliding_window_view(ext, 2 * reach + 1).min(axis=1)   # len nb
    k = 2 * half + 1
    cs = np.concatenate([[0.0], np.cumsum(np.concatenate([np.ones(half), win, np.ones(half)]))])
    smooth = (cs[k:] - cs[:-k]) / k                       # len nb
    smooth = np.minimum(smooth, win)
    centres = np.arange(nb) * blk + (blk - 1) / 2.0
    return np.interp(np.arange(n), centres, smooth)


def master(samples: np.ndarray, sr: int, target_lufs: float, peak_dbtp: float = -1.0) -> np.ndarray:
    """Gain to `target_lufs`, then a look-ahead peak limiter so the true peak is <= `peak_dbtp`.

    The limiter takes a little loudness off the peaks, so the gain is refined
    and the limiter re-run (up to 4 passes) until the result reads within
    0.05 LU of the target. Returns float32 of the same shape.
    """
    x = np.asarray(samples, dtype=np.float64)
    lufs = integrated_lufs(x, sr)
    if not math.isfinite(lufs):
        return x.astype(np.float32)
    ceiling = gain_db_to_linear(peak_dbtp)
    gain_db = target_lufs - lufs
    env = peak_envelope(x, sr)
    y = x
    for _ in range(4):
        g = gain_db_to_linear(gain_db)
        lim = _limit_gain(env * g, sr, ceiling)
        y = x * (g * lim)[:, None] if x.ndim == 2 else x * g * lim
        out_lufs = integrated_lufs(y, sr)
        if abs(out_lufs - target_lufs) <= 0.05:
            break
        gain_db += target_lufs - out_lufs
    # Safety: interpolation between oversampled phases can leave a hair over the ceiling.
    tp = peak_envelope(y, sr).max()
    if tp > ceiling:
        y = y * (ceiling / tp)
    return np.clip(y, -1.0, 1.0).astype(np.float32)


_SUMMARY_I = re.compile(r"^\s*I:\s*(-?[\d.]+|-inf)\s*LUFS", re.M)
_SUMMARY_PEAK = re.compile(r"^\s*Peak:\s*(-?[\d.]+|-inf)\s*dBFS", re.M)


def measure_file(path: str | Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of an audio file, measured by ffmpeg's ebur128 filter."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise RuntimeError("ffmpeg is not installed: it is needed to measure an encoded file")
    proc = subprocess.run(
        [ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-i", str(path),
         "-filter_complex", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg could not measure {path}: {proc.stderr.strip()[-300:]}")
    summary = proc.stderr.rsplit("Summary:", 1)[-1]
    m_i, m_p = _SUMMARY_I.search(summary), _SUMMARY_PEAK.search(summary)
    if not (m_i and m_p):
        raise RuntimeError(f"could not read the ebur128 summary for {path}")
    return float(m_i.group(1)), float(m_p.group(1))
