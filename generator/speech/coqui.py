"""Coqui TTS (`coqui-tts`): XTTS-v2, the quality path, and any local Coqui model folder.

Two registered names share one class:

- `xtts` reads the folder `causerie models pull xtts-v2` fills (`config.json`,
  `model.pth`, `vocab.json`, `speakers_xtts.pth`, as in the hub repo
  coqui/XTTS-v2). Voices are its built-in speakers ("Ana Florence") or a
  reference clip of the host (`camille.wav` in `voices/`, 6–30 s of clean speech),
  which XTTS clones.
- any folder holding a Coqui `config.json` and its checkpoint (`model.pth`,
  `model_file.pth` or `best_model.pth`) is an engine too: pass the folder as
  `--engine /path/to/folder`. Its speakers are the voices.

Both load through `TTS.utils.synthesizer.Synthesizer`, on the GPU when CUDA is
there (device "auto"). Nothing here downloads: a folder is used as it is on disk.

Long turns are cut below the model's input limit (XTTS reads at most ~250
characters of French well) at sentence ends and joined with a short breath of
silence; the edges of each piece are trimmed of silence so the joins sound like
one speaker pausing, not two clips. Each piece is sampled with a seed taken from
its text and voice, so a clip is the same from one render to the next.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import threading
from pathlib import Path

import numpy as np

from ..config import models_dir
from .engine import Audio, SpeechError, Voice, fade, register, register_folder_engine, spoken
from .split import split_text
from .voices import voices_dir

INSTALL = "pip install -r requirements/coqui.txt"
XTTS_MODEL = "xtts-v2"                       # its name in the model registry (writing/models.py)
XTTS_FILES = ("config.json", "model.pth", "vocab.json")
XTTS_CHAR_LIMIT = 250
OTHER_CHAR_LIMIT = 400
CHECKPOINT_NAMES = ("model.pth", "model_file.pth", "best_model.pth")
PIECE_PAUSE_S = 0.12
SILENCE_DB = -45.0
KEEP_EDGE_S = 0.03
DEVICES = ("auto", "cpu", "cuda")
LANGUAGE = "fr"


def xtts_dir() -> Path:
    return models_dir() / XTTS_MODEL


def checkpoint_in(folder: Path) -> Path | None:
    for name in CHECKPOINT_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def is_model_folder(folder: Path) -> bool:
    return folder.is_dir() and (folder / "config.json").is_file() and checkpoint_in(folder) is not None


def installed() -> tuple[bool, str]:
    missing = [m for m in ("torch", "TTS") if importlib.util.find_spec(m) is None]
    if missing:
        return False, f"coqui-tts is not installed ({', '.join(missing)} missing): {INSTALL}"
    return True, "coqui-tts " + importlib.metadata.version("coqui-tts")


def trim_silence(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Cut leading and trailing silence, keeping a few milliseconds so words are not clipped."""
    if samples.size == 0:
        return samples
    threshold = 10.0 ** (SILENCE_DB / 20.0)
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if loud.size == 0:
        return samples[:0]
    keep = int(KEEP_EDGE_S * sample_rate)
    return samples[max(0, loud[0] - keep): min(samples.size, loud[-1] + 1 + keep)]


def _seed(*parts: str) -> int:
    return int(hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:8], 16)


