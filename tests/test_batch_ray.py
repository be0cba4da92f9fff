"""`causerie batch --ray` on a local Ray instance with 2 CPUs, the real tiny model and the `tone` engine:
the same outputs as the local batch, a worker killed mid-document retried on another, Ctrl-C, and a
second run that does no work."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.batch import discover, run_batch
from generator.cluster import INSTALL, RayWorkers, shape
from generator.episode import RenderOptions
from generator.errors import UserError
from generator.hosts import parse_hosts
from generator.pipeline import ScriptOptions

from test_end_to_end import EXAMPLE, needs_tiny

REPO = Path(__file__).resolve().parents[1]
CHAT = REPO / "examples" / "whatsapp-velo.txt"
OPTIONS = ScriptOptions(hosts=parse_hosts("Camille,Thomas"), minutes=0.5, seed=3, model="smollm2-135m", threads=1)
TONE = RenderOptions(engine="tone")
# What a document's episode is made of, byte for byte (report.json has timings: it is not compared).
SAME = ("script.json", "script.md", "episode.mp3", "transcript.srt", "transcript.vtt", "chapters.json")


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "odeillo.md").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "velo.txt").write_text(CHAT.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "court.md").write_text("Trois mots seulement.", encoding="utf-8")
    return folder


def worker_pids(method: str | None = "convert") -> list[int]:
    """The processes of the batch's Ray workers (Ray names them ray::<class>.<method> while they work,
    ray::<class> when idle); None: all of them."""
    prefix = ("ray::EpisodeWorker" + (f".{method}" if method else "")).encode()
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes().startswith(prefix):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def turns_saved(out: Path) -> dict[str, int]:
    """Per episode still being written (a checkpoint, no script yet): its finished turns."""
    saved = {}
    for progress in out.glob("*/.progress.json"):
        try:
            turns = json.loads(progress.read_text(encoding="utf-8")).get("turns", [])
        except (OSError, ValueError):
            continue
        if not (progress.parent / "script.json").exists():
            saved[progress.parent.name] = len(turns)
    return saved


def writing(out: Path, before: dict[str, int] | None = None) -> bool:
    """Some episode has a turn saved (since `before`) and no script yet: a document is mid-way."""
    before = before or {}
    return any(n > before.get(name, 0) for name, n in turns_saved(out).items())


@needs_tiny
@pytest.mark.slow
def test_ray_batch_gives_the_local_batch_outputs_and_a_second_run_does_no_work(docs, tmp_path):
    jobs, _ = discover([docs])
    local = run_batch(jobs, tmp_path / "local", OPTIONS, TONE)
    spread = run_batch(jobs, tmp_path / "ray", OPTIONS, TONE, workers=RayWorkers(cpus_per_worker=1, local_cpus=2))

    assert {e.name: e.status for e in spread.entries} == {e.name: e.status for e in local.entries} == {
        "odeillo": "done", "velo": "done", "court": "failed"}
    assert [e.name for e in spread.entries] == [e.name for e in local.entries], "the report keeps the batch's order"
    by_name = {e.name: e for e in spread.entries}
    assert "too little text" in by_name["court"].error
    assert by_name["court"].error == {e.name: e for e in local.entries}["court"].error
    for name in ("odeillo", "velo"):
        assert by_name[name].attempts == 1
        for file in SAME:
            made, expected = tmp_path / "ray" / name / file, tmp_path / "local" / name / file
            assert made.read_bytes() == expected.read_bytes(), f"{name}/{file} differs from the local batch's"
    saved = json.loads((tmp_path / "ray" / "batch-report.json").read_text(encoding="utf-8"))
    assert saved["summary"] == {"done": 2, "reused": 0, "failed": 1, "skipped": 0}

    mp3 = tmp_path / "ray" / "odeillo" / "episode.mp3"
    before = mp3.stat().st_mtime_ns
    lines: list[str] = []
    again = run_batch(jobs, tmp_path / "ray", OPTIONS, TONE,
                      workers=RayWorkers(cpus_per_worker=1, local_cpus=2, announce=lines.append))
    assert {e.name: e.status for e in again.entries} == {"odeillo": "reused", "velo": "reused", "court": "failed"}
    assert mp3.stat().st_mtime_ns == before
    # The bad document is tried again (it may have been fixed), the finished ones are not handed out.
    assert lines == ["Ray : instance locale", "Ray : 1 sur 2 worker(s) de 1 cœur(s) pour 1 document(s)"]
    lines.clear()
    finished = [job for job in jobs if job.name != "court"]
    run_batch(finished, tmp_path / "ray", OPTIONS, TONE,
              workers=RayWorkers(cpus_per_worker=1, local_cpus=2, announce=lines.append))
    assert lines == [], "nothing to hand out: no cluster started"


def batch_command(docs: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "generator.cli", "batch", str(docs), "-o", str(out), "--model", "smollm2-135m",
            "--minutes", "0.5", "--seed", "3", "--threads", "1", "--engine", "tone", "--ray", "--cpus-per-worker", "1"]


def wait_for(condition, timeout: float = 600, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the batch ended first (rc {proc.returncode}): {proc.stderr.read()[-800:]}")
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.05)


@needs_tiny
@pytest.mark.slow
def test_ctrl_c_stops_the_workers_a_killed_worker_is_replaced_and_the_same_command_finishes(docs, tmp_path):
    out = tmp_path / "out"
    command = batch_command(docs, out)

    # 1. Ctrl-C (SIGINT to the terminal's process group) while a document is written.
    # A terminal's Ctrl-C reaches a program whose SIGINT is not ignored; under `nohup` or `&` (as CI may
    # run the tests) the child would inherit "ignored" and Python would never raise KeyboardInterrupt.
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    wait_for(lambda: writing(out), proc=proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr[-800:]
    assert "interrupted" in stderr
    wait_for(lambda: not worker_pids(None), timeout=30)       # no worker goes on after the driver

    # 2. The same command; one worker is killed (kill -9) while it writes a document.
    killed: list[int] = []
    left = turns_saved(out)        # by the interrupted run: a turn past these is this run's

    def kill_one() -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not killed:
            busy = worker_pids()
            if busy and writing(out, left):
                os.kill(busy[0], signal.SIGKILL)
                killed.append(busy[0])
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one, daemon=True)
    killer.start()
    run = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=900)
    killer.join(timeout=5)
    assert killed, "no worker was seen writing a document"
    assert run.returncode == 1, run.stderr[-800:]                 # the short document failed, the rest went on
    saved = json.loads((out / "batch-report.json").read_text(encoding="utf-8"))
    status = {d["name"]: d for d in saved["documents"]}
    assert {n: d["status"] for n, d in status.items()} == {"odeillo": "done", "velo": "done", "court": "failed"}
    assert sorted(d["attempts"] for d in status.values()) == [1, 1, 2], "the killed worker's document was made again"
    assert all(Path(p).is_file() for n in ("odeillo", "velo") for p in status[n]["outputs"].values())
    resumed = [json.loads((out / n / "report.json").read_text(encoding="utf-8"))["script"]["resumed"]["turns"]
               for n in ("odeillo", "velo")]
    assert max(resumed) >= 1, "turns written before Ctrl-C or the kill were reused"
    assert "odeillo · répliques" in run.stderr or "velo · répliques" in run.stderr, "progress came from the workers"

    # 3. Once more: nothing to do, no cluster started.
    audio = out / "odeillo" / "episode.mp3"
    before = audio.stat().st_mtime_ns
    run = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    saved = json.loads((out / "batch-report.json").read_text(encoding="utf-8"))
    assert {d["name"]: d["status"] for d in saved["documents"]} == {"odeillo": "reused", "velo": "reused",
                                                                    "court": "failed"}
    assert audio.stat().st_mtime_ns == before


def test_workers_follow_the_clusters_gpus_else_its_cores():
    gpu_nodes = [{"Alive": True, "Resources": {"CPU": 16, "GPU": 2}},
                 {"Alive": True, "Resources": {"CPU": 8, "GPU": 1}},
                 {"Alive": False, "Resources": {"CPU": 64, "GPU": 8}}]
    layout = shape(gpu_nodes, None, None)
    assert (layout.workers, layout.gpus, layout.cpus) == (3, 1.0, 1)
    assert shape(gpu_nodes, 0.5, None).workers == 6
    assert shape(gpu_nodes, 0, 4).gpus == 0, "--gpus-per-worker 0: CPU workers on a GPU cluster"
    assert shape(gpu_nodes, 0, 4).workers == 6

    cpu_nodes = [{"Alive": True, "Resources": {"CPU": 16}}, {"Alive": True, "Resources": {"CPU": 6}}]
    assert (shape(cpu_nodes, None, None).workers, shape(cpu_nodes, None, None).threads) == (5, 4)
    assert shape(cpu_nodes, None, 32).cpus == 16, "a worker never asks for more cores than a node has"
    assert shape([{"Alive": True, "Resources": {"CPU": 2}}], None, 1).workers == 2
    with pytest.raises(UserError, match="no node"):
        shape([{"Alive": True, "Resources": {"CPU": 0}}], None, None)


def test_without_ray_the_option_says_how_to_install_it(tmp_path):
    (tmp_path / "doc.md").write_text("Un document.", encoding="utf-8")
    code = ("import sys; sys.modules['ray'] = None\n"
            "from generator.cli import main\n"
            f"sys.argv = ['causerie', 'batch', {str(tmp_path)!r}, '-o', {str(tmp_path / 'out')!r}, '--ray']\n"
            "main()")
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines()[-1].endswith(INSTALL) and "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists(), "nothing was started"


def test_cluster_options_need_ray(tmp_path):
    (tmp_path / "doc.md").write_text("Un document.", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "generator.cli", "batch", str(tmp_path), "-o", str(tmp_path / "out"),
                          "--address", "auto"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "go with --ray" in run.stderr


def test_an_address_with_no_cluster_behind_it_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "doc.md").write_text("Un document.", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    run = subprocess.run([sys.executable, "-m", "generator.cli", "batch", str(tmp_path), "-o", str(tmp_path / "out"),
                          "--ray", "--address", "auto"], cwd=REPO, capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("error: cannot reach the Ray cluster at auto")
    assert "Traceback" not in run.stderr and "warn" not in run.stderr.lower()
