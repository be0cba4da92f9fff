"""Audio slice: mixing, loudness, jingles, export. All audio is synthesised here.

Voices are stood in for by syllable-modulated harmonic tones with a little
noise (plus short noise bursts to give the limiter real peaks); the music
bed is a 90 Hz tone, far from the voices' partials, so its level can be read
back from the mix by projection. Loudness after MP3 encoding is measured by
ffmpeg's ebur128 filter; true peak after encoding is allowed +0.3 dB over the
-1 dBTP ceiling (lossy codecs overshoot; in memory it must be <= -1.0).
"""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest

from generator.audio import (AudioExportError, Chapter, Clip, available_formats, export,
                             integrated_lufs, make_jingle, master, measure_file, mix_episode,
                             normalize_clip, pause_between, read_tags, resample, true_peak_dbtp)
from generator.audio import mix as mixmod

SR = 24000
BED_HZ = 90.0
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
                                  reason="ffmpeg/ffprobe not installed")


def voice(dur: float, sr: int, f0: float, level: float, seed: int, bursts: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(round(dur * sr))) / sr
    syllables = 0.5 * (1 - np.cos(2 * np.pi * 4.0 * t))
    x = (np.sin(2 * np.pi * f0 * t) + 0.5 * np.sin(2 * np.pi * 2 * f0 * t)
         + 0.25 * np.sin(2 * np.pi * 3 * f0 * t + 1.0)) * syllables
    x += 0.05 * rng.standard_normal(t.shape[0]) * syllables
    for k in rng.integers(0, max(1, t.shape[0] - 100), bursts):
        x[k:k + 40] += rng.uniform(-3, 3, 40)
    x = level * x / np.abs(x).max()
    return x.astype(np.float32)


# (speaker, segment, intent, text, duration, level, sample_rate)
SCRIPT = [
    ("Léa", 0, "accroche", "Bienvenue dans Causerie.", 0.9, 0.8, SR),
    ("Marc", 0, "presentation", "Aujourd'hui, on parle de tramways.", 1.1, 0.05, SR),
    ("Léa", 0, "reaction", "Ah, vaste sujet.", 0.5, 0.3, 16000),
    ("Marc", 0, "detail", "Le premier date de 1881.", 0.9, 0.6, SR),
    ("Léa", 1, "question", "Pourquoi sont-ils revenus ?", 0.8, 0.9, SR),
    ("Marc", 1, "explication", "Parce qu'ils transportent beaucoup.", 1.2, 0.2, 22050),
    ("Léa", 1, "reaction", "D'accord.", 0.4, 0.5, SR),
    ("Léa", 2, "recapitulatif", "Donc, en résumé.", 0.8, 0.4, SR),
    ("Marc", 2, "conclusion", "À bientôt.", 0.7, 0.7, SR),
]
TITLES = {0: "Ouverture", 1: "Le retour du tram", 2: "En résumé"}


def make_clips(bursts: int = 0) -> list[Clip]:
    return [Clip(voice(d, sr, 150.0 if spk == "Léa" else 210.0, lvl, i, bursts), sr, spk, seg, text, intent)
            for i, (spk, seg, intent, text, d, lvl, sr) in enumerate(SCRIPT)]


def bed() -> np.ndarray:
    t = np.arange(int(2.3 * SR)) / SR          # shorter than the episode: must loop
    return (0.3 * np.sin(2 * np.pi * BED_HZ * t)).astype(np.float32)


@pytest.fixture(scope="module")
def clips():
    return make_clips()


@pytest.fixture(scope="module")
def stereo_ep():
    return mix_episode(make_clips(bursts=3), music=bed(), chapter_titles=TITLES)


@pytest.fixture(scope="module")
def mono_ep():
    return mix_episode(make_clips(bursts=3), stereo=False, chapter_titles=TITLES)


@pytest.fixture(scope="module")
def stereo_mp3(stereo_ep, tmp_path_factory):
    path = tmp_path_factory.mktemp("mp3") / "episode.mp3"
    export(stereo_ep, path, format="mp3",
           tags={"title": "Les tramways", "date": "2026-05-09", "comment": "Sources : a.pdf ; b=c.html"})
    return path


# --- layout ---------------------------------------------------------------------------------


