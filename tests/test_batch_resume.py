"""`kill -9` during a batch, with the real tiny model and Kokoro: the same command then finishes,
reusing every finished turn and clip, and a third run does no work at all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_end_to_end import EXAMPLE, needs_tiny

REPO = Path(__file__).resolve().parents[1]


def batch(docs: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "generator.cli", "batch", str(docs), "-o", str(out), "--model", "smollm2-135m",
            "--minutes", "0.5", "--seed", "3", *extra]


def kill_when(command: list[str], ready, timeout: float = 600) -> None:
    """Start `command`, SIGKILL its whole process group the moment `ready()` holds."""
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if ready():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL) if proc.poll() is None else None
    pytest.fail(f"the run ended before the kill point (rc {proc.returncode}): {proc.stderr.read().decode()[-500:]}")


def finish(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=900)


def turns_saved(folder: Path) -> int:
    try:
        return len(json.loads((folder / ".progress.json").read_text(encoding="utf-8")).get("turns", []))
    except (OSError, ValueError):
        return 0


@needs_tiny
@pytest.mark.slow
def test_kill_9_while_writing_and_while_rendering_then_the_same_command_finishes(tmp_path):
    docs, out = tmp_path / "docs", tmp_path / "out"
    docs.mkdir()
    (docs / "odeillo.md").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (docs / "court.md").write_text("Trois mots seulement.", encoding="utf-8")
    episode = out / "odeillo"

    # 1. Killed while the script is written (two turns saved), then finished by the same command.
    kill_when(batch(docs, out, "--script-only"), lambda: turns_saved(episode) >= 2)
    assert not (episode / "script.json").exists()
    run = finish(batch(docs, out, "--script-only"))
    assert run.returncode == 1, run.stderr                       # the short document failed, the rest went on
    report = json.loads((episode / "report.json").read_text(encoding="utf-8"))
    assert report["script"]["resumed"]["turns"] >= 2 and report["script"]["resumed"]["outline"]
    script_time = (episode / "script.json").stat().st_mtime_ns

    # 2. Killed while the voices are rendered, then finished: clips done before the kill are reused.
    # Kokoro takes seconds a clip (espeak-ng wrote all three clips of a short script before the
    # poll saw two, measured in CI), and the kill comes while at least one clip is still to do.
    turns = len(json.loads((episode / "script.json").read_text(encoding="utf-8"))["turns"])
    assert turns >= 2
    kill_at = min(2, turns - 1)
    clips = episode / "clips"
    kill_when(batch(docs, out, "--engine", "kokoro"),
              lambda: clips.is_dir() and len(list(clips.glob("*.wav"))) >= kill_at)
    assert not (episode / "episode.mp3").exists()
    run = finish(batch(docs, out, "--engine", "kokoro"))
    assert run.returncode == 1, run.stderr
    render = json.loads((episode / "report.json").read_text(encoding="utf-8"))["render"]
    assert render["clips_cached"] >= kill_at and render["clips_synthesized"] >= 1
    assert render["clips_cached"] + render["clips_synthesized"] == turns
    assert (episode / "script.json").stat().st_mtime_ns == script_time, "the script was not rewritten"
    assert "court" in run.stderr and "too little text" in run.stderr

    # 3. The same command once more: nothing to do.
    audio_time = (episode / "episode.mp3").stat().st_mtime_ns
    run = finish(batch(docs, out, "--engine", "kokoro"))
    assert run.returncode == 1
    saved = json.loads((out / "batch-report.json").read_text(encoding="utf-8"))
    assert {d["name"]: d["status"] for d in saved["documents"]} == {"odeillo": "reused", "court": "failed"}
    assert (episode / "episode.mp3").stat().st_mtime_ns == audio_time
