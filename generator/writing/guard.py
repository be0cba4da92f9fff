"""The French guard: is this turn French, spoken by a host, and nothing else?

Small local models slip into English or franglais, write meta lines
("Bien sûr, voici la réplique de Thomas :"), speaker labels, stage directions
and refusals. `FrenchGuard.check` turns one turn into a `Verdict`:

    empty    nothing but spaces or punctuation
    refusal  "Je ne peux pas", "En tant qu'IA", "As an AI", "I cannot"...
    meta     "Voici le dialogue", "Réplique :", "Thomas :", "**Camille** :",
             "Thomas explique que...", "# Titre", "[Rires]"
    english  the turn is in English (py3langid restricted to fr/en, run on the
             turn without its names, numbers and loanwords, from 4 words; or
             half its checkable words are English)
    english-words  more than `max_english_words` English words in a French turn

English words: a word counts as English when it is in the curated English
list (lexicon/english.txt: "the", "brain", "welcome", "however"...), or when,
written in lowercase, 4+ letters and without French accents, simplemma knows
it in English but not in French and it is not in lexicon/french.txt (French
words simplemma's French dictionary lacks: "pas", "temps", "comment"...),
not a French adverb in -ment, and does not end like a shared Latin/Greek
invariable (-x, -os, -is, -as, -us but not -ous: chaos, index, consensus). Never English: loanwords accepted in French
(lexicon/loanwords.txt, multi-word entries matched as phrases, plural -s
accepted), capitalised words mid-sentence (names), acronyms, words with
capitals inside (OpenAI, kWh) or digits. A capitalised word opening a
sentence counts only through the curated list ("However" yes, "Microsoft" no).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .lexicons import english_lexicon, french_adverb, french_lexicon, french_listed, known, loanwords
from .text import ELISIONS, iter_words, normalize, tokenize

FRENCH_ACCENTS = frozenset("àâäçéèêëîïôöùûüÿœæ")


@dataclass(frozen=True)
class GuardOptions:
    min_words_for_langid: int = 4
    max_english_words: int = 0          # English words (not allowlisted) allowed per turn
    english_share: float = 0.5          # this share of a turn's checkable words English -> "english"


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str | None          # "empty", "refusal", "meta", "english", "english-words"; None when ok
    language: str               # "fr" | "en" | "?" (too short / backchannel)
    english_words: tuple[str, ...]



@lru_cache(maxsize=1)
def _identifier():
    """py3langid restricted to French and English, built once."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    factory = getattr(LanguageIdentifier, "from_model_file", None) or LanguageIdentifier.from_pickled_model
    identifier = factory(MODEL_FILE, norm_probs=True)
    identifier.set_languages(["fr", "en"])
    return identifier


def identify(text: str) -> tuple[str, float]:
    """("fr" | "en", probability) from py3langid restricted to both."""
    language, probability = _identifier().classify(text)
    return str(language), float(probability)


def _shared_ending(word: str) -> bool:
    """Endings of Latin, Greek or French invariables that English shares (chaos, index, iris, atlas,
    consensus): the dictionary rule leaves them alone; English -ous adjectives stay English."""
    return word.endswith(("x", "os", "is", "as", "ais", "ois")) or (word.endswith("us") and not word.endswith("ous"))


# ---------------------------------------------------------------- meta lines and refusals


_REFUSALS = [re.compile(p, re.I) for p in (
    r"\ben tant qu(?:e |')\s*(?:ia|ai|intelligence artificielle|assistant\w*|mod[eè]le (?:de langage|d'ia)"
    r"|programme informatique|chatbot|robot conversationnel|agent conversationnel)\b",
    r"\bje suis (?:une? )?(?:ia|intelligence artificielle|assistant(?:e)? (?:virtuel\w*|ia)|"
    r"mod[eè]le de langage)\b",
    r"^(?:(?:je suis )?(?:d[ée]sol[ée]e?|pardon|navr[ée]e?|excusez-moi|malheureusement)\b[\s,.!…]*(?:mais\s+)?)"
    r"je (?:ne )?(?:peux|pourrai|pourrais|suis pas en mesure|suis pas autoris|refuse)",
    r"\bje ne (?:peux|pourrai|pourrais) pas (?:vous |t'|te )?(?:aider|assister|fournir|g[ée]n[ée]rer|"
    r"r[ée]pondre (?:à|a) (?:cette|ta|votre|ce genre de|ce type de) (?:demande|requ[êe]te|instruction)|"
    r"produire|[ée]crire|r[ée]diger|continuer|cr[ée]er|acc[ée]der|traiter|satisfaire|accomplir|participer|jouer ce|"
    r"donner suite|faire (?:ça|cela|ceci))",
    r"^je ne peux pas[\s.!…]*$",
    # Measured on the 1.5B model: "Je suis désolé, mais je n'ai pas d'explications supplémentaires…"
    r"^(?:je suis )?d[ée]sol[ée]e?\b[\s,.!…]*(?:mais\s+)?je n'ai (?:pas|rien)\b",
    # Measured on an English page: "Je n'ai aucune information sur les conditions climatiques…"
    r"\bje n'ai (?:aucune|pas d'|pas de|pas la|pas les) ?(?:information|informations|réponse|donnée|données|détail)",
    r"\bas an (?:ai|a\.i\.|artificial intelligence|assistant)\b|\bas a (?:large )?language model\b",
    r"\bi(?:'m| am) (?:an ai|a language model|an assistant|just an ai)\b",
    r"^(?:(?:i'm |i am )?sorry|unfortunately)?[\s,.!]*(?:but )?i (?:cannot|can't|can not|am unable|won't be able|"
    r"am not able|will not)\b",
    r"\bi (?:cannot|can't|can not) (?:help|assist|provide|answer|do|write|comply|continue|fulfil)",
)]

