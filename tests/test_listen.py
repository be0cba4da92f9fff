"""`causerie listen`'s server (Starlette, through its TestClient) on episodes rendered with the tone engine."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from generator.errors import UserError
from generator.publish.episodes import episode_chapters, find_episodes, read_vtt, turn_times
from generator.publish.feed import FeedSettings
from generator.publish.server import STATIC, make_app, serve, start_lines
from generator.render import render
from listen_episode import make_cited_episode
from test_render import make_episode

REPO = Path(__file__).resolve().parents[1]
SECRET = "never served"


@pytest.fixture(scope="module")
def outdir(tmp_path_factory) -> Path:
    """odeillo (cited, newest), court (older), a script without audio, a hidden episode, and traps."""
    root = tmp_path_factory.mktemp("listen")
    out = root / "episodes"
    court = make_episode(out / "court")
    render(court, engine_name="tone")
    make_cited_episode(out / "odeillo")
    os.utime(court / "episode.mp3", (1_700_000_000, 1_700_000_000))
    make_episode(out / "brouillon")                            # script only: not an episode yet
    shutil.copytree(court, out / ".cache")                      # hidden: never listed
    (root / "outside").mkdir()
    (root / "outside" / "secret.txt").write_text(SECRET)
    (court / "leak.txt").symlink_to(root / "outside" / "secret.txt")
    (out / "lien").symlink_to(root / "outside", target_is_directory=True)
    (court / "alias.vtt").symlink_to(court / "transcript.vtt")  # a symlink that stays inside is fine
    return out


@pytest.fixture(scope="module")
def client(outdir) -> TestClient:
    return TestClient(make_app(outdir, FeedSettings()))


def test_episodes_are_listed_newest_first_with_times_chapters_and_citations(client, outdir):
    response = client.get("/api/episodes")
    assert response.status_code == 200
    episodes = response.json()
    assert [e["id"] for e in episodes] == ["odeillo", "court"]
    ep = episodes[0]
    report = json.loads((outdir / "odeillo" / "report.json").read_text())["render"]
    assert ep["title"] == "Le four solaire d'Odeillo" and ep["hosts"] == ["Camille", "Thomas"]
    assert ep["duration"] == report["episode_seconds"]
    assert [s["title"] for s in ep["sources"]] == ["Le grand four solaire", "Histoire du laboratoire PROMES"]
    assert [c["title"] for c in ep["chapters"]] == ["Un four sans feu", "Jusqu'à 3 500 °C", "Pour conclure"]
    assert ep["chapters"][0]["start"] == 0 and ep["chapters"][-1]["end"] == pytest.approx(ep["duration"], abs=0.01)

    # Every turn is timed from the transcript's cues: in order, inside the audio, first cue = first turn.
    turns = ep["turns"]
    assert len(turns) == 8 and all(t["start"] is not None for t in turns)
    assert all(a["end"] <= b["start"] for a, b in zip(turns, turns[1:]))
    cues = read_vtt(outdir / "odeillo" / "transcript.vtt")
    assert (turns[0]["start"], turns[0]["speaker"]) == (cues[0][0], cues[0][2])
    assert turns[-1]["end"] == cues[-1][1] <= ep["duration"]
    # A chapter starts where its first turn is about to be heard.
    assert turns[4]["start"] - 1.0 < ep["chapters"][1]["start"] <= turns[4]["start"]

    # Citations: the turn's passage ids become numbered passages with their text, section and source.
    by_n = {c["n"]: c for c in ep["citations"]}
    heat = by_n[turns[5]["citations"][0]]
    assert "3 500 °C" in heat["text"] and heat["section"] == "Températures" and heat["source"] == "Le grand four solaire"
    assert turns[2]["citations"] == [] and turns[1]["citations"] == turns[3]["citations"]

    labels = [d["label"] for d in ep["downloads"]]
    assert labels[0] == "Audio (MP3)" and {"Sous-titres WebVTT", "Sous-titres SRT", "Script (Markdown)"} <= set(labels)
    for d in ep["downloads"]:
        got = client.get("/" + d["url"])
        assert got.status_code == 200, d
    assert client.get("/" + ep["audio"]["url"]).headers["content-type"] == "audio/mpeg"
    assert client.get("/files/odeillo/transcript.vtt").headers["content-type"].startswith("text/vtt")


def test_new_episode_appears_on_reload(client, outdir):
    before = {e["id"] for e in client.get("/api/episodes").json()}
    shutil.copytree(outdir / "court", outdir / "copie", symlinks=True)
    try:
        after = {e["id"] for e in client.get("/api/episodes").json()}
    finally:
        shutil.rmtree(outdir / "copie")
    assert after - before == {"copie"}


def test_old_render_without_chapters_file_gets_chapters_from_its_turns(tmp_path):
    folder = make_cited_episode(tmp_path / "ancien")
    (folder / "chapters.json").unlink()
    [episode] = find_episodes(tmp_path)
    chapters = episode_chapters(episode)
    assert [c["title"] for c in chapters] == ["Un four sans feu", "Jusqu'à 3 500 °C", "Pour conclure"]
    assert chapters[1]["start"] == turn_times(episode)[4][0] > chapters[0]["start"]


def test_page_and_assets_are_served_from_the_package_without_network(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in page.text and "static/app.js" in page.text
    for name in ("app.js", "style.css", "icon.svg"):
        assert client.get(f"/static/{name}").status_code == 200
    # No CDN, no web font: nothing in the page's files points off the machine.
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in text, path


@pytest.mark.parametrize("url", [
    "/files/%2e%2e/outside/secret.txt",
    "/files/court/%2e%2e/%2e%2e/outside/secret.txt",
    "/files/court/..%2f..%2foutside%2fsecret.txt",
    "/files//etc/passwd",
    "/files/%2Fetc%2Fpasswd",
    "/files/court/.././../outside/secret.txt",
    "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
])
def test_paths_out_of_outdir_are_refused(client, url):
    response = client.get(url)
    assert response.status_code in (403, 404)
    assert SECRET not in response.text and "root:" not in response.text


async def _asgi_get(app, path: str) -> tuple[int, bytes]:
    """One request with `path` exactly as given: HTTP clients would normalise its `..` away."""
    messages, sent = [], False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)

    async def send(message):
        messages.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"", "headers": [],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    await app(scope, receive, send)
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")


@pytest.mark.parametrize("path", ["/files/../outside/secret.txt", "/files/court/../../outside/secret.txt",
                                  "/files/court/./episode.mp3", "/files/court/.progress.json"])
def test_raw_dot_segments_and_hidden_files_are_refused(outdir, path):
    # In a thread of its own: pytest-playwright leaves an event loop running in the main thread
    # once a browser test has run in the same session, and asyncio.run refuses to nest.
    with ThreadPoolExecutor(1) as pool:
        status, body = pool.submit(asyncio.run, _asgi_get(make_app(outdir, FeedSettings()), path)).result()
    assert status == 404 and SECRET.encode() not in body


def test_symlinks_out_of_outdir_are_forbidden_inside_are_served(client):
    for url in ("/files/court/leak.txt", "/files/lien/secret.txt"):
        response = client.get(url)
        assert response.status_code == 403 and SECRET not in response.text
    inside = client.get("/files/court/alias.vtt")
    assert inside.status_code == 200 and inside.text.startswith("WEBVTT")


def test_audio_answers_range_requests(client, outdir):
    data = (outdir / "odeillo" / "episode.mp3").read_bytes()
    size = len(data)
    url = "/files/odeillo/episode.mp3"
    full = client.get(url)
    assert full.status_code == 200 and full.headers["accept-ranges"] == "bytes" and full.content == data

    part = client.get(url, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 1000-1999/{size}"
    assert part.content == data[1000:2000]

    tail = client.get(url, headers={"Range": "bytes=-300"})
    assert tail.status_code == 206 and tail.content == data[-300:]
    assert tail.headers["content-range"] == f"bytes {size - 300}-{size - 1}/{size}"

    open_ended = client.get(url, headers={"Range": f"bytes={size - 10}-"})
    assert open_ended.status_code == 206 and open_ended.content == data[-10:]

    beyond = client.get(url, headers={"Range": f"bytes={size}-{size + 100}"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{size}"


def test_feed_and_cover_are_served(client, outdir):
    feed = client.get("/feed.xml")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/rss+xml")
    assert b"http://testserver/files/odeillo/episode.mp3" in feed.content
    cover = client.get("/cover.png")
    assert cover.status_code == 200 and cover.headers["content-type"] == "image/png"
    assert cover.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", cover.content[16:24])
    assert width == height >= 1400


def test_cover_from_causerie_toml(tmp_path, monkeypatch, outdir):
    monkeypatch.chdir(tmp_path)
    art = tmp_path / "art.jpg"
    art.write_bytes(b"\xff\xd8\xff\xe0 a jpeg")
    (tmp_path / "causerie.toml").write_text('[feed]\ncover = "art.jpg"\ntitle = "Mes lectures"\n', encoding="utf-8")
    client = TestClient(make_app(outdir))
    assert client.get("/cover.jpg").content == art.read_bytes()
    assert client.get("/cover.png").status_code == 404
    feed = client.get("/feed.xml").text
    assert "http://testserver/cover.jpg" in feed and "<title>Mes lectures</title>" in feed

    (tmp_path / "causerie.toml").write_text('[feed]\ncover = "absent.png"\n', encoding="utf-8")
    with pytest.raises(UserError, match="absent.png"):
        make_app(outdir)
    (tmp_path / "causerie.toml").write_text('[feed]\ncover = "art.gif"\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"\.png or \.jpg"):
        make_app(outdir)


def test_missing_outdir_is_one_user_error(tmp_path):
    with pytest.raises(UserError) as err:
        make_app(tmp_path / "nulle-part", FeedSettings())
    assert "nulle-part" in str(err.value) and "\n" not in str(err.value)


def test_start_lines_say_the_url_and_warn_off_loopback():
    [local] = start_lines("127.0.0.1", 8123)
    assert "http://127.0.0.1:8123/" in local and "feed.xml" in local
    assert len(start_lines("localhost", 8123)) == 1 and len(start_lines("::1", 8123)) == 1
    lines = start_lines("0.0.0.0", 8123)
    assert len(lines) == 2 and "réseau" in lines[1] and "0.0.0.0" in lines[1]


def test_busy_port_is_one_user_error(outdir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(UserError, match=f"127.0.0.1:{port}.*--port"):
            serve(outdir, port=port, announce=lambda line: None)


def test_real_server_serves_then_stops_cleanly_on_ctrl_c(outdir, tmp_path):
    code = ("import sys; from pathlib import Path; from generator.publish.server import listen_command; "
            "listen_command(Path(sys.argv[1]), port=0)")
    proc = subprocess.Popen([sys.executable, "-u", "-c", code, str(outdir)], cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+/", proc.stdout.readline()).group(0)
        with urllib.request.urlopen(url + "api/episodes", timeout=30) as response:
            assert {e["id"] for e in json.load(response)} == {"odeillo", "court"}
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "Traceback" not in err, err
