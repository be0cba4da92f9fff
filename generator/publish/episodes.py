"""The rendered episodes of an output folder, as the feed and the listening page see them.

An episode is any direct subfolder holding a `script.json` and an `episode.*`
audio file (what `causerie render` leaves). The folder is scanned on every call,
so a new episode shows up on the next page load; scripts are parsed once per
change of their file.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .. import report as episode_report
from ..writing.script import Script
from .chapters import FILENAME as CHAPTERS_FILE
from .chapters import read_chapters
from .subtitles import split_text

# Preference order when a folder holds several renders; MIME types as browsers and podcast apps expect.
AUDIO_TYPES = {"mp3": "audio/mpeg", "opus": "audio/ogg", "ogg": "audio/ogg", "wav": "audio/wav"}

__all__ = ["AUDIO_TYPES", "EpisodeFolder", "find_episodes", "read_vtt", "turn_times", "episode_chapters"]


@dataclass(frozen=True)
class EpisodeFolder:
    folder: Path
    script: Script
    audio: Path
    report: dict

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def mime(self) -> str:
        return AUDIO_TYPES[self.audio.suffix.lstrip(".").lower()]

    @property
    def published(self) -> datetime:
        """When the audio was last written: the episode's date in the feed and on the page."""
        return datetime.fromtimestamp(self.audio.stat().st_mtime, tz=timezone.utc)

    def file(self, name: str) -> Path | None:
        path = self.folder / name
        return path if path.is_file() else None

    @property
    def duration_s(self) -> float | None:
        seconds = (self.report.get("render") or {}).get("episode_seconds")
        if isinstance(seconds, (int, float)):
            return float(seconds)
        vtt = self.file("transcript.vtt")
        cues = read_vtt(vtt) if vtt else []
        return cues[-1][1] if cues else None


@functools.lru_cache(maxsize=256)
def _load_script(path: Path, mtime_ns: int, size: int) -> Script | None:
    # Keyed by mtime and size: an edited script is read again, an unchanged one is not.
    try:
        return Script.load(path)
    except (OSError, ValueError):
        return None


def _audio_of(folder: Path) -> Path | None:
    for ext in AUDIO_TYPES:
        path = folder / f"episode.{ext}"
        if path.is_file():
            return path
    return None


def load_episode(folder: Path) -> EpisodeFolder | None:
    """The episode in `folder`, or None when it is not a rendered episode (or its script is unreadable)."""
    script_path, audio = folder / "script.json", _audio_of(folder)
    if audio is None or not script_path.is_file():
        return None
    stat = script_path.stat()
    script = _load_script(script_path, stat.st_mtime_ns, stat.st_size)
    if script is None:
        return None
    return EpisodeFolder(folder, script, audio, episode_report.read(folder))


def find_episodes(outdir: Path) -> list[EpisodeFolder]:
    """Every rendered episode directly under `outdir`, newest first (hidden folders skipped)."""
    episodes = []
    for child in sorted(Path(outdir).iterdir()):
        if child.name.startswith(".") or not child.is_dir():
            continue
        episode = load_episode(child)
        if episode is not None:
            episodes.append(episode)
    episodes.sort(key=lambda e: e.audio.stat().st_mtime, reverse=True)
    return episodes


_TIME = r"(\d+):(\d{2}):(\d{2})[.,](\d{3})"
_TIMING = re.compile(rf"^{_TIME}\s+-->\s+{_TIME}")
_VOICE = re.compile(r"^<v(?:\.[^ >]*)?\s+([^>]*)>")


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def read_vtt(path: Path) -> list[tuple[float, float, str, str]]:
    """(start, end, speaker, text) per cue of a WebVTT file as `VttWriter` writes it."""
    cues = []
    for block in re.split(r"\n\s*\n", Path(path).read_text(encoding="utf-8").replace("\r\n", "\n")):
        lines = block.strip().split("\n")
        for i, line in enumerate(lines):
            match = _TIMING.match(line.strip())
            if not match:
                continue
            g = match.groups()
            text = " ".join(lines[i + 1:])
            voice = _VOICE.match(text)
            speaker = html.unescape(voice.group(1)).strip() if voice else ""
            text = re.sub(r"</?[^>]+>", "", text)
            cues.append((_seconds(*g[:4]), _seconds(*g[4:]), speaker, html.unescape(text).strip()))
            break
    return cues


def turn_times(episode: EpisodeFolder) -> list[tuple[float, float] | None]:
    """Start and end (seconds) of each turn, from the transcript's cues.

    The subtitles cut a turn into as many cues as `split_text` gives for its
    text, so walking the turns with that same function finds each turn's cues.
    When the transcript does not match the script (edited since, or missing),
    every time is None: the page then plays without following the text.
    """
    turns = episode.script.turns
    vtt = episode.file("transcript.vtt")
    cues = read_vtt(vtt) if vtt else []
    times: list[tuple[float, float] | None] = []
    i = 0
    for turn in turns:
        n = len(split_text(turn.text))
        if n == 0:
            times.append(None)
            continue
        chunk = cues[i:i + n]
        if len(chunk) < n or any(c[2] != turn.speaker for c in chunk):
            return [None] * len(turns)
        times.append((chunk[0][0], chunk[-1][1]))
        i += n
    return times if i == len(cues) else [None] * len(turns)


def episode_chapters(episode: EpisodeFolder) -> list[dict]:
    """[{start, end, title}] from chapters.json; from the turns' segments for episodes rendered before it existed."""
    path = episode.file(CHAPTERS_FILE)
    if path:
        raw = read_chapters(path)
        return [{"start": float(c["startTime"]), "end": c.get("endTime"), "title": str(c.get("title", ""))}
                for c in raw]
    titles = {s.id: s.title for s in episode.script.segments}
    chapters: list[dict] = []
    current = None
    for turn, span in zip(episode.script.turns, turn_times(episode)):
        if span is None or turn.segment == current:
            continue
        current = turn.segment
        if chapters:
            chapters[-1]["end"] = span[0]
        chapters.append({"start": span[0], "end": None,
                         "title": titles.get(turn.segment) or f"Partie {len(chapters) + 1}"})
    if chapters:
        chapters[-1]["end"] = episode.duration_s
    return chapters
