"""Where Causerie keeps its files, and the settings a run starts from.

Precedence: built-in defaults < causerie.toml (the user config dir's, then the
current dir's, which wins) < CAUSERIE_* environment variables < command-line flags.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import platformdirs

from .errors import UserError


def home() -> Path:
    """Root of everything Causerie downloads or assembles (models, caches).

    CAUSERIE_HOME overrides it, as LLM_USER_PATH does for simonw/llm, so tests
    and CI never touch the real user cache.
    """
    env = os.environ.get("CAUSERIE_HOME")
    return Path(env) if env else Path(platformdirs.user_cache_dir("causerie"))


def models_dir() -> Path:
    return home() / "models"


@dataclass(frozen=True)
class Settings:
    model: str | None = None            # registry name or path; None = best on disk
    hosts: tuple[str, str] = ("Camille", "Thomas")
    minutes: float = 3.0
    seed: int = 42
    threads: int | None = None          # None = every core llama.cpp can use
    gpu_layers: int | None = None       # None = all when the build offloads, else 0
    redact: bool = True
    extra: dict = field(default_factory=dict, compare=False)

    def merged(self, **overrides) -> "Settings":
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


_ENV = {
    "model": ("CAUSERIE_MODEL", str),
    "seed": ("CAUSERIE_SEED", int),
    "threads": ("CAUSERIE_THREADS", int),
    "gpu_layers": ("CAUSERIE_GPU_LAYERS", int),
    "minutes": ("CAUSERIE_MINUTES", float),
}


# Tables read by the module that owns them, kept whole in Settings.extra ([feed]: publish/feed.py).
_TABLES = {"feed"}


def _config_files() -> list[Path]:
    return [Path(platformdirs.user_config_dir("causerie")) / "causerie.toml", Path("causerie.toml")]


def _layers() -> list[tuple[str, dict]]:
    """Each source that sets something, with what it sets, lowest precedence first."""
    layers = []
    known = {f.name for f in fields(Settings)}
    for path in _config_files():
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UserError(f"{path}: not valid TOML ({exc}); fix or remove the file") from None
        values = {}
        for key, value in data.items():
            if key in _TABLES and isinstance(value, dict):
                values.setdefault("extra", {})[key] = value
                continue
            if key not in known:
                raise UserError(f"{path}: unknown setting '{key}' (known: {', '.join(sorted(known - {'extra'}))})")
            values[key] = tuple(value) if key == "hosts" else value
        layers.append((str(path.absolute()), values))
    for key, (var, cast) in _ENV.items():
        if os.environ.get(var):
            try:
                layers.append((var, {key: cast(os.environ[var])}))
            except ValueError:
                raise UserError(f"{var}={os.environ[var]!r} is not a valid {cast.__name__}") from None
    return layers


def settings_with_origins() -> tuple[Settings, dict[str, str]]:
    """The effective settings and, per setting (and per table kept in `extra`), where its
    value came from: "default", the causerie.toml file that set it, or the CAUSERIE_*
    variable (command-line flags come later, in the command itself)."""
    values: dict = {}
    origins = {f.name: "default" for f in fields(Settings) if f.name != "extra"}
    for source, layer in _layers():
        extra = layer.pop("extra", {})
        values.update(layer)
        origins.update(dict.fromkeys(layer, source))
        values.setdefault("extra", {}).update(extra)     # tables merge across files, each one whole
        origins.update(dict.fromkeys(extra, source))
    return Settings(**values), origins


def load_settings() -> Settings:
    return settings_with_origins()[0]
