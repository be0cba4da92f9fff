"""`causerie doctor`: what this machine has for Causerie, one line per thing, with the fix.

Each check says ok, warn or fail. Fail is kept for what the default pipeline cannot
do without (Python, ffmpeg, a language model, a speech engine, the prompts, a
writable cache); optional pieces (Coqui, a GPU, hub models not pulled, Grammalecte)
are warn. Checks only look: nothing is downloaded, assembled or loaded, and heavy
libraries (torch) are inspected through their installed files, not imported.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

OK, WARN, FAIL = "ok", "warn", "fail"
GB = 1 << 30
MIN_FREE_DISK = 2 * GB        # the embedded model is assembled into the cache once (1.1 GB) plus clips
MIN_AVAILABLE_RAM = 2 * GB    # the 1.5B default model runs in ~1.5 GB; the 7B hub models need ~6 GB


@dataclass(frozen=True)
class Check:
    name: str
    status: str         # OK, WARN or FAIL
    detail: str         # what was found
    fix: str = ""       # what to do when status is not OK


def exit_code(checks: Iterable[Check]) -> int:
    """1 when anything failed (the default pipeline cannot run), else 0: warnings are advice."""
    return 1 if any(c.status == FAIL for c in checks) else 0


def _run(cmd: list[str], timeout: float = 10) -> str | None:
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    return run.stdout if run.returncode == 0 else None


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _gb(n: float) -> str:
    return f"{n / GB:.1f} GB" if n >= GB / 10 else f"{n / (1 << 20):.0f} MB"


# --------------------------------------------------------------------------
# System
# --------------------------------------------------------------------------

def check_python() -> list[Check]:
    version = platform.python_version()
    if sys.version_info < (3, 11):
        return [Check("python", FAIL, f"Python {version} at {sys.executable}",
                      "Causerie needs Python 3.11 or newer: recreate .venv with python3.11+ (tools/setup.sh)")]
    return [Check("python", OK, f"Python {version} at {sys.executable}")]


def check_ffmpeg() -> list[Check]:
    checks = []
    for binary in ("ffmpeg", "ffprobe"):
        path = shutil.which(binary)
        if path is None:
            checks.append(Check(binary, FAIL, "not found on PATH",
                                "sudo apt-get install ffmpeg  (macOS: brew install ffmpeg): MP3 export needs it"))
            continue
        first = (_run([path, "-version"]) or "").splitlines()[:1]
        m = re.search(r"version (\S+)", first[0]) if first else None
        checks.append(Check(binary, OK, f"{m.group(1) if m else 'unknown version'} at {path}"))
    return checks


def check_memory() -> list[Check]:
    total = available = None
    try:
        info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines() if ":" in line)
        total = int(info["MemTotal"].split()[0]) * 1024
        available = int(info["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        try:
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            pass
    if total is None:
        return [Check("memory", WARN, "could not read the memory size", "")]
    detail = f"{_gb(total)} total" + (f", {_gb(available)} available" if available is not None else "")
    detail += f", {os.cpu_count() or '?'} CPU cores"
    if available is not None and available < MIN_AVAILABLE_RAM:
        return [Check("memory", WARN, detail,
                      "close other programs: the default model needs ~1.5 GB free, the 7B models ~6 GB")]
    return [Check("memory", OK, detail)]


def _nvidia_gpus() -> list[str] | None:
    """One line per GPU ("name, memory, driver"), or None when there is no usable NVIDIA driver."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    out = _run([smi, "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"])
    lines = [line.strip() for line in (out or "").splitlines() if line.strip()]
    return lines or None


def check_gpu(gpus: list[str] | None) -> list[Check]:
    if not gpus:
        return [Check("gpu", WARN, "no NVIDIA GPU found (nvidia-smi absent or sees none): everything runs on the CPU",
                      "optional: on a machine with an NVIDIA GPU and its driver, scripts and XTTS voices are much faster")]
    return [Check("gpu", OK, "; ".join(gpus))]


def check_llama(gpus: list[str] | None) -> list[Check]:
    try:
        import llama_cpp
    except Exception as exc:     # ImportError, or a build that cannot load its shared library
        return [Check("llama.cpp", FAIL, f"llama_cpp cannot be imported ({type(exc).__name__}: {exc})",
                      "make setup  (builds llama-cpp-python with tools/llama_flags.sh)")]
    info = llama_cpp.llama_print_system_info()
    info = info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)
    flags = [name for name, value in re.findall(r"(\w+) = (\w+)", info) if value == "1"]
    offload = bool(llama_cpp.llama_supports_gpu_offload())
    detail = (f"llama-cpp-python {getattr(llama_cpp, '__version__', '?')}, CPU: {' '.join(flags) or 'no SIMD flags'}"
              f", GPU offload: {'CUDA' if offload else 'no (CPU build)'}")
    if gpus and not offload:
        return [Check("llama.cpp", WARN, detail,
                      "this machine has a GPU but llama.cpp was built for the CPU: install the CUDA toolkit "
                      "(nvcc), delete .venv/.llama-* and run make setup again")]
    if not {"AVX2", "AVX"} & set(flags) and platform.machine() in {"x86_64", "AMD64"}:
        return [Check("llama.cpp", WARN, detail, "built without AVX: scripts will be very slow; rebuild with make setup")]
    return [Check("llama.cpp", OK, detail)]