_META = [re.compile(p, re.I) for p in (
    # "Voici la réplique de Thomas", "Bien sûr, voici le dialogue"
    r"^(?:(?:bien s[uû]r|certainement|d'accord|ok|okay|absolument|parfait|tr[eè]s bien|avec plaisir|entendu)\b"
    r"[\s,!.]*)?(?:voici|voil[aà])\s+(?:\w+\s+){0,3}?(?:r[ée]pliques?|dialogues?|scripts?|transcriptions?|"
    r"prochaine r[ée]plique|tour de parole)\b",
    r"^(?:bien s[uû]r|certainement|d'accord|avec plaisir|absolument|entendu)\b[\s,!.]*(?:voici|voil[aà])\s+"
    r"(?:\w+\s+){0,3}?(?:suite|r[ée]ponse|texte|version|proposition|conversation|[ée]change)\b",
    r"^(?:voici|voil[aà])\b.{0,80}:\s*$",
    # "Réplique :", "Réponse de Camille :"
    r"^(?:r[ée]plique|r[ée]ponse|dialogue|script|transcription|sortie|texte|note|remarque|suite|"
    r"reply|response|answer|output|turn)\b[^:\n]{0,30}:",
    r"^(?:(?:sure|certainly|of course|okay|ok|alright)[\s,!.]+)?here(?:'s| is| are)\b",
    r"^#{1,6}\s",                       # markdown heading
    r"^(?:-{3,}|\*{3,}|={3,}|_{3,})$",  # rule
    # Measured after a refused attempt: "Je suis désolé pour cette répétition, mais…"
    r"^(?:je suis |je m'excuse,? )?(?:d[ée]sol[ée]e?|pardon)\s+(?:pour|de)\s+(?:cette|la|ma|mon|l')\s*"
    r"(?:r[ée]p[ée]tition|erreur|confusion|r[ée]ponse|r[ée]plique|oubli)\b",
    r"^[\[(][^\])]{0,80}[\])]$",        # a line that is only a stage direction: "(rires)", "[Musique]"
    r"^\*[^*]{1,60}\*$",                # "*rit*"
    # A rewrite that describes the copying it was asked to undo (measured: « Elle reprend mot pour mot un
    # texte écrit : "63 héliostats… »).
    r"\b(?:reprend|recopie|r[ée]p[èe]te|cite)\w*\s+(?:\w+\s+){0,2}?mot (?:pour|à) mot\b",
)]

_ROLES = (r"h[ôo]te|host|animat(?:eur|rice)|intervenant\w*|speaker|locut(?:eur|rice)|invit[ée]e?|"
          r"narrat(?:eur|rice)|pr[ée]sentat(?:eur|rice)|journaliste|expert\w*|personne|voix|"
          r"(?:h[ôo]te|host|speaker|personne|voix|intervenant\w*) ?\d|[AB]\d?|H\d")
_REPORTING = (r"explique|r[ée]pond|demande|ajoute|pr[ée]cise|poursuit|reprend|conclut|souligne|encha[îi]ne|"
              r"intervient|r[ée]agit|s'exclame|rebondit|commence|d[ée]clare|continue|relance|r[ée]sume|introduit|"
              r"pr[ée]sente|raconte|rappelle|confirme|acquiesce|sourit|rit|hoche|interrompt|compl[èe]te|approuve|"
              r"nuance|remarque|observe|lance|questionne|interroge|affirme|annonce|dit|salue|accueille|"
              r"r[ée]capitule|reformule|s'interroge|s'[ée]tonne|h[ée]site|r[ée]torque|renchérit|objecte|insiste")
_ECHO_SUBJECT = r"l'animat(?:eur|rice)|l'h[ôo]te|l'invit[ée]e?|l'experte?|le pr[ée]sentateur|la pr[ée]sentatrice"


