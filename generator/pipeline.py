"""Runs the stages for one episode: ingest → passages → outline → dialogue → script files.

Owns the episode folder: the slug, the reuse of a finished script, the report.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from . import report as episode_report
from .cost import Meter, peak_rss_mb
from .errors import IngestError
from .ingest import load_many
from .ingest.document import Document
from .retrieval import PassageIndex, open_index
from .writing import coverage, measures, text
from .writing.checkpoint import Checkpoint
from .writing.checks import CheckContext
from .writing.dialogue import MAX_EXTRA, DialogueOptions, DialogueWriter
from .writing.factbank import Fact, FactBank, build_fact_bank
from .writing.grammar import GrammarChecker
from .writing.grammar import available as grammar_available
from .writing.guard import FrenchGuard
from .writing.llm import LLM, LlamaCppLLM, LoggedLLM, Usage
from .writing.models import resolve
from .writing.outline import chapters_for, make_outline
from .writing.passages import Passage, split_passages
from .writing.plan import EXPLAINING, WORDS_PER_MINUTE, facts_needed, plan_turns, target_words
from .writing.prompts import render
from .writing.script import FactRecord, Host, PassageRecord, Script, Segment, SourceInfo, Turn, write_json
from .writing.translate import needs_translation, translate_facts

TOKENS_PER_WORD = 1.8   # French and English through Qwen/SmolLM tokenizers, rounded up
# Words of the fact bank per fact the episode tells: what the LLM reads, whatever the input size.
BANK_WORDS_PER_FACT = 32
# Passages the fact bank ranks statements from, per fact the episode tells (and at least): every
# sentence of them is embedded, so this bounds the bank's cost on a book (measured: 35 sentences/s).
POOL_PER_FACT, MIN_POOL = 4, 40
# Below this, the hosts would have nothing to explain: the episode would be invented.
MIN_WORDS = 80


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
    # The episode's folder, once the script is really written (not when a finished one is reused).
    writing: Callable[[Path], None] = lambda folder: None


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


def context_for(fact_words: int, minutes: float) -> int:
    """A context that holds system prompt + facts + the whole transcript, rounded up to 1024."""
    words = fact_words + minutes * WORDS_PER_MINUTE * 1.3
    tokens = int(words * TOKENS_PER_WORD) + 1500
    return max(2048, min(32768, -(-tokens // 1024) * 1024))


def fact_bank(docs: Sequence[Document], passages: Sequence[Passage], minutes: float,
              index: PassageIndex | None = None) -> FactBank:
    """The bank an episode of this length draws on: enough facts to tell, and a reserve.

    With an index, the statements come from `POOL_PER_FACT` representative passages per fact
    wanted, spread over every chapter: a book costs the same to rank as an article."""
    wanted = facts_needed(minutes) + MAX_EXTRA
    pool = index.representative(max(MIN_POOL, POOL_PER_FACT * wanted)) if index is not None else passages
    bank = build_fact_bank(pool, docs, budget_words=BANK_WORDS_PER_FACT * wanted, max_facts=wanted + 2)
    bank.passages_seen, bank.words_read = len(passages), sum(p.words for p in passages)
    return bank


def episode_facts(bank: FactBank, minutes: float) -> tuple[Fact | None, list[Fact], list[Fact]]:
    """(the opening's hook, the facts the plan tells, the reserve for extra exchanges)."""
    hook = bank.hook()
    ranked = [f for f in bank.facts if hook is None or f.id != hook.id]
    needed = facts_needed(minutes) - (1 if hook else 0)
    return hook, ranked[:needed], (ranked[needed:] + bank.reserve)[:MAX_EXTRA]


def write_script(docs: Sequence[Document], llm: LLM, options: ScriptOptions,
                 progress: Progress | None = None, passages: Sequence[Passage] | None = None,
                 checkpoint: Checkpoint | None = None, bank: FactBank | None = None) -> Script:
    """The writing stage on already-loaded documents and model; resumes from `checkpoint`."""
    progress = progress or Progress()
    checkpoint = checkpoint or Checkpoint(None, "")
    guard = FrenchGuard()
    passages = list(passages) if passages is not None else split_passages(docs)
    if bank is None:
        progress.stage("Banque de faits")
        bank = fact_bank(docs, passages, options.minutes)
    hook, told, reserve = episode_facts(bank, options.minutes)
    english_docs = {i for i, d in enumerate(docs) if d.language == "en"}
    translation_failures = 0
    saved = checkpoint.translations()
    wanted = [f.id for f in ([hook] if hook else []) + told + reserve]
    if saved is not None:
        bank = bank.replace_texts(saved)
    elif any(needs_translation(bank.by_id(i), english_docs) for i in wanted):
        progress.stage("Traduction des faits anglais")
        bank, translation_failures = translate_facts(llm, bank, wanted, guard, english_docs=english_docs,
                                                     seed=options.seed)
        checkpoint.save_translations({i: bank.by_id(i).text for i in wanted if bank.by_id(i).original})
    hook, told, reserve = (bank.by_id(hook.id) if hook else None, [bank.by_id(f.id) for f in told],
                           [bank.by_id(f.id) for f in reserve])
    facts = ([hook] if hook else []) + told + reserve

    grammar = GrammarChecker([h.name for h in options.hosts]) if grammar_available()[0] else None
    # The documents' titles are theirs too: "aux USA" in a title backs a host saying "USA".
    sources = [p.text for p in passages] + [f.text for f in facts] + [d.title for d in docs if d.title]
    translated = {f.text for f in facts if f.original}
    if grammar is not None:
        # Words the documents write are not misspelt; words of our own translations may be (measured:
        # « forcedés » in a translated fact passed the check, then the episode).
        grammar.add_known(w for s in sources for w in text.tokenize(s) if s not in translated)
    outline = checkpoint.outline()
    if outline is None:
        progress.stage("Plan de l'épisode")
        outline = make_outline(llm, told, passages, hook=hook, n_chapters=chapters_for(options.minutes),
                               seed=options.seed, guard=guard, reserve=reserve,
                               titles=[d.title for d in docs if d.title and d.kind != "chat"], grammar=grammar)
        checkpoint.save_outline(outline)
    plan = plan_turns(outline, facts, options.minutes)
    target = target_words(options.minutes)

    examples = render("exemples", a=options.hosts[0].name, b=options.hosts[1].name).splitlines()
    titles = [p for p in (outline.subject, *(c.title for c in outline.chapters)) if p and len(p.split()) <= 8]
    ctx = CheckContext(guard, options.hosts, outline.subject, sources,
                       examples=[line.split(":", 1)[-1] for line in examples], facts=facts, grammar=grammar,
                       originals=[p.text for p in passages] + [f.text for f in facts if not f.original],
                       shared_phrases=sorted(set(titles), key=len, reverse=True),
                       fact_phrases=sorted({i for f in facts for i in f.items}, key=len, reverse=True),
                       chat=any(d.kind == "chat" for d in docs))
    start, done, extra = checkpoint.turns()
    progress.stage("Écriture des répliques" + (f" (reprise à la réplique {len(done) + 1})" if done else ""))
    writer = DialogueWriter(llm, ctx, outline, facts, {p.id: p.text for p in passages},
                            DialogueOptions(seed=options.seed), chat=any(d.kind == "chat" for d in docs))
    writer.dropped = checkpoint.dropped()
    writer.fired.update(checkpoint.fired())
    writer.ladder.rungs.update(checkpoint.rungs())
    turns = writer.write(plan, target, on_turn=progress.turn, start=start, done=done, extra=extra,
                         on_step=lambda step, written, added: checkpoint.save_turns(
                             step, written, added, writer.dropped, dict(writer.fired), dict(writer.ladder.rungs)))

    by_id = {f.id: f for f in facts}
    segments = [Segment(id=i, title=c.title, fact=by_id[c.facts[0]].text if c.facts and c.facts[0] in by_id else "",
                        passages=sorted({by_id[f].passage for f in c.facts if f in by_id}),
                        word_budget=sum(t.words for t in plan if t.segment == i))
                for i, c in enumerate(outline.chapters)]
    segments.append(Segment(id=len(outline.chapters), title="En bref", word_budget=sum(
        t.words for t in plan if t.segment == len(outline.chapters))))
    used = {f.passage for f in facts} | {pid for t in turns for pid in t.sources}
    quality = script_quality(turns, options, passages, facts, ctx, writer, translation_failures)
    quality["grammar_checker"] = "grammalecte" if grammar is not None else grammar_available()[1]
    quality["fact_bank"] = {"statements": bank.candidates, "passages": bank.passages_seen,
                            "words_read": bank.words_read, "facts_told": len(told) + (1 if hook else 0),
                            "reserve": len(reserve)}
    return Script(
        title=outline.title, subject=outline.subject, hosts=list(options.hosts),
        sources=[SourceInfo(path=d.source, title=d.title, author=d.author, kind=d.kind, language=d.language,
                            words=d.words, redactions=d.redactions) for d in docs],
        passages=[PassageRecord(id=p.id, doc=p.doc, text=p.text, section=p.section, start=p.start,
                                position=p.position) for p in passages if p.id in used],
        facts=[FactRecord(id=f.id, text=f.text, passage=f.passage, items=list(f.items), original=f.original,
                          speaker=f.speaker) for f in sorted(facts, key=lambda f: f.id)],
        segments=segments, turns=turns,
        generation={"model": getattr(llm, "name", "?"), "seed": options.seed, "minutes": options.minutes,
                    "causerie": __version__, "llama_cpp": _llama_version()},
        quality=quality,
    )


def script_quality(turns: Sequence[Turn], options: ScriptOptions, passages: Sequence[Passage],
                   facts: Sequence[Fact], ctx: CheckContext, writer: DialogueWriter,
                   translation_failures: int) -> dict:
    """The figures `report.json` shows for the script: form, substance and what the checks did."""
    texts = [t.text for t in turns]
    spoken = text.minutes(texts, WORDS_PER_MINUTE)
    source_items = text.concrete_facts(" ".join([p.text for p in passages] + [f.text for f in facts]))
    said = text.Mentions(texts)
    items_said = sorted(i for i in source_items if said.fact(i))
    hosts = re.compile("|".join(rf"\b{re.escape(h.name)}\b" for h in options.hosts))
    factual = [t for t in turns if t.intent in EXPLAINING or text.concrete_facts(hosts.sub(" ", t.text))]
    statuses = [t.check.status for t in turns]
    return {
        "words": text.spoken_words(texts),
        "minutes": round(spoken, 2),
        "target_minutes": options.minutes,
        "copied_ratio": round(measures.copied_ratio(texts, [p.text for p in passages]), 4),
        "repeated_ratio": round(measures.repeated_ratio(texts), 4),
        "non_french_turns": sum(ctx.guard.check(t).reason in ("english", "english-words") for t in texts),
        "opening_concrete": measures.opening_is_concrete(texts[:2], ctx.subject_terms, ctx.items),
        "ends_with_goodbye": bool(turns) and turns[-1].intent == "conclusion" and not texts[-1].rstrip().endswith("?"),
        "facts_conveyed": len({f for t in turns for f in t.facts}),
        "source_items_said": len(items_said),
        "facts_per_minute": round(len(items_said) / spoken, 2) if spoken else 0.0,
        "factual_turns_cited": f"{sum(bool(t.sources) for t in factual)}/{len(factual)}",
        "turns": {s: statuses.count(s) for s in ("planned", "checked", "regenerated", "repaired", "fallback", "flagged")},
        # Planned turns left out or replaced (and why), resumed runs included.
        "dropped": writer.dropped,
        "checks_fired": dict(sorted(writer.fired.items(), key=lambda kv: -kv[1])),
        "ladder": ladder_outcomes(writer.ladder.rungs),
        "translation_failures": translation_failures,
    }


def ladder_outcomes(rungs: dict[str, int]) -> dict:
    """Each rung's tries and the turns it saved, and the same per check that sent a turn to it:
    a rung that rarely saves a turn after some failure costs a call for nothing."""
    out = {"first_tries": rungs.get("first", 0), "passed_first": rungs.get("first_ok", 0)}
    for rung in ("regenerate", "rewrite"):
        checks = sorted({k.split(":", 1)[1] for k in rungs if k.startswith(f"{rung}:")})
        out[rung] = {"tries": rungs.get(rung, 0), "saved": rungs.get(f"{rung}_ok", 0),
                     "after": {c: [rungs.get(f"{rung}:{c}", 0), rungs.get(f"{rung}_ok:{c}", 0)] for c in
                               sorted(checks, key=lambda c: -rungs.get(f"{rung}:{c}", 0))}}
    return out


def _llama_version() -> str:
    try:
        import llama_cpp
        return llama_cpp.__version__
    except ImportError:  # pragma: no cover - declared dependency
        return "?"


def load_llm(model: str | None, fact_words: int, options: ScriptOptions) -> LlamaCppLLM:
    name, path = resolve(model)
    return LlamaCppLLM(path, name=name, n_ctx=context_for(fact_words, options.minutes),
                       n_threads=options.threads, n_gpu_layers=options.gpu_layers)


# Gives the model for a script that needs this many words of facts in context; called only
# when a script is really written, so a finished one costs no model load.
LLMProvider = Callable[[int], LLM]


def check_enough_text(docs: Sequence[Document]) -> None:
    words = sum(d.words for d in docs)
    if words < MIN_WORDS:
        what = docs[0].source if len(docs) == 1 else f"{len(docs)} documents"
        raise IngestError(f"{what}: too little text for an episode ({words} word{'s' if words > 1 else ''}, "
                          f"at least {MIN_WORDS} needed) "
                          "— give a longer document or several at once")


def run_script(paths: Sequence[str | Path], out_dir: Path, options: ScriptOptions,
               progress: Progress | None = None, llm: LLM | LLMProvider | None = None,
               slug: str | None = None) -> ScriptResult:
    """`causerie script`: documents in, OUTDIR/<slug>/script.json + script.md + report.json out.

    `llm` is a loaded model, a provider called with the facts' word count, or None (load the
    one `options` names)."""
    progress = progress or Progress()
    timings: dict[str, float] = {}
    meter = Meter()
    start = time.perf_counter()
    progress.stage("Lecture des documents")
    docs = load_many(paths, redact=options.redact)
    check_enough_text(docs)
    timings["ingest_s"] = round(time.perf_counter() - start, 3)

    folder = out_dir / (slug or episode_slug(docs))
    t = time.perf_counter()
    passages = split_passages(docs)
    progress.stage(f"Index des passages ({len(passages)} passages, {sum(p.words for p in passages)} mots)")
    index, index_reused = open_index(folder / "index", passages)
    timings["index_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    progress.stage("Banque de faits")
    bank = fact_bank(docs, passages, options.minutes, index=index)
    timings["fact_bank_s"] = round(time.perf_counter() - t, 3)
    # The reuse check needs only the model's name: a finished script costs no model load.
    loaded = llm if hasattr(llm, "complete") else None
    model_name = getattr(loaded, "name", None) or resolve(options.model)[0]
    fingerprint = input_fingerprint(docs, options, model_name)
    existing = folder / "script.json"
    if existing.is_file() and not options.force:
        try:
            old = Script.load(existing)
            if old.generation.get("fingerprint") == fingerprint:
                return ScriptResult(folder, old, episode_report.read(folder), reused=True)
        except ValueError:
            pass  # unreadable old script: write a new one
    t = time.perf_counter()
    fact_words = sum(f.words for f in (*bank.facts, *bank.reserve))
    if loaded is None:
        progress.stage("Chargement du modèle")
        loaded = llm(fact_words) if llm is not None else load_llm(options.model, fact_words, options)
    llm = loaded
    timings["load_model_s"] = round(time.perf_counter() - t, 3)

    progress.writing(folder)
    t = time.perf_counter()
    log = folder / "llm-log.jsonl"
    checkpoint = Checkpoint(folder / ".progress.json", fingerprint)
    if options.force:
        checkpoint.clear()
        checkpoint = Checkpoint(folder / ".progress.json", fingerprint)
    if not checkpoint.resumed:
        log.unlink(missing_ok=True)
    # What a killed run left and this one did not redo.
    resumed = {"turns": len(checkpoint.turns()[1]), "outline": checkpoint.outline() is not None}
    before = (getattr(llm, "usage", None) or Usage()).copy()
    script = write_script(docs, LoggedLLM(llm, log), options, progress, passages=passages, checkpoint=checkpoint,
                          bank=bank)
    script.generation["fingerprint"] = fingerprint
    timings["write_s"] = round(time.perf_counter() - t, 3)
    script.save(folder)
    checkpoint.clear()

    # A model shared by several episodes counts for all of them: report this script's share.
    usage = (getattr(llm, "usage", None) or before) - before
    kept_tokens = llm.count_tokens("\n".join(t.text for t in script.turns)) if script.turns else 0
    model_turns = sum(t.check.status != "fallback" and t.check.attempts > 0 for t in script.turns)
    section = {
        **script.quality,
        "redactions": _sum_redactions(docs),
        "timings": timings,
        "resumed": resumed,
        "llm": {
            "model": getattr(llm, "name", "?"),
            "calls": usage.calls,
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "generation_s": round(usage.seconds, 2),
            "tokens_per_second": round(usage.tokens_per_second, 2),
            "truncated_outputs": usage.truncated,
            "device": getattr(llm, "device", "cpu"),
            "context": getattr(llm, "context_size", None),
            "threads": getattr(llm, "n_threads", None),
            # Of the tokens generated, the share spoken in the script (the rest: JSON, retries, repairs).
            "yield": round(kept_tokens / usage.completion_tokens, 3) if usage.completion_tokens else None,
            "calls_per_kept_turn": round(usage.calls / len(script.turns), 2) if script.turns else None,
            "turns_from_the_model": model_turns,
            "breakdown": usage.breakdown(),
        },
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "coverage": coverage.of_script(script, passages, bank.pool, index_reused=index_reused),
        "cost": meter.stop().as_dict(),
    }
    report = episode_report.update(folder, "script", section, episode=folder.name)
    return ScriptResult(folder, script, report, timings=timings)


def _sum_redactions(docs: Sequence[Document]) -> dict[str, int]:
    total: dict[str, int] = {}
    for doc in docs:
        for kind, n in doc.redactions.items():
            total[kind] = total.get(kind, 0) + n
    return total
