"""One retry ladder for every turn, like whisper's temperature fallback.

write → cheap repairs (labels, preambles, sentences said twice or resting on nothing,
Grammalecte's safe corrections) → checks → regenerate once with the reasons in the
prompt (cooler when the line was unusable, warmer when it repeated) → rewrite the best
attempt: with a French repair prompt; English words alone: French equivalents asked
word by word; a line that only read the sources out: reworded without the sources in
view (and without the regeneration, which reads them again) → give up: the driver
drops the turn, or uses a fallback that keeps the episode whole.

The ladder never prints and never decides the conversation: it returns a `Rung`
(the text, how it ended, the failures on the way) and counts every failure in
`fired`, which the report shows per check.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .checks import UNUSABLE, WARMER, CheckContext, Draft, Failure, contradicted, off_source, restated, run_checks
from .measures import repeated_ratio
from .llm import LLM, Message, purpose
from .plan import TurnSpec
from .prompts import render
from .script import Turn
from .text import sentences
from .translate import apply_glossary


@dataclass(frozen=True)
class LadderOptions:
    seed: int = 42
    temperature: float = 0.7
    temperature_step: float = 0.2
    repeat_penalty: float = 1.15


@dataclass
class Rung:
    text: str | None                 # None: nothing usable, the driver drops or replaces the turn
    status: str                      # "checked", "regenerated", "repaired", "flagged", "dropped"
    attempts: int
    reasons: list[str] = field(default_factory=list)    # "1:echo,fact", "repair:grammar"
    failures: list[Failure] = field(default_factory=list)   # of the best attempt, when dropped
    best: str = ""                   # the least bad attempt, when dropped


def turn_schema(speaker: str, spec: TurnSpec | None = None) -> dict:
    """The JSON a turn must be; `x-causerie` says what the turn is for (the grammar ignores it, the
    call log and test doubles read it: a fake model answers by the request's structure, not its wording)."""
    schema = {
        "type": "object",
        "properties": {"locuteur": {"type": "string", "enum": [speaker]}, "texte": {"type": "string"}},
        "required": ["locuteur", "texte"],
    }
    if spec is not None:
        schema["x-causerie"] = {"intent": spec.intent, "facts": [f.id for f in spec.facts]}
    return schema


_QUOTES = "«»\"“”„'‘’ "
_META_PREFIX = re.compile(
    r"^(?:(?:bien sûr|d'accord|voici|ok)[^:.!?]{0,60}(?:réplique|réponse|dialogue)[^:]{0,40}:\s*)", re.I)


def tidy(text: str, names: Sequence[str]) -> str:
    """Remove what small models wrap around a line: labels, quotes, markdown, meta preambles, ids."""
    text = " ".join(text.replace("*", "").split())
    text = _META_PREFIX.sub("", text)
    for _ in range(2):
        for name in names:
            text = re.sub(rf"^\s*{re.escape(name)}\s*(?:\([^)]*\))?\s*:\s*", "", text)
        text = text.strip().lstrip("-–— ").strip()
        if len(text) > 1 and text[0] in "«\"“" and text[-1] in "»\"”":
            text = text[1:-1].strip()
    text = re.sub(r"\s*\[\d+\]", "", text).strip()   # source ids echoed from the prompt
    text = re.sub(r"[{}\[\]]+$", "", text).strip()     # JSON debris after the last word
    text = re.sub(r"([?!.])(?:\s*\1)+", r"\1", text)   # "? ?" -> "?"
    return text.strip(_QUOTES) if text.count("«") != text.count("»") else text.strip()


# Sentences a small model opens a line with that say nothing to the listener: a chat assistant's
# "Bien sûr, je peux vous répondre.", a greeting or a self-introduction after the opening.
_PREAMBLE = re.compile(
    r"^(?:(?:bien s[ûu]r|d'accord|entendu|avec plaisir|ok|oui|tout à fait)(?:\s*,?\s*\w+)?\s*[,!.]\s*)?"
    r"(?:(?:bien s[ûu]r|d'accord|entendu|absolument)(?:,? {names})?|"
    r"je (?:comprends|réponds à)(?: parfaitement| bien| très bien)?(?: (?:votre|ta|la|cette) (?:question|réponse))?(?:,? {names})?|"
    r"(?:c'est une |quelle )?(?:excellente|bonne|très bonne) question(?:,? {names})?|merci pour (?:cette|ta|votre) question|"
    r"voici (?:quelques|les|des) (?:points|éléments|"
    r"informations|chiffres|faits)[^:.!?]*|"
    r"je (?:peux|vais|voudrais) (?:maintenant )?(?:vous |te )?(?:aider|répondre|expliquer|résumer|parler|présenter|"
    r"reformuler)|je vais (?:maintenant )?(?:vous |te )?expliquer comment [^.!?:]*|"
    r"je vais (?:maintenant )?(?:conclure|terminer|finir)[^.!?]*"
    r"(?: à (?:ta|votre|cette) question)?|(?:bonjour|bonsoir|salut)(?: \w+)?|je suis {names}\b[^.!?]*|"
    r"je m'appelle [^.!?]*)\s*[.!?…:]+\s*", re.I)


# The same as a clause (measured three times in one chat episode: "Je peux vous dire que l'étape entre Nantes
# et Pornic fait 95 kilomètres"): what follows "que" is the line.
_PREAMBLE_CLAUSE = re.compile(r"^(?:(?:en effet|oui|bien s[ûu]r|alors)\s*,?\s*)?je (?:peux|vais|voudrais|dois) "
                              r"(?:vous |te )?(?:dire|expliquer|préciser|rappeler|répondre) (?:que |qu')", re.I)


def cut_preamble(text: str, names: Sequence[str]) -> str:
    """The line without an opening sentence that carries nothing (kept when nothing else is left)."""
    if (m := _PREAMBLE_CLAUSE.match(text)) and len((rest := text[m.end():]).split()) >= 5:
        text = rest[:1].upper() + rest[1:]
    pattern = re.compile(_PREAMBLE.pattern.replace("{names}", "(?:" + "|".join(map(re.escape, names)) + ")"), re.I)
    for _ in range(3):
        cut = pattern.sub("", text, count=1).strip()
        if cut == text or len(cut.split()) < 5:
            break
        text = cut[:1].upper() + cut[1:]
    return text


def cut_introductions(text: str, names: Sequence[str]) -> str:
    """Sentences where a host introduces themselves or recites their role, anywhere in the line."""
    who = "|".join(map(re.escape, names))
    intro = re.compile(rf"^(?:(?:et )?(?:moi,? )?je suis (?:{who})\b|je m'appelle\b|moi,? c'est (?:{who})\b|"
                       rf"(?:{who}),? (?:l'esprit|l'expert)\b)", re.I)
    kept = [s for s in sentences(text, any_case=True) if not intro.match(s)]
    return " ".join(kept) if kept and len(" ".join(kept).split()) >= 4 else text


_TEXT_FIELD = re.compile(r'"texte"\s*:\s*"((?:[^"\\]|\\.)*)')


def salvage(raw: str, min_words: int = 8) -> str | None:
    """The complete sentences of a JSON answer cut at the token limit, or None when too little is left."""
    m = _TEXT_FIELD.search(raw)
    if not m:
        return None
    try:
        partial = json.loads(f'"{m.group(1)}"')
    except ValueError:
        partial = m.group(1)
    whole = sentences(partial, any_case=True)
    if whole and not whole[-1].rstrip().endswith((".", "!", "?", "…")):
        whole = whole[:-1]
    text = " ".join(whole)
    return text if len(text.split()) >= min_words else None


_ENDED = re.compile(r"[.!?…][»\"”')\]]*\s*$")


def finish_sentences(text: str, min_words: int = 8) -> str:
    """The line without a last sentence the model left unfinished when it closed the JSON (measured:
    « … mais souvent est » with finish_reason "stop"), when enough is left; a line of one sentence
    stays for the checks to judge."""
    if not text or _ENDED.search(text):
        return text
    whole = sentences(text, any_case=True)
    if len(whole) < 2:
        return text
    kept = " ".join(whole[:-1])
    return kept if len(kept.split()) >= min_words else text


def trim_to(text: str, max_words: int) -> str:
    """Cut an over-long line at the last sentence end within `max_words` (never mid-sentence)."""
    words = text.split()
    if len(words) <= max_words:
        return text
    head = " ".join(words[:max_words])
    cut = max(head.rfind(". "), head.rfind("! "), head.rfind("? "), head.rfind("… "))
    return head[:cut + 1] if cut > len(head) // 3 else text


# Failures of a line that only reads the sources out (Grammalecte may also stumble on their names).
READ_OUT = frozenset({"copied", "grammar"})


def _names(failures: Sequence[Failure]) -> set[str]:
    return {f.check for f in failures}


class Ladder:
    def __init__(self, llm: LLM, ctx: CheckContext, options: LadderOptions = LadderOptions(),
                 checks: Sequence | None = None) -> None:
        self.llm = llm
        self.ctx = ctx
        self.options = options
        self.checks = checks
        self.fired: Counter[str] = Counter()
        # What each rung was tried for and how often it saved the turn ("regenerate:fact",
        # "regenerate_ok:fact", …): the calls a rung costs against the turns it keeps.
        self.rungs: Counter[str] = Counter()

    # ------------------------------------------------------------ one attempt
    def _ask(self, messages: list[Message], spec: TurnSpec, temperature: float, seed: int,
             words: int) -> tuple[str, list[Failure]]:
        speaker = self.ctx.speaker(spec).name
        out = self.llm.complete(messages, schema=turn_schema(speaker, spec), temperature=temperature, seed=seed,
                                max_tokens=int(words * 4) + 64, repeat_penalty=self.options.repeat_penalty)
        data = out.json()
        said = data.get("texte") if isinstance(data, dict) else None
        if out.truncated:
            # Cut at the token limit: keep the whole sentences written before it, when there are enough.
            said = salvage(out.text)
            if said is None:
                return "", [Failure("truncated")]
        elif not isinstance(said, str):
            return "", [Failure("invalid-json")]
        text = tidy(said, [h.name for h in self.ctx.hosts])
        names = [h.name for h in self.ctx.hosts]
        text = cut_introductions(text, names)
        if spec.intent != "accroche":
            text = cut_preamble(text, names)
        text = finish_sentences(text)
        return trim_to(text, max(int(words * 1.6), 12)), []

    def repair(self, text: str, spec: TurnSpec | None = None, done: Sequence[Turn] = ()) -> str:
        """The corrections that need no model: sentences said twice (in the line, or already in the
        episode), resting on nothing in the sources or saying the opposite of a fact are cut (when enough
        is left), then Grammalecte's safe suggestions."""
        if spec is not None and spec.explaining and text:
            kept: list[str] = []
            earlier = [t.text for t in done] if spec.intent != "recapitulatif" else []
            for sentence in sentences(text, any_case=True):
                if off_source(sentence, self.ctx) or contradicted(sentence, self.ctx, spec.facts) \
                        or any(repeated_ratio([k, sentence]) for k in kept) or restated(sentence, earlier):
                    continue
                kept.append(sentence)
            if kept and len(" ".join(kept).split()) >= 8:
                text = " ".join(kept)
        if self.ctx.grammar is not None and text:
            text, _ = self.ctx.grammar.fix(text)
        return text

    def check(self, text: str, spec: TurnSpec, done: Sequence[Turn]) -> list[Failure]:
        kwargs = {} if self.checks is None else {"checks": self.checks}
        failures = run_checks(Draft(text, spec, done), self.ctx, **kwargs)
        self.fired.update(f.check for f in failures)
        return failures

    def _attempt(self, messages, spec, done, temperature, seed, words, label: str = "turn",
                 aside: bool = False) -> tuple[str, list[Failure]]:
        with purpose(label, aside=aside):
            text, failed = self._ask(messages, spec, temperature, seed, words)
        if failed:
            self.fired.update(f.check for f in failed)
            return text, failed
        text = self.repair(text, spec, done)
        return text, self.check(text, spec, done)

    def _count(self, rung: str, failures: set[str], saved: bool) -> None:
        self.rungs[rung] += 1
        self.rungs[f"{rung}_ok"] += saved
        for check in failures:
            self.rungs[f"{rung}:{check}"] += 1
            self.rungs[f"{rung}_ok:{check}"] += saved

    # ------------------------------------------------------------ the ladder
    def run(self, spec: TurnSpec, done: Sequence[Turn], messages: list[Message], words: int, seed: int,
            feedback: Callable[[TurnSpec, list[Failure]], str], repair_prompt: Callable[[TurnSpec, str, list[Failure]], str],
            retries: bool = True) -> Rung:
        """`retries=False`: one attempt, for turns whose fallback is better than a second try."""
        opts = self.options
        reasons: list[str] = []
        temperature = opts.temperature
        text, failed = self._attempt(messages, spec, done, temperature, seed, words)
        self.rungs["first"] += 1
        if not failed:
            self.rungs["first_ok"] += 1
            return Rung(text, "checked", 1, reasons)
        reasons.append("1:" + ",".join(sorted(_names(failed))))
        if not retries:
            return Rung(None, "dropped", 1, reasons, failed, text)
        candidates = [(text, failed)]
        rung = 1
        if not (text and _names(failed) <= READ_OUT):
            # Regenerate once, the reasons appended (the cached prompt prefix is kept). A line that only
            # read the sources out goes straight to the rewrite: asked again, it reads them again.
            step = opts.temperature_step if _names(failed) & WARMER and not _names(failed) & UNUSABLE else \
                -opts.temperature_step
            temperature = round(min(1.1, max(0.1, temperature + step)), 2)
            retry = [messages[0], {"role": "user", "content": messages[-1]["content"] + "\n\n" + feedback(spec, failed)}]
            first = _names(failed)
            text, failed = self._attempt(retry, spec, done, temperature, seed + 1, words, "regenerate")
            self._count("regenerate", first, not failed)
            rung = 2
            if not failed:
                return Rung(text, "regenerated", 2, reasons)
            reasons.append("2:" + ",".join(sorted(_names(failed))))
            candidates.append((text, failed))

        # Rewrite the least bad attempt.
        best, best_failed = min(candidates, key=lambda c: (not c[0], bool(_names(c[1]) & UNUSABLE), len(c[1])))
        rung += 1
        if best and "english-words" in _names(best_failed) and _names(best_failed) <= {"english-words", "grammar"}:
            # English words (which Grammalecte also calls misspelt): French ones, asked word by word.
            fixed = self.repair(apply_glossary(self.llm, best, self.ctx.guard, seed=seed + 70), spec, done)
            bad = self.check(fixed, spec, done)
        elif best and _names(best_failed) <= READ_OUT:
            # Said again without the sources in view: the model can only reword what the line says.
            prompt = render("paraphrase", speaker=self.ctx.speaker(spec).name, text=best)
            fixed, bad = self._attempt([{"role": "user", "content": prompt}], spec, done, 0.6, seed + 50, words,
                                       "paraphrase", aside=True)
        elif best:
            prompt = repair_prompt(spec, best, best_failed)
            fixed, bad = self._attempt([messages[0], {"role": "user", "content": prompt}], spec, done, 0.3,
                                       seed + 50, words, "repair", aside=True)
        else:
            fixed, bad = "", best_failed
        if best:
            self._count("rewrite", _names(best_failed), bool(fixed and not bad))
        if fixed and not bad:
            return Rung(fixed, "repaired", rung, reasons)
        reasons.append("repair:" + ",".join(sorted(_names(bad))))
        if fixed and len(bad) < len(best_failed):
            best, best_failed = fixed, bad
        return Rung(None, "dropped", rung, reasons, best_failed, best)
