"""Audio stage: mix spoken clips into a mastered episode and export it with tags and chapters."""

from .export import AudioExportError, available_formats, export, read_tags
from .jingle import make_jingle
from .loudness import integrated_lufs, master, measure_file, normalize_clip, true_peak_dbtp
from .mix import Chapter, Clip, Episode, mix_episode, pause_between, resample

__all__ = [
    "AudioExportError", "Chapter", "Clip", "Episode", "available_formats", "export",
    "integrated_lufs", "make_jingle", "master", "measure_file", "mix_episode", "normalize_clip",
    "pause_between", "read_tags", "resample", "true_peak_dbtp",
]
