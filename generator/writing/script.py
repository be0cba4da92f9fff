"""The Script: what the writing stage produces and the speech stage consumes.

`script.json` is the source of truth (format `causerie.script/1`); `script.md`
is a readable, editable view that `read_markdown` turns back into turns.
Neither holds timings or dates, so the same inputs and seed give identical files.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from pydantic import BaseModel, Field, field_validator

FORMAT = "causerie.script/2"

TurnStatus = str  # "checked" | "regenerated" | "repaired" | "flagged" | "edited"


class Host(BaseModel):
    name: str
    role: str
    gender: str | None = None      # "f" or "m": how the host's own words agree (from voices/<name>.toml)


class SourceInfo(BaseModel):
    path: str
    title: str
    author: str = ""                 # when the document names one (a book's Gutenberg header)
    kind: str
    language: str
    words: int
    redactions: dict[str, int] = Field(default_factory=dict)


class PassageRecord(BaseModel):
    id: int
    doc: int = 0                     # index in `sources`
    text: str
    section: str | None = None       # the heading it sits under
    start: int = 0                   # character offset in its document (spaces collapsed)
    position: float = 0.0            # 0 = start of its document, 1 = end


class FactRecord(BaseModel):
    id: int
    text: str                        # as the hosts were given it (French)
    passage: int
    items: list[str] = Field(default_factory=list)    # its numbers, dates, places and names
    original: str = ""               # the source's words when `text` is a translation
    speaker: str = ""                # chat exports: who said it


class Segment(BaseModel):
    id: int
    title: str
    fact: str = ""
    passages: list[int] = Field(default_factory=list)
    word_budget: int = 0


class TurnCheck(BaseModel):
    status: TurnStatus = "checked"
    attempts: int = 1
    reasons: list[str] = Field(default_factory=list)   # why earlier attempts failed
    language: str = "fr"


class Turn(BaseModel):
    speaker: str
    text: str
    segment: int
    intent: str = ""
    sources: list[int] = Field(default_factory=list)   # passage ids verified to back the turn
    facts: list[int] = Field(default_factory=list)     # fact ids the turn was checked to convey
    check: TurnCheck = Field(default_factory=TurnCheck)


class Script(BaseModel):
    format: str = FORMAT
    title: str
    subject: str = ""
    language: str = "fr"
    hosts: list[Host]
    sources: list[SourceInfo] = Field(default_factory=list)
    passages: list[PassageRecord] = Field(default_factory=list)
    facts: list[FactRecord] = Field(default_factory=list)
    segments: list[Segment] = Field(default_factory=list)
    turns: list[Turn] = Field(default_factory=list)
    generation: dict = Field(default_factory=dict)     # model, seed, minutes asked, build
    quality: dict = Field(default_factory=dict)        # copied/repeated ratios, flags, length

    @field_validator("passages", mode="before")
    @classmethod
    def _old_passages(cls, value):
        """causerie.script/1 kept passages as {id: text}."""
        if isinstance(value, dict):
            return [{"id": int(k), "text": v} for k, v in value.items()]
        return value

    @property
    def words(self) -> int:
        return sum(len(t.text.split()) for t in self.turns)

    def citation_numbers(self) -> dict[int, int]:
        """Passage id -> the [n] a listener-reader sees, numbered in order of first citation."""
        numbers: dict[int, int] = {}
        for turn in self.turns:
            for pid in turn.sources:
                numbers.setdefault(pid, len(numbers) + 1)
        return numbers

    def save(self, folder: Path) -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        json_path = write_atomic(folder / "script.json", self.model_dump_json(indent=2) + "\n")
        md_path = write_atomic(folder / "script.md", to_markdown(self))
        return json_path, md_path

    @classmethod
    def load(cls, path: Path) -> "Script":
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))


def write_atomic(path: Path, text: str) -> Path:
    """Write via a temp file + rename so a killed run never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json(path: Path, data: dict) -> Path:
    return write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


_TURN = re.compile(r"^\*\*(?P<speaker>[^*]+)\*\*\s*:\s*(?P<text>.*)$")
_CITES = re.compile(r"(?:\s*\[\d+\])+\s*$")
_SEGMENT = re.compile(r"^##\s+(?P<num>\d+)\.\s+(?P<title>.*)$")


def to_markdown(script: Script) -> str:
    lines = [f"# {script.title}", "",
             "<!-- Éditez les répliques puis lancez `causerie render` : seules les répliques "
             "modifiées seront re-synthétisées. Gardez « **Nom** : » en début de réplique. -->", ""]
    hosts = ", ".join(f"{h.name} ({h.role})" for h in script.hosts)
    lines += [f"*Animé par {hosts}.*", ""]
    titles = {s.id: s.title for s in script.segments}
    numbers = script.citation_numbers()
    current = None
    for turn in script.turns:
        if turn.segment != current:
            current = turn.segment
            lines += [f"## {current + 1}. {titles.get(current, '')}".rstrip(), ""]
        flag = " <!-- à vérifier -->" if turn.check.status == "flagged" else ""
        cites = "".join(f" [{numbers[pid]}]" for pid in turn.sources if pid in numbers)
        lines += [f"**{turn.speaker}** : {turn.text}{cites}{flag}", ""]
    if numbers:
        passages = {p.id: p for p in script.passages}
        lines += ["---", "", "## Sources", ""]
        for pid, n in sorted(numbers.items(), key=lambda kv: kv[1]):
            p = passages.get(pid)
            doc = script.sources[p.doc] if p and p.doc < len(script.sources) else None
            where = [f"« {p.section} »"] if p and p.section else []
            if p:
                where.append(f"passage {pid}, à {round(p.position * 100)} % du document")
            lines += [f"[{n}] {(doc.title or doc.path) if doc else 'document'} — {', '.join(where)}", ""]
    if script.sources:
        lines += ["Documents : " + " ; ".join(f"{s.title or s.path}{', ' + s.author if s.author else ''} ({s.path})"
                                             for s in script.sources), ""]
    return "\n".join(lines)


def read_markdown(text: str, base: Script) -> Script:
    """Apply the turns of an edited script.md to `base` (segments follow the ## headings).

    Turns whose text is unchanged keep their metadata; changed ones are marked "edited".
    """
    speakers = {h.name for h in base.hosts}
    old = {(t.speaker, t.text): t for t in base.turns}
    turns: list[Turn] = []
    segment = 0
    for raw in text.splitlines():
        line = re.sub(r"\s*<!--.*?-->\s*$", "", raw.strip())
        if m := _SEGMENT.match(line):
            segment = int(m["num"]) - 1
        elif m := _TURN.match(line):
            speaker, said = m["speaker"].strip(), _CITES.sub("", m["text"]).strip()
            if speaker not in speakers:
                raise ValueError(f"unknown speaker '{speaker}' in script.md (hosts: {', '.join(sorted(speakers))})")
            if (speaker, said) in old:
                turns.append(old[(speaker, said)].model_copy(update={"segment": segment}))
            else:
                turns.append(Turn(speaker=speaker, text=said, segment=segment,
                                  check=TurnCheck(status="edited")))
    return base.model_copy(update={"turns": turns})
