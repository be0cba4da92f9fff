"""One episode, documents to audio: the script stage, then the render stage, each reused when done.

`script`, `render`, `generate` and `batch` all go through `make_episode`. Resuming
is the stages' own: the script's checkpoint (every finished turn), the clip cache
(every rendered line) and the report's keys (a finished stage is not redone).
Models are loaded lazily, once per process, and shared by every episode of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .pipeline import Progress, ScriptOptions, ScriptResult, context_for, run_script
from .render import RenderResult, render
from .writing.llm import LLM, LlamaCppLLM
from .writing.models import resolve


@dataclass(frozen=True)
class RenderOptions:
    engine: str | None = None      # None: the best engine usable now
    device: str = "auto"
    fmt: str = "mp3"
    music: Path | None = None


@dataclass
class EpisodeProgress(Progress):
    clip: Callable[[int, int, bool], None] = lambda i, n, cached: None


@dataclass
class EpisodeResult:
    folder: Path
    script: ScriptResult
    render: RenderResult | None = None

    @property
    def reused(self) -> bool:
        """Nothing was redone: the script was finished and the audio up to date (or not asked)."""
        return self.script.reused and (self.render is None or self.render.reused)


@dataclass
class Models:
    """The LLM and the speech engine, loaded on first use and kept for the next episode.

    One LLM at a time: a batch's memory stays that of one model whatever its length. A
    later episode needing a longer context reloads it once, larger."""

    threads: int | None = None
    gpu_layers: int | None = None
    preloaded: LLM | None = None     # a model the caller loaded: used for every episode
    _llm: LlamaCppLLM | None = field(default=None, repr=False)
    _engines: dict = field(default_factory=dict, repr=False)

    def model_name(self, model: str | None) -> str:
        """The name episodes are keyed by, without loading anything."""
        return getattr(self.preloaded, "name", None) or resolve(model)[0]

    def llm(self, model: str | None, n_ctx: int) -> LLM:
        if self.preloaded is not None:
            return self.preloaded
        name, path = resolve(model)
        loaded = self._llm
        if loaded is None or Path(loaded.path) != Path(path) or loaded.n_ctx < n_ctx:
            # Drop every reference to the old model before loading the new one: two at once
            # would double the peak memory of the batch.
            loaded = self._llm = None
            self._llm = LlamaCppLLM(path, name=name, n_ctx=n_ctx, n_threads=self.threads,
                                    n_gpu_layers=self.gpu_layers)
        return self._llm

    def engine(self, name: str | None):
        from .speech import engine as engines

        if name not in self._engines:
            self._engines[name] = engines.get(name) if name else engines.best_available()
        return self._engines[name]


def make_episode(documents: Sequence[str | Path], out_dir: Path, options: ScriptOptions,
                 render_options: RenderOptions | None = None, *, models: Models | None = None,
                 progress: EpisodeProgress | None = None, slug: str | None = None) -> EpisodeResult:
    """Documents in, OUT/<slug>/ with script.json, script.md, report.json and (unless
    `render_options` is None) the episode audio, subtitles and chapters."""
    progress = progress or EpisodeProgress()
    models = models or Models(threads=options.threads, gpu_layers=options.gpu_layers)
    script = run_script(documents, out_dir, options, progress, slug=slug, llm=models.preloaded or (
        lambda fact_words: models.llm(options.model, context_for(fact_words, options.minutes))))
    result = EpisodeResult(script.folder, script)
    if render_options is not None:
        engine = models.engine(render_options.engine)
        result.render = render(script.folder, engine=engine, device=render_options.device, fmt=render_options.fmt,
                               music=render_options.music, on_clip=progress.clip, announce=progress.stage,
                               force=options.force)
    return result
