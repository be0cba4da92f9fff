"""Text primitives every other module uses: sentences, words, numbers, names, mentions.

One tokenisation for the whole project (`tokenize`): Unicode NFC, typographic
apostrophes folded to "'", French elisions split off ("l'électricité" -> "l",
"électricité"), punctuation dropped, lowercase. Hyphenated words stay whole
("peut-être"), numbers stay whole ("2,5"). One sentence splitter (`sentences`),
used by the passages, the fact bank, the checks, the speech splitter and the
subtitles. Concrete facts are numbers with their unit, dates, years and names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from .lexicons import english_lexicon, french_adverb, french_lexicon, known, lemma

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


def fold(word: str) -> str:
    """Lowercase without accents: what two spellings of one word share."""
    return strip_accents(word.lower())


_fold = fold

# ---------------------------------------------------------------- sentences

# A sentence ends on . ! ? … (closing quotes and brackets stay with it) before a space and, in
# written text, something that can open a sentence; abbreviations and initials do not end one.
_END = r"(?<=[.!?…])((?:\s?[»”\"')\]])*)\s+"
_SENTENCE_RE = re.compile(_END + r"(?=[«“\"'(\[\-–—]*\s*[A-ZÀ-Þ0-9¿¡])")
_ANY_CASE_RE = re.compile(_END)
_ABBREVIATIONS = frozenset("mm mme mmes mlle me dr pr st ste cf etc p pp vol fig ex env av apr j.-c n° no art "
                           "mr mrs ms prof gen col sgt jr sr vs inc ltd co corp dept".split())


def sentences(text: str, any_case: bool = False) -> list[str]:
    """The sentences of a text, stripped, in order; line breaks also end a sentence.

    "M. Dupont", "J.-C." and single initials ("F. Trombe") never end a sentence;
    "3.5" never splits (no space); closing quotes stay with their sentence.
    Written text needs a capital (or digit, or opening quote) after the end;
    `any_case` drops that condition, for spoken lines and phoneme strings.
    """
    pattern = _ANY_CASE_RE if any_case else _SENTENCE_RE
    out: list[str] = []
    for line in re.split(r"\n\s*", text or ""):
        line = line.strip()
        if not line:
            continue
        start = 0
        for m in pattern.finditer(line):
            head = line[start:m.start() + len(m.group(1))]
            words = head.rstrip(".!?…»”\"')] ").rsplit(None, 1)
            last = words[-1] if words else ""
            if head.endswith(".") and (last.lower().rstrip(".") in _ABBREVIATIONS or
                                       (len(last) == 1 and last.isalpha() and last.isupper())):
                continue
            if head.strip():
                out.append(head.strip())
            start = m.end()
        if line[start:].strip():
            out.append(line[start:].strip())
    return out


def content_words(text: str) -> set[str]:
    """Folded words that carry meaning: no stopwords, no digits, more than one letter."""
    return {fold(t) for t in tokenize(text) if t not in STOPWORDS and not t.isdigit() and len(t) > 1}


_SUFFIXES = ("issements", "issement", "issions", "ission", "ements", "ement", "ations", "ation", "ibles", "ible",
             "ables", "able", "euses", "euse", "eux", "ités", "ité", "iques", "ique", "ions", "ion", "ées", "ée",
             "és", "é", "ent", "ant", "er", "ir", "re", "es", "e")


def stem(word: str) -> str:
    """A crude French stem: folded, one common suffix off, six letters at most.

    Good enough to see that "transmission" and "transmissibles", or "miroir" and
    "miroirs", talk about the same thing; not a linguistic stemmer.
    """
    word = fold(word)
    if len(word) > 4 and word[-1] in "sx":
        word = word[:-1]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[:-len(suffix)]
            break
    return word[:6]


def stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text)}


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

def ngrams(text: str, n: int = 8) -> list[tuple[str, ...]]:
    """The n-word runs of one text, in order (empty when it has fewer than n words)."""
    tokens = tokenize(text)
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]

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
_UNIT_ONLY = re.compile(r"[kKmMgGtT]?[wW][hH]?|[kKmMgG][oObB]|[kK]?[mM]|[kK]?[gG]|[hH]z|[kKmMgG][hH]z", re.I)
# Acronyms too common to say anything concrete on their own.
_COMMON_ACRONYMS = frozenset("GPU CPU TPU LLM API PDG CEO CTO PIB GDP PDF URL HTML USB RAM SSD ONG NGO FAQ DIY "
                             "ADN DNA ARN RNA".split())


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper()


def _common_word(lower: str, dictionary: bool = True) -> bool:
    """A word a sentence may start with that is not a name: French, or curated English."""
    if lower in STOPWORDS or lower in DAYS or lower in MONTHS_FR or lower in MONTHS_EN:
        return True
    if lower in english_lexicon() or lower in french_lexicon() or french_adverb(lower):
        return True
    if not dictionary:
        return False
    return known(lower, "fr")


def _dictionary_noun(lower: str) -> bool:
    """A grammar word, or a French word in its base form ("soleil", not "paris", the plural of "pari")."""
    if lower in STOPWORDS:
        return True
    return known(lower, "fr") and lemma(lower) == lower


_TOKEN = re.compile(r"\S+")
# A word a sentence is made of: lowercase, Capitalised, an acronym of three letters or more, a number
# ("1993,", "3 500", "50,5 %"). Not a hex pair ("E6", "DA"), a path or a command option.
_PROSE_WORD = re.compile(r"^[«(\"']?(?:[a-zà-öø-ÿœæ][a-zà-öø-ÿœæ'’-]*|[A-ZÀ-ÖØ-ÞŒÆ][a-zà-öø-ÿœæ'’-]+(?:-[A-ZÀ-Þa-zà-ÿ][a-zà-ÿ'’-]*)*"
                         r"|[A-ZÀ-ÖØ-ÞŒÆ]{3,}s?|\d[\d\s.,]*%?|[%°€$£]|°C)[»),.;:!?\"']*$")
# "3.4. Le concours de popularité 3.5. Taille du paquet": the numbering of a table of contents.
_SECTION_NUMBER = re.compile(r"(?<![\w.])\d{1,2}(?:\.\d{1,2})+\.?(?=\s)")
_CODE = re.compile(r"::|[{}\[\]<>|$=;]|(?:^|\s)(?:/|~/|--?\w)")


def prose_share(text: str) -> float:
    """Share of the tokens that are words or numbers: prose is mostly that; a table of codes, a cipher or a
    list of commands is not (measured: a cryptogram's hex dump was once picked for its capitals)."""
    tokens = _TOKEN.findall(text)
    return sum(bool(_PROSE_WORD.match(t)) for t in tokens) / len(tokens) if tokens else 0.0


def is_prose(text: str) -> bool:
    """Something a host can say: not a cipher, not a table of contents ("1.1.6. Consoles virtuelles
    1.1.7. …"), not configuration or a command line (measured on the Debian Reference: "APT::Periodic::…",
    "[Match] Name=en* [Network] DHCP=yes" were told as facts)."""
    words = max(1, len(text.split()))
    return (prose_share(text) >= 0.7 and len(_SECTION_NUMBER.findall(text)) < 3
            and len(_CODE.findall(text)) / words < 0.08)


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
        if len(run) == 1 and _UNIT_ONLY.fullmatch(run[0]):
            run = []            # "20Kw": a unit stuck to its number, not a name
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
            stem_ = word[:max(4, len(word) - 3)]
            ok = any(t.startswith(stem_) for t in folded_tokens)
        if not ok:
            return False
    return True


class Mentions:
    """What a text mentions, matched the way a listener would hear it.

    Facts: a number (digits or spelled out in French; "deux", "trois" only with
    their unit), a date (its year, or its day and month) or a name (any of its
    words, case and accents aside). Terms: each word matched on its stem
    ("datacenter" matches "datacenters", "psilocybine" matches "psilocybin").
    """

    def __init__(self, text: str | Sequence[str]) -> None:
        text = text if isinstance(text, str) else " ".join(text)
        self.folded_text = _fold(" ".join(tokenize(text)))
        self.folded_tokens = set(self.folded_text.split())
        self.numbers = {_number_key(m) for m in re.findall(_NUM, normalize(text))}

    def fact(self, fact: str) -> bool:
        return _fact_mentioned(fact, self.folded_tokens, self.folded_text, self.numbers)

    def term(self, term: str) -> bool:
        return _term_mentioned(term, self.folded_tokens)


def unsaid_facts(facts: Sequence[str], texts: Sequence[str]) -> list[str]:
    """The facts, in the order given, that none of `texts` mentions (see `Mentions`)."""
    said = Mentions(texts)
    return [f for f in facts if not said.fact(f)]


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


# ---------------------------------------------------------------- numbers and names as said


@lru_cache(maxsize=4096)
def digits_for_spelled(text: str) -> str:
    """French numbers written in words turned to digits ("soixante-trois" -> "63"), the rest unchanged."""
    try:
        from text_to_num import alpha2digit
    except ImportError:     # declared dependency; without it spelled numbers are not compared
        return text
    try:
        return alpha2digit(text, "fr")
    except Exception:       # the parser gives up on odd input: compare digits only
        return text


def number_keys(text: str, spelled: bool = True) -> set[str]:
    """Every number of a text as a key ("3 500" -> "3500", "2,5" -> "2.5"), spelled ones included."""
    plain = normalize(text)
    if spelled:
        plain = digits_for_spelled(plain)
    keys = set()
    for m in re.finditer(_NUM, plain):
        key = _number_key(m.group())
        keys.add(key)
        if "." in key:                     # 2.50 and 2.5 are one number
            keys.add(key.rstrip("0").rstrip("."))
    return keys


# Units written two ways; both sides of a comparison are folded to one.
_UNIT_WORDS = {"°c": "degres", "°": "degres", "degre": "degres", "kw": "kilowatts", "mw": "megawatts",
               "gw": "gigawatts", "km": "kilometres", "m": "metres", "cm": "centimetres", "%": "pourcent",
               "pour": "pourcent", "€": "euros", "$": "dollars", "h": "heures", "kg": "kilos", "t": "tonnes"}
_AFTER_NUMBER = re.compile(rf"({_NUM})(?:\s*(%|°\s?C|°|€|\$)|\s+(?:(?:de|des|du)\s+|d')?([^\W\d_][\w\-]*)"
                           rf"(?:\s+([^\W\d_][\w\-]*))?)?")


NEGATIVE = "-"     # in number_contexts: the number was said below zero ("moins 18 degrés")


def number_contexts(text: str) -> dict[str, set[str]]:
    """Each number of a text with the words that follow it ("63 héliostats" -> {"63": {"helios"}}), as stems.

    What a number counts is the word after it; "63 mètres" where the source says "63
    héliostats" is a figure put on the wrong thing.
    """
    plain = re.sub(r"\bpour ?cent\b", "%", normalize(text), flags=re.I)
    plain = digits_for_spelled(plain)
    out: dict[str, set[str]] = {}
    for m in _AFTER_NUMBER.finditer(plain):
        if m.start() and (plain[m.start() - 1].isalnum() or plain[m.start() - 1] in ".,"):
            continue
        contexts = out.setdefault(_number_key(m.group(1)), set())
        if re.search(r"(?:\bmoins|\bminus|−|-)\s*$", plain[max(0, m.start() - 7):m.start()], re.I):
            contexts.add(NEGATIVE)
        for word in (m.group(2), m.group(3), m.group(4)):
            word = fold((word or "").replace(" ", ""))
            word = _UNIT_WORDS.get(word, word)
            if word and word not in STOPWORDS:
                contexts.add(stem(word))
    return out


# An elided article or pronoun before a consonant ("de l'Four solaire"): never French. "h" and "y" may
# follow ("l'hôpital", "l'Yonne"); an English name after "d'" is left alone only when it starts with a vowel.
_BAD_ELISION = re.compile(r"\b(?:[ldjmtsnc]|qu|jusqu|lorsqu|puisqu)['’]\s?(?=[bcdfgjklmnpqrstvwxzç])[^\W\d_][\w\-]*",
                          re.I)


def bad_elisions(text: str) -> list[str]:
    """Elisions before a consonant, as written ("l'Four")."""
    return _BAD_ELISION.findall(normalize(text))


# A year a line may say without a source count ("en 1970"): it counts nothing.
YEAR = re.compile(r"1[5-9]\d\d|20\d\d")


def names(text: str) -> set[str]:
    """The names and acronyms `concrete_facts` finds (no numbers, no dates)."""
    return {f for f in concrete_facts(text) if not any(c.isdigit() for c in f)}


def capitalised_words(text: str) -> set[str]:
    """Every word capitalised mid-sentence, dictionary words included ("l'Antarctique", "la Terre").

    `names` leaves out a single word that is also a French noun (a listener learns nothing from "le
    Soleil"); a guard against invented places needs them all: measured, "Spitsbergen est une île
    située dans l'Antarctique" passed because "antarctique" is in the dictionary.
    """
    return {w for w, initial in iter_words(text) if not initial and _is_capitalised(w) and w.isalpha()}


# Titles a person holds in the sources, compared by meaning: "CEO" is "PDG", "directrice financière" is "CFO".
_TITLES = {"pdg": "pdg", "ceo": "pdg", "cfo": "cfo", "cto": "cto", "coo": "coo", "président": "président",
           "présidente": "président", "vice-président": "vice-président", "vice-présidente": "vice-président",
           "ministre": "ministre", "maire": "maire", "fondateur": "fondateur", "fondatrice": "fondateur",
           "cofondateur": "fondateur", "cofondatrice": "fondateur", "co-fondateur": "fondateur",
           "directeur": "directeur", "directrice": "directeur", "député": "député", "députée": "député",
           "sénateur": "sénateur", "sénatrice": "sénateur", "porte-parole": "porte-parole",
           "secrétaire": "secrétaire", "gouverneur": "gouverneur", "gouverneure": "gouverneur"}
_TITLES = {fold(word): title for word, title in _TITLES.items()}      # looked up folded, like every word
_DIRECTOR_OF = {fold(word): title for word, title in {"financier": "cfo", "financière": "cfo", "général": "pdg",
                                                      "générale": "pdg", "technique": "cto"}.items()}
_ROLE_TOKEN = re.compile(r"[^\W\d_][\w\-]*|,|[.;:!?]")
_LINKS = frozenset({"de", "du", "d", "des"})


def name_roles(text: str) -> dict[str, set[str]]:
    """Each name's word (folded) -> the titles the text gives its bearer within a few words.

    "Le CFO de Meta, Susan Li, a souligné…" gives Susan Li (and Li) the title "cfo": a title followed by
    "de <organisation>," belongs to the name after the comma; otherwise to the nearest name at most
    three words away, the one before it on a tie (an apposition: "Susan Li, directrice financière").
    """
    roles: dict[str, set[str]] = {}
    for sentence in sentences(normalize(text), any_case=True):
        tokens = _ROLE_TOKEN.findall(sentence.replace("'", " ").replace("’", " "))
        words = [(i, t) for i, t in enumerate(tokens) if t not in ",.;:!?"]
        spans: list[tuple[int, int]] = []       # names as runs of capitalised words (not a title, not first)
        for k, (i, t) in enumerate(words):
            capital = t[:1].isupper() and fold(t) not in _TITLES and k > 0
            if capital and spans and spans[-1][1] == k - 1 and tokens[words[k - 1][0] + 1:i] == []:
                spans[-1] = (spans[-1][0], k)
            elif capital:
                spans.append((k, k))
        for k, (i, t) in enumerate(words):
            title = _TITLES.get(fold(t))
            if title is None:
                continue
            if title == "directeur" and k + 1 < len(words) and fold(words[k + 1][1]) in _DIRECTOR_OF:
                title = _DIRECTOR_OF[fold(words[k + 1][1])]
            owner = None
            after = [sp for sp in spans if sp[0] > k]
            if after and k + 1 < len(words) and fold(words[k + 1][1]) in _LINKS and after[0][0] == k + 2:
                org_end = words[after[0][1]][0]
                if org_end + 1 < len(tokens) and tokens[org_end + 1] == "," and len(after) > 1 \
                        and after[1][0] == after[0][1] + 1:
                    owner = after[1]
            if owner is None:
                near = [(min(abs(sp[0] - k), abs(sp[1] - k)), sp[0] > k, sp) for sp in spans]
                near = [n for n in near if n[0] <= 3]
                owner = min(near)[2] if near else None
            if owner is not None:
                for _, word in words[owner[0]:owner[1] + 1]:
                    roles.setdefault(fold(word), set()).add(title)
    return roles


__all__ = [
    "ELISIONS", "Mentions", "STOPWORDS", "YEAR", "bad_elisions", "capitalised_words", "concrete_facts", "content_words", "digits_for_spelled",
    "NEGATIVE", "facts_in_order", "fold", "iter_words", "minutes", "name_roles", "names", "ngrams", "normalize", "number_contexts",
    "number_keys",
    "sentences", "spoken_words", "split_words", "stem", "stems", "strip_accents", "tokenize", "unsaid_facts",
]
