"""Encode an Episode to MP3 / Opus / Ogg Vorbis / WAV with tags and chapters, atomically.

Encoding goes through ffmpeg (raw float32 piped on stdin). MP3 gets ID3v2.3
tags and one CHAP frame per chapter (ffmetadata [CHAPTER] sections mapped
with -map_chapters); Ogg files get the Vorbis-comment CHAPTERxxx/CHAPTERxxxNAME
convention, written as tags (ffmpeg 5.1's own Ogg chapter writer rounds the
seconds, e.g. 1.5 s becomes 2.5 s, and Vorbis gets none at all).
"""

from __future__ import annotations

import functools
import json
import math
import os
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import numpy as np

from ..errors import UserError
from .loudness import measure_file
from .mix import Chapter, Episode

SHOW_NAME = "Causerie"

# format -> (ffmpeg muxer, codec, extra args, output sample rate or None = keep)
_FORMATS = {
    "mp3": ("mp3", "libmp3lame", ["-id3v2_version", "3", "-write_xing", "1"], 44100),
    "opus": ("ogg", "libopus", ["-application", "audio"], 48000),
    "ogg": ("ogg", "libvorbis", ["-q:a", "4"], None),
    "wav": ("wav", "pcm_s16le", [], None),
}
_BITRATE = {"mp3": {1: "96k", 2: "128k"}, "opus": {1: "48k", 2: "64k"}}


class AudioExportError(UserError):
    """An episode could not be encoded or written."""


def _ffmpeg() -> str | None:
    return shutil.which("ffmpeg")


@functools.lru_cache(maxsize=4)
def _encoders(ffmpeg: str) -> frozenset[str]:
    proc = subprocess.run([ffmpeg, "-hide_banner", "-encoders"], capture_output=True, text=True)
    return frozenset(line.split()[1] for line in proc.stdout.splitlines()
                     if len(line.split()) > 1 and line.startswith(" A"))


def available_formats() -> list[str]:
    """Formats this machine can write (wav always; the others need ffmpeg and the encoder)."""
    ff = _ffmpeg()
    if ff is None:
        return ["wav"]
    names = _encoders(ff)
    return [f for f, (_, codec, _, _) in _FORMATS.items() if f == "wav" or codec in names]


def _escape_ffmeta(value: str) -> str:
    out = []
    for ch in str(value):
        if ch in "=;#\\\n":
            out.append("\\")
        out.append(ch)
    return "".join(out)


def _ffmetadata(chapters: Sequence[Chapter]) -> str:
    lines = [";FFMETADATA1", ""]
    for i, ch in enumerate(chapters):
        title = ch.title or f"Partie {i + 1}"
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={round(ch.start_s * 1000)}",
                  f"END={round(ch.end_s * 1000)}", f"title={_escape_ffmeta(title)}", ""]
    return "\n".join(lines)


def _ogg_time(seconds: float) -> str:
    ms = max(0, int(round(seconds * 1000)))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _tag_args(tags: Mapping[str, object], fmt: str) -> list[str]:
    merged: dict[str, str] = {"artist": SHOW_NAME, "album": SHOW_NAME, "genre": "Podcast",
                              "date": date.today().isoformat(),
                              "language": "fre" if fmt == "mp3" else "fr"}
    for key, value in tags.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = "\n".join(str(v) for v in value)
        merged[key] = str(value)
    if "sources" in merged and "comment" not in merged:
        merged["comment"] = merged.pop("sources")
    merged.pop("sources", None)
    args: list[str] = []
    for key, value in merged.items():
        args += ["-metadata", f"{key}={value}"]
    return args


def _pcm16(samples: np.ndarray) -> bytes:
    x = np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0)
    return np.round(x * 32767.0).astype("<i2").tobytes()


def _write_wav_module(episode: Episode, path: Path) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(episode.channels)
        w.setsampwidth(2)
        w.setframerate(episode.sample_rate)
        w.writeframes(_pcm16(episode.samples))


