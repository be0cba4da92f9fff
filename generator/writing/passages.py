"""Cut documents into numbered passages and pick the ones that fit the model's context.

Passages are what the outline cites and what every turn prompt shows, so their
ids are stable for a given input and end up in script.json.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..ingest.document import Document

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"A-ZÀ-Ý0-9])")
_FACTISH = re.compile(r"\d|\b[A-ZÀ-Ý][a-zà-ÿ]+\b")


@dataclass(frozen=True)
class Passage:
    id: int            # 1-based, global across documents
    doc: int           # index of its document
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


def _sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(paragraph) if s.strip()]


def split_passages(docs: Sequence[Document], *, target_words: int = 90, max_words: int = 140) -> list[Passage]:
    """Paragraph-based chunks of ~`target_words`: short paragraphs are merged, long ones cut at sentences."""
    passages: list[Passage] = []
    for d, doc in enumerate(docs):
        buffer: list[str] = []
        count = 0

        def flush() -> None:
            nonlocal buffer, count
            if buffer:
                passages.append(Passage(len(passages) + 1, d, " ".join(buffer)))
            buffer, count = [], 0

        for paragraph in re.split(r"\n\s*\n", doc.text):
            paragraph = " ".join(paragraph.split())
            if not paragraph:
                continue
            pieces = _sentences(paragraph) if len(paragraph.split()) > max_words else [paragraph]
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


def _density(p: Passage) -> float:
    """Numbers and names per word: a cheap proxy for 'has facts worth telling'."""
    return len(_FACTISH.findall(p.text)) / max(p.words, 1)


def select_passages(passages: Sequence[Passage], budget_words: int) -> list[Passage]:
    """Keep each document's first passage, then the densest ones, in reading order, within budget."""
    if sum(p.words for p in passages) <= budget_words:
        return list(passages)
    chosen: dict[int, Passage] = {}
    used = 0
    leads = {}
    for p in passages:
        leads.setdefault(p.doc, p)
    ranked = list(leads.values()) + sorted(
        (p for p in passages if p not in leads.values()), key=lambda p: (-_density(p), p.id))
    for p in ranked:
        if used + p.words <= budget_words or not chosen:
            chosen[p.id] = p
            used += p.words
    return [chosen[i] for i in sorted(chosen)]
