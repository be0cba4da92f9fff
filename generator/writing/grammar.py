"""French grammar and spelling with Grammalecte, the reference open-source French checker.

Grammalecte is pure Python and offline; Debian ships it (`python3-grammalecte`)
and the set-up links its folder into the virtual environment. Typography options
are off: a turn is spoken, so spaces before ":" or apostrophe shapes do not matter.

`GrammarChecker.fix` applies Grammalecte's own suggestion to agreement and
conjugation errors and to misspelt words close to a known word, one at a time,
re-checking after each (two errors often describe one mistake from both sides:
"Il ont" is "Il a" or "Ils ont", never "Ils a"). Words found in the sources
(names, technical terms) and the hosts' names are never "misspelt".
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .lexicons import country_articles, loanwords
from .text import fold

DEBIAN_PATH = Path("/usr/lib/python3/dist-packages")
# Spoken style, not errors: typography, spacing, number formats, capitals after a colon...
OFF = ("apos", "nbsp", "esp", "typo", "unit", "num", "maj", "virg", "poncfin", "date", "bs", "eepi", "tu", "html",
       "latex", "md", "mapos", "liga", "ocr", "idrule", "pleo", "redon1", "redon2")
MAX_FIXES = 6


@dataclass(frozen=True)
class GrammarError:
    start: int
    end: int
    text: str
    kind: str                 # "grammar" or "spelling"
    rule: str
    message: str
    suggestions: tuple[str, ...]


def available() -> tuple[bool, str]:
    try:
        _engine()
        return True, ""
    except ImportError:
        return False, "Grammalecte is not installed (apt-get install python3-grammalecte, then `make setup`)"


@lru_cache(maxsize=1)
def _engine():
    try:
        import grammalecte
    except ImportError:
        # Debian's package lives outside the virtual environment; look there once.
        if (DEBIAN_PATH / "grammalecte").is_dir() and str(DEBIAN_PATH) not in sys.path:
            sys.path.append(str(DEBIAN_PATH))
        import grammalecte
    checker = grammalecte.GrammarChecker("fr")
    engine = checker.getGCEngine()
    options = engine.getOptions()
    for name in OFF:
        if name in options:
            engine.setOption(name, False)
    return checker


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@lru_cache(maxsize=1)
def _country_names() -> str:
    """The countries of lexicon/countries.txt as one alternation, longest first ("Viêt Nam" before "Vietnam")."""
    return "|".join(re.escape(n) for n in sorted(country_articles(), key=len, reverse=True))


@lru_cache(maxsize=1)
def _en_country() -> re.Pattern[str]:
    # "dans le Maroc de 1950" is French; "dans le Liban et le Maroc" (measured) is not.
    return re.compile(r"\b([Ee]n|[Dd]ans l(?:e|es))\s+(" + _country_names() + r")\b(?!\s+(?:de|du|des|d'|d’)\b)")


def country_prepositions(text: str) -> str:
    """« en Maroc » or « dans le Maroc » -> « au Maroc », « en États-Unis » -> « aux États-Unis »:
    Grammalecte lets them pass."""
    def contract(m: re.Match[str]) -> str:
        article = country_articles()[m.group(2)]
        return (article.capitalize() if m.group(1)[0].isupper() else article) + " " + m.group(2)
    text = _en_country().sub(contract, text)
    # The second of a pair follows the first: "au Liban et le Maroc" -> "au Liban et au Maroc".
    return _and_country().sub(lambda m: m.group(1) + country_articles()[m.group(2)] + " " + m.group(2), text)


@lru_cache(maxsize=1)
def _and_country() -> re.Pattern[str]:
    names = _country_names()
    return re.compile(r"(\baux? (?:" + names + r") (?:et|ou|puis) )(?:l(?:e|es)|en) (" + names + r")\b")


# "mis en service à 1970" (measured in a recap): a year after an event's participle takes « en ».
_AT_YEAR = re.compile(r"\b((?:mise?s?|créée?s?|fondée?s?|construite?s?|née?s?|ouverte?s?|lancée?s?|inaugurée?s?|"
                      r"publiée?s?|morte?s?|installée?s?)(?: en service)?) à ((?:1[0-9]|20)[0-9]{2})\b(?!\s*(?:mètres|m\b|km|°))")


def at_year(text: str) -> str:
    return _AT_YEAR.sub(r"\1 en \2", text)


class GrammarChecker:
    """Grammalecte on one turn at a time; `known` words (from the sources, the hosts) are never misspelt."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self._checker = _engine()
        self.known = {fold(w) for w in known} | {fold(w) for w in loanwords()}

    def add_known(self, words: Iterable[str]) -> None:
        self.known |= {fold(w) for w in words}

    def errors(self, text: str) -> list[GrammarError]:
        grammar, spelling = self._checker.getParagraphErrors(text, bSpellSugg=True)
        out = [GrammarError(e["nStart"], e["nEnd"], text[e["nStart"]:e["nEnd"]], "grammar", e.get("sRuleId", ""),
                            e.get("sMessage", ""), tuple(e.get("aSuggestions") or ())) for e in grammar
               # A name as the sources write it ("les Pyrénées-Orientales") is not an agreement error.
               if not (text[e["nStart"]:e["nStart"] + 1].isupper() and self._in_sources(text[e["nStart"]:e["nEnd"]]))]
        for e in spelling:
            word = e.get("sValue", "")
            if self._accepted(word):
                continue
            out.append(GrammarError(e["nStart"], e["nEnd"], word, "spelling", "", "mot inconnu",
                                    tuple(e.get("aSuggestions") or ())))
        return sorted(out, key=lambda e: e.start)

    def _in_sources(self, span: str) -> bool:
        parts = [fold(p) for p in re.split(r"[-'’\s]", span) if p]
        return bool(parts) and all(p in self.known for p in parts)

    def _accepted(self, word: str) -> bool:
        folded = fold(word)
        parts = [p for p in re.split(r"[-'’]", folded) if p]
        singular = folded[:-1] if folded.endswith(("s", "x")) else folded
        return (folded in self.known or singular in self.known or (parts and all(p in self.known for p in parts))
                or word[:1].isupper()                 # names: the grounding check judges them
                or any(c.isdigit() for c in word))

    def _suggestion(self, error: GrammarError) -> str | None:
        if not error.suggestions:
            return None
        first = error.suggestions[0]
        if error.kind == "spelling":
            # The nearest of its suggestions: Grammalecte's first for "flamm" is "flan", not "flamme".
            first = min(error.suggestions[:6], key=lambda w: _edit_distance(fold(error.text), fold(w)))
            # Only a near miss is a typo ("pétrol" -> "pétrole"); anything else is a different word,
            # and a common word never becomes a name ("amazing" is not "Amazon").
            if _edit_distance(fold(error.text), fold(first)) > 2 and fold(error.text) != fold(first):
                return None
            if first[:1].isupper() and not error.text[:1].isupper():
                return None
            if error.text[:1].isupper():
                first = first[:1].upper() + first[1:]
        return first

    def fix(self, text: str) -> tuple[str, list[GrammarError]]:
        """The text with every error that has a safe suggestion corrected, and the errors left."""
        text = at_year(country_prepositions(text))
        for _ in range(MAX_FIXES):
            errors = self.errors(text)
            fixable = next(((e, s) for e in errors if (s := self._suggestion(e)) is not None), None)
            if fixable is None:
                return text, errors
            error, suggestion = fixable
            text = text[:error.start] + suggestion + text[error.end:]
        return text, self.errors(text)
