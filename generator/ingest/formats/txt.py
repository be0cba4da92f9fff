"""Plain text. Chat exports are .txt too; whatsapp.py claims those first by content."""

from __future__ import annotations

from pathlib import Path

from .. import chapters, gutenberg
from ..raw import Raw, read_text
from ..registry import Loader, register


def read(path: Path) -> Raw:
    text = read_text(path).replace("\r\n", "\n").replace("\r", "\n")
    # Gutenberg's header carries the real title and author; and it must go before chapters are
    # looked for, or a licence paragraph would open the first one (the cleaner strips it again,
    # harmlessly, for every format).
    title, author = gutenberg.metadata(text)
    return Raw(sections=chapters.split(gutenberg.strip(text)), title=title or None, author=author)


register(Loader(name="text", read=read, suffixes=(".txt", ".text")))