def _torch_cuda_build() -> tuple[str, str | None] | None:
    """(torch version, CUDA version of the build or None), read from its files: importing torch takes seconds."""
    try:
        version = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return None
    spec = importlib.util.find_spec("torch")
    cuda = None
    if spec is not None and spec.origin:
        text = (Path(spec.origin).parent / "version.py")
        m = re.search(r"^cuda\s*(?::\s*\S+)?\s*=\s*['\"]([^'\"]+)['\"]", text.read_text() if text.is_file() else "",
                      re.M)
        cuda = m.group(1) if m else None
    return version, cuda


def check_coqui(gpus: list[str] | None) -> list[Check]:
    if importlib.util.find_spec("TTS") is None:
        return [Check("coqui / torch", WARN, "coqui-tts not installed: the xtts engine is unavailable",
                      "optional: pip install -r requirements/coqui.txt  (tools/setup.sh --coqui)")]
    torch = _torch_cuda_build()
    if torch is None:
        return [Check("coqui / torch", FAIL, "coqui-tts is installed but torch is not",
                      "pip install -r requirements/coqui.txt")]
    version, cuda = torch
    detail = f"coqui-tts {importlib.metadata.version('coqui-tts')}, torch {version}, " + (
        f"CUDA {cuda} build" if cuda else "CPU-only build")
    if gpus and not cuda:
        return [Check("coqui / torch", WARN, detail,
                      "this machine has a GPU but torch is a CPU build: pip install torch from PyPI (CUDA build)")]
    if cuda and not gpus:
        detail += " (no GPU here: XTTS runs on the CPU, ~3.5x real time)"
    return [Check("coqui / torch", OK, detail)]


# --------------------------------------------------------------------------
# Speech, language models, data
# --------------------------------------------------------------------------

def check_speech() -> list[Check]:
    from .speech import engine as engines

    checks = []
    for name in engines.names():
        # tone: test beeps, always there. coqui: only exists for a model folder the user names
        # (--engine DIR); whether Coqui itself is installed is the "coqui / torch" line.
        if name in {"tone", "coqui"}:
            continue
        ok, why = engines.get(name).available()
        label = "espeak-ng" if name == "espeak" else f"engine {name}"
        checks.append(Check(label, OK, why) if ok else Check(label, WARN, "not usable now", why))
    try:
        chosen = engines.best_available()
        checks.append(Check("default speech engine", OK, f"{chosen.name} (picked without --engine)"))
    except engines.SpeechError as exc:
        checks.append(Check("default speech engine", FAIL, str(exc),
                            "sudo apt-get install espeak-ng  (the engine that always works), or make setup for kokoro"))
        # espeak-ng is the floor every other engine falls back to: its absence is now a failure.
        checks = [Check(c.name, FAIL, c.detail, c.fix) if c.name == "espeak-ng" and c.status != OK else c
                  for c in checks]
    return checks


def _model_state(spec) -> tuple[Path | None, str]:
    """(local path or None, how it is there) without assembling or downloading anything."""
    from .writing import models

    src = spec.source
    if isinstance(src, models.PackagedParts):
        if spec.local_path.is_file():
            return spec.local_path, "assembled"
        parts = src.part_paths()
        if parts is not None:
            return parts[0].parent, f"{src.count} packages installed, assembled on first use"
        return None, ""
    path = models.locate(spec)     # a packaged file, a pulled file or folder: only looks
    return path, ("installed package" if isinstance(src, models.PackagedFile) else "pulled")


def check_models() -> list[Check]:
    from .writing import models

    checks = []
    on_disk = {}
    for spec in models.REGISTRY.values():
        path, how = _model_state(spec)
        on_disk[spec.name] = path is not None
        kind = "language model" if spec.kind == "llm" else "voice model"
        if path is not None:
            size = _size(path) if how in {"assembled", "pulled"} else spec.size_mb * 1e6
            checks.append(Check(f"model {spec.name}", OK,
                                f"{kind}, {how}, {_gb(size)}, licence {spec.licence}"))
            continue
        hub = isinstance(spec.source, models.HUB_SOURCES)
        fix = f"causerie models pull {spec.name}" if hub else spec.source.install_hint()
        checks.append(Check(f"model {spec.name}", WARN,
                            f"{kind}, not on this machine ({_gb(spec.size_mb * 1e6)}, licence {spec.licence})",
                            (f"optional: {fix}" + (f" — {spec.notice}" if spec.notice else ""))))
    better = [s.name for s in models.REGISTRY.values()
              if s.kind == "llm" and s.quality > 0 and s.name != models.EMBEDDED_DEFAULT and on_disk[s.name]]
    if not on_disk[models.EMBEDDED_DEFAULT]:
        # The offline default is what `causerie script` uses when nothing better was pulled.
        name = f"model {models.EMBEDDED_DEFAULT}"
        checks = [Check(c.name, WARN if better else FAIL,
                        c.detail + (f"; scripts use {better[0]}" if better else "; no language model to write scripts"),
                        models.REGISTRY[models.EMBEDDED_DEFAULT].source.install_hint())
                  if c.name == name else c for c in checks]
    return checks


