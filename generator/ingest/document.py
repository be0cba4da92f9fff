"""The plain data that ingest hands to the writing stage."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Section:
    title: str | None
    text: str


@dataclass
class Document:
    source: str                      # path as given by the user
    title: str
    text: str                        # cleaned, redacted text
    kind: str                        # loader name: text, markdown, html, pdf, docx, chat
    language: str = "fr"             # "fr" or "en" (py3langid restricted to both)
    sections: list[Section] = field(default_factory=list)
    redactions: dict[str, int] = field(default_factory=dict)   # {"phone": 3, "email": 1}
    participants: list[str] = field(default_factory=list)      # chat exports: first names / roles
    author: str = ""                 # when the file names one (Project Gutenberg headers)

    @property
    def words(self) -> int:
        return len(self.text.split())
