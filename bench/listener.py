"""What a listener gets from an episode, measured from script.json and its sources.

A measuring tool, not a second guard: its rules are written here, on their own, from what
a person notices (issue "Substance"), and only share the project's tokenisation, number and
name extraction and Grammalecte. Usage:

    .venv/bin/python bench/listener.py EPISODE_DIR [EPISODE_DIR...]   # one JSON object per episode
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.ingest import load  # noqa: E402
from generator.writing import grammar, measures, text  # noqa: E402
from generator.writing.guard import FrenchGuard  # noqa: E402
from generator.writing.script import Script  # noqa: E402

META = re.compile(
    r"\br[ée]pliques?\b|\bconsignes?\b|\b(?:l'|cet |ces |les |un |mon |selon l')(?:extrait|passage)s?\b|"
    r"\bqui (?:m'|vous |nous |t')?a été présenté|\ben tant qu'(?:ia|assistant)|\bvoici (?:ma|la) réponse\b|"
    r"\bcomment (?:puis-je|est-ce que je peux) (?:vous|t') ?aider\b|\bje suis (?:toujours )?là pour (?:vous|t') ?aider\b|"
    r"\bn'hésitez pas à me\b|\bje (?:peux|vais) (?:vous )?(?:aider|répondre)\b|\bje m'appelle\b|"
    r"\bje suis (?:le|la) (?:nouveau |nouvelle )?(?:directeur|directrice|président|ministre|fondateur|chercheur)|"
    r"\bmon retour se situe\b|\b(?:les|des) (?:commentaires|réponses) précédent(?:e)?s\b|\bje vais bien,? merci\b|"
    r"\b(?:je peux|je vais) (?:améliorer|reformuler|corriger|réécrire) (?:ce|le) (?:texte|passage)\b",
    re.I)
GREETING = re.compile(r"^(?:bonjour|bonsoir|salut|bienvenue)\b|\b(?:ravie?|un plaisir) de (?:vous|te) rencontrer\b",
                      re.I)
GOODBYE = re.compile(r"au revoir|à (?:très )?bient[ôo]t|à la prochaine|à (?:très )?vite|merci de nous avoir|"
                     r"merci à vous", re.I)


def documents_of(script: Script, folder: Path) -> list[str]:
    """The documents' whole text, re-read from disk when they are still there, else the cited passages."""
    texts = []
    for info in script.sources:
        path = Path(info.path)
        for candidate in (path, REPO / path, folder / path):
            if candidate.exists():
                texts.append(load(candidate).text)
                break
    return texts or [p.text for p in script.passages]


def opening_named(first: list[str], items: set[str], subject: str) -> bool:
    """The first two turns name a number, date, place or name of the sources beyond the subject's own words."""
    subject_words = {text.fold(w) for w in text.tokenize(subject)}
    beyond = [i for i in items if not all(text.fold(w) in subject_words for w in text.tokenize(i))]
    said = text.Mentions(first)
    return any(said.fact(i) for i in beyond)


