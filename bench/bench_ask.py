"""Benchmark of `causerie ask` on a finished episode: what each answer says first, and what it cost.

Run by hand (not in CI), after bench_script.py kept the episode folder:
    .venv/bin/python bench/bench_ask.py EPISODE_DIR "question 1" "question 2" ... [--model NAME] [--no-audio]
Prints a Markdown table to paste into bench/RESULTS.md with the machine and date.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.ask import Asker, episode_engine, episode_model, load_episode  # noqa: E402
from generator.cost import peak_rss_mb  # noqa: E402
from generator.writing.llm import LlamaCppLLM  # noqa: E402
from generator.writing.models import resolve  # noqa: E402
from generator.writing.text import sentences  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("episode", type=Path)
    parser.add_argument("questions", nargs="+")
    parser.add_argument("--model")
    parser.add_argument("--no-audio", action="store_true")
    args = parser.parse_args()

    start = time.perf_counter()
    _, script, _ = load_episode(args.episode)
    name, path = resolve(args.model or episode_model(script))
    asker = Asker(args.episode, LlamaCppLLM(path, name=name, n_ctx=4096))
    engine = None if args.no_audio else episode_engine(asker.folder, None)
    print(f"episode {asker.folder.name}: {len(asker.index.passages)} passages, {asker.index.words} words; "
          f"model {name}; loaded in {time.perf_counter() - start:.1f} s")
    print("\n| question | answered | how | first sentence | passages cited (position) | s | audio s |")
    print("|---|---|---|---|---|---|---|")
    for question in args.questions:
        t = time.perf_counter()
        answer = asker.answer(question)
        asker.save(answer)
        seconds = time.perf_counter() - t
        t = time.perf_counter()
        if engine is not None:
            asker.speak(answer, engine)
        audio = time.perf_counter() - t if engine is not None else 0.0
        first = (sentences(answer.turns[1].text) or [""])[0]
        cited = ", ".join(f"{c['passage']} ({round(c['position'] * 100)} %)" for c in answer.cited)
        print(f"| {question} | {'yes' if answer.answered else 'no'} | {answer.how} | {first} | {cited} | "
              f"{seconds:.1f} | {audio:.1f} |", flush=True)
    print(f"\npeak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
