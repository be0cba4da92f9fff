"""One episode, documents to audio: the script stage, then the render stage, each reused when done.

`script`, `render`, `generate` and `batch` all go through `make_episode`. Resuming
is the stages' own: the script's checkpoint (every finished turn), the clip cache
(every rendered line) and the report's keys (a finished stage is not redone).
Models are loaded lazily, once per process, and shared by every episode of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import report as episode_report
from .cost import Meter
from .pipeline import Progress, ScriptOptions, ScriptResult, context_for, run_script
from .render import ClipPrefetch, RenderResult, render
from .writing.llm import LLM, LlamaCppLLM
from .writing.models import resolve


@dataclass(frozen=True)
class RenderOptions:
    engine: str | None = None      # None: the best engine usable now
    device: str = "auto"
    fmt: str = "mp3"
    music: Path | None = None
    # Voices made while the script is written (each line as soon as it passes the checks), not after;
    # None: when it pays (see `overlap_pays`).
    pipeline: bool | None = None
    tts_threads: int | None = None      # CPU threads of the voice engine; None: its own default


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

    def release_llm(self) -> None:
        """Unloads the model: a single episode's render does not need it (measured: a 5-minute episode
        peaked at 4.1 GB with the model still mapped during the voices and the mix, 2.6 GB without)."""
        self._llm = None
        import gc

        gc.collect()

    def engine(self, name: str | None):
        from .speech import engine as engines

        if name not in self._engines:
            self._engines[name] = engines.get(name) if name else engines.best_available()
        return self._engines[name]


def overlap_pays(llm_threads: int | None, gpu_layers: int | None, tts_threads: int | None) -> bool:
    """Whether the voices should be made while the model writes.

    Measured on 2 cores (bench/RESULTS.md, "Speed"): the model and Kokoro each on 2 threads
    together took 80 s for what they do one after the other in 66 s (llama.cpp's threads wait
    spinning for a core); on 1 thread each they share nothing, but the model alone is 1.7× slower.
    So they overlap only where the voices get cores the model does not use: the model on a GPU,
    or more cores than the model's threads."""
    from .writing.llm import default_threads, gpu_offload_supported

    if gpu_layers != 0 and gpu_offload_supported():
        return True
    cores = default_threads()
    return cores >= (llm_threads or cores) + (tts_threads or 1)


def make_episode(documents: Sequence[str | Path], out_dir: Path, options: ScriptOptions,
                 render_options: RenderOptions | None = None, *, models: Models | None = None,
                 progress: EpisodeProgress | None = None, slug: str | None = None) -> EpisodeResult:
    """Documents in, OUT/<slug>/ with script.json, script.md, report.json and (unless
    `render_options` is None) the episode audio, subtitles and chapters.

    With `render_options.pipeline`, the voice engine speaks each accepted line on a thread of its
    own while the model writes the next; the render then finds its clips made."""
    progress = progress or EpisodeProgress()
    own_models = models is None     # nobody else will use the model: it goes before the voices
    models = models or Models(threads=options.threads, gpu_layers=options.gpu_layers)
    meter = Meter()
    engine = prefetch = None
    script_progress = progress
    if render_options is not None:
        engine = models.engine(render_options.engine)
        if hasattr(engine, "device"):
            engine.device = render_options.device
        if render_options.tts_threads and hasattr(engine, "threads"):
            engine.threads = render_options.tts_threads
        pipeline = render_options.pipeline
        if pipeline is None:
            pipeline = overlap_pays(options.threads, options.gpu_layers, render_options.tts_threads)
        if pipeline and engine.available()[0]:
            def start_voices(folder: Path) -> None:
                nonlocal prefetch
                prefetch = ClipPrefetch(engine, options.hosts, folder / "clips")

            def on_turn(i: int, n: int, turn) -> None:
                progress.turn(i, n, turn)
                if turn is not None and prefetch is not None:
                    prefetch.submit(turn.speaker, turn.text)

            script_progress = replace(progress, turn=on_turn, writing=start_voices)
    try:
        script = run_script(documents, out_dir, options, script_progress, slug=slug, llm=models.preloaded or (
            lambda fact_words: models.llm(options.model, context_for(fact_words, options.minutes))))
    finally:
        tail_s = prefetch.close() if prefetch is not None else 0.0
    result = EpisodeResult(script.folder, script)
    if render_options is None:
        return result
    if own_models:
        models.release_llm()
    result.render = render(script.folder, engine=engine, device=render_options.device, fmt=render_options.fmt,
                           music=render_options.music, on_clip=progress.clip, announce=progress.stage,
                           force=options.force)
    if not result.reused:
        made = result.render.report.get("render", {})
        during = prefetch.synthesized if prefetch is not None else 0
        cost = meter.stop()
        audio_s = made.get("episode_seconds") or 0.0
        section = {
            "pipelined": prefetch is not None,
            "clips_made_while_writing": during,
            "synthesis_while_writing_s": round(prefetch.synthesis_s, 2) if prefetch is not None else 0.0,
            "voices_load_s": round(prefetch.load_s, 2) if prefetch is not None else made.get("engine_load_s"),
            "voices_tail_s": round(tail_s, 2),      # waited for the last lines after the script was done
            "script_s": script.timings.get("write_s"),
            "audio_s": audio_s,
            # Wall time per second of audio: under 1, the episode is made faster than it plays.
            "wall_per_audio_s": round(cost.wall_s / audio_s, 3) if audio_s else None,
            "cost": cost.as_dict(),
        }
        result.render.report = episode_report.update(script.folder, "production", section)
    return result
