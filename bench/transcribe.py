"""Listen to an episode without ears: Whisper base (faster-whisper, from the test set-up's registry
packages) transcribes it; prints the language heard, the transcript and the word error rate against
script.json.

    .venv/bin/python bench/transcribe.py EPISODE_DIR [--seconds N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from generator.speech.engine import spoken  # noqa: E402
from generator.writing.script import Script  # noqa: E402
from whisper_base import whisper_dir, word_error_rate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("episode", type=Path)
    parser.add_argument("--seconds", type=float, default=0, help="only the first N seconds (0: all)")
    args = parser.parse_args()
    audio = next((args.episode / f"episode.{ext}" for ext in ("mp3", "opus", "ogg", "wav")
                  if (args.episode / f"episode.{ext}").is_file()), None)
    if audio is None:
        sys.exit(f"{args.episode}: no episode audio — run `causerie render` first")
    from faster_whisper import WhisperModel

    with tempfile.TemporaryDirectory() as tmp:
        folder = whisper_dir(Path(tmp))
        if folder is None:
            sys.exit("the Whisper base packages are missing: `make setup-test` installs them")
        model = WhisperModel(str(folder), device="cpu", compute_type="int8")
        segments, info = model.transcribe(str(audio), beam_size=1, clip_timestamps=[0, args.seconds] if args.seconds
                                          else "0")
        heard = [s.text.strip() for s in segments]
    script = Script.load(args.episode / "script.json")
    said = " ".join(spoken(t.text) for t in script.turns)
    hypothesis = " ".join(heard)
    print(f"language: {info.language} (p = {info.language_probability:.2f}), {info.duration:.0f} s")
    for line in heard:
        print("  " + line)
    if not args.seconds:
        print(f"word error rate against the script (spoken form): {word_error_rate(said, hypothesis):.1%}")


if __name__ == "__main__":
    main()