@lru_cache(maxsize=64)
def _host_patterns(hosts: tuple[str, ...]) -> tuple[re.Pattern, re.Pattern]:
    names = "|".join(re.escape(h) for h in sorted(hosts, key=len, reverse=True) if h)
    who = f"(?:{names}|{_ROLES})" if names else f"(?:{_ROLES})"
    label = re.compile(rf"^[-—–>•\s]*(?:\*\*|__|\*|_)?\s*{who}\s*(?:\*\*|__|\*|_)?\s*(?:\([^)]*\)|\[[^\]]*\])?"
                       rf"\s*(?:\*\*|__|\*|_)?\s*:", re.I)
    subject = f"(?:{names}|{_ECHO_SUBJECT})" if names else f"(?:{_ECHO_SUBJECT})"
    echo = re.compile(rf"^{subject}(?:\s*,[^,]{{1,40}},)?\s+(?:lui\s+|leur\s+|alors\s+|ensuite\s+|aussi\s+)?"
                      rf"(?:{_REPORTING})\b", re.I)
    return label, echo


def _lines(text: str) -> list[str]:
    """Lines without their markdown decoration, quotes or list bullets."""
    out = []
    for line in normalize(text).splitlines():
        line = line.strip().strip("\"«»“”").strip()
        if line:
            out.append(line)
    return out


def _unemphasised(line: str) -> str:
    return re.sub(r"^[-—–>•\s]+", "", line).replace("**", "").replace("__", "").strip()

# ---------------------------------------------------------------- backchannels


BACKCHANNELS = frozenset(normalize(b) for b in """
ah|oh|eh|ah bon|ah oui|oh oui|ah non|oh non|ah bah|oui|non|ouais|ouais ouais|si|exactement|exact|tout à fait|
absolument|carrément|voilà|d'accord|ok|okay|bien sûr|évidemment|effectivement|en effet|c'est vrai|vrai|c'est ça|
c'est clair|clairement|c'est fou|c'est dingue|c'est incroyable|incroyable|waouh|wow|ouah|oh là là|oh la la|
je vois|ah je vois|intéressant|très intéressant|passionnant|fascinant|impressionnant|génial|super|parfait|
bien|très bien|bah oui|bah non|ben oui|ben non|vraiment|sérieusement|sans blague|pas mal|dingue|fou|quoi|
comment|pardon|euh|bon|bref|justement|eh oui|et oui|hein|merci|je comprends|logique|c'est logique|normal|
bravo|chapeau|ça alors|mince|la vache|mon dieu|oh mon dieu|bonne question|excellente question|tiens|ah tiens|
ah d'accord|ah ok|ok d'accord|d'accord d'accord|tout à fait d'accord|complètement|totalement|grave|trop bien|
c'est sûr|sûrement|peut-être|pas vraiment|pas du tout|pas forcément|je confirme|on y va|allons-y|et alors|
et après|et donc|et ensuite|ah ah|haha|ha ha|oui oui|non non|eh bien|ah ça oui|c'est vrai ça|ah ouais
""".replace("\n", "").split("|"))
_HUM = re.compile(r"^(?:m+h*m*|h+m+|hu+m+|m+-?h+m+|a+h+|o+h+|e+u+h+|ha(?:ha)+|hi(?:hi)+|hm+-?hm+|uh-huh|"
                  r"mm+-?hm+|pf+|pfiou|ouf|waou+h|ouah+)$")


def is_backchannel(text: str) -> bool:
    """Only backchannels or short interjections: "Mm-hmm.", "Ah bon ?", "Oui, exactement !"."""
    text = normalize(text).lower()
    segments = [" ".join(s.split()) for s in re.split(r"[.!?…,;:()\"«»“”—–]+|\s-\s", text)]
    segments = [s.strip(" -*_") for s in segments if s.strip(" -*_")]
    return bool(segments) and all(s in BACKCHANNELS or _HUM.match(s) for s in segments)

# ---------------------------------------------------------------- the guard


