"""The voice track laid out with pydub: clips end to end, pauses between them, one side per host.

pydub does the assembly (segments, silences, per-channel gains, concatenation);
numpy takes over for what pydub cannot do precisely (the ducked music bed and
mastering to a loudness target, in mix.py). Samples travel as 32-bit integers
with 12 dB of headroom, so a loud clip is never clipped on the way and the
round trip is exact to far below audibility.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pydub import AudioSegment

HEADROOM = 0.25                 # -12 dB while in pydub; undone in to_array
_SCALE = 2**31 - 1


@dataclass
class Item:
    """One thing on the track: `pause_before` seconds of silence, then `samples` (mono float32)."""

    samples: np.ndarray
    pause_before: float = 0.0
    gains: tuple[float, float] = (1.0, 1.0)    # linear (left, right); the centre is (1, 1)


def to_segment(samples: np.ndarray, sample_rate: int) -> AudioSegment:
    pcm = np.clip(np.asarray(samples, dtype=np.float64) * HEADROOM, -1.0, 1.0)
    data = np.round(pcm * _SCALE).astype("<i4").tobytes()
    return AudioSegment(data=data, sample_width=4, frame_rate=int(sample_rate), channels=1)


def to_array(segment: AudioSegment) -> np.ndarray:
    """float32, shape (n,) for mono or (n, 2) for stereo, headroom removed."""
    x = np.frombuffer(segment.raw_data, dtype="<i4").astype(np.float64) / _SCALE / HEADROOM
    if segment.channels == 2:
        x = x.reshape(-1, 2)
    return x.astype(np.float32)


def _db(gain: float) -> float:
    return 20.0 * np.log10(max(gain, 1e-9))


def assemble(items: Sequence[Item], sample_rate: int, *, stereo: bool,
             tail_s: float = 0.0) -> tuple[AudioSegment, list[tuple[int, int]]]:
    """The track, and where each item lies in it (start, end) in samples."""
    sr = int(sample_rate)
    track = AudioSegment.empty().set_frame_rate(sr).set_sample_width(4).set_channels(2 if stereo else 1)
    spans: list[tuple[int, int]] = []
    pos = 0
    for item in items:
        pause = int(round(item.pause_before * sr))
        clip = to_segment(np.concatenate([np.zeros(pause, dtype=np.float32),
                                          np.asarray(item.samples, dtype=np.float32)]), sr)
        if stereo:
            left, right = item.gains
            clip = AudioSegment.from_mono_audiosegments(clip, clip).apply_gain_stereo(_db(left), _db(right))
        track += clip
        start = pos + pause
        pos = start + len(item.samples)
        spans.append((start, pos))
    if tail_s > 0:
        tail = to_segment(np.zeros(int(round(tail_s * sr)), dtype=np.float32), sr)
        track += AudioSegment.from_mono_audiosegments(tail, tail) if stereo else tail
    return track, spans
