"""Saved web pages: only the article, via trafilatura; menus, footers and banners stay out."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ..raw import Raw, fail, looks_binary
from ..registry import Loader, register
from . import md

_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S)

# trafilatura logs every page it finds too short; the user gets our error line instead.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def _sniff(path: Path, head: bytes) -> bool:
    return bool(_HTML_START.match(head.lstrip(b"\xef\xbb\xbf")))


def _extract(data: bytes, **mode: bool) -> str | None:
    import trafilatura  # heavy (lxml, dateparser...): imported when a page is read, not for --help

    # Markdown output keeps h1-h3 as "#" lines, so md.parse can cut sections on them.
    return trafilatura.extract(
        data, output_format="markdown", include_formatting=True, include_comments=False,
        include_tables=True, include_images=False, include_links=False, **mode,
    )


def _has_prose(body: str) -> bool:
    # On a page without an article trafilatura still returns scraps of menu ("Accueil"):
    # a page is worth reading only if some line is an actual sentence.
    return any(len(line.split()) >= 6 for line in body.split("\n"))


def read(path: Path) -> Raw:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(path, f"cannot be read ({exc.strerror or exc})", "check the path and its permissions") from exc
    if looks_binary(data):
        raise fail(path, "looks like a binary file, not HTML", "save the page again as HTML or as text")
    try:
        # Precision first (drops related-article lists and the like); recall only if that finds nothing.
        body = _extract(data, favor_precision=True) or _extract(data, favor_recall=True)
        from trafilatura import extract_metadata

        metadata = extract_metadata(data)
    except Exception as exc:  # trafilatura/lxml raise many types on malformed markup
        raise fail(path, f"could not be parsed as HTML ({type(exc).__name__})",
                   "save the page again, or copy the article text into a .txt file") from exc
    if not body or not _has_prose(body):
        raise fail(path, "no article text found in the page (mostly navigation, or built by JavaScript)",
                   "copy the article text into a .txt file instead")
    title, sections = md.parse(body)
    page_title = metadata.title if metadata is not None and metadata.title else None
    return Raw(sections=sections, title=page_title or title, rewrap=False)


register(Loader(name="html", read=read, suffixes=(".html", ".htm", ".xhtml"), sniff=_sniff, any_suffix=True, priority=20))