class CoquiEngine:
    """One Coqui model folder. Cheap to create; the model loads on the first synthesis."""

    def __init__(self, folder: Path | None = None, device: str = "auto", name: str = "coqui"):
        if device not in DEVICES:
            raise ValueError(f"device must be one of {', '.join(DEVICES)}, got {device!r}")
        env = os.environ.get("CAUSERIE_COQUI_MODEL")
        self.folder = Path(folder).expanduser() if folder else (Path(env).expanduser() if env else None)
        self.device = device
        self.name = name
        self._synth = None
        self._loaded_on: str | None = None
        self._speakers: list[str] | None = None
        self._lock = threading.Lock()

    @classmethod
    def xtts(cls, device: str = "auto") -> "CoquiEngine":
        return cls(xtts_dir(), device=device, name="xtts")

    # ---- what is on disk -----------------------------------------------------------

    def _config(self) -> dict:
        assert self.folder is not None
        try:
            return json.loads((self.folder / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SpeechError(f"cannot read {self.folder / 'config.json'}: {exc}") from None

    @functools.cached_property
    def is_xtts(self) -> bool:
        return self.name == "xtts" or (self.folder is not None and (self.folder / "config.json").is_file()
                                       and self._config().get("model") == "xtts")

    @property
    def char_limit(self) -> int:
        return XTTS_CHAR_LIMIT if self.is_xtts else OTHER_CHAR_LIMIT

    def available(self) -> tuple[bool, str]:
        ok, why = installed()
        if not ok:
            return False, why
        if self.folder is None:
            return False, "no model folder: pass one as --engine /path/to/folder (config.json + model.pth)"
        if self.name == "xtts":
            missing = [f for f in XTTS_FILES if not (self.folder / f).is_file()]
            if missing:
                return False, (f"XTTS-v2 is not downloaded: causerie models pull {XTTS_MODEL} "
                               "(1.9 GB, Coqui Public Model License: non-commercial use only)")
        elif not is_model_folder(self.folder):
            return False, f"{self.folder} is not a Coqui model folder (config.json + model.pth expected)"
        return True, f"{why}, model {self.folder}"

    def auto_choice(self) -> tuple[bool, str]:
        """Picked without --engine only where it is fast enough: on a GPU (XTTS on 2 CPU cores: ~3.5 s per second of audio)."""
        ok, why = self.available()
        if not ok:
            return ok, why
        import torch

        if not torch.cuda.is_available():
            return False, "downloaded, but chosen automatically only on a GPU (use --engine xtts on the CPU)"
        return True, why

    def _speaker_names(self) -> list[str]:
        # Read once per engine: every synthesis checks its voice against this list.
        if self._speakers is None:
            self._speakers = self._read_speaker_names()
        return self._speakers

    def _read_speaker_names(self) -> list[str]:
        assert self.folder is not None
        if self.is_xtts:
            path = self.folder / "speakers_xtts.pth"
            if not path.is_file():
                return []
            import torch

            return sorted(torch.load(path, map_location="cpu", weights_only=True))
        names = self._config_speakers()
        return names if names else ["default"]

    def _config_speakers(self) -> list[str]:
        config = self._config()
        for ref in (config.get("speakers_file"), (config.get("model_args") or {}).get("speakers_file")):
            path = self._local(ref)
            if path is None:
                continue
            if path.suffix == ".json":
                return sorted(json.loads(path.read_text(encoding="utf-8")))
            import torch

            return sorted(torch.load(path, map_location="cpu", weights_only=True))
        return []

    def _local(self, ref: str | None) -> Path | None:
        """A file the config names, found where it says or, for a moved folder, beside the config."""
        if not ref:
            return None
        path = Path(ref)
        if path.is_file():
            return path
        assert self.folder is not None
        beside = self.folder / path.name
        return beside if beside.is_file() else None

    def _clips(self) -> list[Path]:
        folder = voices_dir()
        return sorted(folder.glob("*.wav")) if folder.is_dir() else []

    def voices(self) -> list[Voice]:
        if not self.available()[0]:
            return []
        out = [Voice(self.name, s, description=f"{self.name}: voix intégrée") for s in self._speaker_names()]
        if self.is_xtts:
            out += [Voice(self.name, clip.name, description=f"xtts: voix clonée depuis {clip}")
                    for clip in self._clips()]
        return out

    def default_voices(self) -> tuple[str, str]:
        if self.is_xtts:
            return ("Ana Florence", "Damien Black")
        names = self._speaker_names()
        return (names[0], names[1] if len(names) > 1 else names[0])

    def settings_key(self) -> str:
        ok, version = installed()
        model = "none"
        if self.folder is not None and (self.folder / "config.json").is_file():
            digest = hashlib.sha256((self.folder / "config.json").read_bytes()).hexdigest()[:12]
            checkpoint = checkpoint_in(self.folder)
            size = checkpoint.stat().st_size if checkpoint else 0
            model = f"{self.folder.name}:{digest}:{size}"
        return f"{version if ok else 'coqui-tts?'};{model};limit={self.char_limit};pause={PIECE_PAUSE_S}"

    # ---- synthesis -------------------------------------------------------------------

    def _device(self) -> str:
        import torch

        if self.device == "cpu":
            return "cpu"
        if torch.cuda.is_available():
            return "cuda"
        if self.device == "cuda":
            raise SpeechError("--device cuda asked, but torch sees no CUDA GPU: use --device cpu "
                              "or install a CUDA build of torch (tools/setup.sh does on a GPU machine)")
        return "cpu"

    def _load(self):
        ok, why = self.available()
        if not ok:
            raise SpeechError(f"{self.name}: {why}")
        device = self._device()
        if self._synth is not None and self._loaded_on == device:
            return self._synth
        import torch
        from TTS.utils.synthesizer import Synthesizer

        if device == "cpu":
            torch.set_num_threads(max(1, os.cpu_count() or 1))
        assert self.folder is not None
        checkpoint = self.folder if self.is_xtts else checkpoint_in(self.folder)
        try:
            synth = Synthesizer(tts_checkpoint=checkpoint, tts_config_path=self._loadable_config(),
                                voice_dir=self._voice_cache())
        except Exception as exc:   # a corrupt or foreign folder: say which, not a traceback
            raise SpeechError(f"cannot load the Coqui model in {self.folder}: {type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
        self._synth = synth.to(device)
        self._loaded_on = device
        return self._synth

    def _voice_cache(self) -> Path:
        # Cloned-voice latents are cached by Coqui; keep them out of the (maybe read-only) model folder.
        path = models_dir() / ".coqui-voices" / hashlib.sha256(str(self.folder).encode()).hexdigest()[:12]
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _loadable_config(self) -> Path:
        """config.json, or a copy whose speakers file points into the folder when the folder was moved.

        Coqui writes absolute paths into the configs it trains; a copied model folder
        would otherwise fail on a path from someone else's machine.
        """
        assert self.folder is not None
        path = self.folder / "config.json"
        config = self._config()
        changed = False
        for table in (config, config.get("model_args") or {}):
            ref = table.get("speakers_file")
            if ref and not Path(ref).is_file():
                local = self._local(ref)
                if local is not None:
                    table["speakers_file"] = str(local)
                    changed = True
        if not changed:
            return path
        blob = json.dumps(config, ensure_ascii=False, indent=2)
        patched = (models_dir() / ".coqui-configs" /
                   f"{hashlib.sha256(blob.encode()).hexdigest()[:12]}.json")
        patched.parent.mkdir(parents=True, exist_ok=True)
        if not patched.is_file():
            patched.write_text(blob, encoding="utf-8")
        return patched

    def _voice_args(self, voice: Voice) -> dict:
        vid = voice.id
        if vid.lower().endswith(".wav"):
            if not self.is_xtts:
                raise SpeechError(f"{self.name}: this model cannot clone a voice from {vid}; "
                                  "use one of its speakers (causerie voices)")
            clip = Path(vid).expanduser()
            clip = clip if clip.is_absolute() else voices_dir() / clip
            if not clip.is_file():
                raise SpeechError(f"reference clip {clip} not found (put a 6–30 s WAV of the host there)")
            # Coqui saves the clip's latents under this id: keyed by content, an edited clip is re-cloned.
            key = "clip-" + hashlib.sha256(clip.read_bytes()).hexdigest()[:12]
            if (self._voice_cache() / f"{key}.pth").is_file():
                return {"speaker_name": key}
            return {"speaker_wav": str(clip), "speaker_name": key}
        names = self._speaker_names()
        if names == ["default"] and vid == "default":
            return {}
        if vid not in names:
            shown = ", ".join(names[:8]) + (" …" if len(names) > 8 else "")
            raise SpeechError(f"{self.name} has no speaker '{vid}' (known: {shown}; or a .wav in {voices_dir()})")
        return {"speaker_name": vid}

    def load(self) -> None:
        """The model, now rather than at the first line (so it is timed apart)."""
        with self._lock:
            self._load()

    def synthesize(self, text: str, voice: Voice) -> Audio:
        said = spoken(text)
        args = self._voice_args(voice)
        with self._lock:
            synth = self._load()
            import torch

            sr = int(synth.output_sample_rate)
            language = LANGUAGE if (self.is_xtts or getattr(synth.tts_model, "language_manager", None)
                                    and LANGUAGE in synth.tts_model.language_manager.language_names) else None
            gap = np.zeros(int(PIECE_PAUSE_S * sr), dtype=np.float32)
            parts: list[np.ndarray] = []
            for piece in split_text(said, self.char_limit):
                torch.manual_seed(_seed(piece, voice.id, self.name))
                extra = {"speed": voice.speed} if self.is_xtts and voice.speed != 1.0 else {}
                wav = synth.tts(piece, language_name=language, split_sentences=False, **args, **extra)
                samples = trim_silence(np.asarray(wav, dtype=np.float32).reshape(-1), sr)
                if samples.size:
                    if parts:
                        parts.append(gap)
                    parts.append(fade(samples, sr, 0.005))
        if not parts:
            return Audio.silence(0.3, sr)
        return Audio(np.concatenate(parts), sr)


register("xtts", CoquiEngine.xtts)
register("coqui", CoquiEngine)
register_folder_engine(lambda folder: CoquiEngine(folder) if is_model_folder(folder) else None)
