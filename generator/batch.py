"""`causerie batch`: one episode per document (or per folder), a bad one reported, the rest going on.

`OUTDIR/batch-report.json` is rewritten after every document, so a killed batch
loses at most the document in progress — and not even that: its finished turns and
clips are reused by the episode's own resume. A document whose inputs and settings
did not change since it finished is skipped without being read again.
"""

from __future__ import annotations

import glob
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from . import __version__
from .episode import EpisodeProgress, Models, RenderOptions, make_episode
from .errors import UserError
from .ingest import registry
from .ingest.pipeline import expand, hidden
from .pipeline import ScriptOptions, slugify
from .writing.script import write_json

REPORT = "batch-report.json"
_GLOB = set("*?[")
# Files a user may have meant as documents: listed as skipped rather than silently ignored.
_DOCUMENT_LIKE = {".doc", ".odt", ".rtf", ".epub", ".pptx", ".ppt", ".xlsx", ".xls", ".csv", ".json",
                  ".xml", ".tex", ".zip", ".pages"}


@dataclass
class Job:
    """One episode of the batch: its folder name under OUTDIR and the files it is made of."""

    name: str
    inputs: list[Path]


@dataclass
class Entry:
    name: str
    inputs: list[str]
    status: str                    # done | reused | failed | skipped
    seconds: float = 0.0
    error: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    minutes: float | None = None
    key: str | None = None
    attempts: int = 1               # 2: its first worker died and another made it

    @classmethod
    def failed(cls, job: Job, error: str | None = None, key: str | None = None) -> "Entry":
        """A job's entry before it is made, or when it could not be."""
        return cls(job.name, [str(p) for p in job.inputs], "failed", error=error, key=key)


@dataclass
class BatchResult:
    entries: list[Entry]
    seconds: float
    report: Path

    def count(self, *statuses: str) -> int:
        return sum(e.status in statuses for e in self.entries)

    @property
    def exit_code(self) -> int:
        return 1 if self.count("failed") else 0


def _matches(item: str) -> list[Path]:
    path = Path(item).expanduser()
    if path.exists() or not (_GLOB & set(item)):
        return [path]
    return [Path(p) for p in sorted(glob.glob(str(path), recursive=True))]


def discover(items: Sequence[str | Path], group: bool = False) -> tuple[list[Job], list[Entry]]:
    """(the jobs, the files left aside with why). Folders are searched recursively.

    Without `group` every document is its own episode; with it, the documents of one
    folder make one episode (a folder of notes, a chat export with its attachments)."""
    files: list[Path] = []
    aside: list[Entry] = []
    supported = set(registry.suffixes())
    for item in items:
        matches = _matches(str(item))
        if not matches or not any(p.exists() for p in matches):
            raise UserError(f"{item}: no such file or folder (nor any file matching it)")
        for path in matches:
            if path.is_dir():
                found = expand(path)
                files += found
                aside += [Entry(p.name, [str(p)], "skipped", error="format not supported")
                          for p in sorted(path.rglob("*")) if p.is_file() and p not in found
                          and not hidden(p, path)
                          and p.suffix.lower() not in supported and p.suffix.lower() in _DOCUMENT_LIKE]
            elif path.is_file():
                files.append(path)     # named explicitly: tried whatever its extension says
    unique = list(dict.fromkeys(p.resolve() for p in files))
    if not unique:
        raise UserError(f"no document found in {', '.join(map(str, items))} "
                        f"(supported: {registry.describe()})")
    if group:
        by_folder: dict[Path, list[Path]] = {}
        for p in unique:
            by_folder.setdefault(p.parent, []).append(p)
        named = [(folder.name, paths) for folder, paths in by_folder.items()]
    else:
        named = [(p.stem, [p]) for p in unique]
    jobs, taken = [], set()
    for stem, paths in named:
        name, n = slugify(stem), 2
        while name in taken:           # report.md in two folders: two episodes, two folders
            name, n = f"{slugify(stem)}-{n}", n + 1
        taken.add(name)
        jobs.append(Job(name, paths))
    return jobs, aside



def _output_settings(render_options: RenderOptions | None) -> dict | None:
    """The render settings the files depend on: not how the work is scheduled."""
    if render_options is None:
        return None
    return {k: v for k, v in asdict(render_options).items() if k not in ("pipeline", "tts_threads")}


def job_key(job: Job, options: ScriptOptions, render_options: RenderOptions | None, model_name: str) -> str:
    """What the episode depends on: the bytes of its files and every setting of the run."""
    digest = hashlib.sha256()
    for path in job.inputs:
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    settings = [options.minutes, options.seed, model_name, [h.name for h in options.hosts],
                options.redact, __version__, _output_settings(render_options)]
    digest.update(json.dumps(settings, default=str).encode())
    return digest.hexdigest()[:16]


