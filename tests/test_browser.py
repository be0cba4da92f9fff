"""The listening page in a real browser: Debian's Chromium driven by Playwright (pytest-playwright).

The real server runs in a subprocess (uvicorn on a free port) over two episodes
rendered with the tone engine. Playwright's own browser download is not
available, so the `chromium` apt package is launched through `executable_path`.
Without Chromium or Playwright the module is skipped, unless CAUSERIE_ALL_ENGINES
(or CI=true) makes that a failure.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from generator.render import render
from listen_episode import make_cited_episode
from test_render import make_episode

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser")
                                             if Path(p).is_file()), None)
MISSING = [what for what, ok in (
    ("chromium (apt-get install chromium, or tools/setup.sh --test)", CHROMIUM),
    ("playwright and pytest-playwright (pip install -e '.[test]')",
     importlib.util.find_spec("playwright") and importlib.util.find_spec("pytest_playwright")),
) if not ok]
STRICT = bool(os.environ.get("CAUSERIE_ALL_ENGINES")) or os.environ.get("CI") == "true"
if MISSING and not STRICT:
    pytest.skip(f"browser test needs {' and '.join(MISSING)}", allow_module_level=True)

# pytest-playwright 0.10's own `base_url` fixture trips a pytest 9 deprecation; nothing this module does.
pytestmark = pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods")


def test_browser_tools_are_installed():
    """Under CAUSERIE_ALL_ENGINES/CI a missing browser is a failure with its fix, not a silent skip."""
    assert not MISSING, f"missing: {'; '.join(MISSING)}"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium instead of Playwright's download; audio plays without a gesture and without a sound card.
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": [*browser_type_launch_args.get("args", []),
                     "--autoplay-policy=no-user-gesture-required", "--mute-audio"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 1000}, "locale": "fr-FR"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`serve()` in its own process on a free port; yields (base URL, the episodes as the API gives them)."""
    root = tmp_path_factory.mktemp("browser")
    out = root / "episodes"
    render(make_episode(out / "court"), engine_name="tone")
    os.utime(out / "court" / "episode.mp3", (1_700_000_000, 1_700_000_000))
    make_cited_episode(out / "odeillo")
    code = "import sys; from pathlib import Path; from generator.publish.server import serve; serve(Path(sys.argv[1]), port=0)"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-u", "-c", code, str(out)], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, f"server did not announce its URL: {line!r}{proc.stdout.read() if proc.poll() is not None else ''}"
        base = match.group(0)
        with urllib.request.urlopen(base + "api/episodes", timeout=30) as response:
            episodes = json.load(response)
        yield base, {e["id"]: e for e in episodes}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def listen_page(page, server):
    base, episodes = server
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(base)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    yield page, episodes
    assert errors == [], errors


ACTIVE = """(article) => {
  const audio = article.querySelector('audio');
  const line = article.querySelector('.line.active');
  return {t: audio.currentTime, paused: audio.paused, active: line ? Number(line.dataset.index) : -1,
          current: [...article.querySelectorAll('[aria-current=true]')].map(e => Number(e.dataset.index)),
          cited: [...article.querySelectorAll('.citations li.cited-now')].map(e => Number(e.dataset.n))};
}"""


def expected_line(starts: list[float], t: float) -> int:
    return max((i for i, s in enumerate(starts) if s <= t + 0.05), default=-1)


