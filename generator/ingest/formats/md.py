"""Markdown, reduced to the words a listener should hear, split into sections on headings.

The parser is also used for trafilatura's markdown output (web.py), so both formats share
their notion of sections.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..document import Section
from ..raw import Raw, read_text
from ..registry import Loader, register

SECTION_LEVELS = 3     # deeper headings stay inside their section as plain lines

_FRONT_MATTER = re.compile(r"\A(?:---|\+\+\+)[ \t]*\n(?P<body>.*?)\n(?:---|\+\+\+|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FRONT_TITLE = re.compile(r"^title\s*[:=]\s*(?P<title>.+?)\s*$", re.M | re.I)
_ATX = re.compile(r"^\s{0,3}(?P<hashes>#{1,6})(?:\s+(?P<text>.*?))?\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(?P<rule>=+|-+)\s*$")
_FENCE = re.compile(r"^\s{0,3}(?P<fence>`{3,}|~{3,})")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d{1,3}[.)]\s|\||>)")
# "# tar cf - . | ssh host" is a root prompt in a code block that lost its fence (trafilatura renders
# <pre> that way), not a heading (measured on the Debian Reference: every section was titled by a command).
_COMMAND_START = re.compile(r"^[(a-z0-9_./~-][\w./~+-]*(?:\s|$)")
_COMMAND_SIGNS = re.compile(r"[|;&$<>\\=@]|\s--?[A-Za-z0-9]|(?:^|\s)[./~][\w./-]*")


def _shell_line(text: str) -> bool:
    return bool(_COMMAND_START.match(text) and _COMMAND_SIGNS.search(text))
_REF_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+.*$")

_INLINE = [
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"!\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)"), r"\1"),      # image -> alt text
    (re.compile(r"!\[([^\]]*)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^()]*\))*\)"), r"\1"),       # link -> its text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"\[\^[^\]]+\]"), ""),                                   # footnote marks
    (re.compile(r"<((?:https?://|mailto:)[^>\s]+)>"), r"\1"),            # autolinks
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), ""),       # inline HTML
    (re.compile(r"(`+)(.+?)\1"), r"\2"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),               # backslash escapes
]


def inline(text: str) -> str:
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return html.unescape(text)


def _block_line(line: str) -> str:
    line = re.sub(r"^\s{0,3}(?:>\s?)+", "", line)                 # blockquote markers
    line = re.sub(r"^(\s*)[-*+]\s+(?:\[[ xX]\]\s+)?", r"\1- ", line)  # bullets, task boxes
    if line.lstrip().startswith("|"):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        line = ", ".join(cell for cell in cells if cell)
    return inline(line)


def front_matter(text: str) -> tuple[str | None, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return None, text
    title = _FRONT_TITLE.search(match.group("body"))
    value = title.group("title").strip().strip("'\"") if title else None
    return value or None, text[match.end():]


def parse(text: str) -> tuple[str | None, list[Section]]:
    """(title, sections) of a markdown text; the title is the front matter's or the first H1."""
    title, text = front_matter(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    lines = text.split("\n")
    sections: list[Section] = []
    heading: str | None = None
    body: list[str] = []
    first_heading: tuple[int, str] | None = None
    fence: str | None = None
    soft = False            # may the next line continue the previous one's paragraph?

    def close() -> None:
        content = "\n".join(body).strip()
        if content or heading:
            sections.append(Section(heading, content))

    for i, line in enumerate(lines):
        if fence is not None:
            # Code is kept as text but its fences are not: they would be read as punctuation.
            if line.strip().startswith(fence):
                fence = None
            else:
                body.append(line)
            continue
        opening = _FENCE.match(line)
        if opening:
            fence, soft = opening.group("fence"), False
            continue
        level, heading_text = 0, ""
        atx = _ATX.match(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if atx and atx.group("text") and not _shell_line(atx.group("text")):
            level, heading_text = len(atx.group("hashes")), atx.group("text")
        elif (line.strip() and _SETEXT.match(nxt) and not _RULE.match(line)
              and not re.match(r"^\s*(?:[-*+]|\d+[.)])\s", line) and not line.lstrip().startswith(("|", ">"))):
            level, heading_text = (1 if nxt.strip().startswith("=") else 2), line
        elif _SETEXT.match(line) and i > 0 and lines[i - 1].strip() and not _RULE.match(lines[i - 1]):
            continue                                              # underline of a setext heading
        if level:
            heading_text = inline(heading_text).strip()
            if first_heading is None or (level == 1 and first_heading[0] != 1):
                first_heading = (level, heading_text)
            if level <= SECTION_LEVELS:
                close()
                heading, body = heading_text, []
            else:
                body.extend(["", heading_text, ""])
            soft = False
            continue
        if _RULE.match(line) or _TABLE_SEPARATOR.match(line) or _REF_DEFINITION.match(line):
            continue
        hard_break = line.endswith(("  ", "\\"))
        converted = _block_line(line.rstrip("\\ "))
        # Markdown treats a single newline inside a paragraph as a space (not lists, tables, code).
        if (soft and converted.strip() and not _BLOCK_START.match(line)):
            body[-1] = body[-1].rstrip() + " " + converted.strip()
        else:
            body.append(converted)
        soft = bool(converted.strip()) and not hard_break and not line.lstrip().startswith("|")
    close()
    if title is None and first_heading is not None:
        title = first_heading[1]
    return title, sections


def read(path: Path) -> Raw:
    title, sections = parse(read_text(path))
    # Paragraphs are already joined above; re-wrapping could merge code lines.
    return Raw(sections=sections, title=title, rewrap=False)


register(Loader(name="markdown", read=read, suffixes=(".md", ".markdown")))
