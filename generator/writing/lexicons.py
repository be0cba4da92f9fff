"""Word lists and dictionary look-ups shared by the text primitives and the French guard.

lexicon/english.txt: common English words that are not French; lexicon/french.txt: French
words simplemma's dictionary lacks; lexicon/loanwords.txt: anglicisms accepted in French speech;
lexicon/countries.txt: countries named with « au »/« aux ».
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

LEXICON = Path(__file__).with_name("lexicon")
_FOLD = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u00b4`\u2032"})


def _read_list(name: str) -> list[str]:
    lines = (LEXICON / name).read_text(encoding="utf-8").splitlines()
    return [unicodedata.normalize("NFC", line).translate(_FOLD).strip().lower()
            for line in lines if line.strip() and not line.lstrip().startswith("#")]


@lru_cache(maxsize=1)
def english_lexicon() -> frozenset[str]:
    """Curated common English words that are not French words."""
    return frozenset(_read_list("english.txt"))


@lru_cache(maxsize=1)
def french_lexicon() -> frozenset[str]:
    """French words that simplemma's French dictionary may lack."""
    return frozenset(_read_list("french.txt"))


@lru_cache(maxsize=1)
def loanwords() -> tuple[str, ...]:
    """Anglicisms accepted in French speech, as written in lexicon/loanwords.txt."""
    return tuple(_read_list("loanwords.txt"))


@lru_cache(maxsize=200_000)
def known(word: str, lang: str) -> bool:
    """simplemma knows this (lowercase) word in `lang`."""
    import simplemma
    return simplemma.is_known(word, lang=lang)


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    import simplemma
    return simplemma.lemmatize(word, lang="fr")


def french_adverb(word: str) -> bool:
    """rapidement <- rapide, vraiment <- vrai, constamment <- constant, évidemment <- évident."""
    if word.endswith(("amment", "emment")) and len(word) > 7:
        return known(word[:-6] + ("ant" if word.endswith("amment") else "ent"), "fr")
    if word.endswith("ment") and len(word) > 6:
        stem = word[:-4]
        return known(stem, "fr") or stem in french_lexicon()
    return False


def french_listed(word: str) -> bool:
    french = french_lexicon()
    return word in french or (word[-1:] in "sx" and word[:-1] in french)


@lru_cache(maxsize=1)
def country_articles() -> dict[str, str]:
    """Country name (as written) -> the contracted article it takes: « au » Maroc, « aux » États-Unis."""
    lines = (LEXICON / "countries.txt").read_text(encoding="utf-8").splitlines()
    pairs = (unicodedata.normalize("NFC", line).strip().rsplit(" ", 1) for line in lines
             if line.strip() and not line.lstrip().startswith("#"))
    return {name: article for name, article in pairs}
