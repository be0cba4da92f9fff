"""`causerie ask`: the hosts answer a listener's question from the episode's documents.

The episode's passage index finds the passages that speak to the question. When none
does (the question's words are not in them, its names and numbers appear nowhere in
the documents, and no passage is close in meaning), the answer is an honest « les
documents n'en parlent pas », with no LLM call to tempt. Otherwise the model answers
from those passages only; the answer goes through the episode's checks (French,
persona, names and numbers in the sources, no contradiction), its first sentence must
already carry a fact of the passages, and when the model's answer fails, the best
passage sentence is said instead, attributed to its document. Saved as
ask-<n>.json / ask-<n>.md and spoken as ask-<n>.mp3 in the episode's voices.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .errors import UserError
from .retrieval import Hit, PassageIndex
from .retrieval.terms import terms
from .writing.checks import (CheckContext, ContradictionCheck, Draft, ElisionCheck, FrenchCheck, GroundingCheck,
                             OffSourceCheck, PersonaCheck, run_checks)
from .writing.guard import FrenchGuard
from .writing.ladder import cut_preamble, tidy
from .writing.llm import LLM, LoggedLLM, purpose
from .writing.plan import EXPERT, TurnSpec
from .writing.prompts import render
from .writing.script import Script, Turn, write_atomic, write_json
from .writing.text import STOPWORDS, concrete_facts, fold, is_prose, number_keys, sentences, split_words
from .writing.translate import translate_text

HITS = 4                 # passages the model reads: enough for an answer, a bounded prompt whatever the input
# A passage close in meaning answers even without a shared word (a French question, an English source);
# measured with e5: relevant 0.86–0.89, questions off the documents 0.75–0.81.
DENSE_ALONE = 0.84
SHARED_TERMS = 0.5       # or at least half the question's words are in the best passage
CHECKS = (FrenchCheck(), PersonaCheck(), GroundingCheck(), OffSourceCheck(), ContradictionCheck(), ElisionCheck())
# The answer first: asked for the verdict first, the small model said "present": false, then gave the right answer.
SCHEMA = {"type": "object", "properties": {"reponse": {"type": "string"}, "present": {"type": "boolean"}},
          "required": ["reponse", "present"]}


@dataclass
class Answer:
    number: int
    question: str
    answered: bool                     # False: the documents do not speak of it
    how: str                           # "model", "extract" (a passage sentence, attributed) or "absent"
    turns: list[Turn]
    cited: list[dict] = field(default_factory=list)     # the passages the answer rests on, with their place
    audio: str | None = None


def _folder(episode: Path) -> Path:
    folder = episode if episode.is_dir() else episode.parent
    if not (folder / "script.json").is_file():
        raise UserError(f"{episode}: not an episode folder (no script.json) — give the folder `causerie script` wrote")
    return folder


def load_episode(episode: Path) -> tuple[Path, Script, PassageIndex]:
    folder = _folder(Path(episode))
    script = Script.load(folder / "script.json")
    try:
        index = PassageIndex.load(folder / "index")
    except ValueError:
        raise UserError(f"{folder}: no passage index — run `causerie script` on its documents again "
                        "(episodes written before the index have none)") from None
    return folder, script, index


def next_number(folder: Path) -> int:
    taken = [int(m.group(1)) for p in folder.glob("ask-*.json") if (m := re.fullmatch(r"ask-(\d+)\.json", p.name))]
    return max(taken, default=0) + 1


def _backed(question: str, sources: str, numbers: set[str]) -> bool:
    """Every name and number of the question appears somewhere in the documents."""
    for item in concrete_facts(question):
        if any(c.isdigit() for c in item):
            if not number_keys(item, spelled=False) <= numbers:
                return False
        elif fold(item) not in sources:
            return False
    return True


def _best_sentence(question: str, hits: list[Hit], index: PassageIndex) -> tuple[str, Hit] | None:
    """The passage sentence that answers best: question words shared, then closeness in meaning."""
    # A table or a command line read out is no answer (measured: a version table was once said).
    pairs = [(s, h) for h in hits for s in sentences(h.passage.text) if 5 <= len(s.split()) <= 45 and is_prose(s)]
    if not pairs:
        return None
    asked = set(terms(question))
    vectors = index.embedder.passages([s for s, _ in pairs])
    closeness = vectors @ index.embedder.queries([question])[0]
    shared = np.array([len(asked & set(terms(s))) / max(1, len(asked)) for s, _ in pairs])
    concrete = np.array([bool(concrete_facts(s)) for s, _ in pairs], dtype=float)
    best = int(np.argmax(shared + closeness + 0.1 * concrete))
    return pairs[best]


def _precise(sentence: str, evidence: str) -> bool:
    """The sentence carries a fact of the evidence: one of its numbers or names, or three words of one of
    its sentences ("C'est une excellente question sur le four" carries none)."""
    numbers, folded = number_keys(evidence, spelled=False), fold(evidence)
    for item in concrete_facts(sentence):
        keys = number_keys(item, spelled=False)
        if (keys and keys <= numbers) or (not keys and fold(item) in folded):
            return True
    said = set(terms(sentence))
    return any(len(said & set(terms(s))) >= 3 for s in sentences(evidence))


class Asker:
    """Answers questions about one episode; the model is loaded once for an interactive session."""

    def __init__(self, episode: Path, llm: LLM | None, *, seed: int = 42) -> None:
        self.folder, self.script, self.index = load_episode(episode)
        # Every call is logged beside the episode's own, for inspection.
        self.llm = LoggedLLM(llm, self.folder / "ask-llm-log.jsonl") if llm is not None else None
        self.seed = seed
        self.curious, self.expert = (h.name for h in self.script.hosts[:2])
        texts = [p.text for p in self.index.passages] + [f.text for f in self.script.facts]
        self.sources = fold(" ".join(texts))
        self.numbers = number_keys(" ".join(texts), spelled=False)
        self.guard = FrenchGuard()
        self.ctx = CheckContext(self.guard, tuple(self.script.hosts[:2]), self.script.subject, texts)

    def _place(self, hit: Hit) -> dict:
        p = hit.passage
        source = self.script.sources[p.doc] if p.doc < len(self.script.sources) else None
        return {"passage": p.id, "document": (source.title or source.path) if source else "", "section": p.section,
                "position": p.position, "text": p.text}

    def _answerable(self, question: str, hits: list[Hit]) -> bool:
        if not hits or not _backed(question, self.sources, self.numbers):
            return False
        asked = set(terms(question))
        top = hits[0]
        shared = len(asked & set(terms(top.passage.text))) / max(1, len(asked))
        return shared >= SHARED_TERMS or top.scores.get("dense", 0.0) >= DENSE_ALONE

    def _checked(self, text: str) -> bool:
        spec = TurnSpec(EXPERT, "explication", 0, (), 60)
        return not run_checks(Draft(text, spec), self.ctx, CHECKS)

    def _from_model(self, question: str, hits: list[Hit], evidence: str) -> str | None:
        prompt = render("reponse", expert=self.expert, title=self.script.title, question=question,
                        extraits=[h.passage.text for h in hits])
        for attempt, temperature in enumerate((0.3, 0.6)):
            with purpose("answer"):
                out = self.llm.complete([{"role": "user", "content": prompt}], schema=SCHEMA,
                                        temperature=temperature, seed=self.seed + attempt, max_tokens=220,
                                        repeat_penalty=1.1)
            data = out.json() or {}
            text = cut_preamble(tidy(str(data.get("reponse", "")), [self.curious, self.expert]),
                                [self.curious, self.expert])
            said = sentences(text)
            # The first sentence is the answer: "c'est une excellente question" is cut, not spoken.
            while said and not _precise(said[0], evidence):
                said.pop(0)
            text = " ".join(said[:3])
            if len(text.split()) >= 5 and self._checked(text):
                return text       # a precise, checked answer stands even where the model said "not present"
            if data.get("present") is False and not said:
                return None
        return None

    def _extract(self, sentence: str, hit: Hit) -> str:
        source = self.script.sources[hit.passage.doc] if hit.passage.doc < len(self.script.sources) else None
        said = sentence
        if source is not None and source.language == "en" and self.llm is not None:
            said, ok = translate_text(self.llm, sentence, self.guard, seed=self.seed)
            if not ok:
                return f"Le document « {source.title} » en parle en anglais, au passage {hit.passage.id}."
        where = f"« {source.title} »" if source and source.title else "le document"
        first = split_words(said)[:1]
        if first and fold(first[0]) in STOPWORDS:      # "Le four…" -> "d'après X, le four…"; a name keeps its capital
            said = said[:1].lower() + said[1:]
        return f"D'après {where}, {said}"

    def answer(self, question: str) -> Answer:
        question = " ".join(question.split())
        if len(terms(question)) == 0:
            raise UserError("the question is empty or has no word to look for — ask about the episode's documents")
        hits = self.index.search(question, k=HITS)
        asking = Turn(speaker=self.curious, text=f"Une question d'un auditeur : {question}", segment=0,
                      intent="question")
        number = next_number(self.folder)
        best = _best_sentence(question, hits, self.index) if self._answerable(question, hits) else None
        if best is not None:
            sentence, hit = best
            cited = [hit] + [h for h in hits[:2] if h.passage.id != hit.passage.id]
            evidence = " ".join(h.passage.text for h in hits)
            text = self._from_model(question, hits, evidence) if self.llm is not None else None
            how = "model" if text else "extract"
            text = text or self._extract(sentence, hit)
            if text:
                reply = Turn(speaker=self.expert, text=text, segment=0, intent="explication",
                             sources=[h.passage.id for h in cited])
                return Answer(number, question, True, how, [asking, reply], [self._place(h) for h in cited])
        # The documents' own titles: the episode's title is the model's wording (measured: « Un énergie… »).
        titles = list(dict.fromkeys(s.title or s.path for s in self.script.sources))[:3] or [self.script.title]
        reply = Turn(speaker=self.expert, segment=0, intent="explication",
                     text="Les documents n'en parlent pas, et je préfère ne rien inventer : ils portent sur "
                          + " et ".join(f"« {t} »" for t in titles) + ".")
        return Answer(number, question, False, "absent", [asking, reply])

    def save(self, answer: Answer) -> tuple[Path, Path]:
        stem = self.folder / f"ask-{answer.number}"
        data = {"format": "causerie.ask/1", **asdict(answer), "turns": [t.model_dump() for t in answer.turns],
                "model": getattr(self.llm, "name", None)}
        json_path = write_json(stem.with_suffix(".json"), data)
        lines = [f"# Question {answer.number}", ""] + [f"**{t.speaker}** : {t.text}" + "\n" for t in answer.turns]
        for n, c in enumerate(answer.cited, 1):
            where = f"« {c['section']} », " if c["section"] else ""
            lines.append(f"[{n}] {c['document']} — {where}passage {c['passage']}, à {round(c['position'] * 100)} % "
                         "du document")
        md_path = write_atomic(stem.with_suffix(".md"), "\n".join(lines).rstrip() + "\n")
        return json_path, md_path

    def speak(self, answer: Answer, engine) -> Path:
        """ask-<n>.mp3 in the hosts' voices (clips shared with the episode's cache)."""
        from .audio import export, mix_episode
        from .render import speak_turns

        clips, *_ = speak_turns(answer.turns, self.script.hosts, engine, self.folder / "clips")
        mixed = mix_episode(clips, sample_rate=24000, stereo=True, jingles=False)
        path = export(mixed, self.folder / f"ask-{answer.number}.mp3",
                      tags={"title": f"{self.script.title} — question {answer.number}", "language": "fre"})
        answer.audio = path.name
        self.save(answer)
        return path


def episode_engine(folder: Path, name: str | None):
    """The speech engine that voiced the episode (same voices), else the one asked, else the best usable."""
    from . import report as episode_report
    from .speech import engine as engines

    used = episode_report.read(folder).get("render", {}).get("engine")
    engine = engines.get(name) if name else (engines.get(used) if used else engines.best_available())
    ok, why = engine.available()
    if not ok:
        raise UserError(f"speech engine '{engine.name}' is not usable: {why} — or pass --no-audio")
    return engine


def episode_model(script: Script) -> str | None:
    return script.generation.get("model") or None


__all__ = ["Answer", "Asker", "episode_engine", "episode_model", "load_episode"]
