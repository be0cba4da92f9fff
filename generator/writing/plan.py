"""The content plan: who speaks, to do what, with which facts, in about how many words.

The program holds the structure so the model only writes one short line at a
time (measured on small models: left to run the whole dialogue, one host talks
alone and the conversation loops). Every explaining turn is given the facts it
must convey; the curious host's questions lead to those facts without giving
them away; the expert never asks; the last chapter recaps and says goodbye.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .factbank import Fact
from .outline import Outline

WORDS_PER_MINUTE = 150

# Nominal length of each kind of turn, in spoken words.
# Measured on the 1.5B model: asked for 38 words on one fact, it filled the rest with inventions
# ("un physicien allemand", "un moteur d'électricité"); at about 26 it says the fact and stops.
NOMINAL = {"accroche": 28, "presentation": 28, "question": 16, "explication": 26,
           "recapitulatif": 28, "conclusion": 22}
CURIOUS, EXPERT = 0, 1
SPEAKER = {"accroche": CURIOUS, "presentation": EXPERT, "question": CURIOUS, "explication": EXPERT,
           "recapitulatif": CURIOUS, "conclusion": EXPERT}
# Turns whose words teach something: they carry facts and cite them.
EXPLAINING = frozenset({"accroche", "presentation", "explication", "recapitulatif"})
CLOSING = ("recapitulatif", "conclusion")
# Measured on the 1.5B model: asked for two facts in one answer, it mixed their figures up.
FACTS_PER_ANSWER = 1
MIN_WORDS, MAX_WORDS = 8, 90
# Words of the fixed turns (opening pair and closing pair) and of one question/answer exchange.
_FIXED = NOMINAL["accroche"] + NOMINAL["presentation"] + NOMINAL["recapitulatif"] + NOMINAL["conclusion"]
_EXCHANGE = NOMINAL["question"] + NOMINAL["explication"]


@dataclass(frozen=True)
class TurnSpec:
    speaker: int                    # 0 = the curious host, 1 = the expert
    intent: str
    segment: int                    # chapter index; the closing has its own
    facts: tuple[Fact, ...] = ()    # what the turn must convey (explaining turns) or lead to (questions)
    words: int = 30
    topic: str = ""                 # questions: the outline's question leading to the facts, if any
    extra: bool = False             # added while writing because the script ran short

    @property
    def optional(self) -> bool:
        # An extra exchange only lengthens the script: better left out than kept flawed.
        return self.extra

    @property
    def explaining(self) -> bool:
        return self.intent in EXPLAINING


def target_words(minutes: float) -> int:
    return max(60, round(minutes * WORDS_PER_MINUTE))


def facts_needed(minutes: float) -> int:
    """Facts an episode of this length tells: the hook, the presentation's, two per exchange."""
    exchanges = max(1, round((target_words(minutes) - _FIXED) / _EXCHANGE))
    return 1 + FACTS_PER_ANSWER + FACTS_PER_ANSWER * exchanges


def exchange(segment: int, facts: Sequence[Fact], question: str = "", extra: bool = False) -> list[TurnSpec]:
    """A question that leads to `facts` (the outline's, when it wrote one), then the expert's answer."""
    facts = tuple(facts)
    words = NOMINAL["explication"] + 10 * (len(facts) - 1)
    return [TurnSpec(CURIOUS, "question", segment, facts, NOMINAL["question"], question, extra),
            TurnSpec(EXPERT, "explication", segment, facts, words, extra=extra)]


def plan_turns(outline: Outline, facts: Sequence[Fact], minutes: float) -> list[TurnSpec]:
    by_id = {f.id: f for f in facts}
    hook = by_id.get(outline.hook) if outline.hook is not None else None
    turns: list[TurnSpec] = []
    if hook is not None:
        turns.append(TurnSpec(CURIOUS, "accroche", 0, (hook,), NOMINAL["accroche"]))
    for segment, chapter in enumerate(outline.chapters):
        told = [by_id[i] for i in chapter.facts if i in by_id]
        if segment == 0 and turns:
            turns.append(TurnSpec(EXPERT, "presentation", 0, tuple(told[:FACTS_PER_ANSWER]), NOMINAL["presentation"]))
            told = told[FACTS_PER_ANSWER:]
        for k in range(0, len(told), FACTS_PER_ANSWER):
            group = told[k:k + FACTS_PER_ANSWER]
            turns += exchange(segment, group, outline.questions.get(group[0].id, ""))
    closing = len(outline.chapters)
    recap = tuple(f for f in (hook, *(by_id[i] for c in outline.chapters for i in c.facts[:1] if i in by_id))
                  if f is not None)[:2]
    turns += [TurnSpec(CURIOUS, "recapitulatif", closing, recap, NOMINAL["recapitulatif"]),
              TurnSpec(EXPERT, "conclusion", closing, (), NOMINAL["conclusion"])]
    # Questions stay short whatever the length: the explaining turns stretch or shrink.
    fixed = sum(t.words for t in turns if t.intent == "question")
    scale = (target_words(minutes) - fixed) / max(1, sum(t.words for t in turns if t.intent != "question"))
    scale = max(0.7, min(1.6, scale))
    return [t if t.intent == "question" else
            TurnSpec(t.speaker, t.intent, t.segment, t.facts, max(MIN_WORDS, min(MAX_WORDS, round(t.words * scale))),
                     t.topic, t.extra) for t in turns]