def test_pauses_follow_the_turns(stereo_ep, clips):
    t = stereo_ep.timings
    gaps = [t[i + 1][0] - t[i][1] for i in range(len(t) - 1)]
    after_question = gaps[4]                 # question -> explication
    between_segments = gaps[3]               # end of segment 0 -> segment 1
    normal = gaps[0]                         # accroche -> presentation
    around_reaction = gaps[1]                # presentation -> reaction
    assert after_question == pytest.approx(0.25, abs=1e-3)
    assert between_segments == pytest.approx(0.90, abs=1e-3)
    assert normal == pytest.approx(0.45, abs=1e-3)
    assert around_reaction == pytest.approx(0.20, abs=1e-3)
    assert after_question < normal < between_segments
    assert pause_between(clips[4], clips[5]) < pause_between(clips[3], clips[4])


def test_timings_monotonic_and_match_clip_durations(stereo_ep, clips):
    t = stereo_ep.timings
    assert len(t) == len(clips)
    for (s, e), clip in zip(t, clips):
        assert e - s == pytest.approx(clip.duration_s, abs=1.0 / SR)
    starts_ends = [v for pair in t for v in pair]
    assert all(a < b for a, b in zip(starts_ends, starts_ends[1:]))
    assert t[-1][1] < stereo_ep.duration_s


def test_other_sample_rates_are_resampled(stereo_ep, clips):
    for i in (2, 5):                          # 16 kHz and 22.05 kHz clips
        s, e = stereo_ep.timings[i]
        assert clips[i].sample_rate != SR
        assert e - s == pytest.approx(clips[i].duration_s, abs=1.0 / SR)
    # the pitch survives too
    x = np.sin(2 * np.pi * 440.0 * np.arange(16000) / 16000).astype(np.float32)
    y = resample(x, 16000, SR)
    assert y.shape[0] == SR
    assert np.argmax(np.abs(np.fft.rfft(y))) == pytest.approx(440, abs=1)


def test_chapters_one_per_segment_covering_the_episode(stereo_ep):
    ch = stereo_ep.chapters
    assert [c.segment for c in ch] == [0, 1, 2]
    assert [c.title for c in ch] == [TITLES[0], TITLES[1], TITLES[2]]
    assert ch[0].start_s == 0.0
    assert ch[-1].end_s == pytest.approx(stereo_ep.duration_s)
    for a, b in zip(ch, ch[1:]):
        assert a.end_s == b.start_s and a.start_s < a.end_s
    assert ch[1].start_s == pytest.approx(stereo_ep.timings[4][0])    # first clip of segment 1
    assert ch[2].start_s == pytest.approx(stereo_ep.timings[7][0])


def test_jingles_frame_the_speech(clips):
    with_j = mix_episode(clips, stereo=False)
    without = mix_episode(clips, stereo=False, jingles=False)
    intro, outro = make_jingle("intro", SR), make_jingle("outro", SR)
    extra = (len(intro) + len(outro)) / SR + mixmod.PAUSE_AFTER_INTRO + mixmod.PAUSE_BEFORE_OUTRO - 0.5
    assert with_j.duration_s - without.duration_s == pytest.approx(extra, abs=2.0 / SR)
    assert with_j.timings[0][0] == pytest.approx(len(intro) / SR + mixmod.PAUSE_AFTER_INTRO, abs=1.0 / SR)
    assert without.timings[0][0] == 0.0
    # the jingles are audible: the intro and the outro hold real signal
    head = with_j.samples[: len(intro)]
    tail = with_j.samples[-len(outro):]
    for part in (head, tail):
        assert 20 * math.log10(np.sqrt(np.mean(part.astype(np.float64) ** 2))) > -40


def test_jingles_are_deterministic_and_short():
    for kind in ("intro", "outro"):
        a, b = make_jingle(kind, SR), make_jingle(kind, SR)
        assert np.array_equal(a, b) and a.dtype == np.float32
        assert 2.0 <= len(a) / SR <= 3.0
        assert np.abs(a).max() == pytest.approx(0.5, abs=1e-3)
        assert abs(a[-1]) < 1e-3                         # faded out, no click
    assert not np.array_equal(make_jingle("intro", SR)[:1000], make_jingle("outro", SR)[:1000])
    assert len(make_jingle("intro", 48000)) == pytest.approx(2 * len(make_jingle("intro", SR)), abs=2)
    with pytest.raises(ValueError):
        make_jingle("middle")


# --- music bed ------------------------------------------------------------------------------


