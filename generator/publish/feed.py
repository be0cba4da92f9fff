"""`feed.xml`: an RSS 2.0 podcast feed of an output folder's episodes.

Built with feedgen (RSS and its iTunes extension); the Podcasting 2.0 tags
(`podcast:transcript`, `podcast:chapters`) come from a small feedgen extension
below, as feedgen ships none for that namespace. Every URL is absolute, made
from the address the server was reached at, so a podcast app on the same
network can subscribe.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from ..errors import UserError
from .chapters import FILENAME as CHAPTERS_FILE
from .chapters import MIME as CHAPTERS_MIME
from .episodes import EpisodeFolder, find_episodes

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
TRANSCRIPTS = (("transcript.vtt", "text/vtt"), ("transcript.srt", "application/x-subrip"))

__all__ = ["FeedSettings", "feed_settings", "build_feed", "file_url", "episode_guid"]


@dataclass(frozen=True)
class FeedSettings:
    title: str = "Causerie"
    author: str = "Causerie"
    description: str = "Des épisodes à deux voix, écrits et lus par Causerie à partir de vos documents."
    category: str = "Education"
    cover: str | None = None      # path of a .png/.jpg; None = the drawn default


def feed_settings(table: dict | None) -> FeedSettings:
    """The `[feed]` table of causerie.toml (title, author, description, cover) as settings."""
    table = dict(table or {})
    known = {f for f in FeedSettings.__dataclass_fields__ if f != "category"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise UserError(f"causerie.toml [feed]: unknown setting '{unknown[0]}' (known: {', '.join(sorted(known))})")
    bad = [k for k, v in table.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        raise UserError(f"causerie.toml [feed]: '{bad[0]}' must be a non-empty string")
    return FeedSettings(**table)


def file_url(base_url: str, episode: EpisodeFolder, name: str) -> str:
    return f"{base_url.rstrip('/')}/files/{quote(episode.name)}/{quote(name)}"


def episode_guid(episode: EpisodeFolder) -> str:
    """Stable across rebuilds and re-renders: the script's input fingerprint, else folder name + title."""
    fingerprint = episode.script.generation.get("fingerprint")
    seed = str(fingerprint) if fingerprint else f"{episode.name}\n{episode.script.title}"
    return "causerie-" + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32]


# --------------------------------------------------------------------------
# Podcasting 2.0 extension for feedgen
# --------------------------------------------------------------------------

class PodcastIndexExtension(BaseExtension):
    def extend_ns(self):
        return {"podcast": PODCAST_NS}


class PodcastIndexEntryExtension(BaseEntryExtension):
    def __init__(self):
        self.transcripts: list[dict] = []
        self.chapters: dict | None = None

    def extend_ns(self):
        return {"podcast": PODCAST_NS}

    def transcript(self, url: str, mime: str, language: str = "fr", rel: str | None = None) -> None:
        attrs = {"url": url, "type": mime, "language": language}
        if rel:
            attrs["rel"] = rel
        self.transcripts.append(attrs)

    def chapters_file(self, url: str, mime: str = CHAPTERS_MIME) -> None:
        self.chapters = {"url": url, "type": mime}

    def extend_rss(self, item):
        for attrs in self.transcripts:
            etree.SubElement(item, f"{{{PODCAST_NS}}}transcript", attrs)
        if self.chapters:
            etree.SubElement(item, f"{{{PODCAST_NS}}}chapters", self.chapters)
        return item


# --------------------------------------------------------------------------

def _description(episode: EpisodeFolder) -> str:
    script = episode.script
    hosts = " et ".join(h.name for h in script.hosts)
    lines = [f"{script.subject.capitalize()} : une conversation entre {hosts}." if script.subject
             else f"Une conversation entre {hosts}."]
    if script.sources:
        lines.append("Sources : " + " ; ".join(s.title or s.path for s in script.sources) + ".")
    return "\n".join(lines)


def build_feed(outdir: Path, base_url: str, settings: FeedSettings | None = None,
               cover_filename: str = "cover.png") -> bytes:
    """The RSS document for every rendered episode under `outdir`, URLs rooted at `base_url`."""
    settings = settings or FeedSettings()
    base = base_url.rstrip("/")
    fg = FeedGenerator()
    fg.load_extension("podcast")                       # feedgen's name for its iTunes extension
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension,
                          atom=False, rss=True)
    fg.title(settings.title)
    fg.description(settings.description)
    fg.link(href=f"{base}/feed.xml", rel="self")     # before the page: feedgen's RSS <link> is the last one set
    fg.link(href=f"{base}/", rel="alternate")
    fg.language("fr")
    fg.generator("Causerie")
    cover_url = f"{base}/{cover_filename}"
    fg.image(url=cover_url, title=settings.title, link=f"{base}/")
    fg.podcast.itunes_author(settings.author)
    fg.podcast.itunes_image(cover_url)
    fg.podcast.itunes_category(settings.category)
    fg.podcast.itunes_explicit("no")
    fg.podcast.itunes_summary(settings.description)
    fg.podcast.itunes_type("episodic")

    # feedgen writes entries in reverse order of addition by default: add oldest first, newest comes out first.
    for episode in reversed(find_episodes(outdir)):
        entry = fg.add_entry()
        entry.guid(episode_guid(episode), permalink=False)
        entry.title(episode.script.title)
        entry.description(_description(episode))
        entry.link(href=f"{base}/#{quote(episode.name)}")
        entry.published(episode.published)
        entry.enclosure(file_url(base, episode, episode.audio.name), str(episode.audio.stat().st_size), episode.mime)
        entry.podcast.itunes_author(" et ".join(h.name for h in episode.script.hosts) or settings.author)
        if episode.duration_s is not None:
            entry.podcast.itunes_duration(int(round(episode.duration_s)))
        entry.podcast.itunes_explicit("no")
        for name, mime in TRANSCRIPTS:
            if episode.file(name):
                entry.podcastindex.transcript(file_url(base, episode, name), mime,
                                              language=episode.script.language or "fr",
                                              rel="captions" if mime == "text/vtt" else None)
        if episode.file(CHAPTERS_FILE):
            entry.podcastindex.chapters_file(file_url(base, episode, CHAPTERS_FILE))
    return fg.rss_str(pretty=True)
