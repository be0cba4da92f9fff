"""Speech engines: the registry, the cache key, the tone and espeak engines, host voices."""

from __future__ import annotations

import shutil
from dataclasses import replace

import numpy as np
import pytest

from generator.errors import UserError
from generator.speech import engine as eng
from generator.speech.engine import Audio, SpeechEngine, SpeechError, Voice, clip_key, spoken
from generator.speech.espeak import EspeakEngine
from generator.speech.tone import ToneEngine
from generator.speech.voices import DEFAULTS, find_file, voice_for, voices_dir
from pitch import median_pitch

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def dominant_frequency(audio: Audio) -> float:
    spectrum = np.abs(np.fft.rfft(audio.samples * np.hanning(len(audio.samples))))
    freqs = np.fft.rfftfreq(len(audio.samples), 1 / audio.sample_rate)
    return float(freqs[np.argmax(spectrum)])


# --------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------

def test_registry_knows_builtins_and_rejects_unknown_names():
    assert {"tone", "espeak"} <= set(eng.names())
    tone = eng.get("tone")
    assert isinstance(tone, SpeechEngine) and tone.name == "tone"
    with pytest.raises(SpeechError, match="unknown speech engine 'nope'.*tone"):
        eng.get("nope")
    assert issubclass(SpeechError, UserError)


class _Unavailable:
    name = "broken"

    def voices(self):
        return []

    def available(self):
        return False, "needs the moon"

    def synthesize(self, text, voice):
        raise AssertionError("never called")

    def settings_key(self):
        return "broken/0"


def test_best_available_skips_unusable_and_unknown_engines(monkeypatch):
    monkeypatch.setitem(eng.ENGINES, "broken", _Unavailable)
    expected = "espeak" if shutil.which("espeak-ng") else "tone"
    assert eng.best_available(("broken", "not-installed", "espeak", "tone")).name == expected
    assert eng.best_available(("broken", "tone")).name == "tone"
    with pytest.raises(SpeechError, match="broken: needs the moon; ghost: not part"):
        eng.best_available(("broken", "ghost"))


def test_best_available_default_falls_back_to_espeak_or_fails_clearly(monkeypatch):
    monkeypatch.setitem(eng.ENGINES, "xtts", _Unavailable)
    monkeypatch.setitem(eng.ENGINES, "kokoro", _Unavailable)
    if shutil.which("espeak-ng"):
        assert eng.best_available().name == "espeak"
    monkeypatch.setitem(eng.ENGINES, "espeak", lambda: EspeakEngine(binary="espeak-ng-absent"))
    with pytest.raises(SpeechError, match="apt-get install espeak-ng"):
        eng.best_available()


# --------------------------------------------------------------------------
# Cache key
# --------------------------------------------------------------------------

def test_clip_key_follows_spoken_text_voice_and_settings():
    tone = ToneEngine()
    voice = Voice("tone", "220")
    key = clip_key("Il y a 3 pommes.", voice, tone)
    assert len(key) == 64
    assert spoken("Il y a 3 pommes.") == spoken("Il  y a trois pommes.")
    assert clip_key("Il  y a trois pommes.", voice, tone) == key          # same spoken text
    assert clip_key("Il y a 3 pommes.", replace(voice, description="autre"), tone) == key
    assert clip_key("Il y a 4 pommes.", voice, tone) != key
    assert clip_key("Il y a 3 pommes.", Voice("tone", "110"), tone) != key
    assert clip_key("Il y a 3 pommes.", replace(voice, speed=1.1), tone) != key
    slower = EspeakEngine(wpm=140)
    ev = Voice("espeak", "fr")
    assert clip_key("Bonjour.", ev, slower) != clip_key("Bonjour.", ev, EspeakEngine(wpm=160))


# --------------------------------------------------------------------------
# Tone engine
# --------------------------------------------------------------------------

def test_tone_length_follows_text_and_voices_differ_in_frequency():
    tone = eng.get("tone")
    assert tone.available()[0]
    high, low = tone.voices()
    short = tone.synthesize("Oui.", high)
    long = tone.synthesize("Une phrase nettement plus longue que la précédente.", high)
    assert short.sample_rate == 24_000 and short.samples.dtype == np.float32
    assert short.duration == pytest.approx(0.3, abs=1e-3)                       # the minimum
    n = len(spoken("Une phrase nettement plus longue que la précédente."))
    assert long.duration == pytest.approx(0.06 * n, abs=1e-3)
    # Length is measured on the spoken text: "12" is read "douze".
    assert tone.synthesize("Il en a 12 au total.", high).duration == pytest.approx(
        tone.synthesize("Il en a douze au total.", high).duration)
    assert dominant_frequency(long) == pytest.approx(220, abs=3)
    assert dominant_frequency(tone.synthesize("Une phrase nettement plus longue que la précédente.", low)) \
        == pytest.approx(110, abs=3)
    assert np.max(np.abs(long.samples)) <= 1.0 and abs(long.samples[0]) < 1e-3 and abs(long.samples[-1]) < 1e-2
    assert np.array_equal(long.samples, tone.synthesize("Une phrase nettement plus longue que la précédente.",
                                                        high).samples)
    with pytest.raises(SpeechError, match="frequencies in Hz"):
        tone.synthesize("Bonjour.", Voice("tone", "aigu"))


