"""The passage index: every passage of the input, two retrievers fused, saved with the episode.

Ranking fuses the retrievers by reciprocal rank (each list's rank, not its raw score,
so BM25's unbounded scores and e5's cosines between 0.7 and 1 weigh alike). The
costly part, the passages' embeddings, is saved in `index/` beside the script and
reused while the passages (and the embedder) are the same: a re-run and
`causerie ask` read it instead of embedding a book again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ..writing import embeddings
from ..writing.passages import Passage
from ..writing.script import write_atomic
from ..writing.text import concrete_facts, is_prose
from .bm25 import Bm25Retriever
from .dense import DenseRetriever

FORMAT = 2          # 2: passages embedded on their first EMBED_WORDS words
RRF_K = 60          # the usual constant of reciprocal rank fusion: rank 1 and rank 5 weigh alike-ish


class Retriever(Protocol):
    name: str

    def scores(self, query: str) -> np.ndarray: ...


# name -> factory(texts, saved vectors or None, embedder); like the LLM and speech engine registries.
RetrieverFactory = Callable[[Sequence[str], "np.ndarray | None", "embeddings.Embedder | None"], Retriever]
_RETRIEVERS: dict[str, RetrieverFactory] = {
    "bm25": lambda texts, vectors, embedder: Bm25Retriever(texts),
    "dense": lambda texts, vectors, embedder: DenseRetriever(texts, vectors, embedder),
}


def register(name: str, factory: RetrieverFactory) -> None:
    _RETRIEVERS[name] = factory


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float                 # fused: sum of 1 / (RRF_K + rank) over the retrievers
    scores: dict[str, float]     # each retriever's own score (bm25: 0 = no shared term; dense: cosine)


def content_key(passages: Sequence[Passage], embedder_name: str) -> str:
    digest = hashlib.sha256(f"{FORMAT}\0{embedder_name}".encode())
    for p in passages:
        digest.update(f"\0{p.doc}\0{p.section}\0{p.text}".encode())
    return digest.hexdigest()[:20]


class PassageIndex:
    def __init__(self, passages: Sequence[Passage], *, vectors: np.ndarray | None = None,
                 embedder: embeddings.Embedder | None = None, retrievers: Sequence[str] = ("bm25", "dense")) -> None:
        self.passages = list(passages)
        self.embedder = embedder or embeddings.get()
        texts = [p.text for p in self.passages]
        self.retrievers = {name: _RETRIEVERS[name](texts, vectors, self.embedder) for name in retrievers}
        self.key = content_key(self.passages, self.embedder.name)

    @property
    def vectors(self) -> np.ndarray:
        return self.retrievers["dense"].vectors

    @property
    def words(self) -> int:
        return sum(p.words for p in self.passages)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The `k` passages that best answer `query`, best first."""
        if not self.passages:
            return []
        raw = {name: r.scores(query) for name, r in self.retrievers.items()}
        fused = np.zeros(len(self.passages), dtype=np.float64)
        for name, values in raw.items():
            order = np.argsort(-values, kind="stable")
            ranks = np.empty(len(order), dtype=np.int64)
            ranks[order] = np.arange(1, len(order) + 1)
            # A passage sharing no term with the question is not ranked by BM25 at all.
            weight = (values > 0) if name == "bm25" else np.ones(len(values), dtype=bool)
            fused += np.where(weight, 1.0 / (RRF_K + ranks), 0.0)
        best = np.argsort(-fused, kind="stable")[:k]
        return [Hit(self.passages[i], float(fused[i]), {n: float(v[i]) for n, v in raw.items()}) for i in best]

    def representative(self, n: int) -> list[Passage]:
        """`n` passages that together stand for the whole input, in reading order.

        Each passage is scored by how central it is to its document and to its part (chapter,
        section, or tenth of the document when it has no headings) and by how many numbers,
        dates and names it holds; then the parts take turns, best passage first, so every
        chapter of a book gets its chance before any gets a second one."""
        if len(self.passages) <= n:
            return list(self.passages)
        vectors = self.vectors
        parts: dict[tuple, list[int]] = {}
        by_doc: dict[int, list[int]] = {}
        for i, p in enumerate(self.passages):
            by_doc.setdefault(p.doc, []).append(i)
        for doc, members in by_doc.items():
            sections = {self.passages[i].section for i in members}
            for i in members:
                p = self.passages[i]
                part = p.section if len(sections) > 1 else min(9, int(p.position * 10))
                parts.setdefault((doc, part), []).append(i)

        def centrality(members: list[int]) -> np.ndarray:
            centroid = vectors[members].mean(axis=0)
            centroid /= np.linalg.norm(centroid) or 1.0
            return vectors[members] @ centroid

        score = np.zeros(len(self.passages))
        for members in by_doc.values():
            score[members] += 0.5 * centrality(members)
        for members in parts.values():
            score[members] += 0.2 * centrality(members)
        for i, p in enumerate(self.passages):
            density = len(concrete_facts(p.text)) / max(1, p.words)
            score[i] += 0.3 * min(1.0, density * 10)
            if not is_prose(p.text) or p.words < 20:
                score[i] -= 1.0      # last resort only: a cipher, a table of contents or of commands, a heading
        queues = [sorted(members, key=lambda i: -score[i]) for members in parts.values()]
        queues.sort(key=lambda q: -score[q[0]])
        chosen: list[int] = []
        while len(chosen) < n and any(queues):
            for queue in queues:
                if queue and len(chosen) < n:
                    chosen.append(queue.pop(0))
        return [self.passages[i] for i in sorted(chosen)]

    # ------------------------------------------------------------------ persistence

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / "passages.json", json.dumps([asdict(p) for p in self.passages], ensure_ascii=False))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".vectors.", suffix=".npy")
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, self.vectors.astype(np.float32))
        os.replace(tmp, folder / "vectors.npy")
        # Written last: an index whose meta.json names its key is complete.
        write_atomic(folder / "meta.json", json.dumps({"format": FORMAT, "key": self.key, "embedder": self.embedder.name,
                                                         "passages": len(self.passages), "words": self.words}))

    @classmethod
    def load(cls, folder: Path, embedder: embeddings.Embedder | None = None) -> "PassageIndex":
        """The index saved in `folder`; ValueError when there is none or it is damaged."""
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            passages = [Passage(**p) for p in json.loads((folder / "passages.json").read_text(encoding="utf-8"))]
            vectors = np.load(folder / "vectors.npy")
        except (OSError, ValueError, TypeError) as exc:
            raise ValueError(f"no usable passage index in {folder}: {exc}") from exc
        embedder = embedder or embeddings.get(meta.get("embedder"))
        if meta.get("format") != FORMAT or len(vectors) != len(passages) or meta.get("key") != content_key(passages, embedder.name):
            raise ValueError(f"the passage index in {folder} is from another version or embedder")
        return cls(passages, vectors=vectors, embedder=embedder)


def open_index(folder: Path | None, passages: Sequence[Passage],
               embedder: embeddings.Embedder | None = None) -> tuple[PassageIndex, bool]:
    """(the index of `passages`, whether it was reused from `folder`); built and saved there otherwise."""
    embedder = embedder or embeddings.get()
    if folder is not None and (folder / "meta.json").is_file():
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            if meta.get("key") == content_key(passages, embedder.name):
                return PassageIndex.load(folder, embedder), True
        except ValueError:
            pass     # damaged or stale: rebuilt below
    index = PassageIndex(passages, embedder=embedder)
    if folder is not None:
        index.save(folder)
    return index, False