def check_data() -> list[Check]:
    from .speech.voices import voices_dir
    from .writing.prompts import prompts_dir

    checks = []
    prompts = prompts_dir()
    templates = sorted(prompts.glob("*.j2")) if prompts.is_dir() else []
    if templates:
        checks.append(Check("prompts", OK, f"{len(templates)} templates in {prompts}"))
    else:
        checks.append(Check("prompts", FAIL, f"no templates in {prompts}",
                            "reinstall Causerie (pip install .) or unset CAUSERIE_PROMPTS"
                            if not os.environ.get("CAUSERIE_PROMPTS") else "point CAUSERIE_PROMPTS at a folder with fr/*.j2"))
    folder = voices_dir()
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if files:
        checks.append(Check("voices", OK, f"{', '.join(p.stem for p in files)} in {folder}"))
    else:
        checks.append(Check("voices", WARN, f"no host voice files in {folder}: hosts get the default voices",
                            "optional: add voices/<host>.toml files (see voices/camille.toml) or set CAUSERIE_VOICES"))
    return checks


def check_grammar() -> list[Check]:
    from .writing import grammar

    ok, why = grammar.available()
    if ok:
        return [Check("grammalecte", OK, "French grammar checker found")]
    return [Check("grammalecte", WARN, "not installed: turns are not grammar-checked", why)]


def check_ray() -> list[Check]:
    """Ray is optional (`batch --ray`): missing is fine, and said with how to add it."""
    from importlib import metadata

    try:
        version = metadata.version("ray")
    except metadata.PackageNotFoundError:
        return [Check("ray", OK, "not installed (optional: only `batch --ray` needs it; pip install 'causerie[ray]')")]
    address = os.environ.get("RAY_ADDRESS")
    where = f"batch --ray joins $RAY_ADDRESS={address}" if address else "batch --ray starts a local instance"
    return [Check("ray", OK, f"{version} ({where} unless --address)")]


def check_cache() -> list[Check]:
    from .config import home

    folder = home()
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    writable = os.access(existing, os.W_OK) and (existing.is_dir())
    where = os.environ.get("CAUSERIE_HOME") and "CAUSERIE_HOME" or "default"
    detail = f"{folder} ({where}{'' if folder.exists() else ', not created yet'}), {_gb(free)} free"
    if not writable:
        return [Check("cache folder", FAIL, detail + ", not writable",
                      f"make {existing} writable, or set CAUSERIE_HOME to a folder you own")]
    if free < MIN_FREE_DISK:
        return [Check("cache folder", WARN, detail,
                      "free some disk space or set CAUSERIE_HOME on a larger disk (the default model needs 1.1 GB)")]
    return [Check("cache folder", OK, detail)]


def run_checks() -> list[Check]:
    """Every check, in the order a reader fixes things; a check that crashes reports itself and the rest go on."""
    gpus = _nvidia_gpus()
    steps: list[tuple[str, Callable[[], list[Check]]]] = [
        ("python", check_python),
        ("ffmpeg", check_ffmpeg),
        ("speech", check_speech),
        ("llama.cpp", lambda: check_llama(gpus)),
        ("gpu", lambda: check_gpu(gpus)),
        ("memory", check_memory),
        ("coqui / torch", lambda: check_coqui(gpus)),
        ("models", check_models),
        ("data", check_data),
        ("grammalecte", check_grammar),
        ("ray", check_ray),
        ("cache folder", check_cache),
    ]
    checks: list[Check] = []
    for name, step in steps:
        try:
            checks.extend(step())
        except Exception as exc:      # doctor must report a broken piece, not die on it
            checks.append(Check(name, FAIL, f"the check itself failed: {type(exc).__name__}: {exc}",
                                "report this with the output of `causerie doctor`"))
    return checks


STYLE = {OK: "[green]ok[/green]", WARN: "[yellow]warn[/yellow]", FAIL: "[red]fail[/red]"}


def doctor_command(console=None) -> int:
    """Print the checks as a table on stdout; return the exit code (1 when any check failed)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    checks = run_checks()
    table = Table()
    for column in ("check", "status", "found", "fix"):
        table.add_column(column, overflow="fold")
    for c in checks:
        table.add_row(escape(c.name), STYLE[c.status], escape(c.detail), escape(c.fix))
    console.print(table)
    counts = {s: sum(c.status == s for c in checks) for s in (OK, WARN, FAIL)}
    console.print(f"{counts[OK]} ok, {counts[WARN]} warn, {counts[FAIL]} fail"
                  + (": fix the failures first, the default pipeline cannot run without them" if counts[FAIL] else ""))
    return exit_code(checks)
