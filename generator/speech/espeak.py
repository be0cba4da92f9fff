"""The espeak-ng engine: robotic but always there, offline, in every distribution.

`espeak-ng -v <voice> -s <wpm> -b 1 --stdin --stdout` reads the spoken text
(UTF-8) on stdin and writes a WAV on stdout, parsed here with `wave`. French
voices: "fr" (male) and "fr+f3" (female variant); when MBROLA and its French
databases are installed, "mb-fr1" (male) and "mb-fr4" (female) are listed too.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import wave
from functools import lru_cache
from pathlib import Path

from .engine import Audio, SpeechError, Voice, fade, pcm16_to_audio, register, spoken

INSTALL = "install it with `sudo apt-get install espeak-ng` (macOS: `brew install espeak-ng`)"
DEFAULT_WPM = 160
TIMEOUT_S = 120
MBROLA_DIRS = (Path("/usr/share/mbrola"), Path("/usr/local/share/mbrola"))
MBROLA_VOICES = (("mb-fr1", "fr1", "MBROLA fr1, voix d'homme"),
                 ("mb-fr4", "fr4", "MBROLA fr4, voix de femme"))


def _mbrola_has(database: str) -> bool:
    return shutil.which("mbrola") is not None and any((d / database).exists() for d in MBROLA_DIRS)


@lru_cache(maxsize=8)
def _version(binary: str) -> str:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    m = re.search(r"(\d+\.\d+(?:\.\d+)?)", out)
    return m.group(1) if m else "unknown"


class EspeakEngine:
    name = "espeak"

    def __init__(self, binary: str = "espeak-ng", wpm: int = DEFAULT_WPM):
        self.binary = binary
        self.wpm = wpm

    def _path(self) -> str | None:
        return shutil.which(self.binary)

    def voices(self) -> list[Voice]:
        found = [Voice(self.name, "fr+f3", description="espeak-ng, voix de femme (variante f3)"),
                 Voice(self.name, "fr", description="espeak-ng, voix d'homme")]
        found += [Voice(self.name, vid, description=desc)
                  for vid, db, desc in MBROLA_VOICES if _mbrola_has(db)]
        return found

    def available(self) -> tuple[bool, str]:
        path = self._path()
        if path is None:
            return False, f"{self.binary} not found: {INSTALL}"
        return True, f"{self.binary} {_version(path)} at {path}"

    def settings_key(self) -> str:
        path = self._path()
        return f"espeak-ng/{_version(path) if path else 'missing'} wpm={self.wpm}"

    def synthesize(self, text: str, voice: Voice) -> Audio:
        path = self._path()
        if path is None:
            raise SpeechError(f"the espeak speech engine needs {self.binary}: {INSTALL}")
        said = spoken(text)
        if not said:
            return Audio.silence(0.1, 22_050)
        wpm = max(80, min(450, round(self.wpm * voice.speed)))
        cmd = [path, "-v", voice.id, "-s", str(wpm), "-b", "1", "--stdin", "--stdout"]
        try:
            run = subprocess.run(cmd, input=said.encode("utf-8"), capture_output=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise SpeechError(f"espeak-ng took more than {TIMEOUT_S} s on one turn ({len(said)} characters)") from None
        except OSError as exc:
            raise SpeechError(f"could not run {path}: {exc}; {INSTALL}") from None
        if run.returncode != 0 or len(run.stdout) < 44:
            detail = run.stderr.decode("utf-8", "replace").strip() or f"exit code {run.returncode}"
            hint = (" (MBROLA voices need `sudo apt-get install mbrola mbrola-fr1 mbrola-fr4`)"
                    if voice.id.startswith("mb-") else "")
            raise SpeechError(f"espeak-ng failed with voice '{voice.id}': {detail}{hint}")
        audio = _parse_wav(run.stdout)
        return Audio(fade(audio.samples, audio.sample_rate, 0.005), audio.sample_rate)


def _parse_wav(data: bytes) -> Audio:
    # On stdout espeak-ng cannot seek back, so the header's sizes are placeholders
    # (0x7fff....); wave reads what is actually there.
    try:
        with wave.open(io.BytesIO(data), "rb") as src:
            frames = src.readframes(src.getnframes())
            return pcm16_to_audio(frames, src.getframerate(), src.getnchannels(), src.getsampwidth())
    except (wave.Error, EOFError) as exc:
        raise SpeechError(f"espeak-ng returned audio that is not a readable WAV: {exc}") from None


register(EspeakEngine.name, EspeakEngine)