def _tone_level_db(x: np.ndarray, start_s: float, end_s: float, freq: float) -> float:
    seg = x[int(start_s * SR):int(end_s * SR)].astype(np.float64)
    if seg.ndim == 2:
        seg = seg.mean(axis=1)
    w = np.hanning(seg.shape[0])
    t = np.arange(seg.shape[0]) / SR
    amp = abs(np.sum(seg * w * np.exp(-2j * np.pi * freq * t))) * 2 / w.sum()
    return 20 * math.log10(amp)


def test_music_bed_is_ducked_under_speech(stereo_ep):
    t, x = stereo_ep.timings, stereo_ep.samples
    gap_mid = (t[3][1] + t[4][0]) / 2                     # 0.9 s gap between segments
    in_gap = _tone_level_db(x, gap_mid - 0.15, gap_mid + 0.15, BED_HZ)
    under = [_tone_level_db(x, s + 0.1, e - 0.1, BED_HZ) for s, e in (t[1], t[5])]
    for level in under:                                   # -18 vs -8 dB: 10 dB apart
        assert in_gap - level == pytest.approx(10.0, abs=1.5)

    g = 20 * np.log10(np.maximum(stereo_ep.bed_gain, 1e-9))
    at = lambda sec: g[int(sec * SR)]                    # noqa: E731
    assert at(gap_mid) == pytest.approx(mixmod.BED_GAP_DB, abs=0.01)
    assert at((t[5][0] + t[5][1]) / 2) == pytest.approx(mixmod.BED_DUCK_DB, abs=0.01)
    short_gap = (t[4][1] + t[5][0]) / 2                   # 0.25 s after the question: stays down
    assert at(short_gap) == pytest.approx(mixmod.BED_DUCK_DB, abs=0.01)
    # fully ducked when the voice starts; smooth ramps (~150 ms for 10 dB), no jumps
    assert at(t[4][0]) == pytest.approx(mixmod.BED_DUCK_DB, abs=0.01)
    mid = slice(int(2 * SR), int((stereo_ep.duration_s - 2) * SR))   # away from the edge fades
    step = np.abs(np.diff(g[mid])).max()
    assert step <= 10.0 / (mixmod.BED_RAMP_S * SR) * 1.05


# --- loudness -------------------------------------------------------------------------------


def test_short_clip_loudness_and_normalisation():
    x = voice(0.15, SR, 200.0, 0.3, seed=1)                # shorter than a 400 ms block
    long = np.tile(x, 10)
    assert integrated_lufs(x, SR) == pytest.approx(integrated_lufs(long, SR), abs=0.3)
    assert integrated_lufs(normalize_clip(x, SR, -20.0), SR) == pytest.approx(-20.0, abs=0.1)
    silent = np.zeros(SR, dtype=np.float32)
    assert np.array_equal(normalize_clip(silent, SR), silent)


def test_true_peak_sees_intersample_peaks():
    n = np.arange(SR)
    x = np.sin(2 * np.pi * (SR / 4) * n / SR + np.pi / 4).astype(np.float32)   # samples at ±0.707
    assert 20 * math.log10(np.abs(x).max()) == pytest.approx(-3.01, abs=0.05)
    assert true_peak_dbtp(x, SR) == pytest.approx(0.0, abs=0.3)


def test_master_hits_target_under_ceiling():
    x = voice(3.0, SR, 180.0, 0.1, seed=2, bursts=6)
    assert true_peak_dbtp(x, SR) - integrated_lufs(x, SR) > 16        # crest: plain gain would clip
    y = master(x, SR, -16.0, -1.0)
    assert integrated_lufs(y, SR) == pytest.approx(-16.0, abs=0.2)
    assert true_peak_dbtp(y, SR) <= -1.0 + 1e-6


def test_episode_master_in_memory(stereo_ep, mono_ep):
    assert stereo_ep.samples.shape[1] == 2 and mono_ep.samples.ndim == 1
    assert integrated_lufs(stereo_ep.samples, SR) == pytest.approx(-16.0, abs=0.2)
    assert integrated_lufs(mono_ep.samples, SR) == pytest.approx(-19.0, abs=0.2)
    for ep in (stereo_ep, mono_ep):
        assert true_peak_dbtp(ep.samples, SR) <= -1.0
    # mono compatibility: the fold-down keeps the level (gentle pan, no phase tricks)
    fold = stereo_ep.samples.mean(axis=1)
    assert integrated_lufs(fold, SR) == pytest.approx(integrated_lufs(stereo_ep.samples, SR) - 3.0, abs=0.5)


