"""PDF text layer via pypdf. Scanned PDFs have none: we say so rather than return nothing."""

from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path

from generator.errors import IngestError

from ..document import Section
from ..raw import Raw, fail
from ..registry import Loader, register

# pypdf warns on every slightly malformed object; those are not the user's concern.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def _sniff(path: Path, head: bytes) -> bool:
    return b"%PDF-" in head[:1024]


def _drop_running_lines(pages: list[str]) -> list[str]:
    """Remove headers/footers repeated on most pages: read aloud once per page they are noise."""
    if len(pages) < 3:
        return pages

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line.strip().casefold())

    edges: Counter[str] = Counter()
    for page in pages:
        lines = [line for line in page.split("\n") if line.strip()]
        edges.update({key(line) for line in lines[:2] + lines[-2:]})
    running = {k for k, n in edges.items() if n >= max(3, 0.6 * len(pages))}
    return ["\n".join(line for line in page.split("\n") if key(line) not in running) for page in pages]


def _unlock(reader, path: Path) -> None:
    # Many PDFs are "encrypted" with an empty password just to forbid copying; those open.
    try:
        unlocked = reader.decrypt("")
    except Exception:  # DependencyError when AES needs the optional 'cryptography' package
        unlocked = 0
    if not unlocked:
        raise fail(path, "is password-protected or encrypted",
                   "remove the protection first (e.g. qpdf --decrypt in.pdf out.pdf)")


def read(path: Path) -> Raw:
    from pypdf import PdfReader  # imported on first PDF, keeping `import generator.ingest` light

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            _unlock(reader, path)
        pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else None) or None
    except IngestError:
        raise
    except Exception as exc:  # pypdf raises PdfReadError, ValueError, KeyError... on damaged files
        raise fail(path, f"is not a readable PDF ({type(exc).__name__})",
                   "check that the file is complete, or re-export it as PDF") from exc
    if not any(page.strip() for page in pages):
        raise fail(path, "has no text layer (scanned?)", "run OCR first, e.g. ocrmypdf in.pdf out.pdf")
    # Pages are joined with a single newline: a sentence cut by a page break is re-joined by the cleaner.
    text = "\n".join(_drop_running_lines(pages))
    return Raw(sections=[Section(None, text)], title=meta_title if isinstance(meta_title, str) else None)


register(Loader(name="pdf", read=read, suffixes=(".pdf",), sniff=_sniff, any_suffix=True, priority=1))
