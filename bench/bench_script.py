"""Benchmark of the writing stage: time per script, tokens/s, peak memory, quality.

Run by hand (not in CI):  .venv/bin/python bench/bench_script.py [--model NAME] [--minutes N] DOC...
Each document runs in its own process so peak RSS is per script. Prints a
Markdown table to paste into bench/RESULTS.md with the machine and date.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DOCS = [REPO / "examples" / "four-solaire-odeillo.md", REPO / "examples" / "seed-vault.html",
                REPO / "examples" / "whatsapp-velo.txt"]


def run_one(doc: Path, model: str, minutes: float, seed: int, out: Path) -> dict:
    cmd = [sys.executable, "-m", "generator.cli", "script", str(doc), "-o", str(out), "--model", model,
           "--minutes", str(minutes), "--seed", str(seed), "--force"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        return {"doc": doc.name, "error": proc.stderr.strip().splitlines()[-1]}
    folder = Path(proc.stdout.strip()).parent
    report = json.loads((folder / "report.json").read_text())["script"]
    script = json.loads((folder / "script.json").read_text())
    return {"doc": doc.name, "wall_s": round(wall, 1), "report": report,
            "turns": len(script["turns"]), "opening": [t["text"] for t in script["turns"][:2]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", nargs="*", type=Path, default=DEFAULT_DOCS)
    parser.add_argument("--model", default="embedded-qwen1.5b")
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path, help="also write raw results here")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for doc in args.docs:
            print(f"… {doc.name}", file=sys.stderr, flush=True)
            results.append(run_one(doc, args.model, args.minutes, args.seed, Path(tmp)))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"\n### {date.today()} — {platform.node() or 'machine'}: {os.cpu_count()} CPU, "
          f"{platform.machine()}, Python {platform.python_version()}, model `{args.model}`, "
          f"--minutes {args.minutes}, seed {args.seed}")
    print(f"Command: `.venv/bin/python bench/bench_script.py --model {args.model} --minutes {args.minutes}`\n")
    print("| document | wall s | LLM s | gen tok/s | prompt tok | gen tok | peak RSS MB | minutes | "
          "turns (checked/regen/repaired/flagged) | non-FR turns | copied | repeated | concrete opening |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        if "error" in r:
            print(f"| {r['doc']} | error: {r['error']} |")
            continue
        rep, llm = r["report"], r["report"]["llm"]
        t = rep["turns"]
        print(f"| {r['doc']} | {r['wall_s']} | {llm['generation_s']} | {llm['tokens_per_second']} | "
              f"{llm['prompt_tokens']} | {llm['completion_tokens']} | {rep['peak_rss_mb']} | {rep['minutes']} | "
              f"{r['turns']} ({t['checked']}/{t['regenerated']}/{t['repaired']}/{t['flagged']}) | "
              f"{rep['non_french_turns']} | {rep['copied_ratio']:.1%} | {rep['repeated_ratio']:.1%} | "
              f"{rep['opening_concrete']} |")


if __name__ == "__main__":
    main()
