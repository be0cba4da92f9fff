"""Batch bench: `causerie batch` over 1 and over N real documents (bad ones among them), peak memory
of the process for each, then the same command again (should do no work).

    .venv/bin/python bench/bench_batch.py [--sizes 1 10] [--minutes 0.5] [--model NAME] [--engine NAME]
                                           [--ray CPUS [CPUS ...]] [--keep DIR] [--json FILE]

With --ray, the same folder is also made with `batch --ray --cpus-per-worker C` on a local Ray
instance, once per C given (C = all cores: one worker, Ray's overhead alone; C = 1: a worker per
core), each into its own OUTDIR: wall time as a ratio to the local batch's, and whether each
episode's files are byte-identical to the local batch's. Peak memory is then the driver's only.

Documents: the repository's examples, bench/docs/ (bench/fetch_docs.sh) and ../shared/samples/
when present, plus three bad files (empty, binary, too short) in every folder but the 1-document one.
Peak memory is the batch process's maximum resident set (getrusage of the finished child).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def documents() -> list[Path]:
    found = [REPO / "examples" / "four-solaire-odeillo.md"]
    found += sorted(p for p in (REPO / "examples").iterdir() if p not in found)
    found += sorted((REPO / "bench" / "docs").glob("*")) if (REPO / "bench" / "docs").is_dir() else []
    samples = REPO.parent / "shared" / "samples"
    found += sorted(samples.glob("*.txt")) if samples.is_dir() else []
    return found


def folder_of(n: int, root: Path, bad: bool) -> Path:
    docs = documents()
    if len(docs) < n:
        sys.exit(f"only {len(docs)} documents available; run bench/fetch_docs.sh")
    folder = root / f"docs-{n}"
    folder.mkdir(parents=True)
    for i, doc in enumerate(docs[:n]):
        shutil.copy(doc, folder / f"{i:02d}-{doc.name}")
    if bad:
        (folder / "vide.txt").write_text("", encoding="utf-8")
        (folder / "binaire.pdf").write_bytes(bytes(range(256)) * 40)
        (folder / "court.md").write_text("Trois mots seulement.", encoding="utf-8")
    return folder


def run(command: list[str]) -> dict:
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
        # wait4 gives this child's own peak, not the largest of every child so far.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        err.seek(0)
        tail = err.read().decode(errors="replace")[-1500:]
    return {"rc": os.waitstatus_to_exitcode(status), "wall_s": round(wall, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "stderr_tail": tail}


# The files an episode is made of (report.json and the call log have timings: not compared).
EPISODE_FILES = ("script.json", "script.md", "chapters.json", "transcript.srt", "transcript.vtt")


def same_files(local: Path, other: Path) -> dict[str, bool]:
    """Per episode of the local batch: whether `other` holds the same bytes for each of its files."""
    same = {}
    for folder in sorted(p for p in local.iterdir() if p.is_dir()):
        files = [folder / f for f in EPISODE_FILES] + sorted(folder.glob("episode.*"))
        same[folder.name] = all((other / folder.name / f.name).is_file()
                                and (other / folder.name / f.name).read_bytes() == f.read_bytes()
                                for f in files if f.is_file())
    return same


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 10])
    ap.add_argument("--minutes", type=float, default=0.5)
    ap.add_argument("--model")
    ap.add_argument("--engine")
    ap.add_argument("--ray", type=int, nargs="+", default=[], metavar="CPUS",
                    help="also run batch --ray with workers of CPUS cores each (one run per value)")
    ap.add_argument("--keep", type=Path, help="folder to keep the episodes in (default: a temp folder)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="causerie-bench-batch-"))
    results = []
    for n in sorted(args.sizes):
        folder = folder_of(n, root, bad=n > 1)
        out = root / f"out-{n}"
        command = [sys.executable, "-m", "generator.cli", "batch", str(folder), "-o", str(out),
                   "--minutes", str(args.minutes)]
        command += ["--model", args.model] if args.model else []
        command += ["--engine", args.engine] if args.engine else []
        first = run(command)
        report = json.loads((out / "batch-report.json").read_text(encoding="utf-8"))
        again = run(command)
        entry = {"documents": n, "files": len(list(folder.iterdir())), "first": first, "again": again,
                 "summary": report["summary"],
                 "per_document": [{k: d[k] for k in ("name", "status", "seconds", "minutes", "error")}
                                  for d in report["documents"]]}
        for cpus in args.ray:
            ray_out = root / f"out-{n}-ray-{cpus}"
            ray_command = [*command[:6], str(ray_out), *command[7:], "--ray", "--cpus-per-worker", str(cpus)]
            made = run(ray_command)
            again_ray = run(ray_command)
            entry.setdefault("ray", []).append({
                "cpus_per_worker": cpus, "first": made, "again": again_ray,
                "wall_ratio_to_local": round(made["wall_s"] / first["wall_s"], 3),
                "identical_to_local": same_files(out, ray_out)})
        results.append(entry)
        print(json.dumps({k: v for k, v in entry.items() if k != "per_document"}, ensure_ascii=False))
    data = {"date": time.strftime("%Y-%m-%d"), "machine": platform.processor() or platform.machine(),
            "cores": os.cpu_count(), "command": " ".join(sys.argv), "results": results}
    if args.json:
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"episodes in {root}")


if __name__ == "__main__":
    main()
