"""Coqui engines: any local model folder (a tiny random VITS) and XTTS-v2's own architecture.

Models are built offline with random weights (tests/coqui_models.py) in the exact
folder layouts of real ones and loaded through the engine's normal path. They
babble, so these tests check the plumbing (speakers, splitting, seeds, cache keys,
folder handling, device choice), not the sound. `make test` installs coqui-tts;
elsewhere the module is skipped, unless CI=true or CAUSERIE_ALL_ENGINES=1 (strict_skips)
makes that a failure of every test.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from generator.speech import engine as eng
from generator.speech.coqui import XTTS_CHAR_LIMIT, CoquiEngine, trim_silence
from generator.speech.engine import SpeechError, Voice, clip_key, spoken
from generator.speech.split import split_text
from strict_skips import strict

REPO = Path(__file__).resolve().parents[1]
HAVE_COQUI = all(importlib.util.find_spec(m) for m in ("torch", "TTS"))
if not HAVE_COQUI and not strict():
    pytest.skip("coqui-tts not installed: pip install -r requirements/coqui.txt", allow_module_level=True)

from coqui_models import build_random_xtts, build_tiny_vits, write_reference_wav  # noqa: E402

LONG_TURN = (
    "Le four solaire d'Odeillo a été construit à la fin des années soixante, dans les Pyrénées-Orientales. "
    "Il compte soixante-trois héliostats, ces grands miroirs plats qui suivent le soleil toute la journée. "
    "Ils renvoient la lumière vers un miroir parabolique de cinquante-quatre mètres de large, "
    "qui la concentre sur une cible pas plus grande qu'une casserole ; là, on dépasse trois mille degrés. "
    "Les chercheurs s'en servent pour tester des matériaux destinés aux fusées et aux centrales."
)


def cuda() -> bool:
    import torch

    return torch.cuda.is_available()


@pytest.fixture(scope="module")
def vits_dir(tmp_path_factory):
    return build_tiny_vits(tmp_path_factory.mktemp("vits") / "tiny-vits")


@pytest.fixture(scope="module")
def xtts_built(tmp_path_factory):
    # One GPT layer and 40 audio tokens (≈2 s) instead of 30 and 605: same code, seconds not minutes.
    return build_random_xtts(tmp_path_factory.mktemp("xtts") / "xtts-v2", gpt_layers=1, max_audio_tokens=40)


@pytest.fixture
def xtts_home(xtts_built, tmp_path, monkeypatch):
    """XTTS 'pulled' into this test's CAUSERIE_HOME, and a voices folder with one reference clip."""
    from generator.config import models_dir

    models_dir().mkdir(parents=True, exist_ok=True)
    (models_dir() / "xtts-v2").symlink_to(xtts_built, target_is_directory=True)
    voices = tmp_path / "voices"
    voices.mkdir()
    write_reference_wav(voices / "camille.wav", 210.0, seconds=4.0)
    monkeypatch.setenv("CAUSERIE_VOICES", str(voices))
    return voices


@pytest.fixture(scope="module")
def xtts_engine(xtts_built, tmp_path_factory):
    """One loaded XTTS engine shared by the synthesis tests (loading takes seconds)."""
    home = tmp_path_factory.mktemp("xtts_home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CAUSERIE_HOME", str(home))
        (home / "models").mkdir(parents=True, exist_ok=True)
        from generator.config import models_dir

        models_dir().mkdir(parents=True, exist_ok=True)
        (models_dir() / "xtts-v2").symlink_to(xtts_built, target_is_directory=True)
        engine = CoquiEngine.xtts(device="cpu")
        engine._load()
        yield engine


# ---- splitting (no model needed) ----------------------------------------------------

def test_split_keeps_sentences_whole_and_under_the_limit():
    pieces = split_text(LONG_TURN, XTTS_CHAR_LIMIT)
    assert len(pieces) >= 2
    assert all(len(p) <= XTTS_CHAR_LIMIT for p in pieces)
    assert " ".join(pieces) == " ".join(LONG_TURN.split())
    assert all(p.rstrip()[-1] in ".!?;" for p in pieces)     # cut after a sentence, or a clause at worst


