"""Assemble spoken clips into one mastered episode: pauses, jingles, music bed, stereo, chapters.

The voice track is laid out with pydub (timeline.py); the bed and the mastering work on
numpy arrays, where gains can follow the speech sample by sample.

Each clip is resampled to the episode rate if needed and loudness-normalised
(-20 LUFS) before it is placed, so both voices sit at the same level; the
whole episode is then mastered to -16 LUFS (stereo) or -19 LUFS (mono) with
the true peak at or under -1 dBTP.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .jingle import make_jingle
from .loudness import master, normalize_clip
from .timeline import Item, assemble, to_array

try:
    from scipy.signal import resample_poly as _resample_poly
except ImportError:  # pragma: no cover
    _resample_poly = None

CLIP_LUFS = -20.0          # every clip before mixing
JINGLE_LUFS = -22.0        # jingles sit a little under the voices
BED_LUFS = -20.0           # music bed reference level, before ducking
BED_DUCK_DB = -18.0        # bed under speech, relative to BED_LUFS
BED_GAP_DB = -8.0          # bed in longer gaps
BED_RAMP_S = 0.150         # duck/unduck ramp
BED_MIN_GAP_S = 0.6        # shorter gaps stay ducked (no pumping between turns)
BED_FADE_S = 1.0           # bed fade in/out at the episode edges
TARGET_LUFS_STEREO = -16.0
TARGET_LUFS_MONO = -19.0
PEAK_DBTP = -1.0
CODEC_MARGIN_DB = 0.5      # master a bit under the ceiling: lossy encoders overshoot peaks

PAUSE_TURN = 0.45          # between two turns
PAUSE_QUESTION = 0.25      # after a question: the answer comes quickly
PAUSE_REACTION = 0.20      # around a short reaction / backchannel
PAUSE_SEGMENT = 0.90       # between segments
PAUSE_AFTER_INTRO = 0.35
PAUSE_BEFORE_OUTRO = 0.70

REACTION_INTENTS = {"reaction", "backchannel", "relance"}
QUESTION_INTENTS = {"question"}

# Host A (first speaker met) slightly left, host B slightly right; the pan law
# keeps L+R within 0.1 dB of centre so a mono fold-down loses nothing.
PAN = 0.2


@dataclass
class Clip:
    samples: np.ndarray        # float32 mono in [-1, 1]
    sample_rate: int
    speaker: str
    segment: int
    text: str = ""
    intent: str = ""

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass
class Chapter:
    start_s: float
    end_s: float
    segment: int
    title: str | None = None


@dataclass
class Episode:
    samples: np.ndarray                      # float32, (n,) mono or (n, 2) stereo
    sample_rate: int
    chapters: list[Chapter] = field(default_factory=list)
    timings: list[tuple[float, float]] = field(default_factory=list)   # per input clip, seconds
    bed_gain: np.ndarray | None = None       # music bed gain envelope (linear, per sample), if any
    target_lufs: float | None = None         # what it was mastered to (export re-checks after encoding)
    peak_dbtp: float = PEAK_DBTP             # true-peak ceiling promised for the exported file

    @property
    def duration_s(self) -> float:
        return self.samples.shape[0] / self.sample_rate

    @property
    def channels(self) -> int:
        return 1 if self.samples.ndim == 1 else self.samples.shape[1]


def resample(samples: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    """Resample mono audio; the duration is kept (length round(n * sr_out / sr_in))."""
    x = np.asarray(samples, dtype=np.float32)
    if sr_in == sr_out or x.shape[0] == 0:
        return x
    n_out = int(round(x.shape[0] * sr_out / sr_in))
    if _resample_poly is not None:
        g = math.gcd(int(sr_in), int(sr_out))
        y = _resample_poly(x.astype(np.float64), sr_out // g, sr_in // g)
    else:  # linear interpolation fallback
        y = np.interp(np.arange(n_out) * (sr_in / sr_out), np.arange(x.shape[0]), x)
    if y.shape[0] < n_out:
        y = np.pad(y, (0, n_out - y.shape[0]))
    return y[:n_out].astype(np.float32)


def _mono(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x.mean(axis=1) if x.ndim == 2 else x


def _is_question(clip: Clip) -> bool:
    return clip.intent in QUESTION_INTENTS or clip.text.rstrip().endswith("?")


def pause_between(prev: Clip, nxt: Clip) -> float:
    """Silence (seconds) between two consecutive clips."""
    if nxt.segment != prev.segment:
        return PAUSE_SEGMENT
    if prev.intent in REACTION_INTENTS or nxt.intent in REACTION_INTENTS:
        return PAUSE_REACTION
    if _is_question(prev):
        return PAUSE_QUESTION
    return PAUSE_TURN


def _pan_gains(position: float) -> tuple[float, float]:
    """Constant-power pan, scaled so the centre is (1, 1). position in [-1 (left), 1 (right)]."""
    angle = (position + 1.0) * math.pi / 4.0
    return math.cos(angle) * math.sqrt(2.0), math.sin(angle) * math.sqrt(2.0)


def _bed_gain(foreground: np.ndarray, sr: int) -> np.ndarray:
    """Linear gain envelope for the bed: BED_DUCK_DB under foreground, BED_GAP_DB in longer gaps.

    Gaps shorter than BED_MIN_GAP_S are filled (stay ducked); the ducked zones
    are widened by half a ramp each side and the dB curve is box-smoothed over
    one ramp, so the bed is fully down when a voice starts and only comes up
    once it has stopped.
    """
    n = foreground.shape[0]
    edges = np.flatnonzero(np.diff(np.concatenate([[0], foreground.astype(np.int8), [0]])))
    runs = [[int(a), int(b)] for a, b in zip(edges[0::2], edges[1::2])]
    merged: list[list[int]] = []
    min_gap = int(BED_MIN_GAP_S * sr)
    for run in runs:                        # fill short gaps between foreground runs
        if merged and run[0] - merged[-1][1] < min_gap:
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    ramp = max(1, int(BED_RAMP_S * sr))
    half = ramp // 2
    fg = np.zeros(n, dtype=bool)
    for a, b in merged:                     # widened by half a ramp each side
        fg[max(0, a - half):min(n, b + half)] = True
    db = np.where(fg, BED_DUCK_DB, BED_GAP_DB).astype(np.float64)
    padded = np.pad(db, (half, ramp - half - 1), mode="edge")
    cs = np.concatenate([[0.0], np.cumsum(padded)])
    db = (cs[ramp:] - cs[:-ramp]) / ramp
    gain = 10.0 ** (db / 20.0)
    fade = min(n // 2, int(BED_FADE_S * sr))
    if fade > 0:
        curve = np.sin(np.linspace(0.0, math.pi / 2, fade)) ** 2
        gain[:fade] *= curve
        gain[n - fade:] *= curve[::-1]
    return gain


def _music_bed(music: np.ndarray, sr: int, n: int, channels: int) -> np.ndarray:
    """The bed looped to n samples, normalised to BED_LUFS, shape (n,) or (n, 2)."""
    m = np.asarray(music, dtype=np.float32)
    if m.ndim == 2 and channels == 1:
        m = m.mean(axis=1)
    m = normalize_clip(m, sr, BED_LUFS)
    reps = int(math.ceil(n / m.shape[0]))
    m = np.tile(m, (reps,) + (1,) * (m.ndim - 1))[:n]
    if channels == 2 and m.ndim == 1:
        m = np.stack([m, m], axis=1)
    return m


def mix_episode(clips: Sequence[Clip], *, sample_rate: int = 24000, stereo: bool = True,
                music: np.ndarray | None = None, jingles: bool = True,
                chapter_titles: Mapping[int, str] | Sequence[str] | None = None,
                target_lufs: float | None = None) -> Episode:
    """Mix the clips (in order) into a mastered Episode.

    Layout: [intro jingle] pause, clip, pause, clip, ... pause [outro jingle];
    `timings[i]` is where clip i lies in the result. Chapters: one per segment
    (in order of first appearance), from its first clip to the next segment's
    first clip; the first starts at 0, the last ends at the end.
    `chapter_titles` maps segment index -> title (or is a list by chapter order).
    The music bed, if given, is mono or (n, 2) at `sample_rate` and is looped.
    """
    if not clips:
        raise ValueError("no clips to mix")
    sr = int(sample_rate)
    voiced = [normalize_clip(resample(_mono(c.samples), c.sample_rate, sr), sr, CLIP_LUFS) for c in clips]

    intro = normalize_clip(make_jingle("intro", sr), sr, JINGLE_LUFS) if jingles else None
    outro = normalize_clip(make_jingle("outro", sr), sr, JINGLE_LUFS) if jingles else None

    speakers: list[str] = []
    for c in clips:
        if c.speaker not in speakers:
            speakers.append(c.speaker)
    channels = 2 if stereo else 1
    items: list[Item] = []
    if intro is not None:
        items.append(Item(intro))
    for i, (c, x) in enumerate(zip(clips, voiced)):
        if i == 0:
            pause = PAUSE_AFTER_INTRO if intro is not None else 0.0
        else:
            pause = pause_between(clips[i - 1], c)
        idx = speakers.index(c.speaker)
        pan = (-PAN if idx % 2 == 0 else PAN) if len(speakers) > 1 else 0.0
        items.append(Item(x, pause, _pan_gains(pan)))
    if outro is not None:
        items.append(Item(outro, PAUSE_BEFORE_OUTRO))
    track, spans = assemble(items, sr, stereo=stereo, tail_s=0.0 if outro is not None else 0.5)
    out = to_array(track).reshape(-1, channels)
    n = out.shape[0]
    foreground = np.zeros(n, dtype=bool)
    for a, b in spans:            # jingles count too: the bed stays down under them
        foreground[a:b] = True
    first = 1 if intro is not None else 0
    clip_spans = spans[first:first + len(clips)]
    starts = [a for a, _ in clip_spans]

    bed_gain = None
    if music is not None and np.asarray(music).size:
        bed_gain = _bed_gain(foreground, sr)
        bed = _music_bed(music, sr, n, channels)
        out += (bed.reshape(n, -1) * bed_gain[:, None]).astype(np.float32)

    mixed = out[:, 0] if channels == 1 else out
    if target_lufs is None:
        target_lufs = TARGET_LUFS_STEREO if stereo else TARGET_LUFS_MONO
    mastered = master(mixed, sr, target_lufs, PEAK_DBTP - CODEC_MARGIN_DB)

    timings = [(a / sr, b / sr) for a, b in clip_spans]

    # Chapters: one per segment, in order of first appearance.
    seg_order: list[int] = []
    seg_start: dict[int, int] = {}
    for c, s in zip(clips, starts):
        if c.segment not in seg_start:
            seg_order.append(c.segment)
            seg_start[c.segment] = s
    chapter_starts = [0 if k == 0 else seg_start[seg] for k, seg in enumerate(seg_order)]
    chapter_ends = chapter_starts[1:] + [n]
    chapters = []
    for k, seg in enumerate(seg_order):
        title = None
        if isinstance(chapter_titles, Mapping):
            title = chapter_titles.get(seg)
        elif chapter_titles is not None and k < len(chapter_titles):
            title = chapter_titles[k]
        chapters.append(Chapter(chapter_starts[k] / sr, chapter_ends[k] / sr, seg, title))
    return Episode(mastered, sr, chapters, timings, bed_gain, target_lufs, PEAK_DBTP)
