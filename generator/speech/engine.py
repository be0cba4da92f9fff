"""The speech engine protocol, the engine registry and the clip cache key.

An engine turns the *written* text of one turn into audio for one `Voice`. It
calls `spoken(text)` itself (French normalisation: numbers, dates, acronyms
become words), so `clip_key` can hash exactly what the voice says: two written
forms that read the same ("3 €" / "trois euros") share one cached clip.

Engines are named in `ENGINES` (name -> factory). The built-in modules register
themselves when first imported; `get`, `names` and `best_available` import them
on demand, so a missing optional engine costs nothing until it is asked for.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Protocol, runtime_checkable

import numpy as np

from ..errors import UserError
from .normalize_fr import normalize

__all__ = [
    "Audio", "Voice", "SpeechEngine", "SpeechError", "ENGINES", "register", "get", "names",
    "best_available", "spoken", "clip_key", "register_folder_engine",
]


class SpeechError(UserError):
    """A voice could not be synthesised; the message says what to install or change."""


@dataclass(frozen=True)
class Voice:
    engine: str
    id: str
    language: str = "fr"
    speed: float = 1.0
    description: str = ""


@dataclass
class Audio:
    """Mono float32 samples in [-1, 1]."""

    samples: np.ndarray
    sample_rate: int

    def __post_init__(self) -> None:
        samples = np.asarray(self.samples, dtype=np.float32)
        if samples.ndim != 1:
            raise ValueError(f"Audio needs mono samples, got shape {samples.shape}")
        self.samples = np.clip(samples, -1.0, 1.0)
        self.sample_rate = int(self.sample_rate)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate if self.sample_rate else 0.0

    @classmethod
    def silence(cls, seconds: float, sample_rate: int) -> "Audio":
        return cls(np.zeros(max(0, round(seconds * sample_rate)), dtype=np.float32), sample_rate)

    def write_wav(self, path: Path) -> Path:
        """16-bit PCM WAV."""
        pcm = np.round(self.samples * 32767.0).astype("<i2")
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.sample_rate)
            out.writeframes(pcm.tobytes())
        return Path(path)

    @classmethod
    def read_wav(cls, path: Path) -> "Audio":
        with wave.open(str(path), "rb") as src:
            return pcm16_to_audio(src.readframes(src.getnframes()), src.getframerate(),
                                  src.getnchannels(), src.getsampwidth())


def pcm16_to_audio(data: bytes, sample_rate: int, channels: int = 1, sampwidth: int = 2) -> Audio:
    if sampwidth != 2:
        raise SpeechError(f"unsupported WAV sample width {sampwidth * 8} bits (expected 16)")
    data = data[: len(data) - len(data) % (2 * channels)]
    samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return Audio(samples, sample_rate)


@runtime_checkable
class SpeechEngine(Protocol):
    name: str

    def voices(self) -> list[Voice]: ...

    def available(self) -> tuple[bool, str]:
        """(usable now and offline?, one line: what was found / what to install)."""
        ...

    def synthesize(self, text: str, voice: Voice) -> Audio:
        """Written text -> audio; the engine normalises through `spoken`."""
        ...

    def settings_key(self) -> str:
        """Engine version and options: part of the clip cache key."""
        ...


# --------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------

ENGINES: dict[str, Callable[[], SpeechEngine]] = {}

# A model folder given in place of a name (`--engine ~/voices/my-vits`): each loader
# returns an engine for a folder it recognises, else None.
FOLDER_ENGINES: list[Callable[[Path], "SpeechEngine | None"]] = []

# Modules under generator/speech/ that register an engine when imported. Optional
# ones may be absent from a checkout; their heavy dependencies must be imported
# lazily (in available()/synthesize()), never at module import.
BUILTIN_MODULES = ("tone", "espeak", "kokoro", "coqui")

DEFAULT_PREFERENCE = ("xtts", "kokoro", "espeak")

_loaded = False


def register(name: str, factory: Callable[[], SpeechEngine]) -> Callable[[], SpeechEngine]:
    ENGINES[name] = factory
    return factory


def register_folder_engine(loader: Callable[[Path], "SpeechEngine | None"]) -> None:
    FOLDER_ENGINES.append(loader)


def _load_builtins() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in BUILTIN_MODULES:
        full = f"{__package__}.{module}"
        try:
            importlib.import_module(full)
        except ModuleNotFoundError as exc:
            if exc.name != full:      # the module exists but one of its imports is missing
                raise


def names() -> list[str]:
    _load_builtins()
    return sorted(ENGINES)


def get(name: str) -> SpeechEngine:
    _load_builtins()
    if name in ENGINES:
        return ENGINES[name]()
    folder = Path(name).expanduser()
    if folder.is_dir():
        for loader in FOLDER_ENGINES:
            engine = loader(folder)
            if engine is not None:
                return engine
        raise SpeechError(f"{folder} is not a model folder any engine knows "
                          "(a Coqui model needs config.json and model.pth)")
    raise SpeechError(f"unknown speech engine '{name}' (known: {', '.join(sorted(ENGINES))}, "
                      "or the path of a Coqui model folder)")


def best_available(preference: Iterable[str] = DEFAULT_PREFERENCE) -> SpeechEngine:
    """The first engine of `preference` that is registered and usable now.

    Names that are not registered are skipped. An engine may be usable yet too
    slow to pick unasked (`auto_choice`: XTTS on a CPU). When none is usable the
    error lists every reason, so the user sees what to install.
    """
    _load_builtins()
    reasons = []
    for name in preference:
        if name not in ENGINES:
            reasons.append(f"{name}: not part of this installation")
            continue
        engine = ENGINES[name]()
        check = getattr(engine, "auto_choice", engine.available)
        ok, why = check()
        if ok:
            return engine
        reasons.append(f"{name}: {why}")
    raise SpeechError("no speech engine is usable — " + "; ".join(reasons))


# --------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------

def spoken(text: str) -> str:
    """What the voice says for a written turn (French normalisation, spaces tidied)."""
    return " ".join(normalize(text).split())


def clip_key(text: str, voice: Voice, engine: SpeechEngine) -> str:
    """sha256 over the spoken text, the voice and the engine's settings.

    The voice description is left out: it documents, it does not change the sound.
    """
    payload = {
        "text": spoken(text),
        "engine": engine.name,
        "settings": engine.settings_key(),
        "voice": {"engine": voice.engine, "id": voice.id, "language": voice.language,
                  "speed": round(float(voice.speed), 4)},
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def fade(samples: np.ndarray, sample_rate: int, seconds: float = 0.01) -> np.ndarray:
    """A copy with a linear fade in and out, so clips never click."""
    out = np.array(samples, dtype=np.float32, copy=True)
    n = min(len(out) // 2, int(seconds * sample_rate))
    if n > 0:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        out[:n] *= ramp
        out[-n:] *= ramp[::-1]
    return out
