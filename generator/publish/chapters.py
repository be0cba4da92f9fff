"""Chapters of an episode as a Podcasting 2.0 JSON chapters file (`chapters.json`).

The MP3 already carries ID3 chapters; this file is the one podcast apps fetch
from the feed's `podcast:chapters` and the listening page reads, whatever the
audio format. Spec: podcastindex.org namespace, "JSON Chapters Format", 1.2.0.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ..audio.mix import Chapter
from ..writing.script import write_json

VERSION = "1.2.0"
FILENAME = "chapters.json"
MIME = "application/json+chapters"

__all__ = ["VERSION", "FILENAME", "MIME", "chapters_document", "write_chapters", "read_chapters"]


def _seconds(value: float) -> float:
    # Milliseconds, like the subtitles: enough for seeking, and the file stays stable.
    return round(float(value), 3)


def chapters_document(chapters: Sequence[Chapter]) -> dict:
    """The JSON chapters object; an untitled chapter is named by its position ("Partie 2")."""
    items = []
    for n, chapter in enumerate(chapters, 1):
        items.append({"startTime": _seconds(chapter.start_s), "endTime": _seconds(chapter.end_s),
                      "title": (chapter.title or "").strip() or f"Partie {n}"})
    return {"version": VERSION, "chapters": items}


def write_chapters(chapters: Sequence[Chapter], folder: Path) -> Path:
    return write_json(Path(folder) / FILENAME, chapters_document(chapters))


def read_chapters(path: Path) -> list[dict]:
    """The chapters of a `chapters.json` ([] when absent or unreadable: chapters are optional)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    chapters = data.get("chapters") if isinstance(data, dict) else None
    if not isinstance(chapters, list):
        return []
    return [c for c in chapters if isinstance(c, dict) and isinstance(c.get("startTime"), (int, float))]
