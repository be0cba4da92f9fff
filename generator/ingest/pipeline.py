"""From paths to Documents: pick a loader, then clean, title, redact and tag every format alike."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

from generator.errors import IngestError

from . import gutenberg, registry
from .clean import clean, clean_line
from .document import Document, Section
from .language import detect
from .raw import fail
from .redact import Redactor

log = logging.getLogger(__name__)

_MAX_TITLE = 150
# Metadata titles that editors fill in by themselves and that name nothing.
_JUNK_TITLE = re.compile(
    r"^(?:untitled|sans titre|microsoft word\b|powerpoint\b|document\s*\d*$|titre$|title$)|\.(?:docx?|pdf|odt|rtf|tex|indd|pptx?)$",
    re.I,
)


def _first_line_title(text: str, alone: bool = False) -> tuple[str | None, str]:
    """A short opening line that is not a sentence is the title of a plain-text document
    (and may stand alone when sections follow it)."""
    first, _, rest = text.partition("\n")
    first = first.strip()
    if (3 <= len(first) <= _MAX_TITLE and (rest.strip() or alone) and not first.endswith((".", ",", ";", ":"))
            and len(first.split()) >= 2 and not re.match(r"^[-*•\d]", first)
            and not gutenberg.split_ebook_line(first)[0]):
        return first, rest.strip()
    return None, text


def _render(sections: list[Section], title: str) -> str:
    parts = []
    for i, section in enumerate(sections):
        # The document title is passed separately; repeating it as the first heading is noise.
        if section.title and not (i == 0 and section.title == title):
            parts.append(section.title)
        if section.text:
            parts.append(section.text)
    return "\n\n".join(parts)


def load(path: str | Path, *, redact: bool = True) -> Document:
    """Read one document; raises IngestError with a one-line, actionable message."""
    path = Path(path)
    if not path.exists():
        raise fail(path, "file not found", "check the path and the current folder")
    if path.is_dir():
        raise fail(path, "is a folder, not a file", "pass the files it contains, or the folder to load_many")
    try:
        empty = path.stat().st_size == 0
    except OSError as exc:
        raise fail(path, f"cannot be read ({exc.strerror or exc})", "check its permissions") from exc
    if empty:
        raise fail(path, "is empty", "check that it was saved or exported completely")

    loader = registry.resolve(path)
    raw = loader.read(path)

    sections = []
    for section in raw.sections:
        text = clean(section.text, rewrap_lines=raw.rewrap)
        heading = clean_line(section.title) or None
        if text or heading:
            sections.append(Section(heading, text))
    title, author = clean_line(raw.title), clean_line(raw.author)
    # A Gutenberg edition's own title line (an HTML <title>, say) names the book and its author.
    line_title, line_author = gutenberg.split_ebook_line(title)
    if line_title:
        title, author = line_title, author or line_author
    if _JUNK_TITLE.search(title):
        title = ""
    # A plain text's opening line names it, also when chapters follow (other formats' opening
    # sections have their own titles to offer, or none).
    if not title and sections and sections[0].title is None and (len(sections) == 1 or loader.name == "text"):
        title, sections[0].text = _first_line_title(sections[0].text, alone=len(sections) > 1)
        title = title or ""
        if not sections[0].text:
            sections.pop(0)
    participants = [name for name in (clean_line(p) for p in raw.participants) if name]

    redactions: dict[str, int] = {}
    if redact:
        redactor = Redactor(participants)
        title = redactor(title)
        author = redactor(author)
        sections = [Section(redactor(s.title) if s.title else None, redactor(s.text)) for s in sections]
        participants = redactor.aliases
        redactions = dict(redactor.counts)

    title = title or path.stem
    text = _render(sections, title)
    if not text.strip():
        raise fail(path, "has no readable text left after cleaning",
                   "check that it contains prose (not only images, menus or media placeholders)")
    return Document(
        source=str(path), title=title, text=text, kind=loader.name, language=detect(text),
        sections=sections, redactions=redactions, participants=participants, author=author,
    )


def hidden(path: Path, root: Path) -> bool:
    # "~$name.docx" are Word's lock files: binary and never what the user meant.
    return any(part.startswith((".", "~$")) for part in path.relative_to(root).parts)


def expand(path: Path) -> list[Path]:
    """Supported files under a folder, recursively, in a stable (sorted) order."""
    supported = set(registry.suffixes())
    return sorted(
        p for p in path.rglob("*")
        if p.is_file() and p.suffix.lower() in supported and not hidden(p, path)
    )


def load_many(paths: Iterable[str | Path], *, redact: bool = True) -> list[Document]:
    """Load files and folders. A file named explicitly must load; inside a folder, unreadable
    files are skipped with a warning, as long as at least one document remains."""
    documents: list[Document] = []
    seen: set[Path] = set()
    for item in paths:
        path = Path(item)
        if not path.is_dir():
            if path.resolve() not in seen:
                seen.add(path.resolve())
                documents.append(load(path, redact=redact))
            continue
        files = expand(path)
        if not files:
            raise fail(path, "folder contains no supported document",
                       f"add files in a supported format ({registry.describe()})")
        loaded, errors = 0, []
        for file in files:
            if file.resolve() in seen:
                continue
            seen.add(file.resolve())
            try:
                documents.append(load(file, redact=redact))
                loaded += 1
            except IngestError as exc:
                log.warning("skipped %s", exc)
                errors.append(exc)
        if not loaded and errors:
            raise fail(path, f"no usable document in this folder ({len(errors)} skipped; first: {errors[0]})",
                       "fix or convert the files listed")
    return documents
