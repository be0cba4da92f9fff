"""Project Gutenberg boilerplate, in every vintage the archive still serves, and the metadata
its header carries.

Header ends, latest wins: the "*** START OF THE PROJECT GUTENBERG EBOOK" marker (2000s to now),
the "*END*THE SMALL PRINT!" line (1990s), else the run of licence and field paragraphs that
follows "The Project Gutenberg EBook of ..." (2000s files without a marker). The footer starts
at the first "End of the Project Gutenberg ..." / "*** END OF ..." line after the body began.
Anything unrecognised stays: a stray licence line read aloud costs less than a lost page.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

_SEP = r"[\s*]*"
_START = re.compile(
    rf"^[ \t]*\*+{_SEP}START{_SEP}OF{_SEP}(?:THE|THIS){_SEP}PROJECT{_SEP}GUTENBERG\b(?P<rest>.*)$", re.I | re.M)
_SMALL_PRINT_START = re.compile(r"^[ \t]*\*+\s*START\W*THE SMALL PRINT\b.*$", re.I | re.M)
_SMALL_PRINT_END = re.compile(r"^[ \t]*\*+\s*END\W*THE SMALL PRINT\b.*$", re.I | re.M)
_FOOTER = re.compile(
    r"^[ \t]*(?:\*+\s*END\W*OF\W*(?:THE|THIS)\W*PROJECT\s*GUTENBERG"
    r"|End of (?:the |this )?Project Gutenberg\b)",
    re.I | re.M)

# "The Project Gutenberg EBook of TITLE, by AUTHOR" and its siblings. The "'s" form is how
# 2000s files open ("Project Gutenberg's Les Misérables, by Victor Hugo").
EBOOK_LINE = re.compile(
    r"^[^\w\n]*(?:(?:The|This) Project Gutenberg (?:e-?book|e-?text)s? of|(?P<owner>Project Gutenberg'?s))"
    r"\s+(?P<rest>.+?)\s*$",
    re.I)
_EBOOK_LINE_M = re.compile(EBOOK_LINE.pattern, re.I | re.M)

_FIELD = re.compile(
    r"^(?:Title|Sub-?title|Author|Authors|Editor|Translator|Illustrator|Contributor|Commentator|Credits"
    r"|Release Date|Posting Date|Last Updated|Date first posted|Date last updated|Most recently updated"
    r"|First Posted|Language|Character set encoding|Edition|Original publication)\s*:", re.I)
# A credit for the volunteers, first thing after the header in many files (French ones too).
CREDIT = re.compile(
    r"^\[?\s*(?:Produced by|Prepared by|E-?text prepared by|E-?book prepared by|Transcribed (?:from|by)"
    r"|This e-?(?:text|book) was (?:produced|prepared|created|transcribed) by"
    r"|Ce livre a été produit par|Produit par|Ce texte a été (?:produit|préparé|numérisé) par)\b", re.I)
# Words no book paragraph near the top needs, and every old licence paragraph has.
_LICENCE_WORDS = re.compile(
    r"gutenberg|\be-?texts?\b|\be-?books?\b|electronic texts|small print|public domain|\bdonat|copyright"
    r"|this (?:header|file)|volunteers", re.I)


_PARAGRAPH = re.compile(r"\S[^\n]*(?:\n[ \t]*\S[^\n]*)*")


def _paragraphs(text: str, start: int) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of the blank-line separated blocks of text, from start on."""
    return (match.span() for match in _PARAGRAPH.finditer(text, start))


def _is_header_paragraph(block: str) -> bool:
    first = block.lstrip()
    return bool(
        _FIELD.match(first) or CREDIT.match(first) or EBOOK_LINE.match(first)
        or re.match(r"\[[^\]]*(?:#\s*\d|posted|updated|edition)", first, re.I) or _LICENCE_WORDS.search(block)
        or not re.search(r"\w", block)                       # rows of stars
    )


def _old_header_end(text: str) -> int:
    """End of a marker-less header that opens with the ebook line, or 0."""
    opening = _EBOOK_LINE_M.search(text, 0, 2000)
    if not opening or text[: opening.start()].strip():
        return 0
    end = 0
    for start, stop in _paragraphs(text, opening.start()):
        if not _is_header_paragraph(text[start:stop]):
            break
        end = stop
    return end


