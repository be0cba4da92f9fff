"""Cores shared on purpose: the model's generation and the voice engine's synthesis, alone and together.

Run by hand, nothing else running:
    .venv/bin/python bench/bench_overlap.py LLM_THREADS TTS_THREADS [--model NAME] [--engine kokoro]
Prints one JSON line: each alone, then both at once (the voices on a thread, as `ClipPrefetch` runs
them), and the sequential sum to compare with. `make_episode` overlaps them only where this pays.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.resources import data_dir  # noqa: E402
from generator.speech import engine as engines  # noqa: E402
from generator.speech.voices import voice_for  # noqa: E402
from generator.writing.llm import LlamaCppLLM  # noqa: E402
from generator.writing.models import resolve  # noqa: E402

LINES = ["Le grand four solaire d'Odeillo a été mis en service en 1970 par le CNRS, dans les Pyrénées-Orientales.",
         "Ses soixante-trois héliostats renvoient la lumière du soleil vers un grand miroir parabolique de "
         "cinquante-quatre mètres.",
         "Au foyer, la température peut dépasser trois mille cinq cents degrés, de quoi tester des matériaux "
         "extrêmes."] * 2
SCHEMA = {"type": "object", "properties": {"texte": {"type": "string"}}, "required": ["texte"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("llm_threads", type=int)
    parser.add_argument("tts_threads", type=int)
    parser.add_argument("--model", default="embedded-qwen1.5b")
    parser.add_argument("--engine", default="kokoro")
    args = parser.parse_args()
    llm = LlamaCppLLM(resolve(args.model)[1], n_ctx=4096, n_threads=args.llm_threads)
    engine = engines.get(args.engine)
    engine.threads = args.tts_threads
    voice = voice_for("Camille", 0, engine)
    engine.synthesize("Bonjour.", voice)        # loaded outside the timings
    system = (data_dir("prompts") / "fr" / "systeme.j2").read_text(encoding="utf-8")[:3000]

    def write() -> tuple[float, int]:
        llm._llama.reset()          # every round evaluates the same prompt from scratch
        start, tokens = time.perf_counter(), 0
        for i in range(3):
            out = llm.complete([{"role": "system", "content": system},
                                {"role": "user", "content": f"Écris la réplique {i} sur le four solaire, 60 mots."}],
                               schema=SCHEMA, seed=i, max_tokens=100)
            tokens += out.completion_tokens
        return time.perf_counter() - start, tokens

    def speak(into: list) -> None:
        start, audio = time.perf_counter(), 0.0
        for line in LINES:
            audio += engine.synthesize(line, voice).duration
        into.append((time.perf_counter() - start, audio))

    llm_alone, tokens = write()
    alone: list = []
    speak(alone)
    together: list = []
    thread = threading.Thread(target=speak, args=(together,))
    start = time.perf_counter()
    thread.start()
    llm_together, _ = write()
    thread.join()
    wall = time.perf_counter() - start
    print(json.dumps({"llm_threads": args.llm_threads, "tts_threads": args.tts_threads,
                      "llm_alone_s": round(llm_alone, 1), "tokens": tokens, "tts_alone_s": round(alone[0][0], 1),
                      "audio_s": round(alone[0][1], 1), "together_llm_s": round(llm_together, 1),
                      "together_tts_s": round(together[0][0], 1), "together_wall_s": round(wall, 1),
                      "sequential_s": round(llm_alone + alone[0][0], 1)}))


if __name__ == "__main__":
    main()
