"""Benchmark of the speech engines: real-time factor (compute s / audio s) per engine and voice.

Run by hand:  .venv/bin/python bench/bench_speech.py [--engines kokoro,espeak,tone]
Prints a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import date

from generator.speech import engine as engines
from generator.speech.voices import voice_for

TEXT = ("Le grand four solaire d'Odeillo a été mis en service en 1970. Ses 63 héliostats renvoient "
        "la lumière vers un miroir de 54 mètres, et la température dépasse 3 500 °C au foyer.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="kokoro,espeak,tone")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"\n### {date.today()} — {os.cpu_count()} CPU, {platform.machine()}, Python {platform.python_version()}")
    print("Command: `.venv/bin/python bench/bench_speech.py`\n")
    print("| engine | voice | audio s | compute s (median) | RTF | first call s (load) |")
    print("|---|---|---|---|---|---|")
    for name in args.engines.split(","):
        eng = engines.get(name)
        ok, why = eng.available()
        if not ok:
            print(f"| {name} | — | — | — | — | unavailable: {why} |")
            continue
        for position, host in enumerate(("Camille", "Thomas")):
            voice = voice_for(host, position, eng)
            start = time.perf_counter()
            audio = eng.synthesize(TEXT, voice)
            first = time.perf_counter() - start
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                audio = eng.synthesize(TEXT, voice)
                times.append(time.perf_counter() - start)
            median = sorted(times)[len(times) // 2]
            print(f"| {name} | {voice.id} | {audio.duration:.2f} | {median:.2f} | {median / audio.duration:.3f} | {first:.2f} |")


if __name__ == "__main__":
    main()
