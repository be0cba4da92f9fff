"""Which loader reads which file: by suffix, overridden by what the content says it is.

Content wins because users rename things: a PDF saved as ``.txt`` is still a PDF, and a
WhatsApp export is a ``.txt`` whose only distinguishing mark is its dated lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .raw import Raw, fail

Sniffer = Callable[[Path, bytes], bool]

HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Loader:
    name: str                       # becomes Document.kind
    read: Callable[[Path], Raw]
    suffixes: tuple[str, ...] = ()
    sniff: Sniffer | None = None
    # Whether a positive sniff may claim a file whose suffix belongs to another loader (or none).
    any_suffix: bool = False
    priority: int = 100             # lower sniffs first
    label: str = ""                 # how --help names the format


_LOADERS: list[Loader] = []       # sniffing order (priority)
_DISPLAY: list[Loader] = []       # registration order, for messages

# Suffixes we recognise but cannot read, with the conversion that makes them readable.
_HINTS = {
    ".doc": "save it as .docx from Word or LibreOffice",
    ".odt": "export it as .docx or .pdf from LibreOffice",
    ".rtf": "save it as .docx or .txt",
    ".pages": "export it as .docx or .pdf from Pages",
    ".epub": "convert it to .txt or .html (e.g. with Calibre's ebook-convert)",
    ".zip": "unzip it and pass the files or the folder",
}


def register(loader: Loader) -> Loader:
    _DISPLAY.append(loader)
    _LOADERS.append(loader)
    _LOADERS.sort(key=lambda item: item.priority)
    return loader


def loaders() -> list[Loader]:
    _ensure_loaded()
    return list(_LOADERS)


def suffixes() -> tuple[str, ...]:
    _ensure_loaded()
    seen: dict[str, None] = {}
    for loader in _DISPLAY:
        for suffix in loader.suffixes:
            seen.setdefault(suffix, None)
    return tuple(seen)


def describe() -> str:
    """The format list for --help and error messages."""
    _ensure_loaded()
    # Main suffix only (".htm" and ".markdown" work too): the line must fit in an error message.
    labels = [loader.suffixes[0] for loader in _DISPLAY if loader.suffixes and not loader.label]
    labels += [loader.label for loader in _DISPLAY if loader.label]
    return ", ".join(labels)


def resolve(path: Path) -> Loader:
    _ensure_loaded()
    suffix = path.suffix.lower()
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        raise fail(path, f"cannot be read ({exc.strerror or exc})", "check the path and its permissions") from exc
    for loader in _LOADERS:
        if loader.sniff is None or not (loader.any_suffix or suffix in loader.suffixes):
            continue
        if loader.sniff(path, head):
            return loader
    for loader in _LOADERS:
        if suffix in loader.suffixes and loader.sniff is None:
            return loader
    owners = [loader for loader in _LOADERS if suffix in loader.suffixes]
    # The suffix's loader knows its format by content and did not recognise this one: notes saved
    # under a wrong name ("notes.pdf") are read as the text they are, not refused as a broken PDF.
    if owners and all(o.sniff is not None and o.any_suffix for o in owners) and _is_text(head):
        return _by_name("markdown" if _MARKDOWN.search(head.decode("utf-8", "ignore")) else "text")
    if owners:
        return owners[0]
    shown = f"'{suffix}'" if suffix else "(no file extension)"
    action = _HINTS.get(suffix, f"convert it to a supported format ({describe()})")
    raise fail(path, f"unknown format {shown}", action)


_MARKDOWN = re.compile(r"^#{1,6} \S|^\s*[-*] \S|\*\*\S|\]\(\S", re.M)


def _is_text(head: bytes) -> bool:
    if not head.strip() or any(b < 32 and b not in b"\t\n\r\f" for b in head[:4096]):
        return False      # control bytes: a zip (docx), a broken PDF, anything binary
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3     # a character cut by the end of the read
    return True


def _by_name(name: str) -> Loader:
    return next(loader for loader in _LOADERS if loader.name == name)


def _ensure_loaded() -> None:
    # Loaders register themselves on import; importing here keeps the registry free of a
    # hard-coded list while guaranteeing it is populated before first use.
    from . import formats  # noqa: F401
