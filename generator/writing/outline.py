"""Outline: the episode's chapters, each a run of facts from the bank, with titles.

The program decides which facts are told and in what order (the bank's best
ones, in reading order, the opening's hook first); one JSON-constrained LLM call
names the subject, the episode and each chapter. A title that is not French, or
missing, falls back on the section heading the chapter's first fact sits under.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .factbank import Fact
from .grammar import GrammarChecker
from .guard import FrenchGuard
from .llm import LLM, purpose
from .passages import Passage
from .prompts import render
from .text import bad_elisions


@dataclass(frozen=True)
class Chapter:
    title: str
    facts: tuple[int, ...]      # fact ids, in the order the hosts tell them


@dataclass(frozen=True)
class Outline:
    subject: str
    title: str
    hook: int | None            # the opening's fact
    chapters: tuple[Chapter, ...]
    reserve: tuple[int, ...] = ()   # facts kept for extra exchanges when the script runs short
    questions: dict[int, str] = field(default_factory=dict)   # fact id -> the curious host's question

    @property
    def fact_ids(self) -> list[int]:
        return ([self.hook] if self.hook is not None else []) + [f for c in self.chapters for f in c.facts]


def outline_schema(n_chapters: int, n_questions: int) -> dict:
    text = {"type": "string"}
    return {
        "type": "object",
        "properties": {
            "sujet": text,
            "titre": text,
            "chapitres": {"type": "array", "minItems": n_chapters, "maxItems": n_chapters, "items": text},
            "questions": {"type": "array", "minItems": n_questions, "maxItems": n_questions, "items": text},
        },
        "required": ["sujet", "titre", "chapitres", "questions"],
    }


def clean_question(text: str, guard: FrenchGuard) -> str:
    """A question the curious host can ask as is, or "" (not French, not a question, too long)."""
    text = " ".join(str(text).split()).strip(" «»\"").lstrip(".,;:!?… ")     # measured: ". Quel est…"
    text = re.sub(r"^(?:question\s*\d*|q\d+)\s*[:.–—-]\s*", "", text, flags=re.I)
    if not text.endswith("?") or len(text.split()) > 20 or len(text.split()) < 3 or not guard.check(text).ok \
            or bad_elisions(text):
        return ""
    return text[:1].upper() + text[1:]


def chapters_for(minutes: float) -> int:
    """About one chapter per 75 s of audio, between 2 and 6."""
    return max(2, min(6, round(minutes * 0.8 + 0.6)))


# Measured: the model appends what it was asked for to the subject ("X : un plan d'épisode de podcast").
_META_TAIL = re.compile(r"\s*[:–—-]\s*(?:un |une |le |la |l')?(?:plan|épisode|podcast|résumé)\b.*$", re.I)


# Titles that name a place in the episode, not what it says: the model copies the prompt's labels.
_GENERIC = re.compile(r"^(?:ouverture|introduction|conclusion|partie|chapitre|groupe|point|section|titre|fin)\b"
                      r"[\s\d.:]*$", re.I)


MAX_TITLE_WORDS = 12


def clean_title(text: str) -> str:
    text = " ".join(str(text).replace("\n", " ").split()).strip(" .")
    text = re.sub(r"^(?:chapitre|partie|point)\s*\d*\s*[:.–—-]\s*", "", text, flags=re.I)
    # "1. Les clusters…": the chapter's number is the script's to add (measured: "## 1. 1. Les clusters").
    text = re.sub(r"^(?:\d{1,2}|[IVX]{1,4})\s*[.):–—-]\s+", "", text)
    text = _META_TAIL.sub("", text).strip(" .:«»\"")
    # A heading, not a summary: measured, "Le parcours de la Vélodyssée pour le mois de mai (75 kilomètres
    # par jour en moyenne, attention aux étapes…)". Asides go, then anything past the first clause.
    text = re.sub(r"\s*\([^)]*\)?\s*$|\s*\([^)]*\)", "", text).strip()
    if len(text.split()) > MAX_TITLE_WORDS:
        head = re.split(r"\s*[,:;–—]\s*", text)[0]
        text = head if len(head.split()) >= 3 else " ".join(text.split()[:MAX_TITLE_WORDS])
    return "" if _GENERIC.match(text) else text


def group_facts(facts: Sequence[Fact], n_chapters: int) -> list[list[Fact]]:
    """Facts (in the order given) cut into at most `n_chapters` runs of nearly equal size."""
    facts = list(facts)
    n = max(1, min(n_chapters, len(facts)))
    bounds = [round(k * len(facts) / n) for k in range(n + 1)]
    return [facts[bounds[k]:bounds[k + 1]] for k in range(n) if bounds[k] < bounds[k + 1]]


def make_outline(llm: LLM, facts: Sequence[Fact], passages: Sequence[Passage], *, hook: Fact | None,
                 n_chapters: int, seed: int, guard: FrenchGuard, reserve: Sequence[Fact] = (),
                 titles: Sequence[str] = (), attempts: int = 2, grammar: GrammarChecker | None = None) -> Outline:
    """Chapters from `facts` (reading order, hook apart); one LLM call names them."""
    body = [f for f in sorted(facts, key=lambda f: f.id) if hook is None or f.id != hook.id]
    groups = group_facts(body, n_chapters) or [[]]
    prompt = render("plan", hook=hook, groups=groups, titles=list(titles))
    sections = {p.id: p.section for p in passages}
    subject = title = ""
    names: list[str] = []
    questions: dict[int, str] = {}
    for attempt in range(attempts):
        with purpose("outline"):
            out = llm.complete([{"role": "user", "content": prompt}], schema=outline_schema(len(groups), len(body)),
                               temperature=max(0.2, 0.5 - 0.2 * attempt), seed=seed + attempt,
                               max_tokens=80 + 30 * len(groups) + 30 * len(body), repeat_penalty=1.1)
        data = out.json() or {}
        subject = clean_title(data.get("sujet", ""))
        title = clean_title(data.get("titre", ""))
        names = [clean_title(c) for c in data.get("chapitres", []) if isinstance(c, str)]
        asked = [clean_question(q, guard) for q in data.get("questions", []) if isinstance(q, str)]
        questions = {f.id: q for f, q in zip(body, asked) if q}
        if subject and guard.check(subject).ok and title and guard.check(title).ok:
            break
    chapters = []
    for i, group in enumerate(groups):
        name = names[i] if i < len(names) and names[i] and guard.check(names[i]).ok else ""
        heading = sections.get(group[0].passage) if group else None
        if not name and heading and guard.check(heading).ok:
            name = heading
        chapters.append(Chapter(name or f"Partie {i + 1}", tuple(f.id for f in group)))
    first = hook or (body[0] if body else None)
    if not subject or not guard.check(subject).ok:
        subject = sections.get(first.passage) if first else ""
        subject = subject or (" ".join(first.text.split()[:6]) if first else "ce document")
    if not title or not guard.check(title).ok:
        title = subject[:1].upper() + subject[1:]
    if grammar is not None:
        # Titles are read aloud as chapters and shown: Grammalecte's safe corrections apply to them too.
        subject, title = grammar.fix(subject)[0], grammar.fix(title)[0]
        chapters = [Chapter(grammar.fix(c.title)[0], c.facts) for c in chapters]
        questions = {k: grammar.fix(q)[0] for k, q in questions.items()}
    return Outline(subject, title, hook.id if hook else None, tuple(chapters), tuple(f.id for f in reserve),
                   questions)
