"""What a loader hands back, and the shared byte-to-text decoding for text-like formats."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import IngestError

from .clean import repair_encoding
from .document import Section


@dataclass
class Raw:
    """Uncleaned loader output; cleaning and redaction happen later, once, for every format."""

    sections: list[Section]
    title: str | None = None
    author: str = ""
    # Chat senders exactly as written in the text (before pseudonymisation), in order of appearance.
    participants: list[str] = field(default_factory=list)
    # Whether line breaks inside paragraphs are layout (PDF, hard-wrapped .txt) rather than meaning
    # (chat messages, Word paragraphs): only then may the cleaner re-join them.
    rewrap: bool = True


def fail(path: Path | str, problem: str, action: str) -> IngestError:
    """One line, naming the file, the problem and what to do, as the CLI prints it verbatim."""
    return IngestError(f"{Path(path).name}: {problem}: {action}")


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if any(sample.startswith(bom) for bom, enc in _BOMS if enc == "utf-16"):
        return False
    if b"\x00" in sample:
        return True
    # Text has almost no C0 controls besides tab/newline/CR/form feed.
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return bool(sample) and controls / len(sample) > 0.05


def decode(data: bytes) -> str:
    """Bytes to str, repairing mojibake (double-encoded UTF-8 is common in exported chats)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Not UTF-8: old Windows editors wrote cp1252, which also covers plain Latin-1.
            text = data.decode("cp1252", errors="replace")
    return repair_encoding(text)


def read_text(path: Path) -> str:
    """Decoded text of a text-like file, refusing binaries with an actionable message."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(path, f"cannot be read ({exc.strerror or exc})", "check the path and its permissions") from exc
    if looks_binary(data):
        raise fail(path, "looks like a binary file, not text",
                   "convert it to .txt, .md, .html, .pdf or .docx first")
    return decode(data)
