"""feed.xml (RSS 2.0 + iTunes + Podcasting 2.0) and chapters.json, on episodes rendered with the tone engine."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from generator.errors import UserError
from generator.publish.feed import FeedSettings, build_feed, feed_settings
from generator.render import render
from generator.writing.script import Script
from listen_episode import make_cited_episode
from test_render import make_episode

BASE = "http://192.168.1.20:8000"
NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "podcast": "https://podcastindex.org/namespace/1.0",
      "atom": "http://www.w3.org/2005/Atom"}


@pytest.fixture(scope="module")
def outdir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("feed") / "episodes"
    make_cited_episode(out / "odeillo")
    render(make_episode(out / "court"), engine_name="tone")
    os.utime(out / "court" / "episode.mp3", (1_700_000_000, 1_700_000_000))
    return out


def channel_of(xml: bytes) -> ET.Element:
    root = ET.fromstring(xml)
    assert root.tag == "rss" and root.get("version") == "2.0"
    return root.find("channel")


def item_for(channel: ET.Element, folder: str) -> ET.Element:
    [item] = [i for i in channel.findall("item") if f"/files/{folder}/" in i.find("enclosure").get("url")]
    return item


def test_chapters_json_is_written_by_render(outdir):
    doc = json.loads((outdir / "odeillo" / "chapters.json").read_text(encoding="utf-8"))
    assert doc["version"] == "1.2.0"
    chapters = doc["chapters"]
    assert [c["title"] for c in chapters] == ["Un four sans feu", "Jusqu'à 3 500 °C", "Pour conclure"]
    starts = [c["startTime"] for c in chapters]
    assert starts[0] == 0 and starts == sorted(starts) and len(set(starts)) == 3
    report = json.loads((outdir / "odeillo" / "report.json").read_text())["render"]
    assert chapters[-1]["endTime"] == pytest.approx(report["episode_seconds"], abs=0.01)
    assert not list((outdir / "odeillo").glob(".chapters.json.*"))      # no temp file left behind


def test_channel_has_rss_itunes_and_language_fields(outdir):
    channel = channel_of(build_feed(outdir, BASE + "/"))
    assert channel.findtext("title") == "Causerie" and channel.findtext("description")
    assert channel.findtext("link") == f"{BASE}/"
    assert channel.findtext("language") == "fr"
    assert channel.find("atom:link", NS).get("href") == f"{BASE}/feed.xml"
    assert channel.find("image/url").text == f"{BASE}/cover.png"
    assert channel.findtext("itunes:author", namespaces=NS) == "Causerie"
    assert channel.find("itunes:image", NS).get("href") == f"{BASE}/cover.png"
    assert channel.find("itunes:category", NS).get("text") == "Education"
    assert channel.findtext("itunes:explicit", namespaces=NS) in ("no", "false")


def test_items_have_enclosure_guid_date_duration_transcripts_and_chapters(outdir):
    channel = channel_of(build_feed(outdir, BASE))
    items = channel.findall("item")
    assert len(items) == 2
    assert "odeillo" in items[0].find("enclosure").get("url")          # newest first

    for folder in ("odeillo", "court"):
        item = item_for(channel, folder)
        audio = outdir / folder / "episode.mp3"
        script = Script.load(outdir / folder / "script.json")
        assert item.findtext("title") == script.title
        enclosure = item.find("enclosure")
        assert enclosure.get("url") == f"{BASE}/files/{folder}/episode.mp3"
        assert int(enclosure.get("length")) == audio.stat().st_size and enclosure.get("type") == "audio/mpeg"
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false" and guid.text
        published = parsedate_to_datetime(item.findtext("pubDate"))
        assert published == datetime.fromtimestamp(int(audio.stat().st_mtime), tz=timezone.utc)
        seconds = json.loads((outdir / folder / "report.json").read_text())["render"]["episode_seconds"]
        assert int(item.findtext("itunes:duration", namespaces=NS)) == round(seconds)

        transcripts = {t.get("type"): t for t in item.findall("podcast:transcript", NS)}
        assert set(transcripts) == {"text/vtt", "application/x-subrip"}
        assert transcripts["text/vtt"].get("url") == f"{BASE}/files/{folder}/transcript.vtt"
        assert transcripts["application/x-subrip"].get("url") == f"{BASE}/files/{folder}/transcript.srt"
        assert all(t.get("language") == "fr" for t in transcripts.values())
        chapters = item.find("podcast:chapters", NS)
        assert chapters.get("type") == "application/json+chapters"
        assert chapters.get("url") == f"{BASE}/files/{folder}/chapters.json"
    assert parsedate_to_datetime(items[1].findtext("pubDate")).year == 2023


def test_guid_is_stable_and_follows_the_script_not_the_folder(outdir, tmp_path):
    def guids(folder: Path) -> dict[str, str]:
        channel = channel_of(build_feed(folder, BASE))
        return {i.find("enclosure").get("url").split("/")[-2]: i.findtext("guid") for i in channel.findall("item")}

    first, second = guids(outdir), guids(outdir)
    assert first == second and len(set(first.values())) == 2

    # A script written by the pipeline carries its inputs' fingerprint: same fingerprint, same episode.
    other = tmp_path / "ailleurs"
    for name, fingerprint in (("un", "abc123"), ("deux", "abc123"), ("trois", "def456")):
        shutil.copytree(outdir / "court", other / name)
        data = json.loads((other / name / "script.json").read_text(encoding="utf-8"))
        data["generation"]["fingerprint"] = fingerprint
        (other / name / "script.json").write_text(json.dumps(data), encoding="utf-8")
    ids = guids(other)
    assert ids["un"] == ids["deux"] != ids["trois"]


def test_episode_without_chapters_or_srt_omits_those_tags(outdir, tmp_path):
    folder = tmp_path / "out" / "court"
    shutil.copytree(outdir / "court", folder)
    (folder / "chapters.json").unlink()
    (folder / "transcript.srt").unlink()
    [item] = channel_of(build_feed(folder.parent, BASE)).findall("item")
    assert item.find("podcast:chapters", NS) is None
    assert [t.get("type") for t in item.findall("podcast:transcript", NS)] == ["text/vtt"]


def test_feed_settings_from_toml_table(tmp_path):
    settings = feed_settings({"title": "Mes lectures", "author": "Alex"})
    channel = channel_of(build_feed(tmp_path, BASE, settings))
    assert channel.findtext("title") == "Mes lectures"
    assert channel.findtext("itunes:author", namespaces=NS) == "Alex"
    assert channel.findall("item") == []
    with pytest.raises(UserError, match="unknown setting 'couverture'"):
        feed_settings({"couverture": "x.png"})
    with pytest.raises(UserError, match="'title' must be a non-empty string"):
        feed_settings({"title": ""})
    assert feed_settings(None) == FeedSettings()
