"""`make bench`: where an episode's time goes, as ratios first (absolute seconds are noisy here).

Run by hand, nothing else running (two llama.cpp processes on two cores slow each other 20–100×):
    .venv/bin/python bench/bench_speed.py [--model NAME] [--lengths 2,5] [--sizes 1000,10000,60000]

One run, side by side:
 1. sequential vs pipelined wall time: `causerie generate --no-pipeline` then `--pipeline`, same seed;
 2. raw llama-cpp-python vs the pipeline on the same prompts: the pipelined episode's llm-log.jsonl
    replayed call by call through a bare `Llama` (same model, context, threads, grammar and seeds);
 3. raw voice engine vs the pipeline's render: the same lines through `engine.synthesize` alone;
 4. cost against episode length (`--lengths`, pipelined, on `--length-doc`);
 5. cost against input size: the first 1k, 10k and 60k words of one book through reading, the
    passage index and the fact bank (the stages whose cost grows with the input; the model's prompt
    is bounded, see RESULTS.md "Whole input"); `--full-sizes` also writes a script per size.
Every run is its own process (`causerie generate`), so peak RSS is per episode. GPU rows say
"not measured" when llama.cpp has no GPU offload here.
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
sys.path.insert(0, str(REPO))

DEMO = REPO / "examples" / "four-solaire-odeillo.md"
CHAPTER = REPO / "bench" / "docs" / "debian-reference-ch10.fr.html"
BOOK = REPO / "bench" / "docs" / "debian-reference.fr.txt"


def generate(doc: Path, out: Path, model: str, minutes: float, seed: int, *flags: str) -> dict:
    cmd = [sys.executable, "-m", "generator.cli", "generate", str(doc), "-o", str(out), "--model", model,
           "--minutes", str(minutes), "--seed", str(seed), "--force", *flags]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
    folder = Path(proc.stdout.strip()).parent
    report = json.loads((folder / "report.json").read_text())
    return {"wall_s": round(wall, 1), "report": report, "folder": folder}


def replay_raw(log: Path, model: str, n_ctx: int, threads: int) -> dict:
    """The logged calls through a bare llama-cpp-python `Llama`, in the same order."""
    import llama_cpp

    from generator.writing.models import resolve

    llama = llama_cpp.Llama(model_path=str(resolve(model)[1]), n_ctx=n_ctx, n_threads=threads,
                            n_threads_batch=threads, n_gpu_layers=-1 if llama_cpp.llama_supports_gpu_offload() else 0,
                            seed=1, verbose=False)
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    seconds = tokens = 0.0
    for call in calls:
        kwargs = {"response_format": {"type": "json_object", "schema": call["schema"]}} if call.get("schema") else {}
        start = time.perf_counter()
        out = llama.create_chat_completion(messages=call["messages"], temperature=call["temperature"],
                                           seed=call["seed"], max_tokens=call["max_tokens"],
                                           repeat_penalty=call["repeat_penalty"], top_p=0.9, top_k=40, **kwargs)
        seconds += time.perf_counter() - start
        tokens += out["usage"]["completion_tokens"]
    pipeline_s = sum(c["seconds"] for c in calls)
    pipeline_tokens = sum(c["completion_tokens"] for c in calls)
    return {"calls": len(calls), "raw_s": round(seconds, 1), "raw_tokens": int(tokens),
            "raw_tok_s": round(tokens / seconds, 2), "pipeline_s": round(pipeline_s, 1),
            "pipeline_tokens": pipeline_tokens, "pipeline_tok_s": round(pipeline_tokens / pipeline_s, 2)}


def raw_voices(folder: Path, engine_name: str) -> dict:
    """The script's lines through the engine alone: no cache, no mix, no export."""
    from generator.speech import engine as engines
    from generator.speech.voices import voice_for
    from generator.writing.script import Script

    script = Script.load(folder / "script.json")
    engine = engines.get(engine_name)
    positions = {h.name: i for i, h in enumerate(script.hosts)}
    engine.synthesize("Bonjour.", voice_for(script.hosts[0].name, 0, engine))     # load outside the timing
    seconds = audio = 0.0
    for turn in script.turns:
        start = time.perf_counter()
        clip = engine.synthesize(turn.text, voice_for(turn.speaker, positions.get(turn.speaker, 0), engine))
        seconds += time.perf_counter() - start
        audio += clip.duration
    return {"synthesis_s": round(seconds, 1), "audio_s": round(audio, 1), "rtf": round(seconds / audio, 3)}


