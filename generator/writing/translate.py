"""French versions of the English facts an episode uses, made before the outline.

Measured on the 1.5B model: given English passages, it writes franglais even in
the outline ("le drug psilocybin… du brain"). Translating the few facts the
episode tells, one statement at a time, means every later prompt shows only French.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .guard import FrenchGuard, identify
from .llm import LLM, purpose
from .factbank import Fact, FactBank
from .prompts import render
from .text import number_keys

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
    with purpose("glossary", aside=True):
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


# Words whose sense a translation must keep, with the French stems that keep it: measured on the 1.5B
# model, "chosen for its cold" came out "choisie pour sa chaleur", "minus 18 degrees" "moins de 18 degrés"
# was fine but "never" was dropped elsewhere. A flipped sense would be said as a fact on air.
_SENSES = [(re.compile(p, re.I), re.compile(q, re.I)) for p, q in (
    (r"\b(?:cold|colder|frozen|freez\w*|icy|frost\w*)\b", r"\b(?:froid\w*|gel\w*|glac\w*|congel\w*|frais|fraîch\w*)"),
    (r"\b(?:hot|hotter|heat|warm\w*)\b", r"\b(?:chau\w*|chaleur\w*|brûl\w*|réchauff\w*)"),
    (r"\bnorth\w*", r"\bnord\w*"), (r"\bsouth\w*", r"\bsud\b|\baustra\w*|\bmérid\w*"),
    (r"\b(?:increas\w*|ris(?:e|es|ing)|rose|grow\w*|grew)\b", r"\b(?:augment\w*|hausse\w*|croiss\w*|cro[iî]t\w*|mont\w*|"
                                                           r"progress\w*|accru\w*|accro\w*|développ\w*|grandi\w*|élev\w*)"),
    (r"\b(?:decreas\w*|declin\w*|fell|drop\w*|shrink\w*|shrank)\b", r"\b(?:baiss\w*|diminu\w*|chut\w*|recul\w*|"
                                                                    r"rédui\w*|décro\w*|tomb\w*|moins)"),
    (r"\b(?:not|never|no|none|nothing|without|n't)\b|n't\b", r"\b(?:ne|n'|pas|jamais|aucun\w*|rien|sans|non|ni)\b|\bn'"),
)]


def lost_senses(english: str, french: str) -> list[str]:
    """The sense-bearing English words (cold, north, never…) whose sense the French version lost."""
    return [m.group() for en, fr in _SENSES if (m := en.search(english)) and not fr.search(french)]


def translate_text(llm: LLM, text: str, guard: FrenchGuard, *, seed: int,
                   temperatures: Sequence[float] = (0.3, 0.1)) -> tuple[str, bool]:
    """A French version of one English statement, and whether it passed the guard.

    A refusal or meta line never stands in for the source; numbers must survive; a
    few English words left are glossed one by one. Falls back on the source's own words.
    """
    source = french_numbers(text)
    prompt = render("traduction", text=source)
    best = None
    for attempt, temperature in enumerate(temperatures):
        with purpose("translation"):
            out = llm.complete([{"role": "user", "content": prompt}], schema=SCHEMA, temperature=temperature,
                               seed=seed + attempt, max_tokens=int(len(text.split()) * 2.6) + 64,
                               repeat_penalty=1.05)
        data = out.json()
        french = " ".join(str(data.get("traduction", "")).split()) if data else ""
        if not french:
            continue
        verdict = guard.check(french)
        if verdict.reason in ("refusal", "meta"):
            continue   # "Désolé, je ne peux pas traduire…" must never stand in for the source
        if not number_keys(source, spelled=False) <= number_keys(french):
            continue   # a figure lost or changed in translation would be said wrong on air
        if lost_senses(source, french):
            continue   # "chosen for its cold" as "choisie pour sa chaleur": the opposite, said as a fact
        if len(french.split()) < 0.6 * len(text.split()) or french.rstrip()[-1:] not in ".!?…»\")":
            continue   # measured: "Debian est la seule distribution qui est" — a cut sentence, completed on air
        english = guard.english_words(french)
        if verdict.language != "en" and len(english) <= max(1, len(french.split()) // 20):
            # The few English words left would come back in the hosts' lines.
            return (apply_glossary(llm, french, guard, seed=seed + 10) if english else french), True
        if best is None and verdict.language != "en":
            best = french
    if best:
        return apply_glossary(llm, best, guard, seed=seed + 10), False
    return text, False


def needs_translation(fact: Fact, english_docs: set[int]) -> bool:
    """A statement from an English document, or an English paragraph left in a French one (measured:
    two chapters of the French Debian Reference are untranslated)."""
    if fact.original:
        return False
    if fact.doc in english_docs:
        return True
    language, probability = identify(fact.text)
    return language == "en" and probability >= 0.95


def translate_facts(llm: LLM, bank: FactBank, fact_ids: Sequence[int], guard: FrenchGuard, *,
                    english_docs: set[int], seed: int) -> tuple[FactBank, int]:
    """The bank with the listed English facts in French; returns it and how many translations failed."""
    texts: dict[int, str] = {}
    failures = 0
    for fact_id in fact_ids:
        fact = bank.by_id(fact_id)
        if not needs_translation(fact, english_docs):
            continue
        texts[fact.id], ok = translate_text(llm, fact.text, guard, seed=seed + fact.id)
        failures += not ok
    return bank.replace_texts(texts), failures
