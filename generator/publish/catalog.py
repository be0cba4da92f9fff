"""What the listening page is told about each episode (`GET /api/episodes`).

One JSON object per episode: its facts (title, date, duration, sources), the
chapters, every turn with its start and end in the audio and the passages it
cites, and the files a listener can download. URLs are relative to the page.
"""

from __future__ import annotations

from urllib.parse import quote

from .chapters import FILENAME as CHAPTERS_FILE
from .episodes import EpisodeFolder, episode_chapters, turn_times

DOWNLOADS = (  # (file, label): the audio comes first, under its own format's name
    ("transcript.vtt", "Sous-titres WebVTT"),
    ("transcript.srt", "Sous-titres SRT"),
    ("script.md", "Script (Markdown)"),
    (CHAPTERS_FILE, "Chapitres (JSON)"),
)

__all__ = ["episode_record", "file_path"]


def file_path(episode: EpisodeFolder, name: str) -> str:
    return f"files/{quote(episode.name)}/{quote(name)}"


def _citations(episode: EpisodeFolder) -> tuple[list[dict], dict[int, int]]:
    script = episode.script
    numbers = script.citation_numbers()
    passages = {p.id: p for p in script.passages}
    cited = []
    for pid, n in sorted(numbers.items(), key=lambda kv: kv[1]):
        passage = passages.get(pid)
        if passage is None:
            continue
        source = script.sources[passage.doc] if 0 <= passage.doc < len(script.sources) else None
        cited.append({"n": n, "passage": pid, "text": passage.text, "section": passage.section,
                      "source": (source.title or source.path) if source else None})
    return cited, numbers


def episode_record(episode: EpisodeFolder) -> dict:
    script = episode.script
    citations, numbers = _citations(episode)
    known = {c["passage"] for c in citations}
    turns = []
    for i, (turn, span) in enumerate(zip(script.turns, turn_times(episode))):
        turns.append({
            "index": i, "speaker": turn.speaker, "text": turn.text, "segment": turn.segment,
            "start": span[0] if span else None, "end": span[1] if span else None,
            "citations": [numbers[pid] for pid in turn.sources if pid in known],
        })
    audio_format = episode.audio.suffix.lstrip(".").upper()
    downloads = [{"label": f"Audio ({audio_format})", "url": file_path(episode, episode.audio.name),
                  "name": f"{episode.name}{episode.audio.suffix}"}]
    downloads += [{"label": label, "url": file_path(episode, name), "name": f"{episode.name}-{name}"}
                  for name, label in DOWNLOADS if episode.file(name)]
    return {
        "id": episode.name,
        "title": script.title,
        "subject": script.subject,
        "date": episode.published.isoformat(),
        "duration": episode.duration_s,
        "hosts": [h.name for h in script.hosts],
        "sources": [{"title": s.title or s.path, "path": s.path, "kind": s.kind, "words": s.words}
                    for s in script.sources],
        "audio": {"url": file_path(episode, episode.audio.name), "type": episode.mime},
        "chapters": episode_chapters(episode),
        "turns": turns,
        "citations": citations,
        "downloads": downloads,
    }
