"""The words BM25 matches on: folded stems without function words, French and English alike."""

from __future__ import annotations

from functools import lru_cache

from ..writing.text import STOPWORDS, fold, stem, tokenize


# A listener's question words: they match every passage that happens to ask something.
_QUESTION_WORDS = ("combien quand comment pourquoi quel quelle quels quelles lequel laquelle où qui quoi "
                   "est-ce what when where which who why how many much does did").split()


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS, STOPWORDS_FRENCH

    return frozenset(fold(w) for w in (*STOPWORDS, *STOPWORDS_FRENCH, *STOPWORDS_EN_PLUS, *_QUESTION_WORDS))


def terms(text: str) -> list[str]:
    """"Les miroirs concentrent" -> ["miroir", "concen"]: what a question and a passage share."""
    stop = _stopwords()
    return [stem(w) for w in tokenize(text) if len(w) > 1 and fold(w) not in stop]
