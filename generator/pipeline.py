"""Runs the stages for one episode: ingest → passages → outline → dialogue → script files.

Owns the episode folder: the slug, the reuse of a finished script, the report.
"""

from __future__ import annotations

import hashlib
import json
import re
import resource
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .ingest import load_many
from .ingest.document import Document
from .writing import checks
from .writing.checkpoint import Checkpoint
from .writing.dialogue import DialogueOptions, DialogueWriter
from .writing.guard import FrenchGuard
from .writing.llm import LLM, LlamaCppLLM, LoggedLLM
from .writing.models import resolve
from .writing.outline import make_outline, points_for
from .writing.passages import Passage, select_passages, split_passages
from .writing.plan import WORDS_PER_MINUTE, plan_turns
from .writing.script import Host, Script, Segment, SourceInfo, write_json
from .writing.translate import translate_passages

# Words of source shown to the model: what a 1.5B model on 2 cores reads in ~20 s.
PASSAGE_BUDGET_WORDS = 900
TOKENS_PER_WORD = 1.8   # French and English through Qwen/SmolLM tokenizers, rounded up


@dataclass(frozen=True)
class ScriptOptions:
    hosts: tuple[Host, Host]
    minutes: float = 3.0
    seed: int = 42
    model: str | None = None
    threads: int | None = None
    gpu_layers: int | None = None
    redact: bool = True
    force: bool = False


@dataclass
class Progress:
    """What the CLI shows; the pipeline calls these and never prints."""

    stage: Callable[[str], None] = lambda message: None
    turn: Callable[[int, int, object], None] = lambda i, n, turn: None


@dataclass
class ScriptResult:
    folder: Path
    script: Script
    report: dict
    reused: bool = False
    timings: dict = field(default_factory=dict)


def slugify(text: str, max_len: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_len].rstrip("-") or "episode"


def episode_slug(docs: Sequence[Document]) -> str:
    base = slugify(Path(docs[0].source).stem)
    return base if len(docs) == 1 else f"{base}-et-{len(docs) - 1}-autres"


def input_fingerprint(docs: Sequence[Document], options: ScriptOptions, model_name: str) -> str:
    """Same inputs + settings + model → same fingerprint → the finished script is reused."""
    digest = hashlib.sha256()
    for doc in docs:
        digest.update(doc.text.encode("utf-8"))
    settings = [options.minutes, options.seed, model_name, [h.name for h in options.hosts], __version__]
    digest.update(json.dumps(settings).encode())
    return digest.hexdigest()[:16]


