"""`causerie batch --ray`: the batch's documents made by the workers of a Ray cluster.

Each worker is a Ray actor holding its own `Models`: the LLM and the voice engine are loaded
once per worker and serve every document it is handed. The driver (this process) plans the batch
as a local one does — a document already finished under OUTDIR is not handed out — hands out one
document at a time to each idle worker, files the entries and rewrites batch-report.json. The
workers write under the same OUTDIR, which every node must see (a shared folder): the episode's
own resume (finished turns, clips, stages) is what makes a killed run cheap to run again.

A worker that dies (killed, out of memory) is replaced; its document is given once more to the
new worker, then reported as failed. Ctrl-C kills the workers before it reaches the caller.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .batch import Entry, Events, Plan, Task, convert
from .episode import EpisodeProgress, Models
from .errors import UserError

INSTALL = "--ray needs Ray: pip install 'causerie[ray]' (tools/setup.sh --test installs it)"
ATTEMPTS = 2                   # a dead worker's document is tried on one more worker, then reported
DEFAULT_CPUS = 4               # cores of a CPU worker when neither --cpus-per-worker nor --threads says
_POLL_S = 0.25                 # how often the driver relays the workers' progress


class EpisodeWorker:
    """One worker of the cluster: converts the documents it is handed, loading the models once."""

    def __init__(self, threads: int | None, gpus: float, gpu_layers: int | None, inbox) -> None:
        # A CPU worker keeps off the node's GPUs: they are other workers' (Ray hands them out).
        self.models = Models(threads=threads, gpu_layers=gpu_layers if gpus else 0)
        self.threads, self.gpus, self.inbox = threads, gpus, inbox

    def convert(self, task: Task, plan: Plan) -> Entry:
        render = plan.render_options
        if render is not None:
            # The voices share the worker's cores, not the node's; made while the script is written
            # only where the model is on a GPU (see `episode.overlap_pays`).
            render = replace(render, tts_threads=render.tts_threads or self.threads,
                             pipeline=render.pipeline if render.pipeline is not None else bool(self.gpus),
                             device="cpu" if not self.gpus and render.device == "auto" else render.device)
        return convert(task, replace(plan, render_options=render), self.models, _relay(self.inbox, task.index))


class Inbox:
    """The workers' progress events, kept until the driver collects them."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def push(self, event: tuple) -> None:
        self.events.append(event)

    def drain(self) -> list[tuple]:
        events, self.events = self.events, []
        return events


def _relay(inbox, index: int) -> EpisodeProgress:
    """An episode progress whose calls travel to the driver (fire and forget: Ray keeps their order)."""

    def send(kind: str, *args) -> None:
        inbox.push.remote((index, kind, args))

    return EpisodeProgress(stage=lambda message: send("stage", message),
                           turn=lambda i, n, turn: send("turn", i, n, turn),
                           clip=lambda i, n, cached: send("clip", i, n, cached))


def portable(plan: Plan) -> Plan:
    """The plan with its paths absolute: a worker's current folder is not the driver's."""
    model = plan.options.model
    if model and Path(model).expanduser().is_file():
        model = str(Path(model).expanduser().resolve())
    render = plan.render_options
    if render is not None:
        if render.music is not None:
            render = replace(render, music=Path(render.music).expanduser().resolve())
        if render.engine and Path(render.engine).expanduser().exists():     # a Coqui model folder
            render = replace(render, engine=str(Path(render.engine).expanduser().resolve()))
    return replace(plan, out_dir=plan.out_dir.resolve(), options=replace(plan.options, model=model),
                   render_options=render)


def _import_ray():
    try:
        import ray
    except ImportError:
        raise UserError(INSTALL) from None
    return ray


@dataclass
class Shape:
    """How many workers the cluster takes, and what each one holds."""

    workers: int
    cpus: float
    gpus: float
    threads: int | None

    def describe(self) -> str:
        each = f"{self.gpus:g} GPU" if self.gpus else f"{self.cpus:g} cœur(s)"
        return f"{self.workers} worker(s) de {each}"


