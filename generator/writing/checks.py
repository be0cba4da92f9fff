"""Script-level quality measures: copying, loops, parroting, concrete openings, length.

Pure functions over plain strings. Every measure uses the same tokenisation
(`tokenize`): Unicode NFC, typographic apostrophes folded to "'", French
elisions split off ("l'électricité" -> "l", "électricité"), punctuation
dropped, lowercase. Hyphenated words stay whole ("peut-être"), numbers stay
whole ("2,5"). `guard.FrenchGuard` uses the same word splitter.

N-grams never cross a turn or a source boundary.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

# ---------------------------------------------------------------- tokenisation

APOSTROPHES = "\u2019\u2018\u02bc\u00b4`\u2032"
_APOS_TABLE = str.maketrans({c: "'" for c in APOSTROPHES} | {
    "\u00a0": " ", "\u202f": " ", "\u2009": " ",           # non-breaking / thin spaces
    "\u2010": "-", "\u2011": "-",                          # hyphens
})
# A word: letters with inner apostrophes or hyphens, or a number with inner separators.
_WORD_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['\-][^\W\d_]+)*")
ELISIONS = frozenset({"l", "d", "j", "c", "n", "s", "m", "t", "qu", "jusqu", "lorsqu", "puisqu",
                      "quoiqu", "presqu"})
# What ends a sentence for the purpose of "is this word capitalised because it starts one".
_SENTENCE_END = set(".!?…:;\n«»\"“”—–")


def normalize(text: str) -> str:
    """NFC, apostrophes folded to "'", exotic spaces to " ", exotic hyphens to "-"."""
    return unicodedata.normalize("NFC", text or "").translate(_APOS_TABLE)


def _split_elisions(word: str) -> list[str]:
    parts = []
    while "'" in word:
        head, tail = word.split("'", 1)
        if head.lower() not in ELISIONS:
            break
        parts.append(head)
        word = tail
    parts.append(word)
    return parts


def _starts_sentence(text: str, position: int) -> bool:
    i = position - 1
    while i >= 0 and text[i] in " \t([*_'":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def iter_words(text: str) -> Iterator[tuple[str, bool]]:
    """(word, starts_sentence) for each word, case kept, elisions split.

    A word starts a sentence when only spaces, quotes or brackets separate it
    from the start of the text or from . ! ? … : ; « » " — or a line break.
    The part after an elision never starts a sentence ("L'Europe": "Europe"
    is mid-sentence, as a proper name should be).
    """
    text = normalize(text)
    for match in _WORD_RE.finditer(text):
        initial = _starts_sentence(text, match.start())
        for i, part in enumerate(_split_elisions(match.group())):
            if part:
                yield part, initial and i == 0


def split_words(text: str) -> list[str]:
    """Words with their case, elisions split: "L'IA d'OpenAI" -> ["L", "IA", "d", "OpenAI"]."""
    return [w for w, _ in iter_words(text)]


def tokenize(text: str) -> list[str]:
    """Lowercase words, elisions split, punctuation dropped."""
    return [w.lower() for w in split_words(text)]


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _fold(word: str) -> str:
    return strip_accents(word.lower())


# Small French (and a few English) function words: ignored when comparing
# what two turns say, and never taken for names at the start of a sentence.
STOPWORDS = frozenset("""
a à ah ai aie ainsi alors après as au aucun aussi autre autres aux avais avait avant avec avez avoir avons
bah ben bien bon c ça car ce ceci cela celle celles celui ces cet cette ceux chaque chez ci comme comment
d dans de des deux dit dire donc dont du e eh elle elles en encore entre es est et été étaient était être
eu eux euh fait faire fois hein ici il ils j je jusqu l la là le les leur leurs lorsqu lorsque lui m ma
mais me même mêmes mes moi mon n ne ni non nos notre nous o oh on ont ou où oui par parce pas peu peut
plus pour pourquoi puis qu quand que quel quelle quelles quels qui quoi s sa sans se ses si sien soit
son sont sous suis sur t ta te tes toi ton tous tout toute toutes très tu un une vos votre vous voilà
voici vraiment y ouais bref enfin justement exactement effectivement
the and of to in a an is are was it this that for on with as by at from
""".split())

# ---------------------------------------------------------------- n-grams


def ngrams(text: str, n: int = 8) -> list[tuple[str, ...]]:
    """The n-word runs of one text, in order (empty when it has fewer than n words)."""
    tokens = tokenize(text)
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


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

# ---------------------------------------------------------------- concrete facts

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre")
MONTHS_EN = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
             "october", "november", "december")
DAYS = frozenset("lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday "
                 "friday saturday sunday".split())
_MONTHS = "|".join(sorted(MONTHS_FR + MONTHS_EN + ("fevrier", "aout", "decembre"), key=len, reverse=True))
_NUM = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_DATE_RES = (
    re.compile(rf"\b(?:(?:1er|\d{{1,2}})\s+)(?:{_MONTHS})(?:\s+\d{{4}})?\b", re.I),      # 12 mars 2024
    re.compile(rf"\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b", re.I),     # March 12, 2024
    re.compile(rf"\b(?:{_MONTHS})\s+\d{{4}}\b", re.I),                                   # mars 2024
)
_UNITS = (r"%|pour ?cent|percent|‰|°C|°F|°|€|\$|£|euros?|dollars?|milliards?|millions?|billions?|"
          r"mille|trillions?|thousand|[kKMGTP]?W[hc]?|[kKMGTP]?Wh|[kKMGTP]o|[kKMGTP]B|[kKMGTP]?Hz|"
          r"km|kilomètres?|mètres?|m²|m³|m|cm|mm|kg|kilos?|grammes?|g|mg|tonnes?|t|litres?|l|ans?|années?|"
          r"mois|semaines?|jours?|heures?|h|minutes?|min|secondes?|s|fois|habitants|personnes|patients|"
          r"participants|salariés|employés|utilisateurs|paramètres|tokens|GPU|puces|serveurs|"
          r"years?|months?|days?|hours?|people|users|parameters")
_NUMBER_RE = re.compile(rf"(?<![\w.,])({_NUM})(?:\s*({_UNITS})(?![\w]))?")
_YEAR_RE = re.compile(r"^(1[89]\d\d|20\d\d|2100)$")
# Acronyms too common to say anything concrete on their own.
_COMMON_ACRONYMS = frozenset("GPU CPU TPU LLM API PDG CEO CTO PIB GDP PDF URL HTML USB RAM SSD ONG NGO FAQ DIY "
                             "ADN DNA ARN RNA".split())


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper()


def _common_word(lower: str, dictionary: bool = True) -> bool:
    """A word a sentence may start with that is not a name: French, or curated English."""
    from .guard import _french_adverb, english_lexicon, french_lexicon   # lazy: guard imports this module
    if lower in STOPWORDS or lower in DAYS or lower in MONTHS_FR or lower in MONTHS_EN:
        return True
    if lower in english_lexicon() or lower in french_lexicon() or _french_adverb(lower):
        return True
    if not dictionary:
        return False
    import simplemma
    return simplemma.is_known(lower, lang="fr")


def _dictionary_noun(lower: str) -> bool:
    """A grammar word, or a French word in its base form ("soleil", not "paris", the plural of "pari")."""
    if lower in STOPWORDS:
        return True
    import simplemma
    return simplemma.is_known(lower, lang="fr") and simplemma.lemmatize(lower, lang="fr") == lower


def concrete_facts(text: str) -> set[str]:
    """Numbers (with their unit or %), dates, years and names found in a source text.

    Returns the facts as written: "10 GW", "40 %", "2,5 milliards", "12 mars 2024",
    "2024", "Mark Zuckerberg", "Llama 4", "OVH". Names are runs of capitalised
    words (an optional version number may follow: "Llama 4"); a capitalised
    word that starts a sentence is dropped from its run when it is a French
    word (simplemma, lexicon/french.txt, -ment adverbs) or a curated English
    word, unless it also appears capitalised mid-sentence ("Mark Zuckerberg",
    "Microsoft" stay; "Cependant", "However" go). All-caps acronyms of 3+
    letters count unless very common (GPU, PDG, LLM...; "IA" is too short).
    """
    text = normalize(text)
    facts: set[str] = set()
    masked = text
    for date_re in _DATE_RES:
        for m in date_re.finditer(masked):
            facts.add(" ".join(m.group().replace(",", "").split()))
        masked = date_re.sub(lambda m: " " * len(m.group()), masked)
    # Names before numbers, so a version number can join its name.
    words = list(_WORD_RE.finditer(masked))
    mid_capitalised = set()
    for w, initial in iter_words(masked):
        if not initial and _is_capitalised(w):
            mid_capitalised.add(w)
    used_numbers: set[int] = set()
    i = 0
    while i < len(words):
        m = words[i]
        pieces = _split_elisions(m.group())
        word = pieces[-1]
        offset = m.end() - len(word)
        initial = len(pieces) == 1 and _starts_sentence(masked, offset)
        if word.isupper() and len(word) >= 3 and word.isalpha():
            if word not in _COMMON_ACRONYMS:
                facts.add(word)
            i += 1
            continue
        if not _is_capitalised(word):
            i += 1
            continue
        run = [word]
        j = i + 1
        while j < len(words) and _is_capitalised(words[j].group()) and \
                masked[words[j - 1].end():words[j].start()].strip() == "":
            run.append(words[j].group())
            j += 1
        if j < len(words) and words[j].group()[0].isdigit() and re.fullmatch(r"\d{1,2}(?:\.\d)?", words[j].group()) \
                and masked[words[j - 1].end():words[j].start()].strip() == "":
            run.append(words[j].group())
            used_numbers.add(words[j].start())
            j += 1
        # A sentence may open on a common word ("Aujourd'hui Microsoft..."): drop it.
        # (A first name may be a dictionary word, "Mark", "Pierre": before another
        # capitalised word only grammar words and curated lists count.)
        alone = sum(1 for r in run if r[0].isalpha()) == 1
        if initial and run[0] not in mid_capitalised and _common_word(run[0].lower(), dictionary=alone):
            run = run[1:]
        while run and run[0][0].isalpha() and (run[0].lower() in DAYS or run[0].lower() in MONTHS_EN + MONTHS_FR):
            run = run[1:]
        while len(run) > 1 and run[-1].lower() in STOPWORDS:      # "Odeillo Sur": a heading ran on
            run = run[:-1]
        if len(run) == 1 and _dictionary_noun(run[0].lower()):
            # "le Soleil", "la Terre": capitalised by convention, but naming one tells the listener
            # nothing concrete. Measured: an opening about "la traversée du soleil" passed as concrete.
            run = []
        if run and run[0][0].isalpha():
            facts.add(" ".join(run))
        i = j
    for m in _NUMBER_RE.finditer(masked):
        if m.start() in used_numbers:
            continue
        number, unit = m.group(1), m.group(2)
        if unit:
            facts.add(f"{' '.join(number.split())} {unit}")
        elif _YEAR_RE.match(number):
            facts.add(number)
        elif len(re.sub(r"\D", "", number)) >= 2:
            facts.add(" ".join(number.split()))
    return facts


def _number_key(number: str) -> str:
    """"1 000" -> "1000", "2,5" -> "2.5"."""
    return re.sub(r"[ \u00a0\u202f]", "", number).replace(",", ".")


def _spelled(key: str) -> str | None:
    try:
        from num2words import num2words
        value = float(key) if "." in key else int(key)
        return _fold(num2words(value, lang="fr"))
    except Exception:   # num2words missing, or a number it cannot spell
        return None


def _has_word(folded_tokens: set[str], folded_text: str, word: str) -> bool:
    word = _fold(word)
    if " " in word or "-" in word:
        return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded_text) is not None
    return word in folded_tokens or word + "s" in folded_tokens


def _fact_mentioned(fact: str, folded_tokens: set[str], folded_text: str, numbers: set[str]) -> bool:
    parts = fact.split()
    lowered = [p.lower().rstrip(",") for p in parts]
    month = next((p for p in lowered if p in MONTHS_FR or p in MONTHS_EN or p in ("fevrier", "aout", "decembre")),
                 None)
    digits = [_number_key(p) for p in re.findall(_NUM, fact)]

    unit = _fold(parts[-1]) if len(parts) > 1 and parts[-1][:1].isalpha() and not month else ""

    def said(key: str) -> bool:
        if key in numbers:
            return True
        spelled = _spelled(key)
        if not spelled:
            return False
        small = "." not in key and int(key) < 10        # "deux", "trois": only with their unit
        if small and not unit:
            return False
        after = rf"\s+{re.escape(unit[:3])}" if small else ""
        return re.search(rf"(?<!\w){re.escape(spelled)}{after}", folded_text) is not None

    if month:                                     # a date: its year, or its day and month
        year = next((d for d in digits if len(d) == 4), None)
        day = next((d for d in digits if len(d) <= 2), "1" if "1er" in lowered else None)
        if year and said(year):
            return True
        return bool(day) and said(day) and _has_word(folded_tokens, folded_text, month)
    if digits and not any(c.isalpha() for c in parts[0]):   # a number with its unit: the number
        return said(digits[0])
    names = [p for p in parts if not p[0].isdigit() and (len(p) >= 3 or p.isupper())
             and not _common_word(p.lower())]
    if not names:
        names = [p for p in parts if not p[0].isdigit()]
    return any(_has_word(folded_tokens, folded_text, p) for p in names)


def _term_mentioned(term: str, folded_tokens: set[str]) -> bool:
    words = [w for w in (_fold(t) for t in tokenize(term)) if w not in STOPWORDS] or \
        [_fold(t) for t in tokenize(term)]
    if not words:
        return False
    for word in words:
        if len(word) <= 4:
            ok = word in folded_tokens or word + "s" in folded_tokens or word + "x" in folded_tokens
        else:
            stem = word[:max(4, len(word) - 3)]
            ok = any(t.startswith(stem) for t in folded_tokens)
        if not ok:
            return False
    return True


def opening_is_concrete(first_turns: Sequence[str], subject_terms: Iterable[str], facts: set[str]) -> bool:
    """True when the first two turns name the subject and at least one sourced fact.

    Subject: any of `subject_terms`, case and accents aside, each word of a
    term matched on its stem ("datacenter" matches "datacenters",
    "psilocybine" matches "psilocybin"). Fact: a number from `facts` (digits
    or spelled out in French), a date (its year, or its day and month) or a
    name (any of its words). With no terms or no facts it returns False.
    """
    text = " ".join(first_turns[:2])
    folded_text = _fold(" ".join(tokenize(text)))
    folded_tokens = set(folded_text.split())
    numbers = {_number_key(m) for m in re.findall(_NUM, normalize(text))}
    if not any(_term_mentioned(term, folded_tokens) for term in subject_terms):
        return False
    return any(_fact_mentioned(fact, folded_tokens, folded_text, numbers) for fact in facts)

def unsaid_facts(facts: Sequence[str], texts: Sequence[str]) -> list[str]:
    """The facts, in the order given, that none of `texts` mentions (matched as in `opening_is_concrete`)."""
    text = " ".join(texts)
    folded_text = _fold(" ".join(tokenize(text)))
    folded_tokens = set(folded_text.split())
    numbers = {_number_key(m) for m in re.findall(_NUM, normalize(text))}
    return [f for f in facts if not _fact_mentioned(f, folded_tokens, folded_text, numbers)]


def facts_in_order(text: str) -> list[str]:
    """`concrete_facts` of a text, in the order they first appear (a set has none)."""
    plain = normalize(text)
    return sorted(concrete_facts(text), key=lambda f: (plain.find(f) % (len(plain) + 1), f))

# ---------------------------------------------------------------- length


def spoken_words(texts: Iterable[str] | str) -> int:
    """Words as spoken: "l'électricité" and "2,5" count as one each."""
    if isinstance(texts, str):
        texts = [texts]
    return sum(len(_WORD_RE.findall(normalize(t))) for t in texts)


def minutes(texts: Iterable[str] | str, wpm: float = 150) -> float:
    """Reading time at `wpm` words per minute."""
    if wpm <= 0:
        raise ValueError("wpm must be positive")
    return spoken_words(texts) / wpm


__all__ = [
    "SourceIndex", "concrete_facts", "copied_ratio", "copied_runs", "facts_in_order", "iter_words", "minutes",
    "ngrams", "normalize", "opening_is_concrete", "repeated_ratio", "repeats_previous", "split_words",
    "spoken_words", "strip_accents", "tokenize", "unsaid_facts",
]
