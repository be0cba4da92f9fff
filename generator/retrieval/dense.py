"""Semantic retrieval: e5 embeddings of the passages; a French question finds an English passage."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..writing import embeddings


class DenseRetriever:
    name = "dense"

    def __init__(self, texts: Sequence[str], vectors: np.ndarray | None = None,
                 embedder: embeddings.Embedder | None = None) -> None:
        self._embedder = embedder or embeddings.get()
        self.vectors = vectors if vectors is not None else self._embedder.passages(list(texts))

    def scores(self, query: str) -> np.ndarray:
        """Cosine similarity of each passage to the query (e5 vectors are normalised)."""
        if not len(self.vectors):
            return np.zeros(0, dtype=np.float32)
        return self.vectors @ self._embedder.queries([query])[0]
