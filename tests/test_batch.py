"""`causerie batch` and the one-episode pipeline under it: real documents, a fake LLM answering by the
request's structure (outline schema sizes, turn speaker enum) and the deterministic `tone` voice engine.
The real tiny model and `kill -9` are in test_batch_resume.py."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from generator import display
from generator.batch import BatchProgress, discover, run_batch
from generator.episode import Models, RenderOptions, make_episode
from generator.errors import UserError
from generator.hosts import parse_hosts
from generator.pipeline import ScriptOptions

from conftest import FakeLLM, turn_json
from test_end_to_end import needs_tiny

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "four-solaire-odeillo.md"
SEED_VAULT = REPO / "examples" / "seed-vault.html"
OPTIONS = ScriptOptions(hosts=parse_hosts("Camille,Thomas"), minutes=1.0, seed=5)
TONE = RenderOptions(engine="tone")


def answer(messages, schema, i):
    """Plain French lines by the schema's shape; the checks and the ladder do the rest."""
    props = (schema or {}).get("properties", {})
    if "questions" in props:
        return json.dumps({"sujet": "le sujet du jour", "titre": "Un épisode de test",
                           "chapitres": [f"Partie {k + 1}" for k in range(props["chapitres"]["minItems"])],
                           "questions": ["Et comment ça marche ?"] * props["questions"]["minItems"]},
                          ensure_ascii=False)
    if "locuteur" in props:
        return turn_json(props["locuteur"]["enum"][0], "Eh bien, c'est une histoire simple à raconter.")
    return json.dumps({k: "texte" for k in props}) if props else "Bonjour."


def fake_models() -> Models:
    return Models(preloaded=FakeLLM(answer))


@pytest.fixture
def folder(tmp_path):
    docs = tmp_path / "docs"
    (docs / "notes").mkdir(parents=True)
    (docs / "odeillo.md").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (docs / "notes" / "vault.html").write_text(SEED_VAULT.read_text(encoding="utf-8"), encoding="utf-8")
    (docs / "vide.txt").write_text("", encoding="utf-8")
    (docs / "court.md").write_text("Bonjour à tous, voici trois mots.", encoding="utf-8")
    (docs / "binaire.pdf").write_bytes(bytes(range(256)) * 20)
    (docs / "tableur.xlsx").write_bytes(b"PK\x03\x04")
    (docs / ".cache.txt").write_text("caché", encoding="utf-8")
    return docs


def test_discover_one_episode_per_document_and_files_left_aside(folder):
    jobs, aside = discover([folder])
    assert sorted(j.name for j in jobs) == ["binaire", "court", "odeillo", "vault", "vide"]
    assert all(len(j.inputs) == 1 for j in jobs)
    assert [(e.name, e.status) for e in aside] == [("tableur.xlsx", "skipped")], "hidden files are never listed"

    grouped, _ = discover([folder], group=True)
    assert sorted((j.name, len(j.inputs)) for j in grouped) == [("docs", 4), ("notes", 1)]

    globbed, _ = discover([str(folder / "**" / "*.html")])
    assert [j.name for j in globbed] == ["vault"]


