"""Chapter headings in plain text ("CHAPITRE PREMIER", "Chapter 3: The Title", "XII."), so that a
.txt book arrives in sections as a .md or .docx one does.

A heading is a line alone between blank lines (or a heading line and one short title line).
A section with fewer than MIN_WORDS words is no section: a table-of-contents entry or a chapter
of a few words loses its heading line and its text, if any, stays with the section above; a
part heading ("LIVRE DEUXIÈME") and its epigraph go to the chapter that follows, whose title
it prefixes ("LIVRE DEUXIÈME — CHAPITRE PREMIER").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .document import Section

# Below this a "chapter" is a table-of-contents entry or a part title, not something to tell.
MIN_WORDS = 30
# Lone roman numerals head chapters only in books that use them throughout; fewer could be a
# list or a stray "I".
MIN_ROMAN_HEADINGS = 3
_MAX_TITLE_WORDS = 15

_ROMAN = r"(?=[IVXLCDM])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_CARDINAL = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
             r"|sixteen|seventeen|eighteen|nineteen|twenty|un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix"
             r"|onze|douze|treize|quatorze|quinze|seize|dix-sept|dix-huit|dix-neuf|vingt")
_ORDINAL = (r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|\w+teenth"
            r"|twentieth|last|premier|première|premiere|second|seconde|dernier|dernière|[\w-]+i[èe]me|unique")
_PART = r"book|livre|part|partie|tome|volume"
_CHAPTER = r"chapter|chapitre"
_NUMBER = rf"(?:\d{{1,3}}|{_ROMAN}|(?i:{_CARDINAL}|{_ORDINAL}))(?![\w-])"
_TAIL = r"(?:\s*[.:)]?\s*(?:[-—–:.]\s*)?(?P<title>[\w«\"'(].*?))?\s*[.:]?"

_KEYWORD_FIRST = re.compile(rf"(?P<kind>(?i:{_CHAPTER}|{_PART}))\.?\s+{_NUMBER}{_TAIL}")
_ORDINAL_FIRST = re.compile(rf"(?i:{_ORDINAL})\s+(?P<kind>(?i:{_CHAPTER}|{_PART})){_TAIL}")
_ROMAN_ALONE = re.compile(rf"{_ROMAN}\.?")


@dataclass
class _Heading:
    start: int          # first line of the heading
    end: int            # first line after it (and after its title line, if any)
    title: str
    part: bool          # book/part level: may prefix the title of the chapter that follows


def _words(text: str) -> int:
    return len(text.split())


def _heading_match(line: str) -> tuple[bool, bool] | None:
    """(has its own title text, part level) if the line is a chapter/part heading."""
    if not line[:1].isupper() and not line[:1].isdigit():
        return None
    for pattern in (_KEYWORD_FIRST, _ORDINAL_FIRST):
        match = pattern.fullmatch(line)
        if match:
            title = match.group("title") or ""
            # "Chapter 12 covers the rest" is prose: a title needs punctuation before it or capitals.
            if title:
                separated = line[: match.start("title")].rstrip().endswith((".", ":", ")", "—", "–", "-"))
                if _words(title) > _MAX_TITLE_WORDS or (not separated and title.upper() != title):
                    return None
            return bool(title), bool(re.fullmatch(_PART, match.group("kind"), re.I))
    return None


def _is_title_line(line: str) -> bool:
    return 0 < _words(line) <= _MAX_TITLE_WORDS and not _heading_match(line) and not _ROMAN_ALONE.fullmatch(line)


def _join(heading: str, title: str) -> str:
    return f"{heading} {title}" if heading.endswith((".", ":", "—", "-")) else f"{heading}. {title}"


def find_headings(lines: list[str]) -> list[_Heading]:
    stripped = [line.strip() for line in lines]

    def blank(i: int) -> bool:
        return i < 0 or i >= len(stripped) or not stripped[i]

    found: list[_Heading] = []
    romans: list[_Heading] = []
    for i, line in enumerate(stripped):
        if not line or not blank(i - 1):
            continue
        kind = _heading_match(line)
        roman = kind is None and _ROMAN_ALONE.fullmatch(line)
        if kind is None and not roman:
            continue
        title, end = re.sub(r"\s+", " ", line), i + 1
        has_title = bool(kind and kind[0])
        if not blank(i + 1):
            # "CHAPTER I.\nThe Title": one short line of title, then a blank line.
            if has_title or not blank(i + 2) or not _is_title_line(stripped[i + 1]):
                continue
            title, end, has_title = _join(title, stripped[i + 1]), i + 2, True
        if not has_title:
            # "CHAPITRE PREMIER\n\nLE DÉPART\n\n": a capitalised one-line paragraph is its title.
            j = end
            while j < len(stripped) and not stripped[j]:
                j += 1
            if j < len(stripped) and blank(j + 1) and _is_title_line(stripped[j]) and \
                    stripped[j].upper() == stripped[j] and re.search(r"[^\W\d_]", stripped[j]):
                title, end = _join(title, stripped[j]), j + 1
        heading = _Heading(i, end, title, part=bool(kind and kind[1]))
        (romans if roman else found).append(heading)
    if len(romans) >= MIN_ROMAN_HEADINGS:
        found = sorted(found + romans, key=lambda h: h.start)
    return found


def _key(title: str) -> str:
    return re.sub(r"\W+", " ", title.casefold()).strip()


def _is_list(body: str) -> bool:
    # Table-of-contents entries list titles and page numbers; prose has sentences.
    return not re.search(r"[.!?…»\"]$", body, re.M)


def _append(section: Section, text: str) -> None:
    section.text = f"{section.text}\n\n{text}".strip()


def split(text: str) -> list[Section]:
    """Sections of a plain text at its chapter headings; one untitled section when it has none."""
    lines = text.split("\n")
    headings = find_headings(lines)
    sections = [Section(None, "\n".join(lines[: headings[0].start]).strip() if headings else text)]
    keys = [_key(h.title) for h in headings]
    prefix, carried = "", ""
    for n, heading in enumerate(headings):
        stop = headings[n + 1].start if n + 1 < len(headings) else len(lines)
        body = "\n".join(lines[heading.end: stop]).strip()
        # A heading met again further on, over a mere list, was a table-of-contents entry.
        listed = keys[n] in keys[n + 1:] and _is_list(body)
        if _words(body) >= MIN_WORDS and not listed:
            title = f"{prefix} — {heading.title}" if prefix else heading.title
            sections.append(Section(title, f"{carried}\n\n{body}".strip()))
            prefix, carried = "", ""
        elif heading.part and not listed:
            # "LIVRE DEUXIÈME" (and its epigraph) right above "CHAPITRE PREMIER" belong to it.
            prefix = f"{prefix} — {heading.title}" if prefix else heading.title
            carried = f"{carried}\n\n{body}".strip()
        else:
            # Too short to be told apart: the heading goes, its text stays where it was read.
            _append(sections[-1], carried)
            _append(sections[-1], body)
            prefix, carried = "", ""
    _append(sections[-1], carried)
    if not any(section.title for section in sections):
        return [Section(None, text)]          # nothing worth splitting: the text as it was
    return [section for section in sections if section.title or section.text]
