"""`causerie render` on a hand-made script with the deterministic tone engine (and espeak-ng when installed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.audio import read_tags
from generator.render import render
from generator.writing.script import Host, Script, Segment, SourceInfo, Turn

REPO = Path(__file__).resolve().parents[1]


def make_episode(folder: Path) -> Path:
    script = Script(
        title="Le four solaire d'Odeillo", subject="four solaire",
        hosts=[Host(name="Camille", role="curieuse"), Host(name="Thomas", role="expert")],
        sources=[SourceInfo(path="odeillo.md", title="Le grand four", kind="markdown", language="fr", words=300)],
        segments=[Segment(id=0, title="Le principe"), Segment(id=1, title="La chaleur"), Segment(id=2, title="En bref")],
        turns=[
            Turn(speaker="Camille", text="En 1970, le CNRS allume un four géant à Odeillo ?", segment=0, intent="accroche"),
            Turn(speaker="Thomas", text="Oui : 63 héliostats renvoient le soleil vers un miroir de 54 m.", segment=0),
            Turn(speaker="Camille", text="Et ça chauffe à combien ?", segment=1, intent="question"),
            Turn(speaker="Thomas", text="Plus de 3 500 °C au foyer, sans flamme.", segment=1),
            Turn(speaker="Camille", text="Ah oui, quand même !", segment=1, intent="reaction"),
            Turn(speaker="Thomas", text="Merci de nous avoir écoutés, à bientôt !", segment=2, intent="conclusion"),
        ],
    )
    script.save(folder)
    return folder


def test_render_writes_mp3_subtitles_report_and_caches_clips(tmp_path):
    folder = make_episode(tmp_path / "ep")
    first = render(folder, engine_name="tone")
    assert first.audio == folder / "episode.mp3" and first.audio.stat().st_size > 10_000
    assert first.synthesized == 6 and first.cached == 0
    tags = read_tags(first.audio)
    assert len(tags["chapters"]) == 3
    vtt = (folder / "transcript.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT") and "<v Camille>" in vtt and "3 500 °C" in vtt   # written form
    assert (folder / "transcript.srt").is_file()
    report = json.loads((folder / "report.json").read_text())["render"]
    assert report["engine"] == "tone" and report["clips_synthesized"] == 6
    assert -17.0 <= report["loudness_lufs"] <= -15.0 and report["true_peak_dbtp"] <= -0.7

    # Unchanged script: nothing synthesized again.
    again = render(folder, engine_name="tone")
    assert again.synthesized == 0 and again.cached == 6

    # One turn edited in script.md: exactly one clip re-synthesized.
    md = folder / "script.md"
    time.sleep(0.01)
    md.write_text(md.read_text(encoding="utf-8").replace("Et ça chauffe à combien ?", "Et ça chauffe jusqu'où ?"),
                  encoding="utf-8")
    os.utime(md, (time.time() + 2, time.time() + 2))
    edited = render(folder, engine_name="tone")
    assert edited.synthesized == 1 and edited.cached == 5
    assert "jusqu'où" in json.loads((folder / "script.json").read_text())["turns"][2]["text"]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_render_cli_with_espeak(tmp_path):
    folder = make_episode(tmp_path / "ep")
    run = subprocess.run([sys.executable, "-m", "generator.cli", "render", str(folder), "--engine", "espeak"],
                         capture_output=True, text=True, cwd=REPO, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(folder / "episode.mp3")
    assert "espeak" in run.stderr


def test_render_without_script_is_one_line(tmp_path):
    run = subprocess.run([sys.executable, "-m", "generator.cli", "render", str(tmp_path)],
                         capture_output=True, text=True, cwd=REPO, timeout=60)
    assert run.returncode == 2 and "no script.json" in run.stderr and "Traceback" not in run.stderr
