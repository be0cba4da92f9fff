"""Writes the dialogue one turn at a time, checking each turn before the next.

Every turn goes through the same ladder, like whisper's temperature fallback:
write → check → rewrite with the reason in the prompt (cooler when the model
strayed from French or into meta talk, warmer when it copied or looped) →
repair with a French rewrite prompt → for English words left, French
equivalents asked word by word; for a line that still repeats or copies, its
new sentences only, else one more try steered to a source fact nobody said,
else left out → keep and flag (mandatory turns) or leave out (optional ones).
`Turn.check` records which rung it ended on; `DialogueWriter.dropped` the turns
left out. A turn left out never makes one host speak twice in a row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from .checks import (SourceIndex, concrete_facts, copied_runs, facts_in_order, ngrams, opening_is_concrete,
                     repeats_previous, unsaid_facts)
from .guard import FrenchGuard
from .llm import LLM, Message
from .outline import Outline, Point
from .passages import Passage
from .plan import MAX_WORDS, MIN_WORDS, TurnSpec
from .prompts import render
from .script import Host, Turn, TurnCheck
from .translate import apply_glossary

# Problems that make a line unusable on air, as opposed to merely imperfect.
UNUSABLE = {"empty", "truncated", "invalid-json", "refusal", "meta", "english", "echo"}
# Failures a lower temperature cures (the model strayed); for copying and looping a
# lower temperature makes things worse, so those are retried warmer, as whisper does.
COOLER = UNUSABLE | {"english-words", "echo"}
# Failures that say again what a host or a source already said: measured on the 1.5B model, a
# fourth try on the same prompt loops again, so such a line is cut down, steered or left out.
LOOPING = {"repeated", "copied"}
# When a turn left out would make one host speak twice, these change speaker; the others are left out too.
CLOSING = ("recapitulatif", "conclusion")
# Subject, point titles and facts up to this length may recur verbatim without counting as copying.
SHARED_MAX_WORDS = 8
# Question/detail exchanges added when the script runs short: at least this many, and as many
# as the word budget holds (one per EXCHANGE_WORDS of target), since some are left out.
MAX_EXTRA_EXCHANGES = 3
EXCHANGE_WORDS = 60
# An exchange is added while the words written plus the closing's nominal length stay under this
# share of the target: measured, recap and conclusion come out shorter than asked, or are left out.
EXTRA_BELOW = 0.9


@dataclass(frozen=True)
class DialogueOptions:
    seed: int = 42
    temperature: float = 0.7
    retries: int = 2                   # regenerations before the repair prompt
    temperature_step: float = 0.2
    max_copied: float = 0.10           # share of the script's 8-word runs found in the sources
    max_copied_turn: float = 0.5       # one turn may quote a figure-laden phrase, not paste a passage
    repeat_penalty: float = 1.15
    words_per_minute: int = 150


def turn_schema(speaker: str) -> dict:
    return {
        "type": "object",
        "properties": {"locuteur": {"type": "string", "enum": [speaker]}, "texte": {"type": "string"}},
        "required": ["locuteur", "texte"],
    }


_QUOTES = "«»\"“”„'‘’ "
_META_PREFIX = re.compile(
    r"^(?:(?:bien sûr|d'accord|voici|ok)[^:.!?]{0,60}(?:réplique|réponse|dialogue)[^:]{0,40}:\s*)", re.I)


def tidy(text: str, names: Sequence[str]) -> str:
    """Remove what small models wrap around a line: labels, quotes, markdown, meta preambles."""
    text = " ".join(text.replace("*", "").split())
    text = _META_PREFIX.sub("", text)
    for _ in range(2):
        for name in names:
            text = re.sub(rf"^\s*{re.escape(name)}\s*(?:\([^)]*\))?\s*:\s*", "", text)
        text = text.strip().lstrip("-–— ").strip()
        if len(text) > 1 and text[0] in "«\"“" and text[-1] in "»\"”":
            text = text[1:-1].strip()
    text = re.sub(r"\s*\[\d+\]", "", text).strip()   # passage ids echoed from the prompt
    return text.strip(_QUOTES) if text.count("«") != text.count("»") else text.strip()


def trim_to(text: str, max_words: int) -> str:
    """Cut an over-long line at the last sentence end within `max_words` (never mid-sentence)."""
    words = text.split()
    if len(words) <= max_words:
        return text
    head = " ".join(words[:max_words])
    cut = max(head.rfind(". "), head.rfind("! "), head.rfind("? "), head.rfind("… "))
    return head[:cut + 1] if cut > len(head) // 3 else text


@dataclass
class DialogueWriter:
    llm: LLM
    guard: FrenchGuard
    hosts: tuple[Host, Host]
    outline: Outline
    passages: Sequence[Passage]
    options: DialogueOptions = field(default_factory=DialogueOptions)
    chat: bool = False

    def __post_init__(self) -> None:
        a, b = self.hosts[0].name, self.hosts[1].name
        self.examples = render("exemples", a=a, b=b).splitlines()
        self.system = render(
            "systeme", show="Causerie", hosts=self.hosts, examples=self.examples, passages=self.passages,
            title=self.outline.title, subject=self.outline.subject, chat=self.chat,
            segments=[{"title": p.title, "fact": p.fact} for p in self.outline.points],
        )
        # Copying the prompt's example turns counts as copying, so they join the sources.
        self.index = SourceIndex([p.text for p in self.passages] + [l.split(":", 1)[-1] for l in self.examples])
        self.facts = concrete_facts(" ".join(p.text for p in self.passages)) | concrete_facts(
            " ".join(p.fact for p in self.outline.points))
        self.subject_terms = [w for w in re.findall(r"\w+", self.outline.subject) if len(w) >= 4] or [
            self.outline.subject]
        self.instruction_grams: set = set()
        # Only short phrases: a whole sentence given as a "fact" must still be said in new words.
        short = [p for p in (self.outline.subject, *(p.fact for p in self.outline.points),
                             *(p.title for p in self.outline.points)) if p and len(p.split()) <= SHARED_MAX_WORDS]
        self.shared_phrases = sorted(set(short), key=len, reverse=True)
        self.copied_so_far = 0      # running totals so the script as a whole stays under max_copied
        self.grams_so_far = 0
        # Source facts in reading order with their passage: what a looping line is steered towards.
        self.source_facts: dict[str, int] = {}
        for p in self.passages:
            for fact in facts_in_order(p.text):
                self.source_facts.setdefault(fact, p.id)
        self.dropped: list[dict] = []   # turns of the plan left out, and why (for the report)

    # ---------------------------------------------------------------- checks
    def problems(self, text: str, spec: TurnSpec, done: Sequence[Turn]) -> list[str]:
        speaker = self.hosts[spec.speaker].name
        verdict = self.guard.check(text, hosts=[h.name for h in self.hosts])
        found = [] if verdict.ok else [verdict.reason or "guard"]
        if not text:
            return ["empty"]
        grams = len(ngrams(text, 8))
        if grams:
            # Quoting a point's fact or the subject is expected; copying prose is not.
            copied = copied_runs(self._without_facts(text), self.index, 8)
            total_grams = self.grams_so_far + grams
            over_budget = (self.copied_so_far + copied) > self.options.max_copied * total_grams
            if copied / grams > self.options.max_copied_turn or (over_budget and copied / grams > self.options.max_copied):
                found.append("copied")
        if repeats_previous(self._without_facts(text), [self._without_facts(t.text) for t in done]):
            found.append("repeated")
        if self._echoes_instruction(text):
            found.append("echo")
        if spec.intent not in ("accroche", "conclusion") and re.search(rf"\b{re.escape(speaker)}\b", text):
            found.append("own-name")
        if spec.intent == "question" and "?" not in text:
            found.append("no-question")     # measured: given a fact, the model states it instead
        if spec.intent in ("accroche", "presentation"):
            opening = [t.text for t in done] + [text]
            if not opening_is_concrete(opening, self.subject_terms, self.facts):
                found.append("vague-opening")
        return found

    def _without_facts(self, text: str) -> str:
        """Both hosts may name the subject and restate a point's fact; that is not looping."""
        for phrase in self.shared_phrases:
            text = re.sub(re.escape(phrase), " ", text, flags=re.I)
        return text

    def _echoes_instruction(self, text: str) -> bool:
        """Small models recite the instruction ("Environ 40 mots. Écris uniquement…")."""
        said = ngrams(re.sub(r"\d+", "", text), 4)
        return bool(said) and any(g in self.instruction_grams for g in said)

    # ---------------------------------------------------------------- prompting
    def _messages(self, spec: TurnSpec, done: Sequence[Turn], words: int) -> list[Message]:
        speaker, other = self.hosts[spec.speaker], self.hosts[1 - spec.speaker]
        point = None
        if spec.point is not None:
            point = {"title": spec.point.title, "fact": spec.point.fact, "passage": spec.point.passage,
                     "fresh": spec.point not in self.outline.points}
        user = render("replique", transcript=done, speaker=speaker.name, role=speaker.role,
                      other=other.name, intent=spec.intent, point=point, words=words,
                      subject=self.outline.subject)
        # A line reciting the instruction's own wording is rejected; its facts and names may be said.
        hole = "qxqholeqxq"
        blank = {"title": hole, "fact": hole, "passage": hole, "fresh": point["fresh"]} if point else None
        # No hole for the length: lines lose their digits before the comparison ("environ 22 mots").
        wording = render("replique", transcript=[], speaker=hole, role=hole, other=hole, intent=spec.intent,
                         point=blank, words="", subject=hole)
        self.instruction_grams = {g for g in ngrams(wording, 4) if hole not in g}
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]

    def _ask(self, messages: list[Message], speaker: str, temperature: float, seed: int,
             words: int) -> tuple[str, list[str]]:
        out = self.llm.complete(messages, schema=turn_schema(speaker), temperature=temperature,
                                seed=seed, max_tokens=int(words * 3.5) + 48,
                                repeat_penalty=self.options.repeat_penalty)
        if out.truncated:
            return "", ["truncated"]
        data = out.json()
        if data is None or not isinstance(data.get("texte"), str):
            return "", ["invalid-json"]
        text = tidy(data["texte"], [h.name for h in self.hosts])
        return trim_to(text, max(int(words * 1.6), 12)), []

    def _feedback(self, spec: TurnSpec, text: str, failed: list[str]) -> str:
        point = spec.point
        return render("refus", text=text, reasons=failed, speaker=self.hosts[spec.speaker].name,
                      english_words=self.guard.english_words(text), subject=self.outline.subject,
                      fact=point.fact if point else self.outline.subject, fresh=None)

    def write_turn(self, i: int, spec: TurnSpec, done: Sequence[Turn], words: int) -> Turn | None:
        """Write, check, regenerate with the reason (cooler or warmer), repair, else flag or drop."""
        opts = self.options
        speaker = self.hosts[spec.speaker].name
        messages = self._messages(spec, done, words)
        base_user = messages[1]["content"]
        reasons: list[str] = []
        candidates: list[tuple[str, list[str]]] = []
        base_seed = (opts.seed * 7919 + i * 97) % (2**31)
        temperature = opts.temperature
        for attempt in range(opts.retries + 1):
            text, failed = self._ask(messages, speaker, temperature, base_seed + attempt, words)
            failed = failed or self.problems(text, spec, done)
            if not failed:
                return self._turn(spec, text, "checked" if attempt == 0 else "regenerated", attempt + 1, reasons)
            reasons.append(f"{attempt + 1}:{','.join(failed)}")
            candidates.append((text, failed))
            step = -opts.temperature_step if set(failed) & COOLER else opts.temperature_step
            temperature = round(min(1.1, max(0.1, temperature + step)), 2)
            # Say what was wrong without quoting the rejected line: shown its own line, a small
            # model writes it again. Appending keeps the cached prompt prefix.
            messages = [messages[0], {"role": "user", "content": base_user + "\n\n" + self._feedback(spec, text, failed)}]

        # Repair: rewrite the least-bad candidate with the French rewrite prompt.
        attempts = opts.retries + 2
        text, failed = min(candidates, key=lambda c: (bool(set(c[1]) & UNUSABLE), len(c[1])))
        if text:
            repair = render("reparation", speaker=speaker, text=text,
                            english_words=self.guard.english_words(text),
                            copied="copied" in failed, repeated="repeated" in failed)
            fixed, bad = self._ask([{"role": "system", "content": self.system},
                                    {"role": "user", "content": repair}],
                                   speaker, 0.3, base_seed + 50, words)
            bad = bad or self.problems(fixed, spec, done)
            if not bad:
                return self._turn(spec, fixed, "repaired", attempts, reasons)
            reasons.append(f"repair:{','.join(bad)}")
            if len(bad) < len(failed) or (set(failed) & UNUSABLE and not set(bad) & UNUSABLE):
                text, failed = fixed, bad
            candidates.append((fixed, bad))
        if "english-words" in failed and not set(failed) & UNUSABLE:
            glossed = apply_glossary(self.llm, text, self.guard, seed=base_seed + 70)
            if glossed != text:
                attempts += 1
                bad = self.problems(glossed, spec, done)
                if not bad:
                    return self._turn(spec, glossed, "repaired", attempts, reasons + ["glossary"])
                reasons.append(f"glossary:{','.join(bad)}")
                if len(bad) < len(failed):
                    text, failed = glossed, bad
        if set(failed) & LOOPING and not set(failed) & UNUSABLE:
            rescued = self._rescue(i, spec, done, words, base_user, candidates, failed, attempts, reasons)
            if rescued is not None:
                return rescued
            return self._drop(i, spec, "repeats")
        if not text or spec.optional or set(failed) & UNUSABLE - {"english"}:
            # better left out than read aloud; the plan stretches the next turns
            return self._drop(i, spec, ",".join(failed) or "empty")
        return self._turn(spec, text, "flagged", attempts, reasons)

    def _trimmed(self, text: str, done: Sequence[Turn]) -> str:
        """The line without the sentences that say again an earlier line or copy a source."""
        earlier = [self._without_facts(t.text) for t in done]
        kept = []
        for sentence in re.split(r"(?<=[.!?…])\s+", text):
            plain = self._without_facts(sentence)
            if not copied_runs(plain, self.index, 8) and not repeats_previous(plain, earlier):
                kept.append(sentence)
        return " ".join(kept)

    def _fresh_fact(self, spec: TurnSpec, done: Sequence[Turn]) -> str | None:
        """A source fact nobody has said yet, from the turn's own passage first."""
        own = spec.point.passage if spec.point is not None else None
        facts = sorted(self.source_facts, key=lambda f: self.source_facts[f] != own)
        unsaid = unsaid_facts(facts, [t.text for t in done])
        if not unsaid:
            return None
        return f"{unsaid[0]} (extrait [{self.source_facts[unsaid[0]]}])"

    def _rescue(self, i: int, spec: TurnSpec, done: Sequence[Turn], words: int, base_user: str,
                candidates: list[tuple[str, list[str]]], failed: list[str], attempts: int,
                reasons: list[str]) -> Turn | None:
        """A line that loops after every rung: cut its repeated sentences, else steer it once towards a
        fact not said yet, else keep the best cut line if it still says something."""
        def best_cut(texts: Sequence[str]) -> str:
            cuts = [self._trimmed(t, done) for t in texts if t]
            cuts = [c for c in cuts if len(c.split()) >= MIN_WORDS and not self.problems(c, spec, done)]
            return max(cuts, key=lambda c: len(c.split()), default="")

        cut = best_cut([t for t, _ in candidates])
        if cut and len(cut.split()) >= words // 2:
            return self._turn(spec, cut, "repaired", attempts, reasons + ["trimmed:repeats"])
        fresh = self._fresh_fact(spec, done)
        if fresh:
            speaker = self.hosts[spec.speaker].name
            steer = render("refus", text="", reasons=[r for r in failed if r in LOOPING], speaker=speaker,
                           english_words=[], subject=self.outline.subject, fact=None, fresh=fresh)
            seed = (self.options.seed * 7919 + i * 97 + 60) % (2**31)
            temperature = min(1.1, self.options.temperature + self.options.temperature_step)
            attempts += 1
            text, bad = self._ask([{"role": "system", "content": self.system},
                                   {"role": "user", "content": base_user + "\n\n" + steer}],
                                  speaker, temperature, seed, words)
            bad = bad or self.problems(text, spec, done)
            if not bad:
                return self._turn(spec, text, "regenerated", attempts, reasons + ["steered"])
            reasons.append(f"steer:{','.join(bad)}")
            if not set(bad) & UNUSABLE:
                cut = best_cut([cut, text]) or cut
        if cut:
            return self._turn(spec, cut, "repaired", attempts, reasons + ["trimmed:repeats"])
        return None

    def _drop(self, i: int, spec: TurnSpec, reason: str) -> None:
        self.dropped.append({"step": i, "intent": spec.intent, "speaker": self.hosts[spec.speaker].name,
                             "segment": spec.segment, "reason": reason})
        return None

    def _count(self, text: str) -> None:
        self.copied_so_far += copied_runs(self._without_facts(text), self.index, 8)
        self.grams_so_far += len(ngrams(text, 8))

    def _turn(self, spec: TurnSpec, text: str, status: str, attempts: int, reasons: list[str]) -> Turn:
        verdict = self.guard.check(text, hosts=[h.name for h in self.hosts])
        self._count(text)
        sources = [spec.point.passage] if spec.point is not None else []
        return Turn(speaker=self.hosts[spec.speaker].name, text=text, segment=spec.segment,
                    intent=spec.intent, sources=sources,
                    check=TurnCheck(status=status, attempts=attempts, reasons=reasons,
                                    language=verdict.language))

    def _closing(self, i: int, spec: TurnSpec) -> Turn:
        """A fixed goodbye for when every try looped: measured on a chat export, the 1.5B model
        recited the instruction or apologised on each try, and the episode ended without one."""
        text = render("cloture", autre=self.hosts[1 - spec.speaker].name, graine=self.options.seed)
        for entry in self.dropped:
            if entry["step"] == i:
                entry["reason"] += "; replaced by the fixed closing line"
        return self._turn(spec, " ".join(text.split()), "repaired", 0, ["fallback:closing"])

    # ---------------------------------------------------------------- driver
    def _add_exchange(self, plan: list[TurnSpec], n: int, done: Sequence[Turn] = ()) -> None:
        """Insert a question/detail pair before the closing, in the last point's segment
        (so chapters stay in order), about a source fact nobody has said yet, else the points in turn."""
        at = next(k for k, t in enumerate(plan) if t.intent == "recapitulatif")
        points = self.outline.points
        point = points[n % len(points)] if points else None
        planned = {t.point.fact for t in plan[:at] if t.point is not None}
        unsaid = [f for f in unsaid_facts(list(self.source_facts), [t.text for t in done]) if f not in planned]
        if unsaid:
            point = Point(unsaid[0], unsaid[0], self.source_facts[unsaid[0]])
        segment = max(0, len(points) - 1)
        plan[at:at] = [TurnSpec(0, "question", segment, point, 18, extra=True),
                       TurnSpec(1, "detail", segment, point, 38, extra=True)]

    def write(self, plan: Sequence[TurnSpec], target_words: int,
              on_turn: Callable[[int, int, Turn | None], None] | None = None,
              start: int = 0, done: Sequence[Turn] = (), extra: int = 0,
              on_step: Callable[[int, list[Turn], int], None] | None = None) -> list[Turn]:
        """Follow the plan, stretching or shrinking the next turns so the total lands on target.

        `start`/`done`/`extra` resume an interrupted run; `on_step(next_step, turns, extra)` is
        called after every plan step so the caller can checkpoint.
        """
        done = list(done)
        plan = list(plan)
        for turn in done:
            self._count(turn.text)
        for n in range(extra):   # exchanges an interrupted run had already added
            self._add_exchange(plan, n, done)
        max_extra = max(MAX_EXTRA_EXCHANGES, target_words // EXCHANGE_WORDS)
        i = 0
        while i < len(plan):
            spec = plan[i]
            if spec.intent == "recapitulatif" and i >= start and extra < max_extra:
                written = sum(len(t.text.split()) for t in done)
                closing = sum(t.words for t in plan[i:])
                if written + closing < target_words * EXTRA_BELOW:
                    # Small models answer shorter than asked: deepen a point with one more exchange.
                    self._add_exchange(plan, extra, done)
                    extra += 1
                    continue
            if i < start:
                i += 1
                continue
            if done and done[-1].speaker == self.hosts[spec.speaker].name:
                # A turn left out just before: the same host would speak twice in a row.
                if spec.intent in CLOSING:
                    spec = replace(spec, speaker=1 - spec.speaker)
                else:
                    self._drop(i, spec, "alternation")
                    if on_step:
                        on_step(i + 1, done, extra)
                    if on_turn:
                        on_turn(i, len(plan), None)
                    i += 1
                    continue
            written = sum(len(t.text.split()) for t in done)
            remaining = plan[i:]
            nominal_left = sum(t.words for t in remaining)
            mandatory_left = sum(t.words for t in remaining if not t.optional)
            turn = None
            # Skipping a reaction or detail must not leave one host speaking twice before a question.
            after = plan[i + 1] if i + 1 < len(plan) else None
            skippable = after is None or after.optional or after.intent in CLOSING or not done or \
                self.hosts[after.speaker].name != done[-1].speaker
            if not (spec.optional and skippable and written + mandatory_left >= target_words * 1.05):
                factor = (target_words - written) / nominal_left if nominal_left else 1.0
                words = max(8, min(MAX_WORDS, round(spec.words * max(0.5, min(1.8, factor)))))
                turn = self.write_turn(i, spec, done, words)
                if turn is None and spec.intent == "conclusion":
                    turn = self._closing(i, spec)
                if turn is not None:
                    done.append(turn)
            # else: already long enough, this reaction/detail is skipped
            if on_step:
                on_step(i + 1, done, extra)
            if on_turn:
                on_turn(i, len(plan), turn)
            i += 1
        return done