class FrenchGuard:
    """Checks that one turn is French speech by a host: see the module docstring."""

    def __init__(self, options: GuardOptions = GuardOptions(), extra_allowlist: Iterable[str] = ()) -> None:
        self.options = options
        single, phrases = set(), set()
        for entry in (*loanwords(), *(normalize(e).strip().lower() for e in extra_allowlist)):
            tokens = tuple(tokenize(entry))
            if len(tokens) == 1:
                single.add(tokens[0])
            elif tokens:
                phrases.add(tokens)
        self._loan_single = frozenset(single)
        self._loan_phrases = tuple(sorted(phrases, key=len, reverse=True))

    # ------------------------------------------------------------ words

    def _loanword(self, lower: str) -> bool:
        return lower in self._loan_single or (lower.endswith("s") and lower[:-1] in self._loan_single)

    def _covered(self, lowers: list[str]) -> list[bool]:
        """Positions that belong to an allowlisted multi-word loanword."""
        covered = [False] * len(lowers)
        for phrase in self._loan_phrases:
            k = len(phrase)
            for i in range(len(lowers) - k + 1):
                window = lowers[i:i + k]
                if window[:-1] == list(phrase[:-1]) and window[-1] in (phrase[-1], phrase[-1] + "s"):
                    for j in range(i, i + k):
                        covered[j] = True
        return covered

    def _is_english(self, word: str, initial: bool) -> bool:
        lower = word.lower()
        if len(lower) < 2 or any(c.isdigit() for c in lower) or word.isupper():
            return False
        if any(c.isupper() for c in word[1:]):               # OpenAI, iPhone, kWh
            return False
        if word[0].isupper() and not initial:                # a name mid-sentence
            return False
        if self._loanword(lower) or french_listed(lower):
            return False
        english = english_lexicon()
        if lower in english:
            return True
        if lower.endswith("'s") and lower[:-2] in english:   # people's
            return True
        if "-" in lower:                                     # well-known, peut-être, mm-hmm
            if known(lower, "fr"):
                return False
            return any(self._is_english(part, initial and k == 0)
                       for k, part in enumerate(word.split("-")) if part)
        if word[0].isupper():                                # opens a sentence: only the curated list
            return False
        if len(lower) < 4 or "'" in lower or FRENCH_ACCENTS.intersection(lower):
            return False
        if _shared_ending(lower):
            return False
        return known(lower, "en") and not known(lower, "fr") and not french_adverb(lower)

    def _analyse(self, text: str) -> tuple[list[str], list[str]]:
        """(English words as written, the words left for language ID)."""
        words = list(iter_words(text))
        lowers = [w.lower() for w, _ in words]
        covered = self._covered(lowers)
        english, kept = [], []
        for (word, initial), lower, skip in zip(words, lowers, covered):
            if skip or self._loanword(lower):
                continue
            if self._is_english(word, initial):
                english.append(word)
            if any(c.isdigit() for c in word) or (word.isupper() and len(word) > 1) or \
                    (word[0].isupper() and not initial) or any(c.isupper() for c in word[1:]):
                continue                                      # names, acronyms and numbers say nothing
            kept.append(word)
        return english, kept

    def english_words(self, text: str) -> list[str]:
        """The English words of a turn, as written and in order (repeats included)."""
        return self._analyse(text)[0]

    # ------------------------------------------------------------ verdict

    def _language(self, english: list[str], kept: list[str]) -> str:
        checkable = [w for w in kept if w.lower() not in ELISIONS]
        if english and len(english) >= self.options.english_share * max(1, len(checkable)):
            return "en"
        if len(checkable) < self.options.min_words_for_langid:
            return "?"
        joined = ""
        for word in kept:                                     # "l" "IA" -> "l'IA"
            joined += word + ("'" if word.lower() in ELISIONS else " ")
        language = identify(joined.strip())[0]
        # English without a single English word is py3langid misreading loanwords or names.
        return "fr" if language == "en" and not english else language

    @staticmethod
    def _meta_or_refusal(text: str, hosts: Sequence[str]) -> str | None:
        label, echo = _host_patterns(tuple(h.strip() for h in hosts if h and h.strip()))
        lines = _lines(text)
        for line in lines:
            plain = _unemphasised(line)
            if any(p.search(plain) for p in _REFUSALS):
                return "refusal"
        for line in lines:
            plain = _unemphasised(line)
            if label.match(line) or label.match(plain) or echo.match(plain) or any(p.search(plain) for p in _META):
                return "meta"
        return None

    def check(self, text: str, hosts: Sequence[str] = ()) -> Verdict:
        """One turn's verdict; `hosts` are the hosts' names (for labels and "Thomas explique...")."""
        text = text or ""
        if not any(c.isalnum() for c in text):
            return Verdict(False, "empty", "?", ())
        english, kept = self._analyse(text)
        words = tuple(english)
        reason = self._meta_or_refusal(text, hosts)
        if reason:
            return Verdict(False, reason, self._language(english, kept), words)
        if is_backchannel(text):
            return Verdict(True, None, "?", ())
        language = self._language(english, kept)
        if language == "en":
            return Verdict(False, "english", "en", words)
        if len(english) > self.options.max_english_words:
            return Verdict(False, "english-words", language, words)
        return Verdict(True, None, language, words)


__all__ = ["BACKCHANNELS", "FrenchGuard", "GuardOptions", "Verdict", "english_lexicon", "french_lexicon",
           "identify", "is_backchannel", "loanwords"]
