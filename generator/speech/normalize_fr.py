"""French text normalisation for speech synthesis.

`normalize(text)` rewrites written French into what a TTS voice should say:
numbers, amounts, units, dates, ordinals and acronyms become words; URLs,
e-mails, mentions and emoji disappear. The script shown to the user keeps
the written form; only the text sent to the voice goes through here.

The work is a pipeline of small rules (`RULES`), each a regex and a
replacer, applied in order. Order is the whole design: a rule must run
before any later rule that would misread its input (the thousand-group
merge before everything numeric, currencies before bare scales, the
letter/digit split only once every glued form has been consumed, the
cardinal fallback last among numeric rules). Each rule's docstring says
what it must come before or after.

Output never contains digits and no rule fires on another rule's output,
so `normalize(normalize(x)) == normalize(x)`.

Number words follow num2words' French style (traditional spelling:
"vingt et un", "deux cent un", ordinals "deux centième").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable

from num2words import num2words

__all__ = ["normalize", "RULES", "Rule", "cardinal", "ordinal"]


# --------------------------------------------------------------------------
# Number words
# --------------------------------------------------------------------------

_DIGIT_WORDS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]

# Beyond this num2words still answers, but nobody says "un billiard ..." on a
# podcast: a long digit string is an identifier, read digit by digit.
_MAX_CARDINAL = 10**15

# num2words pluralises before adding -ième ("deux centsième", "quatre-vingtsième",
# "deux millionsième"); French drops the plural mark in ordinals.
_ORDINAL_FIX = re.compile(r"(cent|vingt|million|milliard)sième")


def _digits(s: str) -> str:
    return " ".join(_DIGIT_WORDS[int(c)] for c in s)


def cardinal(n: int) -> str:
    """Cardinal words in num2words' French style; huge values digit by digit."""
    if abs(n) >= _MAX_CARDINAL:
        return ("moins " if n < 0 else "") + _digits(str(abs(n)))
    return num2words(n, lang="fr")


def ordinal(n: int, feminine: bool = False) -> str:
    """Ordinal words: 1 -> premier/première, 200 -> deux centième."""
    if n == 1:
        return "première" if feminine else "premier"
    return _ORDINAL_FIX.sub(r"\1ième", num2words(n, lang="fr", to="ordinal"))


def _int_words(s: str) -> str:
    # A leading zero means a code or a padded field ("007", "06"), not a quantity.
    if len(s) > 1 and s.startswith("0"):
        return _digits(s)
    return cardinal(int(s))


def _frac_words(frac: str) -> str:
    # "3,14" is "trois virgule quatorze", not "un quatre" (num2words' float
    # reading); leading zeros are spoken ("zéro cinq"). Long tails are read
    # digit by digit, as people do for "3,14159".
    if len(frac) > 3:
        return _digits(frac)
    stripped = frac.lstrip("0")
    zeros = len(frac) - len(stripped)
    parts = ["zéro"] * zeros
    if stripped:
        parts.append(cardinal(int(stripped)))
    return " ".join(parts)


_SIGN_WORDS = {"-": "moins ", "−": "moins ", "+": "plus "}

# A signed decimal number, comma or dot as decimal mark. Not preceded by a
# word character or a decimal mark, so "COVID-19" has no minus and "3,14"
# is never re-entered in the middle.
NUM = r"(?<![\w.,])(?P<num>[-−+]?\d+(?:[.,]\d+)?)"


def _split_num(num: str) -> tuple[str, str, str | None]:
    sign = num[0] if num[0] in _SIGN_WORDS else ""
    body = num[len(sign):]
    m = re.fullmatch(r"(\d+)(?:[.,](\d+))?", body)
    assert m, num
    return sign, m.group(1), m.group(2)


def read_number(num: str, sep: str = "virgule") -> str:
    """Words for a signed number; `sep` names the decimal mark."""
    sign, ip, frac = _split_num(num)
    words = _SIGN_WORDS.get(sign, "") + _int_words(ip)
    if frac is not None:
        words += f" {sep} {_frac_words(frac)}"
    return words


def _value(num: str) -> Decimal:
    try:
        return Decimal(num.replace("−", "-").replace(",", "."))
    except InvalidOperation:  # pragma: no cover - NUM only matches valid numbers
        return Decimal(0)


def _plural(num: str) -> bool:
    # French puts the plural from 2 on: "1,5 gigawatt", "2 gigawatts".
    return abs(_value(num)) >= 2


def _feminine(words: str) -> str:
    # "une heure", "vingt et une minutes": only the final "un" agrees.
    return re.sub(r"\bun$", "une", words)


# --------------------------------------------------------------------------
# Rule registry
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str]], str] | str
    why: str

    def apply(self, text: str) -> str:
        return self.pattern.sub(self.replace, text)


RULES: list[Rule] = []