def test_discover_names_are_unique_and_bad_arguments_are_user_errors(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "rapport.md").write_text("Un rapport.", encoding="utf-8")
    jobs, _ = discover([tmp_path])
    assert sorted(j.name for j in jobs) == ["rapport", "rapport-2"]
    with pytest.raises(UserError, match="no such file"):
        discover([tmp_path / "absent"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no document found"):
        discover([tmp_path / "empty"])


def test_batch_goes_on_past_bad_documents_and_a_second_run_does_no_work(folder, tmp_path):
    out = tmp_path / "out"
    jobs, aside = discover([folder])
    models = fake_models()
    result = run_batch(jobs, out, OPTIONS, TONE, aside=aside, models=models)

    status = {e.name: e for e in result.entries}
    assert {n: e.status for n, e in status.items()} == {
        "odeillo": "done", "vault": "done", "binaire": "failed", "court": "failed", "vide": "failed",
        "tableur.xlsx": "skipped"}
    assert "too little text" in status["court"].error and "80" in status["court"].error
    assert "empty" in status["vide"].error
    assert "PDF" in status["binaire"].error
    assert result.exit_code == 1
    for name in ("odeillo", "vault"):
        outputs = status[name].outputs
        assert all(Path(p).is_file() for p in outputs.values())
        assert Path(outputs["audio"]).parent == out / name and outputs["audio"].endswith(".mp3")
        report = json.loads((out / name / "report.json").read_text(encoding="utf-8"))
        assert {"script", "render"} <= set(report), "one report, merged by stage"
        assert status[name].minutes > 0
    saved = json.loads((out / "batch-report.json").read_text(encoding="utf-8"))
    assert saved["summary"] == {"done": 2, "reused": 0, "failed": 3, "skipped": 1}
    assert {d["name"]: d["status"] for d in saved["documents"]} == {n: e.status for n, e in status.items()}

    calls = len(models.preloaded.calls)
    again = run_batch(jobs, out, OPTIONS, TONE, aside=aside, models=models)
    assert len(models.preloaded.calls) == calls, "a finished batch calls no model"
    assert {e.name: e.status for e in again.entries if e.name in ("odeillo", "vault")} == {
        "odeillo": "reused", "vault": "reused"}
    assert again.exit_code == 1, "the bad documents are still reported"


def test_batch_redoes_only_the_document_that_changed(folder, tmp_path):
    out = tmp_path / "out"
    models = fake_models()
    jobs, _ = discover([folder / "odeillo.md", folder / "notes"])
    run_batch(jobs, out, OPTIONS, TONE, models=models)
    mp3 = out / "vault" / "episode.mp3"
    before = mp3.stat().st_mtime_ns

    odeillo = folder / "odeillo.md"
    odeillo.write_text(odeillo.read_text(encoding="utf-8") + "\n\nLe four reçoit des visiteurs toute l'année.\n",
                       encoding="utf-8")
    result = run_batch(jobs, out, OPTIONS, TONE, models=models)
    assert {e.name: e.status for e in result.entries} == {"odeillo": "done", "vault": "reused"}
    assert mp3.stat().st_mtime_ns == before
    assert result.exit_code == 0


def test_progress_counts_the_documents_started_and_finished(folder, tmp_path):
    calls = []
    progress = BatchProgress(start=lambda started, n, job: calls.append(("start", started, n, job.name)),
                             done=lambda finished, n, entry: calls.append(("done", finished, n, entry.name)))
    jobs, _ = discover([folder / "odeillo.md", folder / "court.md"])
    run_batch(jobs, tmp_path / "out", OPTIONS, None, models=fake_models(), progress=progress)
    assert calls == [("start", 0, 2, "odeillo"), ("done", 1, 2, "odeillo"),
                     ("start", 1, 2, "court"), ("done", 2, 2, "court")]

    calls.clear()       # the finished one is reused, the bad one tried again: each still counted once
    run_batch(jobs, tmp_path / "out", OPTIONS, None, models=fake_models(), progress=progress)
    assert calls == [("start", 0, 2, "odeillo"), ("done", 1, 2, "odeillo"),
                     ("start", 1, 2, "court"), ("done", 2, 2, "court")]


def test_display_names_each_document_and_the_steps_of_documents_made_at_once():
    out = io.StringIO()
    with display.Display(Console(file=out, width=200)) as shown:
        shown.document(0, 2, "odeillo")
        shown.document(1, 2, "vault")
        odeillo, vault = shown.episode_progress("odeillo"), shown.episode_progress("vault")
        odeillo.stage("Écriture des répliques")
        vault.turn(2, 3, None)
        odeillo.turn(3, 4, None)
        shown.finished("odeillo")
        shown.documents(1, 2)
    lines = out.getvalue().splitlines()
    assert lines[:3] == ["Document 1/2 : odeillo", "Document 2/2 : vault", "• odeillo : Écriture des répliques"]
    assert any(line.strip().startswith("vault · répliques 3/3") for line in lines)
    assert any(line.strip().startswith("odeillo · répliques 4/4") for line in lines)


def test_script_only_batch_writes_no_audio(folder, tmp_path):
    result = run_batch(discover([folder / "odeillo.md"])[0], tmp_path / "out", OPTIONS, None, models=fake_models())
    entry = result.entries[0]
    assert entry.status == "done" and "audio" not in entry.outputs
    assert not list((tmp_path / "out" / "odeillo").glob("episode.*"))


def test_episode_pipeline_reuses_finished_stages_and_keeps_one_report(tmp_path):
    models = fake_models()
    first = make_episode([EXAMPLE], tmp_path, OPTIONS, RenderOptions(engine="tone", pipeline=False), models=models)
    assert not first.reused and first.render.synthesized == len(first.script.script.turns)
    calls = len(models.preloaded.calls)

    again = make_episode([EXAMPLE], tmp_path, OPTIONS, TONE, models=models)
    assert again.reused and again.render.synthesized == 0 and len(models.preloaded.calls) == calls

    # Another format: the script and every clip are reused, only the mix is redone.
    wav = make_episode([EXAMPLE], tmp_path, OPTIONS, RenderOptions(engine="tone", fmt="wav"), models=models)
    assert wav.script.reused and not wav.render.reused and wav.render.synthesized == 0
    report = json.loads((first.folder / "report.json").read_text(encoding="utf-8"))
    assert report["render"]["format"] == "wav"
    assert report["script"]["minutes"] == first.script.script.quality["minutes"], "the script's section is kept"

    # A new script makes the old render section stale.
    make_episode([EXAMPLE], tmp_path, ScriptOptions(hosts=OPTIONS.hosts, minutes=1.0, seed=6), None,
                 models=models)
    assert "render" not in json.loads((first.folder / "report.json").read_text(encoding="utf-8"))


def test_too_short_document_is_one_line_and_exit_2(tmp_path):
    short = tmp_path / "bonjour.md"
    short.write_text("bonjour", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "generator.cli", "script", str(short), "-o", str(tmp_path / "o")],
                         capture_output=True, text=True, cwd=REPO, env={**os.environ, "COLUMNS": "200"})
    assert run.returncode == 2
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "too little text" in errors[0] and "Traceback" not in run.stderr


def test_batch_cli_bad_arguments_exit_2(tmp_path):
    run = subprocess.run([sys.executable, "-m", "generator.cli", "batch", str(tmp_path / "nothing"),
                          "-o", str(tmp_path / "o")], capture_output=True, text=True, cwd=REPO,
                         env={**os.environ, "COLUMNS": "200"})
    assert run.returncode == 2 and "no such file" in run.stderr and "Traceback" not in run.stderr


def test_plain_progress_lines_outside_a_terminal(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(display.time, "monotonic", lambda: now[0])
    buffer = io.StringIO()
    view = display.Display(Console(file=buffer, force_terminal=False, width=200))
    progress = view.episode_progress()
    with view:
        progress.stage("Écriture des répliques")
        for i in range(10):
            now[0] += 10.0
            progress.turn(i, 10, None)
    lines = buffer.getvalue().splitlines()
    counted = [line for line in lines if "Répliques" in line]
    assert lines[0].endswith("Écriture des répliques")
    assert 3 <= len(counted) <= 6, "periodic, not one line per turn"
    assert counted[-1].strip().startswith("Répliques 10/10")
    assert any("reste ~" in line for line in counted[:-1]), "time left from the measured speed"


def test_batch_cli_exit_1_when_documents_fail(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "court.md").write_text("Trois mots seulement.", encoding="utf-8")
    (docs / "vide.txt").write_text("", encoding="utf-8")
    # A model path that exists is enough: documents failing at reading never load it.
    model = tmp_path / "modele.gguf"
    model.write_bytes(b"GGUF")
    run = subprocess.run([sys.executable, "-m", "generator.cli", "batch", str(docs), "-o", str(tmp_path / "o"),
                          "--model", str(model), "--script-only"], capture_output=True, text=True, cwd=REPO,
                         env={**os.environ, "COLUMNS": "200"})
    assert run.returncode == 1, run.stderr
    assert run.stdout.strip() == str(tmp_path / "o" / "batch-report.json")
    assert "too little text" in run.stderr and "empty" in run.stderr


@needs_tiny
def test_models_load_once_and_reload_only_for_a_longer_context():
    models = Models(threads=1)
    first = models.llm("smollm2-135m", 2048)
    assert models.llm("smollm2-135m", 1024) is first, "a shorter context reuses the loaded model"
    larger = models.llm("smollm2-135m", 4096)
    assert larger is not first and larger.n_ctx >= 4096
    assert models.engine("tone") is models.engine("tone"), "one voice engine per process"
