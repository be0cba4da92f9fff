"""`causerie render`: an (edited) script in, episode audio, subtitles and report out.

Every clip is cached by hash of (spoken text, voice, engine settings) in the
episode's clips/ folder: re-rendering an unchanged script synthesizes nothing,
editing one turn re-synthesizes one clip.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import report as episode_report
from .errors import UserError
from .writing.script import Script, read_markdown


@dataclass
class RenderResult:
    folder: Path
    audio: Path
    subtitles: list[Path]
    synthesized: int
    cached: int
    report: dict
    reused: bool = False     # nothing changed since the last render: no clip, no mix, no export


def locate_script(target: Path) -> tuple[Path, Script]:
    """A folder or a script.json; edits made in script.md (newer than script.json) are applied."""
    target = Path(target)
    json_path = target / "script.json" if target.is_dir() else target
    if not json_path.is_file():
        raise UserError(f"{target}: no script.json here — run `causerie script DOC -o OUTDIR` first")
    try:
        script = Script.load(json_path)
    except ValueError as exc:
        raise UserError(f"{json_path}: not a Causerie script ({str(exc).splitlines()[0]})") from None
    md = json_path.with_name("script.md")
    if md.is_file() and md.stat().st_mtime > json_path.stat().st_mtime:
        try:
            edited = read_markdown(md.read_text(encoding="utf-8"), script)
        except ValueError as exc:
            raise UserError(f"{md}: {exc}") from None
        if [(t.speaker, t.text) for t in edited.turns] != [(t.speaker, t.text) for t in script.turns]:
            script = edited
            script.save(json_path.parent)
    return json_path.parent, script


def _write_clip(audio, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".wav.tmp")
    os.close(fd)
    audio.write_wav(Path(tmp))
    os.replace(tmp, path)


def render_key(script: Script, engine, fmt: str, music: Path | None) -> str:
    """Everything the episode's audio depends on: same key, same files."""
    digest = hashlib.sha256()
    parts = [[(t.speaker, t.text, t.segment, t.intent) for t in script.turns],
             [(s.id, s.title) for s in script.segments], script.title, engine.name, engine.settings_key(), fmt]
    if music is not None and Path(music).is_file():
        parts.append([str(Path(music).resolve()), Path(music).stat().st_mtime_ns])
    digest.update(json.dumps(parts, ensure_ascii=False).encode())
    return digest.hexdigest()[:16]


def _up_to_date(folder: Path, key: str, fmt: str, n_turns: int) -> RenderResult | None:
    report = episode_report.read(folder)
    audio = folder / f"episode.{fmt}"
    subtitles = [folder / "transcript.vtt", folder / "transcript.srt"]
    if report.get("render", {}).get("key") == key and audio.is_file() and all(p.is_file() for p in subtitles):
        return RenderResult(folder, audio, subtitles, 0, n_turns, report, reused=True)
    return None


def clip_path(text: str, voice, engine, clips_dir: Path) -> Path:
    """Where the clip of this line in this voice is cached (named by text, voice and engine settings)."""
    from .speech.engine import clip_key

    return clips_dir / f"{clip_key(text, voice, engine)}.wav"


def speak_one(speaker: str, text: str, position: int, engine, clips_dir: Path):
    """(audio, from the cache?, synthesis seconds, engine load seconds) for one line in its host's
    voice: the clip cache answers when the same text was already said in the same voice and engine
    settings; the engine's model is loaded before the first line it must say, timed apart."""
    from .speech.engine import Audio
    from .speech.voices import voice_for

    voice = voice_for(speaker, position, engine)     # reads the host's voices file: once per line
    path = clip_path(text, voice, engine, clips_dir)
    if path.is_file():
        return Audio.read_wav(path), True, 0.0, 0.0
    load_s = load_engine(engine)      # nothing after the first time
    start = time.perf_counter()
    audio = engine.synthesize(text, voice)
    seconds = time.perf_counter() - start
    _write_clip(audio, path)
    # The clip as the cache holds it (16-bit): a fresh render and one from the cache mix the same samples.
    return Audio.read_wav(path), False, seconds, load_s


def load_engine(engine) -> float:
    """Loads a neural engine's model before its first line (engines without `load` load nothing);
    returns the seconds it took, so synthesis is timed apart from loading."""
    start = time.perf_counter()
    if callable(getattr(engine, "load", None)):
        engine.load()
    return time.perf_counter() - start


def speak_turns(turns, hosts, engine, clips_dir: Path,
                on_clip: Callable[[int, int, bool], None] | None = None) -> tuple[list, int, int, float, float]:
    """(clips, synthesized, cached, synthesis seconds, engine load seconds): each turn in its host's voice."""
    from .audio import Clip

    positions = {h.name: i for i, h in enumerate(hosts)}
    clips_dir.mkdir(parents=True, exist_ok=True)
    clips, synthesized, cached, synth_seconds, load_seconds = [], 0, 0, 0.0, 0.0
    for i, turn in enumerate(turns):
        audio, hit, seconds, load_s = speak_one(turn.speaker, turn.text, positions.get(turn.speaker, i % 2),
                                                engine, clips_dir)
        cached += hit
        synthesized += not hit
        synth_seconds += seconds
        load_seconds += load_s
        clips.append(Clip(audio.samples, audio.sample_rate, turn.speaker, turn.segment, turn.text, turn.intent))
        if on_clip:
            on_clip(i, len(turns), hit)
    return clips, synthesized, cached, synth_seconds, load_seconds