def measure(folder: Path) -> dict:
    script = Script.load(folder / "script.json")
    turns = script.turns
    said = [t.text for t in turns]
    documents = documents_of(script, folder)
    # What may be said: the documents, and the facts as the hosts were given them (translations).
    sources = documents + [f.text for f in script.facts]
    joined = " ".join(sources)
    hosts = {text.fold(h.name) for h in script.hosts}
    host_re = re.compile("|".join(rf"\b{re.escape(h.name)}\b" for h in script.hosts))
    source_words = {text.fold(w) for w in text.tokenize(joined)}
    source_words |= {p for w in list(source_words) for p in re.split(r"[-']", w) if p}
    source_numbers = text.number_keys(joined)

    echo = meta = unanswered = 0
    absent: list[str] = []
    for k, turn in enumerate(turns):
        previous = turns[k - 1] if k else None
        if previous is not None:
            mine, theirs = text.stems(turn.text), text.stems(previous.text)
            asked_back = previous.text.rstrip().endswith("?") and turn.text.rstrip().endswith("?") \
                and len(mine & theirs) >= 0.5 * max(1, len(mine))
            if asked_back or (len(mine) >= 4 and len(mine & theirs) >= 0.7 * len(mine)):
                echo += 1
        if META.search(turn.text) or (k > 1 and GREETING.search(turn.text)):
            meta += 1
        if turn.text.rstrip().endswith("?"):
            nxt = turns[k + 1] if k + 1 < len(turns) else None
            if nxt is None or nxt.speaker == turn.speaker or nxt.text.rstrip().endswith("?"):
                unanswered += 1
        for number in text.number_keys(turn.text) - source_numbers:
            if not (number.isdigit() and int(number) <= 10):
                absent.append(number)
        # Names, and any word capitalised mid-sentence ("l'Antarctique" is a dictionary word too).
        spoken = host_re.sub(" ", turn.text)
        for name in text.names(spoken) | text.capitalised_words(spoken):
            words = [text.fold(w) for w in re.findall(r"[^\W\d_]+", name) if len(w) > 1]
            if words and not all(w in source_words or w in hosts or w == "causerie" for w in words):
                absent.append(name)

    minutes = text.minutes(said)
    items = text.concrete_facts(joined)
    mentioned = text.Mentions(said)
    conveyed = sorted(i for i in items if mentioned.fact(i))
    subject = {text.fold(w) for w in text.tokenize(script.subject or "")}

    def claims(t) -> bool:
        # A number or name beyond the hosts' and the subject's own ("merci, à bientôt sur le four
        # d'Odeillo" claims nothing); a fixed line of the templates carries no source data at all.
        named = [i for i in text.concrete_facts(host_re.sub(" ", t.text))
                 if not {text.fold(w) for w in text.tokenize(i)} <= subject]
        return bool(named) or (t.intent in ("accroche", "presentation", "explication", "recapitulatif")
                               and t.check.status != "fallback")
    factual = [t for t in turns if claims(t)]
    errors = words = 0
    if grammar.available()[0]:
        checker = grammar.GrammarChecker([h.name for h in script.hosts])
        # The documents' words, and the facts' unless we translated them (a translation may misspell).
        checker.add_known(text.tokenize(" ".join(documents + [f.text for f in script.facts if not f.original])))
        for t in said:
            errors += len(checker.errors(t))
    words = text.spoken_words(said)
    guard = FrenchGuard()
    target = script.generation.get("minutes") or script.quality.get("target_minutes") or minutes
    last = turns[-1] if turns else None
    return {
        "episode": folder.name,
        "turns": len(turns),
        "minutes": round(minutes, 2),
        "length_vs_target": round(minutes / target, 2) if target else None,
        "echo_turns": echo,
        "meta_turns": meta,
        "unanswered_questions": unanswered,
        "absent_from_sources": sorted(set(absent)),
        "source_facts_said": len(conveyed),
        "facts_per_minute": round(len(conveyed) / minutes, 2) if minutes else 0.0,
        "closing": bool(last and last.intent == "conclusion" and GOODBYE.search(last.text)
                        and not last.text.rstrip().endswith("?")),
        "grammar_errors_per_100_words": round(100 * errors / words, 2) if words else 0.0,
        "factual_turns_citing": round(sum(bool(t.sources) for t in factual) / len(factual), 3) if factual else 1.0,
        "non_french_turns": sum(guard.check(t).reason in ("english", "english-words") for t in said),
        "copied": round(measures.copied_ratio(said, documents), 4),     # the documents' own words
        "repeated": round(measures.repeated_ratio(said), 4),
        "concrete_opening": opening_named(said[:2], items, script.subject),
    }


def main() -> None:
    for folder in sys.argv[1:]:
        print(json.dumps(measure(Path(folder)), ensure_ascii=False))


if __name__ == "__main__":
    main()
