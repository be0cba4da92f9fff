"""Ingest: turn the user's files into clean, redacted `Document`s.

    load(path, redact=True) -> Document          one file
    load_many(paths, redact=True) -> [Document]  files and folders (recursive)
    SUPPORTED                                     file suffixes we read
    FORMATS_HELP                                  one-line list of formats for --help

Every failure is a `generator.errors.IngestError` whose message is one actionable line.
"""

from __future__ import annotations

from . import registry
from .document import Document, Section
from .pipeline import load, load_many

SUPPORTED: tuple[str, ...] = registry.suffixes()
FORMATS_HELP: str = registry.describe()

__all__ = ["Document", "Section", "load", "load_many", "SUPPORTED", "FORMATS_HELP"]
