"""French versions of English passages, made before the outline.

Measured on the 1.5B model: given English passages, it writes franglais even in
the outline ("le drug psilocybin… du brain"). Translating the few selected
passages first means every later prompt shows only French.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .guard import FrenchGuard
from .llm import LLM
from .passages import Passage
from .prompts import render

SCHEMA = {"type": "object", "properties": {"traduction": {"type": "string"}}, "required": ["traduction"]}


_EN_THOUSANDS = re.compile(r"\b(\d{1,3})((?:,\d{3})+)\b")
_EN_DECIMAL = re.compile(r"\b(\d+)\.(\d+)\b")


def french_numbers(text: str) -> str:
    """1,300 → 1 300 and 1.2 → 1,2 before translating: the model copies digits as written."""
    text = _EN_THOUSANDS.sub(lambda m: m[1] + m[2].replace(",", "\u202f"), text)
    return _EN_DECIMAL.sub(r"\1,\2", text)


def glossary_schema(words: Sequence[str]) -> dict:
    return {"type": "object", "properties": {w: {"type": "string"} for w in words}, "required": list(words)}


def apply_glossary(llm: LLM, text: str, guard: FrenchGuard, *, seed: int) -> str:
    """Replace the English words the guard finds with French equivalents the model names one by one.

    Measured on the 1.5B model: asked to rewrite a franglais line, it rewrites the English back in;
    asked for one word at a time, it knows "power" is "électricité". The rest of the line stays as is.
    """
    words = list(dict.fromkeys(guard.english_words(text)))
    if not words:
        return text
    out = llm.complete([{"role": "user", "content": render("glossaire", text=text, words=words)}],
                       schema=glossary_schema(words), temperature=0.1, seed=seed,
                       max_tokens=16 * len(words) + 32, repeat_penalty=1.0)
    data = out.json() or {}
    for word in words:
        french = " ".join(str(data.get(word, "")).strip(" .,;:!?«»\"'").split())
        # An equivalent that is English again, the word itself or a whole sentence is no equivalent.
        if not french or french.lower() == word.lower() or len(french.split()) > 4 or guard.english_words(french):
            continue
        if word[0].isupper():
            french = french[0].upper() + french[1:]
        text = re.sub(rf"(?<![\w'’-]){re.escape(word)}(?![\w'’-])", lambda m, f=french: f, text)
    return text


def translate_passage(llm: LLM, passage: Passage, guard: FrenchGuard, *, seed: int,
                      temperatures: Sequence[float] = (0.3, 0.1)) -> tuple[Passage, bool]:
    """Returns the French passage and whether the translation passed the guard."""
    prompt = render("traduction", text=french_numbers(passage.text))
    best = None
    for attempt, temperature in enumerate(temperatures):
        out = llm.complete([{"role": "user", "content": prompt}], schema=SCHEMA, temperature=temperature,
                           seed=seed + attempt, max_tokens=int(passage.words * 2.6) + 64,
                           repeat_penalty=1.05)
        data = out.json()
        text = " ".join(str(data.get("traduction", "")).split()) if data else ""
        if not text:
            continue
        # Long passages hold a few loanwords legitimately: judge the language, then the words.
        english = guard.english_words(text)
        verdict = guard.check(text)
        if verdict.reason in ("refusal", "meta"):
            continue   # "Désolé, je ne peux pas traduire…" must never stand in for the source
        if verdict.language != "en" and len(english) <= max(1, len(text.split()) // 40):
            # The few English words left would come back in the hosts' lines.
            text = apply_glossary(llm, text, guard, seed=seed + 10) if english else text
            return Passage(passage.id, passage.doc, text), True
        if best is None and verdict.language != "en":
            best = text
    if best:
        return Passage(passage.id, passage.doc, apply_glossary(llm, best, guard, seed=seed + 10)), False
    return passage, False


def translate_passages(llm: LLM, passages: Sequence[Passage], guard: FrenchGuard, *,
                       english_docs: set[int], seed: int) -> tuple[list[Passage], int]:
    out, failures = [], 0
    for p in passages:
        if p.doc not in english_docs:
            out.append(p)
            continue
        translated, ok = translate_passage(llm, p, guard, seed=seed + p.id)
        failures += not ok
        out.append(translated)
    return out, failures
