"""Subtitles for an episode: WebVTT and SRT from the turns' timings.

One cue per turn, in the *written* form of the text (what the script shows,
not what the voice was fed). A turn longer than one cue (2 lines of about 42
characters) is cut at sentence boundaries, then at clause punctuation, then
between words, and the turn's time is shared among its cues in proportion to
their length. Times are kept in whole milliseconds so cues stay monotonic and
never overlap once printed.

Writers form a small family chosen by name (`WRITERS`, `get_writer`), after
openai/whisper's ResultWriter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import UserError
from ..writing.script import write_atomic
from ..writing.text import sentences

LINE_CHARS = 42
MAX_LINES = 2
CUE_CHARS = LINE_CHARS * MAX_LINES

__all__ = ["Cue", "cues_for_turns", "split_text", "wrap", "format_timestamp",
           "SubtitleWriter", "VttWriter", "SrtWriter", "WRITERS", "get_writer", "write_subtitles"]


@dataclass(frozen=True)
class Cue:
    start: float        # seconds
    end: float
    speaker: str
    text: str           # one line of written text; writers wrap it


# --------------------------------------------------------------------------
# Splitting
# --------------------------------------------------------------------------

_CLAUSE = re.compile(r".+?(?:[,;:]+(?:\s*[»”\"')\]])*(?=\s|$)|$)", re.S)
def _pieces(pattern: re.Pattern[str], text: str) -> list[str]:
    return [p.strip() for p in pattern.findall(text) if p.strip()]


def _sentences(text: str) -> list[str]:
    return sentences(text, any_case=True)


def _pack(parts: Iterable[str], limit: int) -> list[str]:
    """Greedily join parts with spaces into chunks of at most `limit` characters."""
    chunks: list[str] = []
    for part in parts:
        if chunks and len(chunks[-1]) + 1 + len(part) <= limit:
            chunks[-1] = f"{chunks[-1]} {part}"
        else:
            chunks.append(part)
    return chunks


def _fit(piece: str, limit: int) -> list[str]:
    """Cut one piece that may be too long: by clauses, then by words."""
    if len(piece) <= limit:
        return [piece]
    clauses = _pieces(_CLAUSE, piece)
    if len(clauses) > 1:
        return _pack([c for clause in clauses for c in _fit(clause, limit)], limit)
    return _pack(piece.split(" "), limit)    # a single over-long word stays whole


def _tidy(text: str) -> str:
    # Only ordinary spaces and line breaks: no-break spaces ("28 000", "énorme ?")
    # are part of the written form and must neither move nor become cut points.
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def split_text(text: str, limit: int = CUE_CHARS) -> list[str]:
    """A turn's text as cue-sized chunks, cut at sentence boundaries when possible."""
    text = _tidy(text)
    if len(text) <= limit:
        return [text] if text else []
    return _pack([c for sentence in _sentences(text) for c in _fit(sentence, limit)], limit)


def wrap(text: str, width: int = LINE_CHARS) -> list[str]:
    """Lines of a cue: one if it fits, else two balanced at the most central space.

    Two lines are allowed to run a little over `width` (an SRT speaker prefix
    lengthens a full cue); only text far too long for two lines is wrapped greedily.
    """
    if len(text) <= width:
        return [text]
    spaces = [i for i, c in enumerate(text) if c == " "]
    if not spaces:
        return [text]
    if len(text) <= (width + 12) * MAX_LINES:
        cut = min(spaces, key=lambda i: max(i, len(text) - i - 1))
        return [text[:cut], text[cut + 1:]]
    return _pack(text.split(" "), width)


def cues_for_turns(turns: Sequence[tuple[str, str, float, float]]) -> list[Cue]:
    """(speaker, written text, start s, end s) per turn -> cues.

    A turn starting before the previous one ended is moved to start at that end,
    so cues never overlap; turns with no text make no cue.
    """
    cues: list[Cue] = []
    prev_end = 0
    for speaker, text, start, end in turns:
        if end < start:
            raise ValueError(f"turn of {speaker} ends ({end}) before it starts ({start})")
        chunks = split_text(text)
        if not chunks:
            continue
        t0 = max(round(start * 1000), prev_end)
        t1 = max(round(end * 1000), t0)
        weights = [len(c) for c in chunks]
        total = sum(weights)
        bounds = [t0]
        acc = 0
        for w in weights[:-1]:
            acc += w
            bounds.append(t0 + round((t1 - t0) * acc / total))
        bounds.append(t1)
        for chunk, a, b in zip(chunks, bounds, bounds[1:]):
            cues.append(Cue(a / 1000, b / 1000, speaker, chunk))
        prev_end = t1
    return cues


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------

def format_timestamp(seconds: float, decimal_marker: str = ".") -> str:
    ms = round(seconds * 1000)
    if ms < 0:
        raise ValueError(f"negative timestamp {seconds}")
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal_marker}{ms:03d}"


class SubtitleWriter:
    extension: str = ""

    def format(self, cues: Sequence[Cue]) -> str:
        raise NotImplementedError

    def write(self, cues: Sequence[Cue], path: Path) -> Path:
        return write_atomic(Path(path), self.format(cues))


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class VttWriter(SubtitleWriter):
    extension = "vtt"

    def format(self, cues: Sequence[Cue]) -> str:
        blocks = ["WEBVTT\n"]
        for n, cue in enumerate(cues, 1):
            body = "\n".join(self._lines(cue))
            blocks.append(f"{n}\n{format_timestamp(cue.start)} --> {format_timestamp(cue.end)}\n{body}\n")
        return "\n".join(blocks)

    @staticmethod
    def _lines(cue: Cue) -> list[str]:
        lines = [_vtt_escape(line) for line in wrap(cue.text)]
        lines[0] = f"<v {_vtt_escape(cue.speaker)}>{lines[0]}"
        return lines


class SrtWriter(SubtitleWriter):
    extension = "srt"

    def format(self, cues: Sequence[Cue]) -> str:
        blocks = []
        for n, cue in enumerate(cues, 1):
            body = "\n".join(wrap(f"{cue.speaker} : {cue.text}"))
            blocks.append(f"{n}\n{format_timestamp(cue.start, ',')} --> "
                          f"{format_timestamp(cue.end, ',')}\n{body}\n")
        return "\n".join(blocks)


WRITERS: dict[str, type[SubtitleWriter]] = {"vtt": VttWriter, "srt": SrtWriter}


def get_writer(name: str) -> SubtitleWriter:
    try:
        return WRITERS[name.lower().lstrip(".")]()
    except KeyError:
        raise UserError(f"unknown subtitle format '{name}' (known: {', '.join(WRITERS)})") from None


def write_subtitles(cues: Sequence[Cue], folder: Path, stem: str = "episode",
                    formats: Iterable[str] = ("vtt", "srt")) -> list[Path]:
    paths = []
    for name in formats:
        writer = get_writer(name)
        paths.append(writer.write(cues, Path(folder) / f"{stem}.{writer.extension}"))
    return paths