def shape(nodes: Sequence[dict], gpus_per_worker: float | None, cpus_per_worker: int | None) -> Shape:
    """Workers from the alive nodes' resources: one per `gpus_per_worker` GPUs where there are GPUs,
    else one per `cpus_per_worker` cores (never more than the biggest node has, so one fits)."""
    resources = [n.get("Resources", {}) for n in nodes if n.get("Alive", True)]
    per_gpu = 1.0 if gpus_per_worker is None else gpus_per_worker
    if per_gpu > 0 and any(r.get("GPU", 0) for r in resources):
        count = sum(int(r.get("GPU", 0) // per_gpu) for r in resources)
        if count:
            return Shape(count, 1, per_gpu, cpus_per_worker)
    biggest = max((r.get("CPU", 0) for r in resources), default=0)
    if biggest < 1:
        raise UserError("the Ray cluster has no node with a CPU to run a worker on")
    cpus = max(1, min(cpus_per_worker or DEFAULT_CPUS, int(biggest)))
    return Shape(sum(int(r.get("CPU", 0) // cpus) for r in resources), cpus, 0.0, cpus)


@dataclass
class RayWorkers:
    """The `Workers` of a Ray cluster: `address` as `ray.init` takes it (None: $RAY_ADDRESS, else a
    local instance started for this batch and stopped after it, with `local_cpus` cores)."""

    address: str | None = None
    gpus_per_worker: float | None = None
    cpus_per_worker: int | None = None
    local_cpus: int | None = None
    announce: Callable[[str], None] = lambda line: None

    def __post_init__(self) -> None:
        _import_ray()          # say so before any document is read, not after

    def run(self, tasks: Sequence[Task], plan: Plan, events: Events) -> None:
        if not tasks:          # everything is finished: no cluster to start or join
            return
        ray = _import_ray()
        plan = portable(plan)
        started_here = self._connect(ray)
        actors: list = []               # every actor this batch started: its workers and their inbox
        try:
            self._run(ray, tasks, plan, events, actors)
        finally:
            for actor in actors:       # Ctrl-C included: no worker goes on writing after the driver
                with contextlib.suppress(Exception):       # a cluster already gone has nothing to kill
                    ray.kill(actor)
            if started_here:
                ray.shutdown()

    def _connect(self, ray) -> bool:
        if ray.is_initialized():
            return False
        # Offline by default: Ray's usage statistics would otherwise be sent from the cluster.
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        address = self.address or os.environ.get("RAY_ADDRESS") or None
        local = address is None
        try:
            with warnings.catch_warnings():     # Ray Client warns before it raises: one line is enough
                warnings.simplefilter("ignore")
                ray.init(address=address, num_cpus=self.local_cpus if local else None, include_dashboard=False,
                         log_to_driver=False, logging_level="ERROR", configure_logging=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise UserError(f"cannot reach the Ray cluster at {address}: {str(exc).splitlines()[0]} "
                            "(start one with `ray start --head`, or leave --address out for a local one)") from None
        self.announce(f"Ray : {'instance locale' if local else address}")
        return True

    def _run(self, ray, tasks: Sequence[Task], plan: Plan, events: Events, actors: list) -> None:
        layout = shape(ray.nodes(), self.gpus_per_worker, self.cpus_per_worker)
        if not layout.workers:
            raise UserError(f"no node of the Ray cluster has {layout.cpus:g} free cores for a worker")
        inbox = ray.remote(num_cpus=0)(Inbox).remote()
        actors.append(inbox)
        worker_class = ray.remote(num_cpus=layout.cpus, num_gpus=layout.gpus, max_restarts=0,
                                  max_task_retries=0)(EpisodeWorker)

        def spawn():
            actors.append(worker_class.remote(layout.threads, layout.gpus, plan.options.gpu_layers, inbox))
            return actors[-1]

        idle = [spawn() for _ in range(min(layout.workers, len(tasks)))]
        self.announce(f"Ray : {min(layout.workers, len(tasks))} sur {layout.describe()} pour {len(tasks)} document(s)")
        todo, attempts = deque(tasks), Counter()
        running: dict = {}                    # the convert call's ref -> (its worker, its task)
        progress: dict[int, EpisodeProgress] = {}     # of the documents started and not yet finished

        def relay() -> None:
            for index, kind, args in ray.get(inbox.drain.remote()):
                if index in progress:          # an event may arrive after its document's result
                    getattr(progress[index], kind)(*args)

        while todo or running:
            while idle and todo:
                task, actor = todo.popleft(), idle.pop()
                attempts[task.index] += 1
                if attempts[task.index] == 1:
                    events.started(task)
                    progress[task.index] = events.episode(task)
                running[actor.convert.remote(task, plan)] = (actor, task)
            ready, _ = ray.wait(list(running), num_returns=1, timeout=_POLL_S)
            relay()     # before the results: a document's last steps show before it is marked done
            for ref in ready:
                actor, task = running.pop(ref)
                try:
                    entry = ray.get(ref)
                    idle.append(actor)
                except ray.exceptions.RayActorError as exc:
                    actors.remove(actor)
                    idle.append(spawn())        # the retry goes to this new worker, not the dead one
                    if attempts[task.index] < ATTEMPTS:
                        todo.appendleft(task)
                        continue
                    entry = Entry.failed(task.job, f"its worker died {ATTEMPTS} times: {_why(exc)}", task.key)
                except ray.exceptions.RayError as exc:      # `convert` itself does not raise for a document
                    idle.append(actor)
                    entry = Entry.failed(task.job, f"internal error: {_why(exc)}", task.key)
                entry.attempts = attempts[task.index]
                progress.pop(task.index, None)
                events.finished(task, entry)


def _why(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0][:200] if lines else type(exc).__name__
