"""Benchmark of the writing stage: time, calls, tokens, memory, and what a listener gets.

Run by hand (not in CI):
    bench/fetch_docs.sh                                   # once: real documents not kept in the repo
    .venv/bin/python bench/bench_script.py [--model NAME] [--minutes N] [DOC...]
Each document runs in its own process (`causerie script`), so peak RSS is per script; the
listener figures come from bench/listener.py, which reads script.json and the sources.
Prints Markdown tables to paste into bench/RESULTS.md with the machine and date.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from listener import measure  # noqa: E402

SAMPLES = REPO.parent / "shared" / "samples"
# The three examples written for the project, then real documents written by others: a French web
# article, a French blog post, a WhatsApp export chunk, an English web page (bench/fetch_docs.sh).
DEFAULT_DOCS = [REPO / "examples" / "four-solaire-odeillo.md", REPO / "examples" / "seed-vault.html",
                REPO / "examples" / "whatsapp-velo.txt", SAMPLES / "001_e5100aca4788bb3e.txt",
                SAMPLES / "003_e8eac2a3386c0a42.txt", SAMPLES / "000_3d0335aaece0ce41.txt",
                REPO / "bench" / "docs" / "debian-history-intro.en.html"]


def run_one(doc: Path, model: str, minutes: float, seed: int, out: Path) -> dict:
    cmd = [sys.executable, "-m", "generator.cli", "script", str(doc), "-o", str(out), "--model", model,
           "--minutes", str(minutes), "--seed", str(seed), "--force"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        return {"doc": doc.name, "error": (proc.stderr.strip().splitlines() or ["?"])[-1]}
    folder = Path(proc.stdout.strip()).parent
    report = json.loads((folder / "report.json").read_text())["script"]
    return {"doc": doc.name, "wall_s": round(wall, 1), "report": report, "listener": measure(folder),
            "folder": str(folder)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", nargs="*", type=Path, default=DEFAULT_DOCS)
    parser.add_argument("--model", default="embedded-qwen1.5b")
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path, help="also write raw results here")
    parser.add_argument("--keep", type=Path, help="copy each episode folder here (to read script.md)")
    args = parser.parse_args()
    docs = [d for d in args.docs if d.exists()]
    for missing in set(args.docs) - set(docs):
        print(f"skipped (absent): {missing} — bench/fetch_docs.sh fetches the real documents", file=sys.stderr)
    results = []
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"causerie-bench-{os.getpid()}"
    for doc in docs:
        print(f"… {doc.name}", file=sys.stderr, flush=True)
        result = run_one(doc, args.model, args.minutes, args.seed, out)
        results.append(result)
        if args.keep and "folder" in result:
            shutil.copytree(result["folder"], args.keep / doc.stem, dirs_exist_ok=True)
    shutil.rmtree(out, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"\n### {date.today()} — {platform.node() or 'machine'}: {os.cpu_count()} CPU, "
          f"{platform.machine()}, Python {platform.python_version()}, model `{args.model}`, "
          f"--minutes {args.minutes}, seed {args.seed}")
    print(f"Command: `.venv/bin/python bench/bench_script.py --model {args.model} --minutes {args.minutes}`\n")
    print("What a listener gets (bench/listener.py):\n")
    print("| document | minutes (×target) | source facts / min | echo | meta | unanswered ? | absent from sources | "
          "closing | Grammalecte / 100 words | factual turns citing | non-FR | copied | repeated | concrete opening |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        if "error" in r:
            print(f"| {r['doc']} | error: {r['error']} |")
            continue
        m = r["listener"]
        print(f"| {r['doc']} | {m['minutes']} ({m['length_vs_target']}) | {m['facts_per_minute']} | {m['echo_turns']} | "
              f"{m['meta_turns']} | {m['unanswered_questions']} | {', '.join(m['absent_from_sources']) or 0} | "
              f"{'yes' if m['closing'] else 'NO'} | {m['grammar_errors_per_100_words']} | "
              f"{m['factual_turns_citing']:.0%} | {m['non_french_turns']} | {m['copied']:.1%} | {m['repeated']:.1%} | "
              f"{'yes' if m['concrete_opening'] else 'NO'} |")
    print("\nCost:\n")
    print("| document | wall s | LLM s | LLM calls | calls per kept turn | gen tok | gen tok/s | prompt tok | "
          "peak RSS MB | turns (planned/checked/regen/repaired/fallback) | left out | checks fired |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        if "error" in r:
            continue
        rep, llm = r["report"], r["report"]["llm"]
        t = rep["turns"]
        kept = sum(t.values())
        fired = ", ".join(f"{k} {v}" for k, v in list(rep["checks_fired"].items())[:6])
        print(f"| {r['doc']} | {r['wall_s']} | {llm['generation_s']} | {llm['calls']} | "
              f"{llm['calls'] / max(1, kept):.2f} | {llm['completion_tokens']} | {llm['tokens_per_second']} | "
              f"{llm['prompt_tokens']} | {rep['peak_rss_mb']} | {t['planned']}/{t['checked']}/{t['regenerated']}/"
              f"{t['repaired']}/{t['fallback']} | {len(rep['dropped'])} | {fired} |")


if __name__ == "__main__":
    main()