def _previous(out_dir: Path) -> dict[str, dict]:
    try:
        data = json.loads((out_dir / REPORT).read_text(encoding="utf-8"))
        return {e["name"]: e for e in data.get("documents", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _finished(entry: dict | None, key: str) -> bool:
    return bool(entry and entry.get("status") in ("done", "reused") and entry.get("key") == key
                and all(Path(p).is_file() for p in entry.get("outputs", {}).values()))


def _outputs(result) -> dict[str, str]:
    folder = result.folder
    out = {"script": str(folder / "script.json"), "markdown": str(folder / "script.md"),
           "report": str(folder / "report.json")}
    if result.render is not None:
        out["audio"] = str(result.render.audio)
        out.update({p.suffix.lstrip("."): str(p) for p in result.render.subtitles})
    return out


def _minutes(result) -> float:
    if result.render is not None:
        return round(result.render.report["render"]["episode_seconds"] / 60, 2)
    return result.script.script.quality.get("minutes", 0.0)


@dataclass
class BatchProgress:
    """What the CLI shows; the batch calls these and never prints.

    `start` gets how many documents were started before this one, `done` how many are finished
    with this one: on several workers they finish in any order. `episode_of` gives a document its
    own episode progress when several are made at once (None: every document uses `episode`)."""

    start: Callable[[int, int, Job], None] = lambda started, n, job: None
    done: Callable[[int, int, Entry], None] = lambda finished, n, entry: None
    episode: EpisodeProgress = field(default_factory=EpisodeProgress)
    episode_of: Callable[[Job], EpisodeProgress] | None = None


@dataclass(frozen=True)
class Plan:
    """What every document of a batch shares: sent once with each document to whoever converts it."""

    out_dir: Path
    options: ScriptOptions
    render_options: RenderOptions | None


@dataclass(frozen=True)
class Task:
    """One document to convert: its place in the batch and the key its outputs will be filed under."""

    index: int
    job: Job
    key: str


def _os_error(exc: OSError) -> str:
    return f"{exc.strerror or exc}: {exc.filename or ''}".strip(": ")


def convert(task: Task, plan: Plan, models: Models, progress: EpisodeProgress | None = None) -> Entry:
    """One document to its batch entry. Never raises for the document's own faults: a bad
    document is a failed entry with its reason, so the batch goes on."""
    job, t = task.job, time.perf_counter()
    entry = Entry.failed(job, key=task.key)
    try:
        result = make_episode(job.inputs, plan.out_dir, plan.options, plan.render_options, models=models,
                              progress=progress, slug=job.name)
        entry.status = "reused" if result.reused else "done"
        entry.outputs, entry.minutes = _outputs(result), _minutes(result)
    except UserError as exc:
        entry.error = str(exc)
    except OSError as exc:
        entry.error = _os_error(exc)
    except Exception as exc:   # a bug on one document must not cost the others
        entry.error = f"internal error: {type(exc).__name__}: {exc}"
    entry.seconds = round(time.perf_counter() - t, 1)
    return entry


class Events:
    """The driver's side of a batch: workers say a document started or finished, the batch
    files its entry, rewrites batch-report.json and tells the progress."""

    def __init__(self, jobs: Sequence[Job], progress: BatchProgress, save: Callable[[], Path]) -> None:
        self.entries: list[Entry | None] = [None] * len(jobs)
        self.progress, self._save, self._n = progress, save, len(jobs)
        self._started = 0

    def episode(self, task: Task) -> EpisodeProgress:
        of = self.progress.episode_of
        return of(task.job) if of is not None else self.progress.episode

    def started(self, task: Task) -> None:
        self.progress.start(self._started, self._n, task.job)
        self._started += 1

    def finished(self, task: Task, entry: Entry) -> None:
        self.entries[task.index] = entry
        self._save()
        self.progress.done(sum(e is not None for e in self.entries), self._n, entry)


class Workers(Protocol):
    """Who converts the documents: this process, or a cluster (`generator.cluster`)."""

    def run(self, tasks: Sequence[Task], plan: Plan, events: Events) -> None: ...


@dataclass
class LocalWorkers:
    """This process, one document after the other, the models loaded once for all of them."""

    models: Models

    def run(self, tasks: Sequence[Task], plan: Plan, events: Events) -> None:
        for task in tasks:
            events.started(task)
            events.finished(task, convert(task, plan, self.models, events.episode(task)))


def run_batch(jobs: Sequence[Job], out_dir: Path, options: ScriptOptions,
              render_options: RenderOptions | None, *, aside: Sequence[Entry] = (),
              progress: BatchProgress | None = None, models: Models | None = None,
              workers: Workers | None = None) -> BatchResult:
    """Every job, by `workers` (this process by default); a failing one is reported with its reason
    and the batch goes on. A job finished with the same inputs and settings is not handed out."""
    progress = progress or BatchProgress()
    out_dir.mkdir(parents=True, exist_ok=True)
    if (out_dir / REPORT).exists() and not (out_dir / REPORT).is_file():
        raise UserError(f"{out_dir / REPORT} is not a file")
    models = models or Models(threads=options.threads, gpu_layers=options.gpu_layers)
    workers = workers or LocalWorkers(models)
    previous = _previous(out_dir)
    started = time.perf_counter()
    events: Events

    def entries() -> list[Entry]:
        return list(aside) + [e for e in events.entries if e is not None]

    def save() -> Path:
        done = entries()
        summary = {s: sum(e.status == s for e in done) for s in ("done", "reused", "failed", "skipped")}
        return write_json(out_dir / REPORT, {
            "causerie": __version__, "seconds": round(time.perf_counter() - started, 1), "summary": summary,
            "settings": {"minutes": options.minutes, "seed": options.seed, "model": options.model,
                         "script_only": render_options is None},
            "documents": [asdict(e) for e in done],
        })

    events = Events(jobs, progress, save)
    model_name = models.model_name(options.model)     # an unknown model is the run's error, not each document's
    tasks: list[Task] = []
    for i, job in enumerate(jobs):
        try:
            key = job_key(job, options, render_options, model_name)
        except OSError as exc:
            task = Task(i, job, "")
            events.started(task)
            events.finished(task, Entry.failed(job, _os_error(exc)))
            continue
        old = previous.get(job.name)
        if not options.force and _finished(old, key):
            task = Task(i, job, key)
            events.started(task)
            events.finished(task, Entry(**{**old, "status": "reused", "seconds": 0.0}))
        else:
            tasks.append(Task(i, job, key))
    workers.run(tasks, Plan(out_dir, options, render_options), events)
    return BatchResult(entries(), round(time.perf_counter() - started, 1), save())