def _encode(episode: Episode, tmp: Path, fmt: str, tags: Mapping[str, object],
            chapters: Sequence[Chapter], bitrate: str | None, workdir: Path,
            gain_db: float = 0.0) -> None:
    ff = _ffmpeg()
    muxer, codec, extra, out_rate = _FORMATS[fmt]
    ch = episode.channels
    cmd = [ff, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
           "-f", "f32le", "-ar", str(episode.sample_rate), "-ac", str(ch), "-i", "pipe:0"]
    if chapters and fmt == "mp3":
        # The ffmetadata file holds no global tags, so mapping it clears ours
        # while keeping the chapters' titles (-map_metadata -1 would drop them).
        meta = workdir / "chapters.ffmeta"
        meta.write_text(_ffmetadata(chapters), encoding="utf-8")
        cmd += ["-f", "ffmetadata", "-i", str(meta)]
        chapter_args = ["-map_metadata", "1", "-map_chapters", "1"]
    else:
        chapter_args = ["-map_metadata", "-1", "-map_chapters", "-1"]
        if chapters and muxer == "ogg":
            for i, c in enumerate(chapters):
                chapter_args += ["-metadata", f"CHAPTER{i:03d}={_ogg_time(c.start_s)}",
                                 "-metadata", f"CHAPTER{i:03d}NAME={c.title or f'Partie {i + 1}'}"]
    cmd += ["-map", "0:a", *chapter_args, *_tag_args(tags, fmt), "-c:a", codec, *extra]
    if gain_db:
        cmd += ["-af", f"volume={gain_db:.3f}dB"]
    if fmt in _BITRATE:
        cmd += ["-b:a", bitrate or _BITRATE[fmt][min(ch, 2)]]
    if out_rate and out_rate != episode.sample_rate:
        cmd += ["-ar", str(out_rate)]
    cmd += ["-f", muxer, str(tmp)]
    with tempfile.TemporaryFile(dir=workdir) as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
        data = np.ascontiguousarray(episode.samples, dtype="<f4").reshape(-1)
        step = 1 << 20
        try:
            for i in range(0, data.shape[0], step):
                proc.stdin.write(data[i:i + step].tobytes())
            proc.stdin.close()
        except BrokenPipeError:
            pass
        rc = proc.wait()
        if rc != 0:
            err.seek(0)
            msg = err.read().decode("utf-8", "replace").strip()[-400:]
            raise AudioExportError(f"ffmpeg failed to write {fmt}: {msg}")


def export(episode: Episode, path: str | Path, *, format: str | None = None,
           tags: Mapping[str, object] | None = None, chapters: Sequence[Chapter] | None = None,
           bitrate: str | None = None, match_loudness: bool = True) -> Path:
    """Write `episode` to `path` (format from the argument, else the extension).

    tags: title, artist, album, date, language, comment (a `sources` list is
    joined into the comment), any other key passes through; artist/album
    default to "Causerie", date to today, language to "fre" (ID3) / "fr".
    chapters default to `episode.chapters`; untitled ones become "Partie N".
    The file appears only complete (temp file in the same folder + os.replace).

    Lossy encoders move the loudness a little (libmp3lame reads ~0.4 LU low
    here). With `match_loudness` and an `episode.target_lufs`, a lossy file is
    measured after encoding (ffmpeg ebur128) and, if it is off by more than
    0.2 LU, encoded once more with the correcting gain, capped so the measured
    true peak stays at or under `episode.peak_dbtp`.
    """
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in _FORMATS:
        raise AudioExportError(f"unknown audio format {fmt!r}: use one of {', '.join(_FORMATS)}")
    tags = dict(tags or {})
    chapters = list(episode.chapters if chapters is None else chapters)
    path.parent.mkdir(parents=True, exist_ok=True)
    have_ffmpeg = _ffmpeg() is not None
    if fmt != "wav":
        if not have_ffmpeg:
            raise AudioExportError(f"ffmpeg is needed to write {fmt}: install it, or export as wav")
        if fmt not in available_formats():
            raise AudioExportError(f"this ffmpeg has no {_FORMATS[fmt][1]} encoder: {fmt} is not "
                                   f"available here (try {', '.join(available_formats())})")
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if fmt == "wav" and not have_ffmpeg:
            _write_wav_module(episode, tmp)
        else:
            with tempfile.TemporaryDirectory() as work:
                _encode(episode, tmp, fmt, tags, chapters, bitrate, Path(work))
                target = getattr(episode, "target_lufs", None)
                if match_loudness and target is not None and fmt != "wav":
                    lufs, peak = measure_file(tmp)
                    gain = target - lufs
                    # Cap with a little margin: the re-encoded peaks do not scale exactly.
                    gain = min(gain, getattr(episode, "peak_dbtp", -1.0) - 0.15 - peak)
                    if abs(gain) > 0.2 and math.isfinite(gain):
                        _encode(episode, tmp, fmt, tags, chapters, bitrate, Path(work), gain)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def read_tags(path: str | Path) -> dict:
    """{"tags": {...}, "chapters": [{"start_s", "end_s", "title"}], "duration_s", "sample_rate",
    "channels", "codec"} read with ffprobe (format tags merged with the audio stream's)."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        raise AudioExportError("ffprobe is not installed: it is needed to read tags back")
    proc = subprocess.run([ffprobe, "-v", "error", "-show_format", "-show_streams", "-show_chapters",
                           "-of", "json", str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise AudioExportError(f"ffprobe could not read {path}: {proc.stderr.strip()[-300:]}")
    info = json.loads(proc.stdout)
    fmt = info.get("format", {})
    audio = next((s for s in info.get("streams", []) if s.get("codec_type") == "audio"), {})
    tags = {k.lower(): v for k, v in (audio.get("tags") or {}).items()}
    tags.update({k.lower(): v for k, v in (fmt.get("tags") or {}).items()})
    chapters = [{"start_s": float(c["start_time"]), "end_s": float(c["end_time"]),
                 "title": (c.get("tags") or {}).get("title")} for c in info.get("chapters", [])]
    return {"tags": tags, "chapters": chapters,
            "duration_s": float(fmt.get("duration", "nan")),
            "sample_rate": int(audio.get("sample_rate", 0) or 0),
            "channels": int(audio.get("channels", 0) or 0),
            "codec": audio.get("codec_name")}
