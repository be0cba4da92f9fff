"""The "tone" engine: a deterministic stand-in voice for tests and dry runs.

A voice id is a frequency in Hz ("220", "110"); a clip is a sine at that
frequency lasting 0.06 s per character of spoken text (at least 0.3 s),
divided by the voice speed, with 10 ms fades, at 24 kHz. Always available.
"""

from __future__ import annotations

import numpy as np

from .engine import Audio, SpeechError, Voice, fade, register, spoken

SAMPLE_RATE = 24_000
SECONDS_PER_CHAR = 0.06
MIN_SECONDS = 0.3
AMPLITUDE = 0.3
VERSION = 1


class ToneEngine:
    name = "tone"

    def voices(self) -> list[Voice]:
        return [Voice(self.name, "220", description="tone aigu (première voix)"),
                Voice(self.name, "110", description="tone grave (seconde voix)")]

    def available(self) -> tuple[bool, str]:
        return True, "built-in test tones (no speech)"

    def settings_key(self) -> str:
        return f"tone/{VERSION} sr={SAMPLE_RATE} spc={SECONDS_PER_CHAR} min={MIN_SECONDS}"

    def duration_for(self, text: str, speed: float = 1.0) -> float:
        return max(MIN_SECONDS, SECONDS_PER_CHAR * len(spoken(text))) / max(speed, 1e-3)

    def synthesize(self, text: str, voice: Voice) -> Audio:
        try:
            freq = float(voice.id)
        except ValueError:
            raise SpeechError(f"tone voice ids are frequencies in Hz (e.g. '220'), got '{voice.id}'") from None
        if not 20.0 <= freq <= SAMPLE_RATE / 2:
            raise SpeechError(f"tone voice frequency {freq:g} Hz is outside 20–{SAMPLE_RATE // 2} Hz")
        n = round(self.duration_for(text, voice.speed) * SAMPLE_RATE)
        t = np.arange(n, dtype=np.float64) / SAMPLE_RATE
        wave = (AMPLITUDE * np.sin(2 * np.pi * freq * t)).astype(np.float32)
        return Audio(fade(wave, SAMPLE_RATE), SAMPLE_RATE)


register(ToneEngine.name, ToneEngine)