def context_for(passages: Sequence[Passage], minutes: float) -> int:
    """A context that holds system prompt + sources + the whole transcript, rounded up to 1024."""
    words = sum(p.words for p in passages) + minutes * WORDS_PER_MINUTE * 1.3
    tokens = int(words * TOKENS_PER_WORD) + 1500
    return max(2048, min(32768, -(-tokens // 1024) * 1024))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_script(docs: Sequence[Document], llm: LLM, options: ScriptOptions,
                 progress: Progress | None = None, passages: Sequence[Passage] | None = None,
                 checkpoint: Checkpoint | None = None) -> Script:
    """The writing stage on already-loaded documents and model; resumes from `checkpoint`."""
    progress = progress or Progress()
    checkpoint = checkpoint or Checkpoint(None, "")
    guard = FrenchGuard()
    if passages is None:
        passages = select_passages(split_passages(docs), PASSAGE_BUDGET_WORDS)
    english_docs = {i for i, d in enumerate(docs) if d.language == "en"}
    translation_failures = 0
    saved_passages = checkpoint.passages()
    if saved_passages is not None:
        passages = saved_passages
    elif english_docs & {p.doc for p in passages}:
        progress.stage("Traduction des extraits anglais")
        passages, translation_failures = translate_passages(
            llm, passages, guard, english_docs=english_docs, seed=options.seed)
        checkpoint.save_passages(list(passages))
    outline = checkpoint.outline()
    if outline is None:
        progress.stage("Plan de l'épisode")
        outline = make_outline(llm, passages, n_points=points_for(options.minutes), seed=options.seed,
                               guard=guard, english=bool(english_docs))
        checkpoint.save_outline(outline)
    plan = plan_turns(outline, options.minutes)
    target = round(options.minutes * WORDS_PER_MINUTE)
    start, done, extra = checkpoint.turns()
    progress.stage("Écriture des répliques" + (f" (reprise à la réplique {len(done) + 1})" if done else ""))
    writer = DialogueWriter(llm, guard, options.hosts, outline, passages,
                            DialogueOptions(seed=options.seed), chat=any(d.kind == "chat" for d in docs))
    writer.dropped = checkpoint.dropped()
    turns = writer.write(plan, target, on_turn=progress.turn, start=start, done=done, extra=extra,
                         on_step=lambda step, written, added: checkpoint.save_turns(
                             step, written, added, writer.dropped))

    segments = [Segment(id=i, title=p.title, fact=p.fact, passages=[p.passage], word_budget=sum(
        t.words for t in plan if t.segment == i)) for i, p in enumerate(outline.points)]
    segments.append(Segment(id=len(outline.points), title="En bref", word_budget=sum(
        t.words for t in plan if t.segment == len(outline.points))))
    texts = [t.text for t in turns]
    statuses = [t.check.status for t in turns]
    quality = {
        "words": checks.spoken_words(texts),
        "minutes": round(checks.minutes(texts, WORDS_PER_MINUTE), 2),
        "target_minutes": options.minutes,
        "copied_ratio": round(checks.copied_ratio(texts, [p.text for p in passages]), 4),
        "repeated_ratio": round(checks.repeated_ratio(texts), 4),
        "non_french_turns": sum(guard.check(t).reason in ("english", "english-words") for t in texts),
        "opening_concrete": checks.opening_is_concrete(texts[:2], writer.subject_terms, writer.facts),
        "turns": {s: statuses.count(s) for s in ("checked", "regenerated", "repaired", "flagged")},
        # Planned turns left out (repeats, unusable, alternation), resumed runs included.
        "dropped": writer.dropped,
        "translation_failures": translation_failures,
    }
    return Script(
        title=outline.title, subject=outline.subject, hosts=list(options.hosts),
        sources=[SourceInfo(path=d.source, title=d.title, kind=d.kind, language=d.language,
                            words=d.words, redactions=d.redactions) for d in docs],
        passages={p.id: p.text for p in passages}, segments=segments, turns=turns,
        generation={"model": getattr(llm, "name", "?"), "seed": options.seed, "minutes": options.minutes,
                    "causerie": __version__, "llama_cpp": _llama_version()},
        quality=quality,
    )


def _llama_version() -> str:
    try:
        import llama_cpp
        return llama_cpp.__version__
    except ImportError:  # pragma: no cover - declared dependency
        return "?"


def load_llm(model: str | None, passages: Sequence[Passage], options: ScriptOptions) -> LlamaCppLLM:
    name, path = resolve(model)
    return LlamaCppLLM(path, name=name, n_ctx=context_for(passages, options.minutes),
                       n_threads=options.threads, n_gpu_layers=options.gpu_layers)


def run_script(paths: Sequence[str | Path], out_dir: Path, options: ScriptOptions,
               progress: Progress | None = None, llm: LLM | None = None) -> ScriptResult:
    """`causerie script`: documents in, OUTDIR/<slug>/script.json + script.md + report.json out."""
    progress = progress or Progress()
    timings: dict[str, float] = {}
    start = time.perf_counter()
    progress.stage("Lecture des documents")
    docs = load_many(paths, redact=options.redact)
    timings["ingest_s"] = round(time.perf_counter() - start, 3)

    passages = select_passages(split_passages(docs), PASSAGE_BUDGET_WORDS)
    folder = out_dir / episode_slug(docs)
    t = time.perf_counter()
    if llm is None:
        progress.stage("Chargement du modèle")
        llm = load_llm(options.model, passages, options)
    timings["load_model_s"] = round(time.perf_counter() - t, 3)
    fingerprint = input_fingerprint(docs, options, getattr(llm, "name", "?"))
    existing = folder / "script.json"
    if existing.is_file() and not options.force:
        try:
            old = Script.load(existing)
            if old.generation.get("fingerprint") == fingerprint:
                report = json.loads((folder / "report.json").read_text(encoding="utf-8")) \
                    if (folder / "report.json").is_file() else {}
                return ScriptResult(folder, old, report, reused=True)
        except ValueError:
            pass  # unreadable old script: write a new one

    t = time.perf_counter()
    log = folder / "llm-log.jsonl"
    checkpoint = Checkpoint(folder / ".progress.json", fingerprint)
    if options.force:
        checkpoint.clear()
        checkpoint = Checkpoint(folder / ".progress.json", fingerprint)
    if not checkpoint.resumed:
        log.unlink(missing_ok=True)
    script = write_script(docs, LoggedLLM(llm, log), options, progress, passages=passages, checkpoint=checkpoint)
    script.generation["fingerprint"] = fingerprint
    timings["write_s"] = round(time.perf_counter() - t, 3)
    script.save(folder)
    checkpoint.clear()

    usage = getattr(llm, "usage", None)
    report = {
        "episode": folder.name,
        "script": {
            **script.quality,
            "redactions": _sum_redactions(docs),
            "timings": timings,
            "llm": {
                "model": getattr(llm, "name", "?"),
                "calls": usage.calls if usage else 0,
                "prompt_tokens": usage.prompt_tokens if usage else 0,
                "completion_tokens": usage.completion_tokens if usage else 0,
                "generation_s": round(usage.seconds, 2) if usage else 0,
                "tokens_per_second": round(usage.tokens_per_second, 2) if usage else 0,
                "truncated_outputs": usage.truncated if usage else 0,
            },
            "peak_rss_mb": round(peak_rss_mb(), 1),
        },
    }
    write_json(folder / "report.json", report)
    return ScriptResult(folder, script, report, timings=timings)


def _sum_redactions(docs: Sequence[Document]) -> dict[str, int]:
    total: dict[str, int] = {}
    for doc in docs:
        for kind, n in doc.redactions.items():
            total[kind] = total.get(kind, 0) + n
    return total
