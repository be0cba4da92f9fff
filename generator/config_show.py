"""`causerie config show`: the settings a run starts from, and where each came from."""

from __future__ import annotations

import os
from pathlib import Path

from .config import _config_files, home, settings_with_origins

# Folders chosen by environment variable only: (label, variable, where it is otherwise).
_FOLDERS = (
    ("home (models, caches)", "CAUSERIE_HOME", home),
    ("prompts", "CAUSERIE_PROMPTS", lambda: _prompts_root()),
    ("voices", "CAUSERIE_VOICES", lambda: _voices_dir()),
)


def _prompts_root() -> Path:
    from .writing.prompts import prompts_dir

    return prompts_dir().parent


def _voices_dir() -> Path:
    from .speech.voices import voices_dir

    return voices_dir()


def effective_rows() -> list[tuple[str, str, str]]:
    """(name, value, origin) for every setting, then the folders Causerie reads and writes."""
    settings, origins = settings_with_origins()
    rows = []
    for name, origin in origins.items():
        value = settings.extra[name] if name in settings.extra else getattr(settings, name)
        if name == "hosts":
            value = ",".join(value)
        rows.append((name, _show(value), origin))
    for label, var, where in _FOLDERS:
        rows.append((label, str(where()), var if os.environ.get(var) else "default"))
    return rows


def _show(value) -> str:
    if value is None:
        return "auto"        # None means "decided at run time" for model, threads, gpu_layers
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return ", ".join(f"{k} = {v!r}" for k, v in value.items())
    return str(value)


def config_show_command(console=None) -> int:
    """Print the effective settings as a table on stdout; return the exit code (0)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    table = Table()
    for column in ("setting", "value", "from"):
        table.add_column(column, overflow="fold")     # a path is read whole, never cut with "…"
    for name, value, origin in effective_rows():
        table.add_row(escape(name), escape(value), escape(origin))
    console.print(table)
    files = [f"{p.absolute()}{'' if p.is_file() else ' (absent)'}" for p in _config_files()]
    console.print("Files read, later wins: " + "; ".join(escape(f) for f in files)
                  + ". CAUSERIE_* variables override them; command-line flags override everything.")
    return 0
