"""Which passages back a line: the facts it conveys, and the passages its numbers and names come from.

A citation is only given when it is verified: the fact's own content was found in
the line (`checks.conveys`), or the number or name the line says is written in
that passage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .checks import conveys
from .factbank import Fact
from .text import concrete_facts, fold, normalize, number_keys, tokenize


@dataclass
class Citation:
    passages: list[int]      # verified passage ids, the assigned facts' first
    facts: list[int]         # fact ids the line conveys


class Citer:
    def __init__(self, passages: Mapping[int, str], facts: Sequence[Fact]) -> None:
        # A translated fact is a French view of its passage: its words back the line too.
        texts = {pid: [text] for pid, text in passages.items()}
        for fact in facts:
            texts.setdefault(fact.passage, []).append(fact.text)
        self._numbers = {pid: number_keys(" ".join(t)) for pid, t in texts.items()}
        self._words = {pid: {fold(w) for w in tokenize(" ".join(t))} for pid, t in texts.items()}
        self.facts = list(facts)

    def _backs(self, pid: int, item: str) -> bool:
        if any(c.isdigit() for c in item):
            keys = number_keys(item, spelled=False)
            return bool(keys) and keys <= self._numbers.get(pid, set())
        words = [fold(w) for w in re.findall(r"[^\W\d_]+", normalize(item)) if len(w) >= 2]
        return bool(words) and all(w in self._words.get(pid, set()) for w in words)

    def cite(self, text: str, assigned: Sequence[Fact] = (), ctx=None) -> Citation:
        conveyed = [f for f in assigned if conveys(f, text, ctx)]
        passages = list(dict.fromkeys(f.passage for f in conveyed))
        for item in sorted(concrete_facts(text)):
            if ctx is not None and ctx.in_subject(item):
                continue     # naming the subject is not a claim that needs a source
            if any(self._backs(pid, item) for pid in passages):
                continue
            backing = next((pid for pid in sorted(self._numbers) if self._backs(pid, item)), None)
            if backing is not None:
                passages.append(backing)
        return Citation(passages, [f.id for f in conveyed])
