"""Cut documents into numbered passages that keep where they come from.

Passages are what facts and turns cite: their ids are stable for a given
input and end up, with their document, section and position, in script.json
and in the sources list of script.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..ingest.document import Document
from .text import sentences


@dataclass(frozen=True)
class Passage:
    id: int                      # 1-based, global across documents
    doc: int                     # index of its document
    text: str
    section: str | None = None   # the heading it sits under, when the document has headings
    start: int = 0               # character offset of its first words in the document's text
    position: float = 0.0        # 0 = start of its document, 1 = end

    @property
    def words(self) -> int:
        return len(self.text.split())


def _blocks(doc: Document) -> list[tuple[str | None, str]]:
    """(section title, paragraph) in reading order; the whole text as one section when there are none."""
    sections = [(s.title, s.text) for s in doc.sections if s.text.strip()] or [(None, doc.text)]
    out = []
    for title, text in sections:
        for paragraph in re.split(r"\n\s*\n", text):
            paragraph = " ".join(paragraph.split())
            if paragraph:
                out.append((title, paragraph))
    return out


def split_passages(docs: Sequence[Document], *, target_words: int = 90, max_words: int = 140) -> list[Passage]:
    """Paragraph-based chunks of ~`target_words` that never cross a section: short paragraphs are
    merged, long ones cut at sentence ends."""
    passages: list[Passage] = []
    for d, doc in enumerate(docs):
        flat = " ".join(doc.text.split())
        length = max(1, len(flat))
        cursor = 0
        buffer: list[str] = []
        section: str | None = None
        count = 0

        def flush() -> None:
            nonlocal buffer, count, cursor
            if buffer:
                text = " ".join(buffer)
                found = flat.find(text[:60], cursor)
                start = found if found >= 0 else cursor
                cursor = start + len(text) if found >= 0 else cursor
                passages.append(Passage(len(passages) + 1, d, text, section, start, round(start / length, 4)))
            buffer, count = [], 0

        for title, paragraph in _blocks(doc):
            if title != section:
                flush()
                section = title
            pieces = sentences(paragraph) if len(paragraph.split()) > max_words else [paragraph]
            for piece in pieces:
                n = len(piece.split())
                if count and count + n > max_words:
                    flush()
                buffer.append(piece)
                count += n
                if count >= target_words:
                    flush()
        flush()
    return passages