class ClipPrefetch:
    """Speaks each line as soon as the script accepts it, on a thread of its own, into the clip cache.

    The LLM writes the next turn meanwhile (llama.cpp and onnxruntime release the GIL); when the
    script is done, `render` finds the clips already made. A line the script later removes (an
    answer left out takes its question with it) only costs its synthesis. Errors are kept for the
    render, which meets them again and reports them the usual way.
    """

    def __init__(self, engine, hosts, clips_dir: Path) -> None:
        import queue
        import threading

        self.engine, self.clips_dir = engine, Path(clips_dir)
        self.positions = {h.name: i for i, h in enumerate(hosts)}
        self.synthesized = 0
        self.synthesis_s = 0.0
        self.load_s = 0.0
        self.errors: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="causerie-voices", daemon=True)
        self._thread.start()

    def submit(self, speaker: str, text: str) -> None:
        self._queue.put((speaker, text))

    def _work(self) -> None:
        self.clips_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.load_s = load_engine(self.engine)
        except Exception as exc:       # noqa: BLE001 - reported by the render that meets it again
            self.errors.append(f"{type(exc).__name__}: {exc}")
        while (item := self._queue.get()) is not None:
            if self.errors:
                continue       # the engine failed once: the render will say why
            speaker, text = item
            try:
                _, hit, seconds, _ = speak_one(speaker, text, self.positions.get(speaker, 0), self.engine,
                                               self.clips_dir)
            except Exception as exc:       # noqa: BLE001 - reported by the render that meets it again
                self.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            self.synthesized += not hit
            self.synthesis_s += seconds

    def close(self) -> float:
        """Waits for the lines submitted; returns the seconds waited (the tail after the script)."""
        start = time.perf_counter()
        self._queue.put(None)
        self._thread.join()
        return time.perf_counter() - start


def render(target: Path, *, engine_name: str | None = None, device: str = "auto", fmt: str = "mp3",
           music: Path | None = None, on_clip: Callable[[int, int, bool], None] | None = None,
           announce: Callable[[str], None] = lambda m: None, engine=None, force: bool = False) -> RenderResult:
    """`engine` (an engine instance, loaded once and shared by a batch) wins over `engine_name`."""
    from .audio import export, measure_file, mix_episode
    from .publish.subtitles import cues_for_turns, write_subtitles
    from .speech import engine as engines

    folder, script = locate_script(target)
    if not script.turns:
        raise UserError(f"{folder}: the script has no turns to speak")
    if engine is None:
        engine = engines.get(engine_name) if engine_name else engines.best_available()
    ok, why = engine.available()
    if not ok:
        raise UserError(f"speech engine '{engine.name}' is not usable: {why}")
    if hasattr(engine, "device"):
        engine.device = device
    key = render_key(script, engine, fmt, music)
    if not force and (done := _up_to_date(folder, key, fmt, len(script.turns))):
        return done
    announce(f"Voix : moteur {engine.name}")
    clips, synthesized, cached, synth_seconds, load_s = speak_turns(script.turns, script.hosts, engine,
                                                                    folder / "clips", on_clip)

    bed = None
    if music is not None:
        bed = _load_music(music, 24000)
    titles = {s.id: s.title for s in script.segments}
    episode = mix_episode(clips, sample_rate=24000, stereo=True, music=bed, chapter_titles=titles)
    audio_path = export(episode, folder / f"episode.{fmt}", tags={
        "title": script.title, "language": "fre",
        "sources": [s.title or s.path for s in script.sources]})
    cues = cues_for_turns([(t.speaker, t.text, start, end)
                           for t, (start, end) in zip(script.turns, episode.timings)])
    subtitles = write_subtitles(cues, folder, stem="transcript")
    from .publish.chapters import write_chapters      # the feed's and the page's chapters.json
    write_chapters(episode.chapters, folder)

    speech_seconds = sum(len(c.samples) / c.sample_rate for c in clips)
    lufs, peak = measure_file(audio_path)
    report = episode_report.update(folder, "render", {
        "key": key, "engine": engine.name, "engine_settings": engine.settings_key(), "device": device,
        "clips_synthesized": synthesized, "clips_cached": cached,
        "speech_seconds": round(speech_seconds, 2), "episode_seconds": round(len(episode.samples) / episode.sample_rate, 2),
        "synthesis_seconds": round(synth_seconds, 2), "engine_load_s": round(load_s, 2),
        "real_time_factor": round(synth_seconds / speech_seconds, 3) if synthesized and speech_seconds else None,
        "loudness_lufs": lufs, "true_peak_dbtp": peak, "format": fmt, "chapters": len(episode.chapters),
    })
    return RenderResult(folder, audio_path, subtitles, synthesized, cached, report)


def _load_music(path: Path, sample_rate: int) -> np.ndarray:
    """Decode any audio file ffmpeg reads to mono float32 at `sample_rate`."""
    import subprocess

    if not Path(path).is_file():
        raise UserError(f"{path}: music file not found")
    proc = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1",
                           "-ar", str(sample_rate), "-"], capture_output=True)
    if proc.returncode != 0 or not proc.stdout:
        raise UserError(f"{path}: ffmpeg could not decode it as audio")
    return np.frombuffer(proc.stdout, dtype=np.float32).copy()