@needs_ffmpeg
def test_loudness_after_mp3_encoding(stereo_mp3, mono_ep, tmp_path):
    lufs, peak = measure_file(stereo_mp3)
    assert lufs == pytest.approx(-16.0, abs=1.0)
    assert peak <= -1.0 + 0.3
    mono_mp3 = export(mono_ep, tmp_path / "mono.mp3", tags={"title": "Mono"})
    lufs, peak = measure_file(mono_mp3)
    assert lufs == pytest.approx(-19.0, abs=1.0)
    assert peak <= -1.0 + 0.3
    assert read_tags(mono_mp3)["channels"] == 1


# --- export ---------------------------------------------------------------------------------


@needs_ffmpeg
def test_mp3_tags_and_chapters_read_back(stereo_mp3, stereo_ep):
    info = read_tags(stereo_mp3)
    tags = info["tags"]
    assert tags["title"] == "Les tramways"
    assert tags["artist"] == "Causerie" and tags["album"] == "Causerie"
    assert tags["language"] in ("fre", "fr")
    assert tags["comment"] == "Sources : a.pdf ; b=c.html"
    assert tags["date"].startswith("2026")
    assert info["codec"] == "mp3" and info["channels"] == 2
    chapters = info["chapters"]
    assert [c["title"] for c in chapters] == [TITLES[0], TITLES[1], TITLES[2]]
    for got, want in zip(chapters, stereo_ep.chapters):
        assert got["start_s"] == pytest.approx(want.start_s, abs=0.05)
    assert info["duration_s"] == pytest.approx(stereo_ep.duration_s, abs=0.1)
    assert not [p for p in stereo_mp3.parent.iterdir() if p.name.startswith(".")]   # no temp left


@needs_ffmpeg
@pytest.mark.may_skip("this ffmpeg has no libopus")     # an optional encoder of some ffmpeg builds
def test_wav_and_opus_round_trip(mono_ep, tmp_path):
    wav = export(mono_ep, tmp_path / "ep.wav", tags={"title": "W"})
    info = read_tags(wav)
    assert info["duration_s"] == pytest.approx(mono_ep.duration_s, abs=0.01)
    assert info["sample_rate"] == SR and info["channels"] == 1
    if "opus" not in available_formats():
        pytest.skip("this ffmpeg has no libopus")
    chapters = [Chapter(0.0, 2.5, 0, "Un"), Chapter(2.5, mono_ep.duration_s, 1, "Deux")]
    opus = export(mono_ep, tmp_path / "ep.opus", format="opus", tags={"title": "O"}, chapters=chapters)
    info = read_tags(opus)
    assert info["duration_s"] == pytest.approx(mono_ep.duration_s, abs=0.05)
    assert info["codec"] == "opus" and info["tags"]["title"] == "O"
    assert [(round(c["start_s"], 3), c["title"]) for c in info["chapters"]] == [(0.0, "Un"), (2.5, "Deux")]


def test_unknown_format_is_refused_and_leaves_nothing(mono_ep, tmp_path):
    with pytest.raises(AudioExportError):
        export(mono_ep, tmp_path / "ep.flac")
    assert list(tmp_path.iterdir()) == []


def test_pydub_timeline_places_items_exactly_and_pans_per_channel():
    from generator.audio.timeline import Item, assemble, to_array

    sr = 24000
    a = (0.9 * np.sin(np.arange(2400) / 7.0)).astype(np.float32)
    b = np.full(1200, -0.5, dtype=np.float32)
    track, spans = assemble([Item(a), Item(b, 0.25, gains=(0.5, 1.0))], sr, stereo=True, tail_s=0.1)
    assert spans == [(0, 2400), (2400 + 6000, 2400 + 6000 + 1200)]
    x = to_array(track)
    assert x.shape == (2400 + 6000 + 1200 + 2400, 2)
    assert np.allclose(x[:2400, 0], a, atol=1e-6) and np.allclose(x[:2400, 1], a, atol=1e-6)
    assert np.all(x[2400:8400] == 0)
    assert np.allclose(x[8400:9600, 0], -0.25, atol=1e-4) and np.allclose(x[8400:9600, 1], -0.5, atol=1e-4)
    loud = np.full(10, 1.8, dtype=np.float32)           # above full scale: survives thanks to the headroom
    mono, _ = assemble([Item(loud)], sr, stereo=False)
    assert np.allclose(to_array(mono), 1.8, atol=1e-5)