def _after_start_marker(text: str, match: re.Match[str]) -> int:
    # Long titles wrap: "*** START OF THIS PROJECT GUTENBERG EBOOK LES\nMISÉRABLES ***".
    end = match.end()
    if "***" not in match.group("rest"):
        following = re.match(r"\n([^\n]*\*{3})[ \t]*$", text[end:], re.M)
        if following and len(following.group(1)) < 100:
            end += following.end()
    return end


def _header_end(text: str) -> int:
    footer = _FOOTER.search(text)
    limit = footer.start() if footer else len(text)
    ends = []
    start = _START.search(text, 0, limit)
    if start:
        ends.append(_after_start_marker(text, start))
    small = _SMALL_PRINT_END.search(text, 0, limit)
    if small:
        opening = _SMALL_PRINT_START.search(text, 0, small.start())
        before = text[: opening.start()] if opening else ""
        # Late-1990s files put the small print last: then the book is what precedes it, and
        # outweighs what follows (a short book is recognised by its header-only preamble).
        if len(before) < len(text) - small.end() or all(
                _is_header_paragraph(text[a:b]) for a, b in _paragraphs(before, 0)):
            ends.append(small.end())
    return max(ends) if ends else _old_header_end(text)


def _skip_credit(text: str, start: int) -> int:
    for block_start, block_end in itertools.islice(_paragraphs(text, start), 1):
        block = text[block_start:block_end]
        if CREDIT.match(block.lstrip()) and len(block.split()) <= 80:
            return block_end
    return start


def bounds(text: str) -> tuple[int, int]:
    """(start, end) of the book inside a Gutenberg file; (0, len) for anything else."""
    start = _header_end(text)
    if start:
        start = _skip_credit(text, start)
    footer = _FOOTER.search(text, start)
    small = _SMALL_PRINT_START.search(text, start)
    ends = [m.start() for m in (footer, small) if m]
    return start, min(ends) if ends else len(text)


def strip(text: str) -> str:
    start, end = bounds(text)
    return text[start:end]


def split_ebook_line(line: str) -> tuple[str, str]:
    """("TITLE", "AUTHOR") from "The Project Gutenberg EBook of TITLE, by AUTHOR"; ("", "") otherwise."""
    match = EBOOK_LINE.match(line.strip())
    if not match:
        return "", ""
    rest = match.group("rest").rstrip(" .")
    title, sep, author = rest.rpartition(", by ")
    if not sep:
        # "Project Gutenberg's goal is..." is a sentence; only "... of TITLE" names a book alone.
        return ("", "") if match.group("owner") else (rest.strip(), "")
    return title.strip(), author.strip()


def _field(head: str, name: str) -> str:
    """A header field's value, its indented continuation lines joined ("Title: X\n    Tome I")."""
    match = re.search(rf"^{name}:[ \t]*(?P<value>.*(?:\n[ \t]+\S.*)*)", head, re.I | re.M)
    if not match:
        return ""
    parts = [part.strip() for part in match.group("value").split("\n") if part.strip()]
    return ", ".join(parts)


def metadata(text: str) -> tuple[str, str]:
    """(title, author) from a Gutenberg header; empty strings where the header says nothing."""
    start, _ = bounds(text)
    head = text[:start] if start else text[:5000]
    if "PROJECT GUTENBERG" not in head.upper():
        return "", ""
    line_title, line_author = "", ""
    opening = _EBOOK_LINE_M.search(head)
    if opening:
        line = opening.group(0)
        after = head[opening.end():].split("\n")[1:3] + ["", ""]
        wrapped = after[0].strip()
        # A long ebook line wraps once: a short next line, then a blank one (not the licence).
        if (wrapped and not after[1].strip() and len(wrapped) < 80
                and not wrapped.startswith(("*", "[")) and not _LICENCE_WORDS.search(wrapped)
                and not _FIELD.match(wrapped) and not CREDIT.match(wrapped)):
            line += " " + wrapped
        line_title, line_author = split_ebook_line(line)
    return _field(head, "Title") or line_title, _field(head, "Author") or line_author
