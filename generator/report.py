"""`report.json` of an episode: one file, one section per stage, merged, written atomically.

A stage replaces its own section and leaves the others; a new script makes the
render section stale, so writing the script drops it.
"""

from __future__ import annotations

import json
from pathlib import Path

from .writing.script import write_json

NAME = "report.json"
# What a new version of a section makes stale.
_INVALIDATES = {"script": ("render", "production"), "render": ("production",)}


def read(folder: Path) -> dict:
    path = Path(folder) / NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def update(folder: Path, section: str, data: dict, **top) -> dict:
    """Replace `section` (and top-level keys `top`), keep the rest, return the whole report."""
    report = read(folder)
    for stale in _INVALIDATES.get(section, ()):
        report.pop(stale, None)
    report.update(top)
    report[section] = data
    write_json(Path(folder) / NAME, report)
    return report