def test_page_lists_episodes_plays_and_the_highlight_follows(listen_page, tmp_path):
    page, episodes = listen_page
    assert page.locator("article.episode").count() == 2
    article = page.locator("#episode-odeillo")
    assert article.locator("h2").inner_text() == "Le four solaire d'Odeillo"
    assert article.locator(".line").count() == 8 and article.locator(".chapter").count() == 3
    assert "2 sources" in article.locator(".meta").inner_text()
    turns = episodes["odeillo"]["turns"]
    starts = [t["start"] for t in turns]

    # Play at double speed so the test waits seconds, not half a minute.
    page.evaluate("(a) => { const audio = a.querySelector('audio'); audio.playbackRate = 2; return audio.play(); }",
                  article.element_handle())
    handle = article.element_handle()
    page.wait_for_function("(a) => a.querySelector('audio').currentTime > %f" % (starts[1] + 0.3), arg=handle,
                           timeout=30_000)
    state = page.evaluate(ACTIVE, handle)
    assert not state["paused"] and state["t"] > starts[1]
    # The highlight is updated on timeupdate (every ~250 ms): it may trail the clock by one update at most.
    page.wait_for_function(
        "([a, starts]) => { const t = a.querySelector('audio').currentTime;"
        " let want = -1; starts.forEach((s, i) => { if (s <= t + 0.05) want = i; });"
        " const line = a.querySelector('.line.active'); return line && Number(line.dataset.index) === want; }",
        arg=[handle, starts], timeout=2_000)
    state = page.evaluate(ACTIVE, handle)
    assert state["active"] >= 1 and state["active"] in (expected_line(starts, state["t"]),
                                                         expected_line(starts, state["t"]) - 1)
    assert state["current"] == [state["active"]]
    assert state["cited"] == turns[state["active"]]["citations"]

    # Paused, and once the highlight's 0.2 s fade is over: the screenshot shows one line lit, not two.
    page.evaluate("(a) => a.querySelector('audio').pause()", handle)
    page.wait_for_timeout(400)
    shot = tmp_path / "listen.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 50_000


def test_clicking_a_line_or_a_chapter_seeks(listen_page):
    page, episodes = listen_page
    article = page.locator("#episode-odeillo")
    handle = article.element_handle()
    turns, chapters = episodes["odeillo"]["turns"], episodes["odeillo"]["chapters"]

    article.locator(".line").nth(5).click()
    state = page.evaluate(ACTIVE, handle)
    assert turns[5]["start"] <= state["t"] < turns[5]["start"] + 1.0
    assert state["active"] == 5 and state["current"] == [5]
    assert state["cited"] == turns[5]["citations"] != []

    article.locator(".chapter").nth(2).click()
    state = page.evaluate(ACTIVE, handle)
    assert chapters[2]["start"] <= state["t"] < chapters[2]["start"] + 1.0
    assert article.locator(".chapter.active").inner_text().endswith(chapters[2]["title"])

    article.locator(".line").nth(0).click()
    assert page.evaluate(ACTIVE, handle)["t"] < turns[1]["start"]


def test_feed_parses_in_the_page_and_audio_seeks_by_range(listen_page):
    page, episodes = listen_page
    feed = page.evaluate("""async () => {
      const text = await (await fetch('feed.xml')).text();
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      const ns = 'https://podcastindex.org/namespace/1.0';
      return {error: doc.querySelector('parsererror') !== null,
              language: doc.querySelector('channel > language').textContent,
              items: doc.querySelectorAll('item').length,
              enclosure: doc.querySelector('item > enclosure').getAttribute('url'),
              transcripts: doc.getElementsByTagNameNS(ns, 'transcript').length,
              chapters: doc.getElementsByTagNameNS(ns, 'chapters').length};
    }""")
    assert feed["error"] is False and feed["language"] == "fr" and feed["items"] == 2
    assert feed["transcripts"] == 4 and feed["chapters"] == 2
    assert feed["enclosure"].startswith(page.url) and feed["enclosure"].endswith("/files/odeillo/episode.mp3")

    ranged = page.evaluate("""async (url) => {
      const r = await fetch(url, {headers: {Range: 'bytes=100-163'}});
      return {status: r.status, range: r.headers.get('content-range'), size: (await r.arrayBuffer()).byteLength};
    }""", feed["enclosure"])
    assert ranged["status"] == 206 and ranged["size"] == 64 and ranged["range"].startswith("bytes 100-163/")
    duration = page.wait_for_function("() => document.querySelector('#episode-odeillo audio').duration > 0 && document.querySelector('#episode-odeillo audio').duration").json_value()
    assert duration == pytest.approx(episodes["odeillo"]["duration"], abs=0.3)