def test_split_falls_back_to_clauses_then_words():
    clauses = "un, deux, trois, quatre, cinq, six, sept, huit, neuf, dix, onze, douze, treize"
    pieces = split_text(clauses, 20)
    assert all(len(p) <= 20 for p in pieces) and all(p.endswith(",") for p in pieces[:-1])
    words = "anticonstitutionnellement " * 3 + "fin"
    assert split_text(words, 10) == ["anticonstitutionnellement"] * 3 + ["fin"]   # a word is never cut
    assert split_text("  court  ", 250) == ["court"] and split_text("", 250) == []


def test_trim_silence_keeps_a_margin():
    sr = 1000
    x = np.concatenate([np.zeros(500), 0.5 * np.ones(200), np.zeros(500)]).astype(np.float32)
    y = trim_silence(x, sr)
    assert len(y) == 200 + 2 * 30 and np.all(y[30:230] == 0.5)
    assert trim_silence(np.zeros(100, dtype=np.float32), sr).size == 0


# ---- any local Coqui folder (tiny VITS) ---------------------------------------------

def test_a_coqui_model_folder_is_an_engine(vits_dir):
    engine = eng.get(str(vits_dir))
    assert isinstance(engine, CoquiEngine) and engine.name == "coqui" and not engine.is_xtts
    ok, why = engine.available()
    assert ok, why
    assert [v.id for v in engine.voices()] == ["camille", "thomas"]
    assert engine.default_voices() == ("camille", "thomas")


def test_vits_speakers_differ_and_a_clip_is_reproducible(vits_dir):
    engine = CoquiEngine(vits_dir, device="cpu")
    text = "Bonjour à tous, voici la première émission."
    a = engine.synthesize(text, Voice("coqui", "camille"))
    b = engine.synthesize(text, Voice("coqui", "thomas"))
    again = engine.synthesize(text, Voice("coqui", "camille"))
    assert a.sample_rate == 22050 and a.duration > 0.2
    assert np.array_equal(a.samples, again.samples)            # seeded from text and voice
    n = min(len(a.samples), len(b.samples))
    assert not np.allclose(a.samples[:n], b.samples[:n])        # the speaker embedding is used
    with pytest.raises(SpeechError, match="no speaker 'paul'.*camille"):
        engine.synthesize(text, Voice("coqui", "paul"))
    with pytest.raises(SpeechError, match="cannot clone"):
        engine.synthesize(text, Voice("coqui", "camille.wav"))


def test_a_moved_folder_with_foreign_absolute_paths_still_loads(vits_dir, tmp_path):
    moved = tmp_path / "copied-model"
    shutil.copytree(vits_dir, moved)
    config_path = moved / "config.json"
    config = json.loads(config_path.read_text())
    config["speakers_file"] = config["model_args"]["speakers_file"] = "/home/someone-else/run/speakers.json"
    config_path.write_text(json.dumps(config))
    before = config_path.read_bytes()
    engine = CoquiEngine(moved, device="cpu")
    assert [v.id for v in engine.voices()] == ["camille", "thomas"]
    assert engine.synthesize("Ça marche encore.", Voice("coqui", "thomas")).duration > 0
    assert config_path.read_bytes() == before                    # the user's folder is left alone


def test_folder_errors_are_one_clear_line(tmp_path):
    with pytest.raises(SpeechError, match="not a model folder"):
        eng.get(str(tmp_path))
    with pytest.raises(SpeechError, match="unknown speech engine 'nope'"):
        eng.get("nope")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_text('{"model": "vits"}')
    (bad / "model.pth").write_bytes(b"not a checkpoint")
    engine = eng.get(str(bad))
    with pytest.raises(SpeechError, match="cannot load the Coqui model"):
        engine.synthesize("Bonjour.", Voice("coqui", "default"))


