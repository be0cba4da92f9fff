"""Plain text. Chat exports are .txt too; whatsapp.py claims those first by content."""

from __future__ import annotations

import re
from pathlib import Path

from ..document import Section
from ..raw import Raw, read_text
from ..registry import Loader, register

# Project Gutenberg's header carries the real title; the cleaner removes the header itself.
_GUTENBERG_TITLE = re.compile(r"^Title:\s*(?P<title>.+)$", re.M)


def read(path: Path) -> Raw:
    text = read_text(path)
    title = None
    if "PROJECT GUTENBERG" in text[:5000].upper():
        match = _GUTENBERG_TITLE.search(text[:5000])
        title = match.group("title").strip() if match else None
    return Raw(sections=[Section(None, text)], title=title)


register(Loader(name="text", read=read, suffixes=(".txt", ".text")))
