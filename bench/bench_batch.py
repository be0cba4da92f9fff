"""Batch bench: `causerie batch` over 1 and over N real documents (bad ones among them), peak memory
of the process for each, then the same command again (should do no work).

    .venv/bin/python bench/bench_batch.py [--sizes 1 10] [--minutes 0.5] [--model NAME] [--engine NAME]
                                           [--keep DIR] [--json FILE]

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 10])
    ap.add_argument("--minutes", type=float, default=0.5)
    ap.add_argument("--model")
    ap.add_argument("--engine")
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
        results.append(entry)
        print(json.dumps({k: v for k, v in entry.items() if k != "per_document"}, ensure_ascii=False))
    data = {"date": time.strftime("%Y-%m-%d"), "machine": platform.processor() or platform.machine(),
            "cores": os.cpu_count(), "command": " ".join(sys.argv), "results": results}
    if args.json:
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"episodes in {root}")


if __name__ == "__main__":
    main()
