"""The fact bank: the sources' key statements, ranked over the whole input before any LLM call.

Every sentence of every passage is a candidate statement. Each gets a score from
- centrality: how close its embedding sits to its document's centroid (what the
  document is about, as opposed to an aside);
- concreteness: the numbers, dates, places and names it holds (what a listener
  remembers);
- structure and position: a document's lead and each section's first two statements (a section
  opens on its point);
then statements are picked greedily, best first, each one's score lowered by its
similarity to those already picked and by the concrete items they already cover
(maximal marginal relevance), so the bank spreads over the documents' sections
instead of saying the lead five times. The LLM reads this bounded bank, whatever
the size of the input.

English statements are ranked as they are (the embeddings are multilingual), then
the chosen ones are translated (`translate.translate_facts`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ..ingest.document import Document
from . import embeddings
from .passages import Passage
from .text import concrete_facts, facts_in_order, fold, is_prose, sentences

# Statement length, in words: shorter says nothing on its own, longer is a paragraph.
MIN_WORDS, MAX_WORDS = 5, 60
# Weights of the score (sum to 1); tuned by reading banks of the bench documents.
W_CENTRAL, W_CONCRETE, W_LEAD, W_SECTION = 0.35, 0.35, 0.1, 0.2
# Similarity above which two statements say the same thing; and the weight of redundancy.
DUPLICATE = 0.985
REDUNDANCY = 0.6
PER_PASSAGE = 2             # first pass: at most this many statements from one passage
# Coverage: each document is cut into this many stretches; a statement from a stretch the bank has
# not drawn on yet gets a bonus, so the middle and the end of a long document are heard too.
STRETCHES, W_STRETCH = 5, 0.12
# Each section's share of the bank follows its share of the document's words: the section that
# explains how the thing works (usually the longest) is not crowded out by the lead's anecdotes.
W_SECTION_SHARE = 0.2

_BOILERPLATE = re.compile(r"^(?:source|sources|crédits?|photo|image|légende|lire aussi|à lire)\s*:|https?://|www\.|@\w|cookies?\b|newsletter|abonnez|inscrivez|cr[ée]dits? (?:photo|image)|"
                          r"©|tous droits|all rights reserved|cliquez|click here|subscribe|sign up|\[(?:e-mail|t[ée]l[ée]phone)"
                          r"[^\]]*\]", re.I)
_PLACEHOLDER = re.compile(r"\[(?:e-mail|t[ée]l[ée]phone|num[ée]ro)[^\]]*\]", re.I)


@dataclass(frozen=True)
class Fact:
    id: int                  # 1-based, in reading order over the whole input
    text: str                # the statement, in French (translated when its source is English)
    passage: int             # the passage it comes from
    doc: int
    items: tuple[str, ...]   # its numbers, dates, places and names
    score: float
    position: float          # 0 = start of its document, 1 = end
    original: str = ""       # the source's own words, when `text` is a translation
    speaker: str = ""        # chat exports: who said it

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class FactBank:
    facts: list[Fact]                 # chosen, best first
    candidates: int = 0               # statements considered over the whole input
    passages_seen: int = 0
    words_read: int = 0
    reserve: list[Fact] = field(default_factory=list)   # ranked next, for extra exchanges
    pool: list[int] = field(default_factory=list)       # ids of the passages the statements were drawn from

    def by_id(self, fact_id: int) -> Fact:
        return next(f for f in (*self.facts, *self.reserve) if f.id == fact_id)

    def reading_order(self) -> list[Fact]:
        return sorted(self.facts, key=lambda f: f.id)

    def hook(self) -> Fact | None:
        """The opening's fact: the best-ranked one with a number, date, place or name."""
        return next((f for f in self.facts if f.items), self.facts[0] if self.facts else None)

    def replace_texts(self, texts: dict[int, str]) -> "FactBank":
        """The same bank with some statements reworded (translations); originals are kept."""
        def swap(f: Fact) -> Fact:
            if f.id not in texts or texts[f.id] == f.text:
                return f
            french = [i for i in facts_in_order(texts[f.id]) if i not in f.items]
            return replace(f, text=texts[f.id], original=f.original or f.text, items=tuple(f.items) + tuple(french))
        return FactBank([swap(f) for f in self.facts], self.candidates, self.passages_seen, self.words_read,
                        [swap(f) for f in self.reserve], self.pool)