def size_stages(words: int, seed: int) -> dict:
    """Reading, the passage index and the fact bank on the book's first `words` words, in a child process."""
    code = f"""
import json, re, resource, sys, tempfile, time
from pathlib import Path
from generator.ingest import load_many
from generator.pipeline import fact_bank
from generator.retrieval import open_index
from generator.writing.passages import split_passages
text = Path({str(BOOK)!r}).read_text(encoding='utf-8')
# The book up to the end of its Nth word, lines and chapters as they are.
ends = [m.end() for m in re.finditer(r"\\S+", text)]
tmp = Path(tempfile.mkdtemp())
doc = tmp / 'livre.txt'
doc.write_text(text[:ends[min({words}, len(ends)) - 1]], encoding='utf-8')
t = time.perf_counter(); docs = load_many([doc]); read = time.perf_counter() - t
t = time.perf_counter(); passages = split_passages(docs); index, _ = open_index(tmp / 'index', passages)
indexed = time.perf_counter() - t
t = time.perf_counter(); bank = fact_bank(docs, passages, 2.0, index=index); banked = time.perf_counter() - t
print(json.dumps({{"words": sum(d.words for d in docs), "passages": len(passages), "read_s": round(read, 2),
    "index_s": round(indexed, 1), "bank_s": round(banked, 1), "pool": len(bank.pool),
    "bank_words": sum(f.words for f in bank.facts + bank.reserve),
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}}))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.strip().splitlines()[-1])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="embedded-qwen1.5b")
    parser.add_argument("--engine", default="kokoro")
    parser.add_argument("--doc", type=Path, default=DEMO, help="the document of the sequential/pipelined pair")
    parser.add_argument("--minutes", type=float, default=2.0, help="length of the sequential/pipelined pair")
    parser.add_argument("--lengths", default="5", help="more pipelined episodes, in minutes (e.g. 2,5,10; '' none)")
    parser.add_argument("--length-doc", type=Path, default=CHAPTER)
    parser.add_argument("--sizes", default="1000,10000,60000", help="words of the book for the size series")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip", default="", help="parts to leave out: pair,raw,voices,lengths,sizes")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    out = Path(tempfile.mkdtemp(prefix="causerie-speed-"))
    results: dict = {}

    import llama_cpp
    gpu = bool(llama_cpp.llama_supports_gpu_offload())
    if "pair" not in skip:
        print("… sequential", file=sys.stderr, flush=True)
        results["sequential"] = generate(args.doc, out / "seq", args.model, args.minutes, args.seed,
                                         "--engine", args.engine, "--no-pipeline")
        print("… pipelined", file=sys.stderr, flush=True)
        results["pipelined"] = generate(args.doc, out / "pipe", args.model, args.minutes, args.seed,
                                        "--engine", args.engine, "--pipeline")
    results["lengths"] = {}
    if "lengths" not in skip:
        for minutes in [float(m) for m in args.lengths.split(",") if m.strip()]:
            print(f"… {minutes:g}-minute episode of {args.length_doc.name}", file=sys.stderr, flush=True)
            results["lengths"][minutes] = generate(args.length_doc, out / f"len{minutes:g}", args.model, minutes,
                                                   args.seed, "--engine", args.engine)
    results["sizes"] = []
    if "sizes" not in skip and BOOK.is_file():
        for words in [int(w) for w in args.sizes.split(",") if w.strip()]:
            print(f"… {words} words of the book", file=sys.stderr, flush=True)
            results["sizes"].append(size_stages(words, args.seed))
    # In-process parts after every child: Linux starts a forked child's peak RSS at its parent's RSS.
    if "raw" not in skip and "sequential" in results:
        # The sequential run's calls: its model had the cores to itself, as the raw replay has.
        print("… raw llama-cpp-python replay", file=sys.stderr, flush=True)
        llm = results["sequential"]["report"]["script"]["llm"]
        results["raw_llm"] = replay_raw(results["sequential"]["folder"] / "llm-log.jsonl", args.model,
                                        llm.get("context") or 4096, llm.get("threads") or os.cpu_count())
    if "voices" not in skip and "sequential" in results:
        print("… raw voice engine", file=sys.stderr, flush=True)
        results["raw_tts"] = raw_voices(results["sequential"]["folder"], args.engine)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    report(results, args, gpu)


def _episode_row(name: str, run: dict) -> str:
    rep = run["report"]
    s, r, e = rep["script"], rep["render"], rep["production"]
    llm, b = s["llm"], s["llm"]["breakdown"]
    cost = e["cost"]
    tts = e["synthesis_while_writing_s"] or r["synthesis_seconds"]
    return (f"| {name} | {e['audio_s'] / 60:.2f} | {run['wall_s']} | {e['wall_per_audio_s']} | {llm['generation_s']} | "
            f"{tts} | {ratio(run['wall_s'], max(llm['generation_s'], tts))} | {llm['calls']} | "
            f"{llm['calls_per_kept_turn']} | {llm['yield']} | {b['prompt_tokens_evaluated']}/{b['prompt_tokens']} | "
            f"{b['prompt_eval_s']} / {b['generation_eval_s']} / {b['sampling_and_grammar_s']} | "
            f"{cost['total_wh']:.2f} | {cost['co2_g']:.2f} ({cost['grid']}) | {max(s['peak_rss_mb'], cost['peak_rss_mb']):.0f} |")


def report(results: dict, args, gpu: bool) -> None:
    cpu = platform.processor() or platform.machine()
    print(f"\n### {date.today()} — {os.cpu_count()} CPU ({cpu}), model `{args.model}`, engine `{args.engine}`, "
          f"seed {args.seed}, GPU offload: {'yes' if gpu else 'no'}")
    print(f"Command: `.venv/bin/python bench/bench_speed.py --lengths {args.lengths} --sizes {args.sizes}`\n")
    seq, pipe = results.get("sequential"), results.get("pipelined")
    print("**Ratios**\n")
    print("| what | ratio | goal |")
    print("|---|---|---|")
    if seq and pipe:
        print(f"| pipelined ÷ sequential wall ({args.doc.name}, {args.minutes:g} min) | "
              f"{ratio(pipe['wall_s'], seq['wall_s'])} | < 1 |")
    for name, run in (("sequential", seq), ("pipelined", pipe)):
        if not run:
            continue
        e, s, r = run["report"]["production"], run["report"]["script"]["llm"], run["report"]["render"]
        tts = e["synthesis_while_writing_s"] or r["synthesis_seconds"]
        print(f"| {name}: wall ÷ max(LLM s, TTS s) ({run['wall_s']} s; {s['generation_s']} s, {tts} s) | "
              f"{ratio(run['wall_s'], max(s['generation_s'], tts))} | ≤ 1.15 |")
        print(f"| {name}: wall ÷ audio | {e['wall_per_audio_s']} | ≤ 1 (5 min), ≤ 1.25 (2 min) |")
    if seq:
        s = seq["report"]["script"]["llm"]
        print(f"| generated tokens kept in the script (yield) | {s['yield']} | ≥ 0.5 |")
        print(f"| LLM calls per kept turn | {s['calls_per_kept_turn']} | ≤ 1.5 |")
    if raw := results.get("raw_llm"):
        print(f"| pipeline ÷ raw llama-cpp-python, generated tok/s on the same {raw['calls']} calls | "
              f"{ratio(raw['pipeline_tok_s'], raw['raw_tok_s'])} ({raw['pipeline_tok_s']} vs {raw['raw_tok_s']}) | ≥ 0.9 |")
        print(f"| pipeline ÷ raw, LLM seconds on the same calls | {ratio(raw['pipeline_s'], raw['raw_s'])} "
              f"({raw['pipeline_s']} vs {raw['raw_s']} s) | ≤ 1.1 |")
    if (tts := results.get("raw_tts")) and seq:
        r = seq["report"]["render"]
        print(f"| raw engine ÷ pipeline TTS speed (real-time factors {tts['rtf']} vs {r['real_time_factor']}) | "
              f"{ratio(tts['rtf'], r['real_time_factor'])} | ≥ 0.9 |")
    print(f"| GPU (10-minute episode ≤ 60 s) | {'see the GPU rows' if gpu else 'not measured: no GPU here'} | |")
    runs = [(f"{args.doc.name}, {args.minutes:g} min, sequential", seq), (f"{args.doc.name}, {args.minutes:g} min, "
            "pipelined", pipe)] + [(f"{args.length_doc.name}, {m:g} min, "
                                    f"{'pipelined' if r['report']['production']['pipelined'] else 'sequential'}", r)
                                   for m, r in results.get("lengths", {}).items()]
    print("\n**Episodes**\n")
    print("| episode | audio min | wall s | wall ÷ audio | LLM s | TTS s | wall ÷ max(LLM, TTS) | calls | calls/kept turn "
          "| yield | prompt tokens evaluated/sent | prompt eval / generation / sampling+grammar s | Wh | g CO₂e | "
          "peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, run in runs:
        if run:
            print(_episode_row(name, run))
    if seq:
        print("\n**Where the sequential episode's LLM time went**\n")
        print("| purpose | calls | prompt tokens (evaluated) | generated | s | prompt eval s | generation s | "
              "sampling+grammar s |")
        print("|---|---|---|---|---|---|---|---|")
        for name, row in seq["report"]["script"]["llm"]["breakdown"]["by_purpose"].items():
            print(f"| {name} | {row['calls']} | {row['prompt_tokens']} ({row['prompt_tokens_evaluated']}) | "
                  f"{row['completion_tokens']} | {row['seconds']} | {row['prompt_eval_s']} | {row['generation_eval_s']} | "
                  f"{row['sampling_and_grammar_s']} |")
        cost = seq["report"]["production"]["cost"]
        print(f"\nEnergy: {cost['cpu_energy']}.")
        ladder = seq["report"]["script"]["ladder"]
        print(f"\nLadder: {ladder['passed_first']}/{ladder['first_tries']} turns passed at the first try; "
              + "; ".join(f"{rung} saved {ladder[rung]['saved']}/{ladder[rung]['tries']} (after: "
                          + ", ".join(f"{c} {saved}/{tries}" for c, (tries, saved) in ladder[rung]['after'].items())
                          + ")" for rung in ("regenerate", "rewrite")))
    if results.get("sizes"):
        print("\n**Cost against input size** (the book's first N words: the stages that read the whole input)\n")
        print("| words | passages | read s | index s | fact bank s | pool | words for the model | peak RSS MB |")
        print("|---|---|---|---|---|---|---|---|")
        for row in results["sizes"]:
            print(f"| {row['words']:,} | {row['passages']} | {row['read_s']} | {row['index_s']} | {row['bank_s']} | "
                  f"{row['pool']} | {row['bank_words']} | {row['peak_rss_mb']} |")


if __name__ == "__main__":
    main()
