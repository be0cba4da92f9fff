"""Outline: the points an episode covers, each tied to a fact and a source passage.

One JSON-constrained LLM call proposes the points; the program validates them
(passage ids exist, facts appear in French) and falls back on the passages
themselves when the model gives too little.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .checks import concrete_facts
from .guard import FrenchGuard
from .llm import LLM
from .passages import Passage
from .prompts import render


@dataclass(frozen=True)
class Point:
    title: str
    fact: str
    passage: int


@dataclass(frozen=True)
class Outline:
    subject: str
    title: str
    points: tuple[Point, ...]


def outline_schema(n_points: int) -> dict:
    text = {"type": "string"}
    return {
        "type": "object",
        "properties": {
            "sujet": text,
            "titre": text,
            "points": {
                "type": "array", "minItems": n_points, "maxItems": n_points,
                "items": {
                    "type": "object",
                    "properties": {"titre": text, "fait": text, "extrait": {"type": "integer"}},
                    "required": ["titre", "fait", "extrait"],
                },
            },
        },
        "required": ["sujet", "titre", "points"],
    }


def points_for(minutes: float) -> int:
    """About one point per 75 s of audio, between 2 and 6."""
    return max(2, min(6, round(minutes * 0.8 + 0.6)))


# Measured: the model appends what it was asked for to the subject ("X : un plan d'épisode de podcast").
_META_TAIL = re.compile(r"\s*[:–—-]\s*(?:un |une |le |la |l')?(?:plan|épisode|podcast|résumé)\b.*$", re.I)


def _clean(text: str) -> str:
    text = " ".join(str(text).replace("\n", " ").split()).strip(" .")
    return _META_TAIL.sub("", text).strip(" .:")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


FACT_MAX_WORDS = 15


def shorten(fact: str, max_words: int = FACT_MAX_WORDS) -> str:
    """Keep the clause of a long 'fact' that holds the most numbers and names.

    Measured: the 1.5B model often returns a whole source sentence as the fact, and
    the hosts then repeat that sentence turn after turn.
    """
    if len(fact.split()) <= max_words:
        return fact
    clauses = [c.strip() for c in re.split(r"[,;:]|\s(?:et|mais|car|qui|dont)\s", fact) if c.strip()]
    best = max(clauses, key=lambda c: (len(concrete_facts(c)), -len(c)), default=fact)
    return " ".join(best.split()[:max_words])


def concretise(point: Point, passages: Sequence[Passage]) -> Point:
    """A point whose 'fact' names no number, date, place or person gets the passage's most factual sentence.

    Measured: the 1.5B model often returns a principle ("concentrer la lumière…") as the
    fact, and the opening then stays vague.
    """
    if concrete_facts(point.fact):
        return Point(point.title, shorten(point.fact), point.passage)
    passage = next((p for p in passages if p.id == point.passage), None)
    if passage is None:
        return point
    best = max(_sentences(passage.text), key=lambda s: (len(concrete_facts(s)), -len(s)), default="")
    if not concrete_facts(best) or len(best.split()) > 25:
        return point
    return Point(point.title, shorten(best.rstrip(".")), point.passage)


def _fallback_point(p: Passage) -> Point:
    first = re.split(r"(?<=[.!?])\s", p.text, maxsplit=1)[0]
    return Point(title=" ".join(first.split()[:8]), fact=first, passage=p.id)


def make_outline(llm: LLM, passages: Sequence[Passage], *, n_points: int, seed: int,
                 guard: FrenchGuard, english: bool = False, attempts: int = 3) -> Outline:
    ids = {p.id for p in passages}
    prompt = render("plan", passages=passages, n_points=n_points, english=english)
    best: Outline | None = None
    for attempt in range(attempts):
        out = llm.complete([{"role": "user", "content": prompt}], schema=outline_schema(n_points),
                           temperature=max(0.2, 0.6 - 0.2 * attempt), seed=seed + attempt,
                           max_tokens=120 + 110 * n_points, repeat_penalty=1.1)
        data = out.json()
        if not data:
            continue
        points = []
        for item in data.get("points", []):
            title, fact = _clean(item.get("titre", "")), _clean(item.get("fait", ""))
            passage = item.get("extrait") if item.get("extrait") in ids else None
            if title and fact and passage is not None:
                points.append(Point(title, fact, passage))
        candidate = Outline(_clean(data.get("sujet", "")), _clean(data.get("titre", "")), tuple(points))
        french = candidate.subject and all(guard.check(text).ok for text in [
            candidate.title, *(f"{p.title}. {p.fact}" for p in points)])
        if len(points) >= min(2, n_points) and french:
            best = candidate
            break
        if best is None or len(candidate.points) > len(best.points):
            best = candidate
    return _complete(best, passages, n_points, guard)


def _complete(outline: Outline | None, passages: Sequence[Passage], n_points: int,
              guard: FrenchGuard) -> Outline:
    """Fill a thin outline from unused passages so the episode always has its points."""
    outline = outline or Outline("", "", ())
    points = list(outline.points)
    used = {p.passage for p in points}
    for p in passages:
        if len(points) >= n_points:
            break
        if p.id not in used:
            points.append(_fallback_point(p))
            used.add(p.id)
    subject = outline.subject or (points[0].title if points else "ce document")
    title = outline.title if outline.title and guard.check(outline.title).ok else ""
    title = title or subject[:1].upper() + subject[1:]
    return Outline(subject, title, tuple(concretise(p, passages) for p in points[:n_points]))