def rule(pattern: str, flags: int = 0):
    """Register the decorated replacer; registration order is pipeline order."""

    def deco(fn: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
        RULES.append(Rule(fn.__name__, re.compile(pattern, flags), fn, (fn.__doc__ or "").strip()))
        return fn

    return deco


def sub_rule(name: str, pattern: str, repl: str, why: str, flags: int = 0) -> None:
    """Register a plain substitution (no replacer logic)."""
    RULES.append(Rule(name, re.compile(pattern, flags), repl, why))


# --------------------------------------------------------------------------
# 1. Noise: emoji, links, handles, markup
# --------------------------------------------------------------------------

_EMOJI = (
    r"[0-9#*]\ufe0f?\u20e3"  # keycaps "3️⃣": the digit is decoration, not content
    r"|[\U0001F000-\U0001FAFF\U0001F1E6-\U0001F1FF\u2600-\u27BF\u2B00-\u2BFF"
    r"\u2300-\u23FF\u2190-\u21FF\u25A0-\u25FF\u3030\u303D\u3297\u3299"
    r"\U000E0020-\U000E007F\ufe0f\ufe0e\u200d\u20e3\u2122\u00ae\u00a9\u2022\u25aa\u25ba]"
)


@rule(_EMOJI)
def emoji(m: re.Match[str]) -> str:
    """Runs first: a keycap emoji holds a real digit that any numeric rule would
    read aloud ("3️⃣Or la bataille" must not say "trois"). Arrows (→) go here too:
    dropped rather than read "vers", which is wrong more often than right."""
    return " "


@rule(r"(?<![^\W\d_])(?:https?://|www\.)[^\s<>\"]+?(?=[.,;:!?)\]»]*(?:\s|$))", re.IGNORECASE)
def url(m: re.Match[str]) -> str:
    """Before e-mails, mentions and every numeric rule: URLs hold '@', '#', digits
    and dots that other rules would read as versions, hashtags or mentions."""
    return " "


@rule(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
def email(m: re.Match[str]) -> str:
    """Before mentions, which would otherwise keep the part before '@'."""
    return " "


@rule(r"(?<![\w@])@\w+")
def mention(m: re.Match[str]) -> str:
    """After e-mails (which contain '@'); before the acronym rule reads a handle."""
    return " "


_TLD_SAID = {
    "com": "com", "fr": "effe erre", "org": "org", "net": "net", "io": "i o",
    "ai": "a i", "eu": "e u", "dev": "dev", "app": "app", "co": "co", "be": "bé e",
}


@rule(r"\b([A-Za-z][\w-]*)\.(com|fr|org|net|io|ai|eu|dev|app|co|be)\b(?![.\w])")
def bare_domain(m: re.Match[str]) -> str:
    """A bare domain names a product ("SuperPodcast.ai") so it is kept and read;
    the TLD is spelled here because the acronym rule only sees capitals."""
    return f"{m.group(1)} point {_TLD_SAID[m.group(2).lower()]}"


@rule(r"(?:(?i:hashtag)\s?)?#([^\W\d_]\w*)")
def hashtag(m: re.Match[str]) -> str:
    """Keeps the tag's words, drops the sign ('hashtag#nucléaires' is how
    LinkedIn text pastes). Glued tags are split at lower-to-Title boundaries
    ('#IntelligenceArtificielle'); only inside tags, so 'iPhone' or 'McDonald'
    in running text stay whole. Before '#' + digit is read as 'numéro'."""
    return re.sub(r"(?<=[a-zà-öø-ÿ])(?=[A-ZÀ-ÖØ-Ý][a-zà-öø-ÿ])", " ", m.group(1))


sub_rule(
    "markup",
    r"\*+|`+|_{2,}|\|",
    " ",
    "Markdown leftovers from the script writer; before the symbol rules so a "
    "bolded number ('**3**') reaches the numeric rules clean.",
)


# --------------------------------------------------------------------------
# 2. Character-level normalisation
# --------------------------------------------------------------------------

_CHAR_MAP = str.maketrans({
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u2002": " ", "\u2003": " ",
    "\u00ad": "", "\u200b": "", "\u2060": "", "\ufeff": "",
    "ᵉ": "e", "ʳ": "r", "ᵈ": "d", "ˢ": "s",
    "₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4",
    "\u2212": "-",
})


@rule(r"[\u00a0\u202f\u2009\u2007\u2002\u2003\u00ad\u200b\u2060\ufeffᵉʳᵈˢ₀₁₂₃₄\u2212]+")
def characters(m: re.Match[str]) -> str:
    """Before the thousand-group merge: French typography groups digits with
    NBSP (U+00A0) or narrow NBSP (U+202F); folding them to a plain space lets one
    rule handle all three. Superscript ordinal marks (1ᵉʳ) become plain letters."""
    return m.group(0).translate(_CHAR_MAP)


_FRACTIONS = {"½": "un demi", "¼": "un quart", "¾": "trois quarts", "⅓": "un tiers", "⅔": "deux tiers"}


@rule(r"[½¼¾⅓⅔]")
def vulgar_fraction(m: re.Match[str]) -> str:
    """Single-character fractions have no digit for the numeric rules to catch."""
    return f" {_FRACTIONS[m.group(0)]} "


# --------------------------------------------------------------------------
# 3. Abbreviations
# --------------------------------------------------------------------------

_ABBREVIATIONS = [
    (r"\b[nN][°º]\s?(?=\d)", "numéro "),
    (r"(?<![\w#])#(?=\d)", "numéro "),
    (r"\bM\.(?=\s+[A-ZÀ-Ý])", "Monsieur"),
    (r"\bMM\.(?=\s+[A-ZÀ-Ý])", "Messieurs"),
    (r"\bMmes\b", "Mesdames"),
    (r"\bMme\b", "Madame"),
    (r"\bMlle\b", "Mademoiselle"),
    (r"\bDr\b\.?", "docteur"),
    (r"\bPr\b\.?(?=\s+[A-ZÀ-Ý])", "professeur"),
    (r"\bvs\b\.?", "contre"),
    (r"\bcf\.", "voir"),
    (r"\benv\.(?=\s*\d)", "environ"),
    (r"\bp\.\s?ex\.", "par exemple"),
    (r"\bc\.-à-d\.", "c'est-à-dire"),
    (r"\bCO2\b", "cé o deux"),
    (r"\bH2O\b", "ache deux o"),
    (r"\bx86\b", "iks quatre-vingt-six"),
    (r"\bx64\b", "iks soixante-quatre"),
]
_ABBREV_RE = "|".join(f"(?P<a{i}>{p})" for i, (p, _) in enumerate(_ABBREVIATIONS))


@rule(_ABBREV_RE)
def abbreviation(m: re.Match[str]) -> str:
    """Before numbers and symbols: 'n°5' must say 'numéro' before '°' is read as
    degrees, 'CO2' must not reach the letter/digit split, and 'x86' must not
    become 'fois quatre-vingt-six'."""
    return _ABBREVIATIONS[int(m.lastgroup[1:])][1]


# --------------------------------------------------------------------------
# 4. Digit grouping
# --------------------------------------------------------------------------


@rule(r"(?<![\d.,])\d{1,3}(?:(?: \d{3})+|(?:\.\d{3}){2,}|(?:,\d{3}){2,})(?![\d])")
def thousand_groups(m: re.Match[str]) -> str:
    """Runs before every numeric rule: "100 000" is one number, and every later
    rule would otherwise read "cent zéro zéro zéro" or "cent mille" apart.
    Groups must be exactly three digits after a 1-3 digit head, so "en 2024
    100 000" does not swallow the year. Dot or comma grouping only counts with
    two or more groups: "3.100" may be a version and "2,500" a French decimal."""
    return re.sub(r"[ .,]", "", m.group(0))


# --------------------------------------------------------------------------
# 5. Dates and times
# --------------------------------------------------------------------------

_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet",
           "août", "septembre", "octobre", "novembre", "décembre"]
_MONTHS_RE = "|".join(_MONTHS) + "|fevrier|aout|decembre"


def _day(d: int) -> str:
    return "premier" if d == 1 else cardinal(d)


def _year(y: str) -> str:
    # Two-digit years in a date are this century's ("14/02/25").
    return cardinal(2000 + int(y) if len(y) == 2 else int(y))


def _date(d: int, mo: int, y: str | None) -> str | None:
    if not (1 <= d <= 31 and 1 <= mo <= 12):
        return None
    out = f"{_day(d)} {_MONTHS[mo - 1]}"
    return f"{out} {_year(y)}" if y else out


@rule(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
def iso_date(m: re.Match[str]) -> str:
    """Before year-month and ranges, which would read "2025-02" or "2025 à 02"."""
    return _date(int(m.group(3)), int(m.group(2)), m.group(1)) or m.group(0)


@rule(r"(?<![\d/.])(\d{1,2})([/.])(\d{1,2})\2(\d{4}|\d{2})(?![\d/]|\.\d)")
def dmy_date(m: re.Match[str]) -> str:
    """Before the fraction rule ('a/b' -> 'a sur b') and version numbers
    ('1.2.2025' -> 'point')."""
    return _date(int(m.group(1)), int(m.group(3)), m.group(4)) or m.group(0)


@rule(r"(?<![\d/-])(1\d{3}|20\d{2})-(0[1-9]|1[0-2])(?![\d-])")
def year_month(m: re.Match[str]) -> str:
    """"2023-11" is November 2023, not a range: before the range rule. Only a
    zero-padded month counts, so "2023-2024" stays a range."""
    return f"{_MONTHS[int(m.group(2)) - 1]} {cardinal(int(m.group(1)))}"


@rule(r"(?<![\d/])(0?[1-9]|1[0-2])/(1\d{3}|20\d{2})(?![\d/])")
def month_year(m: re.Match[str]) -> str:
    """'02/2025': before the fraction rule would say 'deux sur deux mille'."""
    return f"{_MONTHS[int(m.group(1)) - 1]} {cardinal(int(m.group(2)))}"


@rule(r"(?<![\w])(?:([QT])([1-4])|([SH])([12]))(?=\s+(?:\d{4}|de|du|des|d['’])\b)")
def quarter(m: re.Match[str]) -> str:
    """'T3 2024', 'Q1 2025', 'S1 2024': business quarters and halves, said as
    ordinals. Only before a year or 'de/du', where the meaning is sure; must
    precede the letter/digit split, which would say 'té trois'."""
    if m.group(1):
        return f"{ordinal(int(m.group(2)))} trimestre"
    return f"{ordinal(int(m.group(4)))} semestre"


@rule(r"(?<![\w.,])1(?=\s+(?:" + _MONTHS_RE + r")\b)", re.IGNORECASE)
def first_of_month(m: re.Match[str]) -> str:
    """'1 janvier' is said 'premier janvier'; before the cardinal fallback."""
    return "premier"


@rule(r"(?<![\w.,])(24)\s?h\s?/\s?24\b|(?<![\w.,])(7)\s?j\s?/\s?7\b|(?<![\w.,/])24/7(?![\w/])")
def round_the_clock(m: re.Match[str]) -> str:
    """'24h/24', '7j/7', '24/7': before hours ('24h' alone) and fractions."""
    if m.group(1):
        return "vingt-quatre heures sur vingt-quatre"
    if m.group(2):
        return "sept jours sur sept"
    return "vingt-quatre heures sur vingt-quatre, sept jours sur sept"


def _clock(h: int, mi: int | None, s: int | None = None) -> str:
    hw = _feminine(cardinal(h))
    out = f"{hw} {'heure' if h < 2 else 'heures'}"
    if mi:
        out += f" {_feminine(cardinal(mi))}"
    if s:
        out += f" et {_feminine(cardinal(s))} {'seconde' if s < 2 else 'secondes'}"
    return out


@rule(r"(?<![\w:.,])([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?![\w:]|[.,]\d)")
def clock_colon(m: re.Match[str]) -> str:
    """'08:27' before the cardinal fallback (which would say 'zéro huit') and
    before ':' is left as punctuation. Minutes must be two digits, so a ratio
    like '16:9' is not a time."""
    s = m.group(3)
    return _clock(int(m.group(1)), int(m.group(2)), int(s) if s else None)


@rule(r"(?<![\w.,])(\d{1,3})\s?h(?:\s?([0-5]\d))?(?![\w'’])")
def clock_h(m: re.Match[str]) -> str:
    """'8h30', '8 h 30', '24 h': before the letter/digit split, which would
    leave 'huit h trente'. 'h' must be a whole token, so 'kWh' and '5 ha' pass."""
    mi = m.group(2)
    return _clock(int(m.group(1)), int(mi) if mi else None)


@rule(r"(?<![\w.,])(\d+)\s?(min|mn|s|ms)(?![\w'’/])")
def durations(m: re.Match[str]) -> str:
    """Time units beside the clock rule, before the generic units (whose 'm'
    would otherwise claim 'min' or 'ms' if ordering slipped)."""
    n = m.group(1)
    unit = {"min": "minute", "mn": "minute", "s": "seconde", "ms": "milliseconde"}[m.group(2)]
    word = _feminine(_int_words(n))
    return f"{word} {unit}{'s' if int(n) >= 2 else ''}"


# --------------------------------------------------------------------------
# 6. Ordinals and Roman numerals
# --------------------------------------------------------------------------


@rule(r"(?<![\w.,])(\d+)(ers?|res?|ères?|ièmes?|èmes?|emes?|es?|nde?s?)(?![\w])")
def arabic_ordinal(m: re.Match[str]) -> str:
    """Before the letter/digit split ('1er' would become 'un er') and before the
    cardinal fallback."""
    n, suffix = int(m.group(1)), m.group(2)
    plural = "s" if suffix.endswith("s") else ""
    feminine = suffix.startswith(("re", "ère"))
    if n == 0:
        return "zéroième" + plural
    return ordinal(n, feminine) + plural


_ROMAN_RE = r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_value(s: str) -> int:
    total = 0
    for a, b in zip(s, s[1:] + " "):
        v = _ROMAN_VALUES[a]
        total += -v if b != " " and _ROMAN_VALUES[b] > v else v
    return total


@rule(r"(?<![\w])(" + _ROMAN_RE + r")(ers?|res?|ères?|ièmes?|èmes?|es?)(?![\w])")
def roman_ordinal(m: re.Match[str]) -> str:
    """'XXe siècle', 'François Ier'. Before the acronym rule, which would spell
    'XXI'. Single letters are only Roman when they cannot be a French word:
    'Ce', 'De', 'Le', 'Me' are words, so only I (Ier), V and X stand alone."""
    r, suffix = m.group(1), m.group(2)
    first = suffix.startswith(("er", "re", "ère"))
    # "er"/"re" only follow I ("Vers" is not "cinquièmes"); a lone C, D, L, M
    # plus "e" is a French word.
    if not r or first != (r == "I") or (len(r) == 1 and r not in "IVX"):
        return m.group(0)
    plural = "s" if suffix.endswith("s") else ""
    return ordinal(roman_value(r), suffix.startswith(("re", "ère"))) + plural


_REGNAL_NAMES = (
    "Louis|Henri|Charles|François|Philippe|Napoléon|Jean|Paul|Pierre|Jacques|Léon|Pie|"
    "Benoît|Grégoire|Innocent|Clément|Boniface|Urbain|Alexandre|Nicolas|Frédéric|Guillaume|"
    "Richard|Édouard|Edouard|Élisabeth|Elisabeth|Elizabeth|George|Georges|Victor-Emmanuel|"
    "Juan Carlos|Felipe|Ramsès|Jean-Paul|Catherine|Ivan|Rodolphe|Otton|Othon|"
    "Constantin|Justinien|Théodose|Lothaire|Pépin|Carloman|Robert|Hugues|Raoul|Sixte|Célestin|Léopold|"
    "Albert|Baudouin|Guillaume-Alexandre|Mohammed|Hassan|Abdallah|Selim|Soliman|Mehmed|Ptolémée|Amenhotep|Thoutmôsis"
)
# "article L" is legal numbering and "annexe C" a letter, so only I, V, X count
# after these words (1 to 39 covers regnal numbers and chapters).
_ROMAN_CONTEXT = "chapitre|tome|partie|acte|livre|volume|saison|titre|phase|scène|épisode"
_ROMAN_IVX = r"X{0,3}(?:IX|IV|V?I{0,3})"


@rule(r"(?<![\w])(?:(" + _REGNAL_NAMES + r")|(?i:(" + _ROMAN_CONTEXT + r")))\s+(" + _ROMAN_IVX + r")(?![\w])")
def roman_after_name(m: re.Match[str]) -> str:
    """'Louis XIV', 'tome III': a Roman numeral is only safe to read where a
    regnal name or a section word announces it; elsewhere 'CD', 'MC' or 'CV'
    are acronyms, and a lone 'C.' after a first name is an initial. Before the
    acronym rule, which would spell 'iks i vé'."""
    r = m.group(3)
    if not r:
        return m.group(0)
    lead = m.group(1) or m.group(2)
    v = roman_value(r)
    if m.group(1) and v == 1:
        return f"{lead} premier"
    return f"{lead} {cardinal(v)}"


# --------------------------------------------------------------------------
# 7. Operators and symbols next to numbers
# --------------------------------------------------------------------------


@rule(r"[~≈∼]\s?")
def about(m: re.Match[str]) -> str:
    """'~10GW' -> 'environ dix gigawatts'. Before units, whose number must not
    carry the tilde."""
    return " environ "


@rule(r"\s*(?:->|=>|⇒|→)\s*")
def ascii_arrow(m: re.Match[str]) -> str:
    """ASCII arrows are dropped like the Unicode ones (reading 'vers' is wrong in
    most bullet lists). Before '=' and the range rule, which own '=' and '-'."""
    return " "


@rule(r"\s*\+\s*")
def plus(m: re.Match[str]) -> str:
    """Before the signed-number rules: '+5 %' and '2 + 2' both say 'plus'."""
    return " plus "


@rule(r"\s*=\s*")
def equals(m: re.Match[str]) -> str:
    """A bare symbol the TTS would skip or mispronounce."""
    return " égale "


@rule(r"\s*&(?:amp;)?\s*")
def ampersand(m: re.Match[str]) -> str:
    """After the URL rule, whose query strings contain '&'."""
    return " et "


@rule(r"(?<=\d)\s*[x×]\s*(?=\d)|(?<![\w])[x×]\s?(?=\d)|(?<=\d)\s?[x×](?![\w])|\s×\s")
def times(m: re.Match[str]) -> str:
    """'x10', '3x', '8x7B', '3 × 4' -> 'fois'. Before the letter/digit split
    ('x10' would say 'iks dix') and the model-size rule ('8x7B')."""
    return " fois "


@rule(r"(?<=[\s(])([<>≤≥])\s?(?=[-+]?\d)")
def comparison(m: re.Match[str]) -> str:
    """'> 10' -> 'plus de dix'; only before a number, where the meaning is sure."""
    return {"<": "moins de ", ">": "plus de ", "≤": "au plus ", "≥": "au moins "}[m.group(1)]


@rule(r"(?<=\d)-(?=\d)|(?<=\d)\s?–\s?(?=\d)")
def number_range(m: re.Match[str]) -> str:
    """'10-15 GW' -> '10 à 15 GW'. After the dates (ISO and year-month use '-'),
    before every signed-number rule, which would read '-15' as 'moins quinze'."""
    return " à "


@rule(r"(?<=\d)\s?/\s?(?=\d)")
def fraction(m: re.Match[str]) -> str:
    """After the dates and '24/7'; before the cardinal fallback."""
    return " sur "


# --------------------------------------------------------------------------
# 8. Money
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Currency:
    singular: str
    plural: str
    sub_singular: str
    sub_plural: str

    def after_scale(self) -> str:
        # "un million d'euros", "deux milliards de dollars".
        return ("d'" if self.plural[0] in "aeiouyéèh" else "de ") + self.plural


_EURO = _Currency("euro", "euros", "centime", "centimes")
_DOLLAR = _Currency("dollar", "dollars", "cent", "cents")
_POUND = _Currency("livre sterling", "livres sterling", "penny", "pence")
_YEN = _Currency("yen", "yens", "sen", "sen")
_FRANC = _Currency("franc suisse", "francs suisses", "centime", "centimes")
_FRANC_PLAIN = _Currency("franc", "francs", "centime", "centimes")
_BITCOIN = _Currency("bitcoin", "bitcoins", "satoshi", "satoshis")

_CURRENCIES = {
    "€": _EURO, "euro": _EURO, "euros": _EURO, "eur": _EURO,
    "$": _DOLLAR, "$us": _DOLLAR, "us$": _DOLLAR, "usd": _DOLLAR, "dollar": _DOLLAR, "dollars": _DOLLAR,
    "£": _POUND, "gbp": _POUND,
    "¥": _YEN, "jpy": _YEN, "yen": _YEN, "yens": _YEN,
    "chf": _FRANC, "franc": _FRANC_PLAIN, "francs": _FRANC_PLAIN,
    "btc": _BITCOIN, "bitcoin": _BITCOIN, "bitcoins": _BITCOIN,
}
_CUR_SYMBOL = r"US\$|\$US|[€$£¥]"
_CUR_AFTER = _CUR_SYMBOL + r"|(?i:euros?|eur|usd|gbp|jpy|chf|btc|dollars?|yens?|francs?|bitcoins?)\b"

# Order inside the alternation matters: longer spellings first ("Mds" before "M").
_SCALE = r"milliards?|millions?|mille|Mrds?|Mds?|MM|mds?|Bn|bn|B|M|k|K"
_SCALE_WORDS = {
    "million": 10**6, "millions": 10**6, "M": 10**6, "MM": 10**6,
    "milliard": 10**9, "milliards": 10**9, "Md": 10**9, "Mds": 10**9, "md": 10**9, "mds": 10**9,
    "Mrd": 10**9, "Mrds": 10**9, "B": 10**9, "Bn": 10**9, "bn": 10**9,
    "mille": 10**3, "k": 10**3, "K": 10**3,
}


def _scale_word(mult: int, num: str) -> str:
    base = {10**6: "million", 10**9: "milliard"}[mult]
    return base + ("s" if _plural(num) else "")


def _money(num: str, scale: str | None, cur: _Currency) -> str:
    # num2words(to="currency") reads integers as cents (1000000 -> "dix mille
    # euros"), so amounts are built from cardinal words here.
    mult = _SCALE_WORDS.get(scale or "", 1)
    if mult == 10**3:
        value = _value(num) * 1000
        if value != value.to_integral_value():
            return f"{read_number(num)} mille {cur.plural}"
        num = str(int(value))
        mult = 1
    if mult > 1:
        return f"{read_number(num)} {_scale_word(mult, num)} {cur.after_scale()}"
    sign, ip, frac = _split_num(num)
    if frac is not None and len(frac) <= 2:
        cents = int(frac.ljust(2, "0"))
        units = int(ip)
        if units == 0 and cents:
            return f"{_SIGN_WORDS.get(sign, '')}{cardinal(cents)} {cur.sub_plural if cents >= 2 else cur.sub_singular}"
        words = f"{_SIGN_WORDS.get(sign, '')}{cardinal(units)} {cur.plural if units >= 2 else cur.singular}"
        return f"{words} {cardinal(cents)}" if cents else words
    words = read_number(num)
    if frac is None and re.search(r"(?:million|milliard)s?$", words):
        return f"{words} {cur.after_scale()}"
    return f"{words} {cur.plural if _plural(num) else cur.singular}"


@rule(NUM + r"\s?(?:(?P<scale>" + _SCALE + r")\s?)?(?:(?:de|d['’])\s?)?(?P<cur>" + _CUR_AFTER + r")")
def money_after(m: re.Match[str]) -> str:
    """'100 €', '5 M€', '100MM de $', '1 000 000 €'. Before units and the
    model-size rule, which would claim 'M' and 'B' as plain millions and
    milliards and leave the currency sign behind."""
    cur = _CURRENCIES[m.group("cur").lower()]
    return _money(m.group("num"), m.group("scale"), cur)


@rule(r"(?<![\w])(?P<cur>" + _CUR_SYMBOL + r")\s?(?P<num>[-−]?\d+(?:[.,]\d+)?)(?:\s?(?P<scale>" + _SCALE + r")(?![\w]))?")
def money_before(m: re.Match[str]) -> str:
    """'$100', '€100', '$2.5B': the English order. Same timing as money_after."""
    cur = _CURRENCIES[m.group("cur").lower()]
    return _money(m.group("num"), m.group("scale"), cur)


# --------------------------------------------------------------------------
# 9. Percentages and units
# --------------------------------------------------------------------------


@rule(NUM + r"\s?(?P<sign>%|‰)")
def percent(m: re.Match[str]) -> str:
    """Before the decimal rule so '12,5 %' is read as one quantity."""
    word = "pour cent" if m.group("sign") == "%" else "pour mille"
    return f"{read_number(m.group('num'))} {word}"


_UNITS: dict[str, tuple[str, str]] = {
    "km/h": ("kilomètre heure", "kilomètres heure"),
    "m/s": ("mètre par seconde", "mètres par seconde"),
    "Gb/s": ("gigabit par seconde", "gigabits par seconde"),
    "Gbit/s": ("gigabit par seconde", "gigabits par seconde"),
    "Mb/s": ("mégabit par seconde", "mégabits par seconde"),
    "Mbit/s": ("mégabit par seconde", "mégabits par seconde"),
    "Mbps": ("mégabit par seconde", "mégabits par seconde"),
    "Gbps": ("gigabit par seconde", "gigabits par seconde"),
    "Go/s": ("gigaoctet par seconde", "gigaoctets par seconde"),
    "Mo/s": ("mégaoctet par seconde", "mégaoctets par seconde"),
    "TWh": ("térawattheure", "térawattheures"),
    "GWh": ("gigawattheure", "gigawattheures"),
    "MWh": ("mégawattheure", "mégawattheures"),
    "kWh": ("kilowattheure", "kilowattheures"),
    "KWh": ("kilowattheure", "kilowattheures"),
    "Wh": ("wattheure", "wattheures"),
    "TW": ("térawatt", "térawatts"),
    "GW": ("gigawatt", "gigawatts"),
    "MW": ("mégawatt", "mégawatts"),
    "kW": ("kilowatt", "kilowatts"),
    "KW": ("kilowatt", "kilowatts"),
    "W": ("watt", "watts"),
    "kV": ("kilovolt", "kilovolts"),
    "V": ("volt", "volts"),
    "GHz": ("gigahertz", "gigahertz"),
    "MHz": ("mégahertz", "mégahertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "Hz": ("hertz", "hertz"),
    "Po": ("pétaoctet", "pétaoctets"),
    "To": ("téraoctet", "téraoctets"),
    "Go": ("gigaoctet", "gigaoctets"),
    "Mo": ("mégaoctet", "mégaoctets"),
    "Ko": ("kilooctet", "kilooctets"),
    "ko": ("kilooctet", "kilooctets"),
    "TB": ("téraoctet", "téraoctets"),
    "GB": ("gigaoctet", "gigaoctets"),
    "MB": ("mégaoctet", "mégaoctets"),
    "Tb": ("térabit", "térabits"),
    "Gb": ("gigabit", "gigabits"),
    "Mb": ("mégabit", "mégabits"),
    "km²": ("kilomètre carré", "kilomètres carrés"),
    "km2": ("kilomètre carré", "kilomètres carrés"),
    "m²": ("mètre carré", "mètres carrés"),
    "m2": ("mètre carré", "mètres carrés"),
    "m³": ("mètre cube", "mètres cubes"),
    "m3": ("mètre cube", "mètres cubes"),
    "km": ("kilomètre", "kilomètres"),
    "cm": ("centimètre", "centimètres"),
    "mm": ("millimètre", "millimètres"),
    "µm": ("micromètre", "micromètres"),
    "nm": ("nanomètre", "nanomètres"),
    "m": ("mètre", "mètres"),
    "ha": ("hectare", "hectares"),
    "kg": ("kilogramme", "kilogrammes"),
    "mg": ("milligramme", "milligrammes"),
    "g": ("gramme", "grammes"),
    "Gt": ("gigatonne", "gigatonnes"),
    "Mt": ("mégatonne", "mégatonnes"),
    "kt": ("kilotonne", "kilotonnes"),
    "L": ("litre", "litres"),
    "°C": ("degré Celsius", "degrés Celsius"),
    "° C": ("degré Celsius", "degrés Celsius"),
    "°F": ("degré Fahrenheit", "degrés Fahrenheit"),
    "°": ("degré", "degrés"),
}
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))


@rule(NUM + r"\s?(?P<unit>" + _UNIT_RE + r")(?![\w/²³])")
def units(m: re.Match[str]) -> str:
    """'10GW', '120 KW', '25 °C'. After money ('5 M€' is not mètres) and before
    the letter/digit split, which would leave '10 GW' spelled 'gé double vé'.
    A dot is a decimal mark here ('1.5 GW'), not a version separator."""
    singular, plural = _UNITS[m.group("unit")]
    return f"{read_number(m.group('num'))} {plural if _plural(m.group('num')) else singular}"


@rule(NUM + r"(?:(?P<glued>B|Bn|M|k)(?![\w])|\s(?P<word>millions?|milliards?)\b)")
def magnitude(m: re.Match[str]) -> str:
    """'405B' (model parameters), '7M', '10k', '2.5 milliards'. After money and
    units, which own 'M€' and 'MW'; before the letter/digit split, which would
    say 'quatre cent cinq bé'. Uppercase 'K' is left alone: '4K' is a screen
    resolution, said 'quatre ka'."""
    num = m.group("num")
    if m.group("word"):
        return f"{read_number(num)} {m.group('word')}"
    mult = _SCALE_WORDS[m.group("glued")]
    if mult == 1000:
        value = _value(num) * 1000
        if value == value.to_integral_value():
            return cardinal(int(value))
        return f"{read_number(num)} mille"
    return f"{read_number(num)} {_scale_word(mult, num)}"


# --------------------------------------------------------------------------
# 10. Plain numbers
# --------------------------------------------------------------------------


@rule(r"(?<![\w.,])([-−]?\d+),(\d+)(?![\d]|[.,]\d)")
def decimal_comma(m: re.Match[str]) -> str:
    """'3,14' -> 'trois virgule quatorze'. After percent, money and units (which
    read their own decimals) and before the cardinal fallback."""
    return read_number(f"{m.group(1)},{m.group(2)}")


@rule(r"(?<![\w.,])v?(\d+(?:\.\d+)+)(?![\d]|[.,]\d)")
def dotted_version(m: re.Match[str]) -> str:
    """'Llama 3.1' -> 'trois point un'; also IP addresses. After units and money,
    where a dot is a decimal mark, and after the dotted dates."""
    prefix = "version " if m.group(0).startswith("v") else ""
    return prefix + " point ".join(_int_words(p) for p in m.group(1).split("."))


_LETTER_NAMES = {
    "A": "a", "B": "bé", "C": "cé", "D": "dé", "E": "e", "F": "effe", "G": "gé",
    "H": "ache", "I": "i", "J": "ji", "K": "ka", "L": "elle", "M": "emme", "N": "enne",
    "O": "o", "P": "pé", "Q": "ku", "R": "erre", "S": "ès", "T": "té", "U": "u",
    "V": "vé", "W": "double vé", "X": "iks", "Y": "i grec", "Z": "zède",
    "É": "é", "È": "è", "Ê": "ê", "À": "a", "Ç": "cé",
}


def spell(letters: str) -> str:
    return " ".join(_LETTER_NAMES.get(c, c.lower()) for c in letters)


@rule(r"(?<![\w])([A-Z])(?=\d)|(?<=\d)([A-Z])(?![\w])|(?<=[A-Za-zÀ-ÿ])-?(?=\d)|(?<=\d)(?=[A-Za-zÀ-ÿ])")
def letter_digit_split(m: re.Match[str]) -> str:
    """'H100', 'GPT-4', 'COVID-19', '5G': letters and digits glued in a name are
    said apart. Runs after every rule that reads a glued form ('10GW', '1er',
    '405B', '8h30'); a lone capital beside digits is spelled here because the
    acronym rule leaves single letters alone ('A' may be the preposition)."""
    letter = m.group(1) or m.group(2)
    if m.group(1):
        return spell(letter) + " "
    if m.group(2):
        return " " + spell(letter)
    return " "


@rule(r"(?<![\w])[-−]?\d+")
def cardinal_number(m: re.Match[str]) -> str:
    """The fallback for every number no earlier rule claimed; must follow them
    all. A year ('en 2024') reads the same as a cardinal in French."""
    return read_number(m.group(0))


@rule(r"\d+")
def stray_digits(m: re.Match[str]) -> str:
    """Digits glued to odd punctuation ('a.5', '_3') that the signed rule above
    refuses; guarantees the output holds no digit at all."""
    return _int_words(m.group(0))


# --------------------------------------------------------------------------
# 11. Acronyms
# --------------------------------------------------------------------------

# Acronyms French speakers pronounce as a word; all-caps input is rewritten in
# this capitalised form so the voice reads a word, not letters.
_WORD_ACRONYMS = {
    w.upper(): w for w in (
        "Unesco Covid Otan Nasa Unicef Insee Ademe Cnil Opep Giec Cern Urssaf Inria Inserm "
        "Ifop Sida Fifa Uefa Benelux Erasmus Ovni Smic Cac Zad Pacs Medef Cnes Esa Arcom "
        "Anssi Ineris Frontex Interpol Europol Mercosur Asean Wifi Ram Rom Ascii Unix Bios "
        "Captcha Gafam Inrae Apec Onera Enedis Orsec Ehpad Laser Radar Nato Opec Ena "
        "Unef Fnac Sacem Cnam Nasdaq"
    ).split()
}

# Common French words met in ALL-CAPS titles; spelling them would be absurd.
_CAPS_WORDS = set(
    "LE LA LES DE DES DU ET OU UN UNE EN AU AUX PAR POUR SUR DANS AVEC EST SONT QUI QUE "
    "NE PAS PLUS IL ELLE ILS ON NOUS VOUS SE SES MON MA MES TON TA TES TOUT TOUS TRÈS OUI "
    "NON MAIS DONC CAR BIEN FAIT VRAI FAUX MERCI NEUF ÉTÉ ICI JOUR NUIT FIN AVANT APRÈS "
    "RIEN ALORS AINSI COMME SANS SOUS CHEZ ENTRE VERS NOTE ATTENTION PRIX VA VONT ONT "
    "OÙ QUOI SI NI MOI TOI LUI EUX LEUR DIT VU ÊTRE AVOIR FAIRE VIE FOU ÇA JE TU".split()
)

_VOWELS = set("AEIOUYÀÂÉÈÊËÎÏÔÙÛÜ")


@rule(r"(?<![\w])([IVX]{2,})(?![\w])")
def roman_standalone(m: re.Match[str]) -> str:
    """'Vatican II', 'le XV de France': a token made only of I, V, X that is a
    valid numeral is read as a number. Before the acronym rule, which would spell
    it; 'CD' or 'MC' are left to that rule since they are usually acronyms."""
    r = m.group(1)
    if not re.fullmatch(_ROMAN_RE, r):
        return r
    return cardinal(roman_value(r))


_CAPS_TOKEN = r"[A-ZÀ-ÖØ-Ý]+(?:['’-][A-ZÀ-ÖØ-Ý]+)*"


@rule(r"(?<![\w])" + _CAPS_TOKEN + r"(?:[ ,]+" + _CAPS_TOKEN + r"){2,}(?![\w])")
def shouting(m: re.Match[str]) -> str:
    """A run of three or more ALL-CAPS words holding a common French word
    ('ATTENTION LE PRIX EST FOU') is a shouted sentence, not acronyms: its words
    go to lower case. Tokens without vowels or of three letters and less stay
    for the acronym rule ('LA SNCF ET RTE'), which must therefore come after."""
    run = m.group(0)
    if not any(t in _CAPS_WORDS for t in re.findall(r"[^\W\d_]+", run)):
        return run

    def word(t: re.Match[str]) -> str:
        tok = t.group(0)
        if tok in _WORD_ACRONYMS:
            return _WORD_ACRONYMS[tok]
        if tok in _CAPS_WORDS or (len(tok) >= 4 and _VOWELS & set(tok)):
            return tok.lower()
        return tok

    return re.sub(r"[^\W\d_]+", word, run)


@rule(r"(?<![\w])([A-ZÀ-ÖØ-Ý][A-ZÀ-ÖØ-Ý]+)(s?)(?![\w])")
def acronym(m: re.Match[str]) -> str:
    """Runs after the numeric rules, which own capitals glued to digits ('10GW',
    '405B', 'XXe') and would find them already spelled. Short all-caps tokens
    are spelled ('GPU' -> 'gé pé u'); the allowlist is read as words; long
    all-caps tokens with vowels are words shouted ('NVIDIA' -> 'Nvidia')."""
    token, plural = m.group(1), m.group(2)
    if token in _WORD_ACRONYMS:
        return _WORD_ACRONYMS[token] + plural
    if token in _CAPS_WORDS:
        return token.lower() + plural
    if plural and (token + "S") in _CAPS_WORDS:
        return (token + "S").lower()
    if len(token) <= 5 or not (_VOWELS & set(token)):
        return spell(token)
    return token.capitalize() + plural


# --------------------------------------------------------------------------
# 12. Leftover symbols and spacing
# --------------------------------------------------------------------------

_SYMBOL_WORDS = {
    "%": " pour cent ", "‰": " pour mille ", "€": " euros ", "$": " dollars ", "£": " livres ",
    "°": " degrés ", "§": " paragraphe ", "@": " ", "#": " ", "~": " ", "^": " ",
    "<": " ", ">": " ", "\\": " ", "{": " ", "}": " ", "¹": " ", "²": " ", "³": " ",
}


@rule(r"[%‰€$£°§@#~^<>\\{}¹²³]")
def leftover_symbol(m: re.Match[str]) -> str:
    """Symbols no numeric rule consumed ('le $ baisse'); after all of them, so
    '80 %' was already read as a whole."""
    return _SYMBOL_WORDS[m.group(0)]


@rule(r"(?<=\s)/(?=\s)|(?<=[^\W\d_])/(?=[^\W\d_])")
def slash(m: re.Match[str]) -> str:
    """'et/ou' -> 'et ou'. After units, which own 'km/h'."""
    return " "


sub_rule(
    "empty_brackets",
    r"\((?:\s*(?i:voir|cf\.?|source\s*:?|lien\s*:?))?\s*\)|\[\s*\]",
    " ",
    "A link dropped from '(https://…)' or '(voir https://…)' leaves an empty or "
    "dangling aside; after every removal rule.",
)


@rule(r"[ \t]+")
def spaces(m: re.Match[str]) -> str:
    """Removals above leave double spaces; must precede the punctuation tidy-up."""
    return " "


@rule(r"(?m)^[ ,.;:]+| $| (?=[,.…)\]])|(?<=[(\[]) |(?<=,) ?,")
def tidy(m: re.Match[str]) -> str:
    """Last: strips what removals leave behind (spaces at line ends and before
    closing punctuation, a line opening on '. ' once its link is gone, doubled
    commas). Prosodic punctuation (. , ? ! : ;) itself is kept."""
    return ""


# Ordinary text settles in one pass. Garbled input can expose a token only once
# a late rule has run (a symbol dropped from '²XIV' leaves 'XIV' for the Roman
# rule), so the pipeline is repeated until nothing changes: that is what makes
# idempotence a property of the function rather than of the inputs tested.
_MAX_PASSES = 4


def _one_pass(text: str) -> str:
    for r in RULES:
        text = r.apply(text)
    return text.strip()


def normalize(text: str) -> str:
    """Written French -> what the TTS should say. Idempotent; no digits remain."""
    text = unicodedata.normalize("NFC", text)
    for _ in range(_MAX_PASSES):
        new = _one_pass(text)
        if new == text:
            break
        text = new
    return text
