"""Lexical retrieval: BM25 (bm25s) over the passages' stems; exact names and numbers find their passage."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .terms import terms


class Bm25Retriever:
    name = "bm25"

    def __init__(self, texts: Sequence[str]) -> None:
        import bm25s

        self._size = len(texts)
        self._bm25 = bm25s.BM25()
        # bm25s refuses an empty document; a passage of stopwords only gets a token nothing matches.
        self._bm25.index([terms(t) or ["\0"] for t in texts], show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """One BM25 score per passage (0 where no term matches)."""
        words = [w for w in terms(query) if w in self._bm25.vocab_dict]
        if not words or not self._size:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(words), dtype=np.float32)