def test_cache_key_follows_the_model(vits_dir, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(vits_dir, other)
    config = json.loads((other / "config.json").read_text())
    config["model_args"]["length_scale"] = 1.5
    (other / "config.json").write_text(json.dumps(config))
    voice = Voice("coqui", "camille")
    assert clip_key("Bonjour.", voice, CoquiEngine(vits_dir)) != clip_key("Bonjour.", voice, CoquiEngine(other))
    assert clip_key("Bonjour.", voice, CoquiEngine(vits_dir)) == clip_key("Bonjour.", voice, CoquiEngine(vits_dir))


# ---- XTTS-v2 ----------------------------------------------------------------------

def test_xtts_not_pulled_says_how_and_names_the_licence():
    ok, why = eng.get("xtts").available()
    assert not ok and "causerie models pull xtts-v2" in why and "non-commercial" in why
    assert eng.get("xtts").voices() == []


def test_xtts_pulled_lists_builtin_speakers_and_clips(xtts_home):
    engine = eng.get("xtts")
    assert engine.available()[0] and engine.is_xtts
    ids = [v.id for v in engine.voices()]
    assert ids == ["Ana Florence", "Damien Black", "camille.wav"]
    assert engine.default_voices() == ("Ana Florence", "Damien Black")


def test_xtts_is_picked_automatically_only_on_a_gpu(xtts_home):
    chosen = eng.best_available()
    if cuda():
        assert chosen.name == "xtts"
    else:
        assert chosen.name != "xtts"
        ok, why = eng.get("xtts").auto_choice()
        assert not ok and "GPU" in why


def test_xtts_long_turn_is_split_below_the_limit_and_joined(xtts_engine, monkeypatch):
    seen: list[str] = []
    real = xtts_engine._synth.tts

    def spy(text, **kwargs):
        seen.append(text)
        return real(text, **kwargs)

    monkeypatch.setattr(xtts_engine._synth, "tts", spy)
    audio = xtts_engine.synthesize(LONG_TURN, Voice("xtts", "Ana Florence"))
    assert len(seen) >= 3 and all(len(p) <= XTTS_CHAR_LIMIT for p in seen)
    assert " ".join(seen) == spoken(LONG_TURN)
    assert audio.sample_rate == 24000
    # Each piece babbles up to 40 audio tokens (≈1.9 s); pieces are joined with short gaps.
    assert audio.duration > 0.5 * len(seen)


def test_xtts_speakers_and_a_cloned_clip(xtts_engine, tmp_path, monkeypatch):
    voices = tmp_path / "voices"
    voices.mkdir()
    write_reference_wav(voices / "thomas.wav", 110.0, seconds=4.0)
    monkeypatch.setenv("CAUSERIE_VOICES", str(voices))
    text = "Bonjour et bienvenue."
    ana = xtts_engine.synthesize(text, Voice("xtts", "Ana Florence"))
    again = xtts_engine.synthesize(text, Voice("xtts", "Ana Florence"))
    assert np.array_equal(ana.samples, again.samples)           # sampling seeded per piece
    cloned = xtts_engine.synthesize(text, Voice("xtts", "thomas.wav"))
    assert cloned.duration > 0
    with pytest.raises(SpeechError, match="reference clip .*absent.wav not found"):
        xtts_engine.synthesize(text, Voice("xtts", "absent.wav"))
    with pytest.raises(SpeechError, match="no speaker 'Nobody'"):
        xtts_engine.synthesize(text, Voice("xtts", "Nobody"))


def test_xtts_on_cuda_when_there_is_one(xtts_home):
    engine = CoquiEngine.xtts(device="cuda")
    if not cuda():
        with pytest.raises(SpeechError, match="no CUDA GPU"):
            engine.synthesize("Bonjour.", Voice("xtts", "Ana Florence"))
        return
    audio = engine.synthesize("Bonjour.", Voice("xtts", "Ana Florence"))
    assert audio.duration > 0 and next(engine._synth.parameters()).is_cuda


def test_render_cli_with_a_model_folder_then_nothing_again(vits_dir, tmp_path):
    from test_render import make_episode

    folder = make_episode(tmp_path / "ep")
    cmd = [sys.executable, "-m", "generator.cli", "render", str(folder), "--engine", str(vits_dir),
           "--device", "cpu", "--format", "wav"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    assert first.returncode == 0, first.stderr
    report = json.loads((folder / "report.json").read_text())["render"]
    assert report["engine"] == "coqui" and report["clips_synthesized"] == 6
    assert (folder / "episode.wav").stat().st_size > 10_000
    before = (folder / "episode.wav").stat().st_mtime_ns
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    assert second.returncode == 0, second.stderr
    # Same turns, engine and format: no clip synthesized, no mix, the audio file left as it was.
    assert (folder / "episode.wav").stat().st_mtime_ns == before and "à jour" in second.stderr
    forced = subprocess.run(cmd + ["--force"], capture_output=True, text=True, env=env, cwd=REPO)
    assert forced.returncode == 0, forced.stderr
    report = json.loads((folder / "report.json").read_text())["render"]
    assert report["clips_synthesized"] == 0 and report["clips_cached"] == 6, "--force remixes from cached clips"