@dataclass(frozen=True)
class _Candidate:
    text: str
    passage: Passage
    speaker: str
    section_rank: int        # 0 for the first statement of its section: a section opens on its point


def _chat_messages(passage: Passage, participants: Sequence[str]) -> list[tuple[str, str]]:
    """A chat passage back into (speaker, message) pairs: messages were joined by the passage cutter."""
    if not participants:
        return [("", passage.text)]
    names = "|".join(re.escape(p) for p in sorted(participants, key=len, reverse=True))
    parts = re.split(rf"(?:^|\s)({names})\s?:\s", passage.text)
    out = []
    if parts[0].strip():
        out.append(("", parts[0].strip()))
    for speaker, message in zip(parts[1::2], parts[2::2]):
        if message.strip():
            out.append((speaker, message.strip()))
    return out


def _candidates(passages: Sequence[Passage], docs: Sequence[Document]) -> list[_Candidate]:
    out: list[_Candidate] = []
    seen_sections: dict[tuple[int, str | None], int] = {}
    for p in passages:
        doc = docs[p.doc] if p.doc < len(docs) else None
        chat = doc is not None and doc.kind == "chat"
        units = _chat_messages(p, doc.participants if doc else []) if chat else [("", p.text)]
        rank = seen_sections.get((p.doc, p.section), 0)
        pending = ""
        for speaker, unit in units:
            for sentence in sentences(unit):
                if _PLACEHOLDER.search(sentence):
                    continue     # a redacted line is not worth saying: "[e-mail masqué]" was read aloud once
                sentence = " ".join(sentence.split()).strip(" -•*")
                if pending:
                    sentence, pending = f"{pending} {sentence}", ""
                n = len(sentence.split())
                if n < MIN_WORDS:
                    pending = sentence if n >= 2 and not sentence.endswith("?") else ""
                    continue
                if n > MAX_WORDS or _BOILERPLATE.search(sentence) or not is_prose(sentence):
                    continue
                if sentence.endswith("?") and not concrete_facts(sentence):
                    continue     # a question without a fact informs nobody
                out.append(_Candidate(sentence, p, speaker, rank))
                rank += 1
        seen_sections[(p.doc, p.section)] = rank
    return out


def _normalised(values: np.ndarray) -> np.ndarray:
    span = values.max() - values.min() if len(values) else 0.0
    return (values - values.min()) / span if span > 1e-9 else np.full_like(values, 0.5)


