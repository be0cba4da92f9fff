"""Text clean-up shared by every format: what a listener should never hear.

Each step is a small function so tests can pin its behaviour; `clean` chains them in the
only order that works (characters first, so later regexes see plain text; URLs before the
sentence-spacing fix, which would otherwise split them).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

import ftfy

from . import gutenberg

# Invisible characters that break word matching (and TTS) but carry no meaning here.
# U+200D (zero-width joiner) is left alone: it glues multi-part emoji together.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200e\u200f\u2060\ufeff\u202a-\u202e]")
_SPACES = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


# A UTF-8 lead byte read as Latin-1/cp1252/cp1254 ("Ã", "Â", "â", "ğ"...) followed by a
# continuation byte read the same way: the signature of double-encoded UTF-8.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4\u011e\u011f\u0130\u015e\u015f]"
    "[\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d"
    "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178]"
)
_TYPOGRAPHY = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st",
}
_TYPOGRAPHY_RE = re.compile("[" + "".join(_TYPOGRAPHY) + "]")


def repair_encoding(text: str) -> str:
    """Undo mojibake with ftfy, only when there is a hint of it: ftfy costs seconds on a book."""
    if _MOJIBAKE_HINT.search(text):
        text = ftfy.fix_text(text)
    # Straight quotes and unligatured letters whatever the source, so later patterns match alike.
    text = unicodedata.normalize("NFC", text)
    return _TYPOGRAPHY_RE.sub(lambda m: _TYPOGRAPHY[m.group(0)], text)


def normalise_characters(text: str) -> str:
    text = repair_encoding(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    return text


def strip_gutenberg(text: str) -> str:
    """Project Gutenberg's licence header and footer, every vintage (see gutenberg.py)."""
    return gutenberg.strip(text)


# Whole lines that are site furniture, never content. Anchored on the full line so that a
# sentence merely mentioning "Follow us" survives.
_BOILERPLATE = [re.compile(p, re.I) for p in (
    r"(?-i:PREV|NEXT)\s.*",   # capitals only: "Next, we..." is prose
    r"(?:article|post|page)\s+(?:précédent|suivant|precedent|previous|next)\b.{0,120}",
    r"(?:previous|next)\s+(?:article|post|story)\b.{0,120}",
    r"(?:for latest updates\s+)?follow us on\b.{0,80}",
    r"suivez[- ]nous(?: sur)?\b.{0,80}",
    r"(?:laisser|laissez|écrire) un commentaire\.?",
    r"leave a (?:comment|reply)\.?",
    r"votre adresse (?:e-?mail|de messagerie|courriel) ne sera pas publiée.*",
    r"your email address will not be published.*",
    r"(?:ce site|this site) (?:utilise|uses) akismet.*",
    r"cr[ée]dits?\s*(?:image|photo)s?\s*:.*",
    r"(?:image|photo)\s*(?:credits?|crédits?)\s*:.*",
    r"(?:partager|share)(?: (?:cet article|this(?: article| post)?))?(?: sur .{0,40})?\s*:?",
    r"(?:à lire aussi|lire aussi|read also|read more|voir aussi)\s*:.{0,200}",
    r"(?:abonnez-vous|inscrivez-vous|subscribe)\b.{0,60}newsletter.{0,60}",
    r"(?:tweet|j'aime|like|pin it)",
    r"\d{1,3}",  # comment counters and page numbers
)]
_CREDIT = re.compile(r"^(?:cr[ée]dits?\s*(?:image|photo)|(?:image|photo)\s*cr[ée]dits?)", re.I)
_TERMINAL = ".!?…:;»\"'”)"


def _is_caption(line: str) -> bool:
    return 0 < len(line) <= 120 and not line.rstrip().endswith(tuple(_TERMINAL))


def _is_glued_tags(line: str) -> bool:
    # Category menus pasted without separators: "ScienceTechnologieSociété".
    tokens = line.split()
    junctions = len(re.findall(r"[a-zà-ÿ][A-ZÀ-Þ][a-zà-ÿ]", line))
    return (junctions >= 2 and len(line) <= 100 and not re.search(r"[.,;:!?]", line)
            and all(token[:1].isupper() for token in tokens))


def drop_boilerplate(text: str) -> str:
    lines = text.split("\n")
    keep = [True] * len(lines)
    seen_content = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if any(p.fullmatch(stripped) for p in _BOILERPLATE):
            keep[i] = False
            if _CREDIT.match(stripped):
                # An image's alt text sits just above its credit line: drop it too.
                j = i - 1
                while j >= 0 and not lines[j].strip():
                    j -= 1
                if j >= 0 and keep[j] and _is_caption(lines[j].strip()):
                    keep[j] = False
            continue
        if seen_content < 10 and _is_glued_tags(stripped):
            keep[i] = False
        seen_content += 1
    return "\n".join(line for line, k in zip(lines, keep) if k)


_METADATA_PREFIX = re.compile(r"\A\s*(?:date|publié le|published)\s*:?\s*\d{4}-\d{2}(?:-\d{2})?\s+", re.I)


def strip_metadata_prefix(text: str) -> str:
    # Scraped items sometimes start with an inline "date 2023-11" field before the prose.
    return _METADATA_PREFIX.sub("", text, count=1)


def _title_key(line: str) -> str:
    return re.sub(r"\s+", " ", line.strip().rstrip(" ?!.:…").casefold())


