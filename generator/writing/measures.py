"""Script-level measures: copying, loops, parroting, concrete openings.

Pure functions over plain strings, all on `text.tokenize`. N-grams never cross
a turn or a source boundary. The checks use them on one turn, the report and
the bench on a whole script.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from .text import STOPWORDS, Mentions, ngrams, tokenize



class SourceIndex:
    """The set of n-word runs of the source texts, built once; `in` tests a run."""

    def __init__(self, sources: Iterable[str], n: int = 8) -> None:
        if n < 1:
            raise ValueError("n must be >= 1")
        self.n = n
        self._grams: set[tuple[str, ...]] = set()
        for source in sources:
            self._grams.update(ngrams(source, n))

    def __contains__(self, gram: object) -> bool:
        return gram in self._grams

    def __len__(self) -> int:
        return len(self._grams)


def copied_runs(text: str, source_index: SourceIndex, n: int | None = None) -> int:
    """How many of the text's n-word runs appear verbatim in the sources (with repeats)."""
    n = source_index.n if n is None else n
    if n != source_index.n:
        raise ValueError(f"the index holds {source_index.n}-grams, not {n}-grams")
    return sum(1 for gram in ngrams(text, n) if gram in source_index)


def copied_ratio(turn_texts: Sequence[str], sources: Sequence[str], n: int = 8) -> float:
    """Share of the script's n-word runs found verbatim in the sources (0.0 when it has none)."""
    index = SourceIndex(sources, n)
    total = copied = 0
    for text in turn_texts:
        grams = ngrams(text, n)
        total += len(grams)
        copied += sum(1 for gram in grams if gram in index)
    return copied / total if total else 0.0


def repeated_ratio(turn_texts: Sequence[str], n: int = 8) -> float:
    """Share of the script's n-word runs that occur more than once in it (loops).

    Counts occurrences: two identical 8-word turns give 2 runs out of 2 -> 1.0.
    """
    counts = Counter(gram for text in turn_texts for gram in ngrams(text, n))
    total = sum(counts.values())
    repeated = sum(c for c in counts.values() if c > 1)
    return repeated / total if total else 0.0


def _content(tokens: Iterable[str]) -> set[str]:
    return {t for t in tokens if t not in STOPWORDS and not t.isdigit() and len(t) > 1}


def repeats_previous(text: str, previous_turns: Sequence[str], n: int = 8,
                     threshold: float = 0.8, min_content: int = 5) -> bool:
    """True when a new turn loops or parrots an earlier one.

    - it is word for word an earlier turn (case and punctuation aside);
    - it shares an n-word run (default 8) with any earlier turn;
    - at least `threshold` of its distinct content words (stopwords aside,
      and only when it has `min_content` of them or more) come from the
      immediately previous turn: a host quoting the other's last line.
    """
    tokens = tokenize(text)
    if not tokens:
        return False
    grams = {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}
    for previous in previous_turns:
        earlier = tokenize(previous)
        if earlier == tokens:
            return True
        if grams and len(earlier) >= n and grams & {tuple(earlier[i:i + n]) for i in range(len(earlier) - n + 1)}:
            return True
    if previous_turns:
        mine = _content(tokens)
        if len(mine) >= min_content:
            theirs = _content(tokenize(previous_turns[-1]))
            if len(mine & theirs) / len(mine) >= threshold:
                return True
    return False


def opening_is_concrete(first_turns: Sequence[str], subject_terms: Iterable[str], facts: Iterable[str]) -> bool:
    """True when the first two turns name the subject and at least one sourced fact (see `text.Mentions`).

    With no terms or no facts it returns False.
    """
    said = Mentions(list(first_turns[:2]))
    if not any(said.term(term) for term in subject_terms):
        return False
    return any(said.fact(fact) for fact in facts)


__all__ = ["SourceIndex", "copied_ratio", "copied_runs", "opening_is_concrete", "repeated_ratio",
           "repeats_previous"]
