"""WhatsApp chat exports (Android and iOS), recognised by their dated lines, not their name.

Also reads the "chunk" files our corpus is stored in: a "=== MÉTADONNÉES CHUNK ===" block of
key: value lines, then "=== CONTENU ===", then a slice of an export that may begin mid-message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..document import Section
from ..raw import Raw, decode, read_text
from ..registry import Loader, register
from . import chat_threads

_DATE = r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}"
_TIME = r"\d{1,2}[:h.]\d{2}(?:[:.]\d{2})?(?:\s?[AaPp]\.?\s?[Mm]\.?)?"
# Android: "14/02/2025, 08:27 - Name: text"; French builds write "14/02/2025 à 08:27 - ".
_ANDROID = re.compile(rf"^(?P<date>{_DATE}),?\s*(?:à\s)?(?P<time>{_TIME})\s[-–]\s(?P<rest>.*)$")
# iOS: "[14/02/2025 08:27:13] Name: text", often preceded by U+200E.
_IOS = re.compile(rf"^\[(?P<date>{_DATE}),?\s(?:à\s)?(?P<time>{_TIME})\]\s(?P<rest>.*)$")
# A display name has no quotes and few words: this keeps an event whose quoted text holds a
# colon ('Jean a changé le sujet en « Réunion : lundi »') from passing for a message.
# Each word must end at a space or the colon, so the pattern cannot backtrack explosively.
_SENDER = re.compile(r"^(?P<name>(?:[^:\s«»\"“”]+(?:\s|(?=:))){1,6}?):(?:\s(?P<text>.*)|$)")

_CHUNK_START = re.compile(r"^=+\s*M\S*TADONN\S*ES\s+CHUNK\s*=+\s*$", re.I | re.M)
_CHUNK_BODY = re.compile(r"^=+\s*CONTENU\s*=+\s*$", re.I | re.M)

# Messages that are WhatsApp talking, not people: media placeholders, deletions, group events.
_SYSTEM = re.compile(
    r"^(?:"
    r"<?\s*(?:médias?|media|fichier|file)\s+(?:omis|omitted|absent)\s*>?"
    r"|(?:image|vidéo|video|audio|sticker|gif|document|photo|contact card|carte de contact)\s+(?:absente?|omise?|omitted)"
    r"|<(?:attached|pièce jointe)\s*:.*>"
    r"|.*\((?:fichier joint|file attached)\)"
    r"|null"
    r"|(?:ce message a été supprimé|message supprimé|this message was deleted|you deleted this message"
    r"|vous avez supprimé ce message|ce message a été supprimé par un admin)\.?"
    r"|(?:les )?messages et (?:les )?appels sont chiffrés de bout en bout.*"
    r"|messages and calls are end-to-end encrypted.*"
    r"|.*(?:joined using this group's invite link|a rejoint (?:ce groupe|le groupe)?\s*(?:via|avec) le lien d'invitation).*"
    # Event wording distinctive enough to never be something a person typed; the generic
    # ones ("X left", "X a ajouté Y") only appear on sender-less lines, dropped in parse().
    r"|.{0,80}\s(?:a créé le groupe|created group|a changé (?:le sujet|l'icône|la description) d|changed (?:the subject from|this group's icon|the group description))"
    r".*"
    r"|(?:vous|you) (?:avez été ajouté|were added|a été ajouté).*"
    r"|(?:votre|le) code de sécurité (?:avec|de) .{1,80} a changé.*|your security code with .{1,80} changed.*"
    r")$",
    re.I,
)
_EDITED = re.compile(r"\s*<\s*(?:ce message a été modifié|this message was edited|modifié|edited)\s*>\s*$", re.I)


@dataclass
class Message:
    sender: str | None          # None: text carried over from before the export/chunk began
    lines: list[str] = field(default_factory=list)
    stamp: chat_threads.Stamp | None = None     # (date, time) as written in its header

    @property
    def text(self) -> str:
        text = "\n".join(self.lines).strip()
        text = re.sub(r"\n\s*\n+", "\n", text)
        return _EDITED.sub("", text).strip()


def _plain(line: str) -> str:
    # Exports put narrow no-break spaces before AM/PM and U+200E before iOS lines.
    return line.replace("\u202f", " ").replace("\u00a0", " ").lstrip("\u200e\u200f\ufeff")


def _header(line: str) -> re.Match[str] | None:
    line = _plain(line)
    return _ANDROID.match(line) or _IOS.match(line)


def strip_chunk_header(text: str) -> str:
    start = _CHUNK_START.search(text)
    if not start:
        return text
    body = _CHUNK_BODY.search(text, start.end())
    if body:
        return text[: start.start()] + text[body.end():]
    # No body marker: the header is the block of "key: value" lines up to the first blank line.
    rest = text[start.end():].lstrip("\n")
    head, _, tail = rest.partition("\n\n")
    return text[: start.start()] + tail if all(":" in line for line in head.splitlines()) else rest


def parse(text: str) -> list[Message]:
    messages: list[Message] = []
    current: Message | None = None
    for line in strip_chunk_header(text).split("\n"):
        match = _header(line)
        if match is None:
            if current is None:
                current = Message(sender=None)
                messages.append(current)
            current.lines.append(line.strip())
            continue
        rest = match.group("rest")
        sender = _SENDER.match(rest)
        if sender is None:
            # A dated line without "Name:" is an event (joins, encryption notice...). Its
            # continuation lines, if any, must not be glued onto the previous message.
            current = Message(sender="")
            continue
        body = sender.group("text") or ""
        # iOS marks WhatsApp's own messages (events, media placeholders) with a leading U+200E.
        system = body.startswith("\u200e")
        current = Message(sender="" if system else sender.group("name").strip(" ~\u200e\u202f"),
                          stamp=(match.group("date"), match.group("time")))
        current.lines.append(body.strip("\u200e \t"))
        messages.append(current)
    return [m for m in messages if m.sender != "" and m.text and not _SYSTEM.match(m.text)]


def render(messages: list[Message]) -> tuple[str, list[str]]:
    """One paragraph per turn, "Name : text", so the writer knows who said what."""
    paragraphs: list[str] = []
    participants: list[str] = []
    previous: str | None = None
    for message in messages:
        if message.sender is None:
            paragraphs.append(message.text)
            previous = None
            continue
        if message.sender not in participants:
            participants.append(message.sender)
        if message.sender == previous:
            paragraphs[-1] += "\n" + message.text      # bursts of messages are one turn
        else:
            paragraphs.append(f"{message.sender} : {message.text}")
        previous = message.sender
    return "\n\n".join(paragraphs), participants


def looks_like_chat(text: str) -> bool:
    if _CHUNK_START.search(text[:2000]):
        return True
    lines = [line for line in text.split("\n") if line.strip()][:300]
    if not lines:
        return False
    dated = sum(1 for line in lines if _header(line))
    return dated >= 2 and dated / len(lines) >= 0.15 or (dated >= 1 and _header(lines[0]) is not None)


_EXPORT_NAME = re.compile(r"^(?:WhatsApp Chat (?:with|-)|Discussion WhatsApp avec|Chat de WhatsApp con)\s+(?P<name>.+)$", re.I)


def _title(path: Path) -> str:
    match = _EXPORT_NAME.match(path.stem)
    return f"Discussion WhatsApp « {match.group('name').strip()} »" if match else "Discussion WhatsApp"


def _sniff(path: Path, head: bytes) -> bool:
    return looks_like_chat(decode(head))


def threads(messages: list[Message]) -> list[Section]:
    """One section per conversation, titled by when it began (untitled when there is only one)."""
    when = chat_threads.times([m.stamp for m in messages])
    starts = chat_threads.thread_starts(when)
    sections = []
    for start, stop in zip(starts, [*starts[1:], len(messages)]):
        began = next((moment for moment in when[start:stop] if moment), None)
        title = chat_threads.french_title(began) if began and len(starts) > 1 else None
        sections.append(Section(title, render(messages[start:stop])[0]))
    return sections


def read(path: Path) -> Raw:
    messages = parse(read_text(path))
    _, participants = render(messages)
    return Raw(sections=threads(messages) or [Section(None, "")], title=_title(path),
               participants=participants, rewrap=False)


register(Loader(
    name="chat", read=read, suffixes=(".txt",), sniff=_sniff, priority=10,
    label="WhatsApp .txt exports",
))