def collapse_repeated_title(text: str) -> str:
    """Keep one copy (the longest) of a title repeated at the top, truncated variants included."""
    lines = text.split("\n")
    top = [i for i, line in enumerate(lines) if line.strip()][:4]
    if len(top) < 2 or len(lines[top[0]]) > 250:
        return text
    first = _title_key(lines[top[0]])
    repeats = [top[0]]
    for i in top[1:]:
        key = _title_key(lines[i])
        shorter = min(first, key, key=len)
        longer = max(first, key, key=len)
        if len(shorter) >= 15 and longer.startswith(shorter):
            repeats.append(i)
        else:
            break
    if len(repeats) == 1:
        return text
    best = max(repeats, key=lambda i: len(lines[i].strip()))
    lines[top[0]] = lines[best]
    drop = set(range(top[0] + 1, repeats[-1] + 1))
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


_LIST_ITEM = re.compile(r"^(?:[-*•·–—>]|\d{1,3}[.)]|[a-zA-Z][.)])\s")
_HARD_WRAP_MAX = 120


def _starts_like_prose(line: str) -> bool:
    first = line[:1]
    return bool(first) and (first.isalnum() or first in "«\"'(“‘") and not _LIST_ITEM.match(line)


def _rewrap_block(lines: list[str]) -> list[str]:
    width = max(len(line) for line in lines)
    wrapped = 40 <= width <= _HARD_WRAP_MAX and len(lines) >= 2
    out = [lines[0]]
    for line in lines[1:]:
        prev = out[-1]
        if re.search(r"[^\W\d_]-$", prev) and line[:1].islower():
            out[-1] = prev[:-1] + line          # "exam-\nple": hyphenation, not a compound
            continue
        ends_sentence = prev.rstrip().endswith(tuple(_TERMINAL))
        if _starts_like_prose(line) and (
            (wrapped and len(prev) >= 0.7 * width)
            or (not ends_sentence and line[:1].islower())
        ):
            out[-1] = prev + " " + line
        else:
            out.append(line)
    return out


def rewrap(text: str) -> str:
    """Re-join lines that were broken for layout (PDF, 72-column text), not for meaning."""
    blocks = re.split(r"\n\s*\n", text)
    result = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines:
            result.append("\n".join(_rewrap_block(lines)))
    return "\n\n".join(result)


URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"«»]+", re.I)


def _domain(url: str) -> str:
    netloc = urlsplit(url if "://" in url else "http://" + url).netloc
    netloc = netloc.rsplit("@", 1)[-1].split(":", 1)[0]
    return re.sub(r"^www\d?\.", "", netloc, flags=re.I)


def shorten_urls(text: str) -> str:
    """Reduce URLs to their domain: paths and tracking queries are unreadable aloud and may hold names."""

    def replace(match: re.Match[str]) -> str:
        url = match.group(0)
        trailing = ""
        while url and url[-1] in ".,;:!?)]'’":
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            trailing = url[-1] + trailing
            url = url[:-1]
        domain = _domain(url) or url
        start = match.start()
        glue = " " if start > 0 and not text[start - 1].isspace() and text[start - 1] not in "([«\"'" else ""
        return glue + domain + trailing

    return URL.sub(replace, text)


_HASHTAG = re.compile(r"\bhashtag#(?=\w)|(?<![\w&/#])#(?=[^\W\d_])", re.I)


def strip_hashtags(text: str) -> str:
    """"hashtag#énergie" (LinkedIn copy-paste) and "#énergie" both become "énergie"."""
    return _HASHTAG.sub("", text)


# The second branch is the French "pertinente ?Quel": space before the mark, none after.
_GLUED_SENTENCE = re.compile(r"(?<=[a-zà-ÿ0-9)»\"”][.!?])(?=[A-ZÀ-Þ][a-zà-ÿ])|(?<=\s[?!])(?=[A-ZÀ-Þ][a-zà-ÿ])")


_WHITESPACE = re.compile(r"\s")


def space_sentences(text: str) -> str:
    """"au plus vite.Ceci" -> "au plus vite. Ceci" (scrapers drop the space between paragraphs)."""

    def replace(match: re.Match[str]) -> str:
        start = max(text.rfind(" ", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
        following = _WHITESPACE.search(text, match.start())
        end = following.start() if following else len(text)
        token = text[start:end]
        # E-mail addresses and leftover URLs are not sentences.
        return "" if ("@" in token or "://" in token or token.lower().startswith("www.")) else " "

    return _GLUED_SENTENCE.sub(replace, text)


_READ_MORE = re.compile(r"\s*(?:En savoir plus|Read more)\s*\.?\s*$", re.I | re.M)


def tidy_whitespace(text: str) -> str:
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def clean(text: str, *, rewrap_lines: bool = True) -> str:
    text = normalise_characters(text)
    text = strip_gutenberg(text)
    text = strip_metadata_prefix(text)
    text = tidy_whitespace(text)
    text = drop_boilerplate(text)
    text = collapse_repeated_title(text)
    if rewrap_lines:
        text = rewrap(text)
    text = shorten_urls(text)
    text = strip_hashtags(text)
    text = space_sentences(text)
    text = _READ_MORE.sub("", text)
    return tidy_whitespace(text)


def clean_line(text: str | None) -> str:
    """For titles and headings: one line, same character repairs, no paragraph logic."""
    if not text:
        return ""
    text = normalise_characters(text)
    text = strip_hashtags(shorten_urls(text))
    return re.sub(r"\s+", " ", text).strip()
