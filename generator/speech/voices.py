"""Which voice each host gets, per engine.

`voices/<name>.toml` holds a host's `name` and a `[voice]` table mapping an
engine name to that engine's voice id. The file is found by name regardless of
case and accents ("Amélie" finds `amelie.toml`). A host with no file, or whose
file does not name the engine, gets the default for its position: the first
host a female-sounding voice, the second a male-sounding one.

The folder is `voices/` at the repository root (shipped inside the wheel), or `$CAUSERIE_VOICES`.
"""

from __future__ import annotations

import os
import tomllib
import unicodedata
from pathlib import Path

from ..resources import data_dir
from .engine import SpeechEngine, SpeechError, Voice

# engine -> (first host, second host)
DEFAULTS: dict[str, tuple[str, str]] = {
    "espeak": ("fr+f3", "fr"),
    "tone": ("220", "110"),
    "kokoro": ("jf_gongitsune", "jm_kumo"),
    "xtts": ("Ana Florence", "Damien Black"),
}


def voices_dir() -> Path:
    env = os.environ.get("CAUSERIE_VOICES")
    return Path(env).expanduser() if env else data_dir("voices")


def fold(name: str) -> str:
    """Case- and accent-insensitive form of a name ("Amélie " -> "amelie")."""
    decomposed = unicodedata.normalize("NFKD", name.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def find_file(host_name: str, folder: Path | None = None) -> Path | None:
    folder = folder or voices_dir()
    if not folder.is_dir():
        return None
    wanted = fold(host_name)
    files = sorted(folder.glob("*.toml"))
    for path in files:
        if fold(path.stem) == wanted:
            return path
    for path in files:                      # a file named otherwise whose `name` matches
        try:
            if fold(str(_read(path).get("name", ""))) == wanted:
                return path
        except SpeechError:
            continue
    return None


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SpeechError(f"cannot read voice file {path}: {exc}") from None


def host_voices(host_name: str, folder: Path | None = None) -> dict[str, str]:
    """The host's [voice] table (engine -> voice id); empty when there is no file."""
    path = find_file(host_name, folder)
    if path is None:
        return {}
    table = _read(path).get("voice", {})
    if not isinstance(table, dict):
        raise SpeechError(f"{path}: [voice] must be a table of engine = \"voice id\"")
    return {str(k): str(v) for k, v in table.items() if isinstance(v, (str, int, float))}


def voice_for(host_name: str, position: int, engine: str | SpeechEngine,
              folder: Path | None = None) -> Voice:
    """The voice of the host at `position` (0 = first host, 1 = second) for `engine`."""
    if position not in (0, 1):
        raise ValueError(f"host position must be 0 or 1, got {position}")
    engine_name = engine if isinstance(engine, str) else engine.name
    table = host_voices(host_name, folder)
    if engine_name in table:
        return Voice(engine_name, table[engine_name], description=f"{host_name} (voices file)")
    # An engine may know better defaults from what is installed (Kokoro's native French
    # voice, the speakers of a Coqui model folder).
    defaults = (engine.default_voices() if not isinstance(engine, str) and hasattr(engine, "default_voices")
                else DEFAULTS.get(engine_name))
    if defaults:
        return Voice(engine_name, defaults[position],
                     description=f"{host_name} (default voice {position + 1})")
    raise SpeechError(f"no {engine_name} voice for {host_name}: add {engine_name} = \"<voice id>\" "
                      f"under [voice] in {voices_dir() / (fold(host_name) + '.toml')}")


# The default voices are female-sounding for the first host and male-sounding for the second.
DEFAULT_GENDERS = ("f", "m")


def host_gender(host_name: str, position: int, folder: Path | None = None) -> str | None:
    """"f" or "m": how the host's words about themselves agree, to match the voice heard.

    `gender = "f"` (or "m", or "" for no check) in the host's voices file; without one, the
    default voice's: female for the first host, male for the second.
    """
    path = find_file(host_name, folder)
    value = _read(path).get("gender") if path is not None else None
    if value is None:
        return DEFAULT_GENDERS[position] if position in (0, 1) else None
    value = str(value).strip().lower()[:1]
    if value not in ("f", "m", ""):
        raise SpeechError(f"{path}: gender must be \"f\", \"m\" or \"\" (no agreement check)")
    return value or None