# --------------------------------------------------------------------------
# espeak-ng engine
# --------------------------------------------------------------------------

@needs_espeak
def test_espeak_speaks_french_with_two_distinct_voices():
    espeak = eng.get("espeak")
    ok, why = espeak.available()
    assert ok and "espeak-ng" in why
    ids = [v.id for v in espeak.voices()]
    assert ids[:2] == ["fr+f3", "fr"]
    text = "Bonjour à tous, aujourd'hui nous parlons des 3 trains de nuit en France."
    female = espeak.synthesize(text, Voice("espeak", "fr+f3"))
    male = espeak.synthesize(text, Voice("espeak", "fr"))
    for audio in (female, male):
        assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
        assert 2.0 < audio.duration < 12.0
        assert np.sqrt(np.mean(audio.samples**2)) > 0.02                          # not silent
        assert np.max(np.abs(audio.samples)) <= 1.0
    f_pitch, m_pitch = median_pitch(female), median_pitch(male)
    assert f_pitch > m_pitch + 40, (f_pitch, m_pitch)
    faster = espeak.synthesize(text, Voice("espeak", "fr", speed=1.5))
    assert faster.duration < male.duration * 0.85


@needs_espeak
def test_espeak_errors_say_what_to_do():
    with pytest.raises(SpeechError, match="voice 'zz-nope'"):
        EspeakEngine().synthesize("Bonjour.", Voice("espeak", "zz-nope"))
    missing = EspeakEngine(binary="espeak-ng-absent")
    ok, why = missing.available()
    assert not ok and "apt-get install espeak-ng" in why
    with pytest.raises(SpeechError, match="apt-get install espeak-ng"):
        missing.synthesize("Bonjour.", Voice("espeak", "fr"))


@needs_espeak
def test_espeak_empty_text_is_short_silence():
    audio = EspeakEngine().synthesize("   ", Voice("espeak", "fr"))
    assert audio.duration < 0.2 and not audio.samples.any()


# --------------------------------------------------------------------------
# Host voices
# --------------------------------------------------------------------------

def test_voices_load_host_files_case_and_accent_insensitive():
    assert voices_dir().name == "voices"
    assert voice_for("Camille", 0, "espeak") == Voice("espeak", "fr+f3", description="Camille (voices file)")
    assert voice_for("THOMAS", 1, "kokoro").id == "jm_kumo"
    assert voice_for("thomas", 1, ToneEngine()).id == "110"        # not in the file: default for position
    assert voice_for("Thomas", 1, "xtts").id == "Damien Black"


def test_voices_defaults_and_env_override(tmp_path, monkeypatch):
    (tmp_path / "amelie.toml").write_text('name = "Amélie"\n[voice]\nespeak = "mb-fr4"\n', encoding="utf-8")
    (tmp_path / "other.toml").write_text('name = "Jérôme"\n[voice]\ntone = "330"\n', encoding="utf-8")
    monkeypatch.setenv("CAUSERIE_VOICES", str(tmp_path))
    assert voices_dir() == tmp_path
    assert find_file("AMÉLIE") == tmp_path / "amelie.toml"
    assert voice_for("Amélie", 0, "espeak").id == "mb-fr4"
    assert voice_for("jerome", 1, "tone").id == "330"                 # matched by its `name`
    assert voice_for("Camille", 0, "espeak").id == DEFAULTS["espeak"][0]   # no file here: defaults
    assert voice_for("Camille", 1, "espeak").id == "fr"
    assert voice_for("Zoé", 0, "kokoro").id == "jf_gongitsune"
    with pytest.raises(SpeechError, match="no piper voice for Zoé"):
        voice_for("Zoé", 0, "piper")
    with pytest.raises(ValueError):
        voice_for("Zoé", 2, "tone")
    (tmp_path / "zoe.toml").write_text("[voice\n", encoding="utf-8")
    with pytest.raises(SpeechError, match="cannot read voice file"):
        voice_for("Zoé", 0, "tone")


def test_audio_wav_round_trip(tmp_path):
    audio = ToneEngine().synthesize("Bonjour à tous.", Voice("tone", "220"))
    back = Audio.read_wav(audio.write_wav(tmp_path / "clip.wav"))
    assert back.sample_rate == audio.sample_rate and len(back.samples) == len(audio.samples)
    assert np.max(np.abs(back.samples - audio.samples)) < 1e-3
