"""Cut a spoken turn into pieces an engine accepts, at the most natural boundary available.

Neural engines have input limits (XTTS-v2 degrades past ~250 characters of French)
and read a whole sentence better than a fragment, so a long turn is cut at
sentence ends first, then at clause punctuation, and only as a last resort
between words. Pieces are packed greedily up to the limit so a turn of short
sentences is not read as a string of separate utterances.
"""

from __future__ import annotations

import re

from ..writing.text import sentences

__all__ = ["split_text"]

_CLAUSE = re.compile(r"(?<=[,;:])\s+|\s+(?=[—–-]\s)")


def _atoms(text: str, limit: int) -> list[str]:
    """Sentences, themselves cut at clauses, then at words, until each fits the limit."""
    out: list[str] = []
    for sentence in sentences(text, any_case=True):
        if len(sentence) <= limit:
            out.append(sentence)
            continue
        for clause in _CLAUSE.split(sentence):
            if len(clause) <= limit:
                out.append(clause)
                continue
            line = ""
            for word in clause.split():
                if line and len(line) + 1 + len(word) > limit:
                    out.append(line)
                    line = ""
                # A single word longer than the limit cannot be cut sensibly: it goes alone.
                line = f"{line} {word}" if line else word
            if line:
                out.append(line)
    return [a for a in out if a.strip()]


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters (a lone over-long word excepted), in order.

    Joining the pieces with single spaces gives back the text with its runs of
    whitespace collapsed.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    text = " ".join(text.split())
    if len(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    for atom in _atoms(text, limit):
        if pieces and len(pieces[-1]) + 1 + len(atom) <= limit:
            pieces[-1] = f"{pieces[-1]} {atom}"
        else:
            pieces.append(atom)
    return pieces
