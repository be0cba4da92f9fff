"""Benchmark of the speech engines: real-time factor (compute s / audio s) per engine and voice.

Run by hand:  .venv/bin/python bench/bench_speech.py [--engines kokoro,espeak,tone] [--device auto|cpu|cuda]
              .venv/bin/python bench/bench_speech.py --engines xtts --random-xtts --repeat 1
Prints a Markdown table for bench/RESULTS.md.

`--random-xtts` builds XTTS-v2's real architecture (30 GPT layers, 456 M parameters) with
random weights into a temporary models folder, so its speed can be measured without the
CPML weights: random weights babble until the audio-token limit, so compute time per
second of audio (RTF) is the honest figure, not the clip length.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from generator.speech import engine as engines
from generator.speech.voices import voice_for

TEXT = ("Le grand four solaire d'Odeillo a été mis en service en 1970. Ses 63 héliostats renvoient "
        "la lumière vers un miroir de 54 mètres, et la température dépasse 3 500 °C au foyer.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="kokoro,espeak,tone")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--text", default=TEXT, help="the French text to say (default: two sentences, 30 words)")
    parser.add_argument("--random-xtts", action="store_true",
                        help="build XTTS-v2's architecture with random weights in a temporary models folder")
    args = parser.parse_args()
    if args.random_xtts:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from coqui_models import build_random_xtts

        home = Path(tempfile.mkdtemp(prefix="causerie-bench-"))
        os.environ["CAUSERIE_HOME"] = str(home)
        start = time.perf_counter()
        build_random_xtts(home / "models" / "xtts-v2")
        print(f"random XTTS-v2 built in {time.perf_counter() - start:.1f} s ({home})", file=sys.stderr)
    print(f"\n### {date.today()} — {os.cpu_count()} CPU, {platform.machine()}, Python {platform.python_version()}")
    print(f"Command: `.venv/bin/python {' '.join(sys.argv)}`\n")
    print("| engine | voice | audio s | compute s (median) | RTF | first call s (load) |")
    print("|---|---|---|---|---|---|")
    for name in args.engines.split(","):
        eng = engines.get(name)
        if hasattr(eng, "device"):
            eng.device = args.device
        ok, why = eng.available()
        if not ok:
            print(f"| {name} | — | — | — | — | unavailable: {why} |")
            continue
        for position, host in enumerate(("Camille", "Thomas")):
            voice = voice_for(host, position, eng)
            start = time.perf_counter()
            audio = eng.synthesize(args.text, voice)
            first = time.perf_counter() - start
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                audio = eng.synthesize(args.text, voice)
                times.append(time.perf_counter() - start)
            median = sorted(times)[len(times) // 2]
            print(f"| {name} | {voice.id} | {audio.duration:.2f} | {median:.2f} | {median / audio.duration:.3f} | {first:.2f} |",
                  flush=True)


if __name__ == "__main__":
    main()