def build_fact_bank(passages: Sequence[Passage], docs: Sequence[Document], *, budget_words: int = 450,
                    max_facts: int = 40, reserve: int = 8, embedder: embeddings.Embedder | None = None) -> FactBank:
    """Rank every statement of `passages` and keep the best within `budget_words` (see the module doc)."""
    candidates = _candidates(passages, docs)
    words_read = sum(p.words for p in passages)
    if not candidates:
        return FactBank([], 0, len(passages), words_read, pool=[p.id for p in passages])
    embedder = embedder or embeddings.get()
    vectors = embedder.passages([c.text for c in candidates])
    participants = {fold(name) for d in docs for name in d.participants}
    items = [tuple(i for i in facts_in_order(c.text) if fold(i) not in participants) for c in candidates]

    central = np.zeros(len(candidates), dtype=np.float32)
    docs_of = np.array([c.passage.doc for c in candidates])
    for d in set(docs_of.tolist()):
        mask = docs_of == d
        centroid = vectors[mask].mean(axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        central[mask] = _normalised(vectors[mask] @ centroid)
    concrete = np.array([min(len(i), 3) / 3 for i in items], dtype=np.float32)
    lead = np.array([1.0 if c.passage.position < 0.15 else 0.0 for c in candidates], dtype=np.float32)
    section = np.array([{0: 1.0, 1: 0.5}.get(c.section_rank, 0.0) for c in candidates], dtype=np.float32)
    length = np.array([len(c.text.split()) for c in candidates])
    score = W_CENTRAL * central + W_CONCRETE * concrete + W_LEAD * lead + W_SECTION * section
    score -= np.where(length > 40, 0.1, 0.0)

    similarity = vectors @ vectors.T
    chosen: list[int] = []
    covered: set[str] = set()
    stretches: set[tuple[int, int]] = set()

    def stretch(i: int) -> tuple[int, int]:
        return candidates[i].passage.doc, min(STRETCHES - 1, int(candidates[i].passage.position * STRETCHES))

    def section(i: int) -> tuple[int, str | None]:
        return candidates[i].passage.doc, candidates[i].passage.section

    section_words: dict[tuple[int, str | None], int] = {}
    for p in passages:
        section_words[(p.doc, p.section)] = section_words.get((p.doc, p.section), 0) + p.words
    total_words = max(1, sum(section_words.values()))
    taken: dict[tuple[int, str | None], int] = {}

    per_passage: dict[int, int] = {}
    used_words = 0
    limit = min(max_facts, len(candidates))
    for strict in (True, False):
        while len(chosen) < limit:
            best, best_value = -1, -np.inf
            for i in range(len(candidates)):
                if i in chosen or (strict and per_passage.get(candidates[i].passage.id, 0) >= PER_PASSAGE):
                    continue
                redundancy = max((float(similarity[i, j]) for j in chosen), default=0.0)
                if redundancy >= DUPLICATE:
                    continue
                # e5 similarities sit between ~0.7 and 1: only the part above 0.8 means "says the same".
                value = float(score[i]) - REDUNDANCY * max(0.0, redundancy - 0.8) / 0.2
                fresh = [x for x in items[i] if fold(x) not in covered]
                if items[i] and not fresh:
                    value -= 0.15      # every number and name it holds is already in the bank
                if stretch(i) not in stretches:
                    value += W_STRETCH
                owed = section_words.get(section(i), 0) / total_words * (len(chosen) + 1) - taken.get(section(i), 0)
                value += W_SECTION_SHARE * max(-1.0, min(1.0, owed))
                if value > best_value:
                    best, best_value = i, value
            if best < 0:
                break
            if chosen and used_words + length[best] > budget_words:
                break
            chosen.append(best)
            used_words += int(length[best])
            covered.update(fold(x) for x in items[best])
            stretches.add(stretch(best))
            taken[section(best)] = taken.get(section(best), 0) + 1
            per_passage[candidates[best].passage.id] = per_passage.get(candidates[best].passage.id, 0) + 1
        if used_words >= budget_words * 0.9:
            break
    rest = [i for i in np.argsort(-score).tolist() if i not in chosen
            and max((float(similarity[i, j]) for j in chosen), default=0.0) < DUPLICATE][:reserve]

    # Ids follow reading order over the whole input, so "fact 3" comes before "fact 4" in the documents.
    order = sorted(range(len(candidates)), key=lambda i: (candidates[i].passage.id, i))
    ids = {i: n + 1 for n, i in enumerate(order)}

    def fact(i: int) -> Fact:
        c = candidates[i]
        return Fact(ids[i], c.text, c.passage.id, c.passage.doc, items[i], round(float(score[i]), 4),
                    c.passage.position, speaker=c.speaker)

    return FactBank([fact(i) for i in chosen], len(candidates), len(passages), words_read, [fact(i) for i in rest],
                    [p.id for p in passages])
