"""Word .docx via python-docx: paragraphs and tables in document order, Heading styles as sections."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..document import Section
from ..raw import Raw, fail
from ..registry import Loader, register

SECTION_LEVELS = 3
# Localised Word writes French style names ("Titre 1") into files made from scratch.
_HEADING = re.compile(r"^(?:heading|titre)\s*(?P<level>\d)$", re.I)
_TITLE = re.compile(r"^(?:title|titre)$", re.I)


def _sniff(path: Path, head: bytes) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _table_lines(table) -> list[str]:
    lines = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            # Merged cells come back once per grid column; say them once.
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        if cells:
            lines.append(" ; ".join(cells))
    return lines


def _style_name(paragraph) -> str:
    try:
        return paragraph.style.name if paragraph.style is not None else ""
    except (KeyError, AttributeError):
        return ""


def read(path: Path) -> Raw:
    # Imported on first .docx, keeping `import generator.ingest` (and --help) light.
    import docx
    from docx.table import Table

    try:
        document = docx.Document(str(path))
        blocks = list(document.iter_inner_content())
        core_title = document.core_properties.title
    except Exception as exc:  # PackageNotFoundError, BadZipFile, KeyError, XMLSyntaxError...
        raise fail(path, f"is not a readable .docx (corrupt, or an old .doc renamed; {type(exc).__name__})",
                   "open it in Word or LibreOffice and save it again as .docx") from exc
    sections: list[Section] = []
    heading: str | None = None
    body: list[str] = []
    title = core_title.strip() if core_title and core_title.strip() else None
    first_heading: str | None = None
    for block in blocks:
        if isinstance(block, Table):
            body.extend(_table_lines(block))
            continue
        text = block.text.strip()
        if not text:
            continue
        style = _style_name(block)
        if _TITLE.match(style):
            title = title or text
            continue
        level = _HEADING.match(style)
        if level and int(level.group("level")) <= SECTION_LEVELS:
            if body or heading:
                sections.append(Section(heading, "\n\n".join(body)))
            heading, body = text, []
            first_heading = first_heading or text
        else:
            body.append(text)
    if body or heading:
        sections.append(Section(heading, "\n\n".join(body)))
    return Raw(sections=sections, title=title or first_heading, rewrap=False)


register(Loader(name="docx", read=read, suffixes=(".docx",), sniff=_sniff, any_suffix=True, priority=2))
