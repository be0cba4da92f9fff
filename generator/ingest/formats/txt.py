"""Plain text. Chat exports are .txt too; whatsapp.py claims those first by content."""

from __future__ import annotations

from pathlib import Path

from .. import gutenberg
from ..document import Section
from ..raw import Raw, read_text
from ..registry import Loader, register


def read(path: Path) -> Raw:
    text = read_text(path).replace("\r\n", "\n").replace("\r", "\n")
    # Gutenberg's header carries the real title and author; the cleaner removes the header itself.
    title, author = gutenberg.metadata(text)
    return Raw(sections=[Section(None, text)], title=title or None, author=author)


register(Loader(name="text", read=read, suffixes=(".txt", ".text")))
